"""Collection: sources → feeds → pages → extraction → store (see docs/architecture.md)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence
from urllib.parse import urlsplit

import httpx
from sqlalchemy.exc import IntegrityError

from ranknews.config import Settings
from ranknews.dates import DEFAULT_WINDOW, DateWindow
from ranknews.errors import ExtractionError, FetchError, InvalidArticle
from ranknews.extract.rules import ExtractionRule
from ranknews.extract.subtitles import drop_subtitle_echo
from ranknews.fetch.feeds import FeedItem, parse_feed
from ranknews.fetch.fetcher import Fetched, Fetcher, FetchPolicy
from ranknews.fetch.schedule import (
    Bounds,
    after_deferral,
    after_failure,
    after_success,
    updated_yield,
)
from ranknews.limits import LIMITS, check_article, clean_article
from ranknews.logs import log_event
from ranknews.metrics import CrawlMetrics
from ranknews.models import Article
from ranknews.pipeline.importing import is_operational
from ranknews.pipeline.saving import save_articles
from ranknews.sanitize import safe_url
from ranknews.sources.config import load_sources, rules_by_domain
from ranknews.sources.source import Source, SourceUpdate
from ranknews.store import Database
from ranknews.store.collect import (
    claim_due_sources,
    due_sources,
    hold_host,
    known_urls,
    leave_host,
    log_item_errors,
    next_due_at,
    prune_fetch_log,
    record_crawl,
    release_sources,
    renew_sources,
    sync_sources,
    take_host,
)
from ranknews.store.prepare import SaveResult

# --- Collection: feeds → pages → extraction → store -------------------------------------
#
# 1. ``crawl`` syncs the sources file into the sources table and picks the due sources;
# 2. ``collect`` fetches each source's feed (conditional GET), parses its items, skips the
#    ones already stored, fetches each new page, extracts an Article and merges in what the
#    feed knew (section, time, headline tags);
# 3. articles are saved in small batches, each its own transaction; only after that is the
#    source's state (ETag, last success, next fetch) written. A crawl killed at any moment
#    therefore loses nothing stored and, on restart, re-reads the feed and skips the URLs
#    already stored: no article lost, no duplicate post.

SAVE_EVERY = 5
_TRANSIENT = {"timeout", "connect", "protocol", "rate_limited", "http_error", "deferred"}
_PAGE_TYPES = ("text/html", "application/xhtml", "text/xml", "application/xml", "text/plain")
log = logging.getLogger("ranknews.collect")

Extractor = Callable[..., Article]


def default_extractor() -> Extractor:
    from ranknews.extract import extract_article

    return extract_article


def extraction_rule(rule: dict | None) -> ExtractionRule | None:
    """The sources file's ``[outlet.rules]`` as the extractor's rule."""
    if not rule:
        return None
    remove = rule.get("remove") or ()
    return ExtractionRule(body=rule.get("body") or "",
                          remove=(remove,) if isinstance(remove, str) else tuple(remove))


@dataclass
class ItemError:
    url: str
    kind: str
    reason: str
    status: int | None = None


@dataclass
class SourceReport:
    source: Source
    items: int = 0
    known: int = 0
    saved: SaveResult = field(default_factory=SaveResult)
    item_errors: list[ItemError] = field(default_factory=list)
    error: FetchError | None = None
    not_modified: bool = False
    feed_problem: str | None = None


@dataclass
class CollectReport:
    sources: list[SourceReport] = field(default_factory=list)

    @property
    def inserted(self) -> int:
        return sum(len(r.saved.inserted) for r in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        return [r for r in self.sources if r.error is not None]


@dataclass
class _Context:
    db: Database
    fetcher: Fetcher
    settings: Settings
    extract: Extractor
    rules: dict[str, dict]
    metrics: CrawlMetrics
    bounds: Bounds
    save_lock: asyncio.Lock
    holder: str = ""  # the crawler's name, when its sources are leased to it
    dates: DateWindow = DEFAULT_WINDOW


class DatabaseHosts:
    """Host politeness shared by crawlers in several processes (``fetch.politeness``): each
    request takes its host in ``host_leases``, and leaves it free after the host's delay."""

    def __init__(self, db: Database, holder: str, lease_seconds: float) -> None:
        self.db, self.holder, self.lease = db, holder, timedelta(seconds=lease_seconds)

    def take(self, host: str) -> tuple[float, float] | None:
        now = _now()
        with self.db.write() as conn:
            busy = take_host(conn, host, self.holder, now + self.lease, now)
        if busy is None:
            return None
        free_at, held = busy
        return ((free_at - now).total_seconds(),
                (held - now).total_seconds() if held is not None else 0.0)

    def leave(self, host: str, delay: float) -> None:
        with self.db.write() as conn:
            leave_host(conn, host, self.holder, _now() + timedelta(seconds=delay))

    def hold(self, host: str, seconds: float) -> None:
        with self.db.write() as conn:
            hold_host(conn, host, _now() + timedelta(seconds=seconds))


