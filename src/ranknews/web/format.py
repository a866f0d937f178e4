"""How dates look to readers: 2024.06.16 on the board, 14:05 for today, times in Seoul."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import format_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def board_date(moment: datetime | None, today: date, tz: ZoneInfo) -> str:
    """YYYY.MM.DD, or HH:MM when the post is from today (in the board's time zone)."""
    if moment is None:
        return ""
    local = moment.astimezone(tz)
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%Y.%m.%d}"


def full_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """2024.06.16 14:05 in the board's time zone."""
    return f"{moment.astimezone(tz):%Y.%m.%d %H:%M}" if moment else ""


def rfc822(moment: datetime | None) -> str:
    """The date format RSS 2.0 requires (RFC 822, in GMT)."""
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)
