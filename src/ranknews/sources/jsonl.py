"""The JSON Lines import format (documented in README.md, "Import format").

One JSON object a line. Required: ``url``, ``outlet``, ``title``, ``published``, ``text``
(``text`` may be empty for a headline-only post). Optional: ``outlet_domain``,
``canonical_url``, ``subtitles``, ``authors``, ``updated``, ``section``, ``summary``,
``tags``, ``blocks`` (paragraph/figure objects, used instead of ``text``), ``html``
(body HTML, sanitized and used instead of ``text``), ``board_no``, ``collected``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import orjson

from ranknews.errors import InvalidArticle
from ranknews.extract.subtitles import drop_subtitle_echo
from ranknews.models import Article, Block, Figure, Paragraph, block_from_dict
from ranknews.sanitize import safe_url, strip_tags
from ranknews.text.headline import split_tags

REQUIRED = ("url", "outlet", "title", "published", "text")
SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class LineError:
    path: str
    line_no: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line_no}: {self.message}"


def read_lines(lines: Iterable[str], path: str = "-", *,
               first_line_no: int = 1) -> Iterator[Article | LineError]:
    """Yield an Article for each valid line and a LineError for each invalid one."""
    for line_no, line in enumerate(lines, start=first_line_no):
        if not line.strip():
            continue
        try:
            yield article_from_record(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            yield LineError(path, line_no, f"JSON 형식 오류: {exc}")
        except InvalidArticle as exc:
            yield LineError(path, line_no, str(exc))


def article_from_record(record: Any) -> Article:
    """Validate one imported record and build its Article; InvalidArticle says what is wrong."""
    if not isinstance(record, dict):
        raise InvalidArticle("각 줄은 JSON 객체여야 합니다.")
    missing = [k for k in REQUIRED if k not in record or record[k] is None]
    if missing:
        raise InvalidArticle(f"필수 항목이 없습니다: {', '.join(missing)}")
    url = _url(record["url"], "url")
    tags, title = split_tags(_text(record["title"], "title"))
    if not title:
        raise InvalidArticle("제목(title)이 비어 있습니다.")
    extra_tags = tuple(str(t).strip("[]() ") for t in _list(record, "tags"))
    board_no = record.get("board_no")
    if board_no is not None and (not isinstance(board_no, int) or board_no <= 0):
        raise InvalidArticle("board_no는 양의 정수여야 합니다.")
    subtitles = tuple(_text(s, "subtitles") for s in _list(record, "subtitles") if s)
    return Article(
        url=url,
        canonical_url=_url(record["canonical_url"], "canonical_url")
        if record.get("canonical_url") else None,
        outlet=_text(record["outlet"], "outlet") or _fail("언론사(outlet)가 비어 있습니다."),
        outlet_domain=str(record.get("outlet_domain") or urlsplit(url).hostname or ""),
        title=title,
        tags=tuple(dict.fromkeys((*tags, *extra_tags))),
        subtitles=subtitles,
        authors=_authors(record.get("authors")),
        published_at=parse_time(record["published"], "published"),
        updated_at=parse_time(record["updated"], "updated") if record.get("updated") else None,
        collected_at=parse_time(record["collected"], "collected")
        if record.get("collected") else None,
        section=_text(record["section"], "section") or None if record.get("section") else None,
        summary=_text(record.get("summary") or "", "summary"),
        blocks=drop_subtitle_echo(_blocks(record), subtitles) if subtitles else _blocks(record),
        board_no=board_no,
    )


def _fail(message: str) -> Any:
    raise InvalidArticle(message)


def _url(value: Any, name: str) -> str:
    url = safe_url(value if isinstance(value, str) else None)
    if url is None:
        raise InvalidArticle(f"{name}은(는) http(s) 주소여야 합니다: {str(value)[:80]!r}")
    return url


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidArticle(f"{name}은(는) 문자열이어야 합니다.")
    return " ".join(strip_tags(value).split()) if "<" in value else " ".join(value.split())


def _list(record: dict[str, Any], name: str) -> list[Any]:
    value = record.get(name) or []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise InvalidArticle(f"{name}은(는) 목록이어야 합니다.")
    return value


def _authors(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    names = value.replace("·", ",").split(",") if isinstance(value, str) else value
    if not isinstance(names, list):
        raise InvalidArticle("authors는 문자열이나 목록이어야 합니다.")
    return tuple(n for n in (_text(str(x), "authors") for x in names) if n)


def _blocks(record: dict[str, Any]) -> tuple[Block, ...]:
    if record.get("blocks"):
        if not isinstance(record["blocks"], list) or not all(
                isinstance(b, dict) for b in record["blocks"]):
            raise InvalidArticle("blocks는 객체의 목록이어야 합니다.")
        return tuple(_clean_block(block_from_dict(b)) for b in record["blocks"])
    if record.get("html"):
        from ranknews.extract.blocks import html_to_blocks  # the extractor, only when needed
        return html_to_blocks(_text_raw(record["html"], "html"))
    text = strip_markup(_text_raw(record["text"], "text"))
    lines = text.splitlines()
    if "  " not in text and not _IN_LINE_SPACE.search(text):
        lines = [line.strip(" ") for line in lines]  # already tidy inside: one check a text
    else:
        lines = [_tidy(line) for line in lines]
    return tuple(Paragraph(p) for p in lines if p)


# Every character str.split() splits on, except the plain space (tests/test_import.py checks).
ODD_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{ODD_SPACES}]")
# the odd spaces that do not end a line for str.splitlines()
_IN_LINE_SPACE = re.compile("[\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def _tidy(line: str) -> str:
    """Whitespace runs as one space, none at the ends. Most lines are already so, and these
    checks cost less than splitting every line into words."""
    if "  " in line or line[:1] == " " or line[-1:] == " " or _ODD_SPACE.search(line):
        return " ".join(line.split())
    return line


def _text_raw(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidArticle(f"{name}은(는) 문자열이어야 합니다.")
    return value


def strip_markup(text: str) -> str:
    """Plain text keeps its lines; any markup in it is removed rather than trusted."""
    if "<" not in text:
        return text
    return "\n".join(strip_tags(line) for line in text.splitlines())


def _plain(text: str) -> str:
    # strip_tags (nh3) only when there can be markup or entities: it is the costly step
    return strip_tags(text) if "<" in text or "&" in text else " ".join(text.split())


def _clean_block(block: Block) -> Block:
    if isinstance(block, Figure):
        url = safe_url(block.image_url)
        if url is None:
            raise InvalidArticle(f"그림 주소가 올바르지 않습니다: {block.image_url[:80]!r}")
        return Figure(url, _plain(block.caption), _plain(block.credit))
    return Paragraph(strip_tags(block.text) if "<" in block.text else block.text)


def parse_time(value: Any, name: str) -> datetime:
    """ISO 8601; a time without zone is Korean time; a bare date is midnight in Seoul."""
    if not isinstance(value, str):
        raise InvalidArticle(f"{name}은(는) ISO 8601 날짜 문자열이어야 합니다.")
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text.replace(".", "-", 2) if _dotted(text) else text)
    except ValueError:
        raise InvalidArticle(f"{name} 날짜를 해석할 수 없습니다: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SEOUL)
    return parsed.astimezone(timezone.utc)


def _dotted(text: str) -> bool:
    # "2024.06.16" and "2024.06.16 10:30", as Korean sites write dates
    return len(text) >= 10 and text[4] == "." and text[7] == "."
