"""Shared by train.py and evaluate.py: training items, the Rust feature dump,
the design matrix and the soft-label logistic model."""

import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.optimize
import scipy.sparse

import datasets

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FEATURES_CLI = ["cargo", "run", "--release", "--quiet", "-p", "cm-sentiment", "--bin", "sentiment-features"]

# Long IMDB reviews cost as much to fit as ~15 short texts each; a seeded
# sample of the training reviews is plenty next to the other sets.
IMDB_TRAIN_SAMPLE = 8000
SAMPLE_SEED = 20240611
# A dataset weighs like at most this many items, so the two big sets do not
# drown the small graded ones.
DATASET_CAP = 8000.0


def training_items(data_dir, names=datasets.ALL):
    """(dataset name, item) for every training item, minus any that contains a
    held-out text of any dataset (the UCI IMDB sentences are cut from IMDB
    reviews, for one)."""
    loaded = {n: datasets.load(n, data_dir) for n in names}
    held_out = [i for ds in loaded.values() for i in ds.items if i.split == "test"]
    contains_held_out = containment_filter([i.text for i in held_out])
    out = []
    for name, ds in loaded.items():
        items = [i for i in ds.items if i.split == "train"]
        if name == "imdb":
            rng = np.random.default_rng(SAMPLE_SEED)
            keep = sorted(rng.choice(len(items), size=min(IMDB_TRAIN_SAMPLE, len(items)), replace=False))
            items = [items[k] for k in keep]
        out.extend((name, i) for i in items if not contains_held_out(i.text))
    return out, loaded


def _norm_words(text):
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()


def containment_filter(held_out_texts, shingle=6):
    keys = {}
    for t in held_out_texts:
        w = _norm_words(t)
        if len(w) >= shingle:
            keys.setdefault(tuple(w[:shingle]), []).append(" ".join(w))

    def contains(text):
        w = _norm_words(text)
        joined = None
        for k in range(len(w) - shingle + 1):
            candidates = keys.get(tuple(w[k : k + shingle]))
            if candidates:
                joined = joined or " ".join(w)
                if any(c in joined for c in candidates):
                    return True
        return False

    return contains


def soft_target(item, class_strength):
    """Target probability of "positive": the human mean rating mapped from
    -4..+4 to 0..1 for graded sets; for classes, neutral is 0.5 and a polar
    label is `class_strength` away from it (on the score scale)."""
    if item.rating is not None:
        return (max(-4.0, min(4.0, item.rating)) / 4.0 + 1.0) / 2.0
    return {"positive": 0.5 + class_strength / 2, "neutral": 0.5, "negative": 0.5 - class_strength / 2}[item.label]


def dump_features(texts, cli=None):
    """Dense (n x DENSE float32) and hashed features [(hashes u32, values f32)]
    per text, from the crate's own feature code."""
    for t in texts:
        if "\n" in t or "\r" in t:
            sys.exit("texts must be single lines")
    proc = subprocess.run(
        cli or FEATURES_CLI,
        cwd=ROOT,
        input=("\n".join(texts) + "\n").encode("utf-8"),
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"sentiment-features failed:\n{proc.stderr.decode(errors='replace')}")
    buf = proc.stdout
    version, dense_n = struct.unpack_from("<II", buf, 0)
    pos = 8
    dense = np.zeros((len(texts), dense_n), dtype=np.float32)
    hashed = []
    for row in range(len(texts)):
        dense[row] = np.frombuffer(buf, dtype="<f4", count=dense_n, offset=pos)
        pos += 4 * dense_n
        (n,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        pairs = np.frombuffer(buf, dtype="<u4", count=2 * n, offset=pos).reshape(n, 2)
        pos += 8 * n
        hashed.append((pairs[:, 0].copy(), pairs[:, 1].copy().view("<f4")))
    if pos != len(buf):
        sys.exit("sentiment-features output has trailing bytes")
    return version, dense, hashed


def design(dense, hashed, log2):
    """Sparse matrix [dense | hashed table] with the runtime's indexing: the
    hash's low `log2` bits pick the weight, its top bit the sign."""
    mask = (1 << log2) - 1
    rows, cols, vals = [], [], []
    for r, (h, v) in enumerate(hashed):
        rows.append(np.full(len(h), r, dtype=np.int64))
        cols.append((h & mask).astype(np.int64) + dense.shape[1])
        vals.append(np.where(h >> 31 == 1, -v, v).astype(np.float64))
    n, d = dense.shape
    rows.append(np.repeat(np.arange(n, dtype=np.int64), d))
    cols.append(np.tile(np.arange(d, dtype=np.int64), n))
    vals.append(dense.astype(np.float64).ravel())
    X = scipy.sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, d + (1 << log2))
    )
    X.sum_duplicates()
    return X


def fit(X, p, weight, l2, monotone, penalised_from=0, max_iter=500, unused=()):
    """Logistic regression on soft targets p in [0, 1]: minimises
    sum_i weight_i * (log(1 + e^z_i) - p_i z_i) / sum(weight) + l2/2 |w'|^2,
    z = X w + b, where w' is w from index `penalised_from` on (the bias and
    the columns before it are not penalised). `monotone` indices are kept >= 0
    (the rule-score features, so more positive rule evidence never lowers a
    score); `unused` indices are held at 0. Deterministic: L-BFGS-B from
    zero."""
    n, d = X.shape
    wsum = weight.sum()
    Xt = X.T.tocsr()

    def loss(theta):
        b, w = theta[0], theta[1:]
        z = X @ w + b
        # log(1 + e^z) without overflow.
        lz = np.logaddexp(0.0, z)
        wp = w[penalised_from:]
        f = (weight * (lz - p * z)).sum() / wsum + 0.5 * l2 * (wp @ wp)
        g_z = weight * (1.0 / (1.0 + np.exp(-z)) - p) / wsum
        grad = np.empty_like(theta)
        grad[0] = g_z.sum()
        grad[1:] = Xt @ g_z
        grad[1 + penalised_from :] += l2 * wp
        return f, grad

    bounds = [(None, None)] * (d + 1)
    start = np.zeros(d + 1)
    for k in monotone:
        bounds[1 + k] = (0.0, None)
    for k in unused:
        bounds[1 + k] = (0.0, 0.0)
    res = scipy.optimize.minimize(
        loss, start, jac=True, method="L-BFGS-B", bounds=bounds,
        options={"maxiter": max_iter, "maxcor": 20, "ftol": 1e-10, "gtol": 1e-7},
    )
    return res.x[0], res.x[1:]


def quantize(table, bits):
    """Symmetric integer quantisation of the hashed weights; returns the
    integers and the scale (weight = integer x scale)."""
    top = (1 << (bits - 1)) - 1
    peak = float(np.max(np.abs(table))) if table.size else 0.0
    scale = peak / top if peak > 0 else 1.0
    q = np.clip(np.rint(table / scale), -top, top).astype(np.int16 if bits == 16 else np.int8)
    return q, scale


def scores(X, bias, w):
    return np.tanh((X @ w + bias) / 2.0)


def label_of(score, threshold):
    return np.where(score >= threshold, "positive", np.where(score <= -threshold, "negative", "neutral"))


def macro_f1(gold, predicted, classes):
    gold = np.asarray(gold)
    predicted = np.asarray(predicted)
    f1s = []
    for c in classes:
        tp = np.sum((gold == c) & (predicted == c))
        fp = np.sum((gold != c) & (predicted == c))
        fn = np.sum((gold == c) & (predicted != c))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(f1s))


def pearson(x, y):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.std() == 0 or y.std() == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])
