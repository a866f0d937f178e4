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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ranknews.dates import (
    DEFAULT_WINDOW,
    DateOutOfWindow,
    DateRejected,
    DateWindow,
    parse_date,
)
from ranknews.errors import NoArticleFound
from ranknews.extract.byline import names_in_text, person_names
from ranknews.extract.choose import Candidate, choose
from ranknews.extract.cleanup import clean_blocks, strip_emails
from ranknews.extract.content import (
    BlockBuilder,
    ContentScorer,
    compact,
    drop_digest_boxes,
    prepare,
)
from ranknews.extract.duplicates import dedupe_blocks, drop_hidden_copies
from ranknews.extract.embedded import EmbeddedArticle, read_embedded
from ranknews.extract.normalize import clean_text, fold_quotes
from ranknews.extract.params import DEFAULT_PARAMS, ExtractParams
from ranknews.extract.payload import (
    ArticleFields,
    Payload,
    PayloadArticle,
    article_fields,
    body_html,
    read_payload,
)
from ranknews.extract.rulebook import RuleList, fired
from ranknews.extract.rules import ExtractionRule, rule_for
from ranknews.extract.structured import PageMetadata, read_metadata
from ranknews.extract.subtitles import drop_subtitle_echo
from ranknews.models import Article, Block, Figure, Outlet, Paragraph
from ranknews.sanitize import safe_url
from ranknews.text.headline import split_tags

# "ㅣ" (a Hangul vowel) stands in for a vertical bar in many Korean titles: "제목ㅣ한국일보".
_TITLE_SEPARATORS = (" | ", " - ", " :: ", " : ", " < ", " – ", " — ", " · ", " ｜ ", "|",
                     " ㅣ ", "ㅣ")
_DATE_IN_TEXT = re.compile(
    r"(?:입력|등록|게재|작성|발행|송고|승인|기사입력|최초\s*입력)\s*(?:일시|시간|일)?\s*[:：]?\s*"
    r"((?:19|20)\d\d[-./년]\s*\d{1,2}[-./월]\s*\d{1,2}[^\n]{0,24})"
)
_UPDATED_IN_TEXT = re.compile(
    r"(?:수정|업데이트|최종\s*수정|기사수정)\s*(?:일시|시간|일)?\s*[:：]?\s*"
    r"((?:19|20)\d\d[-./년]\s*\d{1,2}[-./월]\s*\d{1,2}[^\n]{0,24})"
)
_PAYLOADS = {"next-data", "rsc", "rsc-markup", "nuxt", "state-json"}
# What error and "gone" pages say in their title or their few lines of text.
ERROR_PAGE = RuleList("error-page", (
    r"페이지를\s*찾을\s*수\s*없", r"존재하지\s*않는\s*(?:기사|페이지|뉴스|게시물)",
    r"(?:삭제|만료)된\s*(?:기사|페이지|뉴스)", r"삭제되었거나", r"요청하신\s*(?:페이지|기사)",
    r"잘못된\s*(?:접근|경로|주소)", r"주소가\s*(?:잘못|바르지|올바르지)", r"서비스\s*점검",
    r"\b404\b", r"not\s+found", r"page\s+not", r"기사가\s*없습니다", r"찾으시는\s*(?:페이지|기사)"),
    "{}", re.IGNORECASE)


