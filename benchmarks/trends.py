"""Replay 98 days of real headlines through the pipeline and check named events.

    python benchmarks/trends.py [--data ../shared/data/headlines/daily]
        [--checklist benchmarks/trends_checklist.toml] [--labels benchmarks/trends_labels.toml]
        [--quiet] [--memory]

For each day, in time order (default, ``--through store``): the day's headlines are saved as
posts in a fresh SQLite database (published from 06:00 to 22:00 KST in file order; the digests
carry no times; URLs listed under several headings are one post), ``pipeline.update_rank``
runs as the collector would at the end of the day (Kiwi noun phrases and aliases once per
post, the day's counts, the precomputed trends page), and the page's top 10 is printed.
``--memory`` runs the same rank functions without the database (faster, for tuning): a link
listed again on a later day is the earlier day's post in both, and the baseline starts the day
before the window, as ``compute_trends`` reads it; but the stored pipeline counts (story,
outlet) pairs with the stories stage's stories, where memory takes each article's keyword set
as its story, so the two top 10s differ somewhat (measure both).
The check list names, for some days, the event a reader would name from that day's headlines;
the script reports for how many of those days the top 10 contains it (a top-10 entry is the
keyword with its related keywords, as /trends shows it: "윤리심판원 · 김병기 · 제명").
It also counts, on the days of ``trends_labels.toml``, how many top-10 keywords were judged by
hand to name a story and how many are generic nouns. Finally it times
scoring a 5,000-article window against the baseline history (``TrendParams.baseline_days``
stored days before it; analysis already stored).
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

from ranknews.rank.aliases import AliasBook  # noqa: E402
from ranknews.rank.headlines import read_days  # noqa: E402
from ranknews.rank.keywords import (  # noqa: E402
    article_keywords,
    keyword_texts,
    outlet_stop_words,
)
from ranknews.rank.trends import (  # noqa: E402
    KeywordDoc,
    TrendParams,
    count_window,
    score_window,
)
from ranknews.text.analysis import Analyzer  # noqa: E402

DEFAULT_DATA = shared_data() / "headlines" / "daily"


def analyse(days: list, analyzer: Analyzer) -> list[list[tuple[str, ...]]]:
    """Noun phrases of every headline (what the pipeline stores per article)."""
    titles = [keyword_texts(h.title)[0] for day in days for h in day]
    phrases = analyzer.noun_phrases(titles)
    out, i = [], 0
    for day in days:
        out.append(phrases[i:i + len(day)])
        i += len(day)
    return out


def matches(expected: list[str], keywords: list[str]) -> bool:
    """A shown keyword names the event when it is one of its words or contains one
    (서킷브레이커발동 contains 서킷브레이커); a fragment of a word does not count."""
    return any(e.lower() in k.lower() for e in expected for k in keywords)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--checklist", type=Path,
                        default=ROOT / "benchmarks" / "trends_checklist.toml")
    parser.add_argument("--labels", type=Path,
                        default=ROOT / "benchmarks" / "trends_labels.toml")
    parser.add_argument("--quiet", action="store_true", help="only checklist days and figures")
    parser.add_argument("--memory", action="store_true", help="skip the database (faster)")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"headlines not found at {args.data}; skipped")
        return 0
    checklist = {c["date"]: c for c in tomllib.loads(args.checklist.read_text())["day"]}
    labels = {d["date"]: d for d in tomllib.loads(args.labels.read_text())["day"]}
    judged = {"story": 0, "generic": 0, "not labelled": 0}

    days = list(read_days(args.data))
    replay = replay_memory if args.memory else replay_store
    hits, direct, results = 0, 0, []
    for date, size, top in replay(days):
        keywords = [t["keyword"] for t in top]
        shown = [w for t in top for w in (t["keyword"], *t["related"])]
        if date in labels:
            for keyword in keywords:
                judged[next((k for k in ("story", "generic") if keyword in labels[date][k]),
                            "not labelled")] += 1
        check = checklist.get(date)
        mark = ""
        if check:
            ok = matches(check["keywords"], shown)
            hits += ok
            direct += matches(check["keywords"], keywords)
            results.append((date, check["event"], ok))
            mark = "  ✔" if ok else f"  ✘ expected {check['event']}"
        if not args.quiet or check:
            print(f"{date} ({size:3d}) " + " · ".join(keywords) + mark, flush=True)

    print()
    print(f"checklist: {hits}/{len(checklist)} days have the named event in their top 10")
    print(f"  ({direct} of them by a top-10 keyword itself, the rest by a related word shown "
          "beside one)")
    for date, event, ok in results:
        if not ok:
            print(f"  missed {date}: {event}")
    named = judged["story"] / max(1, judged["story"] + judged["generic"])
    print(f"top-10 entries judged by hand on {len(labels)} days ({args.labels.name}): "
          f"{judged['story']} name a story, {judged['generic']} generic, "
          f"{judged['not labelled']} not labelled ({named:.3f} of the labelled name a story)")
    for line in TIMINGS:
        print(line)
    return 0


TIMINGS: list[str] = []


def replay_memory(days: list):  # noqa: ANN201
    """The rank functions without the database: noun phrases, aliases, count, score."""
    analyzer = Analyzer()
    t0 = time.perf_counter()
    phrases = analyse(days, analyzer)
    analysis_s = time.perf_counter() - t0
    n_articles = sum(len(d) for d in days)
    excluded = outlet_stop_words({h.outlet for day in days for h in day})
    aliases = AliasBook()
    history, score_times = [], []
    seen: set[str] = set()  # a URL listed again on a later day is the same stored post
    for day, day_phrases in zip(days, phrases):
        new = [(h, p) for h, p in zip(day, day_phrases) if h.url not in seen]
        seen.update(h.url for h in day)
        for h, _ in new:
            aliases.learn(h.title)
        mapping = aliases.mapping()
        docs = [KeywordDoc(key=h.url, outlet=h.outlet,
                           keywords=article_keywords([p], aliases=mapping, excluded=excluded))
                for h, p in new]
        t = time.perf_counter()
        window = count_window(docs)
        top = score_window(window, history[:-1])  # as stored: the window touches yesterday
        score_times.append(time.perf_counter() - t)
        history.append(window.day_counts())
        yield (day[0].day.isoformat() if day else "?", len(day),
               [{"keyword": t.keyword, "related": list(t.related),
                 "articles": list(t.articles)} for t in top])
    TIMINGS.append(f"analysis (Kiwi noun phrases, done once at import): {n_articles} headlines "
                   f"in {analysis_s:.1f} s ({analysis_s / n_articles * 1000:.2f} ms each)")
    TIMINGS.append(f"daily scoring: median "
                   f"{sorted(score_times)[len(score_times) // 2] * 1000:.1f} ms per day of "
                   f"~{n_articles // len(days)} headlines")
    bench_5000(days, phrases, excluded, aliases.mapping())


def replay_store(days: list):  # noqa: ANN201
    """Through the pipeline: save each day's posts, update_rank, read the trends page."""
    import tempfile
    from datetime import datetime, timedelta, timezone

    from ranknews.models import Article
    from ranknews.pipeline import update_rank
    from ranknews.pipeline.rank import trends_at
    from ranknews.pipeline.saving import save_articles
    from ranknews.store import open_database
    from ranknews.store.rank import load_snapshot, window_rows

    kst = timezone(timedelta(hours=9))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/bench.sqlite3", create=True)
        update_s = []
        n_articles = 0
        end = None
        for day in days:
            if not day:
                continue
            start = datetime.combine(day[0].day, datetime.min.time(), kst) + timedelta(hours=6)
            posts = [Article(url=h.url, outlet=h.outlet, title=h.title, section=h.section,
                             published_at=start + timedelta(minutes=960 * i // len(day)),
                             collected_at=start + timedelta(minutes=960 * i // len(day)))
                     for i, h in enumerate(day)]
            save_articles(db, posts)
            end = start + timedelta(hours=18) - timedelta(seconds=1)  # 23:59:59 KST
            t = time.perf_counter()
            update_rank(db, now=end)
            update_s.append(time.perf_counter() - t)
            n_articles += len(day)
            with db.read() as conn:
                _, page = load_snapshot(conn, "trends")
            yield day[0].day.isoformat(), len(day), page["keywords"]
        TIMINGS.append(f"update_rank per day (Kiwi analysis of the new posts, counts, trends and "
                       f"rank pages): median {sorted(update_s)[len(update_s) // 2]:.2f} s for "
                       f"~{n_articles // len(update_s)} posts")
        # a window of at least 5,000 stored posts, analysis already stored
        window = timedelta(days=1)
        with db.read() as conn:
            while len(window_rows(conn, end - window, end)) < 5000 and window.days < 60:
                window += timedelta(days=1)
            size = len(window_rows(conn, end - window, end))
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            trends_at(db, end, timezone="Asia/Seoul", window=window)
            runs.append(time.perf_counter() - t)
        TIMINGS.append(f"trends over a stored window of {size} posts ({window.days} days) vs "
                       f"the {TrendParams().baseline_days} stored days before it, read from "
                       f"SQLite and scored: best "
                       f"{min(runs) * 1000:.0f} ms, median {sorted(runs)[2] * 1000:.0f} ms "
                       f"(goal < 1000 ms)")
        db.dispose()


def bench_5000(days, phrases, excluded, mapping) -> None:  # noqa: ANN001
    """Score one window of 5,000 articles (the last days pooled) against the days before it
    (``TrendParams.baseline_days``, as many as there are)."""
    docs: list[KeywordDoc] = []
    i = len(days)
    while len(docs) < 5000 and i > 0:
        i -= 1
        docs += [KeywordDoc(key=h.url, outlet=h.outlet,
                            keywords=article_keywords([p], aliases=mapping, excluded=excluded))
                 for h, p in zip(days[i], phrases[i])]
    docs = docs[:5000]
    history = [count_window(
        KeywordDoc(key=h.url, outlet=h.outlet,
                   keywords=article_keywords([p], aliases=mapping, excluded=excluded))
        for h, p in zip(days[j], phrases[j])).day_counts()
        for j in range(max(0, i - TrendParams().baseline_days), i)]
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        score_window(count_window(docs), history)
        runs.append(time.perf_counter() - t)
    TIMINGS.append(f"trends over a window of {len(docs)} articles vs {len(history)} days of "
                   f"history (in memory): best {min(runs) * 1000:.0f} ms, median "
                   f"{sorted(runs)[2] * 1000:.0f} ms (goal < 1000 ms)")


if __name__ == "__main__":
    raise SystemExit(main())
