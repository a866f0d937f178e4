"""The operator's console under /admin: login, dashboard, sources, takedowns, stories,
users and the audit log, each page with its JSON twin. See docs/architecture/admin.md.

As a web feature (``web/app.py FEATURES``) it exposes ``routes`` and ``middleware``: the
gate (``guard.AdminGuard``) that loads sessions and checks CSRF tokens for every request
under /admin, placed in front of the page cache.
"""

from __future__ import annotations

from starlette.middleware import Middleware

from ranknews.config import Settings
from ranknews.store.db import Database
from ranknews.web.admin import audit, auth, dashboard, sources, stories, takedowns, users
from ranknews.web.admin.guard import AdminGuard

routes = [*auth.routes, *dashboard.routes, *sources.routes, *takedowns.routes,
          *stories.routes, *users.routes, *audit.routes]


def middleware(settings: Settings, db: Database) -> list[Middleware]:
    return [Middleware(AdminGuard, db=db, settings=settings)]
