"""One page → one Article: structured data first, then the body from the markup.

Fallback order (each step is used only when the ones before it gave nothing usable):

Metadata (headline, byline, times, section, canonical URL, summary)
  1. JSON-LD ``NewsArticle``/``Article`` objects (top level, lists, ``@graph``);
  2. embedded JSON articles (Arc XP ``content_elements``, e.g. chosun.com);
  3. Open Graph / ``article:*`` meta tags, then other meta tags (``author``, ``dable:*``…);
  4. the markup: ``<title>``/``<h1>``, ``<time>``, "입력 2024.06.16 09:00" text, and
     "홍길동 기자" bylines in the body's first and last lines.
Body (ordered paragraphs and figures)
  1. the outlet's rule (``rules``: domain → body selector), when it matches prose;
  2. the embedded JSON article, when it carries at least a paragraph of text;
  3. the highest-scoring container of the markup (``content.ContentScorer``);
  4. the same scorer ignoring class/id hints, when (3) found less than a short paragraph
     (a body container whose class name looks like page furniture);
  5. JSON-LD ``articleBody``, when it is much longer than what (3)/(4) found;
  6. the page's description as a single paragraph.
Then the Korean cleanup (``cleanup.clean_blocks``) runs on whichever body won.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ranknews.dates import (
    DEFAULT_WINDOW,
    DateOutOfWindow,
    DateRejected,
    DateWindow,
    parse_date,
)
from ranknews.extract.byline import names_in_text, person_names
from ranknews.extract.cleanup import clean_blocks, strip_emails
from ranknews.extract.content import BlockBuilder, ContentScorer, compact, prepare
from ranknews.extract.embedded import EmbeddedArticle, read_embedded
from ranknews.extract.rules import ExtractionRule, rule_for
from ranknews.extract.structured import PageMetadata, read_metadata
from ranknews.models import Article, Block, Outlet, Paragraph
from ranknews.sanitize import safe_url
from ranknews.text.headline import split_tags

_MIN_BODY = 120  # characters of prose below which a body source is "nothing usable"
_TITLE_SEPARATORS = (" | ", " - ", " :: ", " : ", " < ", " – ", " — ", " · ", " ｜ ", "|")
_DATE_IN_TEXT = re.compile(
    r"(?:입력|등록|게재|작성|발행|송고|승인|기사입력|최초\s*입력)\s*(?:일시|시간|일)?\s*[:：]?\s*"
    r"((?:19|20)\d\d[-./년]\s*\d{1,2}[-./월]\s*\d{1,2}[^\n]{0,24})"
)
_UPDATED_IN_TEXT = re.compile(
    r"(?:수정|업데이트|최종\s*수정|기사수정)\s*(?:일시|시간|일)?\s*[:：]?\s*"
    r"((?:19|20)\d\d[-./년]\s*\d{1,2}[-./월]\s*\d{1,2}[^\n]{0,24})"
)


def extract_article(
    html: str,
    url: str,
    *,
    rules: Mapping[str, ExtractionRule] | ExtractionRule | None = None,
    outlet: Outlet | str | None = None,
    dates: DateWindow = DEFAULT_WINDOW,
) -> Article:
    """Build the Article of a news page from its decoded HTML (see the module docstring).

    A date outside ``dates`` is passed over for the next candidate; what was passed over
    is kept in ``extra["dates_refused"]``."""
    times = _Times(dates)
    tree = LexborHTMLParser(html or "<html></html>")
    meta = read_metadata(tree)
    embedded = read_embedded(tree)
    outlet_name = _outlet_name(outlet, meta, url)
    site_names = [outlet_name, *meta.site_names]
    headings = _headings(tree)
    page_text = _header_text(tree)
    breadcrumb = _breadcrumb_section(tree)
    raw_title = _choose_title(embedded, meta, headings, site_names)
    headlines = frozenset(compact(t) for t in [raw_title, *meta.titles, *headings] if t)
    page_subtitles = _page_subtitles(tree, headlines)

    prepare(tree)
    blocks, subtitles = _body(tree, url, rule_for(url, rules), embedded, meta, headlines)
    blocks = clean_blocks(blocks, headlines)
    if embedded and embedded.subtitles:
        subtitles = embedded.subtitles
    subtitles = subtitles or page_subtitles
    subtitles = [s for s in (strip_emails(s) for s in subtitles) if s]

    tags, title = split_tags(raw_title)
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    return Article(
        url=url,
        outlet=outlet_name,
        title=title,
        outlet_domain=_domain(url),
        canonical_url=_canonical(url, meta, embedded),
        tags=tags,
        subtitles=tuple(subtitles),
        authors=tuple(_authors(embedded, meta, paragraphs, site_names)),
        published_at=_published(meta, embedded, page_text, times)
        or _published_in_body(tree, times),
        updated_at=_updated(meta, embedded, page_text, times),
        section=_first(meta.sections + ([embedded.section] if embedded else [])
                       + [breadcrumb]) or None,
        summary=_first(meta.descriptions + ([embedded.description] if embedded else [])),
        blocks=tuple(blocks),
        extra={"headline": raw_title, **({"image": meta.images[0]} if meta.images else {}),
               **({"dates_refused": times.refused[:5]} if times.refused else {})},
    )


def _body(tree: LexborHTMLParser, url: str, rule: ExtractionRule | None,
          embedded: EmbeddedArticle | None, meta: PageMetadata, headlines: frozenset[str]
          ) -> tuple[list[Block], list[str]]:
    if rule is not None and rule.body:
        found = _from_rule(tree, url, rule, headlines)
        if _prose(found[0]) >= _MIN_BODY:
            return found
    if embedded is not None and _prose(embedded.blocks) >= _MIN_BODY:
        return embedded.blocks, []
    root = tree.body or tree.root
    best: tuple[list[Block], list[str]] = ([], [])
    if root is not None:
        best = _scored(root, url, headlines, use_classes=True)
        if _prose(best[0]) < _MIN_BODY:
            retry = _scored(root, url, headlines, use_classes=False)
            best = retry if _prose(retry[0]) > _prose(best[0]) else best
    if meta.article_body and len(meta.article_body) > max(2 * _prose(best[0]), 40):
        lines = [" ".join(line.split()) for line in meta.article_body.splitlines()]
        return [Paragraph(line) for line in lines if line], best[1]
    if not best[0] and meta.descriptions:
        return [Paragraph(meta.descriptions[0])], []
    return best


def _scored(root, url: str, headlines: frozenset[str], *, use_classes: bool
            ) -> tuple[list[Block], list[str]]:
    scorer = ContentScorer(use_classes=use_classes, headlines=headlines)
    container = scorer.score(root)
    if container is None:
        return [], []
    builder = BlockBuilder(url, scorer.stats, use_classes=use_classes)
    builder.build(container)
    return builder.blocks, builder.subtitles


def _from_rule(tree: LexborHTMLParser, url: str, rule: ExtractionRule,
               headlines: frozenset[str]) -> tuple[list[Block], list[str]]:
    node = tree.css_first(rule.body)
    if node is None:
        return [], []
    for selector in rule.remove:
        for junk in node.css(selector):
            junk.decompose()
    scorer = ContentScorer(headlines=headlines)
    scorer.score(node)
    builder = BlockBuilder(url, scorer.stats)
    builder.build(node)
    return builder.blocks, builder.subtitles


def _prose(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks if isinstance(b, Paragraph))


def _headings(tree: LexborHTMLParser) -> list[str]:
    return [" ".join(h.text().split()) for h in tree.css("h1")[:3]]


_SUBTITLE_SELECTOR = ", ".join(
    f'[class*="{name}"]' for name in (
        "sub_title", "subtitle", "sub-title", "subTitle", "subhead", "sub_head", "mid_title",
        "midtitle", "sum_title", "summary_title", "article_summary", "news_summary",
        "sub_tit", "subTit", "media_end_summary", "article-summary", "lead_title"))
_BREADCRUMB_SELECTOR = ('[class*="breadcrumb"] a, [class*="location"] a, '
                        '[class*="navi_path"] a, [itemtype$="BreadcrumbList"] a')
_HOME_WORDS = {"홈", "home", "메인", "main", "뉴스", "news", "전체"}


def _page_subtitles(tree: LexborHTMLParser, headlines: frozenset[str]) -> list[str]:
    """Subtitles (부제) set apart from the body, in the article's header next to the headline."""
    for node in tree.css(_SUBTITLE_SELECTOR)[:5]:
        lines = [" ".join(line.split()) for line in node.text(separator="\n").split("\n")]
        lines = [line for line in lines if line and compact(line) not in headlines]
        if (lines and len(lines) <= 8 and all(4 <= len(line) <= 120 for line in lines)
                and _near_headline(node, headlines)):
            return lines
    return []


