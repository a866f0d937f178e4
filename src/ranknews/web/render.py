"""One context, two renderings: the HTML page and its JSON twin (as datasette does).

A view builds a plain context (dicts, lists, strings, numbers, datetimes) from a query function
in ``store/``; ``render`` turns it into HTML through a Jinja template or, when the path ends
in ``.json``, into JSON. The template sees exactly what the JSON shows, so the twins agree.
Templates are autoescaped: text that came from outside can never become markup.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ranknews.errors import NotFound

TEMPLATES = Path(__file__).with_name("templates")
log = logging.getLogger("ranknews.web")

# Sent with every page; no inline script or style anywhere, so the policy can be strict.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; img-src 'self' https: http:; "
    "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


# Badge colours for the labels outlets put in headlines ([단독], [속보]…).
_TAG_CLASSES = {"단독": "tag-exclusive", "속보": "tag-breaking", "종합": "tag-roundup",
                "포토": "tag-media", "영상": "tag-media", "사설": "tag-opinion",
                "인터뷰": "tag-opinion", "칼럼": "tag-opinion"}
# Characters XML 1.0 forbids; outside text may carry them and would break the feed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def tag_class(tag: str) -> str:
    return _TAG_CLASSES.get(tag, "tag-other")


def xml_text(value: Any) -> str:
    return _XML_FORBIDDEN.sub("", str(value or ""))


def make_environment(extra_dirs: tuple[Path, ...] = ()) -> Environment:
    env = Environment(
        loader=FileSystemLoader([*map(str, extra_dirs), str(TEMPLATES)]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["tag_class"] = tag_class
    env.filters["xml_text"] = xml_text
    return env


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# UTF-8, said so: a browser shows the Korean of a JSON twin as it is (no \u escapes in the
# body, and no guess at the encoding)
JSON_TYPE = "application/json; charset=utf-8"


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=json_default,
                      separators=(",", ":")).encode("utf-8")


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def render(request: Request, template: str, context: dict[str, Any], *,
           status: int = 200) -> Response:
    """The HTML page from ``template``, or its JSON twin when the path ends in .json."""
    if wants_json(request):
        return Response(dumps(context), status, media_type=JSON_TYPE)
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(site=request.app.state.site, **context)
    return HTMLResponse(html, status)


def json_path(path: str) -> str:
    """The JSON twin of a page path: ``/`` → ``/index.json``, ``/stories/12`` → ``.json``."""
    return "/index.json" if path == "/" else f"{path}.json"


def twin(path: str, endpoint: Callable[..., Any], name: str) -> list[Route]:
    """A page route and its JSON twin, served by the same endpoint."""
    return [Route(path, endpoint, name=name, methods=["GET", "HEAD"]),
            Route(json_path(path), endpoint, name=f"{name}.json", methods=["GET", "HEAD"])]


# --- errors readers may see: always Korean, never a traceback --------------------------------

_TITLES = {400: "잘못된 요청입니다", 401: "로그인이 필요합니다", 403: "거절된 요청입니다",
           413: "요청이 너무 큽니다", 429: "요청이 너무 많습니다", 404: "페이지를 찾을 수 없습니다",
           405: "허용되지 않는 요청입니다", 500: "일시적인 오류가 발생했습니다"}
_MESSAGES = {404: "요청하신 글이나 페이지가 없거나 삭제되었습니다.",
             405: "이 주소는 읽기만 할 수 있습니다.",
             500: "잠시 후 다시 시도해 주세요. 문제가 계속되면 운영자에게 알려 주세요."}


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    title = _TITLES.get(status, "요청을 처리할 수 없습니다")
    message = message or _MESSAGES.get(status, title)
    context = {"error": {"status": status, "title": title, "message": message}}
    try:
        response = render(request, "error.html", context, status=status)
    except Exception:  # the error page itself must not fail
        log.exception("error page failed")
        response = Response(f"{status} {title}", status, media_type="text/plain; charset=utf-8")
    response.headers.update(SECURITY_HEADERS)
    response.headers["cache-control"] = "no-store"
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code == 400 else None
    return error_page(request, exc.status_code, detail)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_page(request, 404, str(exc) if isinstance(exc, NotFound) else None)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s", request.url.path, exc_info=exc)
    return error_page(request, 500)
