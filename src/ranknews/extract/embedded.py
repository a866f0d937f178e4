"""Articles that live only in a JSON blob inside a <script>, not in the markup.

Pages rendered by a JavaScript front end ship their article as data: Arc XP ("Fusion",
used by chosun.com among others) assigns ``Fusion.globalContent = {...}`` with a list of
``content_elements``; Next.js pages carry ``__NEXT_DATA__``. Without reading these, such a
page has no body text at all (trafilatura and readability score 0 on chosun.com).

We recognise the Arc ANS shape (``content_elements`` of typed elements), wherever in a script
it appears, rather than any one outlet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from selectolax.lexbor import LexborHTMLParser

from ranknews.extract.credit import split_credit
from ranknews.models import Block, Figure, Paragraph
from ranknews.sanitize import safe_url, strip_tags

_ASSIGNMENT = re.compile(r"(?:=|:)\s*(?=\{)")
_HANGUL_NAME = re.compile(r"^([가-힣]{1,2}) ([가-힣])$")


@dataclass
class EmbeddedArticle:
    """What an embedded JSON article gave us; empty fields mean "not provided"."""

    title: str = ""
    subtitles: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: str = ""
    updated: str = ""
    section: str = ""
    description: str = ""
    canonical_url: str = ""
    blocks: list[Block] = field(default_factory=list)


def read_embedded(tree: LexborHTMLParser) -> EmbeddedArticle | None:
    """The article from an Arc-style JSON blob in the page's scripts, or None."""
    for script in tree.css("script"):
        text = script.text(deep=True) or ""
        if '"content_elements"' not in text:
            continue
        for document in _json_objects(text):
            story = _find_story(document)
            if story is not None:
                return _from_ans(story)
    return None


def _json_objects(script: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    if script.lstrip().startswith("{"):
        try:
            yield json.loads(script)
        except ValueError:
            pass
    for match in _ASSIGNMENT.finditer(script):
        try:
            value, _ = decoder.raw_decode(script, match.end())
        except ValueError:
            continue
        yield value


def _find_story(value: Any, depth: int = 0) -> dict[str, Any] | None:
    """The first object holding a list of typed content elements with text."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        elements = value.get("content_elements")
        if isinstance(elements, list) and any(
            isinstance(e, dict) and e.get("type") == "text" for e in elements
        ):
            return value
        children = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _find_story(child, depth + 1)
        if found is not None:
            return found
    return None


def _basic(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("basic")
    return strip_tags(value) if isinstance(value, str) else ""


def _from_ans(story: dict[str, Any]) -> EmbeddedArticle:
    taxonomy = story.get("taxonomy") or {}
    section = taxonomy.get("primary_section") or {}
    subtitle = _basic(story.get("subheadlines"))
    return EmbeddedArticle(
        title=_basic(story.get("headlines")),
        subtitles=[line for line in subtitle.split("\n") if line.strip()] if subtitle else [],
        authors=[_person(by) for by in (story.get("credits") or {}).get("by") or []
                 if isinstance(by, dict) and by.get("name")],
        published=str(story.get("first_publish_date") or story.get("display_date") or ""),
        updated=str(story.get("last_updated_date") or ""),
        section=str(section.get("name") or "") if isinstance(section, dict) else "",
        description=_basic(story.get("description")),
        canonical_url=str(story.get("canonical_url") or ""),
        blocks=list(_blocks(story.get("content_elements") or [])),
    )


def _person(by: dict[str, Any]) -> str:
    # Arc stores names as "given family" ("선민 박"); Korean bylines put the family name first.
    name = " ".join(str(by.get("name")).split())
    match = _HANGUL_NAME.match(name)
    return match.group(2) + match.group(1) if match else name


def _blocks(elements: list[Any]) -> Iterator[Block]:
    for element in elements:
        if not isinstance(element, dict):
            continue
        kind = element.get("type")
        if kind in ("text", "header"):
            text = strip_tags(str(element.get("content") or "").replace("<br", "\n<br"))
            if text:
                yield Paragraph(text)
        elif kind == "image":
            url = safe_url(str(element.get("url") or ""))
            if url:
                yield Figure(url, *split_credit(strip_tags(str(element.get("caption") or ""))))
        elif kind == "list":
            for item in element.get("items") or []:
                if isinstance(item, dict) and item.get("content"):
                    yield Paragraph(strip_tags(str(item["content"])))