def _near_headline(node, headlines: frozenset[str]) -> bool:
    """True when the headline comes just before the node (or before its parent)."""
    for level in (node, node.parent):
        sibling = level.prev if level is not None else None
        for _ in range(8):
            if sibling is None:
                break
            if sibling.tag != "-text" and compact(sibling.text()) in headlines:
                return True
            sibling = sibling.prev
    return False


def _breadcrumb_section(tree: LexborHTMLParser) -> str:
    names = [" ".join(a.text().split()) for a in tree.css(_BREADCRUMB_SELECTOR)[:6]]
    names = [n for n in names if n and n.lower() not in _HOME_WORDS and len(n) <= 12]
    return names[-1] if names else ""


def _header_text(tree: LexborHTMLParser) -> str:
    """Text near dates and bylines ("입력 2024.06.16 09:00"), bounded for speed."""
    parts = []
    for node in tree.css("[class*=date], [class*=time], [class*=info], [id*=date], time")[:30]:
        parts.append(node.text(separator=" "))
    return "\n".join(parts)


def _outlet_name(outlet: Outlet | str | None, meta: PageMetadata, url: str) -> str:
    if isinstance(outlet, Outlet):
        return outlet.name
    if outlet:
        return outlet
    site = next((s for s in meta.site_names if not s.startswith(("@", "http"))), "")
    return site or _domain(url)


