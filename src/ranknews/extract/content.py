"""Finding the article body in a page's markup, and turning it into ordered blocks.

The page is cut into *chunks*: runs of inline text between block boundaries (block tags and
``<br>``), which is how Korean outlets lay out both ``<p>`` bodies and ``<div>`` bodies with
``<br><br>`` between paragraphs. Each chunk gets a weight: its length in characters when it
reads like prose, negative when it is mostly link text (menus, related-article lists) or a
short fragment (buttons, labels). An element's score is the sum over its subtree, and the
body container is the element with the highest score: the smallest subtree that holds the
prose while leaving the link lists around it outside. Elements whose class or id says
"share", "related", "ad", "comment"… count as all negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ranknews.extract.credit import split_credit
from ranknews.extract.params import DEFAULT_PARAMS, ExtractParams
from ranknews.extract.rulebook import RuleList, fired
from ranknews.models import Block, Figure, Paragraph
from ranknews.sanitize import safe_url

DROP_TAGS = ["script", "style", "noscript", "iframe", "svg", "template", "object", "embed",
             "video", "audio", "canvas", "map", "button", "select", "input", "textarea",
             "nav", "aside", "head", "link", "meta", "dialog", "math"]
BLOCK_TAGS = {"address", "article", "blockquote", "center", "dd", "div", "dl", "dt",
              "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
              "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "table",
              "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "body", "html", "picture",
              "caption", "details", "summary"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_MAX_DEPTH = 250

# Class/id words of page furniture; each word is a named rule (rulebook.py).
NEGATIVE = RuleList("furniture-class", (
    r"ads?", "adv", r"advert\w*", r"banner\w*", r"sponsor\w*", "share", "sharing", "sns",
    "social", "related", "relation", r"recommend\w*", "popular", "ranking", "rank", "most",
    "comments?", "reply", "replies", "footer", "gnb", "lnb", "snb", "nav", "navi",
    "navigation", "menu", "sidebar", "aside", "breadcrumbs?", "copyright", "copy",
    "subscribe", "subscription", "newsletter", r"promo\w*", "widget", "tags?", "keywords?",
    "login", "util", "toolbar", "print", "font", "fontsize", "zoom", "prev", "next", "paging",
    "pagination", "modal", "popup", "layer", "hidden", "blind", "sr-only", "skip",
    "journalist", "reporter", "byline", "writer", "profile", "series", "issue", "hot", "best",
    "more", "news_?list", "list_?news", "article_?list", "photo_?list", "vod_?list", "tool",
    "btns?", "button",
    # AI-written digests and "3줄 요약" boxes: a summary of the article, never its body,
    # whatever positive word their class also has.
    *(DIGESTS := (r"ai[_-]?(?:summary|summ|sum|digest|brief)", r"summary[_-]?ai", "digest",
                  "tldr", r"key[_-]?points?", r"three[_-]?lines?"))),
    r"(?:^|[\s_-])(?:{})(?:$|[\s_-])", re.IGNORECASE)
POSITIVE = RuleList("body-class", (
    "article", "content", "contents", "body", "story", "text", "view", "detail", "cnt",
    "entry", "post", "news_?txt", "본문"), "{}", re.IGNORECASE)
CAPTION = RuleList("caption-class", (
    "caption", r"cap\b", "desc", "img_?txt", "photo_?txt", "txt_?photo", "figcaption",
    "img_?info", "photo_?info", "img_?text", "pic_?txt"), "{}", re.IGNORECASE)
SUBTITLE = RuleList("subtitle-class", (
    "sub_?title", "subtitle", "sub-title", "subhead", "mid_?title", "midtitle",
    "summary_?title", "sum_?title", "article_?summary", "news_?summary", "lead_?title",
    "sub_?tit", "stit", "end_summary"), "{}", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[다요죠까음임함됨]\s*[.?!]|[.?!][\"'”’]?\s|[.?!]$")
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url", "src")


def junk_element(node: LexborNode, disabled: frozenset[str] = frozenset()) -> bool:
    """True when the element's class/id says it is page furniture, not article text."""
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if attrs.get("aria-hidden") == "true" or attrs.get("role") in ("navigation", "banner",
                                                                  "complementary"):
        return True
    if not names.strip():
        return False
    found = NEGATIVE.find(names, disabled)
    if found is None:
        return False
    return found in DIGESTS or not POSITIVE.search(names, disabled)


_DATELINE = re.compile(r"(?:입력|등록|수정|송고|업데이트|기사입력|승인)\s*[:：]?\s*(?:19|20)\d\d")


