"""Articles that a JavaScript framework ships as data: Next.js, React Server Components, Nuxt.

Pages built with a front-end framework often carry the article twice: rendered in the markup
and as the data the framework hydrates from. Some carry it only as data (the markup is a
shell, or the body sits in a client component). This module reads that data, without
running any of the page's scripts:

- Next.js pages router: ``<script id="__NEXT_DATA__" type="application/json">``;
- React Server Components (Next.js app router): the flight stream that
  ``self.__next_f.push([1, "…"])`` calls append to; its rows are JSON values, text rows
  (``<id>:T<hex length>,<text>``) and React elements (``["$", "p", key, props]``), which
  are rendered back to HTML so the ordinary body finder can read them;
- Nuxt 3: ``<script id="__NUXT_DATA__">`` (the devalue format: one flat array whose
  objects refer to other entries by index); Nuxt 2: ``window.__NUXT__ = {…}`` or the
  ``(function(a, b…){return {…}}(…))`` form, read as a JavaScript object literal by
  chompjs with the call's arguments put in place of the parameters;
- other state blobs: ``<script type="application/json">`` and ``window.__X__ = {…}``.

In all of them the article is found by shape, not by outlet (``find_articles``): an object
with a headline-like key (title, headline, subject…) and a body-like key (content, body,
articleBody, html…) whose value is HTML, text, or a list of typed blocks (Arc XP's
``content_elements`` has this shape too). Keys that name a summary — summary, description,
excerpt, lead, digest, and AI summaries — are never the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from ranknews.extract.rulebook import fired
from ranknews.sanitize import strip_tags

_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)

_MAX_SCRIPT = 8 * 1024 * 1024
_MAX_DEPTH = 40
_TITLE_KEYS = {"title", "headline", "subject", "newstitle", "articletitle", "news_title",
               "article_title", "maintitle", "main_title", "hl", "tit"}
_BODY_KEYS = {"content", "contents", "body", "articlebody", "article_body", "bodyhtml",
              "body_html", "html", "articlecontent", "article_content", "newscontent",
              "news_content", "contenthtml", "content_html", "fulltext", "full_text",
              "bodytext", "body_text", "articletext", "article_text", "newsbody", "news_body",
              "story", "storybody", "text", "content_elements", "blocks", "richtext"}
# Never the body: what summarises, teases or describes the article.
_NOT_BODY = re.compile(r"summ|digest|descr|excerpt|abstract|lead|teaser|preview|snippet|"
                       r"intro|sub|seo|meta|og|tts|^ai|ai_|keypoint|highlight|caption",
                       re.IGNORECASE)
_TYPE_KEYS = ("type", "kind", "_type", "nodetype", "blocktype", "__typename", "tag")
_TEXT_KEYS = ("content", "text", "html", "value", "body", "data", "children")
_IMAGE_KEYS = ("url", "src", "imageurl", "image_url", "imgurl", "img_url", "image")
_CAPTION_KEYS = ("caption", "alt", "desc", "description", "credit")
_TAG = re.compile(r"<(?:p|br|div|span|b|strong|em|i|a|figure|img|h\d|ul|li|section)\b",
                  re.IGNORECASE)
_ASSIGNMENT = re.compile(r"\b__[A-Z][A-Z0-9_]*__\s*=\s*(?=[{\[])")
_STATE = _ASSIGNMENT
_NEXT_F = re.compile(r"self\.__next_f\.push\(\s*(\[.*?\])\s*\)\s*;?\s*(?=$|self\.__next_f|\()",
                     re.S)


@dataclass
class PayloadArticle:
    """One article object found in framework data."""

    title: str
    body: Any  # HTML or text (str), or a list of block objects
    source: str  # the format it came from: next-data, rsc, nuxt, state-json, arc
    fields: dict[str, Any]


@dataclass
class ArticleFields:
    """Byline, times and subtitles of a payload article, when it has them."""

    subtitles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)


_SUBTITLE_KEYS = {"subtitle", "sub_title", "subtitles", "subheadline", "subheadlines",
                  "subhead", "subtit", "sub_tit"}
_AUTHOR_KEY = re.compile(r"^(?:author|reporter|writer|byline|journalist|credit)s?"
                        r"(?:_?(?:name|names|display|info|list))?$")
# publishedAt, datePublished, pubDate, regDate, reg_dt, deployDt, inputDate, createdAt…
_TIME_KEY = re.compile(r"^(?:first_?)?(?:date_?published|publish(?:ed|ing)?|pub"
                       r"|reg(?:ist(?:er|ered)?)?|deploy(?:ed)?|input|created?|writ(?:e|ten)"
                       r"|send|service|release)_?"
                       r"(?:date|dt|at|time|datetime|ymd)?$")


def article_fields(fields: dict[str, Any]) -> ArticleFields:
    """Subtitles, author names and publication times from a payload article object."""
    found = ArticleFields()
    for key, value in fields.items():
        low = str(key).lower()
        if low in _SUBTITLE_KEYS:
            found.subtitles += [t for t in _strings(value, ("basic", "text")) if t]
        elif _AUTHOR_KEY.match(low):
            found.authors += [t for t in _strings(value, ("name", "by", "korname")) if t]
        elif _TIME_KEY.match(low) and isinstance(value, (str, int)) and value:
            found.published.append(str(value))
    return found


def _strings(value: Any, keys: tuple[str, ...], depth: int = 0) -> list[str]:
    if depth > 3:
        return []
    if isinstance(value, str):
        lines = _BR.split(value.replace("</p>", "\n")) if "<" in value else [value]
        lines = [part for line in lines for part in line.splitlines()]
        lines = [strip_tags(line) if "<" in line or "&" in line else line for line in lines]
        return [" ".join(line.split()) for line in lines if line.strip()]
    if isinstance(value, list):
        return [s for v in value[:20] for s in _strings(v, keys, depth + 1)]
    if isinstance(value, dict):
        return [s for k in keys if k in value for s in _strings(value[k], keys, depth + 1)]
    return []


@dataclass
class Payload:
    """What the page's framework data holds: article objects and rendered RSC markup."""

    articles: list[PayloadArticle]
    rendered_html: str = ""


