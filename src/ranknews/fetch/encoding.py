"""Bytes → text for pages and feeds, with the legacy Korean encodings in mind.

Order: the HTTP header's charset, then a byte-order mark, then the page's own
``<meta charset>``, then detection (charset-normalizer). A declared charset is used only
if the bytes really decode with it: Korean sites that say UTF-8 but send CP949 exist.
EUC-KR is read as CP949, its superset, because pages labelled EUC-KR routinely contain
CP949-only syllables. Decoding never raises: the last resort replaces invalid bytes.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels seen on Korean sites that all mean "CP949 or a subset of it".
_KOREAN_ALIASES = {"euc-kr", "euckr", "euc_kr", "ks_c_5601-1987", "ks_c_5601", "ksc5601",
                   "ksc_5601", "x-windows-949", "windows-949", "cp949", "ms949", "uhc",
                   "korean", "csEUCKR".lower()}
_META = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""",
                   re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""",
                       re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_SNIFF_BYTES = 8192
_DETECT_BYTES = 65536


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for an HTTP/HTML charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _KOREAN_ALIASES:
        return "cp949"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return normalize_charset(value)
    return None


def declared_charset(content: bytes) -> str | None:
    """The charset a document declares about itself (meta tag or XML declaration)."""
    head = content[:_SNIFF_BYTES]
    match = _META.search(head) or _XML_DECL.search(head)
    return normalize_charset(match.group(1).decode("ascii")) if match else None


def guess_encoding(content: bytes, content_type: str | None = None) -> str:
    """The codec to read ``content`` with (see the module docstring for the order)."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    for candidate in (charset_from_content_type(content_type), declared_charset(content)):
        if candidate and _decodes(content, candidate):
            return candidate
    if _decodes(content, "utf-8"):
        return "utf-8"
    best = from_bytes(content[:_DETECT_BYTES]).best()
    if best is not None:
        return normalize_charset(best.encoding) or "utf-8"
    return "utf-8"


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Text of a page or feed; invalid bytes become U+FFFD instead of an error."""
    return content.decode(guess_encoding(content, content_type), errors="replace")


def _decodes(content: bytes, codec: str) -> bool:
    # A cut multi-byte sequence at the very end is not a reason to distrust the label.
    sample = content[:_DETECT_BYTES]
    try:
        codecs.getincrementaldecoder(codec)(errors="strict").decode(sample, final=False)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
