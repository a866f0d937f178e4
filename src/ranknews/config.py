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
    Setting("site_title", "랭크뉴스", "RANKNEWS_SITE_TITLE",
            "Title of the site in pages and feeds."),
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
    Setting("sources_file", "", "RANKNEWS_SOURCES_FILE",
            "TOML file of outlets and feeds; empty means the shipped default "
            "(ranknews/sources/sources.toml)."),
    Setting("user_agent", "", "RANKNEWS_USER_AGENT",
            "User-Agent the crawler sends; empty means 'ranknews/<version> (+<base_url>)'."),
    Setting("fetch_host_concurrency", 1, "RANKNEWS_FETCH_HOST_CONCURRENCY",
            "Requests at a time to one host."),
    Setting("fetch_host_delay", 1.0, "RANKNEWS_FETCH_HOST_DELAY",
            "Seconds between two requests to the same host (a larger robots.txt "
            "Crawl-delay wins, up to 60 s)."),
    Setting("fetch_concurrency", 8, "RANKNEWS_FETCH_CONCURRENCY",
            "Sources crawled at the same time (different hosts in parallel)."),
    Setting("fetch_connect_timeout", 10.0, "RANKNEWS_FETCH_CONNECT_TIMEOUT",
            "Seconds to wait for a connection."),
    Setting("fetch_read_timeout", 20.0, "RANKNEWS_FETCH_READ_TIMEOUT",
            "Seconds to wait for the next bytes of a response."),
    Setting("fetch_total_timeout", 60.0, "RANKNEWS_FETCH_TOTAL_TIMEOUT",
            "Deadline in seconds for one whole response, so a slow drip cannot hold us."),
    Setting("fetch_retries", 2, "RANKNEWS_FETCH_RETRIES",
            "Retries after a connection error, 429 or 5xx (exponential backoff with jitter)."),
    Setting("fetch_backoff", 1.0, "RANKNEWS_FETCH_BACKOFF",
            "Base seconds of the retry backoff (doubles each attempt, with jitter)."),
    Setting("fetch_max_retry_wait", 30.0, "RANKNEWS_FETCH_MAX_RETRY_WAIT",
            "Longest Retry-After the crawler waits in place; longer ones postpone the source."),
    Setting("fetch_max_retry_after", 1800.0, "RANKNEWS_FETCH_MAX_RETRY_AFTER",
            "Longest Retry-After honoured, in seconds; a longer one is cut to this. Until it "
            "passes the host's feeds are skipped, while the pass goes on with other hosts."),
    Setting("fetch_allowed_hosts", "", "RANKNEWS_FETCH_ALLOWED_HOSTS",
            "Comma-separated host names, addresses or networks (CIDR) the crawler may fetch "
            "although they are not public (intranet feeds, tests: 127.0.0.1). Every other "
            "loopback, private, link-local, multicast or reserved address is refused."),
    Setting("fetch_max_bytes", 5_000_000, "RANKNEWS_FETCH_MAX_BYTES",
            "Largest response body in bytes (after decompression); larger ones are dropped."),
    Setting("fetch_max_redirects", 5, "RANKNEWS_FETCH_MAX_REDIRECTS",
            "Redirects followed for one URL; loops are detected before this."),
    Setting("robots_cache_seconds", 3600, "RANKNEWS_ROBOTS_CACHE_SECONDS",
            "How long a host's robots.txt is kept before it is fetched again."),
    Setting("crawl_max_items", 50, "RANKNEWS_CRAWL_MAX_ITEMS",
            "Feed items looked at per fetch (newest first)."),
    Setting("crawl_min_interval", 120, "RANKNEWS_CRAWL_MIN_INTERVAL",
            "Shortest seconds between two fetches of one feed, whatever its yield."),
    Setting("crawl_max_interval", 21600, "RANKNEWS_CRAWL_MAX_INTERVAL",
            "Longest seconds between two fetches of one feed (quiet or failing feeds)."),
    Setting("crawl_run_tick", 30, "RANKNEWS_CRAWL_RUN_TICK",
            "Seconds 'ranknews run' sleeps between looks for due sources."),
    Setting("dates_earliest", "1990-01-01", "RANKNEWS_DATES_EARLIEST",
            "Earliest date accepted from outside (imports, feeds, pages, search filters)."),
    Setting("dates_ahead_hours", 24, "RANKNEWS_DATES_AHEAD_HOURS",
            "How far in the future a date from outside may lie, in hours (clock skew)."),
    Setting("crawl_lease_seconds", 120, "RANKNEWS_CRAWL_LEASE_SECONDS",
            "How long a crawler holds a feed it is fetching (renewed while it works): if it "
            "dies, another crawler takes the feed after this."),
    Setting("log_format", "kv", "RANKNEWS_LOG_FORMAT",
            "Log lines as key=value (kv) or JSON lines (json)."),
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
    Setting("story_window_hours", 72, "RANKNEWS_STORY_WINDOW_HOURS",
            "Stories stay open for new articles this long after their latest article; "
            "the clusterer keeps state for this window only."),
    Setting("story_max_gap_hours", 48, "RANKNEWS_STORY_MAX_GAP_HOURS",
            "Two articles published further apart than this never count as the same event."),
    Setting("story_threshold", 0.2, "RANKNEWS_STORY_THRESHOLD",
            "Evidence (average TF-IDF cosine with day and figure penalties, 0-1) an article "
            "needs to join a story."),
    Setting("board_one_row_per_story", False, "RANKNEWS_BOARD_ONE_ROW_PER_STORY",
            "Show one row per story on the board (its newest post) instead of every post."),
    Setting("analysis_batch_size", 200, "RANKNEWS_ANALYSIS_BATCH_SIZE",
            "Posts analysed per Kiwi call and per transaction by the analysis stage."),
    Setting("analysis_threads", 2, "RANKNEWS_ANALYSIS_THREADS",
            "Kiwi threads of the analysis stage in one worker process (one per core)."),
    # the work behind ingest (docs/architecture.md, pipeline/work.py)
    Setting("worker_idle_seconds", 2.0, "RANKNEWS_WORKER_IDLE_SECONDS",
            "How long a worker with nothing to do waits before looking at the queue again."),
    Setting("worker_threads", 1, "RANKNEWS_WORKER_THREADS",
            "Worker threads that 'serve' and 'run' start to drain the queue in the background "
            "(0: none; run 'ranknews worker' processes instead)."),
    Setting("task_lease_seconds", 120.0, "RANKNEWS_TASK_LEASE_SECONDS",
            "How long a worker holds the tasks it claimed (and the story stage): a worker "
            "that dies loses them to another after this."),
    Setting("task_max_attempts", 5, "RANKNEWS_TASK_MAX_ATTEMPTS",
            "Attempts before a failing task is parked with its error (ranknews status)."),
    Setting("task_backoff_seconds", 30.0, "RANKNEWS_TASK_BACKOFF_SECONDS",
            "Wait before the first retry of a failed task; doubles with each attempt."),
    Setting("task_keep_hours", 24, "RANKNEWS_TASK_KEEP_HOURS",
            "Finished tasks are kept this long (for 'ranknews status'), then removed."),
    Setting("story_bucket_hours", 1, "RANKNEWS_STORY_BUCKET_HOURS",
            "Time buckets in which the story assigner settles stories: a late post makes "
            "it settle again from the start of its bucket."),
    Setting("rank_refresh_seconds", 10.0, "RANKNEWS_RANK_REFRESH_SECONDS",
            "Delay before the rank and trends pages are recomputed after new posts are "
            "ranked (a burst of posts recomputes them once)."),
    # rank
    Setting("rank_views_per_address", 30, "RANKNEWS_RANK_VIEWS_PER_ADDRESS",
            "Most page views one address may add to the ranking per 10 minutes; more are "
            "dropped as a burst."),
    Setting("rank_operator_addresses", "", "RANKNEWS_RANK_OPERATOR_ADDRESSES",
            "Comma-separated client addresses (the operator's) whose views are not counted."),
    Setting("trusted_proxies", "", "RANKNEWS_TRUSTED_PROXIES",
            "Comma-separated addresses or networks (CIDR) of the reverse proxies in front of "
            "the site. Only a request from one of them has its client address read from "
            "forwarded_header, right to left, skipping the trusted hops."),
    Setting("forwarded_header", "x-forwarded-for", "RANKNEWS_FORWARDED_HEADER",
            "The header in which trusted proxies name the client address."),
    Setting("health_queue_max_age", 1800, "RANKNEWS_HEALTH_QUEUE_MAX_AGE",
            "Seconds the oldest post waiting behind ingest may wait before /healthz says the "
            "queue is stuck."),
    Setting("search_body_chars", 4000, "RANKNEWS_SEARCH_BODY_CHARS",
            "Characters of each body indexed for search at all (bigrams)."),
    Setting("search_recency_weight", 1.0, "RANKNEWS_SEARCH_RECENCY_WEIGHT",
            "Extra score factor for a brand-new article: score = relevance x "
            "(1 + weight x 2^(-age/half-life)). 0 ranks by text relevance only."),
    Setting("search_half_life_hours", 72.0, "RANKNEWS_SEARCH_HALF_LIFE_HOURS",
            "Hours after which the recency bonus of a search result has halved."),
    Setting("search_candidate_limit", 100, "RANKNEWS_SEARCH_CANDIDATE_LIMIT",
            "Newest matches ranked per search; bounds the time of very common queries."),
    Setting("search_max_query_chars", 200, "RANKNEWS_SEARCH_MAX_QUERY_CHARS",
            "Longer queries are cut to this many characters."),
    Setting("search_rate_per_minute", 30, "RANKNEWS_SEARCH_RATE_PER_MINUTE",
            "Searches per minute allowed per client address (0 turns the limit off)."),
    Setting("search_rate_burst", 10, "RANKNEWS_SEARCH_RATE_BURST",
            "Searches a client may make at once before the per-minute rate applies."),
    Setting("import_workers", 0, "RANKNEWS_IMPORT_WORKERS",
            "Processes that parse and prepare lines during 'ranknews import' of a large file "
            "(0: one per CPU; 1: all in the importing process)."),
    # the operator's console (/admin)
    Setting("admin_session_hours", 12, "RANKNEWS_ADMIN_SESSION_HOURS",
            "A console session ends this many hours after login, used or not."),
    Setting("admin_session_idle_minutes", 120, "RANKNEWS_ADMIN_SESSION_IDLE_MINUTES",
            "A console session ends after this many minutes without a request."),
    Setting("admin_login_max_failures", 5, "RANKNEWS_ADMIN_LOGIN_MAX_FAILURES",
            "Failed logins to one account name within the window before it is refused "
            "until the window has passed."),
    Setting("admin_login_address_max_failures", 20, "RANKNEWS_ADMIN_LOGIN_ADDRESS_MAX_FAILURES",
            "Failed logins from one client address within the window before it is refused."),
    Setting("admin_login_window_minutes", 15, "RANKNEWS_ADMIN_LOGIN_WINDOW_MINUTES",
            "The window (minutes) of the login limits."),
    Setting("admin_proxy_user_header", "", "RANKNEWS_ADMIN_PROXY_USER_HEADER",
            "Behind a reverse proxy that authenticates operators (SSO): the header naming the "
            "logged-in account, e.g. x-remote-user. Empty (default) turns it off."),
    Setting("admin_proxy_addresses", "", "RANKNEWS_ADMIN_PROXY_ADDRESSES",
            "Comma-separated addresses of that proxy; the header is believed only from them "
            "(both settings are needed)."),
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
    sources_file: str = ""
    user_agent: str = ""
    fetch_host_concurrency: int = 1
    fetch_host_delay: float = 1.0
    fetch_concurrency: int = 8
    fetch_connect_timeout: float = 10.0
    fetch_read_timeout: float = 20.0
    fetch_total_timeout: float = 60.0
    fetch_retries: int = 2
    fetch_backoff: float = 1.0
    fetch_max_retry_wait: float = 30.0
    fetch_max_retry_after: float = 1800.0
    fetch_allowed_hosts: str = ""
    fetch_max_bytes: int = 5_000_000
    fetch_max_redirects: int = 5
    robots_cache_seconds: int = 3600
    crawl_max_items: int = 50
    crawl_min_interval: int = 120
    crawl_max_interval: int = 21600
    crawl_run_tick: int = 30
    dates_earliest: str = "1990-01-01"
    dates_ahead_hours: int = 24
    crawl_lease_seconds: int = 120
    log_format: str = "kv"
    page_cache_entries: int = 2000
    page_cache_check_seconds: float = 0.5
    http_max_age: int = 10
    rss_items: int = 50
    web_server: str = "granian"
    web_workers: int = 1
    story_window_hours: int = 72
    story_max_gap_hours: int = 48
    story_threshold: float = 0.2
    board_one_row_per_story: bool = False
    analysis_batch_size: int = 200
    analysis_threads: int = 2
    worker_idle_seconds: float = 2.0
    worker_threads: int = 1
    task_lease_seconds: float = 120.0
    task_max_attempts: int = 5
    task_backoff_seconds: float = 30.0
    task_keep_hours: int = 24
    story_bucket_hours: int = 1
    rank_refresh_seconds: float = 10.0
    rank_views_per_address: int = 30
    rank_operator_addresses: str = ""
    trusted_proxies: str = ""
    forwarded_header: str = "x-forwarded-for"
    health_queue_max_age: int = 1800
    search_body_chars: int = 4000
    search_recency_weight: float = 1.0
    search_half_life_hours: float = 72.0
    search_candidate_limit: int = 100
    search_max_query_chars: int = 200
    search_rate_per_minute: int = 30
    search_rate_burst: int = 10
    import_workers: int = 0
    admin_session_hours: int = 12
    admin_session_idle_minutes: int = 120
    admin_login_max_failures: int = 5
    admin_login_address_max_failures: int = 20
    admin_login_window_minutes: int = 15
    admin_proxy_user_header: str = ""
    admin_proxy_addresses: str = ""

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
        if settings.log_format not in ("kv", "json"):
            raise ConfigError("log_format 설정은 kv 또는 json 이어야 합니다.")
        if settings.web_server not in ("granian", "uvicorn"):
            raise ConfigError("web_server 설정은 granian 또는 uvicorn 이어야 합니다.")
        _check_values(settings)
        return settings

    @property
    def effective_user_agent(self) -> str:
        if self.user_agent:
            return self.user_agent
        from ranknews import __version__

        return f"ranknews/{__version__} (+{self.base_url})"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(Path(self.data_dir) / 'ranknews.sqlite3').resolve()}"

    @property
    def database_dialect(self) -> str:
        """"sqlite" or "postgresql": the database URL's backend, known without opening it
        (and without loading SQLAlchemy)."""
        return self.effective_database_url.partition(":")[0].partition("+")[0].lower()


