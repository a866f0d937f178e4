"""Reading ``ranknews cluster`` input: one article a line (id, url, outlet, title, text,
published), where ``published`` may be null or a date or a date-time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Iterator

from ranknews.errors import InvalidArticle
from ranknews.text.headline import split_tags

if TYPE_CHECKING:
    from ranknews.stories.cluster import StoryClusterer
    from ranknews.text.analysis import Analysis, Analyzer


@dataclass(frozen=True, slots=True)
class ClusterInput:
    id: str
    title: str
    text: str
    published: datetime | None


def read_cluster_input(lines: Iterable[str], source: str = "-") -> Iterator[ClusterInput]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            yield ClusterInput(id=str(data["id"]), title=str(data.get("title") or ""),
                               text=str(data.get("text") or ""),
                               published=_time(data.get("published")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidArticle(f"{source}:{number}: 읽을 수 없는 줄입니다 ({exc}).") from exc


def _time(value: object) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def cluster_inputs(inputs: list[ClusterInput], clusterer: "StoryClusterer",
                   analyzer: "Analyzer") -> list[tuple[str, str]]:
    """(id, story) for each input in order: analysis, then the production ``cluster_stream``."""
    return cluster_analysed(inputs, analyse_inputs(inputs, analyzer), clusterer)


def analyse_inputs(inputs: list[ClusterInput], analyzer: "Analyzer") -> list["Analysis"]:
    # labels ([포토], (종합)) leave the headline, as they do on import
    return analyzer.analyze_many([(split_tags(i.title)[1], i.text) for i in inputs])


def cluster_analysed(inputs: list[ClusterInput], analyses: list["Analysis"],
                     clusterer: "StoryClusterer") -> list[tuple[str, str]]:
    """(id, story) for analysed inputs, through the production ``cluster_stream``."""
    from ranknews.stories.cluster import ClusterItem, cluster_stream
    from ranknews.stories.signals import signals_from

    items = [ClusterItem(i.id, signals_from(a, i.published)) for i, a in zip(inputs, analyses)]
    return [(key, story) for key, story, _ in cluster_stream(clusterer, items)]
