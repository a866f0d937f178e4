"""The sample corpus written for ranknews (src/ranknews/sample/corpus): what the demo needs from
it is really in the files, and every line is accepted by the importer."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import shared_data

from ranknews.pipeline import import_jsonl
from ranknews.sources.jsonl import article_from_record

CORPUS = Path(__file__).resolve().parent.parent / "src" / "ranknews" / "sample" / "corpus"
FILES = sorted(CORPUS.glob("week-*.jsonl"))
SECTIONS = {"정치", "경제", "사회", "세계", "IT/과학", "생활/문화", "연예", "스포츠"}
WIRE_CREDIT = re.compile(r"^\((\w+)=한결통신\)")


def _load() -> list[dict]:
    return [json.loads(line) for path in FILES
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


ARTICLES = _load()
OUTLETS = tomllib.loads((CORPUS / "outlets.toml").read_text(encoding="utf-8"))["outlet"]


def when(article: dict) -> datetime:
    return datetime.fromisoformat(article["published"])


def day(article: dict) -> str:
    return article["published"][:10]


def by_event() -> dict[str, list[dict]]:
    events: dict[str, list[dict]] = defaultdict(list)
    for article in ARTICLES:
        events[article["event"]].append(article)
    return events


def figures(article: dict) -> list[dict]:
    return [b for b in article.get("blocks", []) if b["kind"] == "figure"]


def test_a_few_hundred_articles_over_a_week_in_all_eight_sections():
    assert len(FILES) >= 6
    assert 250 <= len(ARTICLES) <= 350
    sections = Counter(a["section"] for a in ARTICLES)
    assert set(sections) == SECTIONS
    assert min(sections.values()) >= 20
    days = Counter(day(a) for a in ARTICLES)
    assert sorted(days) == [f"2024-06-{d}" for d in range(10, 17)]
    assert all(when(a).utcoffset().total_seconds() == 9 * 3600 for a in ARTICLES)
    assert max(when(a) for a in ARTICLES) <= datetime.fromisoformat("2024-06-16T23:00+09:00")
    # more on the last two days than on any earlier one
    assert min(days["2024-06-15"], days["2024-06-16"]) > max(
        n for d, n in days.items() if d < "2024-06-15")


def test_every_line_is_valid_and_every_article_distinct():
    for article in ARTICLES:
        parsed = article_from_record(article)
        assert parsed.title and article["event"]
        assert len(parsed.paragraphs) == 0 or 1 <= len(parsed.paragraphs) <= 6
    assert len({a["url"] for a in ARTICLES}) == len(ARTICLES)
    bodies = Counter((a["outlet"], a["text"]) for a in ARTICLES if a["text"])
    assert max(bodies.values()) == 1  # the importer would take a repeated body as one post


def test_every_line_imports(db):
    report = import_jsonl(db, FILES, workers=1)
    assert not report.errors
    assert report.inserted == len(ARTICLES)


def test_outlets_are_fictional_and_cover_every_article():
    assert 10 <= len(OUTLETS) <= 14
    kinds = Counter(o["kind"] for o in OUTLETS)
    assert set(kinds) == {"daily", "economic", "broadcaster", "wire", "internet"}
    assert kinds["wire"] == 1
    domains = {o["name"]: o["domain"] for o in OUTLETS}
    assert all(d.endswith(".example") for d in domains.values())
    assert all(set(o["feeds"]) <= SECTIONS and o["feeds"] for o in OUTLETS)
    for article in ARTICLES:
        assert domains[article["outlet"]] == article["outlet_domain"]
        assert urlsplit(article["url"]).hostname == article["outlet_domain"]
        assert article["section"] in next(o["feeds"] for o in OUTLETS
                                          if o["name"] == article["outlet"])
    assert len({a["outlet"] for a in ARTICLES}) == len(OUTLETS)


def test_events_are_reported_by_several_outlets_in_their_own_words():
    shared = {slug: arts for slug, arts in by_event().items()
              if len({a["outlet"] for a in arts}) >= 3}
    assert len(shared) >= 30
    for arts in shared.values():
        assert len({a["outlet"] for a in arts}) <= 10
        own = [a for a in arts if a["authors"] != ["한결통신"]]
        # outside wire copies, no two outlets share a headline or a body paragraph
        assert len({a["title"] for a in own}) == len(own)
        paragraphs = Counter(p for a in own for p in set(a["text"].splitlines()))
        assert max(paragraphs.values(), default=1) == 1


def test_a_running_story_with_follow_ups_on_later_days():
    threads: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for article in ARTICLES:
        if "thread" in article:
            threads[article["thread"]][article["event"]].append(article)
    assert all(len(events) >= 2 for events in threads.values())
    running = []
    for events in threads.values():
        reported = [arts for arts in events.values() if len({a["outlet"] for a in arts}) >= 3]
        firsts = sorted(min(when(a) for a in arts) for arts in reported)
        if len({t.date() for t in firsts}) >= 4:  # each follow-up on a later day
            running.append(events)
    assert running


def test_wire_copies_republished_nearly_verbatim():
    wire = next(o["name"] for o in OUTLETS if o["kind"] == "wire")
    originals = [a for a in ARTICLES if a["outlet"] == wire and a["text"]]
    copies = [a for a in ARTICLES if a["outlet"] != wire and a["authors"] == [wire]]
    assert len(copies) >= 10
    per_original = Counter()
    for copy in copies:
        assert WIRE_CREDIT.match(copy["text"])
        # the wire story word for word, sometimes without its last paragraphs
        source = [o for o in originals if o["text"].startswith(copy["text"])]
        assert len(source) == 1 and when(source[0]) < when(copy)
        assert len(copy["text"]) >= len(source[0]["text"]) * 0.6
        assert source[0]["event"] == copy["event"]
        per_original[source[0]["url"]] += 1
    assert max(per_original.values()) >= 3


def test_a_true_and_a_false_exclusive():
    exclusives = [a for a in ARTICLES if a["title"].startswith("[단독]")]
    true, false = [], []
    for scoop in exclusives:
        others = [a for a in by_event()[scoop["event"]] if a["outlet"] != scoop["outlet"]]
        if others and all(when(a) > when(scoop) for a in others):
            true.append(scoop)
        if any(when(a) < when(scoop) for a in others):
            false.append(scoop)
    assert true and false
    # the true one was confirmed later by several outlets, on another day
    confirmed = [a for a in by_event()[true[0]["event"]] if a["outlet"] != true[0]["outlet"]]
    assert len({a["outlet"] for a in confirmed}) >= 5
    assert min(when(a) for a in confirmed).date() > when(true[0]).date()


def test_breaking_news_and_revisions_by_the_same_outlet():
    breaking = [a for a in ARTICLES if a["title"].startswith("[속보]")]
    assert len(breaking) >= 6
    assert all(len(a["text"].splitlines()) <= 1 for a in breaking)
    revisions = {"종합": 0, "2보": 0}
    for article in ARTICLES:
        label = next((k for k in revisions if article["title"].endswith(f"({k})")), None)
        if not label:
            continue
        earlier = [a for a in by_event()[article["event"]] if a["outlet"] == article["outlet"]
                   and when(a) < when(article)]
        assert earlier and all(len(a["text"]) < len(article["text"]) for a in earlier)
        assert all(a["url"] != article["url"] for a in earlier)
        revisions[label] += 1
    assert revisions["종합"] >= 2 and revisions["2보"] >= 1


def test_photos_with_captions_credits_and_descriptions():
    with_photos = [a for a in ARTICLES if figures(a)]
    assert 35 <= len(with_photos) <= 50
    names = set()
    for article in with_photos:
        assert article["text"] == "\n".join(
            b["text"] for b in article["blocks"] if b["kind"] == "paragraph")
        for figure in figures(article):
            url = urlsplit(figure["image_url"])
            assert url.hostname == article["outlet_domain"]
            assert url.path.startswith("/photos/") and url.path.endswith(".jpg")
            assert figure["caption"] and figure["credit"]
            names.add(url.path[len("/photos/"):-len(".jpg")])
    described = set(re.findall(r"^\| `([a-z0-9-]+)` \|", (CORPUS / "PHOTOS.md").read_text(
        encoding="utf-8"), re.M))
    assert names == described
    assert any(f["credit"].endswith(" 제공") for a in with_photos for f in figures(a))


def test_headline_only_posts():
    assert 12 <= sum(1 for a in ARTICLES if not a["text"]) <= 22


@pytest.mark.parametrize("name", ["세움전자", "청년주거기본법", "문채아"])
def test_trending_names_burst_on_the_last_day(name):
    last = [a for a in ARTICLES if day(a) == "2024-06-16" and name in a["title"] + a["text"]]
    before = [a for a in ARTICLES if day(a) < "2024-06-16" and name in a["title"] + a["text"]]
    assert len(last) >= 8 and len({a["outlet"] for a in last}) >= 6
    assert len(before) <= len(last) // 3


def test_the_text_is_not_copied_from_the_real_data():
    """The corpus ships under the MIT licence: no sentence of it may come from real articles."""
    root = shared_data()
    real = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in root.rglob("*")
                     if p.is_file() and p.suffix in {".json", ".md", ".txt", ".html", ".tsv"})
    real = " ".join(real.split())
    sentences = {s.strip() for a in ARTICLES for p in a["text"].splitlines()
                 for s in re.split(r"(?<=다\.)\s", p)}
    sentences |= {a["title"] for a in ARTICLES}
    copied = [s for s in sentences if len(s) >= 20 and s in real]
    assert not copied
