"""Train the section classifier from the labelled headline digests and report its accuracy.

    /work/venv/bin/python benchmarks/train_sections.py [--data DIR] [--out PATH] [--test-days 20]

Labels: each digest lists headlines under its outlet feed's heading (IT, 경제, 기업, 부동산,
정치, 증권); ``sections.section_from_name`` maps them to our eight sections (so 기업, 증권
and 부동산 are 경제). Headlines filed under headings that map to different sections are
dropped as ambiguous. Held out BY DATE: the last ``--test-days`` days are the test set, so the
same story (reported over several days, by three outlets) never sits on both sides.

Trains scikit-learn's LogisticRegression (a training-time dependency only: pip install
scikit-learn) on ``sections.features`` counts, reports held-out accuracy against the
majority-class baseline, then retrains on all days and writes the weights as gzipped JSON
(src/ranknews/rank/section_model.json.gz) that ``SectionClassifier`` runs without sklearn.
Reproducible: same data, same command, same file (liblinear-free solver, fixed order).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
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
)


def labelled_days(folder: Path) -> list[list[tuple[str, str]]]:
    """Per day, (title, section) of headlines whose feed headings agree on one section."""
    days = []
    for path in digest_files(folder):
        pairs = []
        for h in read_day(path):
            sections = {section_from_name(name) for name in h.headings}
            if len(sections) == 1 and None not in sections:
                pairs.append((h.title, sections.pop()))
        days.append(pairs)
    return days


def train(pairs: list[tuple[str, str]], c: float, min_df: int = 3,
          balanced: bool = True):  # noqa: ANN201
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = CountVectorizer(analyzer=features, min_df=min_df)
    x = vectorizer.fit_transform([t for t, _ in pairs])
    # balanced: the rarer sections (IT/과학) are not swallowed by 경제, the digests' bulk
    model = LogisticRegression(C=c, max_iter=2000,
                               class_weight="balanced" if balanced else None)
    model.fit(x, [s for _, s in pairs])
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
        row = [round(float(coef[k][j]), 4) for k in range(len(classes))]
        if any(abs(w) >= 0.001 for w in row):
            weights[feat] = row
    return SectionClassifier(classes, [round(float(b), 4) for b in intercept], weights,
                             threshold)


def evaluate(clf: SectionClassifier, pairs: list[tuple[str, str]]) -> None:
    correct = Counter()
    total = Counter()
    confident = confident_right = 0
    for title, gold in pairs:
        guess = clf.guess(title)
        total[gold] += 1
        correct[gold] += guess.section == gold
        if guess.confidence >= clf.threshold:
            confident += 1
            confident_right += guess.section == gold
    n = sum(total.values())
    majority = max(total.values())
    print(f"held-out accuracy: {sum(correct.values()) / n:.3f} on {n} headlines "
          f"(majority-class baseline {majority / n:.3f})")
    for section in sorted(total):
        print(f"  {section:8s} {correct[section] / total[section]:.3f} of {total[section]}")
    print(f"answered (confidence >= {clf.threshold}): {confident / n:.3f} of headlines, "
          f"accuracy there {confident_right / max(confident, 1):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=shared_data() / "headlines" / "daily")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--test-days", type=int, default=20)
    parser.add_argument("--c", type=float, default=0.5)
    parser.add_argument("--threshold", type=float, default=0.6)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"headlines not found at {args.data}")
        return 1
    days = labelled_days(args.data)
    train_days, test_days = days[:-args.test_days], days[-args.test_days:]
    train_pairs = [p for d in train_days for p in d]
    test_pairs = [p for d in test_days for p in d]
    print(f"labels: {dict(Counter(s for _, s in train_pairs + test_pairs))}")
    print(f"train: {len(train_days)} days, {len(train_pairs)} headlines; "
          f"test: last {len(test_days)} days, {len(test_pairs)} headlines")
    vectorizer, model = train(train_pairs, args.c)
    evaluate(to_classifier(vectorizer, model, args.threshold), test_pairs)

    vectorizer, model = train(train_pairs + test_pairs, args.c)
    clf = to_classifier(vectorizer, model, args.threshold)
    payload = {"classes": clf.classes, "intercept": clf.intercept, "weights": clf.weights,
               "threshold": clf.threshold,
               "trained_on": f"{len(train_pairs) + len(test_pairs)} headlines, "
                             f"{len(days)} days of headlines/daily",
               "features": "char 2-3-grams per word (ranknews.rank.sections.features)"}
    with gzip.GzipFile(args.out, "wb", mtime=0) as raw:
        raw.write(json.dumps(payload, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8"))
    print(f"model written: {args.out} ({args.out.stat().st_size // 1024} KiB, "
          f"{len(clf.weights)} features, classes {clf.classes})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
