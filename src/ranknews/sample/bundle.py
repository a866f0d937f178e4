"""What the demo sample holds: the seed board and real articles (``articles.jsonl``), the
corpus written for ranknews (``corpus/*.jsonl``, its fictional outlets in
``corpus/outlets.toml``) and the photos drawn for it (``web/static/sample/photos``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from ranknews.models import Article, Figure
from ranknews.sources import is_sample_outlet
from ranknews.sources.jsonl import read_lines

HERE = Path(__file__).parent
SAMPLE = HERE / "articles.jsonl"
CORPUS = HERE / "corpus"
PHOTOS = HERE.parent / "web" / "static" / "sample" / "photos"
PHOTOS_URL = "/static/sample/photos/"
MISSING_PHOTO = "sample.jpg"  # drawn for a figure whose photo was not drawn (yet)


@dataclass(frozen=True)
class SampleOutlet:
    name: str
    domain: str
    kind: str = ""
    description: str = ""
    feeds: dict[str, str] = field(default_factory=dict)  # section → feed path on the site


def sample_files() -> list[Path]:
    return [SAMPLE, *sorted(CORPUS.glob("*.jsonl"))]


def sample_articles(paths: list[Path] | None = None) -> list[Article]:
    """Every article of the sample, in file order (the keys the corpus adds for its own
    checks, ``event`` and ``thread``, are not part of an Article)."""
    found = []
    for path in paths or sample_files():
        with open(path, encoding="utf-8") as handle:
            found += [a for a in read_lines(handle, str(path)) if isinstance(a, Article)]
    return found


def sample_outlets(path: Path = CORPUS / "outlets.toml") -> dict[str, SampleOutlet]:
    """The corpus's outlets by domain (none when the corpus is not there)."""
    if not path.exists():
        return {}
    with open(path, "rb") as handle:
        table = tomllib.load(handle)
    return {o["domain"]: SampleOutlet(o["name"], o["domain"], o.get("kind", ""),
                                      o.get("description", ""), dict(o.get("feeds", {})))
            for o in table.get("outlet", [])}


def with_local_photos(articles: list[Article], base_url: str) -> list[Article]:
    """Figures pointed at the photos ranknews serves itself (``base_url`` + /static/…): a
    corpus photo ``https://<outlet>/photos/<name>.jpg`` becomes the file drawn for it, a
    site-relative address (the seed article's) gets the board's address in front."""
    return [replace(a, blocks=tuple(_local(b, base_url) for b in a.blocks))
            if a.figures else a for a in articles]


def _local(block: object, base_url: str) -> object:
    if not isinstance(block, Figure):
        return block
    url = block.image_url
    if url.startswith("/"):
        return replace(block, image_url=base_url.rstrip("/") + url)
    parts = urlsplit(url)
    if is_sample_outlet(parts.hostname) and parts.path.startswith("/photos/"):
        stem = Path(parts.path).stem
        drawn = next(iter(sorted(PHOTOS.glob(f"{stem}.*"))), None)
        name = drawn.name if drawn else MISSING_PHOTO
        return replace(block, image_url=f"{base_url.rstrip('/')}{PHOTOS_URL}{name}")
    return block
