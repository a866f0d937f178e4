"""One spelling per article address, so that the same page found twice is one post.

Outlets hand out many addresses for one article: tracking parameters from newsletters and
social sites, a mobile host (m.-, mobile.-), an AMP copy (/amp, ?amp=1, /Amp/), a trailing
slash, http vs https. ``normalize_url`` removes exactly those and keeps every other part: a
query parameter that names the article (?idx=368944, ?aid=…) is never dropped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|ref|ref_src|"
    r"cmpid|from|share|sns|rccode|utm)$", re.I)
_AMP_PARAMS = {"amp", "outputtype", "output"}  # ?amp=1, ?outputType=amp
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.")
_AMP_PATH = re.compile(r"(?i)/amp(?=/|$)")


def normalize_url(url: str) -> str:
    """The comparison form of an article URL (never shown; the original is kept for links)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower()
    host = _MOBILE_HOST.sub("", host)
    if host.startswith("www."):
        host = host[4:]
    path = _AMP_PATH.sub("", parts.path) or "/"
    path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _TRACKING.match(k) and not _is_amp_param(k, v)]
    query.sort()
    return urlunsplit(("https", host, path, urlencode(query), ""))


def _is_amp_param(key: str, value: str) -> bool:
    return key.lower() in _AMP_PARAMS and value.lower() in ("1", "true", "amp", "")
