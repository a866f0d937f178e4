"""A source as the crawler sees it: one feed of one outlet, with its state and health
(``models.Source``; what one crawl learnt of it: ``models.SourceUpdate``)."""

from ranknews.models import Source, SourceUpdate

# The health of a source in words, for readers (/sources) and operators (/admin).
HEALTH_WORDS = {"정상": "정상 수집 중", "경고": "일부 기사 오류", "오류": "수집 실패",
                "중지": "수집 중지", "대기": "첫 수집 대기"}

__all__ = ["HEALTH_WORDS", "Source", "SourceUpdate"]
