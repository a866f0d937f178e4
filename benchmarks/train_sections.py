"""Train the section classifier from real labelled Korean news and report its accuracy.

    python benchmarks/train_sections.py [--data ../shared/data/headlines/daily]
        [--out src/ranknews/rank/section_model.json.gz] [--test-days 20] [--folds 5]

Labelled text (all real, all on this machine; read from ``../shared/data``, never copied):
- the headline digests (``headlines/daily``, 3 outlets, 98 days): each headline's feed heading
  (IT, 경제, 기업, 부동산, 정치, 증권) or, when its URL names the desk (매일경제's
  ``/news/society/``, ``/news/world/``, ``/news/sports/``…), that section; headings that map to
  different sections and no URL section: dropped. Headlines only (no body).
- article pages (``pages/*/*.json``, 6 outlets): the page's own ``section`` (사회, 국제,
  iMBC 연예, 생활·문화…), else the URL's; headline and body lead.
- the seed page's board list (``seed/ranknews-page.txt``): our labels per board number.
- labelled stories (``stories/dev.jsonl``, 98 outlets) with the event's section from
  ``benchmarks/section_labels.toml`` (our labels, per event): EVALUATION ONLY. Its README
  allows its texts for evaluation only, so no model is ever trained on them; they are a third
  held-out set, read by the final model (headline and body lead).
Every name maps to the eight sections through ``sections.section_from_name``/``_from_url``.

Held out, never trained on when tested:
- digests: BY DATE, the last ``--test-days`` days (the same story is told over several days
  by three outlets, so a random split would test on stories seen in training);
- the other sources: ``--folds``-fold cross-validation by group (a story event, an outlet's
  pages, the seed page), each fold's model trained on all digest days and the other folds.
Each is reported per section with its number of items, beside the majority-class baseline;
then one overall figure over both.

Trains scikit-learn's LogisticRegression (training time only: pip install scikit-learn) over
``sections.features`` (character n-grams of headline and lead, see there), then retrains on
everything and writes the weights as gzipped JSON that ``SectionClassifier`` runs without
scikit-learn. Reproducible: same data, same command, same bytes (lbfgs, fixed order, gzip
without a timestamp).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

from ranknews.rank.headlines import digest_files, read_day  # noqa: E402
from ranknews.rank.sections import (  # noqa: E402
    MODEL_PATH,
    SectionClassifier,
    features,
    section_from_name,
    section_from_url,
)

LABELS = ROOT / "benchmarks" / "section_labels.toml"
LEAD_CHARS = 300
_SEED_ROW = re.compile(r"^(\d{5}) (.+) 랭크뉴스 \d{4}\.\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Item:
    title: str
    lead: str
    section: str
    group: str  # held out together: a digest day, a story event, an outlet's pages, the seed
    source: str  # digests, pages, stories, seed


def digest_days(folder: Path) -> list[list[Item]]:
    """Per day, the headlines whose URL or feed headings give one section."""
    days = []
    for path in digest_files(folder):
        items = []
        for h in read_day(path):
            section = section_from_url(h.url)
            if section is None:
                sections = {section_from_name(name) for name in h.headings}
                section = sections.pop() if len(sections) == 1 else None
            if section:
                items.append(Item(h.title, "", section, f"day:{path.stem}", "digests"))
        days.append(items)
    return days


def lead_of(title: str, text: str) -> str:
    """The body's first characters, without the headline when the text repeats it."""
    text = (text or "").strip()
    if title and text.startswith(title):
        text = text[len(title):].strip()
    return text[:LEAD_CHARS]


def page_items(folder: Path) -> list[Item]:
    items = []
    for path in sorted(folder.glob("*/*.json")):
        page = json.loads(path.read_text(encoding="utf-8"))
        section = section_from_name(page.get("section")) or section_from_url(page.get("url", ""))
        if section:
            items.append(Item(page["title"], lead_of(page["title"], page.get("text", "")),
                              section, f"outlet:{path.parent.name}", "pages"))
    return items


