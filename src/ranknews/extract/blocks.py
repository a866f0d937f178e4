"""HTML body → ordered blocks (paragraphs and figures), after sanitizing with nh3."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from ranknews.extract.credit import split_credit
from ranknews.models import Block, Figure, Paragraph
from ranknews.sanitize import clean_html, safe_url

_BLOCK_TAGS = {"p", "div", "figure", "br"}


def html_to_blocks(html: str) -> tuple[Block, ...]:
    """Paragraphs and figures of an HTML body, in reading order; scripts and handlers gone."""
    tree = HTMLParser(f"<body>{clean_html(html)}</body>")
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(pending).split())
        if text:
            blocks.append(Paragraph(text))
        pending.clear()

    def walk(node: Node) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                pending.append(child.text(deep=False))
            elif tag == "img" or tag == "figure":
                flush()
                figure = _figure(child)
                if figure:
                    blocks.append(figure)
            elif tag in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    if tree.body is not None:
        walk(tree.body)
    flush()
    return tuple(blocks)


def _figure(node: Node) -> Figure | None:
    img = node if node.tag == "img" else node.css_first("img")
    url = safe_url(img.attributes.get("src") if img is not None else None)
    if url is None:
        return None
    caption_node = node.css_first("figcaption") if node.tag == "figure" else None
    caption = " ".join(caption_node.text().split()) if caption_node is not None else ""
    if not caption and img is not None:
        caption = " ".join((img.attributes.get("alt") or "").split())
    return Figure(url, *split_credit(caption))

