"""Publication times as Korean pages write them, always returned timezone-aware.

Pages give ISO 8601 with an offset ("2023-04-04T16:31:53+09:00"), UTC ("…Z"), or local
time with no offset at all ("2023.04.21 16:25", "2023-04-04 16:31:53", "2023년 4월 5일 오후
3:20"). A time without an offset on a Korean news page is Korea time (KST, UTC+9).

The parsing itself is ``ranknews.dates.parse_date``, the one bounded parser of dates from
outside: a page's date outside the window (1990 to tomorrow by default) is no date at all,
and the extractor goes on to its next candidate.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ranknews.dates import DEFAULT_WINDOW, KST, DateRejected, DateWindow, parse_date

__all__ = ["KST", "parse_datetime"]


def parse_datetime(value: object, *, default_tz: timezone = KST,
                   window: DateWindow = DEFAULT_WINDOW) -> datetime | None:
    """A timezone-aware datetime from a page's date string, or None if there is none (or
    it lies outside ``window``)."""
    try:
        return parse_date(value, window=window, default_tz=default_tz)
    except DateRejected:
        return None
