"""Publication times as Korean pages write them, always returned timezone-aware.

Pages give ISO 8601 with an offset ("2023-04-04T16:31:53+09:00"), UTC ("…Z"), or local
time with no offset at all ("2023.04.21 16:25", "2023-04-04 16:31:53", "2023년 4월 5일 오후
3:20"). A time without an offset on a Korean news page is Korea time (KST, UTC+9).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

_NUMERIC = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*[.일]?"
    r"(?:\s*\([월화수목금토일]\))?"
    r"(?:[\sT.]*(?P<ampm>오전|오후|AM|PM|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})(?:\s*[:분]\s*(?P<S>\d{1,2})(?:[.,]\d+)?)?\s*초?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d|UTC|GMT|KST)?"
)


def parse_datetime(value: object, *, default_tz: timezone = KST) -> datetime | None:
    """A timezone-aware datetime from a page's date string, or None if there is none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=default_tz)
    if isinstance(value, (int, float)) and value > 10**9:
        seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds or seconds
        return datetime.fromtimestamp(seconds, timezone.utc)
    if not isinstance(value, str) or not value.strip():
        return None
    return _from_iso(value.strip(), default_tz) or _from_text(value, default_tz)


def _from_iso(value: str, default_tz: timezone) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


def _from_text(value: str, default_tz: timezone) -> datetime | None:
    match = _NUMERIC.search(value)
    if not match:
        return None
    hour = int(match["H"] or 0)
    if match["ampm"] and match["ampm"].lower() in ("오후", "pm") and hour < 12:
        hour += 12
    if match["ampm"] and match["ampm"].lower() in ("오전", "am") and hour == 12:
        hour = 0
    try:
        parsed = datetime(int(match["y"]), int(match["m"]), int(match["d"]), hour,
                          int(match["M"] or 0), int(match["S"] or 0))
    except ValueError:
        return None
    return parsed.replace(tzinfo=_zone(match["tz"], default_tz))


def _zone(label: str | None, default_tz: timezone) -> timezone:
    if not label or label == "KST":
        return KST if label else default_tz
    if label in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if label[0] == "-" else 1
    digits = label[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