def story_items(path: Path, labels: dict[str, str]) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["event"] in labels:
            items.append(Item(row["title"], lead_of(row["title"], row.get("text", "")),
                              labels[row["event"]], f"event:{row['event']}", "stories"))
    return items


def seed_items(path: Path, labels: dict[str, str]) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if (match := _SEED_ROW.match(line.strip())) and match.group(1) in labels:
            items.append(Item(match.group(2), "", labels[match.group(1)], "seed", "seed"))
    return items


def other_items(data: Path) -> tuple[list[Item], list[Item]]:
    """Everything but the digests, from what exists under ``data`` (missing parts skipped):
    (items to train and cross-validate on, items to evaluate on only)."""
    labels = tomllib.loads(LABELS.read_text(encoding="utf-8"))
    items: list[Item] = []
    if (data / "pages").is_dir():
        items += page_items(data / "pages")
    if (data / "seed" / "ranknews-page.txt").exists():
        items += seed_items(data / "seed" / "ranknews-page.txt", labels["seed"])
    evaluation: list[Item] = []
    if (data / "stories" / "dev.jsonl").exists():
        evaluation = story_items(data / "stories" / "dev.jsonl", labels["events"])
    return items, evaluation


# --- training -------------------------------------------------------------------------------

def train(items: list[Item], c: float, min_df: int = 2):  # noqa: ANN201
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    # an article with a lead is also learnt from its headline alone: at run time the model
    # meets both (feed items without a body, pages with one)
    items = items + [Item(i.title, "", i.section, i.group, i.source) for i in items if i.lead]
    vectorizer = CountVectorizer(analyzer=lambda pair: features(*pair), min_df=min_df)
    x = vectorizer.fit_transform([(i.title, i.lead) for i in items])
    # balanced: each section weighs the same in total, so the five sections with a few dozen
    # examples are not swallowed by the digests' tens of thousands of 경제 headlines
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(x, [i.section for i in items])
    return vectorizer, model


def to_classifier(vectorizer, model, threshold: float) -> SectionClassifier:  # noqa: ANN001
    classes = [str(c) for c in model.classes_]
    coef = model.coef_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        coef = [-coef[0], coef[0]]
        intercept = [-model.intercept_[0], model.intercept_[0]]
    else:
        intercept = list(model.intercept_)
    weights = {}
    for feat, j in sorted(vectorizer.vocabulary_.items()):
        row = [round(float(coef[k][j]), 3) for k in range(len(classes))]
        if any(abs(w) >= 0.01 for w in row):
            weights[feat] = row
    return SectionClassifier(classes, [round(float(b), 4) for b in intercept], weights,
                             threshold)


def predictions(clf: SectionClassifier, items: list[Item],
                headline_only: bool = False) -> list[tuple[Item, str, float]]:
    out = []
    for item in items:
        guess = clf.guess(item.title, "" if headline_only else item.lead)
        out.append((item, guess.section, guess.confidence))
    return out


def report(name: str, results: list[tuple[Item, str, float]], threshold: float) -> None:
    total, correct = Counter(), Counter()
    for item, guess, _ in results:
        total[item.section] += 1
        correct[item.section] += guess == item.section
    n = sum(total.values())
    majority, majority_n = total.most_common(1)[0]
    print(f"{name}: accuracy {sum(correct.values()) / n:.3f} on {n} items "
          f"(majority class {majority}: {majority_n / n:.3f})")
    for section in sorted(total):
        print(f"  {section:6s} {correct[section] / total[section]:.3f} "
              f"({correct[section]} of {total[section]})")
    answered = [(i, g) for i, g, conf in results if conf >= threshold]
    right = sum(g == i.section for i, g in answered)
    print(f"  answered (confidence >= {threshold}): {len(answered)} of {n}, "
          f"accuracy there {right / max(len(answered), 1):.3f}")


