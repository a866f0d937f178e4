"""Queries of the operator's console: crawl health for the dashboard, posts by the hour and
day, extraction failures and latest errors, and finding posts for takedowns (hidden ones
included, which no reader query ever returns)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from ranknews.store.collect import fetch_log, sources
from ranknews.store.schema import articles, moderation_log

# Kinds of fetch_log rows that are an item's page failing after its feed was read.
EXTRACTION_KINDS = ("extract", "not_html")
RECENT_WINDOW = 200_000  # posts counted back from the newest: bounds the count's cost


def posts_since(conn: Connection, since: datetime) -> int:
    """Posts collected since ``since``, counted among the newest RECENT_WINDOW board
    numbers (a primary-key range; there is no index on collected_at, and import keeps its
    speed without one). A board number is given on insert, so the newest posts are the
    highest numbers."""
    top = conn.execute(select(func.max(articles.c.board_no))).scalar()
    if top is None:
        return 0
    return int(conn.execute(select(func.count()).select_from(articles).where(
        articles.c.board_no > top - RECENT_WINDOW,
        articles.c.collected_at >= since)).scalar() or 0)


def fetch_failures(conn: Connection, since: datetime) -> dict[str, int]:
    """Failed fetches since ``since`` by kind (extraction failures are among them)."""
    query = (select(fetch_log.c.kind, func.count()).where(
        fetch_log.c.at >= since, fetch_log.c.kind.not_in(("ok", "not_modified")))
        .group_by(fetch_log.c.kind))
    return {kind: int(count) for kind, count in conn.execute(query)}


def latest_errors(conn: Connection, limit: int = 20) -> list[dict[str, Any]]:
    query = (select(fetch_log, sources.c.outlet)
             .outerjoin(sources, sources.c.id == fetch_log.c.source_id)
             .where(fetch_log.c.kind.not_in(("ok", "not_modified")))
             .order_by(fetch_log.c.id.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


def find_posts(conn: Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Posts by number, by URL (the post's or its canonical one) or by words of the title,
    newest first; hidden posts too."""
    query = query.strip()
    columns = (articles.c.board_no, articles.c.title, articles.c.outlet, articles.c.url,
               articles.c.published_at, articles.c.collected_at, articles.c.hidden_at,
               articles.c.hidden_reason)
    if query.isdigit() and len(query) <= 15:
        condition = articles.c.board_no == int(query)
    elif query.startswith(("http://", "https://")):
        condition = or_(articles.c.url == query, articles.c.canonical_url == query)
    else:
        words = [w for w in query.split() if w][:5]
        if not words:
            return []
        condition = and_(*(articles.c.title.like(f"%{_escape_like(w)}%", escape="\\")
                           for w in words))
    rows = conn.execute(select(*columns).where(condition)
                        .order_by(articles.c.board_no.desc()).limit(limit))
    return [dict(r) for r in rows.mappings()]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def hidden_posts(conn: Connection, *, limit: int = 50,
                 before: int | None = None) -> list[dict[str, Any]]:
    """Posts taken down, latest takedown first, with who hid them, when and why."""
    latest = (select(moderation_log.c.board_no, func.max(moderation_log.c.id).label("log_id"))
              .where(moderation_log.c.action == "hide")
              .group_by(moderation_log.c.board_no).subquery())
    query = (select(articles.c.board_no, articles.c.title, articles.c.outlet, articles.c.url,
                    articles.c.hidden_at, articles.c.hidden_reason, moderation_log.c.actor)
             .select_from(articles)
             .outerjoin(latest, latest.c.board_no == articles.c.board_no)
             .outerjoin(moderation_log, moderation_log.c.id == latest.c.log_id)
             .where(articles.c.hidden_at.is_not(None))
             .order_by(articles.c.hidden_at.desc(), articles.c.board_no.desc()).limit(limit))
    if before is not None:
        query = query.where(articles.c.board_no < before)
    return [dict(r) for r in conn.execute(query).mappings()]


def moderation_history(conn: Connection, board_no: int) -> list[dict[str, Any]]:
    query = (select(moderation_log).where(moderation_log.c.board_no == board_no)
             .order_by(moderation_log.c.id.desc()))
    return [dict(r) for r in conn.execute(query).mappings()]


def day_ago(now: datetime) -> datetime:
    return now - timedelta(days=1)


def story_posts(conn: Connection, story_id: int) -> list[dict[str, Any]]:
    """Every post of a story (hidden ones too, marked), oldest first; [] when none."""
    from ranknews.store.stories import story_members

    when = func.coalesce(articles.c.published_at, articles.c.collected_at)
    query = (select(articles.c.board_no, articles.c.title, articles.c.outlet,
                    articles.c.hidden_at, when.label("time"))
             .join(story_members, story_members.c.board_no == articles.c.board_no)
             .where(story_members.c.story_id == story_id)
             .order_by(when, articles.c.board_no))
    return [dict(r) for r in conn.execute(query).mappings()]
