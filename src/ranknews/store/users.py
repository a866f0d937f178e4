"""Operator accounts, their server-side sessions and login attempts (migration 0005_admin).

Rows only: hashing passwords and deciding whether a login may proceed live in
``ranknews.accounts``. A session row is keyed by the SHA-256 of the token in the browser's
cookie, so the table alone cannot be used to log in. Every change to an account is recorded
in the audit log with the actor passed in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from ranknews.errors import NotFound
from ranknews.store.audit import check_actor, record
from ranknews.store.db import Database
from ranknews.store.schema import metadata
from ranknews.store.types import UTCDateTime

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=True),
)

admin_sessions = Table(
    "admin_sessions", metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("address", String(64), nullable=False),
    Column("user_agent", Text, nullable=False),
    Column("flash", Text, nullable=True),
)
Index("ix_admin_sessions_user", admin_sessions.c.user_id)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("outcome", String(32), nullable=False),  # ok, bad_password, unknown, disabled, limited
)
Index("ix_login_attempts_name_at", login_attempts.c.name, login_attempts.c.at)
Index("ix_login_attempts_address_at", login_attempts.c.address, login_attempts.c.at)

ROLES = ("admin", "editor")
ROLE_NAMES = {"admin": "관리자", "editor": "편집자"}


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    password_changed_at: datetime
    last_login_at: datetime | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # the stored hash, never the cookie's token
    user: User
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    flash: str | None


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, bool(row.active), row.created_at,
                row.password_changed_at, row.last_login_at)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


# --- accounts ---------------------------------------------------------------------------

def find_user(conn: Connection, name: str) -> tuple[User, str] | None:
    """The account and its password hash, or None."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return (_user(row), row.password_hash) if row is not None else None


def get_user(conn: Connection, name: str) -> User:
    found = find_user(conn, name)
    if found is None:
        raise NotFound(f"계정이 없습니다: {name}")
    return found[0]


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]


def count_admins(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users).where(
        users.c.role == "admin", users.c.active.is_(True))).scalar() or 0)


def insert_user(db: Database, name: str, role: str, password_hash: str, *, actor: str,
                now: datetime | None = None) -> User:
    actor = check_actor(actor)
    now = now or datetime.now(timezone.utc)
    with db.write() as conn:
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise ValueError(f"이미 있는 계정 이름입니다: {name}")
        new_id = conn.execute(insert(users).values(
            name=name, role=role, password_hash=password_hash, active=True, created_at=now,
            password_changed_at=now).returning(users.c.id)).scalar_one()
        record(conn, actor=actor, action="user.add", target=f"user:{name}", before=None,
               after={"role": role, "active": True}, now=now)
        return _user(conn.execute(select(users).where(users.c.id == new_id)).one())


def _locked_user(conn: Connection, name: str) -> Any:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"계정이 없습니다: {name}")
    return row


def _keep_an_admin(conn: Connection, row: Any, *, role: str, active: bool) -> None:
    """Refuse the change that would leave no active admin (nobody could manage users)."""
    losing = row.role == "admin" and row.active and (role != "admin" or not active)
    if losing and count_admins(conn) <= 1:
        raise ValueError("마지막 관리자 계정은 중지하거나 역할을 바꿀 수 없습니다.")


def set_user_active(db: Database, name: str, active: bool, *, actor: str,
                    reason: str = "") -> User:
    """Enable or disable an account; disabling ends its sessions."""
    actor = check_actor(actor)
    with db.write() as conn:
        row = _locked_user(conn, name)
        if bool(row.active) == active:
            return _user(row)
        _keep_an_admin(conn, row, role=row.role, active=active)
        conn.execute(update(users).where(users.c.id == row.id).values(active=active))
        if not active:
            conn.execute(delete(admin_sessions).where(admin_sessions.c.user_id == row.id))
        record(conn, actor=actor, action="user.enable" if active else "user.disable",
               target=f"user:{name}", before={"active": bool(row.active)},
               after={"active": active}, reason=reason)
        return _user(conn.execute(select(users).where(users.c.id == row.id)).one())


def set_user_role(db: Database, name: str, role: str, *, actor: str,
                  reason: str = "") -> User:
    if role not in ROLES:
        raise ValueError("역할은 admin(관리자) 또는 editor(편집자)입니다.")
    actor = check_actor(actor)
    with db.write() as conn:
        row = _locked_user(conn, name)
        if row.role == role:
            return _user(row)
        _keep_an_admin(conn, row, role=role, active=bool(row.active))
        conn.execute(update(users).where(users.c.id == row.id).values(role=role))
        record(conn, actor=actor, action="user.role", target=f"user:{name}",
               before={"role": row.role}, after={"role": role}, reason=reason)
        return _user(conn.execute(select(users).where(users.c.id == row.id)).one())


