"""Turning articles into search documents: Kiwi on title and lead, bigrams on the rest.

Kiwi costs ~14 µs per character per core; a whole article (~2,000 characters) would hold
indexing near 85 articles/s per core. Only the headline and the first ``analysis_chars`` of
the body go through Kiwi (the precise, highly ranked terms); the whole capped body goes
through the cheap bigram path (see document.py), which is what recall beyond the lead needs.
``benchmarks/search.py`` reports recall for Kiwi-only, bigram-only and both.

When the stories stage has already stored an ``Analysis`` for an article (an analyser version
with today's terms, ``TERMS_SINCE``), it is reused instead of analysing again.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ranknews.models import Article
from ranknews.search.document import SearchDocument, build_document
from ranknews.text.analysis import TERMS_SINCE, Analysis, Analyzer


class Indexer:
    def __init__(self, analyzer: Analyzer, *, analysis_chars: int = 0,
                 body_chars: int = 4000) -> None:
        self.analyzer = analyzer
        self.analysis_chars = analysis_chars
        self.body_chars = body_chars

    def documents(self, batch: Sequence[Article], hashes: Mapping[int, str] | None = None,
                  stored: Mapping[int, Analysis] | None = None) -> list[SearchDocument]:
        """One document per article (articles must have board numbers).

        ``hashes`` gives the content hash the store holds for each post (what the document
        is then known to be built from); ``stored`` gives analyses saved by other stages.
        """
        stored = stored or {}
        hashes = hashes or {}
        bodies = [article_body(a) for a in batch]
        todo = [i for i, a in enumerate(batch) if not _reusable(stored.get(a.board_no))]
        fresh = self.analyzer.analyze_many(
            [(batch[i].title, bodies[i][: self.analysis_chars]) for i in todo]) if todo else []
        analyses = dict(zip(todo, fresh))
        docs = []
        for i, article in enumerate(batch):
            analysis = analyses.get(i) or stored[article.board_no]
            digest = hashes.get(article.board_no or 0) or article.content_hash()
            docs.append(build_document(article.board_no or 0, digest,
                                       article.title, bodies[i], analysis,
                                       body_chars=self.body_chars))
        return docs


def article_body(article: Article) -> str:
    """What is searched besides the title: subtitles, summary, then the body text."""
    parts = [*article.subtitles, article.summary, article.text]
    return "\n".join(p for p in parts if p)


def _reusable(analysis: Analysis | None) -> bool:
    # search reads terms only: an older analysis with the same terms is as good
    # (version 3 changed lead_numbers alone)
    return analysis is not None and TERMS_SINCE <= analysis.version
