"""Queries of collection: sources (one row per feed) and their health, the fetch log, and
which article URLs are already stored. Tables are created by migration 0002_collect."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from ranknews.errors import NotFound
from ranknews.models import OutletConfig, Source, SourceUpdate
from ranknews.store.audit import check_actor, record
from ranknews.store.db import Database
from ranknews.store.driver import as_time, rows, run
from ranknews.store.schema import articles, metadata, outlets
from ranknews.store.types import UTCDateTime

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # never fetched: first in line

sources = Table(
    "sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("outlet", Text, nullable=False),
    Column("domain", String(255), nullable=False),
    Column("feed_url", Text, nullable=False, unique=True),
    Column("section", String(64)),
    Column("origin", String(16), nullable=False, default="config"),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("interval", Integer, nullable=False, default=900),
    Column("etag", Text), Column("last_modified", Text),
    Column("last_fetch_at", UTCDateTime), Column("last_success_at", UTCDateTime),
    Column("last_error_at", UTCDateTime), Column("last_error", Text),
    Column("last_error_kind", String(32)), Column("last_error_url", Text),
    Column("feed_problem", Text),
    Column("failures", Integer, nullable=False, default=0),
    Column("items_collected", Integer, nullable=False, default=0),
    Column("recent_yield", Float),
    Column("next_fetch_at", UTCDateTime),
    Column("lease_holder", String(64)),  # the crawler fetching it now (migration 0004)
    Column("lease_until", UTCDateTime),
    # migration 0005_admin: an interval the operator set (console or CLI); the sources file's
    # interval no longer applies to this feed while it is set
    Column("operator_interval", Integer, nullable=True),
)

# One crawler at a time per host, and the host's next allowed request, shared by every
# crawler process (migration 0004).
host_leases = Table(
    "host_leases", metadata,
    Column("host", String(255), primary_key=True),
    Column("holder", String(64)),
    Column("until", UTCDateTime),
    Column("next_at", UTCDateTime),
    Column("held_until", UTCDateTime),  # a pause the host itself asked for (Retry-After)
)

fetch_log = Table(
    "fetch_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer),
    Column("at", UTCDateTime, nullable=False),
    Column("url", Text, nullable=False),
    Column("kind", String(32), nullable=False),  # ok, not_modified, or a FetchError kind
    Column("status", Integer),
    Column("reason", Text),
    Column("inserted", Integer, nullable=False, default=0),
)

_SOURCE_FIELDS = tuple(f.name for f in fields(Source))
LOG_KEEP_DAYS = 14
MIN_INTERVAL = 60
MAX_INTERVAL = 86400


def _source(row: Any) -> Source:
    m = row._mapping
    return Source(**{name: m[name] for name in _SOURCE_FIELDS})


def sync_sources(db: Database, configured: Iterable[OutletConfig]) -> int:
    """Make the sources table follow the sources file; returns how many feeds were added.

    The file decides outlet, section and interval; whether a feed is enabled is the
    operator's decision once it exists (``ranknews sources disable`` survives a restart).
    """
    added = 0
    with db.write() as conn:
        known = {r.feed_url: r for r in conn.execute(
            select(sources.c.feed_url, sources.c.id, sources.c.operator_interval))}
        for outlet in configured:
            _remember_outlet(conn, outlet.domain, outlet.name, outlet.display_mode)
            for feed in outlet.feeds:
                values = {"outlet": outlet.name, "domain": outlet.domain,
                          "section": feed.section, "interval": outlet.interval}
                if feed.url in known:
                    if known[feed.url].operator_interval is not None:
                        del values["interval"]  # the operator's interval wins over the file's
                    conn.execute(update(sources).where(sources.c.feed_url == feed.url)
                                 .values(**values))
                else:  # another crawler may add it at the same moment: then it exists
                    added += run(conn, (
                        "INSERT INTO sources (outlet, domain, feed_url, section, interval,"
                        " origin, enabled, failures, items_collected) VALUES (:outlet, :domain,"
                        " :feed_url, :section, :interval, 'config', :enabled, 0, 0)"
                        " ON CONFLICT (feed_url) DO NOTHING"),
                        {**values, "feed_url": feed.url, "enabled": outlet.enabled})
    return added


def add_source(db: Database, *, outlet: str, domain: str, feed_url: str, actor: str,
               section: str | None = None, interval: int = 900, reason: str = "") -> Source:
    """A feed the operator adds by hand (kept across restarts, not in the sources file)."""
    actor = check_actor(actor)
    with db.write() as conn:
        if conn.execute(select(sources.c.id).where(sources.c.feed_url == feed_url)).first():
            raise ValueError(f"이미 등록된 피드입니다: {feed_url}")
        _remember_outlet(conn, domain, outlet, None)
        new_id = conn.execute(insert(sources).values(
            outlet=outlet, domain=domain, feed_url=feed_url, section=section, interval=interval,
            origin="operator", enabled=True, failures=0, items_collected=0,
        ).returning(sources.c.id)).scalar_one()
        record(conn, actor=actor, action="source.add", target=f"source:{new_id}", before=None,
               after={"outlet": outlet, "domain": domain, "feed_url": feed_url,
                      "section": section, "interval": interval}, reason=reason)
        return _source(conn.execute(select(sources).where(sources.c.id == new_id)).one())


def set_enabled(db: Database, which: str, enabled: bool, *, actor: str,
                reason: str = "") -> list[Source]:
    """Enable or disable sources by id, feed URL, domain or outlet name. Each source whose
    state changes is recorded in the audit log."""
    condition = or_(sources.c.feed_url == which, sources.c.domain == which,
                    sources.c.outlet == which)
    if which.isdigit():
        condition = sources.c.id == int(which)
    actor = check_actor(actor)
    with db.write() as conn:
        found = [_source(r) for r in conn.execute(select(sources).where(condition))]
        if not found:
            raise NotFound(f"소스를 찾을 수 없습니다: {which} "
                           "(번호, 피드 주소, 도메인 또는 언론사 이름)")
        changing = [s.id for s in found if s.enabled != enabled]
        if changing:
            conn.execute(update(sources).where(sources.c.id.in_(changing)).values(
                enabled=enabled, **({"failures": 0, "next_fetch_at": None} if enabled else {})))
        for source_id in changing:
            record(conn, actor=actor, action="source.enable" if enabled else "source.disable",
                   target=f"source:{source_id}", before={"enabled": not enabled},
                   after={"enabled": enabled}, reason=reason)
        return [_source(r) for r in conn.execute(select(sources).where(condition))]


def set_interval(db: Database, source_id: int, interval: int | None, *, actor: str,
                 reason: str = "") -> Source:
    """The operator's crawl interval in seconds for one feed (None: the sources file's again).
    The next fetch is scheduled from it after the next crawl."""
    if interval is not None and not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise ValueError(f"수집 주기는 {MIN_INTERVAL}초에서 {MAX_INTERVAL}초 사이여야 합니다.")
    actor = check_actor(actor)
    with db.write() as conn:
        row = conn.execute(select(sources).where(sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"소스를 찾을 수 없습니다: {source_id}")
        before = {"interval": row.interval, "operator_interval": row.operator_interval}
        values: dict[str, Any] = {"operator_interval": interval}
        if interval is not None:
            values["interval"] = interval
        if before["operator_interval"] == interval:
            return _source(row)
        conn.execute(update(sources).where(sources.c.id == source_id).values(**values))
        record(conn, actor=actor, action="source.interval", target=f"source:{source_id}",
               before=before, after={"interval": values.get("interval", row.interval),
                                     "operator_interval": interval}, reason=reason)
        return _source(conn.execute(select(sources).where(sources.c.id == source_id)).one())


def feed_known(conn: Connection, feed_url: str) -> bool:
    return conn.execute(select(sources.c.id).where(sources.c.feed_url == feed_url)).first() \
        is not None


def list_sources(conn: Connection) -> list[Source]:
    query = select(sources).order_by(sources.c.outlet, sources.c.id)
    return [_source(r) for r in conn.execute(query)]


def due_sources(conn: Connection, now: datetime, *, everything: bool = False) -> list[Source]:
    """Enabled sources whose next fetch time has come (all enabled ones with ``everything``)."""
    query = select(sources).where(sources.c.enabled.is_(True))
    if not everything:
        query = query.where(or_(sources.c.next_fetch_at.is_(None),
                                sources.c.next_fetch_at <= now))
    return [_source(r) for r in conn.execute(query.order_by(sources.c.next_fetch_at,
                                                            sources.c.id))]


def claim_due_sources(conn: Connection, now: datetime, holder: str, until: datetime, *,
                      everything: bool = False, limit: int | None = None,
                      exclude: Iterable[int] = ()) -> list[Source]:
    """``due_sources`` that nobody is fetching (no live lease, not even ``holder``'s own: two
    lanes of one crawler never take the same feed) and not in ``exclude``, at most ``limit``
    of them, leased to ``holder`` until ``until`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL):
    two crawlers never fetch one feed at once, and a crawler that dies loses its feeds when
    the lease runs out."""
    due = "" if everything else " AND (next_fetch_at IS NULL OR next_fetch_at <= :now)"
    lock = " FOR UPDATE SKIP LOCKED" if conn.dialect.name == "postgresql" else ""
    most = "" if limit is None else " LIMIT :limit"
    claimed = [n for (n,) in rows(conn, (
        "UPDATE sources SET lease_holder = :holder, lease_until = :until WHERE id IN"
        " (SELECT id FROM sources WHERE enabled = :yes AND (lease_until IS NULL"
        " OR lease_until < :now) AND NOT (id = ANY(:exclude))"
        + due + " ORDER BY coalesce(next_fetch_at, :epoch), id" + most + lock
        + ") RETURNING id"),
        {"holder": holder, "until": until, "now": now, "yes": True, "limit": limit,
         "exclude": sorted(exclude), "epoch": _EPOCH})]
    if not claimed:
        return []
    query = select(sources).where(sources.c.id.in_(claimed)).order_by(
        sources.c.next_fetch_at, sources.c.id)
    return [_source(r) for r in conn.execute(query)]


def release_sources(db: Database, ids: Iterable[int], holder: str) -> None:
    """Give back feeds a crawler claimed but did not fetch (it stopped)."""
    with db.write() as conn:
        run(conn, "UPDATE sources SET lease_holder = NULL, lease_until = NULL"
                  " WHERE id = ANY(:ids) AND lease_holder = :holder",
            {"ids": list(ids), "holder": holder})


def renew_sources(db: Database, ids: Iterable[int], holder: str, until: datetime) -> None:
    """Keep the feeds a crawler is still fetching leased to it (its heartbeat)."""
    with db.write() as conn:
        run(conn, "UPDATE sources SET lease_until = :until WHERE id = ANY(:ids)"
                  " AND lease_holder = :holder", {"ids": list(ids), "holder": holder,
                                                   "until": until})


def take_host(conn: Connection, host: str, holder: str, until: datetime,
              now: datetime) -> tuple[datetime, datetime | None] | None:
    """Take the host for one request: None when taken, else when to try again (another
    crawler has it, or its next allowed request is later) and until when the host itself
    asked to be left alone (a Retry-After, else None)."""
    run(conn, "INSERT INTO host_leases (host) VALUES (:host) ON CONFLICT (host) DO NOTHING",
        {"host": host})
    if run(conn, "UPDATE host_leases SET holder = :holder, until = :until WHERE host = :host"
                 " AND (holder IS NULL OR until < :now) AND (next_at IS NULL OR next_at <= :now)",
           {"host": host, "holder": holder, "until": until, "now": now}) == 1:
        return None
    until_free, next_at, held = rows(
        conn, "SELECT until, next_at, held_until FROM host_leases WHERE host = :host",
        {"host": host})[0]
    held = as_time(held)
    return (max(as_time(t) or now for t in (until_free, next_at)),
            held if held is not None and held > now else None)


def leave_host(conn: Connection, host: str, holder: str, next_at: datetime) -> None:
    """The request is done: the host is free from ``next_at`` (its delay, a Retry-After)."""
    run(conn, "UPDATE host_leases SET holder = NULL, until = NULL,"
              " next_at = CASE WHEN next_at > :next_at THEN next_at ELSE :next_at END"
              " WHERE host = :host AND holder = :holder",
        {"host": host, "holder": holder, "next_at": next_at})


def hold_host(conn: Connection, host: str, until: datetime) -> None:
    """No crawler may request ``host`` before ``until`` (it asked us to slow down)."""
    run(conn, "INSERT INTO host_leases (host, next_at, held_until) VALUES (:host, :until, :until)"
              " ON CONFLICT (host) DO UPDATE SET next_at = CASE WHEN host_leases.next_at"
              " > excluded.next_at THEN host_leases.next_at ELSE excluded.next_at END,"
              " held_until = CASE WHEN host_leases.held_until > excluded.held_until"
              " THEN host_leases.held_until ELSE excluded.held_until END",
        {"host": host, "until": until})


def next_due_at(conn: Connection) -> datetime | None:
    query = select(sources.c.next_fetch_at).where(sources.c.enabled.is_(True)).order_by(
        sources.c.next_fetch_at.is_not(None), sources.c.next_fetch_at).limit(1)
    row = conn.execute(query).first()
    if row is None:
        return None
    return row[0] or datetime.now(timezone.utc)


def record_crawl(db: Database, change: SourceUpdate) -> None:
    """Apply what one crawl learnt about a source, and log it, in one transaction."""
    values: dict[str, Any] = {"last_fetch_at": change.fetched_at,
                              "next_fetch_at": change.next_fetch_at,
                              "failures": change.failures,
                              "lease_holder": None, "lease_until": None}
    if change.ok:
        values.update(last_success_at=change.fetched_at, recent_yield=change.recent_yield,
                      items_collected=sources.c.items_collected + change.inserted)
        if not change.not_modified:
            values["feed_problem"] = change.feed_problem
        if change.keep_validators and not change.not_modified:
            values.update(etag=change.etag, last_modified=change.last_modified)
    if change.error:
        values.update(last_error_at=change.fetched_at, last_error=change.error,
                      last_error_kind=change.error_kind, last_error_url=change.error_url)
    with db.write() as conn:
        conn.execute(update(sources).where(sources.c.id == change.source_id).values(**values))
        conn.execute(insert(fetch_log).values(
            source_id=change.source_id, at=change.fetched_at,
            url=change.error_url if (change.error and not change.ok) else change.url,
            kind="not_modified" if change.not_modified else
            ("ok" if change.ok else change.error_kind or "error"),
            status=change.error_status, reason=change.error, inserted=change.inserted))


def log_item_errors(db: Database, source_id: int, at: datetime,
                    errors: list[tuple[str, str, int | None, str]]) -> None:
    """Errors of single items (url, kind, status, reason): a 404 page, a failed extraction."""
    if not errors:
        return
    with db.write() as conn:
        conn.execute(insert(fetch_log), [
            {"source_id": source_id, "at": at, "url": url, "kind": kind, "status": status,
             "reason": reason, "inserted": 0} for url, kind, status, reason in errors])


def prune_fetch_log(db: Database, now: datetime, keep_days: int = LOG_KEEP_DAYS) -> int:
    with db.write() as conn:
        return conn.execute(delete(fetch_log).where(
            fetch_log.c.at < now - timedelta(days=keep_days))).rowcount


def recent_log(conn: Connection, source_id: int | None = None, limit: int = 50) -> list[dict]:
    query = select(fetch_log).order_by(fetch_log.c.id.desc()).limit(limit)
    if source_id is not None:
        query = query.where(fetch_log.c.source_id == source_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def failures_by_kind(conn: Connection, since: datetime) -> dict[str, int]:
    """Failed fetches and items since ``since``, by kind (timeout, blocked, save, …)."""
    query = (select(fetch_log.c.kind, func.count()).where(fetch_log.c.at >= since)
             .where(fetch_log.c.kind.not_in(("ok", "not_modified")))
             .group_by(fetch_log.c.kind))
    return {kind: count for kind, count in conn.execute(query)}


def known_urls(conn: Connection, urls: Iterable[str]) -> set[str]:
    """The URLs among ``urls`` that are already a post (by URL or canonical URL)."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        chunk = wanted[start:start + 400]
        query = select(articles.c.url, articles.c.canonical_url).where(
            or_(articles.c.url.in_(chunk), articles.c.canonical_url.in_(chunk)))
        for url, canonical in conn.execute(query):
            found.update(u for u in (url, canonical) if u in chunk)
    return found


def _remember_outlet(conn: Connection, domain: str, name: str, mode: str | None) -> None:
    row = conn.execute(select(outlets.c.display_mode).where(outlets.c.domain == domain)).first()
    if row is None:  # another crawler may add it at the same moment: then it exists
        run(conn, "INSERT INTO outlets (domain, name, display_mode) VALUES (:domain, :name,"
                  " :mode) ON CONFLICT (domain) DO NOTHING",
            {"domain": domain, "name": name, "mode": mode})
    elif row.display_mode is None and mode is not None:
        conn.execute(update(outlets).where(outlets.c.domain == domain)
                     .values(display_mode=mode))


def sources_overview(conn: Connection) -> dict[str, Any]:
    """What /sources and /sources.json show: every source with its health, and totals."""
    rows = list_sources(conn)
    health: dict[str, int] = {}
    for source in rows:
        health[source.health] = health.get(source.health, 0) + 1
    return {"sources": rows, "health": health,
            "items_collected": sum(s.items_collected for s in rows)}
