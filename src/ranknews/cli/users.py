"""Commands of the operator's console: accounts (``user add|list|disable|enable|passwd|role``)
and the audit log (``audit``, JSON Lines).

Passwords never travel in argv (shell history, ``ps``): they are asked for twice on a
terminal, or read as the first line of standard input when it is a pipe
(``printf '%s\\n' "$PW" | ranknews user add kim --role admin``).
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    open_db,
    out,
    settings_from,
)

user_app = typer.Typer(help="콘솔(/admin) 계정: add, list, disable, enable, passwd, role.",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")

RoleOption = typer.Option(..., "--role", help="admin (관리자) | editor (편집자)")


def read_password(stdin=None, prompt=getpass.getpass) -> str:  # noqa: ANN001
    """The new password: from a terminal, asked twice; from a pipe, its first line."""
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = prompt("새 비밀번호: ")
        if prompt("비밀번호 확인: ") != first:
            raise ValueError("두 비밀번호가 다릅니다.")
        return first
    line = stdin.readline()
    if not line:
        raise ValueError("표준 입력에서 비밀번호를 읽지 못했습니다.")
    return line.rstrip("\r\n")


@user_app.command("add")
@clean_errors
def user_add(name: str = typer.Argument(..., help="Account name (a-z, 0-9, . _ -)"),
             role: str = RoleOption, db: str = DbOption,
             data_dir: str = DataDirOption) -> None:
    """계정을 만듭니다. 비밀번호는 물어보거나 표준 입력에서 읽습니다 (명령줄에 쓰지 않음)."""
    from ranknews.accounts import add_user, check_name, check_password
    from ranknews.store.audit import cli_actor

    check_name(name)
    database = open_db(settings_from(db, data_dir), create=True)
    password = check_password(read_password(), name)
    user = add_user(database, name, role, password, actor=cli_actor())
    out.print(f"계정을 만들었습니다: {user.name} ({user.role})")


@user_app.command("list")
@clean_errors
def user_list(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """계정 목록: 이름, 역할, 상태, 마지막 로그인."""
    from ranknews.store.users import list_users

    settings = settings_from(db, data_dir)
    with open_db(settings).read() as conn:
        rows = list_users(conn)
    tz = ZoneInfo(settings.timezone)
    for user in rows:
        last = user.last_login_at.astimezone(tz).strftime("%Y.%m.%d %H:%M") \
            if user.last_login_at else "-"
        state = "사용" if user.active else "중지"
        out.print(f"{user.name}\t{user.role}\t{state}\t{last}", highlight=False, markup=False)


@user_app.command("disable")
@clean_errors
def user_disable(name: str = typer.Argument(...), db: str = DbOption,
                 data_dir: str = DataDirOption) -> None:
    """계정을 중지합니다 (로그인 중인 세션도 끝납니다)."""
    _set_active(name, False, db, data_dir)


@user_app.command("enable")
@clean_errors
def user_enable(name: str = typer.Argument(...), db: str = DbOption,
                data_dir: str = DataDirOption) -> None:
    """중지한 계정을 다시 씁니다."""
    _set_active(name, True, db, data_dir)


def _set_active(name: str, active: bool, db: str | None, data_dir: str | None) -> None:
    from ranknews.accounts import set_active
    from ranknews.store.audit import cli_actor

    user = set_active(open_db(settings_from(db, data_dir)), name, active, actor=cli_actor())
    out.print(f"{user.name}: {'사용' if user.active else '중지'}")


@user_app.command("passwd")
@clean_errors
def user_passwd(name: str = typer.Argument(...), db: str = DbOption,
                data_dir: str = DataDirOption) -> None:
    """비밀번호를 바꿉니다 (그 계정의 세션은 모두 끝납니다)."""
    from ranknews.accounts import change_password
    from ranknews.store.audit import cli_actor
    from ranknews.store.users import get_user

    database = open_db(settings_from(db, data_dir))
    with database.read() as conn:
        get_user(conn, name)
    change_password(database, name, read_password(), actor=cli_actor())
    out.print(f"{name}: 비밀번호를 바꿨습니다.")


@user_app.command("role")
@clean_errors
def user_role(name: str = typer.Argument(...),
              role: str = typer.Argument(..., help="admin | editor"),
              db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """역할을 바꿉니다: admin(관리자) 또는 editor(편집자)."""
    from ranknews.accounts import change_role
    from ranknews.store.audit import cli_actor

    user = change_role(open_db(settings_from(db, data_dir)), name, role, actor=cli_actor())
    out.print(f"{user.name}: {user.role}")


@app.command()
@clean_errors
def audit(since: str = typer.Option(None, "--since", help="YYYY-MM-DD (Korean time)"),
          db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """감사 기록을 JSON Lines로 내보냅니다 (한 줄에 변경 하나, 오래된 것부터)."""
    from ranknews.store.audit import export

    settings = settings_from(db, data_dir)
    start = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=ZoneInfo(settings.timezone))
        except ValueError as exc:
            raise ValueError(f"날짜 형식이 잘못되었습니다: {since} (YYYY-MM-DD)") from exc
    with open_db(settings).read() as conn:
        for entry in export(conn, since=start):
            sys.stdout.write(json.dumps(entry.as_dict(), ensure_ascii=False) + "\n")
