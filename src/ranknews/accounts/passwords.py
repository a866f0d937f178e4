"""Passwords: argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile: 3
passes over 64 MiB, 4 lanes), and what a name and a password must look like."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD = 10
MAX_PASSWORD = 200
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

_hasher = PasswordHasher()  # argon2id; parameters travel inside each hash
# Verified against when the account does not exist, so that an unknown name costs the
# same time as a wrong password (no account enumeration by timing).
_DUMMY = _hasher.hash("ranknews: no such account")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, spend the same time and say no."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME.match(name):
        raise ValueError("계정 이름은 영문 소문자나 숫자로 시작하는 2~32자 "
                         "(영문 소문자, 숫자, . _ -)여야 합니다.")
    return name


def check_password(password: str, name: str = "") -> str:
    if len(password or "") < MIN_PASSWORD:
        raise ValueError(f"비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다.")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"비밀번호는 {MAX_PASSWORD}자 이하여야 합니다.")
    if name and name.lower() in password.lower():
        raise ValueError("비밀번호에 계정 이름을 넣을 수 없습니다.")
    return password
