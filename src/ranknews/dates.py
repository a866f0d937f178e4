"""Dates from outside, through one bounded parser.

Every date that comes from outside (an imported line, a feed item, a page's metadata, a
reader's query parameter) is parsed here and checked against a ``DateWindow``: by default
from 1990-01-01 to one day after now (settings ``dates_earliest`` and
``dates_ahead_hours``). A date outside it is refused with a Korean reason (``DateRejected``)
that the caller records: the import reports the line, the crawler drops that date and keeps
the reason in the article's ``extra``, a query parameter is clamped to the window.

Inside the window every date converts to UTC and to any time zone and formats without
overflow, which ``datetime`` does not promise near years 1 and 9999: "9999-12-31T23:59:59Z"
shown in Seoul, or "0001-01-01T00:00+09:00" converted to UTC, raise OverflowError.
``local_time`` is the reading side's safety net for values stored before the window existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
KST = timezone(timedelta(hours=9), "KST")
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
AHEAD = timedelta(days=1)

_DAY = re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})\.?")
_NUMERIC = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*[.일]?"
    r"(?:\s*\([월화수목금토일]\))?"
    r"(?:[\sT.]*(?P<ampm>오전|오후|AM|PM|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})(?:\s*[:분]\s*(?P<S>\d{1,2})(?:[.,]\d+)?)?\s*초?)?"
    r"\s*(?P<tz>Z|[+-]\d\d:?\d\d|UTC|GMT|KST)?"
)
_MAX_TEXT = 200  # a date string longer than this is not a date


class DateRejected(ValueError):
    """A date from outside that cannot be used; the message says why, in Korean."""


class DateOutOfWindow(DateRejected):
    """A real date, but outside the window (or outside what datetime can convert)."""


@dataclass(frozen=True)
class DateWindow:
    """The dates accepted from outside: from ``earliest`` to ``ahead`` after now."""

    earliest: datetime = EARLIEST
    ahead: timedelta = AHEAD

    @classmethod
    def from_settings(cls, settings: Any) -> "DateWindow":
        day = date.fromisoformat(settings.dates_earliest)
        return cls(datetime.combine(day, time(), timezone.utc),
                   timedelta(hours=settings.dates_ahead_hours))

    def latest(self, now: datetime | None = None) -> datetime:
        return (now or datetime.now(timezone.utc)) + self.ahead

    def check(self, moment: datetime, now: datetime | None = None) -> datetime:
        """``moment`` (aware) when it is inside the window; else DateRejected."""
        utc = _to_utc(moment)
        if utc < self.earliest:
            raise DateOutOfWindow(f"{self.earliest:%Y-%m-%d} 이전 날짜입니다: {_show(moment)}")
        if utc > self.latest(now):
            raise DateOutOfWindow(f"미래 날짜입니다 (허용: 지금부터 {_hours(self.ahead)}시간 "
                               f"뒤까지): {_show(moment)}")
        return moment


DEFAULT_WINDOW = DateWindow()
# What the store takes whatever the settings say: the settings may widen the default window
# up to this (config.Settings checks), never past it.
STORE_WINDOW = DateWindow(datetime(1900, 1, 1, tzinfo=timezone.utc), timedelta(days=7))


def parse_date(value: object, *, window: DateWindow = DEFAULT_WINDOW,
               default_tz: tzinfo = KST, now: datetime | None = None) -> datetime:
    """A date from outside as an aware datetime (in the offset it was given with) inside
    ``window``; DateRejected says why not. Takes ISO 8601, the Korean forms ("2024.06.16
    10:30", "2024년 6월 16일 오후 3:20"), epoch seconds or milliseconds, and datetimes. A
    time without a zone is in ``default_tz`` (Korea time); a bare date is its midnight."""
    return window.check(_parse(value, default_tz), now)


def parse_day(value: str, *, window: DateWindow = DEFAULT_WINDOW, tz: tzinfo = SEOUL,
              now: datetime | None = None) -> date:
    """A day from a reader (a query parameter), as Koreans write it (2024.06.16, 2024. 6. 16.)
    or ISO (2024-06-16), clamped to the window: the days before it mean its first day, the
    days after it its last. ValueError when it is not a date."""
    text = value.strip()
    found = _DAY.fullmatch(text) if len(text) <= 16 else None
    if found:
        day = date(int(found["y"]), int(found["m"]), int(found["d"]))
    else:
        day = date.fromisoformat(text) if len(text) <= 10 else _not_a_day(value)
    first = window.earliest.astimezone(tz).date()
    last = window.latest(now).astimezone(tz).date()
    return min(max(day, first), last)


def local_time(moment: datetime | None, tz: tzinfo) -> datetime | None:
    """``moment`` in ``tz``, or None when it cannot be shown there (a stored value past
    year 9999 in that zone): reading never fails on a date."""
    if moment is None:
        return None
    try:
        return moment.astimezone(tz)
    except (OverflowError, ValueError):
        return None


def story_time(published: datetime | None, collected: datetime | None) -> datetime | None:
    """When a stored post happened: published, else collected; a published time outside
    the default window as of its collection (stored before dates were bounded) counts as
    unknown, so no arithmetic on it can overflow."""
    if published is None or collected is None:
        return published or collected
    if not EARLIEST <= published <= collected + AHEAD:
        return collected
    return published


def within_window(article: Any, now: datetime | None = None) -> Any:
    """``article`` (a ``models.Article``) with its published and updated times dropped when
    outside ``STORE_WINDOW`` as of ``now`` (a caller that skipped ``parse_date``), the
    reason kept in ``extra["dates_refused"]``: every reader downstream, in Python or in SQL
    (story buckets, trend days), may then take a stored time at its word."""
    refused: list[str] = []
    changes: dict[str, Any] = {}
    for name in ("published_at", "updated_at"):
        moment = getattr(article, name)
        if moment is None:
            continue
        try:
            STORE_WINDOW.check(moment, now)
        except DateRejected as exc:
            refused.append(f"{name}: {exc}")
            changes[name] = None
    if not refused:
        return article
    from dataclasses import replace

    extra = {**article.extra, "dates_refused": [*article.extra.get("dates_refused", ()),
                                                *refused]}
    return replace(article, **changes, extra=extra)


def _not_a_day(value: str) -> date:
    raise ValueError(f"not a day: {value[:20]!r}")


def _parse(value: object, default_tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=default_tz)
    if isinstance(value, bool):
        raise DateRejected("날짜는 문자열이어야 합니다 (true/false가 왔습니다).")
    if isinstance(value, (int, float)):
        return _from_epoch(value)
    if not isinstance(value, str) or not value.strip():
        raise DateRejected("날짜가 비어 있습니다.")
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise DateRejected(f"날짜가 너무 깁니다 ({len(text)}자).")
    parsed = _from_iso(text, default_tz) or _from_text(text, default_tz)
    if parsed is None:
        raise DateRejected(f"날짜를 해석할 수 없습니다: {text[:40]!r}")
    return parsed


def _from_epoch(value: float) -> datetime:
    if value != value or value < 10**8:  # NaN, or not a plausible epoch
        raise DateRejected(f"날짜를 해석할 수 없습니다: {value!r}")
    seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds or seconds
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise DateOutOfWindow(f"날짜가 범위를 벗어났습니다: {value!r}") from None


def _from_iso(text: str, default_tz: tzinfo) -> datetime | None:
    if _dotted(text):  # "2024.06.16" and "2024.06.16 10:30", as Korean sites write dates
        text = text.replace(".", "-", 2)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=default_tz)


def _dotted(text: str) -> bool:
    return len(text) >= 10 and text[4] == "." and text[7] == "."


def _from_text(value: str, default_tz: tzinfo) -> datetime | None:
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
        return parsed.replace(tzinfo=_zone(match["tz"], default_tz))
    except ValueError:
        return None


def _zone(label: str | None, default_tz: tzinfo) -> tzinfo:
    if not label or label == "KST":
        return KST if label else default_tz
    if label in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if label[0] == "-" else 1
    digits = label[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _to_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise DateOutOfWindow(f"날짜가 범위를 벗어났습니다: {_show(moment)}") from None


def _show(moment: datetime) -> str:
    try:
        return moment.isoformat()[:40]
    except (OverflowError, ValueError):
        return repr(moment)[:60]


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g}"
