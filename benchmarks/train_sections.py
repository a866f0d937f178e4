"""Train the section classifier and report its accuracy on real labelled Korean news.

    .venv/bin/python benchmarks/train_sections.py [--train-on corpus,sample]
        [--compare corpus,digests,pages,seed] [--data ../shared/data/headlines/daily]
        [--corpus benchmarks/section_corpus] [--sample src/ranknews/sample/corpus]
        [--out src/ranknews/rank/section_model.json.gz] [--test-days 20] [--folds 5]

The shipped model is trained only on text we may redistribute (``--train-on``, default
``corpus,sample``):
- corpus: the project's own labelled text, ``benchmarks/section_corpus/<section>.tsv``,
  headline TAB lead lines written for ranknews (licensed with it), blind to the evaluation sets
  below (see its README).
- sample: the demo's sample corpus (``src/ranknews/sample/corpus/*.jsonl``, written for the
  project), when it exists: each row's title, its section and the lead of its summary or text.
  Skipped with a note when absent.
The rest of the labelled text is in ``../shared/data``, whose licences allow test use only.
It is evaluation only for the shipped model, and trainable for comparison (``--compare``,
default ``corpus,digests,pages,seed``: the model shipped until issue 16, reported beside the
shipped one in the same run, on the same items):
- digests (``../shared/data/headlines/daily``, 3 outlets, 98 days): each headline's feed
  heading (IT, 경제, 기업, 부동산, 정치, 증권) or, when its URL names the desk (매일경제's
  ``/news/society/``, ``/news/world/``, ``/news/sports/``…), that section; headings that map to
  different sections and no URL section: dropped. Headlines only (no body).
- pages (``pages/*/*.json``, 6 outlets): the page's own ``section`` (사회, 국제, iMBC 연예,
  생활·문화…), else the URL's; headline and body lead.
- seed (``seed/ranknews-page.txt``): the board list, with our labels per board number.
Never trained on by any model: labelled stories (``stories/dev.jsonl``, 98 outlets) with
the event's section from ``benchmarks/section_labels.toml`` (our labels, per event). Its README
allows its texts for evaluation only.
Every outlet name maps to the eight sections through ``sections.section_from_name``/``_from_url``.

Held out, never trained on when tested:
- digests: when trained on, BY DATE, the last ``--test-days`` days (the same story is told over
  several days by three outlets, so a random split would test on stories seen in training);
  when not trained on, all of them, and those last days alone (the items the comparison
  model is measured on), by the model trained on everything;
- pages and seed: when trained on, ``--folds``-fold cross-validation by group (an outlet's
  pages, the seed page), each fold's model trained on everything else; else by the model
  trained on everything.
Each is reported per section with its number of items, beside the majority-class baseline;
then one overall figure over all sets; then the same for the ``--compare`` model, and a table
of both side by side.

Trains scikit-learn's LogisticRegression (training time only: it comes with ``.[test]``) over
``sections.features`` (character n-grams of headline and lead, see there), then writes the
weights of the model trained on all the training text as gzipped JSON that
``SectionClassifier`` runs without scikit-learn. Reproducible: same data, same command, same
bytes (lbfgs, fixed order, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared import shared_data  # noqa: E402  (benchmarks/shared.py)

from ranknews.rank.headlines import digest_files, read_day  # noqa: E402
from ranknews.rank.sections import (  # noqa: E402
    MODEL_PATH,
    SECTIONS,
    SectionClassifier,
    features,
    section_from_name,
    section_from_url,
)

LABELS = ROOT / "benchmarks" / "section_labels.toml"
CORPUS = ROOT / "benchmarks" / "section_corpus"
SAMPLE = ROOT / "src" / "ranknews" / "sample" / "corpus"
# file name in CORPUS → section
CORPUS_FILES = {"politics": "정치", "economy": "경제", "society": "사회", "culture": "생활/문화",
                "world": "세계", "itscience": "IT/과학", "sports": "스포츠",
                "entertainment": "연예"}
CORPUS_BATCH = 50  # lines written together: one group
TRAINABLE = ("corpus", "sample", "digests", "pages", "seed")
REDISTRIBUTABLE = ("corpus", "sample")  # written for the project: the shipped model's text
OPTIONAL = {"sample"}  # trained on when present, skipped with a note when absent
# The kinds of event the labelled stories report (the doctors' strike, North Korean satellites,
# idols' military service, a football manager sacked, e-commerce settlement, fires, quakes,
# rate decisions, the Nobel prize…). The corpus was written blind to the stories, but its
# brief named some of these as subtopics; the benchmark also trains without the corpus lines
# that mention them, to show how much the figure on the stories owes to such lines.
EVALUATION_TOPICS = re.compile(
    r"의대|의과대|전공의|의협|의사협회|휴진|의료계|정찰위성|위성|발사체|전역|입대|군 복무|복무|"
    r"경질|감독 선임|사령탑|정산|전기차|지진|산불|압사|인파|기준금리|금통위|노벨|문학상|참사|"
    r"지하차도|침수|공장 화재|하이브|경영권|전속계약|기자회견|교사|교권")
DEFAULT_TRAIN_ON = ",".join(REDISTRIBUTABLE)
DEFAULT_COMPARE = "corpus,digests,pages,seed"  # the model shipped until issue 16
LEAD_CHARS = 300
_SEED_ROW = re.compile(r"^(\d{5}) (.+) 랭크뉴스 \d{4}\.\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Item:
    title: str
    lead: str
    section: str
    group: str  # held out together: a digest day, a story event, an outlet's pages, the seed
    source: str  # digests, pages, stories, seed


def corpus_items(folder: Path) -> list[Item]:
    """The project's own training text: ``<file>.tsv`` lines of headline TAB lead."""
    items = []
    for name, section in CORPUS_FILES.items():
        path = folder / f"{name}.tsv"
        if not path.exists():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            title, _, lead = line.partition("\t")
            if title.strip():
                items.append(Item(title.strip(), lead.strip(), section,
                                  f"corpus:{name}:{n // CORPUS_BATCH}", "corpus"))
    return items