def _check_values(settings: Settings) -> None:
    """Settings whose text must parse: a bad one fails at start, with its name."""
    from datetime import date
    from ipaddress import ip_network

    try:
        earliest = date.fromisoformat(settings.dates_earliest)
    except ValueError:
        raise ConfigError("dates_earliest 설정은 2024-06-16 형식의 날짜여야 합니다.") from None
    if earliest.year < 1900 or not 0 <= settings.dates_ahead_hours <= 168:
        # the store refuses anything outside these (dates.STORE_WINDOW)
        raise ConfigError("dates_earliest는 1900-01-01 이후, dates_ahead_hours는 0~168 "
                          "이어야 합니다.")
    for name in ("trusted_proxies",):
        for item in filter(None, (p.strip() for p in getattr(settings, name).split(","))):
            try:
                ip_network(item, strict=False)
            except ValueError:
                raise ConfigError(f"{name} 설정의 {item!r}은(는) 주소나 네트워크(CIDR)가 "
                                  "아닙니다.") from None


def _convert(name: str, value: Any, kind: type) -> Any:
    if name == "data_dir":
        return Path(value)
    if kind is bool and isinstance(value, str):
        if value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            return value.strip().lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"설정 {name}의 값 {value!r}은(는) true 또는 false 이어야 합니다.")
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"설정 {name}의 값 {value!r}을(를) 해석할 수 없습니다.") from exc
