"""Query parameters, checked strictly: anything malformed is a Korean 400, never a 500."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ranknews.store.board import BoardFilter

_NUMBER = re.compile(r"[1-9][0-9]{0,15}")  # below 2**53: safe for SQLite, PostgreSQL and JSON
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_SECTION_MAX = 64


class BadRequest(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


def positive_int(request: Request, name: str, label: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not _NUMBER.fullmatch(raw):
        raise BadRequest(f"{label} 값이 올바르지 않습니다: 1 이상의 정수를 적어 주세요.")
    return int(raw)


def page_number(request: Request) -> int:
    return positive_int(request, "page", "쪽 번호(page)") or 1


def board_filter(request: Request) -> BoardFilter:
    outlet = request.query_params.get("outlet") or None
    section = request.query_params.get("section") or None
    if outlet is not None and not _DOMAIN.fullmatch(outlet):
        raise BadRequest("언론사(outlet) 값이 올바르지 않습니다: "
                         "도메인(예: www.khan.co.kr)을 적어 주세요.")
    if section is not None and (len(section) > _SECTION_MAX or not section.isprintable()):
        raise BadRequest("분야(section) 값이 올바르지 않습니다.")
    return BoardFilter(outlet=outlet.lower() if outlet else None, section=section)