def make_fetcher(db: Database, client: httpx.AsyncClient, settings: Settings,
                 metrics: CrawlMetrics, holder: str) -> Fetcher:
    """The crawler's fetcher; on PostgreSQL, where crawlers may run on several machines, its
    host politeness is shared with theirs through the database."""
    shared = DatabaseHosts(db, holder, settings.fetch_total_timeout + 30) \
        if db.dialect == "postgresql" else None
    return Fetcher(client, FetchPolicy.from_settings(settings), observe=metrics.observe_fetch,
                   shared=shared)


async def crawl(db: Database, client: httpx.AsyncClient, settings: Settings, *,
                everything: bool = False, fetcher: Fetcher | None = None,
                metrics: CrawlMetrics | None = None, extract: Extractor | None = None,
                holder: str | None = None,
                on_start: Callable[[int], None] | None = None,
                on_source_done: Callable[[SourceReport], None] | None = None) -> CollectReport:
    """One pass over the due sources of the sources file (all enabled ones with everything)
    that no other crawler is fetching. Each of ``fetch_concurrency`` lanes claims one feed at
    a time (leased to this crawler, ``holder``, until its crawl is recorded) and the next when
    it is done: crawlers on several machines share the due feeds between them instead of the
    first one taking them all. A pass visits each feed once."""
    holder = holder or f"crawl:{uuid.uuid4().hex[:12]}"
    outlets = load_sources(settings.sources_file)
    await asyncio.to_thread(sync_sources, db, outlets)
    if on_start:
        with db.read() as conn:
            on_start(len(due_sources(conn, _now(), everything=everything)))
    metrics = metrics or CrawlMetrics()
    ctx = _context(db, settings, rules=rules_by_domain(outlets), metrics=metrics,
                   extract=extract, holder=holder,
                   fetcher=fetcher or make_fetcher(db, client, settings, metrics, holder))
    seen: set[int] = set()  # claimed in this pass
    leased: set[int] = set()  # claimed and not yet recorded
    reports: list[SourceReport] = []

    def claim() -> Source | None:
        until = _now() + timedelta(seconds=settings.crawl_lease_seconds)
        with db.write() as conn:
            due = claim_due_sources(conn, _now(), holder, until, everything=everything,
                                    limit=1, exclude=seen)
        return due[0] if due else None

    async def lane() -> None:
        while (source := await asyncio.to_thread(claim)) is not None:
            seen.add(source.id)
            leased.add(source.id)
            report = await _collect_source(source, ctx)
            leased.discard(source.id)
            reports.append(report)
            if on_source_done:
                on_source_done(report)

    heartbeat = asyncio.create_task(_keep_leased(db, leased, holder, settings))
    try:
        await asyncio.gather(*(lane() for _ in range(max(1, settings.fetch_concurrency))))
    finally:  # stopped midway: what was not recorded goes back to the others now
        heartbeat.cancel()
        await asyncio.to_thread(release_sources, db, list(leased), holder)
    await asyncio.to_thread(prune_fetch_log, db, _now())
    return CollectReport(sorted(reports, key=lambda r: r.source.id))


async def _keep_leased(db: Database, ids: set[int], holder: str, settings: Settings) -> None:
    """Renew the leases of the feeds being fetched while the pass goes on (a feed whose crawl
    is recorded is no longer leased): a crawler that dies loses them within
    ``crawl_lease_seconds``."""
    lease = settings.crawl_lease_seconds
    while True:
        await asyncio.sleep(lease / 3)
        until = _now() + timedelta(seconds=lease)
        try:
            await asyncio.to_thread(renew_sources, db, list(ids), holder, until)
        except Exception:  # noqa: BLE001 - the next beat tries again
            log.exception("renewing feed leases")


def _context(db: Database, settings: Settings, *, rules: dict[str, dict], metrics: CrawlMetrics,
             extract: Extractor | None, fetcher: Fetcher, holder: str) -> _Context:
    return _Context(
        db=db, settings=settings, extract=extract or default_extractor(), rules=rules,
        fetcher=fetcher, metrics=metrics, save_lock=asyncio.Lock(), holder=holder,
        dates=DateWindow.from_settings(settings),
        bounds=Bounds(settings.crawl_min_interval, settings.crawl_max_interval,
                      settings.fetch_max_retry_after))


