"""How dates look to readers: 2024.06.16 on the board, 14:05 for today, times in Seoul.

Any stored time formats, even one from before dates were bounded (``ranknews.dates``): a
time that cannot be shown in the board's zone (year 9999 in Seoul) shows as nothing rather
than failing the page."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email.utils import format_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from ranknews.dates import local_time


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def board_date(moment: datetime | None, today: date, tz: ZoneInfo) -> str:
    """YYYY.MM.DD, or HH:MM when the post is from today (in the board's time zone)."""
    local = local_time(moment, tz)
    if local is None:
        return ""
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%Y.%m.%d}"


def full_time(moment: datetime | None, tz: ZoneInfo) -> str:
    """2024.06.16 14:05 in the board's time zone."""
    local = local_time(moment, tz)
    return f"{local:%Y.%m.%d %H:%M}" if local else ""


def rfc822(moment: datetime | None) -> str:
    """The date format RSS 2.0 requires (RFC 822, in GMT)."""
    utc = local_time(moment, timezone.utc)
    return format_datetime(utc, usegmt=True) if utc else ""