def read_payload(tree: LexborHTMLParser, disabled: frozenset[str] = frozenset()) -> Payload:
    """Article objects from every framework payload of the page (see the module doc).

    A format named in ``disabled`` (``format:next-data``, ``format:rsc``, ``format:nuxt``,
    ``format:state-json``) is not read.
    """
    articles: list[PayloadArticle] = []
    rendered: list[str] = []
    flight: list[str] = []
    for script in tree.css("script"):
        text = script.text(deep=True) or ""
        if len(text) < 40 or len(text) > _MAX_SCRIPT:
            continue
        attrs = script.attributes
        ident = (attrs.get("id") or "").lower()
        kind = (attrs.get("type") or "").lower()
        if kind == "application/ld+json":
            continue
        if ident == "__next_data__":
            articles += _articles(_loads(text), "next-data")
        elif ident == "__nuxt_data__":
            articles += _articles(unflatten(_loads(text)), "nuxt")
        elif "self.__next_f" in text:
            flight += _flight_chunks(text)
        elif "__NUXT__" in text:
            articles += _articles(_nuxt2(text), "nuxt")
        elif '"content_elements"' in text:
            continue  # Arc XP: embedded.py reads it, with its metadata
        elif kind == "application/json":
            articles += _articles(_loads(text), "state-json")
        elif "__" in text and _STATE.search(text):
            for value in _assigned_json(text):
                articles += _articles(value, "state-json")
    articles = [a for a in articles if f"format:{a.source}" not in disabled]
    if flight and "format:rsc" not in disabled:
        rows, texts = parse_flight("".join(flight))
        for value in rows.values():
            articles += _articles(_resolve(value, rows, texts, 0), "rsc")
        html = render_flight(rows, texts)
        if html:
            fired("format:rsc")
            rendered.append(html)
    return Payload(articles, "".join(rendered))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _assigned_json(script: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    for match in _ASSIGNMENT.finditer(script):
        try:
            value, _ = decoder.raw_decode(script, match.end())
        except ValueError:
            continue
        yield value


# --- finding article objects by shape ----------------------------------------------------

def _articles(document: Any, source: str) -> list[PayloadArticle]:
    found: list[PayloadArticle] = []
    _walk(document, source, found, 0)
    if found:
        fired(f"format:{source}")
    return found


def _walk(value: Any, source: str, found: list[PayloadArticle], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        article = _as_article(value, source)
        if article is not None:
            found.append(article)
        for child in value.values():
            if isinstance(child, (dict, list)):
                _walk(child, source, found, depth + 1)
    elif isinstance(value, list):
        for child in value:
            if isinstance(child, (dict, list)):
                _walk(child, source, found, depth + 1)


def _as_article(obj: dict[str, Any], source: str) -> PayloadArticle | None:
    title = ""
    body: Any = None
    for key, value in obj.items():
        if not isinstance(key, str):
            continue
        low = key.lower()
        if not title and low in _TITLE_KEYS:
            title = _title_text(value)
        elif low in _BODY_KEYS and not _NOT_BODY.search(low) and _substantial(value):
            if body is None or _size(value) > _size(body):
                body = value
    if not title or body is None:
        return None
    return PayloadArticle(title, body, source, obj)


def _title_text(value: Any) -> str:
    if isinstance(value, dict):  # Arc: {"basic": "…"}
        value = value.get("basic") or value.get("main") or value.get("text")
    return value.strip() if isinstance(value, str) else ""


def _size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_size(v) for v in value[:500])
    if isinstance(value, dict):
        return sum(_size(v) for k, v in value.items() if not _NOT_BODY.search(str(k)))
    return 0


def _substantial(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) >= 40 and " " in value
    if isinstance(value, (list, dict)):
        return _size(value) >= 40
    return False


# --- turning a body value into HTML the block builder reads -------------------------------

def body_html(body: Any) -> str:
    """The body value as HTML: HTML kept, text lines as paragraphs, blocks one by one."""
    parts: list[str] = []
    _body_parts(body, parts, 0)
    return "".join(parts)


def _body_parts(value: Any, parts: list[str], depth: int) -> None:
    if depth > 12:
        return
    if isinstance(value, str):
        if _TAG.search(value):
            parts.append(f"<div>{value}</div>")
        else:
            parts.extend(f"<p>{escape(line)}</p>" for line in value.splitlines() if line.strip())
    elif isinstance(value, list):
        for item in value[:2000]:
            _body_parts(item, parts, depth + 1)
    elif isinstance(value, dict):
        _block_parts(value, parts, depth)


def _block_parts(block: dict[str, Any], parts: list[str], depth: int) -> None:
    lowered = {str(k).lower(): v for k, v in block.items()}
    kind = next((str(lowered[k]).lower() for k in _TYPE_KEYS if isinstance(lowered.get(k), str)),
                "")
    if any(word in kind for word in ("ad", "related", "embed", "raw_html", "script",
                                     "interstitial", "promo")) and "head" not in kind:
        if kind not in ("paragraph", "header", "heading"):
            return
    image = _image_url(lowered) if ("image" in kind or "photo" in kind or not kind) else ""
    if image:
        caption = next((lowered[k] for k in _CAPTION_KEYS if isinstance(lowered.get(k), str)),
                       "")
        parts.append(f'<figure><img src="{escape(image)}"><figcaption>{caption}'
                     f"</figcaption></figure>")
        return
    if kind == "list" and isinstance(lowered.get("items"), list):
        for item in lowered["items"]:
            _body_parts(item.get("content") if isinstance(item, dict) else item, parts, depth + 1)
        return
    for key in _TEXT_KEYS:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            tag = "h3" if "head" in kind else "p"
            parts.append(f"<{tag}>{value}</{tag}>" if _TAG.search(value)
                         else f"<{tag}>{escape(value)}</{tag}>")
            return
        if isinstance(value, (list, dict)):
            inner: list[str] = []
            _body_parts(value, inner, depth + 1)
            if inner:
                parts.append(f"<div>{''.join(inner)}</div>")
                return


def _image_url(block: dict[str, Any]) -> str:
    for key in _IMAGE_KEYS:
        value = block.get(key)
        if isinstance(value, dict):
            value = value.get("url") or value.get("src")
        if isinstance(value, str) and value.startswith(("http://", "https://", "//", "/")):
            return value
    return ""


# --- React Server Components: the flight stream ------------------------------------------

def _flight_chunks(script: str) -> list[str]:
    """The strings a script appends with ``self.__next_f.push([1, "…"])``, in order."""
    chunks = []
    for match in _NEXT_F.finditer(script):
        value = _loads(match.group(1))
        if isinstance(value, list) and len(value) >= 2 and value[0] == 1 and isinstance(
                value[1], str):
            chunks.append(value[1])
    return chunks


def parse_flight(stream: str) -> tuple[dict[str, Any], dict[str, str]]:
    """(JSON rows, text rows) of a flight stream, keyed by their hexadecimal row id."""
    data = stream.encode("utf-8")
    rows: dict[str, Any] = {}
    texts: dict[str, str] = {}
    position = 0
    while position < len(data):
        colon = data.find(b":", position)
        if colon < 0 or colon - position > 8:
            newline = data.find(b"\n", position)
            if newline < 0:
                break
            position = newline + 1
            continue
        row_id = data[position:colon].decode("ascii", "replace").strip()
        if data[colon + 1:colon + 2] == b"T":
            comma = data.find(b",", colon)
            try:
                length = int(data[colon + 2:comma], 16)
            except ValueError:
                break
            texts[row_id] = data[comma + 1:comma + 1 + length].decode("utf-8", "replace")
            position = comma + 1 + length
            continue
        newline = data.find(b"\n", colon)
        end = len(data) if newline < 0 else newline
        body = data[colon + 1:end].decode("utf-8", "replace")
        if body[:1] in "[{\"" or body[:1].isdigit():
            value = _loads(body)
            if value is not None:
                rows[row_id] = value
        position = end + 1
    return rows, texts


def _resolve(value: Any, rows: dict[str, Any], texts: dict[str, str], depth: int) -> Any:
    """The value with "$<id>" references to other rows put in place (bounded depth)."""
    if depth > 12:
        return value
    if isinstance(value, str) and value.startswith("$") and len(value) > 1:
        ref = value[1:]
        if ref in texts:
            return texts[ref]
        if ref in rows:
            return _resolve(rows[ref], rows, texts, depth + 1)
        return "" if not ref.startswith("$") else ref
    if isinstance(value, list):
        return [_resolve(v, rows, texts, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, rows, texts, depth + 1) for k, v in value.items()}
    return value


_VOID = {"br", "img", "hr", "meta", "link", "input", "source", "wbr"}


def render_flight(rows: dict[str, Any], texts: dict[str, str]) -> str:
    """The React element tree of the stream's root row rendered as HTML (no scripts)."""
    root = rows.get("0")
    if root is None:
        return ""
    parts: list[str] = []
    _render(root, rows, texts, parts, 0, set())
    return "".join(parts)


def _render(node: Any, rows: dict[str, Any], texts: dict[str, str], parts: list[str],
            depth: int, seen: set[str]) -> None:
    if depth > 200 or len(parts) > 200_000:
        return
    if isinstance(node, str):
        if node.startswith("$"):
            ref = node[1:]
            if ref.startswith("$"):
                parts.append(escape(ref))
            elif ref in texts:
                parts.append(escape(texts[ref]))
            elif ref in rows and ref not in seen:
                _render(rows[ref], rows, texts, parts, depth + 1, seen | {ref})
            return
        parts.append(escape(node))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        parts.append(str(node))
    elif isinstance(node, list):
        if len(node) == 4 and node[0] == "$" and isinstance(node[1], str):
            _render_element(node[1], node[3] if isinstance(node[3], dict) else {}, rows, texts,
                            parts, depth, seen)
        else:
            for child in node:
                _render(child, rows, texts, parts, depth + 1, seen)
    elif isinstance(node, dict):
        # Newer Next.js roots are objects ({"b": build, "f": [[…segment, tree…]]…}): only
        # their nested trees are rendered, never their plain values (ids, paths).
        for child in node.values():
            if isinstance(child, (list, dict)):
                _render(child, rows, texts, parts, depth + 1, seen)


def _render_element(tag: str, props: dict[str, Any], rows: dict[str, Any],
                    texts: dict[str, str], parts: list[str], depth: int,
                    seen: set[str]) -> None:
    html_tag = tag if re.fullmatch(r"[a-z][a-z0-9]*", tag) else ""
    if html_tag in ("script", "style", "template", "noscript"):
        return
    if html_tag:
        attrs = ""
        for name, attr in (("className", "class"), ("id", "id"), ("src", "src"),
                           ("alt", "alt"), ("href", "href")):
            value = props.get(name)
            if isinstance(value, str) and not value.startswith("$"):
                attrs += f' {attr}="{escape(value)}"'
        if props.get("hidden") is True:
            attrs += " hidden"
        parts.append(f"<{html_tag}{attrs}>")
    inner = props.get("dangerouslySetInnerHTML")
    if isinstance(inner, dict):
        raw = inner.get("__html")
        if isinstance(raw, str) and raw.startswith("$") and raw[1:] in texts:
            raw = texts[raw[1:]]
        if isinstance(raw, str):
            parts.append(raw)
    else:
        _render(props.get("children"), rows, texts, parts, depth + 1, seen)
    if html_tag and html_tag not in _VOID:
        parts.append(f"</{html_tag}>")


# --- Nuxt ------------------------------------------------------------------------------------

def unflatten(data: Any) -> Any:
    """Nuxt 3's devalue payload (a flat array of entries referring to each other by index)."""
    if not isinstance(data, list) or not data:
        return data
    cache: dict[int, Any] = {}

    def value(index: Any, depth: int) -> Any:
        if not isinstance(index, int) or isinstance(index, bool) or depth > _MAX_DEPTH:
            return None
        if index < 0 or index >= len(data):
            return None
        if index in cache:
            return cache[index]
        entry = data[index]
        if isinstance(entry, list):
            if entry and isinstance(entry[0], str) and entry[0] in (
                    "Reactive", "ShallowReactive", "Ref", "ShallowRef", "EmptyRef"):
                result = value(entry[1], depth + 1) if len(entry) > 1 else None
            elif entry and isinstance(entry[0], str) and entry[0] in ("Date", "null"):
                result = entry[1] if len(entry) > 1 else None
            else:
                result = [value(i, depth + 1) for i in entry]
        elif isinstance(entry, dict):
            result = {k: value(v, depth + 1) for k, v in entry.items()}
        else:
            result = entry
        cache[index] = result
        return result

    return value(0, 0)


_NUXT2 = re.compile(r"__NUXT__\s*=\s*")
_IIFE = re.compile(r"^\(?\s*function\s*\(([\w$,\s]*)\)\s*\{\s*return\s*", re.S)


def _nuxt2(script: str) -> Any:
    """``window.__NUXT__`` of Nuxt 2, as a literal or as the function-call form."""
    import chompjs

    match = _NUXT2.search(script)
    if match is None:
        return None
    code = script[match.end():].strip()
    iife = _IIFE.match(code)
    try:
        if iife is None:
            return chompjs.parse_js_object(code)
        params = [p.strip() for p in iife.group(1).split(",") if p.strip()]
        literal = chompjs.parse_js_object(code[iife.end():])
        call = code.rfind("}(")
        args = chompjs.parse_js_object("[" + code[call + 2:].rstrip(" ;)\n") + "]") \
            if call > 0 else []
    except ValueError:
        return None
    names = dict(zip(params, args if isinstance(args, list) else []))
    return _substitute(literal, names, 0)


def _substitute(value: Any, names: dict[str, Any], depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, str) and value in names:
        return names[value]
    if isinstance(value, list):
        return [_substitute(v, names, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, names, depth + 1) for k, v in value.items()}
    return value
