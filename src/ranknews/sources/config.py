"""The sources file (TOML): outlets, their feeds with a section each, display mode, interval
and optional extraction rules. Loading validates everything and names the bad entry in Korean.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ranknews.errors import SourceConfigError
from ranknews.models import DISPLAY_MODES, FeedConfig, OutletConfig

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")
DEFAULT_INTERVAL = 900
MIN_INTERVAL = 60
RULE_KEYS = ("body", "remove")  # see extract/rules.py ExtractionRule
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}(:\d{1,5})?$")


def sources_path(configured: str | Path | None) -> Path:
    return Path(configured) if configured else DEFAULT_SOURCES


def load_sources(path: str | Path | None = None) -> list[OutletConfig]:
    """Outlets of a sources file (the shipped default when ``path`` is empty)."""
    path = sources_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceConfigError(f"소스 파일이 없습니다: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: TOML 형식 오류: {exc}") from None
    return parse_sources(data, str(path))


def parse_sources(data: dict[str, Any], where: str = "sources.toml") -> list[OutletConfig]:
    default_interval = _interval(data.get("interval", DEFAULT_INTERVAL), where)
    entries = data.get("outlet")
    if not isinstance(entries, list) or not entries:
        raise SourceConfigError(f"{where}: [[outlet]] 항목이 하나도 없습니다.")
    outlets = [_outlet(e, f"{where}: {n}번째 언론사", default_interval)
               for n, e in enumerate(entries, start=1)]
    _no_duplicate_feeds(outlets, where)
    return outlets


def _outlet(entry: Any, where: str, default_interval: int) -> OutletConfig:
    if not isinstance(entry, dict):
        raise SourceConfigError(f"{where}: 표(table)여야 합니다.")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourceConfigError(f"{where}: name(언론사 이름)이 필요합니다.")
    where = f"{where}({name})"
    domain = check_domain(entry.get("domain"), where)
    feeds = entry.get("feeds")
    if not isinstance(feeds, list) or not feeds:
        raise SourceConfigError(f"{where}: feeds 목록이 필요합니다.")
    mode = entry.get("display_mode")
    if mode is not None and mode not in DISPLAY_MODES:
        raise SourceConfigError(f"{where}: display_mode는 full 또는 excerpt 입니다.")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise SourceConfigError(f"{where}: enabled는 true 또는 false 입니다.")
    return OutletConfig(
        name=name.strip(), domain=domain,
        feeds=tuple(_feed(f, f"{where}: feeds[{i}]") for i, f in enumerate(feeds)),
        display_mode=mode, interval=_interval(entry.get("interval", default_interval), where),
        enabled=enabled, rules=_rules(entry.get("rules", {}), where),
    )


def _feed(entry: Any, where: str) -> FeedConfig:
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, dict):
        raise SourceConfigError(f"{where}: {{ url = ..., section = ... }} 형식이어야 합니다.")
    section = entry.get("section")
    if section is not None and (not isinstance(section, str) or len(section) > 64):
        raise SourceConfigError(f"{where}: section은 64자 이하의 문자열이어야 합니다.")
    return FeedConfig(url=check_feed_url(entry.get("url"), where), section=section or None)


def check_feed_url(url: Any, where: str = "피드") -> str:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceConfigError(f"{where}: url은 http(s) 주소여야 합니다: {str(url)[:100]!r}")
    return url.strip()


def check_domain(domain: Any, where: str = "언론사") -> str:
    if not isinstance(domain, str) or not _HOST.match(domain.strip().lower()):
        raise SourceConfigError(f"{where}: domain은 www.example.co.kr 같은 호스트 이름이어야 "
                                f"합니다: {str(domain)[:100]!r}")
    return domain.strip().lower()


def _interval(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < MIN_INTERVAL:
        raise SourceConfigError(f"{where}: interval은 {MIN_INTERVAL}초 이상의 정수여야 합니다.")
    return value


def _rules(rules: Any, where: str) -> dict[str, Any]:
    if not isinstance(rules, dict):
        raise SourceConfigError(f"{where}: rules는 표(table)여야 합니다.")
    unknown = sorted(set(rules) - set(RULE_KEYS))
    if unknown:
        raise SourceConfigError(f"{where}: 알 수 없는 rules 항목: {', '.join(unknown)} "
                                f"(가능: {', '.join(RULE_KEYS)})")
    for key, value in rules.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise SourceConfigError(f"{where}: rules.{key}는 CSS 선택자 문자열이어야 합니다.")
    return dict(rules)


def _no_duplicate_feeds(outlets: list[OutletConfig], where: str) -> None:
    seen: dict[str, str] = {}
    for outlet in outlets:
        for feed in outlet.feeds:
            if feed.url in seen:
                raise SourceConfigError(f"{where}: 같은 피드가 두 번 있습니다 ({seen[feed.url]}, "
                                        f"{outlet.name}): {feed.url}")
            seen[feed.url] = outlet.name


def rules_by_domain(outlets: list[OutletConfig]) -> dict[str, dict[str, Any]]:
    return {o.domain: o.rules for o in outlets if o.rules}
