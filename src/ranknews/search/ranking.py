"""Blending text relevance with recency.

    score = relevance × (1 + recency_weight × 2^(−age_hours / half_life_hours))

``relevance`` is the backend's text score made positive and larger-is-better (−bm25() on
SQLite FTS5, ts_rank_cd on PostgreSQL). An article published now gets up to
``1 + recency_weight`` times its text score; the bonus halves every ``half_life_hours``, so
after a few half-lives ranking is text relevance alone. Multiplying (rather than adding)
keeps the blend independent of each backend's score scale, and an article that matches the
query poorly cannot be lifted above a good match by freshness alone by more than that factor.
Age is taken from ``published_at``, else from when we collected the article.
"""

from __future__ import annotations

from datetime import datetime


def recency_factor(when: datetime | None, now: datetime, *, weight: float,
                   half_life_hours: float) -> float:
    if when is None or weight <= 0 or half_life_hours <= 0:
        return 1.0
    age_hours = max(0.0, (now - when).total_seconds() / 3600)
    return 1.0 + weight * 2.0 ** (-age_hours / half_life_hours)


def blended(relevance: float, when: datetime | None, now: datetime, *, weight: float,
            half_life_hours: float) -> float:
    return relevance * recency_factor(when, now, weight=weight,
                                      half_life_hours=half_life_hours)
