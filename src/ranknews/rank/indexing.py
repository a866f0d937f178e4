"""The rank stage for a post version: keywords (with learned aliases) and a section.

``rank_articles`` is a plain function over Articles and their stored analyses; the rank stage
(``pipeline.rank``) feeds it the posts of its tasks and stores what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from ranknews.dates import EARLIEST
from ranknews.models import Analysis, Article
from ranknews.rank.aliases import AliasBook
from ranknews.rank.keywords import article_keywords, keyword_texts
from ranknews.rank.sections import SectionClassifier, assign_section
from ranknews.text.analysis import Analyzer

# Aliases are introduced early in an article: "대한의사협회(의협)은 …" in the first lines.
_ALIAS_CHARS = 1500


@dataclass
class RankBatch:
    rows: list[dict[str, Any]]  # article_rank rows
    aliases: dict[int, list[tuple[str, str]]]  # (short, long) evidence each post showed


def lead_of(article: Article) -> str:
    return article.summary or (article.paragraphs[0] if article.paragraphs else "")


def counted_at(article: Article, now: datetime) -> datetime:
    """When a post counts for trends: published, unless missing, in the future, or before
    dates were bounded (``ranknews.dates.EARLIEST``)."""
    collected = article.collected_at or now
    published = article.published_at
    if published is None or published > collected + timedelta(hours=1) \
            or published < EARLIEST:
        return collected
    return published


def rank_articles(batch: Sequence[tuple[Article, Analysis | None]], aliases: AliasBook, *,
                  excluded: frozenset[str], timezone: str, now: datetime,
                  classifier: SectionClassifier | None = None,
                  analyzer: Analyzer | None = None) -> RankBatch:
    """Keywords and section of each article, from its stored analysis (the noun phrases of
    its headline and lead, ``Analysis.keywords``); aliases learned from the batch count at
    once. An analysis made before it carried keyword phrases has them made by ``analyzer``."""
    found = {a.board_no or 0: aliases.learn(a.title + "\n" + a.text[:_ALIAS_CHARS])
             for a, _ in batch}
    mapping = aliases.mapping()
    phrases = _phrases(batch, analyzer)
    rows = []
    tz = ZoneInfo(timezone)
    for (article, _), own in zip(batch, phrases):
        at = counted_at(article, now)
        section, how = assign_section(article.title, article.url, article.section, classifier,
                                      lead=lead_of(article))
        rows.append({
            "board_no": article.board_no, "at": at, "day": at.astimezone(tz).date().isoformat(),
            "outlet": article.outlet,
            "keywords": list(article_keywords(own, aliases=mapping, excluded=excluded)),
            "section": section, "section_how": how,
        })
    return RankBatch(rows, {n: pairs for n, pairs in found.items()})


def _phrases(batch: Sequence[tuple[Article, Analysis | None]],
             analyzer: Analyzer | None) -> list[tuple[tuple[str, ...], ...]]:
    missing = [i for i, (_, a) in enumerate(batch) if a is None or not a.keywords]
    made: dict[int, tuple[tuple[str, ...], ...]] = {}
    if missing:
        if analyzer is None:
            raise ValueError("keyword phrases missing and no analyzer given")
        texts = [keyword_texts(batch[i][0].title, lead_of(batch[i][0])) for i in missing]
        flat = analyzer.noun_phrases([t for group in texts for t in group])
        at = 0
        for i, group in zip(missing, texts):
            made[i] = tuple(flat[at:at + len(group)])
            at += len(group)
    return [made[i] if i in made else a.keywords  # type: ignore[union-attr]
            for i, (_, a) in enumerate(batch)]
