"""Stories in the console (editors and admins): look a story up by its number or by one of
its posts, merge two stories or split posts off one, each with a preview of the result
first. Decisions are ``story_links`` rows, as ``ranknews story merge/split`` writes them, so
they survive re-clustering."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ranknews.errors import NotFound
from ranknews.pipeline.stories import merge_stories, split_story
from ranknews.store import stories as story_store
from ranknews.store.articles import check_reason
from ranknews.store.console import story_posts
from ranknews.web.admin.common import (
    FormError,
    action,
    admin_render,
    done,
    json_error,
    number,
    page,
    text,
    when,
)
from ranknews.web.admin.guard import AdminState
from ranknews.web.render import wants_json


def _story(request: Request, conn: Any, story_id: int | None) -> dict[str, Any] | None:
    if story_id is None:
        return None
    posts = story_posts(conn, story_id)
    if not posts:
        raise NotFound(f"이야기 {story_id}번이 없습니다.")
    return {"id": story_id, "title": posts[0]["title"], "size": len(posts),
            "posts": [{"board_no": p["board_no"], "title": p["title"], "outlet": p["outlet"],
                       "hidden": p["hidden_at"] is not None, "time": when(request, p["time"])}
                      for p in posts]}


def _param(request: Request, name: str, label: str) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    return number(raw, label) if raw else None


def stories_page(request: Request, state: AdminState, form: FormData | None, *,
                 error: str | None = None, status: int = 200) -> Response:
    context: dict[str, Any] = {"error": error, "story": None, "merge": None, "split": None}
    try:
        post = _param(request, "post", "글 번호")
        story_id = _param(request, "story", "이야기 번호")
        keep = _param(request, "keep", "남길 이야기")
        other = _param(request, "other", "합칠 이야기")
        moving = [number(m, "옮길 글 번호") for m in request.query_params.getlist("move")][:200]
        with request.app.state.db.read() as conn:
            if post is not None and story_id is None:
                story_id = story_store.story_of(conn, post)
                if story_id is None:
                    raise NotFound(f"{post}번 글은 아직 이야기에 묶이지 않았습니다.")
            context["story"] = _story(request, conn, story_id)
            if keep is not None and other is not None:
                context["merge"] = _merge_preview(request, conn, keep, other)
            if context["story"] is not None and moving:
                context["split"] = _split_preview(context["story"], moving)
    except (FormError, NotFound, ValueError) as exc:
        context["error"] = error or str(exc)
        status = status if error else 404 if isinstance(exc, NotFound) else 400
    return admin_render(request, state, "admin/stories.html", context, status=status)


def _merge_preview(request: Request, conn: Any, keep: int, other: int) -> dict[str, Any]:
    if keep == other:
        raise FormError("같은 이야기끼리는 합칠 수 없습니다.")
    kept, joining = _story(request, conn, keep), _story(request, conn, other)
    assert kept is not None and joining is not None
    result = sorted(kept["posts"] + joining["posts"], key=lambda p: p["board_no"])
    return {"keep": kept, "other": joining, "result": {"id": keep, "size": len(result),
                                                        "posts": result}}


def _split_preview(story: dict[str, Any], moving: list[int]) -> dict[str, Any]:
    numbers = {p["board_no"] for p in story["posts"]}
    unknown = [m for m in moving if m not in numbers]
    if unknown:
        raise FormError(f"이 이야기에 없는 글입니다: {', '.join(map(str, unknown))}")
    leaving = [p for p in story["posts"] if p["board_no"] in moving]
    staying = [p for p in story["posts"] if p["board_no"] not in moving]
    if not staying:
        raise FormError("모든 글을 옮길 수는 없습니다. 남는 글이 있어야 합니다.")
    return {"story": story["id"], "moving": sorted(moving), "staying": staying,
            "leaving": leaving, "new_id": min(moving)}


def _failed(request: Request, state: AdminState, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotFound) else 400
    if wants_json(request):
        return json_error(str(exc), status)
    return stories_page(request, state, None, error=str(exc), status=status)


def merge(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        keep = number(text(form, "keep", limit=15), "남길 이야기")
        other = number(text(form, "other", limit=15), "합칠 이야기")
        reason = check_reason(text(form, "reason", limit=20_000))
        moved = merge_stories(request.app.state.db, keep, other, reason,
                              actor=f"user:{state.session.user.name}")  # type: ignore
    except (FormError, NotFound, ValueError) as exc:
        return _failed(request, state, exc)
    return done(request, state, f"이야기 {other}번의 글 {moved}건을 {keep}번에 합쳤습니다.",
                f"/admin/stories?story={keep}", story=keep, moved=moved)


def split(request: Request, state: AdminState, form: FormData | None) -> Response:
    try:
        story_id = number(text(form, "story", limit=15), "이야기 번호")
        moving = [number(m, "옮길 글 번호") for m in
                  (form.getlist("move") if form is not None else [])
                  if isinstance(m, str)][:200]
        if not moving:
            raise FormError("옮길 글을 하나 이상 고르세요.")
        reason = check_reason(text(form, "reason", limit=20_000))
        new_id = split_story(request.app.state.db, story_id, moving, reason,
                             actor=f"user:{state.session.user.name}")  # type: ignore
    except (FormError, NotFound, ValueError) as exc:
        return _failed(request, state, exc)
    return done(request, state, f"글 {len(moving)}건을 새 이야기 {new_id}번으로 옮겼습니다.",
                f"/admin/stories?story={new_id}", story=new_id)


routes = [
    *page("/admin/stories", stories_page, role="editor", name="admin.stories"),
    *action("/admin/stories/merge", merge, role="editor", name="admin.stories.merge"),
    *action("/admin/stories/split", split, role="editor", name="admin.stories.split"),
]
