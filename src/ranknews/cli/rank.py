"""Commands of ranking: trending keywords as of a moment, and the rank update.

The library's modules are imported inside the commands: every command loads this module.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    open_db,
    out,
    settings_from,
)


def parse_moment(text: str, tz: str) -> datetime:
    """A moment from the command line: ISO date-time (local time when no offset is given),
    or a date alone, meaning the end of that day."""
    zone = ZoneInfo(tz)
    try:
        if len(text.strip()) == 10:
            day = datetime.fromisoformat(text.strip()).date()
            return datetime.combine(day + timedelta(days=1), time(), zone) - timedelta(seconds=1)
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"시각을 해석할 수 없습니다: {text!r} (예: 2026-01-13 또는 "
                         "2026-01-13T18:00)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@app.command()
@clean_errors
def trends(at: str = typer.Option(None, "--at", help="Moment (ISO; default now), local time."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON."),
           limit: int = typer.Option(10, "--limit", min=1, max=50),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """실시간 이슈 키워드: 주어진 시각 기준 급상승 키워드를 보여 줍니다."""
    from ranknews.pipeline.rank import trends_page
    from ranknews.pipeline.work import drain

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    zone = ZoneInfo(settings.timezone)
    moment = parse_moment(at, settings.timezone) if at else datetime.now(zone)
    drain(database, settings, stages=("analysis", "stories", "rank", "trend_day"))
    payload = trends_page(database, moment, timezone=settings.timezone, limit=limit)
    if as_json:
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    local = moment.astimezone(ZoneInfo(settings.timezone))
    out.print(f"실시간 이슈 키워드 ({local:%Y.%m.%d %H:%M} 기준, 최근 24시간)")
    if not payload["keywords"]:
        out.print("급상승 키워드가 없습니다 (해당 시간의 기사가 없거나 너무 적습니다).")
    for item in payload["keywords"]:
        related = f" ({' · '.join(item['related'])})" if item["related"] else ""
        out.print(f"{item['rank']:2d}. {item['display']}{related}  "
                  f"기사 {item['article_count']}건 · 언론사 {len(item['outlets'])}곳 · "
                  f"평소 {item['expected']:.1f} → {item['count']}", highlight=False)


@app.command("rank-update")
@clean_errors
def rank_update(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """새 글의 키워드·섹션을 지금 계산하고 순위와 실시간 이슈 키워드를 갱신합니다."""
    from ranknews.pipeline.rank import update_rank

    settings = settings_from(db, data_dir)
    report = update_rank(open_db(settings), settings)
    out.print(f"순위를 매긴 글 {report.indexed}건, 다시 센 날 {report.days}일")
    if report.refiled:
        out.print(f"새 섹션 분류 모델로 섹션이 바뀐 글 {report.refiled}건")
