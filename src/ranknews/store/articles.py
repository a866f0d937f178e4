"""Posts: reading them back, revisions, takedowns, outlet display modes.

Saving (board numbers, revisions on change) is ``store/posts.py``, driven by
``pipeline.saving``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from sqlalchemy import Connection, insert, or_, select, update

from ranknews.errors import NotFound
from ranknews.models import Article, block_from_dict
from ranknews.store.audit import check_actor, record
from ranknews.store.db import Database, bump_board_version
from ranknews.store.driver import rows
from ranknews.store.schema import article_revisions, articles, moderation_log, outlets


def row_to_article(row: Any) -> Article:
    m = row._mapping if hasattr(row, "_mapping") else row
    return Article(
        url=m["url"],
        canonical_url=m["canonical_url"],
        outlet=m["outlet"],
        outlet_domain=m["outlet_domain"],
        title=m["title"],
        tags=tuple(m["tags"] or ()),
        subtitles=tuple(m["subtitles"] or ()),
        authors=tuple(m["authors"] or ()),
        summary=m["summary"] or "",
        section=m["section"],
        blocks=tuple(block_from_dict(b) for b in m["blocks"] or ()),
        published_at=m["published_at"],
        updated_at=m["updated_at"],
        collected_at=m["collected_at"],
        board_no=m["board_no"],
        extra=dict(m["extra"] or {}),
    )


def get_article(conn: Connection, board_no: int, *, include_hidden: bool = False) -> Article:
    """The post with this number; NotFound when there is none or it was taken down."""
    query = select(articles).where(articles.c.board_no == board_no)
    if not include_hidden:
        query = query.where(articles.c.hidden_at.is_(None))
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"{board_no}번 글이 없습니다.")
    return row_to_article(row)


def posts_with_hash(conn: Connection, board_nos: Sequence[int]) -> list[tuple[Article, str]]:
    """Posts (hidden ones too) with the content hash of their current version, by number."""
    found = []
    for start in range(0, len(board_nos), 500):
        query = (select(articles)
                 .where(articles.c.board_no.in_(list(board_nos[start:start + 500])))
                 .order_by(articles.c.board_no))
        found += [(row_to_article(r), r.content_hash) for r in conn.execute(query)]
    return found


def content_hashes(conn: Connection, board_nos: Sequence[int]) -> dict[int, str]:
    """The content hash of each post's current version."""
    return dict(rows(conn, "SELECT board_no, content_hash FROM articles"
                           " WHERE board_no = ANY(:numbers)", {"numbers": list(board_nos)}))


def revisions(conn: Connection, board_no: int) -> list[dict[str, Any]]:
    query = (select(article_revisions).where(article_revisions.c.board_no == board_no)
             .order_by(article_revisions.c.revision))
    return [dict(r) for r in conn.execute(query).mappings()]


def hide(db: Database, board_no: int, reason: str, *, actor: str,
         now: datetime | None = None) -> None:
    """Take a post down: it leaves the board, pages and feeds; the reason is kept, and who
    did it (``actor``) in the moderation and audit logs."""
    _moderate(db, board_no, "hide", reason, now, hidden=True, actor=actor)


def unhide(db: Database, board_no: int, reason: str, *, actor: str,
           now: datetime | None = None) -> None:
    _moderate(db, board_no, "unhide", reason, now, hidden=False, actor=actor)


MAX_REASON_CHARS = 1000


def check_reason(reason: str) -> str:
    """A takedown reason: required, at most MAX_REASON_CHARS characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("사유(reason)를 적어야 합니다.")
    if len(reason) > MAX_REASON_CHARS:
        raise ValueError(f"사유가 너무 깁니다: {len(reason):,}자 (최대 {MAX_REASON_CHARS:,}자).")
    return reason


def _moderate(db: Database, board_no: int, action: str, reason: str,
              now: datetime | None, *, hidden: bool, actor: str) -> None:
    reason = check_reason(reason)
    actor = check_actor(actor)
    now = now or datetime.now(timezone.utc)
    with db.write() as conn:
        row = conn.execute(select(articles.c.hidden_at, articles.c.hidden_reason)
                           .where(articles.c.board_no == board_no)).first()
        if row is None:
            raise NotFound(f"{board_no}번 글이 없습니다.")
        if (row.hidden_at is not None) == hidden:
            raise ValueError(f"{board_no}번 글은 이미 "
                             f"{'게시 중단' if hidden else '게시'} 상태입니다.")
        conn.execute(update(articles).where(articles.c.board_no == board_no).values(
            hidden_at=now if hidden else None, hidden_reason=reason if hidden else None))
        conn.execute(insert(moderation_log).values(board_no=board_no, action=action,
                                                   reason=reason, at=now, actor=actor))
        record(conn, actor=actor, action=f"post.{action}", target=f"post:{board_no}",
               before={"hidden": row.hidden_at is not None, "reason": row.hidden_reason},
               after={"hidden": hidden, "reason": reason if hidden else None},
               reason=reason, now=now)
        bump_board_version(conn)


def outlet_domains(db: Database, which: str) -> list[str]:
    """The domains of the outlet named ``which``, or ``which`` itself when it is a domain
    (as ``sources disable`` finds a source by its domain or its outlet's name)."""
    with db.read() as conn:
        found = [r.domain for r in conn.execute(
            select(outlets.c.domain).where(or_(outlets.c.domain == which,
                                               outlets.c.name == which))
            .order_by(outlets.c.domain))]
    if not found:
        raise NotFound(f"언론사를 찾을 수 없습니다: {which} (도메인 또는 언론사 이름)")
    return found


def set_display_mode(db: Database, domain: str, mode: str | None, *, actor: str,
                     reason: str = "") -> None:
    """Full text or excerpt-plus-link for one outlet (None: the site default)."""
    if mode not in (None, "full", "excerpt"):
        raise ValueError("표시 방식은 full 또는 excerpt 입니다.")
    actor = check_actor(actor)
    with db.write() as conn:
        row = conn.execute(select(outlets.c.display_mode)
                           .where(outlets.c.domain == domain)).first()
        if row is None:
            raise NotFound(f"언론사 {domain}을(를) 찾을 수 없습니다.")
        if row.display_mode == mode:
            return  # nothing changes, nothing to record
        conn.execute(update(outlets).where(outlets.c.domain == domain)
                     .values(display_mode=mode))
        record(conn, actor=actor, action="outlet.display_mode", target=f"outlet:{domain}",
               before={"display_mode": row.display_mode}, after={"display_mode": mode},
               reason=reason)
        bump_board_version(conn)
