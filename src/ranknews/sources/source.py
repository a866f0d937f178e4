"""A source as the crawler sees it: one feed of one outlet, with its state and health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The health of a source in words, for readers (/sources) and operators (/admin).
HEALTH_WORDS = {"정상": "정상 수집 중", "경고": "일부 기사 오류", "오류": "수집 실패",
                "중지": "수집 중지", "대기": "첫 수집 대기"}


@dataclass(frozen=True)
class Source:
    id: int
    outlet: str
    domain: str
    feed_url: str
    section: str | None = None
    enabled: bool = True
    interval: int = 900
    origin: str = "config"  # config (the sources file) or operator (ranknews sources add)
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_error_kind: str | None = None
    last_error_url: str | None = None
    feed_problem: str | None = None
    failures: int = 0
    items_collected: int = 0
    recent_yield: float | None = None
    next_fetch_at: datetime | None = None
    operator_interval: int | None = None  # set in the console or CLI; wins over the file's

    @property
    def health(self) -> str:
        """정상 / 경고 / 오류 / 중지 / 대기: what an operator needs at a glance."""
        if not self.enabled:
            return "중지"
        if self.failures:
            return "오류"
        if self.last_success_at is None:
            return "대기"
        if self.feed_problem or (self.last_error_at and self.last_error_at >= self.last_success_at):
            return "경고"
        return "정상"


@dataclass
class SourceUpdate:
    """What one crawl of a source learnt; the store applies it in one transaction."""

    source_id: int
    url: str
    fetched_at: datetime
    next_fetch_at: datetime
    ok: bool
    inserted: int = 0
    recent_yield: float | None = None
    failures: int = 0
    etag: str | None = None
    last_modified: str | None = None
    keep_validators: bool = True
    error: str | None = None
    error_kind: str | None = None
    error_url: str | None = None
    error_status: int | None = None
    feed_problem: str | None = None
    not_modified: bool = False