def sample_items(folder: Path) -> list[Item]:
    """The demo's sample corpus (``*.jsonl``, written for the project): title, section (one of
    the eight or an outlet's name for one), lead of ``summary`` or ``text``."""
    items = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            title = (row.get("title") or "").strip()
            section = row.get("section")
            section = section if section in SECTIONS else section_from_name(section)
            if title and section:
                lead = lead_of(title, row.get("summary") or row.get("text") or "")
                items.append(Item(title, lead, section, f"sample:{path.stem}", "sample"))
    return items


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
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(x, [i.section for i in items], sample_weight=sample_weights(items))
    return vectorizer, model


def sample_weights(items: list[Item]) -> list[float]:
    """Within a section, no source weighs more than the corpus (when the corpus is trained on):
    the digests' 21,688 경제 headlines count as 300, so three business papers' feed headings
    (their IT desk files hospital news, their 경제 feed foreign news) do not outvote the
    corpus's eight-section guide. Then every section weighs the same in total (balanced), so
    sections with fewer items are not swallowed."""
    per = Counter((i.section, i.source) for i in items)
    raw = [1.0 if i.source == "corpus" or not per[(i.section, "corpus")]
           else min(1.0, per[(i.section, "corpus")] / per[(i.section, i.source)])
           for i in items]
    totals: Counter = Counter()
    for item, w in zip(items, raw):
        totals[item.section] += w
    scale = sum(raw) / len(totals)
    return [w * scale / totals[item.section] for item, w in zip(items, raw)]


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


def fit(items: list[Item], c: float, threshold: float) -> SectionClassifier:
    """Train on ``items`` and return the model as the package runs it."""
    vectorizer, model = train(items, c)
    return to_classifier(vectorizer, model, threshold)


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


def held_out_by_group(train_items: list[Item], test: list[Item], folds: int, c: float,
                      threshold: float) -> tuple[list, list]:
    """Each group of ``test`` (which is part of ``train_items``) is tested by a model trained on
    ``train_items`` without that group's fold. Groups go to folds largest first, each to the
    fold with fewest items. Returns the results with the lead, and with the headline only
    (same models)."""
    sizes = Counter(i.group for i in test)
    fold_of: dict[str, int] = {}
    load = [0] * folds
    for group, size in sorted(sizes.items(), key=lambda g: (-g[1], g[0])):
        k = min(range(folds), key=lambda f: (load[f], f))
        fold_of[group] = k
        load[k] += size
    results, headline_only = [], []
    for k in range(folds):
        held = {g for g, f in fold_of.items() if f == k}
        fold_test = [i for i in test if i.group in held]
        clf = fit([i for i in train_items if i.group not in held], c, threshold)
        results += predictions(clf, fold_test)
        headline_only += predictions(clf, fold_test, headline_only=True)
    return results, headline_only