def extract_article(
    html: str,
    url: str,
    *,
    rules: Mapping[str, ExtractionRule] | ExtractionRule | None = None,
    outlet: Outlet | str | None = None,
    params: ExtractParams = DEFAULT_PARAMS,
    trace: dict | None = None,
    dates: DateWindow = DEFAULT_WINDOW,
) -> Article:
    """Build the Article of a news page from its decoded HTML (see the module docstring).

    Raises ``NoArticleFound`` (a Korean message saying why) for a page that holds no
    article: a list of articles, an error page, a shell without text. ``trace``, when
    given, is filled with the body candidates and the choice between them. A date outside
    ``dates`` is passed over for the next candidate; what was passed over is kept in
    ``extra["dates_refused"]``.
    """
    times = _Times(dates)
    tree = LexborHTMLParser(html or "<html></html>")
    disabled = params.disabled_rules
    meta = read_metadata(tree)
    embedded = read_embedded(tree) if "format:arc" not in disabled else None
    if embedded is not None:
        fired("format:arc")
    payload = read_payload(tree, disabled)
    outlet_name = _outlet_name(outlet, meta, url)
    site_names = [outlet_name, *meta.site_names]
    headings = _headings(tree)
    shown = _shown_titles(tree)
    page_text = _header_text(tree)
    breadcrumb = _breadcrumb_section(tree)
    og_type = _og_type(tree)
    found = _payload_article(payload.articles, [*meta.titles, *headings])
    raw_title = _choose_title(embedded, meta, headings, site_names, shown,
                              clean_text(found.title) if found is not None else "")
    headlines = frozenset(compact(t) for t in [raw_title, *meta.titles, *headings] if t)
    page_subtitles = _page_subtitles(tree, headlines)

    prepare(tree)
    drop_hidden_copies(tree, disabled=disabled)
    drop_digest_boxes(tree, disabled)
    markup = _markup_body(tree, url, rule_for(url, rules), headlines, params)
    payload_fields = article_fields(found.fields) if found is not None else ArticleFields()
    others = _second_opinions(embedded, payload, found, meta, url, headlines, params)
    description = _first(meta.descriptions)
    picked, record = choose(markup, others, headline=raw_title, description=description,
                            params=params)
    blocks, subtitles = picked.blocks, picked.subtitles
    if not blocks and picked is markup and meta.descriptions:
        blocks = [Paragraph(meta.descriptions[0])]
        record["picked"] = "description"
    blocks = clean_blocks(blocks, headlines, disabled)
    blocks = dedupe_blocks(_normalized(blocks), params.duplicate_min)
    if embedded and embedded.subtitles:
        subtitles = embedded.subtitles
    subtitles = subtitles or page_subtitles
    if not subtitles and picked.name in _PAYLOADS:
        subtitles = payload_fields.subtitles
    subtitles = [s for s in (clean_text(strip_emails(s)) for s in subtitles)
                 if s and compact(s) not in headlines]
    blocks = list(drop_subtitle_echo(blocks, subtitles))
    if trace is not None:
        trace.update(record, candidates={c.name: c.text for c in [markup, *others]})

    published = (_published(meta, embedded, page_text, times)
                 or _published_in_body(tree, times) or times.first(payload_fields.published))
    reason = _no_article(blocks, picked, raw_title, published, og_type, meta, params)
    if reason:
        raise NoArticleFound(reason)
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
        authors=tuple(_authors(embedded, meta, paragraphs, site_names,
                               payload_fields.authors)),
        published_at=published,
        updated_at=_updated(meta, embedded, page_text, times),
        section=_first(meta.sections + ([embedded.section] if embedded else [])
                       + [breadcrumb]) or None,
        summary=clean_text(_first(meta.descriptions
                                  + ([embedded.description] if embedded else []))),
        blocks=tuple(blocks),
        extra={"headline": raw_title, **({"image": meta.images[0]} if meta.images else {}),
               **({"dates_refused": times.refused[:5]} if times.refused else {})},
    )


def _normalized(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Figure):
            out.append(Figure(block.image_url, clean_text(block.caption),
                              clean_text(block.credit)))
        else:
            text = clean_text(block.text)
            if text:
                out.append(Paragraph(text) if text != block.text else block)
    return out


def _markup_body(tree: LexborHTMLParser, url: str, rule: ExtractionRule | None,
                 headlines: frozenset[str], params: ExtractParams) -> Candidate:
    """The body the markup gives: the outlet's rule, else the best-scoring container."""
    if rule is not None and rule.body:
        found = _from_rule(tree, url, rule, headlines, params)
        if found.prose >= params.min_body:
            return found
    root = tree.body or tree.root
    best = Candidate("markup", [])
    if root is not None:
        best = _scored(root, url, headlines, params, use_classes=True)
        if best.prose < params.min_body:
            retry = _scored(root, url, headlines, params, use_classes=False)
            best = retry if retry.prose > best.prose else best
    return best