def _domain(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host


def _choose_title(embedded: EmbeddedArticle | None, meta: PageMetadata,
                  headings: list[str], site_names: list[str]) -> str:
    candidates = ([embedded.title] if embedded and embedded.title else []) + meta.titles
    candidates += headings
    candidates = [c for c in candidates if c]
    for candidate in candidates:
        title = _strip_site_name(candidate, site_names, candidates)
        if title:
            return title
    return ""


# Words that make a short title tail an outlet's name ("… :: 옛날신문", "… - 한빛일보").
_OUTLET_WORDS = re.compile(r"일보|신문|뉴스|news|경제|방송|tv|타임즈|times|저널|미디어|"
                           r"media|헤럴드|투데이|데일리|daily|닷컴|포스트|post|프레스|press|통신|매거진|위클리",
                           re.IGNORECASE)


def _strip_site_name(title: str, site_names: list[str], others: list[str]) -> str:
    names = {"".join(n.split()).lower() for n in site_names if n}
    for sep in (" :: ", " | ", " - ", " ｜ ", " < "):
        head, found, tail = title.rpartition(sep)
        if found and head.strip() and len(tail) <= 12 and _OUTLET_WORDS.search(tail):
            return head.strip()
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        compact_tail = "".join(tail.split()).lower()
        if head.strip() and (compact_tail in names or any(
                compact_tail and (compact_tail in n or n in compact_tail) for n in names)
                or (len(tail) <= 20 and head.strip() in others)):
            return head.strip()
    return title


def _authors(embedded: EmbeddedArticle | None, meta: PageMetadata, paragraphs: list[str],
             site_names: list[str]) -> list[str]:
    raw = (embedded.authors if embedded else []) + meta.authors
    names: list[str] = []
    for value in raw:
        names.extend(person_names(value, exclude=site_names))
    if not names:
        edges = paragraphs[:2] + paragraphs[-3:]
        names = names_in_text(edges)
    return list(dict.fromkeys(names))


class _Times:
    """The page's dates through the one bounded parser (``ranknews.dates``), keeping the
    reasons of those refused."""

    def __init__(self, window: DateWindow) -> None:
        self.window = window
        self.refused: list[str] = []

    def first(self, values) -> datetime | None:  # noqa: ANN001
        for value in values:
            if value is None or value == "":
                continue
            try:
                return parse_date(value, window=self.window)
            except DateOutOfWindow as exc:  # a real date, but not one to believe
                self.refused.append(str(exc))
            except DateRejected:
                pass  # not a date at all
        return None


def _published(meta: PageMetadata, embedded: EmbeddedArticle | None, text: str,
               times: _Times) -> datetime | None:
    candidates = meta.published + ([embedded.published] if embedded else [])
    return times.first(candidates) or times.first(m.group(1) for m in
                                                  _DATE_IN_TEXT.finditer(text))


def _published_in_body(tree: LexborHTMLParser, times: _Times) -> datetime | None:
    """Last resort: "기사입력 2009-03-02 오후 3:20" written anywhere near the top of the page."""
    body = tree.body
    text = body.text(separator="\n")[:6000] if body is not None else ""
    return times.first(m.group(1) for m in _DATE_IN_TEXT.finditer(text))


def _updated(meta: PageMetadata, embedded: EmbeddedArticle | None, text: str,
             times: _Times) -> datetime | None:
    candidates = meta.updated + ([embedded.updated] if embedded else [])
    return times.first(candidates) or times.first(m.group(1) for m in
                                                  _UPDATED_IN_TEXT.finditer(text))


def _first(values: list[str]) -> str:
    return next((v for v in values if v), "")


def _canonical(url: str, meta: PageMetadata, embedded: EmbeddedArticle | None) -> str | None:
    candidates = meta.canonical + ([embedded.canonical_url] if embedded else [])
    for candidate in candidates:
        absolute = safe_url(urljoin(url, candidate)) if candidate else None
        if absolute:
            return absolute
    return None
