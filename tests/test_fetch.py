"""The fetcher against a real HTTP server on 127.0.0.1: no network mocks."""

from __future__ import annotations

import time

import httpx
import pytest
from httpserver import Reply

from ranknews.config import Settings
from ranknews.errors import FetchError
from ranknews.fetch.client import build_client
from ranknews.fetch.fetcher import Fetcher, FetchPolicy, parse_retry_after

KOREAN = "대통령, 반도체 지원법 서명…삼성전자 \"환영\" 똠방각하"  # 똠 exists only in CP949


def policy(**changes) -> FetchPolicy:
    base = dict(host_delay=0.0, total_timeout=5.0, retries=2, backoff=0.05,
                max_retry_wait=5.0, max_bytes=1_000_000, user_agent="ranknews-test/1")
    return FetchPolicy(**{**base, **changes})


@pytest.fixture
async def client():
    settings = Settings.build(fetch_read_timeout=1.0, fetch_connect_timeout=1.0,
                              user_agent="ranknews-test/1 (+http://127.0.0.1)",
                              fetch_allowed_hosts="127.0.0.1")
    async with build_client(settings) as c:
        yield c


async def test_euc_kr_page_is_decoded_from_the_header(httpserver, client):
    page = f"<html><body><p>{KOREAN}</p></body></html>".encode("cp949")
    url = httpserver.add("/euckr", page, content_type="text/html; charset=EUC-KR")
    fetched = await Fetcher(client, policy()).get(url)
    assert KOREAN in fetched.text()


async def test_euc_kr_page_is_decoded_from_meta_or_detection(httpserver, client):
    meta = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
            f"</head><body><p>{KOREAN}</p></body></html>").encode("cp949")
    bare = ("<html><body>" + f"<p>{KOREAN} 기사 본문입니다.</p>" * 20 + "</body></html>"
            ).encode("cp949")
    # The header lies (says UTF-8): the bytes do not decode, so the meta tag wins.
    meta_url = httpserver.add("/meta", meta, content_type="text/html; charset=utf-8")
    bare_url = httpserver.add("/bare", bare, content_type="text/html")
    fetcher = Fetcher(client, policy())
    assert KOREAN in (await fetcher.get(meta_url)).text()
    assert KOREAN in (await fetcher.get(bare_url)).text()


async def test_identifying_user_agent_and_compression(httpserver, client):
    url = httpserver.add("/gz", "<p>압축</p>" * 100, gzip=True)
    fetched = await Fetcher(client, policy()).get(url)
    assert "압축" in fetched.text()
    request = httpserver.hits("/gz")[0]
    assert request.headers["user-agent"].startswith("ranknews-test/1")
    assert "br" in request.headers["accept-encoding"]


async def test_conditional_get_gives_304(httpserver, client):
    url = httpserver.add("/feed.xml", "<rss/>", etag='"v1"', content_type="application/rss+xml")
    fetcher = Fetcher(client, policy())
    first = await fetcher.get(url)
    assert first.status == 200 and first.etag == '"v1"'
    second = await fetcher.get(url, etag=first.etag)
    assert second.not_modified and second.content == b""
    assert httpserver.hits("/feed.xml")[1].headers["if-none-match"] == '"v1"'


async def test_429_with_retry_after_is_waited_then_retried(httpserver, client):
    answers = iter([Reply(429, b"slow down", headers={"Retry-After": "1"}), Reply(200, b"ok")])

    @httpserver.route("/busy")
    def _(request):
        return next(answers)

    started = time.monotonic()
    fetched = await Fetcher(client, policy()).get(httpserver.url("/busy"))
    hits = httpserver.hits("/busy")
    assert fetched.content == b"ok" and len(hits) == 2
    assert hits[1].at - hits[0].at >= 0.95
    assert time.monotonic() - started >= 0.95


async def test_long_retry_after_is_not_waited_but_reported(httpserver, client):
    httpserver.add("/later", b"", status=503, headers={"Retry-After": "3600"})
    fetcher = Fetcher(client, policy())
    with pytest.raises(FetchError) as caught:
        await fetcher.get(httpserver.url("/later"))
    # cut to fetch_max_retry_after (1800 s by default): a server cannot park us for longer
    assert caught.value.kind == "rate_limited" and caught.value.retry_after == 1800
    assert len(httpserver.hits("/later")) == 1
    assert 1700 < fetcher.gate.wait_time(f"127.0.0.1:{httpserver.port}") <= 1800


async def test_server_errors_are_retried_with_backoff(httpserver, client):
    answers = iter([Reply(500), Reply(502), Reply(200, b"third time")])
    httpserver.route("/flaky")(lambda request: next(answers))
    fetched = await Fetcher(client, policy(retries=2)).get(httpserver.url("/flaky"))
    assert fetched.content == b"third time"
    httpserver.add("/down", b"", status=500)
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(retries=1)).get(httpserver.url("/down"))
    assert caught.value.kind == "http_error" and len(httpserver.hits("/down")) == 2


