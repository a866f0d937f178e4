"""One spelling per article address, so that the same page found twice is one post.

Outlets hand out many addresses for one article: tracking parameters from newsletters and
social sites, a mobile host (m.-, mobile.-), an AMP copy (/amp, ?amp=1, /Amp/), a trailing
slash, a default port written out (:443 on https). ``normalize_url`` removes exactly those
and keeps every other part: the scheme and any other port stay, since another scheme or port
is another server (two sites on one host, a test server), and merging their articles would
show one site's address with the other's text. An http and an https copy of one article are
still one post when their bodies match (the body key, ``fingerprint.article_keys``).

Only parameters listed in ``TRACKING_PARAMETERS`` (or starting with ``utm_``) are dropped.
A parameter we do not know is kept, because on many Korean sites it *is* the article's
identity: ``view.php?no=123``, ``?idx=368944``, ``?n=2``, the portals' ``?oid=…&aid=…``.
Dropping one would merge different articles into one post, which loses an article; keeping
one only costs a missed duplicate (which the body and headline keys usually still catch).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Exact names (compared lower-case) of parameters that only say where a click came from.
TRACKING_PARAMETERS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid",
    "ttclid", "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src", "ref_url", "cmpid", "utm",
})
_AMP_PARAMS = {"amp": ("1", "true", "amp", ""), "outputtype": ("amp",), "output": ("amp",)}
_MOBILE_PREFIXES = ("m.", "mobile.", "amp.")
_AMP_PATH = re.compile(r"(?i)/amp(?=/|$)")
# Characters after which urlsplit does more than split (ports, user info, IPv6, stripping of
# control characters and spaces): such addresses take the general path.
_NOT_PLAIN = re.compile(r"[?#@\[\]:\s\x00-\x1f\\]")


def normalize_url(url: str) -> str:
    """The comparison form of an article URL (never shown; the original is kept for links)."""
    url = url.strip()
    fast = _plain(url)
    return fast if fast is not None else _general(url)


def _plain(url: str) -> str | None:
    """The common case, without urllib: http(s)://host/path with no query or port."""
    if url.startswith("https://"):
        scheme, rest = "https", url[8:]
    elif url.startswith("http://"):
        scheme, rest = "http", url[7:]
    else:
        return None
    if _NOT_PLAIN.search(rest):
        return None
    host, slash, path = rest.partition("/")
    if not host:
        return None
    return _join(scheme, host.lower(), slash + path, "")


def _general(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    try:
        port = parts.port
    except ValueError:  # not a port number: not an address we could have fetched
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking(k) and not _is_amp_param(k, v)]
    query.sort()
    return _join(scheme, parts.hostname.lower(), parts.path, urlencode(query),
                 None if port == _DEFAULT_PORTS[scheme] else port)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _join(scheme: str, host: str, path: str, query: str, port: int | None = None) -> str:
    if host.startswith(_MOBILE_PREFIXES):
        host = host.partition(".")[2]
    if host.startswith("www."):
        host = host[4:]
    if "/amp" in path.lower():
        path = _AMP_PATH.sub("", path)
    path = path.rstrip("/") or "/"
    if port is not None:
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address
    # what urlunsplit((scheme, host, path, query, "")) gives, for a path starting with "/"
    return f"{scheme}://{host}{path}?{query}" if query else f"{scheme}://{host}{path}"


def is_tracking(name: str) -> bool:
    """Whether a query parameter only tracks the click (never names the article)."""
    name = name.lower()
    return name.startswith("utm_") or name in TRACKING_PARAMETERS


def _is_amp_param(key: str, value: str) -> bool:
    return value.lower() in _AMP_PARAMS.get(key.lower(), ())
