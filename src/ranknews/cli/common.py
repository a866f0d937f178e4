"""What every command shares: the app, settings from flags and environment, opening the
database, and turning ranknews errors into clean messages."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import typer
from rich.console import Console

from ranknews.config import Settings
from ranknews.errors import RanknewsError

if TYPE_CHECKING:
    from ranknews.store import Database

app = typer.Typer(
    name="ranknews",
    help="ranknews: 한국 뉴스 모음 게시판 (Korean news aggregation board).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()

DbOption = typer.Option(None, "--db", help="Database URL (default: RANKNEWS_DATABASE_URL, "
                        "else a SQLite file in the data directory).")
DataDirOption = typer.Option(None, "--data-dir", help="Data directory (RANKNEWS_DATA_DIR).")

F = TypeVar("F", bound=Callable[..., Any])


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

    return wrapper  # type: ignore[return-value]
