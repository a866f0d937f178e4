"""Logging in: rate limits per account name and per address, every attempt recorded, and
the same answer for an unknown name, a wrong password and a disabled account (no account
enumeration; an unknown name costs the same argon2 verification as a known one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ranknews.accounts.passwords import hash_password, needs_rehash, verify_password
from ranknews.config import Settings
from ranknews.errors import RanknewsError
from ranknews.store.db import Database
from ranknews.store.users import (
    User,
    failures_since,
    find_user,
    record_attempt,
    set_password_hash,
)

WRONG = "아이디 또는 비밀번호가 맞지 않습니다."


class LoginRefused(RanknewsError):
    """The login failed; ``limited`` when it was refused by a rate limit."""

    def __init__(self, message: str, *, limited: bool = False) -> None:
        super().__init__(message)
        self.limited = limited


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5  # failures per account name in the window
    per_address: int = 20  # failures per client address in the window
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginLimits":
        return cls(settings.admin_login_max_failures,
                   settings.admin_login_address_max_failures,
                   timedelta(minutes=settings.admin_login_window_minutes))


def log_in(db: Database, name: str, password: str, *, address: str, limits: LoginLimits,
           now: datetime | None = None) -> User:
    """The account, when the name and password match an active one and no limit is hit;
    else LoginRefused. Every attempt is recorded in ``login_attempts``."""
    now = now or datetime.now(timezone.utc)
    key = (name or "").strip().lower()[:64]
    since = now - limits.window
    with db.read() as conn:
        limited = (failures_since(conn, since=since, name=key) >= limits.per_account
                   or failures_since(conn, since=since, address=address) >= limits.per_address)
        found = None if limited else find_user(conn, key)
    if limited:
        record_attempt(db, name=key, address=address, ok=False, outcome="limited", now=now)
        minutes = int(limits.window.total_seconds() // 60)
        raise LoginRefused(f"로그인 시도가 너무 많습니다. {minutes}분 뒤에 다시 시도하세요.",
                           limited=True)
    user, stored = found if found is not None else (None, None)
    matches = verify_password(stored, password or "")
    if user is None or not matches or not user.active:
        outcome = "unknown" if user is None else "bad_password" if not matches else "disabled"
        record_attempt(db, name=key, address=address, ok=False, outcome=outcome, now=now)
        raise LoginRefused(WRONG)
    record_attempt(db, name=key, address=address, ok=True, outcome="ok", now=now)
    if stored and needs_rehash(stored):  # argon2 parameters moved on: same password, new hash
        set_password_hash(db, user.name, hash_password(password), actor="system:rehash",
                          audit=False)
    return user
