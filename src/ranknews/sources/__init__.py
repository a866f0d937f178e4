"""Where articles come from: JSON Lines files, outlets' feeds (sources.toml)."""


def is_sample_outlet(domain: str | None) -> bool:
    """Whether an outlet is one of the demo's fictional ones (예시): their domains are under
    the ``.example`` top-level domain, which is reserved for examples (RFC 2606) and never
    names a real outlet."""
    return (domain or "").lower().rstrip(".").endswith(".example")