def _second_opinions(embedded: EmbeddedArticle | None, payload: Payload,
                     article: PayloadArticle | None, meta: PageMetadata, url: str,
                     headlines: frozenset[str], params: ExtractParams) -> list[Candidate]:
    """Bodies from the page's data: Arc XP, framework payloads, JSON-LD articleBody."""
    found: list[Candidate] = []
    if embedded is not None and embedded.blocks:
        found.append(Candidate("arc", list(embedded.blocks)))
    if article is not None:
        candidate = _payload_blocks(article, url, headlines, params)
        if candidate.blocks:
            found.append(candidate)
    if payload.rendered_html:
        rendered = LexborHTMLParser(payload.rendered_html)
        prepare(rendered)
        drop_hidden_copies(rendered, disabled=params.disabled_rules)
        root = rendered.body or rendered.root
        if root is not None:
            candidate = _scored(root, url, headlines, params, use_classes=True)
            if candidate.blocks:
                candidate.name = "rsc-markup"
                found.append(candidate)
    if meta.article_body and "format:json-ld" not in params.disabled_rules:
        lines = [" ".join(line.split()) for line in meta.article_body.splitlines()]
        blocks: list[Block] = [Paragraph(line) for line in lines if line]
        if blocks:
            fired("format:json-ld")
            found.append(Candidate("json-ld", blocks))
    return found


def _payload_article(articles: list[PayloadArticle], titles: list[str]
                     ) -> PayloadArticle | None:
    """The payload object that is this page's article: the page's title is its headline,
    or its headline followed by the site's name ("제목-정치ㅣ한국일보")."""
    if not articles:
        return None
    wanted = [fold_quotes(split_tags(t)[1]) for t in titles if t]

    def same(title: str) -> bool:
        key = fold_quotes(split_tags(title)[1])
        return bool(key) and any(w == key or (len(key) >= 8 and w.startswith(key)
                                              and len(w) - len(key) <= 30) for w in wanted)

    matching = [a for a in articles if same(a.title)]
    if not matching and not wanted:
        matching = articles
    if not matching:
        return None
    return max(matching, key=lambda a: len(str(a.body)))


def _payload_blocks(article: PayloadArticle, url: str, headlines: frozenset[str],
                    params: ExtractParams) -> Candidate:
    tree = LexborHTMLParser(f"<html><body>{body_html(article.body)}</body></html>")
    prepare(tree)
    root = tree.body
    if root is None:
        return Candidate(article.source, [])
    scorer = ContentScorer(headlines=headlines, params=params)
    scorer.score(root)
    builder = BlockBuilder(url, scorer.stats, params=params)
    builder.build(root)
    return Candidate(article.source, builder.blocks, builder.subtitles)


def _scored(root: LexborNode, url: str, headlines: frozenset[str], params: ExtractParams, *,
            use_classes: bool) -> Candidate:
    scorer = ContentScorer(use_classes=use_classes, headlines=headlines, params=params)
    container = scorer.score(root)
    if container is None:
        return Candidate("markup", [])
    builder = BlockBuilder(url, scorer.stats, use_classes=use_classes, params=params)
    builder.build(container)
    return Candidate("markup", builder.blocks, builder.subtitles, container)


def _from_rule(tree: LexborHTMLParser, url: str, rule: ExtractionRule,
               headlines: frozenset[str], params: ExtractParams) -> Candidate:
    node = tree.css_first(rule.body)
    if node is None:
        return Candidate("rule", [])
    for selector in rule.remove:
        for junk in node.css(selector):
            junk.decompose()
    scorer = ContentScorer(headlines=headlines, params=params)
    scorer.score(node)
    builder = BlockBuilder(url, scorer.stats, params=params)
    builder.build(node)
    return Candidate("rule", builder.blocks, builder.subtitles)


# --- is there an article at all? ---------------------------------------------------------

def _no_article(blocks: list[Block], picked: Candidate, title: str,
                published: datetime | None, og_type: str, meta: PageMetadata,
                params: ExtractParams) -> str:
    """Why the page holds no article (a Korean message), or "" when it holds one."""
    prose = sum(len(b.text) for b in blocks if isinstance(b, Paragraph))
    figures = sum(1 for b in blocks if isinstance(b, Figure))
    if prose == 0 and figures == 0:
        return "기사를 찾지 못했습니다: 페이지에 본문이 없습니다."
    if picked.container is not None:
        items = list_items(picked.container, params)
        if items:
            return (f"기사를 찾지 못했습니다: 기사 목록 페이지로 보입니다 "
                    f"(제목 링크 {items}개, 본문 {prose}자).")
    text = "\n".join(b.text for b in blocks if isinstance(b, Paragraph))
    if prose < 2 * params.min_body and (ERROR_PAGE.search(title, params.disabled_rules)
                                        or ERROR_PAGE.search(text, params.disabled_rules)):
        return f"기사를 찾지 못했습니다: 오류 안내 페이지로 보입니다 ({title or text[:40]})."
    article_meta = published is not None or og_type == "article" or bool(meta.article_body)
    if prose < params.min_body and not article_meta and figures == 0:
        return (f"기사를 찾지 못했습니다: 본문이 {prose}자뿐이고 기사임을 알리는 정보"
                f"(발행 시각, og:type=article)가 없습니다.")
    return ""