@dataclass
class _Chunk:
    text: int = 0
    link: int = 0
    sentences: int = 0
    parts: list[str] = field(default_factory=list)

    def weight(self, headlines: frozenset[str], params: ExtractParams) -> float:
        if self.text == 0:
            return 0.0
        if self.link > params.link_ratio * self.text:
            return -float(self.text)
        if self.text < params.short_chunk:
            return -0.5 * self.text
        if self.text < params.header_max and self._is_header(headlines):
            return -float(self.text)
        prose = float(self.text - self.link)
        return prose * (params.sentence_weight if self.sentences else params.plain_weight)

    def _is_header(self, headlines: frozenset[str]) -> bool:
        """The headline or the "입력 2024.06.16" line: the article's header, not its body."""
        joined = "".join(self.parts)
        return "".join(joined.split()) in headlines or bool(_DATELINE.search(joined))


def compact(text: str) -> str:
    """Text without any whitespace, for comparing headlines across markup."""
    return "".join(text.split())


@dataclass
class ContentScorer:
    """Scores every element once; ``best`` is the body container."""

    best: LexborNode | None = None
    best_score: float = 0.0
    use_classes: bool = True
    headlines: frozenset[str] = frozenset()
    params: ExtractParams = DEFAULT_PARAMS
    stats: dict[int, tuple[float, int, int]] = field(default_factory=dict)

    def score(self, root: LexborNode) -> LexborNode | None:
        self._block(root, 0, False)
        return self.best

    def _block(self, node: LexborNode, depth: int, in_link: bool) -> tuple[float, int, int]:
        chunk = _Chunk()
        totals = [0.0, 0, 0]
        if depth < _MAX_DEPTH:
            self._children(node, depth, in_link or node.tag == "a", chunk, totals)
        self._flush(chunk, totals)
        score, text, link = totals
        if self.use_classes and junk_element(node, self.params.disabled_rules):
            score = -float(text)
        self.stats[node.mem_id] = (score, int(text), int(link))
        if score > self.best_score and node.tag not in ("html",):
            self.best, self.best_score = node, score
        return score, int(text), int(link)

    def _children(self, node: LexborNode, depth: int, in_link: bool, chunk: _Chunk,
                  totals: list) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                value = child.text_content or ""
                size = len(value) - value.count(" ") - value.count("\n") - value.count("\t")
                if size > 0:
                    chunk.parts.append(value)
                    chunk.text += size
                    chunk.link += size if in_link else 0
                    chunk.sentences += len(_SENTENCE_END.findall(value))
            elif tag == "br":
                self._flush(chunk, totals)
            elif tag in BLOCK_TAGS:
                self._flush(chunk, totals)
                score, text, link = self._block(child, depth + 1, in_link)
                totals[0] += score
                totals[1] += text
                totals[2] += link
            elif tag == "a" or not (self.use_classes
                                    and junk_element(child, self.params.disabled_rules)):
                if depth < _MAX_DEPTH:
                    self._children(child, depth + 1, in_link or tag == "a", chunk, totals)

    def _flush(self, chunk: _Chunk, totals: list) -> None:
        totals[0] += chunk.weight(self.headlines, self.params)
        totals[1] += chunk.text
        totals[2] += chunk.link
        chunk.text = chunk.link = chunk.sentences = 0
        chunk.parts.clear()


def prepare(tree: LexborHTMLParser) -> None:
    """Remove what is never article text: scripts, styles, frames, forms controls, nav."""
    tree.strip_tags(DROP_TAGS)


# The label a summary box starts with: "AI 요약", "3줄 요약", "핵심 요약", "기사 요약".
_DIGEST_LABEL = re.compile(r"^\W*(?:AI|인공지능|\d|세|한)?\s*(?:줄)?\s*(?:핵심|기사|한눈에)?\s*"
                           r"(?:요약|정리)(?:\s*(?:보기|봇|했어요))?\W*$", re.IGNORECASE)
_BOXES = "div, section, aside, ul, ol, dl, blockquote, details"


def drop_digest_boxes(tree: LexborHTMLParser, disabled: frozenset[str] = frozenset()) -> int:
    """Remove summary boxes ("AI 요약", "3줄 요약"): a digest of the article is not its body.

    A box is the nearest block element (up to three levels above the label) that starts
    with such a label and whose text is short (at most 800 characters): the article itself
    may start with a heading, but not inside a short box.
    """
    root = tree.body
    if root is None or "digest-label:box" in disabled:
        return 0
    labels = [node for node in root.traverse(include_text=True)
              if node.tag == "-text" and _is_label(node.text_content or "")]
    boxes: dict[int, LexborNode] = {}
    for label in labels:
        box = label.parent
        for _ in range(3):
            if box is None or box.tag in BLOCK_TAGS - {"p", "h1", "h2", "h3", "h4", "h5", "h6",
                                                       "dt", "li", "td", "th"}:
                break
            box = box.parent
        if box is None or box.tag in ("body", "html", "article", "main"):
            continue
        text = "".join((box.text() or "").split())
        if text.startswith("".join(label.text_content.split())) and len(text) <= 800:
            boxes[box.mem_id] = box
    for box in boxes.values():
        parent, inside = box.parent, False
        while parent is not None and not inside:
            inside, parent = parent.mem_id in boxes, parent.parent
        if not inside:
            box.decompose()
    if boxes:
        fired("digest-label:box")
    return len(boxes)