async def test_timeout_when_the_server_does_not_answer(httpserver, client):
    url = httpserver.add("/hang", b"late", delay=3.0)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy()).get(url)  # read timeout 1 s
    assert caught.value.kind == "timeout" and caught.value.url == url
    assert time.monotonic() - started < 2.5


async def test_slow_drip_is_stopped_by_the_total_deadline(httpserver, client):
    url = httpserver.add("/drip", drip=(b"<p>x</p>", 0.1, 200))  # 20 s if read to the end
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(total_timeout=1.0)).get(url)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.0


async def test_redirect_loop_is_detected(httpserver, client):
    httpserver.add("/a", status=302, headers={"Location": "/b"})
    httpserver.add("/b", status=301, headers={"Location": httpserver.url("/a")})
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy()).get(httpserver.url("/a"))
    assert caught.value.kind == "redirect_loop"
    assert len(httpserver.hits("/a")) == 1


async def test_redirects_are_followed_up_to_the_limit(httpserver, client):
    for n in range(5):
        httpserver.add(f"/r{n}", status=302, headers={"Location": f"/r{n + 1}"})
    httpserver.add("/r5", b"arrived")
    fetched = await Fetcher(client, policy(max_redirects=5)).get(httpserver.url("/r0"))
    assert fetched.content == b"arrived" and fetched.url == httpserver.url("/r5")
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(max_redirects=3)).get(httpserver.url("/r0"))
    assert caught.value.kind == "too_many_redirects"


async def test_20_mb_page_is_cut_off(httpserver, client):
    big = b"<p>" + b"x" * 20_000_000 + b"</p>"
    httpserver.add("/big", big)
    httpserver.add("/big-stream", chunks=lambda: (b"y" * 65536 for _ in range(320)))
    fetcher = Fetcher(client, policy(max_bytes=2_000_000))
    for path in ("/big", "/big-stream"):
        with pytest.raises(FetchError) as caught:
            await fetcher.get(httpserver.url(path))
        assert caught.value.kind == "too_large", path


async def test_gzip_bomb_is_cut_off_after_decompression(httpserver, client):
    httpserver.add("/bomb", b"\0" * 30_000_000, gzip=True)  # ~30 KB on the wire
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(max_bytes=2_000_000)).get(httpserver.url("/bomb"))
    assert caught.value.kind == "too_large"


async def test_robots_txt_that_forbids_is_respected_and_cached(httpserver, client):
    httpserver.add("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                   content_type="text/plain")
    httpserver.add("/private/page", b"secret")
    httpserver.add("/public/page", b"fine")
    fetcher = Fetcher(client, policy())
    with pytest.raises(FetchError) as caught:
        await fetcher.get(httpserver.url("/private/page"))
    assert caught.value.kind == "robots"
    assert (await fetcher.get(httpserver.url("/public/page"))).content == b"fine"
    assert not httpserver.hits("/private/page")
    assert len(httpserver.hits("/robots.txt")) == 1


async def test_robots_redirect_into_forbidden_path_is_refused(httpserver, client):
    httpserver.add("/robots.txt", "User-agent: ranknews-test\nDisallow: /private\n",
                   content_type="text/plain")
    httpserver.add("/go", status=302, headers={"Location": "/private/x"})
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy()).get(httpserver.url("/go"))
    assert caught.value.kind == "robots"


async def test_unreachable_robots_txt_disallows_the_host(httpserver, client):
    httpserver.add("/robots.txt", b"", status=500)
    httpserver.add("/page", b"ok")
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(retries=0)).get(httpserver.url("/page"))
    assert caught.value.kind == "robots"


async def test_one_request_at_a_time_per_host_with_a_delay(httpserver, client):
    import asyncio

    httpserver.add("/p", b"ok", delay=0.2)
    fetcher = Fetcher(client, policy(host_delay=0.3))
    await asyncio.gather(*(fetcher.get(httpserver.url("/p")) for _ in range(3)))
    starts = [r.at for r in httpserver.hits("/p")]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(gap >= 0.45 for gap in gaps), gaps  # 0.2 s answer + 0.3 s pause


async def test_404_and_refused_connection_are_typed(httpserver, client):
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy()).get(httpserver.url("/gone"))
    assert caught.value.kind == "not_found" and caught.value.status == 404
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy(retries=0)).get("http://127.0.0.1:1/x")
    assert caught.value.kind == "connect"
    with pytest.raises(FetchError) as caught:
        await Fetcher(client, policy()).get("ftp://example.com/x")
    assert caught.value.kind == "bad_url"


def test_retry_after_as_http_date():
    from datetime import datetime, timezone

    now = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Sun, 16 Jun 2024 01:02:00 GMT", now=now) == 120
    assert parse_retry_after("120") == 120
    assert parse_retry_after("soon") is None


def test_client_factory_sets_timeouts():
    settings = Settings.build(fetch_connect_timeout=3.0, fetch_read_timeout=7.0)
    client = build_client(settings)
    assert client.timeout == httpx.Timeout(connect=3.0, read=7.0, write=7.0, pool=60.0)
    assert not client.follow_redirects
