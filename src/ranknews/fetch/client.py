"""The one place an HTTP client is made. Everything else receives it as an argument, so tests
and the demo point the same code at a local server."""

from __future__ import annotations

import httpx

from ranknews.config import Settings
from ranknews.fetch.addresses import AddressPolicy, GuardedTransport


def timeouts(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(connect=settings.fetch_connect_timeout,
                         read=settings.fetch_read_timeout,
                         write=settings.fetch_read_timeout,
                         pool=settings.fetch_total_timeout)


def build_client(settings: Settings, **overrides: object) -> httpx.AsyncClient:
    """An AsyncClient for the crawler: our User-Agent, compressed transfers, timeouts.

    Redirects are not followed by httpx: the Fetcher follows them itself so that every hop
    passes robots.txt and the loop check. Connections go only to public addresses and the
    hosts of ``fetch_allowed_hosts`` (``fetch/addresses.py``, checked in the connection
    itself, so every redirect hop too).
    """
    limits = httpx.Limits(max_connections=max(4, settings.fetch_concurrency * 2),
                          max_keepalive_connections=settings.fetch_concurrency)
    options: dict[str, object] = {
        "headers": {
            "User-Agent": settings.effective_user_agent,
            # brotli is installed with httpx[brotli]; httpx decodes all three.
            "Accept-Encoding": "gzip, deflate, br",
            "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5",
        },
        "timeout": timeouts(settings),
        "follow_redirects": False,
        "transport": GuardedTransport(AddressPolicy.parse(settings.fetch_allowed_hosts),
                                      limits=limits),
    }
    options.update(overrides)
    return httpx.AsyncClient(**options)  # type: ignore[arg-type]
