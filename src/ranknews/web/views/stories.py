"""The story page (``/stories/{id}``, JSON twin ``/stories/{id}.json``): one event's full
coverage — every outlet with headline and time, the first report, wire copies marked, and
which posts claimed [단독] and whether they were in fact first. Queries: ``store/stories.py``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ranknews.config import Settings
from ranknews.dedup.wire import is_wire_outlet
from ranknews.errors import NotFound
from ranknews.sources import is_sample_outlet
from ranknews.store.stories import Coverage, StoryView, story_of, story_sizes, story_view
from ranknews.web.format import full_time, zone
from ranknews.web.render import render, twin


def _post(c: Coverage, view: StoryView, settings: Settings) -> dict[str, Any]:
    return {
        "board_no": c.board_no,
        "url": f"/articles/{c.board_no}",
        "outlet": c.outlet,
        "outlet_domain": c.outlet_domain,
        "sample": is_sample_outlet(c.outlet_domain),
        "title": c.title,
        "tags": list(c.tags),
        "time": c.time,
        "when": full_time(c.time, zone(settings.timezone)),
        "first": c.board_no == view.first.board_no,
        "wire": c.is_wire,
        "wire_copy_of": c.wire_original,
    }


def story_context(view: StoryView, settings: Settings) -> dict[str, Any]:
    posts = [_post(c, view, settings) for c in view.coverage]
    return {
        "story": {
            "id": view.story_id,
            "title": view.first.title,
            "size": len(posts),
            "outlets": sorted({c.outlet for c in view.coverage}),
            "sample": any(p["sample"] for p in posts),
            "first": posts[0],
            "posts": posts,
            "exclusive_claims": [{"board_no": c.board_no, "outlet": c.outlet,
                                  "really_first": first}
                                 for c, first in view.exclusive_claims()],
        }
    }


def story(request: Request) -> Response:
    number = request.path_params["story_id"]
    if number > 2**31 - 1:
        raise NotFound(f"이야기 {number}번이 없습니다.")
    with request.app.state.db.read() as conn:
        try:
            view = story_view(conn, number, is_wire=is_wire_outlet)
        except NotFound:
            # a story's id is its first post's number: when an earlier report arrives late,
            # the story is the same but its id moves; the old address follows it
            moved = story_of(conn, number)
            if moved is None or moved == number:
                raise
            suffix = ".json" if request.url.path.endswith(".json") else ""
            return RedirectResponse(f"/stories/{moved}{suffix}", status_code=301)
    return render(request, "stories/story.html",
                  story_context(view, request.app.state.settings))


routes = [*twin("/stories/{story_id:int}", story, "story")]


def story_link(story_id: int | None, size: int) -> dict[str, Any] | None:
    """A board row's story link ("관련 기사 N건"), for a story of more than one post."""
    return ({"id": story_id, "size": size, "url": f"/stories/{story_id}"}
            if story_id is not None and size > 1 else None)


def annotate_rows(conn: Any, rows: list[dict[str, Any]]) -> None:
    """Add each board row's story (id, size, link: "관련 기사 N건") to its context; rows
    whose story was read with them (``store.board``) cost no query."""
    missing = [r for r in rows if "story" not in r]
    if not missing:
        return
    sizes = story_sizes(conn, [r["board_no"] for r in missing])
    for row in missing:
        row["story"] = story_link(*sizes.get(row["board_no"], (None, 1)))
