"""The audit log: every change an operator makes, from the console or the CLI, as one row
(who, when, what, before and after, why). Rows are only ever added: nothing in ranknews
updates or deletes them, and the web has no route that could.

The store's write functions that change what readers see or who may change it (hide and
unhide, display mode, adding, enabling and disabling sources, their interval, story merge and
split, user changes) call ``record`` in their own transaction, with the actor passed in by
the caller: the console passes ``user:<name>``, the CLI ``cli:<os user>``. A change is then
recorded exactly once, whichever way it came, and only if it was made.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from sqlalchemy import JSON, Column, Connection, Index, Integer, String, Table, Text, insert, select

from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("reason", Text, nullable=False),
)
Index("ix_audit_log_at", audit_log.c.at)

# What each action means, in the operator's words (the console shows these).
ACTIONS = {
    "post.hide": "게시 중단", "post.unhide": "게시 재개",
    "outlet.display_mode": "표시 방식 변경",
    "source.add": "소스 추가", "source.enable": "수집 재개", "source.disable": "수집 중지",
    "source.interval": "수집 주기 변경",
    "story.merge": "이야기 병합", "story.split": "이야기 분리",
    "user.add": "계정 추가", "user.enable": "계정 사용", "user.disable": "계정 중지",
    "user.password": "비밀번호 변경", "user.role": "역할 변경",
}


def cli_actor() -> str:
    """The actor of a change made from the command line: ``cli:<os user>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        name = "unknown"
    return f"cli:{name}"


def check_actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("변경한 사람(actor)이 필요합니다.")
    return actor.strip()[:200]


def record(conn: Connection, *, actor: str, action: str, target: str,
           before: Any = None, after: Any = None, reason: str = "",
           now: datetime | None = None) -> None:
    """Add one row, in the caller's transaction (so it exists exactly when the change does)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(audit_log).values(
        at=now or datetime.now(timezone.utc), actor=check_actor(actor), action=action,
        target=target, before=before, after=after, reason=reason or ""))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor,
                "action": self.action, "target": self.target, "before": self.before,
                "after": self.after, "reason": self.reason}


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.action, row.target, row.before,
                      row.after, row.reason)


def entries(conn: Connection, *, before_id: int | None = None, limit: int = 50,
            action: str | None = None, actor: str | None = None) -> list[AuditEntry]:
    """Newest first; ``before_id`` pages back (a keyset cursor, no OFFSET)."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    if action:
        query = query.where(audit_log.c.action == action)
    if actor:
        query = query.where(audit_log.c.actor == actor)
    return [_entry(r) for r in conn.execute(query)]


def export(conn: Connection, *, since: datetime | None = None,
           batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry, oldest first (from ``since``), read in batches."""
    last = 0
    while True:
        query = (select(audit_log).where(audit_log.c.id > last)
                 .order_by(audit_log.c.id).limit(batch))
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        rows = [_entry(r) for r in conn.execute(query)]
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id