async def collect(sources: Sequence[Source], db: Database, client: httpx.AsyncClient,
                  settings: Settings, *, rules: dict[str, dict] | None = None,
                  fetcher: Fetcher | None = None, metrics: CrawlMetrics | None = None,
                  extract: Extractor | None = None,
                  on_source_done: Callable[[SourceReport], None] | None = None,
                  holder: str = "") -> CollectReport:
    """Fetch → extract → store for the given ``sources`` (not leased: the caller chose them);
    different hosts are crawled in parallel."""
    metrics = metrics or CrawlMetrics()
    ctx = _context(db, settings, rules=rules or {}, metrics=metrics, extract=extract,
                   holder=holder, fetcher=fetcher or Fetcher(
                       client, FetchPolicy.from_settings(settings),
                       observe=metrics.observe_fetch))
    limit = asyncio.Semaphore(max(1, settings.fetch_concurrency))

    async def one(source: Source) -> SourceReport:
        async with limit:
            report = await _collect_source(source, ctx)
        if on_source_done:
            on_source_done(report)
        return report

    reports = await asyncio.gather(*(one(s) for s in sources))
    await asyncio.to_thread(prune_fetch_log, db, _now())
    return CollectReport(list(reports))


async def _collect_source(source: Source, ctx: _Context) -> SourceReport:
    report = SourceReport(source)
    started = _now()
    try:
        fetched = await ctx.fetcher.get(source.feed_url, etag=source.etag,
                                        last_modified=source.last_modified)
        # parsed in a worker thread: a 10,000-item feed must not stall the event loop
        # that also serves the website under 'ranknews run'
        feed = None if fetched.not_modified else await asyncio.to_thread(
            parse_feed, fetched.content, url=fetched.url, content_type=fetched.content_type,
            limit=ctx.settings.crawl_max_items, dates=ctx.dates)
    except FetchError as exc:
        report.error = exc
        await (_record_deferral if exc.kind == "deferred" else _record_failure)(
            source, exc, started, ctx)
        return report
    report.not_modified = feed is None
    if feed is not None:
        report.feed_problem = feed.problem
        if feed.problem:
            ctx.metrics.feed_problems.inc()
            log_event(log, "feed_malformed", level=logging.WARNING, source=source.id,
                      url=source.feed_url, reason=feed.problem, items=len(feed.items))
        await _collect_items(source, feed.items, ctx, report)
    await _record_success(source, fetched, report, started, ctx)
    return report


async def _collect_items(source: Source, items: list[FeedItem], ctx: _Context,
                         report: SourceReport) -> None:
    report.items = len(items)
    with ctx.db.read() as conn:
        known = known_urls(conn, [i.url for i in items])
    report.known = len(known)
    pending: list[Article] = []
    # Oldest first, so that the newest article of the feed gets the highest board number.
    for item in reversed([i for i in items if i.url not in known]):
        article = await _article(item, source, ctx, report)
        if article is not None:
            pending.append(article)
        if len(pending) >= SAVE_EVERY:
            await _save(pending, ctx, report)
            pending = []
    await _save(pending, ctx, report)
    if report.item_errors:
        failures = [(e.url, e.kind, e.status, e.reason) for e in report.item_errors]
        await asyncio.to_thread(log_item_errors, ctx.db, source.id, _now(), failures)