def write_model(clf: SectionClassifier, path: Path, trained_on: str) -> None:
    payload = {"classes": clf.classes, "intercept": clf.intercept, "weights": clf.weights,
               "threshold": clf.threshold, "trained_on": trained_on,
               "features": "char 2-3-grams per word of headline and lead "
                           "(ranknews.rank.sections.features)"}
    # no time and no file name in the gzip header: the same bytes wherever it is written
    with open(path, "wb") as out, gzip.GzipFile(filename="", mode="wb", fileobj=out,
                                                mtime=0) as raw:
        raw.write(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8"))


def held_out_digests(days: list[list[Item]], everything: list[Item], clf: SectionClassifier,
                     train_on: set[str], args: argparse.Namespace, label: str = "") -> list:
    """Trained on: the last ``--test-days`` days, by a model trained without them (BY DATE).
    Not trained on: every day, and the last days alone, by the model trained on everything."""
    digests = [i for d in days for i in d]
    if not digests:
        return []
    test_days = {i.group for d in days[-args.test_days:] for i in d}
    if "digests" not in train_on:
        results = predictions(clf, digests)
        report(f"{label}held-out digests (all {len(days)} days, 3 outlets; never trained on)",
               results, args.threshold)
        report(f"  the same, the last {args.test_days} days only",
               [r for r in results if r[0].group in test_days], args.threshold)
        return results
    model = fit([i for i in everything if i.group not in test_days], args.c, args.threshold)
    results = predictions(model, [i for i in digests if i.group in test_days])
    report(f"{label}held-out digests (last {args.test_days} days, 3 outlets; trained on the "
           "other days and the other sources)", results, args.threshold)
    return results


def held_out_pages_and_seed(items: list[Item], everything: list[Item], clf: SectionClassifier,
                            train_on: set[str], args: argparse.Namespace,
                            label: str = "") -> list:
    """Trained on: cross-validated by outlet / seed page. Else: by the model trained on
    everything."""
    if not items:
        return []
    if train_on & {"pages", "seed"}:
        results, headline_only = held_out_by_group(everything, items, args.folds, args.c,
                                                   args.threshold)
        how = f"{args.folds}-fold by outlet / seed page"
    else:
        results = predictions(clf, items)
        headline_only = predictions(clf, items, headline_only=True)
        how = "never trained on"
    report(f"{label}held-out pages and seed board (6 outlets; {how})", results,
           args.threshold)
    report("  the same, reading the headline only (no lead)", headline_only, args.threshold)
    return results


def held_out_stories(stories: list[Item], everything: list[Item], clf: SectionClassifier,
                     train_on: set[str], args: argparse.Namespace, label: str = "",
                     variants: bool = True) -> list:
    """Evaluation only: the model trained on everything, and beside it (same run, when
    ``variants``) models trained without the corpus lines on the stories' kinds of event and
    without the corpus."""
    if not stories:
        return []
    results = predictions(clf, stories)
    report(f"{label}never trained on: labelled stories of 98 outlets (stories/dev.jsonl, our "
           "section labels per event; the model trained on everything)", results,
           args.threshold)
    report("  the same, reading the headline only (no lead)",
           predictions(clf, stories, headline_only=True), args.threshold)
    if variants and "corpus" in train_on:
        kept = [i for i in everything
                if i.source != "corpus" or not EVALUATION_TOPICS.search(f"{i.title} {i.lead}")]
        report(f"  the same, trained without the {len(everything) - len(kept)} corpus lines "
               "on the stories' kinds of event (EVALUATION_TOPICS)",
               predictions(fit(kept, args.c, args.threshold), stories), args.threshold)
        if others_only := [i for i in everything if i.source != "corpus"]:
            rest = ", ".join(sorted({i.source for i in others_only}))
            report(f"  the same, trained without the corpus (on {rest} only)",
                   predictions(fit(others_only, args.c, args.threshold), stories),
                   args.threshold)
    return results


def accuracy(results: list) -> float:
    return sum(g == i.section for i, g, _ in results) / max(len(results), 1)


def evaluate(train_on: set[str], sources: dict[str, list[Item]], days: list[list[Item]],
             stories: list[Item], args: argparse.Namespace, label: str = "",
             variants: bool = True) -> tuple[SectionClassifier, dict[str, list]]:
    """Train on ``train_on``, report every held-out set, return the model trained on
    everything and each set's results."""
    everything = [i for name in TRAINABLE if name in train_on for i in sources[name]]
    clf = fit(everything, args.c, args.threshold)
    held = {"digests": held_out_digests(days, everything, clf, train_on, args, label),
            "pages and seed": held_out_pages_and_seed(sources["pages"] + sources["seed"],
                                                      everything, clf, train_on, args, label),
            "stories": held_out_stories(stories, everything, clf, train_on, args, label,
                                        variants)}
    if every := [r for results in held.values() for r in results]:
        majority = Counter(i.section for i, _, _ in every).most_common(1)[0][1]
        print(f"{label}held-out accuracy {accuracy(every):.3f} on {len(every)} items, all sets "
              f"(majority-class baseline {majority / len(every):.3f})")
    return clf, held


def answered(results: list, threshold: float) -> str:
    """What the rank stage does: it files a post only when the model is confident enough."""
    sure = [r for r in results if r[2] >= threshold]
    return f"{len(sure) / max(len(results), 1):.2f} answered, {accuracy(sure):.3f} right there"


def side_by_side(shipped: dict[str, list], compared: dict[str, list], names: tuple[str, str],
                 args: argparse.Namespace) -> None:
    """Both models on the same items of each set, overall and per section."""
    print(f"side by side, the same items: {names[0]} | {names[1]}")
    for name, ours in shipped.items():
        theirs = compared.get(name) or []
        if not ours or not theirs:
            continue
        keys = {(i.title, i.lead, i.group) for i, _, _ in theirs}
        ours = [r for r in ours if (r[0].title, r[0].lead, r[0].group) in keys]
        what = f"{name} (last {args.test_days} days)" if name == "digests" else name
        print(f"  {what}: {accuracy(ours):.3f} | {accuracy(theirs):.3f} on {len(ours)} items; "
              f"confidence >= {args.threshold}: {answered(ours, args.threshold)} | "
              f"{answered(theirs, args.threshold)}")
        for section in sorted({i.section for i, _, _ in ours}):
            a = [r for r in ours if r[0].section == section]
            b = [r for r in theirs if r[0].section == section]
            print(f"    {section:6s} {accuracy(a):.3f} | {accuracy(b):.3f} ({len(a)})")


def parse_sources(parser: argparse.ArgumentParser, value: str) -> set[str]:
    chosen = {name for name in value.split(",") if name}
    if unknown := chosen - set(TRAINABLE):
        parser.error(f"unknown sources: {sorted(unknown)}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data() / "headlines" / "daily")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--train-on", default=DEFAULT_TRAIN_ON,
                        help="comma-separated: corpus, sample, digests, pages, seed "
                             f"(default {DEFAULT_TRAIN_ON}: the text we may redistribute)")
    parser.add_argument("--compare", default=DEFAULT_COMPARE,
                        help="sources of a second model reported beside the first, on the same "
                             f"held-out items (default {DEFAULT_COMPARE}; empty: none)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--test-days", type=int, default=20)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=0.5)
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args()
    train_on = parse_sources(parser, args.train_on)
    compare = parse_sources(parser, args.compare)
    days = digest_days(args.data) if args.data.exists() else []
    others, evaluation_only = other_items(args.data.parent.parent)
    sources = {"corpus": corpus_items(args.corpus), "sample": sample_items(args.sample),
               "digests": [i for d in days for i in d],
               "pages": [i for i in others if i.source == "pages"],
               "seed": [i for i in others if i.source == "seed"]}
    for name in sorted(train_on | compare):
        if not sources[name]:
            where = (args.sample if name == "sample" else
                     args.corpus if name == "corpus" else args.data.parent.parent)
            print(f"nothing to train on from {name} (missing under {where})")
            if name not in OPTIONAL:
                return 1
    for name, items in [*sources.items(), ("stories", evaluation_only)]:
        counts = Counter(i.section for i in items)
        role = ("train" if name in train_on else
                "train the comparison model only" if name in compare else "evaluate only")
        print(f"labels from {name} ({role}): {len(items)} {dict(sorted(counts.items()))}")
    clf, held = evaluate(train_on, sources, days, evaluation_only, args)
    trained_on = ", ".join(f"{name} ({len(sources[name])})" for name in TRAINABLE
                           if name in train_on and sources[name])
    write_model(clf, args.out, trained_on)
    print(f"model written: {args.out} ({args.out.stat().st_size // 1024} KiB, "
          f"{len(clf.weights)} features, classes {clf.classes}; trained on {trained_on})")
    if compare:
        names = (",".join(n for n in TRAINABLE if n in train_on and sources[n]),
                 ",".join(n for n in TRAINABLE if n in compare and sources[n]))
        print(f"\n--- beside it, same run: a model trained on {names[1]} (not written) ---")
        _, compared = evaluate(compare, sources, days, evaluation_only, args,
                               label="compare: ", variants=False)
        side_by_side(held, compared, names, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
