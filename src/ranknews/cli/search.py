"""Search commands: search the index, catch up with the queue, rebuild the index.

The library's modules are imported inside the commands (Kiwi, the index's store): every
command of the CLI loads this module.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from ranknews.cli.common import (
    DataDirOption,
    DbOption,
    app,
    clean_errors,
    console,
    open_db,
    out,
    print_row,
    settings_from,
    terminal_text,
)
from ranknews.config import Settings

if TYPE_CHECKING:
    from ranknews.search.engine import RankingOptions


def ranking_options(settings: Settings) -> RankingOptions:
    from ranknews.search.engine import RankingOptions

    return RankingOptions(recency_weight=settings.search_recency_weight,
                                       half_life_hours=settings.search_half_life_hours,
                                       candidate_limit=settings.search_candidate_limit)


@app.command()
@clean_errors
def search(query: str = typer.Argument(..., help="검색어"),
           as_json: bool = typer.Option(False, "--json", help="One JSON array of hits "
                                        "([] when none)."),
           limit: int = typer.Option(20, "--limit", min=1, max=1000),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """기사를 검색합니다: 번호, 주소, 언론사, 제목, 점수 (best first)."""
    from ranknews.cli.work import waiting_note
    from ranknews.search import engine as search_engine
    from ranknews.search import parse_query
    from ranknews.text.analysis import shared_analyzer

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    parsed = parse_query(query, shared_analyzer(),
                         max_chars=settings.search_max_query_chars)
    with database.read() as conn:
        results = search_engine.search(conn, parsed, options=ranking_options(settings),
                                      limit=limit)
    if results.hits:  # counts on stderr: stdout stays the hits
        console.print(f"기사 {results.articles}건{' 이상' if results.capped else ''} · "
                      f"이야기 {results.stories}건", highlight=False)
    if as_json:
        # one JSON document, also when nothing is found ([]); printed as it is (print_json
        # would decode the escapes again), one hit a line
        hits = [json.dumps({"board_no": hit.board_no, "url": hit.url, "outlet": hit.outlet,
                            "title": hit.title, "score": hit.score,
                            "complete": hit.complete}, ensure_ascii=False)
                for hit in results.hits]
        document = "[\n" + ",\n".join(hits) + "\n]" if hits else "[]"
        out.print(terminal_text(document, markup=False), markup=False, highlight=False,
                  soft_wrap=True)
    shown_partial = False
    for hit in [] if as_json else results.hits:
        if not hit.complete and not shown_partial:
            console.print("일부 단어만 일치하는 결과:", highlight=False)
            shown_partial = True
        print_row(hit.board_no, hit.url, hit.outlet, hit.title, f"{hit.score:.4f}")
    if not results.hits and not as_json:
        console.print("검색 결과가 없습니다.")
    note = waiting_note(database)
    if note:
        console.print(note, highlight=False, soft_wrap=True)


@app.command()
@clean_errors
def index(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """기다리는 글을 지금 검색 색인에 넣습니다 (workers do it by themselves)."""
    from ranknews.cli.work import process_queue

    settings = settings_from(db, data_dir)
    process_queue(open_db(settings), settings, ("analysis", "search"), label="색인하는 중")


@app.command()
@clean_errors
def reindex(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """검색 색인을 처음부터 다시 만듭니다 (rebuild the whole search index)."""
    from ranknews.cli.work import process_queue
    from ranknews.pipeline.search import reindex as queue_every_post

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    queued = queue_every_post(database)
    out.print(f"검색 색인을 다시 만들 글 {queued}건")
    process_queue(database, settings, ("analysis", "search"), label="다시 색인하는 중")