def _text_size(node: LexborNode) -> int:
    return len("".join((node.text() or "").split()))


def list_items(container: LexborNode, params: ExtractParams) -> int:
    """How many headline-link items the container lists, when it is a list of articles.

    The list is the container, or the child holding most of its text (a wrapper with a
    section title and paging links around the list). An item is a child whose longest link
    has at least 8 characters and at least 15% of the item's text: a headline with its lead
    and date. An article's paragraphs rarely each carry such a link.
    """
    node = container
    children: list[LexborNode] = []
    for _ in range(4):
        children = [c for c in node.iter() if c.tag != "-text" and _text_size(c) > 0]
        total = _text_size(node)
        inner = max(children, key=_text_size, default=None)
        if inner is not None and total and _text_size(inner) >= 0.8 * total and len(
                children) <= 4:
            node = inner
            continue
        break
    items = 0
    for child in children:
        text = _text_size(child)
        link = max((_text_size(a) for a in child.css("a")), default=0)
        if link >= 8 and link >= 0.15 * text:
            items += 1
    if items >= params.list_items and items >= 0.6 * len(children):
        fired("no-article:list")
        return items
    return 0


def _og_type(tree: LexborHTMLParser) -> str:
    node = tree.css_first('meta[property="og:type"]')
    return ((node.attributes.get("content") or "").strip().lower()) if node is not None else ""


def _headings(tree: LexborHTMLParser) -> list[str]:
    return [clean_text(h.text()) for h in tree.css("h1")[:3]]


_SHOWN_TITLE = ("h1, h2, h3, [class*=title], [class*=Title], [class*=headline], [class*=tit], "
                "[id*=title], [class*=subject]")


def _shown_titles(tree: LexborHTMLParser) -> list[str]:
    """Headline-like texts the page shows, to spell the headline as the page does."""
    shown = []
    for node in tree.css(_SHOWN_TITLE)[:60]:
        if node.tag in ("title", "meta", "script", "style"):
            continue
        text = clean_text(node.text(separator=" "))
        if 4 <= len(text) <= 300:
            shown.append(text)
    return shown


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
                  headings: list[str], site_names: list[str], shown: list[str],
                  payload_title: str = "") -> str:
    candidates = ([embedded.title] if embedded and embedded.title else [])
    candidates += ([payload_title] if payload_title else []) + meta.titles
    candidates += headings
    candidates = [clean_text(c) for c in candidates if c]
    for candidate in candidates:
        title = _strip_site_name(candidate, site_names, candidates)
        if title:
            return _as_shown(title, shown)
    return ""


def _as_shown(title: str, shown: list[str]) -> str:
    """The headline as the page shows it: the same words, with the page's quote marks and
    the labels ([단독]) it shows in front, when a visible heading says the same thing."""
    tags, rest = split_tags(title)
    key = fold_quotes(rest)
    for text in shown:
        shown_tags, shown_rest = split_tags(text)
        if fold_quotes(shown_rest) == key and set(shown_tags) >= set(tags):
            return text
    return title


# Words that make a short title tail an outlet's name ("… :: 옛날신문", "… - 한빛일보").
_OUTLET_WORDS = re.compile(r"일보|신문|뉴스|news|경제|방송|tv|타임즈|times|저널|미디어|"
                           r"media|헤럴드|투데이|데일리|daily|닷컴|포스트|post|프레스|press|통신|매거진|위클리",
                           re.IGNORECASE)


def _strip_site_name(title: str, site_names: list[str], others: list[str]) -> str:
    names = {"".join(n.split()).lower() for n in site_names if n}
    for sep in (" :: ", " | ", " - ", " ｜ ", " < ", " ㅣ ", "ㅣ"):
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
             site_names: list[str], more: list[str]) -> list[str]:
    raw = (embedded.authors if embedded else []) + meta.authors + more
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
