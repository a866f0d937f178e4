"""Which stored post each article of a batch is: the dedup decision of a save, article by
article, in order, before anything is written.

A post is "the same" when its URL or canonical URL matches, or one of its dedup keys
(``fingerprint.article_keys``: URL without tracking/mobile/AMP parts, same body at the same
outlet, an updated version of the same headline, confirmed by ``same_post``). The result is
what saving the articles one at a time, in order, would give: each article is ``inserted``
(a new post), ``revised`` (the same post with other content) or ``unchanged``.

The store is asked through ``Lookup`` (rows only: posts by URL, by key, by number, and the
stored articles a headline key must be confirmed against); ``pipeline.saving`` runs the
lookups and this plan inside the write transaction and hands the plan's posts back to the
store to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, Sequence

from ranknews.dedup.fingerprint import same_post, within_update_gap
from ranknews.models import Article


class Prepared(Protocol):
    """An article prepared for saving (``store.prepare.PreparedArticle``)."""

    url: str
    canonical_url: str | None
    content_hash: str
    keys: tuple[str, ...]

    @property
    def published_at(self) -> datetime | None: ...

    @property
    def article(self) -> Article: ...


class StoredPost(Protocol):
    """A stored post as the store gives it (``store.prepare.StoredPost``)."""

    board_no: int
    url: str
    canonical_url: str | None
    content_hash: str
    revision: int
    published_at: datetime | None


class Lookup(Protocol):
    def posts_by_url(self, urls: list[str]) -> list[StoredPost]: ...
    def numbers_by_key(self, keys: list[str]) -> list[tuple[str, int]]: ...
    def posts_by_number(self, numbers: list[int]) -> list[StoredPost]: ...
    def articles(self, numbers: list[int]) -> dict[int, Article]: ...


@dataclass(eq=False, slots=True)
class Post:
    """A post as this batch sees it: stored already (``board_no``) or new (``first``)."""

    board_no: int | None
    content_hash: str
    revision: int = 1
    canonical_url: str | None = None
    first: Prepared | None = None  # a new post's first version, to insert
    latest: Prepared | None = None  # its content now, when it came from this batch
    changes: list[Prepared] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


class SavePlan:
    """What saving ``batch`` does: ``outcomes`` in order, the ``new_posts`` to insert and the
    posts with ``changes`` to apply as revisions."""

    def __init__(self, batch: Sequence[Prepared], lookup: Lookup) -> None:
        self.lookup = lookup
        self.new_posts: list[Post] = []
        self.outcomes: list[tuple[str, Post]] = []
        self.by_number: dict[int, Post] = {}
        self.seen: dict[str, Post] = {}  # URLs of this batch's articles → their post
        self.seen_keys: dict[str, list[Post]] = {}  # their dedup keys → posts
        self.stored_articles: dict[int, Article] = {}
        self.stored_urls: dict[str, Post] = {}
        self.stored_times: dict[int, datetime | None] = {}  # stored posts' publication times
        self._stored_by_url(batch)
        self.stored_keys = self._stored_by_key(batch)
        for prepared in batch:
            self._place(prepared)

    @property
    def changed_posts(self) -> list[Post]:
        return [p for p in self.touched if p.changes]

    @property
    def touched(self) -> list[Post]:
        return list({id(p): p for _, p in self.outcomes}.values())

    def _place(self, prepared: Prepared) -> None:
        post = self._match(prepared)
        if post is None:
            post = Post(None, prepared.content_hash, canonical_url=prepared.canonical_url,
                        first=prepared, latest=prepared)
            self.new_posts.append(post)
            kind = "inserted"
        elif post.content_hash == prepared.content_hash:
            kind = "unchanged"
        else:
            post.changes.append(prepared)
            post.content_hash, post.latest = prepared.content_hash, prepared
            if not post.canonical_url and self._free(prepared.canonical_url, post):
                post.canonical_url = prepared.canonical_url  # learnt: a second identity
            kind = "revised"
        self.outcomes.append((kind, post))
        post.keys.update(prepared.keys)
        for url in (prepared.url, prepared.canonical_url):
            if self._free(url, post):
                self.seen[url] = post
        for key in prepared.keys:  # a headline key may name several posts of this batch
            posts = self.seen_keys.setdefault(key, [])
            if post not in posts:
                posts.append(post)

    def _free(self, name: str | None, post: Post) -> bool:
        """Whether the URL ``name`` names no other post: matched by its URL, an article may
        carry a canonical URL that another post owns, and must not take it (it is unique)."""
        owner = self.seen.get(name) or self.stored_urls.get(name) if name else None
        return name is not None and owner in (None, post)

    def _match(self, prepared: Prepared) -> Post | None:
        for url in (prepared.url, prepared.canonical_url):
            if url and (post := self.seen.get(url) or self.stored_urls.get(url)):
                return post
        for key in prepared.keys:
            headline = key.startswith("t:")  # only a proposal: same_post decides
            for post in self.seen_keys.get(key, ()):
                if not headline or self._same(prepared, post):
                    return post
            for number in self.stored_keys.get(key, ()):
                post = self.by_number.get(number)
                if post is not None and (not headline or self._same(prepared, post)):
                    return post
        return None

    def _same(self, prepared: Prepared, post: Post) -> bool:
        old = post.latest.article if post.latest is not None else \
            self.stored_articles.get(post.board_no)  # type: ignore[arg-type]
        return old is not None and same_post(prepared.article, old)

    def _load_stored(self, found: list[StoredPost]) -> None:
        for row in found:
            post = self.by_number.setdefault(
                row.board_no, Post(row.board_no, row.content_hash, row.revision,
                                   row.canonical_url))
            self.stored_urls[row.url] = post
            self.stored_times[row.board_no] = row.published_at
            if row.canonical_url:
                self.stored_urls[row.canonical_url] = post

    def _stored_by_url(self, batch: Sequence[Prepared]) -> None:
        urls = list({u for p in batch for u in (p.url, p.canonical_url) if u})
        self._load_stored(self.lookup.posts_by_url(urls))

    def _stored_by_key(self, batch: Sequence[Prepared]) -> dict[str, list[int]]:
        """Stored posts under the keys of the articles whose URLs are not stored."""
        keys = list({k for p in batch if p.url not in self.stored_urls
                     and p.canonical_url not in self.stored_urls for k in p.keys})
        found: dict[str, list[int]] = {}
        for key, number in self.lookup.numbers_by_key(keys):
            found.setdefault(key, []).append(number)
        numbers = list({n for ns in found.values() for n in ns} - self.by_number.keys())
        self._load_stored(self.lookup.posts_by_number(numbers))
        # a headline key only proposes: same_post compares the stored article's body
        self.stored_articles = self.lookup.articles(self._headline_candidates(batch, found))
        return found

    def _headline_candidates(self, batch: Sequence[Prepared], found: dict[str, list[int]]
                             ) -> list[int]:
        """The stored posts under a headline key that ``same_post`` could accept for an
        article of the batch with that key: published within the update gap of it. A
        headline that recurs ("[표] 외국인 순매수 상위 종목", "[오늘의 운세]") names more stored
        posts every day; only the recent ones are read in full."""
        named = {key for key in found if key.startswith("t:")}
        if not named:  # the usual batch: no stored post shares a headline with it
            return []
        times: dict[str, list[datetime | None]] = {}
        for prepared in batch:
            for key in named.intersection(prepared.keys):
                times.setdefault(key, []).append(prepared.published_at)
        return list({n for key, published in times.items() for n in found[key]
                     if any(within_update_gap(t, self.stored_times.get(n)) for t in published)})
