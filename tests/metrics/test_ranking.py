"""Ranking metrics against scikit-learn: ties (scores rounded to few distinct
values), weights including zeros, string labels, float32 scores."""

import numpy as np
import pytest

from ._oracle import check_same

N = 400


def _binary(seed, ties=True, dtype=np.float64):
    r = np.random.default_rng(seed)
    y = r.integers(0, 2, N)
    s = r.random(N) + 0.3 * y
    if ties:
        s = np.round(s, 1)  # ~14 distinct scores: heavy ties
    return y, s.astype(dtype)


def _weights(seed, zeros=True):
    w = np.random.default_rng(seed).random(N)
    if zeros:
        w[::7] = 0.0
    return w


@pytest.mark.parametrize("ties", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_curves_and_binary_scores(ties, weighted):
    y, s = _binary(1, ties)
    w = _weights(2) if weighted else None
    for drop in (True, False):
        check_same("roc_curve", y, s, sample_weight=w, drop_intermediate=drop)
        check_same("precision_recall_curve", y, s, sample_weight=w, drop_intermediate=drop)
    check_same("roc_auc_score", y, s, sample_weight=w)
    for max_fpr in (0.1, 0.5, 1.0):
        check_same("roc_auc_score", y, s, sample_weight=w, max_fpr=max_fpr)
    check_same("average_precision_score", y, s, sample_weight=w)
    # String labels and an explicit pos_label.
    ys = np.where(y == 1, "yes", "no")
    check_same("roc_curve", ys, s, pos_label="no", sample_weight=w)
    check_same("precision_recall_curve", ys, s, pos_label="yes", sample_weight=w)
    check_same("roc_auc_score", ys, s, sample_weight=w)
    check_same("average_precision_score", ys, -s, pos_label="no", sample_weight=w)
    check_same("roc_curve", ys, s)  # strings without pos_label: error


def test_float32_and_int_scores():
    y, s = _binary(3, dtype=np.float32)
    fpr, tpr, thr = check_same("roc_curve", y, s)
    assert thr.dtype == np.float64
    _, _, thr = check_same("precision_recall_curve", y, s)
    assert thr.dtype == np.float32  # scikit-learn keeps the score dtype there
    check_same("roc_auc_score", y, s)
    check_same("average_precision_score", y, s)
    check_same("roc_auc_score", y, (s * 10).astype(np.int64))
    check_same("roc_curve", y, -0.0 * s)  # -0.0 and 0.0 are one threshold


def test_single_class_and_degenerate():
    y, s = _binary(4)
    check_same("roc_auc_score", np.ones(N), s)  # warns, nan
    check_same("roc_auc_score", np.zeros(N), s, max_fpr=0.3)
    check_same("roc_curve", np.ones(N), s)  # no negatives: warns, nan fpr
    check_same("average_precision_score", np.zeros(N), s)  # no positives: warns, 0
    check_same("precision_recall_curve", np.zeros(N), s)
    check_same("roc_auc_score", y, np.full(N, 0.5))  # one threshold: 0.5
    check_same("roc_auc_score", [], [])
    check_same("roc_auc_score", y, s[:-1])
    check_same("roc_auc_score", y, np.where(np.arange(N) == 3, np.nan, s))
    check_same("roc_curve", y, np.where(np.arange(N) == 3, np.inf, s))
    check_same("roc_auc_score", y, s, max_fpr=0.0)
    check_same("roc_auc_score", y, np.c_[1 - s, s])  # 2 columns for binary: error


def _multiclass(seed, k=4, n=N):
    r = np.random.default_rng(seed)
    y = r.integers(0, k, n)
    p = r.random((n, k)) + np.eye(k)[y] * 0.5
    p = np.round(p, 1) + 1e-3
    return y, p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_roc_auc(weighted):
    y, P = _multiclass(5)
    w = _weights(6) if weighted else None
    for average in ("macro", "weighted", None, "micro"):
        check_same("roc_auc_score", y, P, multi_class="ovr", average=average, sample_weight=w)
        check_same("roc_auc_score", y, P, multi_class="ovo", average=average, sample_weight=w)
    names = np.array(["a", "b", "c", "d"])[y]
    check_same("roc_auc_score", names, P, multi_class="ovr", sample_weight=w)
    check_same("roc_auc_score", names, P, multi_class="ovo", average="weighted")
    # labels= naming a class absent from y_true
    yl = np.where(y == 2, 1, y)
    check_same("roc_auc_score", yl, P, multi_class="ovr", labels=[0, 1, 2, 3], sample_weight=w)
    check_same("roc_auc_score", yl, P, multi_class="ovo", labels=[0, 1, 2, 3])
    check_same("roc_auc_score", y, P, multi_class="ovo", labels=[0, 1, 3, 2])
    check_same("roc_auc_score", y, P)  # multi_class="raise"
    check_same("roc_auc_score", y, P[:, :3], multi_class="ovr")
    check_same("roc_auc_score", y, P * 2, multi_class="ovr")
    check_same("roc_auc_score", y, P, multi_class="ovr", max_fpr=0.5)
    check_same("average_precision_score", y, P, sample_weight=w)
    check_same("average_precision_score", y, P, average=None, sample_weight=w)
    check_same("average_precision_score", y, P, pos_label=2)
    check_same("average_precision_score", y, P[:, :3])


def test_multilabel_scores():
    r = np.random.default_rng(8)
    Y = r.integers(0, 2, (N, 3))
    S = np.round(r.random((N, 3)) + 0.3 * Y, 1)
    w = _weights(9)
    for average in ("macro", "weighted", "micro", "samples", None):
        check_same("roc_auc_score", Y, S, average=average)
        check_same("average_precision_score", Y, S, average=average, sample_weight=w)
    check_same("roc_auc_score", Y, S, sample_weight=w)


def test_auc():
    x = np.cumsum(np.random.default_rng(10).random(50))
    y = np.random.default_rng(11).random(50)
    check_same("auc", x, y)
    check_same("auc", x[::-1], y)
    check_same("auc", x.astype(np.float32), y.astype(np.float32), rtol=1e-6)
    check_same("auc", [0, 1, 1, 2], [0, 1, 0, 1])  # repeated x
    check_same("auc", [0, 2, 1], [1, 1, 1])
    check_same("auc", [1.0], [1.0])
    check_same("auc", [0, 1], [1, 2, 3])
