"""Korean text: headline labels, normalization, morphological analysis (kiwipiepy)."""