def set_password_hash(db: Database, name: str, password_hash: str, *, actor: str,
                      reason: str = "", keep_session: str | None = None,
                      audit: bool = True) -> None:
    """A new password hash; every session of the account ends (but ``keep_session``, the
    hash of the session that made the change). ``audit=False`` only for a rehash at login
    (same password, newer parameters), which is no change an operator made."""
    actor = check_actor(actor)
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        row = _locked_user(conn, name)
        conn.execute(update(users).where(users.c.id == row.id).values(
            password_hash=password_hash,
            **({"password_changed_at": now} if audit else {})))
        if not audit:
            return
        ending = delete(admin_sessions).where(admin_sessions.c.user_id == row.id)
        if keep_session:
            ending = ending.where(admin_sessions.c.id != keep_session)
        conn.execute(ending)
        # before/after say that it changed, never the hashes
        record(conn, actor=actor, action="user.password", target=f"user:{name}",
               before={"password_changed_at": row.password_changed_at.isoformat()},
               after={"password_changed_at": now.isoformat()}, reason=reason, now=now)


# --- sessions ---------------------------------------------------------------------------

def create_session(db: Database, user_id: int, *, lifetime: timedelta, address: str,
                   user_agent: str, now: datetime | None = None,
                   replaces: str | None = None) -> tuple[str, str]:
    """A new session for the user: returns (cookie token, CSRF token). The token is new
    every time (a login never keeps an id the browser brought: no session fixation), and
    ``replaces`` (a token the browser sent) is ended in the same transaction."""
    now = now or datetime.now(timezone.utc)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with db.write() as conn:
        if replaces:
            conn.execute(delete(admin_sessions).where(
                admin_sessions.c.id == token_hash(replaces)))
        conn.execute(delete(admin_sessions).where(admin_sessions.c.expires_at < now))
        conn.execute(insert(admin_sessions).values(
            id=token_hash(token), user_id=user_id, csrf_token=csrf, created_at=now,
            last_seen_at=now, expires_at=now + lifetime, address=address[:64],
            user_agent=user_agent[:300]))
        conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=now))
    return token, csrf


def load_session(conn: Connection, token: str, *, now: datetime,
                 idle: timedelta) -> Session | None:
    """The live session of this cookie token: not expired, not idle too long, its account
    active. None otherwise."""
    if not token or len(token) > 200:
        return None
    row = conn.execute(
        select(admin_sessions, users).join(users, users.c.id == admin_sessions.c.user_id)
        .where(admin_sessions.c.id == token_hash(token))).first()
    if row is None or not row.active:
        return None
    m = row._mapping
    expires, seen = m[admin_sessions.c.expires_at], m[admin_sessions.c.last_seen_at]
    if expires <= now or seen + idle <= now:
        return None
    user = User(m[users.c.id], m[users.c.name], m[users.c.role], bool(m[users.c.active]),
                m[users.c.created_at], m[users.c.password_changed_at], m[users.c.last_login_at])
    return Session(m[admin_sessions.c.id], user, m[admin_sessions.c.csrf_token],
                   m[admin_sessions.c.created_at], seen, expires, m[admin_sessions.c.flash])


def touch_session(db: Database, session_id: str, now: datetime, *,
                  flash: str | None = None, clear_flash: bool = False) -> None:
    values: dict[str, Any] = {"last_seen_at": now}
    if flash is not None:
        values["flash"] = flash
    elif clear_flash:
        values["flash"] = None
    with db.write() as conn:
        conn.execute(update(admin_sessions).where(admin_sessions.c.id == session_id)
                     .values(**values))


def end_session(db: Database, token: str) -> None:
    with db.write() as conn:
        conn.execute(delete(admin_sessions).where(admin_sessions.c.id == token_hash(token)))


def end_user_sessions(db: Database, user_id: int) -> None:
    with db.write() as conn:
        conn.execute(delete(admin_sessions).where(admin_sessions.c.user_id == user_id))


# --- login attempts ---------------------------------------------------------------------

def record_attempt(db: Database, *, name: str, address: str, ok: bool, outcome: str,
                   now: datetime) -> None:
    with db.write() as conn:
        conn.execute(insert(login_attempts).values(at=now, name=name[:64],
                                                   address=address[:64], ok=ok,
                                                   outcome=outcome))
        # kept for a month: enough to answer "who tried to get in", small enough to scan
        conn.execute(delete(login_attempts).where(
            login_attempts.c.at < now - timedelta(days=30)))


def failures_since(conn: Connection, *, since: datetime, name: str | None = None,
                   address: str | None = None) -> int:
    """Failed attempts since ``since`` for this account name (existing or not), counted back
    to its last success, or for this address (a success does not reset an address: one
    account of its own must not let an address try others' passwords without limit)."""
    column = login_attempts.c.name if name is not None else login_attempts.c.address
    value = (name if name is not None else address or "")[:64]
    start = since
    if name is not None:
        last_ok = conn.execute(select(func.max(login_attempts.c.at)).where(
            column == value, login_attempts.c.ok.is_(True),
            login_attempts.c.at >= since)).scalar()
        start = max(since, last_ok) if last_ok is not None else since
    return int(conn.execute(select(func.count()).select_from(login_attempts).where(
        and_(column == value, login_attempts.c.ok.is_(False),
             login_attempts.c.outcome != "limited",  # refused unchecked: not a guess
             login_attempts.c.at >= start))).scalar() or 0)


def recent_attempts(conn: Connection, *, failed_only: bool = True,
                    limit: int = 50) -> list[dict[str, Any]]:
    query = select(login_attempts).order_by(login_attempts.c.id.desc()).limit(limit)
    if failed_only:
        query = query.where(login_attempts.c.ok.is_(False))
    return [dict(r) for r in conn.execute(query).mappings()]
