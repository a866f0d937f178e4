"""The application factory: routes of every feature, templates, static files, error pages,
security headers and the page cache.

Each feature keeps its pages in ``web/views/<feature>.py`` exposing ``routes``; add the module
to ``FEATURES`` below. Its templates go in ``web/templates/<feature>/`` extending ``base.html``.
Views find what they share on ``request.app.state``: ``settings``, ``db``, ``pages`` (the
board's PageMap), ``templates`` (the Jinja environment), ``site`` (what base.html shows).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit, urlunsplit

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from ranknews.config import Settings
from ranknews.errors import NotFound
from ranknews.store.board import PageMap
from ranknews.store.db import Database
from ranknews.web.cache import BoardClock, PageCache
from ranknews.web.health import ResponseCounter
from ranknews.web.render import (
    SECURITY_HEADERS,
    http_error,
    make_environment,
    not_found,
    server_error,
)

STATIC = Path(__file__).with_name("static")

# Feature view modules, in the order their routes are tried.
FEATURES: tuple[str, ...] = (
    "ranknews.web.views.board",
    "ranknews.web.views.sources",
    "ranknews.web.views.stories",
    "ranknews.web.views.rank",
    "ranknews.web.views.search",
    "ranknews.web.admin",
)


class SecurityHeaders:
    """Adds the security headers to every response that does not set its own."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class SiteRedirects:
    """Redirects never reflect the request's Host header. Starlette builds the absolute
    Location of its own redirects (a trailing slash, a mount) from Host, so a forged Host
    would send readers elsewhere. The site only ever redirects to itself, so every Location
    becomes relative to the site (``/rank``), which browsers resolve against the address
    they actually asked, on whatever port the site is served (``base_url`` names it where
    an absolute address is needed, as in RSS)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def rewrite(message: Any) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [(n, self._located(v) if n == b"location" else v)
                                      for n, v in message.get("headers", [])]
            await send(message)

        await self.app(scope, receive, rewrite)

    @staticmethod
    def _located(value: bytes) -> bytes:
        parts = urlsplit(value.decode("latin-1"))
        path = "/" + parts.path.lstrip("/")  # never "//host": that is absolute again
        return urlunsplit(("", "", path, parts.query, parts.fragment)).encode("latin-1")


def feature_routes(features: Sequence[str] = FEATURES) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in features:
        routes += importlib.import_module(name).routes
    return routes


def feature_nav(features: Sequence[str] = FEATURES) -> list[dict[str, str]]:
    """Menu entries: a feature module may expose ``nav = [{"label": ..., "url": ...}]``."""
    nav: list[dict[str, str]] = []
    for name in features:
        nav += getattr(importlib.import_module(name), "nav", [])
    return nav


def feature_home(features: Sequence[str] = FEATURES) -> list[tuple[Any, str]]:
    """Blocks above the board's first page: a feature module may expose
    ``home_context(request) -> dict`` (merged into the board's context, so /index.json has
    it too) and ``home_template`` (included above the board list)."""
    blocks = []
    for name in features:
        module = importlib.import_module(name)
        if hasattr(module, "home_context"):
            blocks.append((module.home_context, getattr(module, "home_template", "")))
    return blocks


def feature_middleware(settings: Settings, db: Database,
                       features: Sequence[str] = FEATURES) -> list[Middleware]:
    """Layers a feature puts in front of the page cache (``middleware(settings, db)``), e.g.
    counting views of pages the cache answers."""
    layers: list[Middleware] = []
    for name in features:
        module = importlib.import_module(name)
        if hasattr(module, "middleware"):
            layers += module.middleware(settings, db)
    return layers


def create_app(settings: Settings, db: Database, *, cache: bool = True,
               features: Sequence[str] = FEATURES) -> Starlette:
    """The website over ``db``. ``cache=False`` renders every request (used by benchmarks)."""
    clock = BoardClock(db, settings.timezone, settings.page_cache_check_seconds)
    registry = CollectorRegistry()  # this process's web metrics (/metrics)
    app = Starlette(
        routes=[*feature_routes(features),
                Mount("/static", StaticFiles(directory=STATIC), name="static")],
        middleware=[
            Middleware(ResponseCounter, registry=registry),
            Middleware(SiteRedirects),
            *feature_middleware(settings, db, features),
            Middleware(PageCache, clock=clock, max_entries=settings.page_cache_entries,
                       max_age=settings.http_max_age, enabled=cache),
            Middleware(SecurityHeaders),
        ],
        exception_handlers={HTTPException: http_error, NotFound: not_found,
                            Exception: server_error},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.web_metrics = registry
    app.state.pages = PageMap(settings.page_cache_check_seconds)
    app.state.clock = clock
    app.state.templates = make_environment()
    app.state.home_blocks = feature_home(features)
    app.state.site = {"title": settings.site_title, "board_name": settings.board_name,
                      "nav": feature_nav(features),
                      "home_templates": [t for _, t in app.state.home_blocks if t]}
    return app
