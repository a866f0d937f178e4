"""Operator accounts: password hashing (argon2id through argon2-cffi), the password rules,
and logging in with rate limits per account and per address. Rows live in ``store/users.py``;
this package decides."""

from ranknews.accounts.login import LoginLimits, LoginRefused, log_in
from ranknews.accounts.passwords import check_name, check_password, hash_password
from ranknews.accounts.users import (
    add_user,
    change_password,
    change_role,
    set_active,
)

__all__ = ["LoginLimits", "LoginRefused", "add_user", "change_password", "change_role",
           "check_name", "check_password", "hash_password", "log_in", "set_active"]
