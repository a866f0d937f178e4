"""The demo's one clock: the sample's dates moved to the present when it is loaded.

The bundled sample was written at different times (the seed board's week of June 2024 and
the corpus written around it, a few 매일경제 articles of 2025). Each run of dates (dates no
more than ``GAP`` apart) is moved by one offset so that its newest article was published
``LEAD`` before the demo starts. Within a run, the order and the distances between articles
are kept, so stories, follow-ups and trend bursts look as they were written, and every page
(relative times, "지금" rankings, trends, /sources) reads the same real clock.

A whole-day shift (keeping times of day, so that a body's "오후 2시" fits its article's time)
was tried: it must end the sample yesterday whenever its last article's hour has not come yet
today, and then the 24-hour trends window holds only the end of the sample's last day, not
the bursts the corpus was written to show (one keyword instead of ten), and the six-hour
"지금" ranking is empty. Times of day in bodies are the price of this shift.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Sequence

from ranknews.models import Article

GAP = timedelta(days=30)
LEAD = timedelta(minutes=5)


def to_present(articles: Sequence[Article], now: datetime) -> list[Article]:
    """The articles with their times moved so that each run of dates ends ``LEAD`` before
    ``now``; articles without a publication time are kept as they are."""
    offsets = _offsets(sorted({a.published_at for a in articles if a.published_at}), now)
    return [_moved(a, offsets[a.published_at]) if a.published_at else a for a in articles]


def _offsets(times: list[datetime], now: datetime) -> dict[datetime, timedelta]:
    runs: list[list[datetime]] = []
    for moment in times:
        if runs and moment - runs[-1][-1] <= GAP:
            runs[-1].append(moment)
        else:
            runs.append([moment])
    offsets = {}
    for run in runs:
        offset = now - LEAD - run[-1]
        offset -= timedelta(seconds=offset.total_seconds() % 60)  # whole minutes
        offsets.update((moment, offset) for moment in run)
    return offsets


def _moved(article: Article, offset: timedelta) -> Article:
    def move(moment: datetime | None) -> datetime | None:
        return moment + offset if moment else None

    return replace(article, published_at=move(article.published_at),
                   updated_at=move(article.updated_at), collected_at=move(article.collected_at))
