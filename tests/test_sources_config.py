"""The sources file: the shipped default, and clear Korean errors for bad entries."""

from __future__ import annotations

import pytest

from ranknews.errors import SourceConfigError
from ranknews.sources.config import load_sources, parse_sources

MAJOR = ("연합뉴스", "경향신문", "한겨레", "조선일보", "중앙일보", "동아일보", "한국일보", "국민일보",
         "서울신문", "세계일보", "문화일보", "매일경제", "한국경제", "서울경제", "SBS", "KBS", "MBC",
         "YTN", "JTBC", "뉴시스", "뉴스1")


def test_shipped_sources_cover_the_major_outlets():
    outlets = load_sources()
    names = {o.name for o in outlets}
    assert set(MAJOR) <= names and len(outlets) >= 20
    assert all(f.url.startswith("https://") and f.section for o in outlets for f in o.feeds)
    assert len({o.domain for o in outlets}) == len(outlets)


def outlet(**changes):
    base = {"name": "경향신문", "domain": "www.khan.co.kr",
            "feeds": [{"url": "https://www.khan.co.kr/rss", "section": "정치"}]}
    return {"outlet": [{**base, **changes}]}


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "name"),
    ({"domain": "not a host"}, "domain"),
    ({"feeds": []}, "feeds"),
    ({"feeds": [{"url": "ftp://x/rss"}]}, "http"),
    ({"display_mode": "sometimes"}, "display_mode"),
    ({"interval": 5}, "interval"),
    ({"rules": {"bogus": "div"}}, "bogus"),
    ({"rules": {"body": 3}}, "rules.body"),
])
def test_bad_entries_name_the_outlet_and_the_problem(changes, message):
    with pytest.raises(SourceConfigError, match=message) as caught:
        parse_sources(outlet(**changes), "my.toml")
    assert "my.toml" in str(caught.value) and "1번째 언론사" in str(caught.value)


def test_duplicate_feed_is_refused():
    data = outlet()
    data["outlet"].append({**data["outlet"][0], "name": "다른이름"})
    with pytest.raises(SourceConfigError, match="두 번"):
        parse_sources(data)


def test_broken_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[outlet]\nname=", encoding="utf-8")
    with pytest.raises(SourceConfigError, match="TOML"):
        load_sources(bad)
    with pytest.raises(SourceConfigError, match="없습니다"):
        load_sources(tmp_path / "missing.toml")


def test_rules_and_defaults_are_kept():
    [parsed] = parse_sources({"interval": 300, **outlet(rules={"body": "div.art",
                                                             "remove": ["aside"]})})
    assert parsed.interval == 300 and parsed.rules["remove"] == ["aside"]
    assert parsed.feeds[0].section == "정치" and parsed.enabled
