"""ranknews: a self-hosted Korean news aggregation board."""

__version__ = "0.1.0"
