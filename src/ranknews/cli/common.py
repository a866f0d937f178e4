"""What every command shares: the app, settings from flags and environment, opening the
database, and turning ranknews errors into clean messages."""

from __future__ import annotations

import errno
import functools
import re
import sys
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import typer
from rich.console import Console

from ranknews import __version__
from ranknews.cli.usage import KoreanGroup
from ranknews.config import Settings
from ranknews.errors import RanknewsError

if TYPE_CHECKING:
    from ranknews.store import Database

app = typer.Typer(
    name="ranknews",
    cls=KoreanGroup,
    help="ranknews: 한국 뉴스 모음 게시판 (Korean news aggregation board).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# output to a pipe or a file is not wrapped at 80 columns: a summary stays one line, as a
# script (and a reader of a log) expects; a terminal wraps long lines by itself
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"ranknews {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="버전을 보여 주고 끝냅니다.")) -> None:
    """ranknews: 한국 뉴스 모음 게시판 (Korean news aggregation board)."""

DbOption = typer.Option(None, "--db", help="Database URL (default: RANKNEWS_DATABASE_URL, "
                        "else a SQLite file in the data directory).")
DataDirOption = typer.Option(None, "--data-dir", help="Data directory (RANKNEWS_DATA_DIR).")

F = TypeVar("F", bound=Callable[..., Any])


# What a terminal would obey rather than show: C0/C1 controls (ESC starts colour, cursor and
# title sequences), DEL, and the bidirectional overrides that reorder a line.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(value: object, *, markup: bool = True) -> str:
    """``value`` as text safe to print: control characters shown as escapes (\\u001b, also
    valid inside JSON strings) and, for ``markup`` output, rich markup escaped, so text from
    outside can neither drive the terminal nor style itself."""
    text = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))
    if not markup:
        return text
    from rich.markup import escape

    return escape(text)


def print_row(*cells: object) -> None:
    """One tab-separated line on stdout, for scripts, grep and cut: the tabs stay tabs (rich
    would expand them to spaces), and text from outside can not drive the terminal."""
    line = "\t".join(terminal_text(str(c).replace("\t", " "), markup=False) for c in cells)
    typer.echo(line)


def settings_from(db: str | None, data_dir: str | None = None, **overrides: Any) -> Settings:
    return Settings.from_env(database_url=db, data_dir=data_dir, **overrides)


def open_db(settings: Settings, *, create: bool = False) -> Database:
    from ranknews.store import open_database  # SQLAlchemy loads here, not with the CLI

    return open_database(settings.effective_database_url, create=create,
                         busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def counting_progress() -> Any:
    """The progress bar of commands that go through N posts (analyze, restory, index):
    drawn on a terminal only, gone when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                    disable=not console.is_terminal, transient=True)


_OS_ERRORS = {errno.ENOENT: "파일이나 디렉터리가 없습니다", errno.EACCES: "권한이 없습니다",
              errno.EPERM: "권한이 없습니다", errno.ENOSPC: "디스크 공간이 모자랍니다",
              errno.EISDIR: "파일이 아니라 디렉터리입니다", errno.ENOTDIR: "디렉터리가 아닙니다",
              errno.EROFS: "읽기 전용 파일 시스템입니다", errno.EEXIST: "이미 있습니다"}


def os_error_text(exc: OSError) -> str:
    """An OSError in Korean: what went wrong, on which path."""
    what = _OS_ERRORS.get(exc.errno or 0, f"입출력 오류 ({exc.strerror or exc})")
    return f"{what}: {exc.filename}" if exc.filename else what


def clean_errors(func: F) -> F:
    """Print ranknews errors as one red line and exit 1, instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RanknewsError as exc:
            console.print(f"[red]오류:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(1)
        except ValueError as exc:
            console.print(f"[red]오류:[/red] {exc}", highlight=False, soft_wrap=True)
            sys.exit(2)
        except OSError as exc:  # a data directory, database or file the system refuses
            console.print(f"[red]오류:[/red] {terminal_text(os_error_text(exc))}",
                          highlight=False, soft_wrap=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]
