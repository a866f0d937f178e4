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

from ranknews.dates import DEFAULT_WINDOW, DateRejected, DateWindow, parse_date
from ranknews.errors import InvalidArticle
from ranknews.extract.subtitles import drop_subtitle_echo
from ranknews.limits import check_article, check_board_no, clean_text
from ranknews.models import Article, Block, Figure, Paragraph
from ranknews.sanitize import safe_url, strip_tags
from ranknews.text.headline import split_tags

REQUIRED = ("url", "outlet", "title", "published", "text")
SEOUL = ZoneInfo("Asia/Seoul")
# A control character or bidirectional override in a line, raw or as a JSON escape: only
# such lines pay for cleaning every string (limits.clean_text).
# Two patterns, each with what the regex engine scans fast: a literal prefix, a class.
_ESCAPED = re.compile(r"\\u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9])")
_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class LineError:
    path: str
    line_no: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line_no}: {self.message}"


def read_lines(lines: Iterable[str | bytes], path: str = "-", *, first_line_no: int = 1,
               window: DateWindow = DEFAULT_WINDOW) -> Iterator[Article | LineError]:
    """Yield an Article for each valid line and a LineError for each invalid one. A line
    given as bytes is decoded here, and refused when it is not UTF-8."""
    for _, item in read_numbered(lines, path, first_line_no=first_line_no, window=window):
        yield item


def read_numbered(lines: Iterable[str | bytes], path: str = "-", *, first_line_no: int = 1,
                  window: DateWindow = DEFAULT_WINDOW
                  ) -> Iterator[tuple[int, Article | LineError]]:
    """``read_lines`` with each result's line number."""
    for line_no, line in enumerate(lines, start=first_line_no):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = exc.object[exc.start:exc.start + 4]
                yield line_no, LineError(path, line_no, f"UTF-8이 아닌 바이트가 있습니다 "
                                                        f"({exc.start + 1}번째 바이트: {bad!r})")
                continue
        if not line.strip():
            continue
        if line_no == 1 and line.startswith("\ufeff"):
            line = line[1:]  # a byte order mark at the start of the file
        try:
            record = orjson.loads(line)
            if _RAW.search(line) or ("\\u" in line and _ESCAPED.search(line)):
                record = _cleaned(record)
            yield line_no, article_from_record(record, window=window)
        except orjson.JSONDecodeError as exc:
            yield line_no, LineError(path, line_no, f"JSON 형식 오류: {exc}")
        except InvalidArticle as exc:
            yield line_no, LineError(path, line_no, str(exc))


def _cleaned(value: Any) -> Any:
    """Every string of a decoded line without control characters (limits.clean_text)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _cleaned(v) for k, v in value.items()}
    return value


def article_from_record(record: Any, *, window: DateWindow = DEFAULT_WINDOW) -> Article:
    """Validate one imported record and build its Article; InvalidArticle says what is wrong.
    Types are checked, not coerced; dates must lie inside ``window``; lengths within
    ``limits.LIMITS``."""
    if not isinstance(record, dict):
        raise InvalidArticle("각 줄은 JSON 객체여야 합니다.")
    missing = [k for k in REQUIRED if k not in record or record[k] is None]
    if missing:
        raise InvalidArticle(f"필수 항목이 없습니다: {', '.join(missing)}")
    url = _url(record["url"], "url")
    tags, title = split_tags(_text(record["title"], "title"))
    if not title:
        raise InvalidArticle("제목(title)이 비어 있습니다.")
    extra_tags = tuple(_text(t, "tags").strip("[]() ") for t in _list(record, "tags"))
    domain = record.get("outlet_domain")
    subtitles = tuple(t for t in (_text(s, "subtitles") for s in _list(record, "subtitles"))
                      if t)
    return check_article(Article(
        url=url,
        canonical_url=_url(record["canonical_url"], "canonical_url")
        if record.get("canonical_url") else None,
        outlet=_text(record["outlet"], "outlet") or _fail("언론사(outlet)가 비어 있습니다."),
        outlet_domain=_text(domain, "outlet_domain") if domain else
        (urlsplit(url).hostname or ""),
        title=title,
        tags=tuple(t for t in dict.fromkeys((*tags, *extra_tags)) if t),
        subtitles=subtitles,
        authors=_authors(record.get("authors")),
        published_at=parse_time(record["published"], "published", window),
        updated_at=parse_time(record["updated"], "updated", window)
        if record.get("updated") else None,
        collected_at=parse_time(record["collected"], "collected", window)
        if record.get("collected") else None,
        section=_text(record["section"], "section") or None if record.get("section") else None,
        summary=_text(record.get("summary") or "", "summary"),
        blocks=drop_subtitle_echo(_blocks(record), subtitles) if subtitles else _blocks(record),
        board_no=check_board_no(record.get("board_no")),
    ))


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
    if any(not isinstance(v, str) for v in value):
        raise InvalidArticle(f"{name}의 항목은 문자열이어야 합니다.")
    return value


def _authors(value: Any) -> tuple[str, ...]:
    if not value:
        return ()
    names = value.replace("·", ",").split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or any(not isinstance(x, str) for x in names):
        raise InvalidArticle("authors는 문자열이나 문자열의 목록이어야 합니다.")
    return tuple(n for n in (_text(x, "authors") for x in names) if n)


def _blocks(record: dict[str, Any]) -> tuple[Block, ...]:
    if record.get("blocks"):
        if not isinstance(record["blocks"], list) or not all(
                isinstance(b, dict) for b in record["blocks"]):
            raise InvalidArticle("blocks는 객체의 목록이어야 합니다.")
        return tuple(_clean_block(_block(b)) for b in record["blocks"])
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


def parse_time(value: Any, name: str, window: DateWindow = DEFAULT_WINDOW) -> datetime:
    """ISO 8601 inside ``window``; a time without zone is Korean time; a bare date is
    midnight in Seoul (``ranknews.dates.parse_date``)."""
    if not isinstance(value, str):
        raise InvalidArticle(f"{name}은(는) ISO 8601 날짜 문자열이어야 합니다.")
    try:
        return parse_date(value, window=window, default_tz=SEOUL).astimezone(timezone.utc)
    except DateRejected as exc:
        raise InvalidArticle(f"{name}: {exc}") from None


def _block(data: dict[str, Any]) -> Block:
    """A block of the line, its fields checked to be strings (never coerced)."""
    figure = data.get("kind") == "figure" or "image_url" in data
    names = ("image_url", "caption", "credit") if figure else ("text",)
    values = {n: data.get(n) or "" for n in names}
    if any(not isinstance(v, str) for v in values.values()):
        raise InvalidArticle(f"blocks의 {'/'.join(names)}은(는) 문자열이어야 합니다.")
    return Figure(**values) if figure else Paragraph(values["text"])