def cross_validate(digests: list[Item], others: list[Item], folds: int, c: float,
                   threshold: float) -> tuple[list, list]:
    """Each group of ``others`` is tested by a model that never saw it (all digests and the
    other folds). Groups go to folds largest first, each to the fold with fewest
    items. Returns the results with the lead, and with the headline only (same models)."""
    sizes = Counter(i.group for i in others)
    fold_of: dict[str, int] = {}
    load = [0] * folds
    for group, size in sorted(sizes.items(), key=lambda g: (-g[1], g[0])):
        k = min(range(folds), key=lambda f: (load[f], f))
        fold_of[group] = k
        load[k] += size
    results, headline_only = [], []
    for k in range(folds):
        test = [i for i in others if fold_of[i.group] == k]
        train_items = digests + [i for i in others if fold_of[i.group] != k]
        vectorizer, model = train(train_items, c)
        clf = to_classifier(vectorizer, model, threshold)
        results += predictions(clf, test)
        headline_only += predictions(clf, test, headline_only=True)
    return results, headline_only


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data() / "headlines" / "daily")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--test-days", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.5)
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"headlines not found at {args.data}")
        return 1
    days = digest_days(args.data)
    others, evaluation_only = other_items(args.data.parent.parent)
    train_days, test_days = days[:-args.test_days], days[-args.test_days:]
    digests = [i for d in days for i in d]
    by_source: dict[str, Counter] = defaultdict(Counter)
    for item in digests + others + evaluation_only:
        by_source[item.source][item.section] += 1
    for source, counts in by_source.items():
        print(f"labels from {source}: {sum(counts.values())} {dict(sorted(counts.items()))}")

    held_digests = [i for d in test_days for i in d]
    vectorizer, model = train([i for d in train_days for i in d] + others, args.c)
    digest_results = predictions(to_classifier(vectorizer, model, args.threshold), held_digests)
    report(f"held-out digests (last {len(test_days)} days; train: {len(train_days)} days and "
           f"the other sources)", digest_results, args.threshold)
    other_results, headline_only = cross_validate(digests, others, args.folds, args.c,
                                                  args.threshold)
    report(f"held-out other outlets ({args.folds}-fold by outlet / seed page; train: "
           f"all digest days and the other folds)", other_results, args.threshold)
    report("  the same, reading the headline only (no lead)", headline_only, args.threshold)

    vectorizer, model = train(digests + others, args.c)
    clf = to_classifier(vectorizer, model, args.threshold)
    story_results = predictions(clf, evaluation_only)
    if story_results:
        report("never trained on: labelled stories of 98 outlets (stories/dev.jsonl, our "
               "section labels per event; the shipped model)", story_results, args.threshold)
        report("  the same, reading the headline only (no lead)",
               predictions(clf, evaluation_only, headline_only=True), args.threshold)
    both = digest_results + other_results + story_results
    n = len(both)
    majority = Counter(i.section for i, _, _ in both).most_common(1)[0][1]
    print(f"held-out accuracy {sum(g == i.section for i, g, _ in both) / n:.3f} on {n} items, "
          f"all sets (majority-class baseline {majority / n:.3f})")
    payload = {"classes": clf.classes, "intercept": clf.intercept, "weights": clf.weights,
               "threshold": clf.threshold,
               "trained_on": f"{len(digests)} digest headlines ({len(days)} days) and "
                             f"{len(others)} labelled articles of other outlets",
               "features": "char 2-3-grams per word of headline and lead "
                           "(ranknews.rank.sections.features)"}
    # no time and no file name in the gzip header: the same bytes wherever it is written
    with open(args.out, "wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out,
                                                     mtime=0) as raw:
        raw.write(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8"))
    print(f"model written: {args.out} ({args.out.stat().st_size // 1024} KiB, "
          f"{len(clf.weights)} features, classes {clf.classes})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
