"""Extraction quality and speed: ranknews vs trafilatura vs readability-lxml, same pages.

Pages: every ``<slug>.html`` under ``../shared/data/pages/<domain>/`` with its ``.json``
(expected ``url``, ``title``, ``text`` one paragraph a line, ``published``; ``truth`` is
``gold`` or ``silver``). Run: ``python benchmarks/extraction.py [--pages DIR] [--repeat N]``.

Two body metrics, per page, then averaged over pages (and per outlet):
``bigram F1`` (``ranknews.extract.evaluation.bigram_f1``): F1 over the character bigrams of
  both texts with all whitespace removed, so it does not depend on how the truth file joins
  paragraphs (yonhapnewstv.co.kr's silver text glues them with no space);
``token F1`` (``ranknews.extract.evaluation.token_f1``), the earlier one:
  tokens = the text split on whitespace (``str.split()``), no other normalisation;
  E = multiset of expected tokens, P = multiset of predicted tokens;
  overlap = |E ∩ P| (multiset intersection: each token counts min(count in E, count in P));
  precision = overlap / |P|, recall = overlap / |E|, F1 = 2PR / (P + R);
  F1 = 1 when both are empty, 0 when exactly one is.
  Predicted text: ranknews = subtitles + body paragraphs (figure captions excluded), one a
  line; trafilatura = ``trafilatura.extract(html, url=...)`` (defaults); readability =
  ``Document(html).summary()`` reduced to text with lxml.
Title exact match: the page's headline as shown (tags kept: "[속보] …") equals the
  expected title after collapsing whitespace. ranknews uses ``extra["headline"]``;
  trafilatura its metadata title; readability ``Document.short_title()``.
Published match: the same instant (timezone-aware comparison; an expected time without an
  offset is read as KST), at the precision the expected value is written in: "2023.04.21
  16:25" matches any time within that minute. Only pages whose expected ``published``
  parses are counted.
  trafilatura's date is asked for with time of day (``bare_extraction`` with
  ``date_extraction_params``); readability-lxml has no date extraction (shown as nan).
Speed: pages per second over all pages, single process, ``--repeat`` passes (best pass).

Leave one outlet out (``evaluation.leave_one_outlet_out``): each outlet's F1 with the
extractor's thresholds chosen on the other outlets' pages (``params.GRID``) and with the
rules that only that outlet's pages ever triggered switched off; "strict" also switches
off format readers (Arc XP, JSON-LD, Next.js, RSC, Nuxt) that only that outlet used and
does not count the project's own fixture pages as evidence. The peers were fitted to none
of these pages, so their figures are leave-one-outlet-out figures as they stand.

Own structures: the project's fixture pages with truth files (``tests/fixtures/pages/own``:
framework payloads, hidden and app copies, summary boxes), scored for all three extractors.
They were written with the rules in view, so they are checks, not held-out data.

Second opinions: on every page, how often the markup's body and a second opinion (JSON-LD
articleBody, Arc XP, Next.js, RSC, Nuxt data) disagreed strongly, which one was picked,
and whether the pick scores at least as well against the truth as the one left.

Silver truth has known leftovers from the scraper that produced it; the "as given" columns
score against it untouched. The "repaired" title column removes one documented leftover:
a trailing "공유하기" (a share button's label) glued to yonhapnewstv.co.kr titles.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

from ranknews.errors import NoArticleFound  # noqa: E402
from ranknews.extract import extract_article  # noqa: E402
from ranknews.extract.dates import parse_datetime  # noqa: E402
from ranknews.extract.evaluation import (  # noqa: E402
    EvalPage,
    bigram_f1,
    leave_one_outlet_out,
    scored_text,
    token_f1,
)

OWN_PAGES = ROOT / "tests" / "fixtures" / "pages" / "own"


def _default_pages() -> Path:
    """The real pages in ../shared/data (or ``$RANKNEWS_SHARED_DATA``)."""
    return shared_data() / "pages"


DEFAULT_PAGES = _default_pages()


@dataclass
class Page:
    outlet: str
    path: Path
    html: str
    expected: dict


@dataclass
class Output:
    text: str
    title: str
    published: datetime | None
    dates: bool = True  # False: the extractor does not look for dates at all


def load_pages(folder: Path, pattern: str = "*/*.html") -> list[Page]:
    pages = []
    for html_path in sorted(folder.glob(pattern)):
        json_path = html_path.with_suffix(".json")
        if not json_path.exists():
            continue
        expected = json.loads(json_path.read_text(encoding="utf-8"))
        html = html_path.read_text(encoding="utf-8", errors="replace")
        pages.append(Page(html_path.parent.name, html_path, html, expected))
    return pages


def run_ranknews(page: Page) -> Output:
    try:
        article = extract_article(page.html, page.expected["url"])
    except NoArticleFound:
        return Output("", "", None)
    return Output(scored_text(article), article.extra.get("headline", article.display_title),
                  article.published_at)


def run_trafilatura(page: Page) -> Output:
    import trafilatura

    # One call for text and metadata, as trafilatura.extract does internally; asking for the
    # time of day too, since by default it reports dates only.
    document = trafilatura.bare_extraction(
        page.html, url=page.expected["url"], with_metadata=True,
        date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S", "original_date": True,
                                "extensive_search": True},
    )
    if document is None:
        return Output("", "", None)
    published = parse_datetime(document.date) if document.date else None
    return Output(document.text or "", document.title or "", published)


def run_readability(page: Page) -> Output:
    import lxml.html
    from readability import Document

    document = Document(page.html)
    summary = document.summary(html_partial=True)
    tree = lxml.html.fromstring(summary) if summary.strip() else None
    text = "\n".join(t.strip() for t in tree.itertext() if t.strip()) if tree is not None else ""
    return Output(text, document.short_title() or "", None, dates=False)


def _has_seconds(value: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d{2}:\d{2}", value))


def _same_instant(want: datetime, got: datetime | None, minute_only: bool) -> bool:
    if got is None:
        return False
    if minute_only:
        return abs((got - want).total_seconds()) < 60 and got.minute == want.astimezone(
            got.tzinfo).minute
    return got == want


def _published_score(outputs: list[Output], dated: list, minute_only: list[bool]) -> float:
    if not dated or not outputs or not outputs[0].dates:
        return float("nan")
    return statistics.mean(_same_instant(want, got, minute)
                           for (want, got), minute in zip(dated, minute_only))


def same_title(expected: str, got: str, *, repaired: bool) -> bool:
    want = " ".join(expected.split())
    if repaired and want.endswith(" 공유하기"):
        want = want[: -len(" 공유하기")]
    return want == " ".join((got or "").split())


def score(name: str, run: Callable[[Page], Output], pages: list[Page], repeat: int) -> dict:
    outputs: list[Output] = []
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        outputs = [run(page) for page in pages]
        best = min(best, time.perf_counter() - started)
    f1s = [token_f1(p.expected.get("text", ""), o.text) for p, o in zip(pages, outputs)]
    bigrams = [bigram_f1(p.expected.get("text", ""), o.text) for p, o in zip(pages, outputs)]
    by_outlet: dict[str, list[float]] = defaultdict(list)
    by_outlet_bigram: dict[str, list[float]] = defaultdict(list)
    for page, f1, bigram in zip(pages, f1s, bigrams):
        by_outlet[page.outlet].append(f1)
        by_outlet_bigram[page.outlet].append(bigram)
    gold = [f for p, f in zip(pages, f1s) if p.expected.get("truth") == "gold"]
    dated = [(parse_datetime(p.expected.get("published")), o.published)
             for p, o in zip(pages, outputs)]
    dated = [(want, got) for want, got in dated if want is not None]
    minute_only = [not _has_seconds(p.expected.get("published") or "") for p in pages
                   if parse_datetime(p.expected.get("published")) is not None]
    return {
        "name": name,
        "f1": statistics.mean(f1s),
        "bigram": statistics.mean(bigrams),
        "outlets_bigram": {k: statistics.mean(v) for k, v in sorted(by_outlet_bigram.items())},
        "f1_gold": statistics.mean(gold) if gold else float("nan"),
        "outlets": {k: statistics.mean(v) for k, v in sorted(by_outlet.items())},
        "title": statistics.mean(same_title(p.expected.get("title", ""), o.title,
                                            repaired=False) for p, o in zip(pages, outputs)),
        "title_repaired": statistics.mean(same_title(p.expected.get("title", ""), o.title,
                                                     repaired=True)
                                          for p, o in zip(pages, outputs)),
        "published": _published_score(outputs, dated, minute_only),
        "pages_per_s": len(pages) / best if best > 0 else float("inf"),
        "f1s": f1s,
        "bigrams": bigrams,
    }


def print_report(results: list[dict], pages: list[Page], *, worst: int,
                 loo: dict | None = None) -> None:
    print(f"{len(pages)} pages from {len({p.outlet for p in pages})} outlets\n")
    header = (f"{'extractor':<14}{'bigram F1':>10}{'token F1':>10}{'F1 gold':>9}{'title':>8}"
              f"{'title*':>8}{'published':>11}{'pages/s':>10}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['name']:<14}{r['bigram']:>10.3f}{r['f1']:>10.3f}{r['f1_gold']:>9.3f}"
              f"{r['title']:>8.3f}{r['title_repaired']:>8.3f}{r['published']:>11.3f}"
              f"{r['pages_per_s']:>10.1f}")
    print("  F1 gold = token F1 on the gold pages; title* = title match after repairing the "
          "documented silver leftover\n")
    outlets = list(results[0]["outlets"])
    names = [r["name"] for r in results]
    cols = ["ranknews LOO", "LOO strict"] if loo else []
    print("bigram F1 / token F1 by outlet")
    print(f"{'outlet':<24}" + "".join(f"{c:>16}" for c in cols)
          + "".join(f"{n:>16}" for n in names))
    for outlet in outlets:
        row = f"{outlet:<24}"
        if loo:
            for key in ("standard", "strict"):
                o = loo[key].outlets[outlet]
                row += f"{o['bigram']:>9.3f} /{o['token']:.3f}"
        for r in results:
            row += f"{r['outlets_bigram'][outlet]:>9.3f} /{r['outlets'][outlet]:.3f}"
        print(row)
    if loo:
        row = f"{'mean over pages':<24}"
        for key in ("standard", "strict"):
            res = loo[key]
            token = statistics.mean(res.outlets[o]["token"] * sum(p.outlet == o for p in pages)
                                    for o in res.outlets) * len(res.outlets) / len(pages)
            row += f"{res.mean_bigram:>9.3f} /{token:.3f}"
        for r in results:
            row += f"{r['bigram']:>9.3f} /{r['f1']:.3f}"
        print(row)
        print("\nLOO: per held-out outlet, the thresholds chosen on the other outlets and the "
              "rules switched off (fired only there)")
        for outlet in outlets:
            chosen = loo["standard"].chosen[outlet]
            print(f"  {outlet:<24} min_body={chosen.min_body} sentence_weight="
                  f"{chosen.sentence_weight} longer_factor={chosen.longer_factor}")
            for key in ("standard", "strict"):
                off = loo[key].disabled[outlet]
                print(f"    {key:<8} off ({len(off)}): {', '.join(off) or '-'}")
    ours = results[0]
    print()
    for other in results[1:]:
        ratio_f1 = ours["bigram"] / other["bigram"] if other["bigram"] else float("inf")
        speed = ours["pages_per_s"] / other["pages_per_s"] if other["pages_per_s"] else 0
        print(f"ranknews / {other['name']}: bigram F1 ×{ratio_f1:.2f}, speed ×{speed:.2f}")
    if worst:
        print(f"\nranknews's {worst} lowest pages (bigram F1):")
        ranked = sorted(zip(ours["bigrams"], pages), key=lambda pair: pair[0])[:worst]
        for f1, page in ranked:
            print(f"  {f1:.3f}  {page.outlet}/{page.path.name}")


def eval_pages(pages: list[Page]) -> list[EvalPage]:
    return [EvalPage(p.outlet, p.expected["url"], p.html, p.expected.get("text", ""))
            for p in pages]


def second_opinions(pages: list[Page]) -> None:
    """How often the markup and a second opinion disagreed, which way, and was it right."""
    counts: dict[str, int] = defaultdict(int)
    lines = []
    for page in pages:
        trace: dict = {}
        try:
            extract_article(page.html, page.expected["url"], trace=trace)
        except NoArticleFound:
            pass
        candidates = trace.get("candidates", {})
        if len(candidates) > 1:
            counts["pages with a second opinion"] += 1
        if trace.get("reason") == "markup-short":
            counts["markup empty or short: second opinion used"] += 1
        if trace.get("reason") == "agree-longer":
            counts["agreed, second opinion much longer: used"] += 1
        for case in trace.get("disagreed", []):
            counts["strong disagreements"] += 1
            picked = case["picked"]
            left = case["against"] if picked != case["against"] else "markup"
            truth = page.expected.get("text", "")
            good = bigram_f1(truth, candidates.get(picked, "")) >= bigram_f1(
                truth, candidates.get(left, ""))
            counts[f"picked {'second opinion' if picked != 'markup' else 'markup'}"] += 1
            counts["pick as good as or better than the other (truth)"] += good
            lines.append(f"  {page.outlet}/{page.path.name}: picked {picked} over {left} "
                         f"(shared {case['share']}, evidence {case['evidence']}), "
                         f"{'right' if good else 'WRONG'}")
    print("\nsecond opinions (markup vs JSON-LD articleBody / Arc / Next.js / RSC / Nuxt data):")
    for key, value in counts.items():
        print(f"  {key}: {value}")
    if not counts:
        print("  none")
    for line in lines:
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--repeat", type=int, default=2, help="timing passes (best is kept)")
    parser.add_argument("--worst", type=int, default=8, help="list our N lowest pages")
    parser.add_argument("--only-ours", action="store_true", help="skip the peers")
    parser.add_argument("--no-loo", action="store_true", help="skip leave-one-outlet-out")
    args = parser.parse_args(argv)
    pages = load_pages(args.pages)
    if not pages:
        print(f"no pages found under {args.pages}", file=sys.stderr)
        return 1
    runners = [("ranknews", run_ranknews)]
    if not args.only_ours:
        runners += [("trafilatura", run_trafilatura), ("readability", run_readability)]
    results = [score(name, run, pages, args.repeat) for name, run in runners]
    own = load_pages(OWN_PAGES, "*.html")
    loo = None
    if not args.no_loo:
        loo = {"standard": leave_one_outlet_out(eval_pages(pages), eval_pages(own)),
               "strict": leave_one_outlet_out(eval_pages(pages), eval_pages(own),
                                              strict=True)}
    print_report(results, pages, worst=args.worst, loo=loo)
    second_opinions(pages + own)
    if own:
        print(f"\nown structures ({len(own)} fixture pages; checks, not held out): bigram F1")
        own_results = [score(name, run, own, 1) for name, run in runners]
        print(f"{'page':<24}" + "".join(f"{r['name']:>14}" for r in own_results))
        for i, page in enumerate(own):
            print(f"{page.path.stem:<24}"
                  + "".join(f"{r['bigrams'][i]:>14.3f}" for r in own_results))
        print(f"{'mean':<24}" + "".join(f"{r['bigram']:>14.3f}" for r in own_results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
