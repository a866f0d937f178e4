"""The rank stage for new posts: keywords (with learned aliases) and a section, once per post.

``rank_articles`` is a plain function over Articles; ``pipeline.update_rank`` feeds it the
posts that have no ranking row yet and stores what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from ranknews.dates import EARLIEST
from ranknews.models import Article
from ranknews.rank.aliases import AliasBook
from ranknews.rank.keywords import article_keywords, keyword_texts
from ranknews.rank.sections import SectionClassifier, assign_section
from ranknews.text.analysis import Analyzer

# Aliases are introduced early in an article: "대한의사협회(의협)은 …" in the first lines.
_ALIAS_CHARS = 1500


@dataclass
class RankBatch:
    rows: list[dict[str, Any]]  # article_rank rows
    aliases: list[tuple[str, str]]  # (short, long) evidence found in this batch


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


def rank_articles(batch: Sequence[Article], analyzer: Analyzer, aliases: AliasBook, *,
                  excluded: frozenset[str], timezone: str, now: datetime,
                  classifier: SectionClassifier | None = None) -> RankBatch:
    """Keywords and section of each article; aliases learned from the batch count at once."""
    found: list[tuple[str, str]] = []
    for article in batch:
        found += aliases.learn(article.title + "\n" + article.text[:_ALIAS_CHARS])
    mapping = aliases.mapping()
    texts = [keyword_texts(a.title, lead_of(a)) for a in batch]
    flat = [t for group in texts for t in group]
    phrases = analyzer.noun_phrases(flat) if flat else []
    rows, i = [], 0
    tz = ZoneInfo(timezone)
    for article, group in zip(batch, texts):
        own = phrases[i:i + len(group)]
        i += len(group)
        at = counted_at(article, now)
        section, how = assign_section(article.title, article.url, article.section, classifier,
                                      lead=lead_of(article))
        rows.append({
            "board_no": article.board_no, "at": at, "day": at.astimezone(tz).date().isoformat(),
            "outlet": article.outlet,
            "keywords": list(article_keywords(own, aliases=mapping, excluded=excluded)),
            "section": section, "section_how": how,
        })
    return RankBatch(rows, found)
