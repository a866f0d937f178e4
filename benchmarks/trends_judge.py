"""Judge every top-10 trend entry by the rule of ``trends_judging.md``, on tuning or held-out days.

    python benchmarks/trends_judge.py [--side tuning|held-out|both] [--show] [--data DIR]
        [--write FILE] [--store]

Replays the 98 digests in memory (``trends.replay_memory``), or with ``--store`` through the
pipeline and SQLite (``trends.replay_store``: slower; its stories stage groups articles, so its
counts and top 10s differ somewhat from the in-memory ones), then judges each entry of each
day of the chosen side of the split (see ``trends_judging.md``: warm-up, tuning and held-out
days) and prints the share of entries that name a story. ``--show`` prints each day's entries
with their verdicts; ``--write`` saves them as TOML (the held-out judgement file is written
once, at the end of tuning).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import trends as bench  # noqa: E402  (benchmarks/trends.py)

from ranknews.rank.headlines import read_days  # noqa: E402
from ranknews.rank.keywords import HANJA  # noqa: E402
from ranknews.text.analysis import Analyzer  # noqa: E402

WARM_UP = 14
MIN_HEADLINES, MIN_OUTLETS, MIN_SHARE, ENOUGH = 3, 2, 1 / 3, 5
_CONTENT_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH"})
_HYPHEN = re.compile(r"(?<=[가-힣])[-‐‑–](?=[가-힣])")
_DIGIT_COMMA = re.compile(r"(?<=\d),(?=\d{3})")


def tuning_days() -> set[str]:
    days: set[str] = set()
    for name in ("trends_checklist.toml", "trends_labels.toml"):
        days |= {d["date"] for d in tomllib.loads((bench.ROOT / "benchmarks" / name)
                                                   .read_text())["day"]}
    return days


def side_of(index: int, date: str, tuning: set[str]) -> str:
    if index < WARM_UP:
        return "warm-up"
    if date in tuning:
        return "tuning"
    digest = hashlib.sha256(f"ranknews-trends:{date}".encode()).digest()
    return "held-out" if digest[0] % 2 == 0 else "tuning"


def normalise(title: str) -> str:
    text = _DIGIT_COMMA.sub("", _HYPHEN.sub("", title)).lower()
    return "".join(HANJA.get(c, c) or c for c in text)


def judge(keyword: str, headlines: list[tuple[str, str, tuple[str, ...]]]) -> tuple[str, str]:
    """(verdict, why) for one entry; ``headlines``: (outlet, normalised text, content words)."""
    key = keyword.lower()
    if len(headlines) < MIN_HEADLINES:
        return "generic", f"{len(headlines)} headlines"
    found = [t for _, t, _ in headlines if key in t]
    inside = sum(1 for t in found if _inside_word(t, key))
    if found and inside > len(found) / 2:
        return "fragment", f"inside a longer word in {inside} of {len(found)}"
    outlets: dict[str, set[str]] = {}
    count: Counter[str] = Counter()
    for outlet, _, words in headlines:
        for w in sorted(set(words)):  # sorted: the same reason on every run
            if w in key or key in w:
                continue
            count[w] += 1
            outlets.setdefault(w, set()).add(outlet)
    for w, n in count.most_common():
        if n < max(MIN_HEADLINES, min(ENOUGH, MIN_SHARE * len(headlines))):
            break
        if len(outlets[w]) >= MIN_OUTLETS:
            return "story", f"{w} in {n} of {len(headlines)}"
    best = count.most_common(1)
    return "generic", (f"best {best[0][0]} in {best[0][1]} of {len(headlines)}" if best
                       else "no other word")


def _inside_word(text: str, key: str) -> bool:
    at = text.find(key)
    while at >= 0:
        before = text[at - 1] if at > 0 else " "
        if not (("가" <= before <= "힣") or before.isascii() and before.isalpha()):
            return False
        at = text.find(key, at + 1)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=bench.DEFAULT_DATA)
    parser.add_argument("--side", choices=("tuning", "held-out", "both"), default="tuning")
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--store", action="store_true",
                        help="judge the pipeline's stored trends pages (benchmarks/trends.py's "
                        "default replay through SQLite) instead of the in-memory replay")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"headlines not found at {args.data}; skipped")
        return 0
    days = list(read_days(args.data))
    analyzer = Analyzer()
    tuning = tuning_days()
    sides = {"tuning", "held-out"} if args.side == "both" else {args.side}
    seen: set[str] = set()
    new_by_day: list[list] = []
    for day in days:
        new_by_day.append([h for h in day if h.url not in seen])
        seen.update(h.url for h in day)
    wanted = [i for i, day in enumerate(days)
              if day and side_of(i, day[0].day.isoformat(), tuning) in sides]
    texts = {h.url: normalise(h.title) for i in wanted for h in new_by_day[i]}
    # Kiwi's morphemes, and its noun runs written together (a name Kiwi splits, 장동/혁,
    # is then one word as well)
    runs = dict(zip(texts, analyzer.noun_phrases(list(texts.values()))))
    words = {url: tuple(t.form.lower() for t in analyzer.tokens(text)
                        if t.tag in _CONTENT_TAGS and len(t.form) >= 2)
             + tuple(r for r in runs[url] if len(r) >= 2)
             for url, text in texts.items()}
    totals: dict[str, Counter[str]] = {s: Counter() for s in sides}
    out_lines: list[str] = []
    wanted_set = set(wanted)
    replay = bench.replay_store if args.store else bench.replay_memory
    for i, (date, _, top) in enumerate(replay(days)):
        if i not in wanted_set:
            continue
        side = side_of(i, date, tuning)
        verdicts = []
        for entry in top:
            key = normalise(entry["keyword"])
            # in memory the trend's articles are links; a stored page lists up to five
            # articles with their titles
            mine = {a.get("url") or a.get("title") if isinstance(a, dict) else a
                    for a in entry["articles"]}
            hs = [(h.outlet, texts[h.url], words[h.url]) for h in new_by_day[i]
                  if key in texts[h.url] or h.url in mine or h.title in mine]
            verdict, why = judge(key, hs)
            totals[side][verdict] += 1
            verdicts.append((entry["keyword"], verdict, why))
        if args.show:
            print(f"{date} [{side}] " + " · ".join(
                k + ("" if v == "story" else f" ✘{v}") for k, v, _ in verdicts))
            for k, v, why in verdicts:
                if v != "story":
                    print(f"    {k}: {v} ({why})")
        out_lines.append(f'[[day]]\ndate = "{date}"\nside = "{side}"\n' + "".join(
            f'[[day.entry]]\nkeyword = "{k}"\nverdict = "{v}"\nwhy = "{why}"\n'
            for k, v, why in verdicts))
    for side in sorted(sides):
        c = totals[side]
        n_days = sum(1 for i in wanted if side_of(i, days[i][0].day.isoformat(), tuning) == side)
        n = sum(c.values())
        print(f"{side}: {c['story']} of {n} top-10 entries name a story "
              f"({c['story'] / max(1, n):.3f}); generic {c['generic']}, fragment "
              f"{c['fragment']} "
              f"({n_days} days)")
    if args.write:
        args.write.write_text("# Verdicts of benchmarks/trends_judge.py (rule: trends_judging.md)"
                              "\n\n" + "\n".join(out_lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
