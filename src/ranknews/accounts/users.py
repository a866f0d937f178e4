"""Account changes as the console and the CLI make them: checked, hashed, then written by
``store/users.py`` (which records each in the audit log with the actor given)."""

from __future__ import annotations

from ranknews.accounts.passwords import check_name, check_password, hash_password
from ranknews.store.db import Database
from ranknews.store.users import (
    ROLES,
    User,
    insert_user,
    set_password_hash,
    set_user_active,
    set_user_role,
)


def _role(role: str) -> str:
    if role not in ROLES:
        raise ValueError("역할은 admin(관리자) 또는 editor(편집자)입니다.")
    return role


def add_user(db: Database, name: str, role: str, password: str, *, actor: str) -> User:
    name = check_name(name)
    return insert_user(db, name, _role(role), hash_password(check_password(password, name)),
                       actor=actor)


def change_password(db: Database, name: str, password: str, *, actor: str,
                    keep_session: str | None = None) -> None:
    set_password_hash(db, name, hash_password(check_password(password, name)), actor=actor,
                      keep_session=keep_session)


def change_role(db: Database, name: str, role: str, *, actor: str) -> User:
    return set_user_role(db, name, _role(role), actor=actor)


def set_active(db: Database, name: str, active: bool, *, actor: str) -> User:
    return set_user_active(db, name, active, actor=actor)
