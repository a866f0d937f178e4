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
    counting_progress,
    open_db,
    out,
    settings_from,
    terminal_text,
)
from ranknews.config import Settings

if TYPE_CHECKING:
    from ranknews.search import Indexer
    from ranknews.store.search import RankingOptions


def ranking_options(settings: Settings) -> RankingOptions:
    from ranknews.store.search import RankingOptions

    return RankingOptions(recency_weight=settings.search_recency_weight,
                                       half_life_hours=settings.search_half_life_hours,
                                       candidate_limit=settings.search_candidate_limit)


def make_indexer(settings: Settings) -> Indexer:
    from ranknews.search import Indexer
    from ranknews.text.analysis import Analyzer

    return Indexer(Analyzer(num_workers=settings.search_index_workers),
                   analysis_chars=settings.search_analysis_chars,
                   body_chars=settings.search_body_chars)


@app.command()
@clean_errors
def search(query: str = typer.Argument(..., help="검색어"),
           as_json: bool = typer.Option(False, "--json", help="JSON Lines output."),
           limit: int = typer.Option(20, "--limit", min=1, max=1000),
           db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """기사를 검색합니다: 번호, 주소, 언론사, 제목, 점수 (best first)."""
    from ranknews.search import parse_query
    from ranknews.store import search as search_store
    from ranknews.text.analysis import shared_analyzer

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    parsed = parse_query(query, shared_analyzer(),
                         max_chars=settings.search_max_query_chars)
    with database.read() as conn:
        results = search_store.search(conn, parsed, options=ranking_options(settings),
                                      limit=limit)
    for hit in results.hits:
        if as_json:
            line = json.dumps({"board_no": hit.board_no, "url": hit.url, "outlet": hit.outlet,
                               "title": hit.title, "score": hit.score}, ensure_ascii=False)
            # printed as it is (print_json would decode the escapes again)
            out.print(terminal_text(line, markup=False), markup=False, highlight=False,
                      soft_wrap=True)
        else:
            # text from outside: no control character reaches the terminal
            line = f"{hit.board_no}\t{hit.url}\t{hit.outlet}\t{hit.title}\t{hit.score:.4f}"
            out.print(terminal_text(line, markup=False), highlight=False, markup=False,
                      soft_wrap=True)
    if not results.hits and not as_json:
        console.print("검색 결과가 없습니다.")


def _run_indexing(db: str | None, data_dir: str | None, *, full: bool) -> int:
    """Index the posts waiting in the queue, or (``full``) rebuild the whole index, with a
    progress bar; returns how many posts were indexed."""
    from ranknews.pipeline.search import index_pending
    from ranknews.pipeline.search import reindex as rebuild_index
    from ranknews.store import search as search_store

    settings = settings_from(db, data_dir)
    database = open_db(settings)
    with database.read() as conn:
        total = (search_store.article_count if full else search_store.queue_length)(conn)
    indexer = make_indexer(settings)
    with counting_progress() as progress:
        task = progress.add_task("다시 색인하는 중" if full else "색인하는 중", total=total)
        step = rebuild_index if full else index_pending
        return step(database, indexer, on_progress=lambda n: progress.advance(task, n))


@app.command()
@clean_errors
def index(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """검색 색인 대기열을 처리합니다 (index posts saved since the last run)."""
    out.print(f"검색 색인 완료: {_run_indexing(db, data_dir, full=False)}건")


@app.command()
@clean_errors
def reindex(db: str = DbOption, data_dir: str = DataDirOption) -> None:
    """검색 색인을 처음부터 다시 만듭니다 (rebuild the whole search index)."""
    out.print(f"검색 색인을 다시 만들었습니다: {_run_indexing(db, data_dir, full=True)}건")