def _is_label(text: str) -> bool:
    text = text.strip()
    return 2 <= len(text) <= 14 and ("요약" in text or "정리" in text) and bool(
        _DIGEST_LABEL.match(text))


@dataclass
class BlockBuilder:
    """Walks a body container and emits paragraphs, figures and subtitles in reading order."""

    base_url: str
    stats: dict[int, tuple[float, int, int]] = field(default_factory=dict)
    use_classes: bool = True
    params: ExtractParams = DEFAULT_PARAMS
    blocks: list[Block] = field(default_factory=list)
    subtitles: list[str] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)
    _link_chars: int = 0
    _mode: str = "text"

    def build(self, node: LexborNode) -> None:
        self._walk(node, 0)
        self._flush()

    def _flush(self) -> None:
        text = " ".join(" ".join(self._pending).split())
        self._pending.clear()
        link_chars, self._link_chars = self._link_chars, 0
        if not text:
            return
        if (self._mode == "text"
                and link_chars >= len(text.replace(" ", "")) * self.params.link_line_ratio):
            return  # a line that is all links: "▶ 구독하기", related headlines
        if self._mode == "subtitle":
            self.subtitles.append(text)
        elif self._mode == "caption":
            self._attach_caption(text)
        else:
            self.blocks.append(Paragraph(text))

    def _attach_caption(self, text: str) -> None:
        last = self.blocks[-1] if self.blocks else None
        if isinstance(last, Figure) and not last.caption:
            caption, credit = split_credit(text)
            self.blocks[-1] = Figure(last.image_url, caption, credit or last.credit)
        elif not isinstance(last, Figure):
            self.blocks.append(Paragraph(text))

    def _skip(self, node: LexborNode) -> bool:
        if self.use_classes and junk_element(node, self.params.disabled_rules):
            return True
        stats = self.stats.get(node.mem_id)
        # A block that is mostly links (a related-articles list inside the body).
        return bool(stats and stats[1] > 0 and stats[2] * 2 > stats[1] and stats[0] < 0)

    def _walk(self, node: LexborNode, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self._pending.append(child.text_content or "")
            elif tag == "br":
                self._flush()
            elif tag == "img":
                self._image(child)
            elif tag == "figure":
                self._figure(child, depth)
            elif tag in BLOCK_TAGS or self._special(child):
                self._flush()
                if not self._skip(child):
                    self._block(child, depth)
            elif tag == "a":
                before = sum(len(p) for p in self._pending)
                self._walk(child, depth + 1)
                added = " ".join(self._pending)[before:] if self._pending else ""
                self._link_chars += len(added.replace(" ", "").strip())
            elif not (self.use_classes and junk_element(child, self.params.disabled_rules)):
                self._walk(child, depth + 1)

    def _special(self, node: LexborNode) -> bool:
        names = _names(node)
        disabled = self.params.disabled_rules
        return names != " " and (CAPTION.search(names, disabled)
                                 or SUBTITLE.search(names, disabled))

    def _block(self, node: LexborNode, depth: int) -> None:
        names = _names(node)
        disabled = self.params.disabled_rules
        previous = self._mode
        if self._mode == "text":
            if node.tag == "figcaption" or CAPTION.search(names, disabled):
                self._mode = "caption"
            elif ((node.tag in _HEADINGS or SUBTITLE.search(names, disabled))
                  and not self._has_prose()):
                self._mode = "subtitle"
            elif node.tag in _HEADINGS and node.tag in ("h1",):
                return  # the headline repeated inside the container
        self._walk(node, depth + 1)
        self._flush()
        self._mode = previous

    def _has_prose(self) -> bool:
        return any(isinstance(b, Paragraph) and len(b.text) > 40 for b in self.blocks)

    def _figure(self, node: LexborNode, depth: int) -> None:
        self._flush()
        img = node.css_first("img")
        if img is not None:
            self._image(img)
        caption = node.css_first("figcaption")
        if caption is not None:
            self._mode, previous = "caption", self._mode
            self._walk(caption, depth + 1)
            self._flush()
            self._mode = previous

    def _image(self, node: LexborNode) -> None:
        url = image_url(node, self.base_url)
        if url is None:
            return
        self._flush()
        alt = " ".join((node.attributes.get("alt") or "").split())
        caption, credit = split_credit(alt) if len(alt) > 8 else ("", "")
        self.blocks.append(Figure(url, caption, credit))


def _names(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def image_url(node: LexborNode, base_url: str) -> str | None:
    """The absolute http(s) URL of a content image; None for icons, pixels and data: URLs."""
    attrs = node.attributes
    for size in (attrs.get("width"), attrs.get("height")):
        if size and size.strip().rstrip("px").isdigit() and int(size.strip().rstrip("px")) < 80:
            return None
    for name in _LAZY_SRC:
        value = (attrs.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return safe_url(urljoin(base_url, value)) if base_url else safe_url(value)
    return None
