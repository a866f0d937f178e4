"""``ranknews extract PAGE.html --url URL``: what the extractor makes of one saved page.

Operators use it to check a new source before adding it: the JSON shows the headline, tags,
byline, times and the body blocks exactly as they would be stored.

Exit codes: 0 an article was found (its JSON on standard output); 1 the file cannot be read;
3 the page holds no article (a list page, an error page, an empty shell): a Korean message
says why, and nothing is printed on standard output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ranknews.cli.common import app, clean_errors, console
from ranknews.errors import ExtractionError, NoArticleFound
from ranknews.models import Article

_MAX_PAGE_BYTES = 50 * 1024 * 1024
EXIT_NO_ARTICLE = 3


def article_json(article: Article) -> dict[str, Any]:
    """The article as the command prints it; ``text`` is the body, one paragraph a line."""
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "outlet": article.outlet,
        "title": article.title,
        "tags": list(article.tags),
        "headline": article.extra.get("headline", article.display_title),
        "subtitles": list(article.subtitles),
        "authors": list(article.authors),
        "published": article.published_at.isoformat() if article.published_at else None,
        "updated": article.updated_at.isoformat() if article.updated_at else None,
        "section": article.section,
        "summary": article.summary,
        "blocks": article.blocks_as_dicts(),
        "text": article.text,
    }


def read_page(path: Path, content_type: str | None = None) -> str:
    """A saved page's text, decoded as the fetcher would; Korean error when unreadable."""
    from ranknews.extract import decode_html  # the extractor loads only for this command

    try:
        if path.stat().st_size > _MAX_PAGE_BYTES:
            raise ExtractionError(f"페이지 파일이 너무 큽니다 (50MB 초과): {path}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"페이지 파일을 찾을 수 없습니다: {path}") from None
    except IsADirectoryError:
        raise ExtractionError(f"파일이 아니라 폴더입니다: {path}") from None
    except OSError as exc:
        raise ExtractionError(f"페이지 파일을 읽을 수 없습니다: {path} ({exc.strerror})") from None
    if not data.strip():
        raise ExtractionError(f"페이지 파일이 비어 있습니다: {path}")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError(f"HTML 파일이 아닙니다 (바이너리 파일): {path}")
    return decode_html(data, content_type)


@app.command()
@clean_errors
def extract(
    page: Path = typer.Argument(..., help="A saved article page (HTML file)."),
    url: str = typer.Option("", "--url", help="The page's address (for links and images)."),
    content_type: str = typer.Option(None, "--content-type",
                                     help='HTTP Content-Type, e.g. "text/html; charset=euc-kr".'),
) -> None:
    """저장한 기사 페이지에서 기사를 추출해 JSON으로 보여줍니다 (extract one page).

    종료 코드: 0 기사 추출, 1 파일 오류, 3 기사가 없는 페이지(목록·오류 페이지).
    """
    from ranknews.extract import extract_article

    try:
        article = extract_article(read_page(page, content_type), url)
    except NoArticleFound as exc:
        console.print(f"[red]기사 없음:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_NO_ARTICLE) from None
    if not article.url:
        article.url = article.canonical_url or ""
    typer.echo(json.dumps(article_json(article), ensure_ascii=False, indent=2))
