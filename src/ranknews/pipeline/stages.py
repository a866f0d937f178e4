"""The stages behind ingest, as workers run them (``pipeline.work``).

A ``PostStage`` works on claimed tasks in two steps: ``prepare`` reads what it needs and
computes (Kiwi, the section classifier…) outside any transaction; ``write`` stores the result
in the transaction that also completes the tasks, and says which post version each task was
done for. Every stage overwrites what it wrote before for the same subject, so a task done
twice changes nothing.

A ``HeldStage`` is run by one worker at a time, which holds it (``store.tasks.hold``):
the story assigner, whose state is the open time window.

Stage by stage (the data's way):
1. ``analysis`` (``pipeline.analysis``): Kiwi once per post version: terms, names, numbers
   and the keyword phrases of the headline and lead; then the post's other stages may run.
2. ``stories`` (``pipeline.stories``): the story assigner settles the stories of the time
   buckets that received posts; wire copies.
3. ``rank`` (``pipeline.rank``): a post's keywords and section; the days it counts in
   (``trend_day``) and the precomputed rank and trends pages (``refresh``) follow.
4. ``search`` (``pipeline.search``): the post's search document.
"""

from __future__ import annotations

import importlib
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Sequence, runtime_checkable

from ranknews.config import Settings

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ranknews.store import Database
    from ranknews.store.tasks import Task


class PostStage(Protocol):
    name: str
    batch_size: int

    def prepare(self, db: Database, tasks: list[Task]) -> Any: ...

    def write(self, conn: Connection, prepared: Any, now: datetime
              ) -> list[tuple[Task, str]]: ...


@runtime_checkable
class HeldStage(Protocol):
    name: str

    def step(self, db: Database, stop: threading.Event | None = None) -> int: ...

    def close(self, db: Database) -> None: ...


# How operators read the stages (ranknews status, /sources, the console).
STAGE_NAMES = {"crawl": "수집", "analysis": "형태소 분석", "stories": "이야기 묶기",
               "rank": "순위·섹션", "search": "검색 색인", "trend_day": "날짜별 키워드",
               "refresh": "순위·이슈 페이지"}

_MAKERS = {
    "analysis": ("ranknews.pipeline.analysis", "AnalysisStage"),
    "stories": ("ranknews.pipeline.stories", "StoryAssigner"),
    "rank": ("ranknews.pipeline.rank", "RankStage"),
    "search": ("ranknews.pipeline.search", "SearchStage"),
    "trend_day": ("ranknews.pipeline.rank", "TrendDayStage"),
    "refresh": ("ranknews.pipeline.rank", "RefreshStage"),
}


def make_stages(settings: Settings, names: Sequence[str], worker: str) -> list[Any]:
    """The stages ``names``, configured from ``settings``, for the worker named ``worker``."""
    stages = []
    for name in names:
        module, cls = _MAKERS[name]
        stages.append(getattr(importlib.import_module(module), cls)(settings, worker))
    return stages
