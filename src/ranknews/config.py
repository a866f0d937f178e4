"""Settings: one table (name, default, environment variable, help), one object passed in.

Nothing in ranknews reads the environment except ``Settings.from_env``; every other module
receives the ``Settings`` it needs. ``docs/configuration.md`` documents every row of
``SETTINGS`` and a test fails when one is missing there (as datasette does).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ranknews.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./data", "RANKNEWS_DATA_DIR",
            "Directory for the default SQLite database and other local state."),
    Setting("database_url", "", "RANKNEWS_DATABASE_URL",
            "SQLAlchemy URL of the database; empty means sqlite:///<data_dir>/ranknews.sqlite3. "
            "PostgreSQL: postgresql+psycopg://user@host/dbname."),
    Setting("board_name", "", "RANKNEWS_BOARD_NAME",
            "If set, shown as the writer (글쓴이) of every post instead of the outlet, "
            "as boards that repost news do."),
    Setting("site_title", "랭크뉴스", "RANKNEWS_SITE_TITLE", "Title of the site in pages and feeds."),
    Setting("base_url", "http://127.0.0.1:8000", "RANKNEWS_BASE_URL",
            "Public address of the site, used for absolute links in RSS."),
    Setting("page_size", 20, "RANKNEWS_PAGE_SIZE", "Posts per board page."),
    Setting("timezone", "Asia/Seoul", "RANKNEWS_TIMEZONE", "Time zone in which dates are shown."),
    Setting("default_display_mode", "full", "RANKNEWS_DEFAULT_DISPLAY_MODE",
            "Display mode for outlets with no setting of their own: full or excerpt."),
    Setting("excerpt_paragraphs", 2, "RANKNEWS_EXCERPT_PARAGRAPHS",
            "Paragraphs shown for an outlet in excerpt mode, before the link to the original."),
    Setting("sqlite_busy_timeout_ms", 5000, "RANKNEWS_SQLITE_BUSY_TIMEOUT_MS",
            "How long a SQLite connection waits for the writer's lock before failing."),
    Setting("page_cache_entries", 2000, "RANKNEWS_PAGE_CACHE_ENTRIES",
            "Rendered pages kept in memory per web process (0 turns the page cache off)."),
    Setting("page_cache_check_seconds", 0.5, "RANKNEWS_PAGE_CACHE_CHECK_SECONDS",
            "How often (at most) a web process checks board_version for new or hidden posts; "
            "changes reach readers within this delay."),
    Setting("http_max_age", 10, "RANKNEWS_HTTP_MAX_AGE",
            "Cache-Control max-age (seconds) of pages; browsers revalidate with ETag after it."),
    Setting("rss_items", 50, "RANKNEWS_RSS_ITEMS", "Posts in /rss.xml."),
    Setting("web_server", "granian", "RANKNEWS_WEB_SERVER",
            "HTTP server for serve/demo: granian or uvicorn."),
    Setting("web_workers", 1, "RANKNEWS_WEB_WORKERS",
            "Web server worker processes (each keeps its own page cache)."),
    # rank
    Setting("rank_views_per_address", 30, "RANKNEWS_RANK_VIEWS_PER_ADDRESS",
            "Most page views one address may add to the ranking per 10 minutes; more are "
            "dropped as a burst."),
    Setting("rank_operator_addresses", "", "RANKNEWS_RANK_OPERATOR_ADDRESSES",
            "Comma-separated client addresses (the operator's) whose views are not counted."),
    Setting("rank_forwarded_header", "", "RANKNEWS_RANK_FORWARDED_HEADER",
            "Behind a reverse proxy: the header with the client address (e.g. "
            "x-forwarded-for); empty means the connection's address."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("./data")
    database_url: str = ""
    board_name: str = ""
    site_title: str = "랭크뉴스"
    base_url: str = "http://127.0.0.1:8000"
    page_size: int = 20
    timezone: str = "Asia/Seoul"
    default_display_mode: str = "full"
    excerpt_paragraphs: int = 2
    sqlite_busy_timeout_ms: int = 5000
    page_cache_entries: int = 2000
    page_cache_check_seconds: float = 0.5
    http_max_age: int = 10
    rss_items: int = 50
    web_server: str = "granian"
    web_workers: int = 1
    rank_views_per_address: int = 30
    rank_operator_addresses: str = ""
    rank_forwarded_header: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from environment variables, then explicit overrides (CLI flags)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in environ and environ[setting.env] != "":
                values[setting.name] = environ[setting.env]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.build(**values)

    @classmethod
    def build(cls, **values: Any) -> "Settings":
        """Settings from raw values, converted to each field's type with clear errors."""
        converted: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in values:
                continue
            converted[f.name] = _convert(f.name, values[f.name], type(_BY_NAME[f.name].default))
        settings = cls(**converted)
        if settings.default_display_mode not in ("full", "excerpt"):
            raise ConfigError("default_display_mode 설정은 full 또는 excerpt 이어야 합니다.")
        if settings.web_server not in ("granian", "uvicorn"):
            raise ConfigError("web_server 설정은 granian 또는 uvicorn 이어야 합니다.")
        return settings

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(Path(self.data_dir) / 'ranknews.sqlite3').resolve()}"


def _convert(name: str, value: Any, kind: type) -> Any:
    if name == "data_dir":
        return Path(value)
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"설정 {name}의 값 {value!r}을(를) 해석할 수 없습니다.") from exc
