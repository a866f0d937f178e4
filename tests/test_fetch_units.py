"""Pure parts of fetching: decoding, scheduling, logs."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime, timedelta, timezone

from ranknews.extract.encoding import decode_html, normalize_charset
from ranknews.fetch.schedule import Bounds, after_failure, after_success, updated_yield
from ranknews.logs import configure_logging, log_event

NOW = datetime(2024, 6, 16, 1, 0, tzinfo=timezone.utc)
TEXT = "삼성전자, 똠방각하 반도체 투자 확대… 노조 \"환영\""


def test_korean_labels_map_to_cp949():
    for label in ("EUC-KR", "ks_c_5601-1987", "x-windows-949", "cp949"):
        assert normalize_charset(label) == "cp949"
    assert normalize_charset("utf8") == "utf-8" and normalize_charset("nonsense") is None


def test_decoding_order_header_meta_detection():
    cp949 = f"<html><body><p>{TEXT}</p></body></html>".encode("cp949")
    assert decode_html(cp949, "text/html; charset=euc-kr").count("똠방각하") == 1
    meta = b'<meta charset="euc-kr">' + cp949
    assert "똠방각하" in decode_html(meta, "text/html")
    assert "똠방각하" in decode_html(meta, "text/html; charset=utf-8")  # the header lies
    assert decode_html(TEXT.encode("utf-8"), None) == TEXT
    long_cp949 = (f"<p>{TEXT} 기사 본문 내용입니다.</p>" * 30).encode("cp949")
    assert "똠방각하" in decode_html(long_cp949, None)


def test_invalid_bytes_never_raise():
    assert isinstance(decode_html(b"\xff\xfe\x00\x81<p>\xc0", "text/html; charset=utf-8"), str)
    assert decode_html(b"", None) == ""


def test_busy_feeds_are_read_more_often_and_quiet_ones_less():
    bounds = Bounds(60, 3600)
    busy = after_success(NOW, 600, 8.0, bounds, jitter=0) - NOW
    normal = after_success(NOW, 600, 2.0, bounds, jitter=0) - NOW
    quiet = after_success(NOW, 600, 0.0, bounds, jitter=0) - NOW
    assert busy < normal < quiet
    assert quiet == timedelta(seconds=2400) and busy == timedelta(seconds=300)
    assert after_success(NOW, 3000, 0.0, bounds, jitter=0) - NOW == timedelta(seconds=3600)
    assert updated_yield(None, 4) == 4 and updated_yield(4.0, 0) < 4


def test_failures_back_off_and_retry_after_is_a_floor():
    bounds = Bounds(60, 3600)
    gaps = [after_failure(NOW, 300, n, bounds, jitter=0) - NOW for n in (1, 2, 3, 10)]
    assert gaps[0] < gaps[1] < gaps[2] <= gaps[3] == timedelta(seconds=3600)
    held = after_failure(NOW, 300, 1, bounds, retry_after=1700, jitter=0) - NOW
    assert held == timedelta(seconds=1700)
    # a Retry-After is honoured up to bounds.max_retry_after (fetch_max_retry_after)
    capped = after_failure(NOW, 300, 1, bounds, retry_after=10**30, jitter=0) - NOW
    assert capped == timedelta(seconds=1800)


def test_logs_name_url_and_reason_in_both_formats():
    for fmt in ("kv", "json"):
        stream = io.StringIO()
        configure_logging(fmt, stream=stream)
        log_event(logging.getLogger("ranknews.collect"), "item_failed",
                  level=logging.WARNING, url="http://a.kr/1", kind="timeout",
                  reason="시간 초과 (ReadTimeout)")
        line = stream.getvalue().strip()
        if fmt == "json":
            data = json.loads(line)
            assert data["url"] == "http://a.kr/1" and data["reason"].startswith("시간 초과")
        else:
            assert 'url=http://a.kr/1 kind=timeout reason="시간 초과 (ReadTimeout)"' in line
    logging.getLogger("ranknews").handlers.clear()
