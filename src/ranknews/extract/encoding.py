"""Bytes from the network → text: HTTP header charset, then <meta> charset, then detection.

Korean sites still serve EUC-KR (in practice CP949, its superset: browsers decode "euc-kr" as
windows-949, so we do too). A declared charset that does not decode the bytes cleanly is a lie
often enough (a server default of UTF-8 over a CP949 page) that we fall through to the next
source instead of trusting it. The fetcher calls ``decode_html``; nothing here raises.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Labels that mean CP949 in practice (WHATWG maps them all to EUC-KR = windows-949).
_KOREAN_LABELS = {"euc-kr", "euckr", "euc_kr", "ks_c_5601-1987", "ks_c_5601", "ksc5601",
                  "x-windows-949", "windows-949", "cp949", "uhc", "korean", "csksc56011987",
                  "iso-ir-149", "ksc_5601"}
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_WINDOW = 8192  # the HTML spec prescans the first 1024 bytes; pages are sloppier


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a declared charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _KOREAN_LABELS:
        return "cp949"
    if label in ("utf8", "unicode-1-1-utf-8"):
        label = "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # ISO-8859-1 is what servers say when they say nothing; browsers read it as cp1252.
    return "cp1252" if name in ("latin-1", "iso8859-1") else name


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return normalize_charset(match.group(1)) if match else None


def meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_META_WINDOW])
    return normalize_charset(match.group(1).decode("ascii", "ignore")) if match else None


def _strict(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML page: BOM, HTTP header charset, meta charset, UTF-8, then detection.

    Never raises: when nothing decodes cleanly, the most plausible guess is used with
    replacement characters, so a broken page still yields whatever text it has.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    declared = [header_charset(content_type), meta_charset(data), "utf-8"]
    for codec in dict.fromkeys(c for c in declared if c):
        text = _strict(data, codec)
        if text is not None:
            return text
    return _detect(data, fallback=next((c for c in declared if c), "utf-8"))


def _detect(data: bytes, *, fallback: str) -> str:
    best = from_bytes(data[:200_000], cp_isolation=["cp949", "utf_8", "euc_kr", "cp1252"]).best()
    codec = normalize_charset(best.encoding) if best is not None else None
    # Mostly-CP949 pages with a few broken bytes are far more common here than anything else.
    codec = codec or "cp949"
    text = data.decode(codec, errors="replace")
    if text.count("\ufffd") > len(text) // 100 and codec != fallback:
        alternative = data.decode(fallback, errors="replace")
        if alternative.count("\ufffd") < text.count("\ufffd"):
            return alternative
    return text