async def _article(item: FeedItem, source: Source, ctx: _Context,
                   report: SourceReport) -> Article | None:
    """The item's page as an Article, or None with the reason kept in the report."""
    try:
        page = await ctx.fetcher.get(item.url)
        _check_page_type(page)
        started = time.perf_counter()
        # decoding and extraction off the event loop (a worker thread)
        article = await asyncio.to_thread(
            lambda: ctx.extract(page.text(), page.url, outlet=source.outlet, dates=ctx.dates,
                                rules=extraction_rule(ctx.rules.get(source.domain))))
        ctx.metrics.extract_seconds.observe(time.perf_counter() - started)
    except FetchError as exc:
        _item_failed(report, ctx, item.url, exc.kind, str(exc), exc.status)
        return None
    except ExtractionError as exc:  # e.g. NoArticleFound: a list or error page, not a post
        _item_failed(report, ctx, item.url, "extract", str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - a hostile page must not stop the crawl
        _item_failed(report, ctx, item.url, "extract", f"{exc.__class__.__name__}: {exc}")
        return None
    try:
        return check_article(clean_article(merge_feed_item(
            article, item, source, final_url=page.url, now=_now())))
    except InvalidArticle as exc:  # a field past its limit (limits.py)
        _item_failed(report, ctx, item.url, "invalid", str(exc))
        return None


def merge_feed_item(article: Article, item: FeedItem, source: Source, *, final_url: str,
                    now: datetime) -> Article:
    """The extracted article completed by what the feed and the source know."""
    canonical = _usable_canonical(article.canonical_url) or (
        final_url if final_url != item.url else None)
    return replace(
        article, url=item.url, canonical_url=canonical, outlet=source.outlet,
        outlet_domain=source.domain, title=article.title or item.title,
        tags=tuple(dict.fromkeys((*item.tags, *article.tags))),
        section=source.section or item.category or article.section,
        published_at=article.published_at or item.published_at,
        authors=article.authors or item.authors,
        summary=(article.summary or item.summary)[:LIMITS["summary"]],
        blocks=drop_subtitle_echo(article.blocks, article.subtitles),
        collected_at=now, extra={**article.extra, "feed_url": source.feed_url,
                                 **_refused_dates(article, item)})


def _refused_dates(article: Article, item: FeedItem) -> dict[str, list[str]]:
    """The dates of page and feed that were outside the window, kept with the post."""
    refused = [*article.extra.get("dates_refused", ()),
               *([f"피드: {item.date_refused}"] if item.date_refused else [])]
    return {"dates_refused": refused} if refused else {}


def _usable_canonical(url: str | None) -> str | None:
    # A canonical pointing at the home page would fold every article into one post.
    checked = safe_url(url) if url else None
    if checked is None or urlsplit(checked).path in ("", "/"):
        return None
    return checked


def _check_page_type(page: Fetched) -> None:
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and not kind.startswith(_PAGE_TYPES):
        raise FetchError(f"기사 페이지가 아닙니다 (Content-Type: {kind})", url=page.url,
                         kind="not_html", status=page.status)


def _item_failed(report: SourceReport, ctx: _Context, url: str, kind: str, reason: str,
                 status: int | None = None) -> None:
    report.item_errors.append(ItemError(url, kind, reason, status))
    ctx.metrics.errors.labels(kind).inc()
    log_event(log, "item_failed", level=logging.WARNING, source=report.source.id, url=url,
              kind=kind, reason=reason)


async def _save(batch: list[Article], ctx: _Context, report: SourceReport) -> None:
    if not batch:
        return
    async with ctx.save_lock:  # one writer per process; SQLite allows only one anyway
        try:
            saved = await asyncio.to_thread(save_articles, ctx.db, batch)
        except IntegrityError:
            # Another process stored one of these URLs meanwhile: now it is "existing".
            saved = await asyncio.to_thread(_save_each, batch, ctx, report)
        except Exception as exc:  # noqa: BLE001 - one bad item costs only itself
            if is_operational(exc):
                raise
            saved = await asyncio.to_thread(_save_each, batch, ctx, report)
    report.saved += saved
    for result in ("inserted", "revised", "unchanged"):
        ctx.metrics.articles.labels(result).inc(len(getattr(saved, result)))


def _save_each(batch: list[Article], ctx: _Context, report: SourceReport) -> SaveResult:
    """The articles of a batch that failed, one transaction each: the one at fault is an
    item error, the others are saved."""
    saved = SaveResult()
    for article in batch:
        try:
            saved += save_articles(ctx.db, [article])
        except Exception as exc:  # noqa: BLE001 - the item's fault, or the database's
            if is_operational(exc):
                raise
            _item_failed(report, ctx, article.url, "save",
                         f"저장하지 못했습니다: {exc.__class__.__name__}: {str(exc)[:300]}")
    return saved


async def _record_success(source: Source, fetched: Fetched, report: SourceReport,
                          started: datetime, ctx: _Context) -> None:
    inserted = len(report.saved.inserted)
    recent = updated_yield(source.recent_yield, inserted)
    last = report.item_errors[-1] if report.item_errors else None
    # a feed whose every new item failed gives nothing: that is an error of the source
    # (오류, with the reason), backed off like a failed fetch
    failures = source.failures + 1 if _all_items_failed(report) else 0
    change = SourceUpdate(
        source_id=source.id, url=source.feed_url, fetched_at=started, ok=True,
        next_fetch_at=after_failure(_now(), source.interval, failures, ctx.bounds)
        if failures else after_success(_now(), source.interval, recent, ctx.bounds),
        inserted=inserted, recent_yield=recent, failures=failures, etag=fetched.etag,
        last_modified=fetched.last_modified, not_modified=report.not_modified,
        # A page that failed for a passing reason is retried: re-read the whole feed.
        keep_validators=not any(e.kind in _TRANSIENT for e in report.item_errors),
        feed_problem=report.feed_problem,
        error=(f"기사 {len(report.item_errors)}건 실패, 마지막: {last.reason}" if last else None),
        error_kind=last.kind if last else None, error_url=last.url if last else None,
        error_status=last.status if last else None)
    await asyncio.to_thread(record_crawl, ctx.db, change)
    log_event(log, "source_done", source=source.id, url=source.feed_url,
              not_modified=report.not_modified, items=report.items, known=report.known,
              inserted=inserted, failed=len(report.item_errors))


def _all_items_failed(report: SourceReport) -> bool:
    failed = [e for e in report.item_errors if e.kind != "deferred"]
    return bool(failed) and not report.saved.articles


async def _record_deferral(source: Source, exc: FetchError, started: datetime,
                           ctx: _Context) -> None:
    """The host asked for a pause longer than we wait in place: skip the feed until then,
    without counting a failure of its own."""
    change = SourceUpdate(
        source_id=source.id, url=source.feed_url, fetched_at=started, ok=False,
        next_fetch_at=after_deferral(_now(), exc.retry_after, ctx.bounds),
        failures=source.failures, error_kind="deferred", error_url=exc.url)
    await asyncio.to_thread(record_crawl, ctx.db, change)
    log_event(log, "source_deferred", source=source.id, url=source.feed_url,
              seconds=round(exc.retry_after or 0))


async def _record_failure(source: Source, exc: FetchError, started: datetime,
                          ctx: _Context) -> None:
    failures = source.failures + 1
    ctx.metrics.errors.labels(exc.kind).inc()
    change = SourceUpdate(
        source_id=source.id, url=source.feed_url, fetched_at=started, ok=False,
        next_fetch_at=after_failure(_now(), source.interval, failures, ctx.bounds,
                                    exc.retry_after),
        failures=failures, error=str(exc), error_kind=exc.kind,
        error_url=exc.url or source.feed_url, error_status=exc.status)
    await asyncio.to_thread(record_crawl, ctx.db, change)
    log_event(log, "source_failed", level=logging.WARNING, source=source.id,
              url=exc.url or source.feed_url, kind=exc.kind, reason=str(exc),
              failures=failures)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def crawl_forever(db: Database, client: httpx.AsyncClient, settings: Settings, *,
                        fetcher: Fetcher | None = None, metrics: CrawlMetrics | None = None,
                        stop: asyncio.Event | None = None,
                        on_pass: Callable[[CollectReport], None] | None = None) -> None:
    """Crawl due sources, sleep until the next one is due (at most ``crawl_run_tick``), again.

    One failed pass (a broken sources file, a database hiccup) is logged and retried on the
    next tick: the service outlives it. The same Fetcher is kept between passes, so the
    robots.txt cache and the per-host Retry-After holds carry over.
    """
    metrics = metrics or CrawlMetrics()
    holder = f"crawl:{uuid.uuid4().hex[:12]}"
    fetcher = fetcher or make_fetcher(db, client, settings, metrics, holder)
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            report = await crawl(db, client, settings, fetcher=fetcher, metrics=metrics,
                                 holder=holder)
            if on_pass:
                on_pass(report)
        except Exception as exc:  # noqa: BLE001 - the service must outlive one bad pass
            log_event(log, "crawl_pass_failed", level=logging.ERROR,
                      reason=f"{exc.__class__.__name__}: {exc}")
        try:
            await asyncio.wait_for(stop.wait(), timeout=_until_next(db, settings))
        except TimeoutError:
            pass


def _until_next(db: Database, settings: Settings) -> float:
    try:
        with db.read() as conn:
            due = next_due_at(conn)
    except Exception:  # noqa: BLE001
        due = None
    if due is None:
        return float(settings.crawl_run_tick)
    return min(max((due - _now()).total_seconds(), 1.0), float(settings.crawl_run_tick))


def crawl_worker(db: Database, settings: Settings, stop: threading.Event) -> None:
    """``ranknews worker --only crawl``: crawl on schedule until ``stop``, beside any number
    of other crawlers (each feed leased to one at a time, host politeness shared)."""
    from ranknews.fetch.client import build_client

    async def run() -> None:
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        threading.Thread(target=lambda: (stop.wait(), loop.call_soon_threadsafe(done.set)),
                         daemon=True).start()
        async with build_client(settings) as client:
            await crawl_forever(db, client, settings, stop=done)

    asyncio.run(run())
