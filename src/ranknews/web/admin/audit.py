"""The audit log in the console: newest first, paged by id, filtered by action or actor;
exported as JSON Lines (/admin/audit.jsonl). Read-only: no route changes it."""

from __future__ import annotations

import json
from typing import Any, Iterator

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ranknews.store.audit import ACTIONS, AuditEntry, entries, export
from ranknews.web.admin.common import FormError, admin_render, number, page, when
from ranknews.web.admin.guard import AdminState

PAGE = 50


def _entry(request: Request, e: AuditEntry) -> dict[str, Any]:
    return {**e.as_dict(), "time": when(request, e.at),
            "action_name": ACTIONS.get(e.action, e.action),
            "before_text": _show(e.before), "after_text": _show(e.after)}


def _show(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def audit_page(request: Request, state: AdminState, form: FormData | None) -> Response:
    error = None
    action = request.query_params.get("action") or None
    actor = (request.query_params.get("actor") or "").strip()[:200] or None
    try:
        raw = request.query_params.get("before") or ""
        before = number(raw, "before") if raw else None
    except FormError as exc:
        error, before = str(exc), None
    if action is not None and action not in ACTIONS:
        error, action = "알 수 없는 종류입니다.", None
    with request.app.state.db.read() as conn:
        rows = entries(conn, before_id=before, limit=PAGE, action=action, actor=actor)
    context = {"entries": [_entry(request, e) for e in rows], "actions": ACTIONS,
               "action": action, "actor": actor, "error": error,
               "older": rows[-1].id if len(rows) == PAGE else None}
    return admin_render(request, state, "admin/audit.html", context,
                        status=400 if error else 200)


def audit_export(request: Request, state: AdminState, form: FormData | None) -> Response:
    db = request.app.state.db

    def lines() -> Iterator[bytes]:
        with db.read() as conn:
            for entry in export(conn):
                yield (json.dumps(entry.as_dict(), ensure_ascii=False) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/jsonl; charset=utf-8",
                             headers={"content-disposition":
                                      'attachment; filename="ranknews-audit.jsonl"'})


routes = [
    *page("/admin/audit", audit_page, role="editor", name="admin.audit"),
    *page("/admin/audit/export", audit_export, role="editor", name="admin.audit.export",
          json_path="/admin/audit.jsonl"),
]
