"""Classification metrics against scikit-learn (see _oracle.check_same)."""

import numpy as np
import pytest

from ._oracle import check_same

rng = np.random.default_rng(0)
N = 300


def _labels(kind, n_classes, n=N, seed=0):
    r = np.random.default_rng(seed)
    y = r.integers(0, n_classes, n)
    if kind == "str":
        return np.array(["cat", "dog", "emu", "fox", "gnu"])[y]
    if kind == "float":
        return y.astype(np.float64) * 1.5
    if kind == "int32":
        return y.astype(np.int32)
    return y


WEIGHTS = {
    "none": None,
    "float": np.random.default_rng(1).random(N),
    "int": np.random.default_rng(2).integers(0, 4, N),
}


# Every label kind and weight kind, binary and multiclass, without the full product.
COMBOS = [
    ("int", 2, "none"), ("int", 4, "float"), ("int", 4, "int"), ("int32", 2, "float"),
    ("int32", 4, "none"), ("str", 2, "int"), ("str", 4, "float"), ("float", 2, "none"),
    ("float", 4, "float"),
]


@pytest.mark.parametrize("kind, n_classes, weights", COMBOS)
def test_counts_family(kind, n_classes, weights):
    yt, yp = _labels(kind, n_classes, seed=3), _labels(kind, n_classes, seed=4)
    w = WEIGHTS[weights]
    for normalize in (True, False):
        check_same("accuracy_score", yt, yp, normalize=normalize, sample_weight=w)
    for normalize in (None, "true", "pred", "all"):
        check_same("confusion_matrix", yt, yp, sample_weight=w, normalize=normalize)
    check_same("balanced_accuracy_score", yt, yp, sample_weight=w)
    check_same("balanced_accuracy_score", yt, yp, sample_weight=w, adjusted=True)
    averages = [None, "micro", "macro", "weighted"] + (["binary"] if n_classes == 2 else [])
    pos = {"int": 1, "int32": 1, "str": "dog", "float": 1.5}[kind]
    for average in averages:
        check_same("precision_recall_fscore_support", yt, yp, average=average, sample_weight=w,
                   pos_label=pos)
        for beta in (0.0, 0.5, 2.0, np.inf):
            check_same("fbeta_score", yt, yp, beta=beta, average=average, sample_weight=w,
                       pos_label=pos)
        for name in ("f1_score", "precision_score", "recall_score"):
            check_same(name, yt, yp, average=average, sample_weight=w, pos_label=pos)


def test_labels_argument():
    yt, yp = _labels("int", 5, seed=5), _labels("int", 5, seed=6)
    w = WEIGHTS["float"]
    for labels in ([3, 1], [4, 0, 2, 7], [0, 1, 2, 3, 4]):
        check_same("confusion_matrix", yt, yp, labels=labels, sample_weight=w)
        for average in (None, "micro", "macro", "weighted"):
            check_same("precision_recall_fscore_support", yt, yp, labels=labels, average=average,
                       sample_weight=w)
    check_same("confusion_matrix", yt, yp, labels=[9, 8])  # no label in y_true: error
    check_same("confusion_matrix", yt, yp, labels=[])


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_zero_division(zero_division):
    yt = np.array([0, 0, 1, 1, 2, 2])
    yp = np.array([0, 0, 0, 0, 0, 0])  # classes 1, 2 never predicted
    for average in (None, "micro", "macro", "weighted"):
        for name in ("precision_score", "recall_score", "f1_score"):
            check_same(name, yt, yp, average=average, zero_division=zero_division)
    check_same("f1_score", [0, 0], [0, 0], zero_division=zero_division)  # no positive at all
    check_same("precision_score", [1, 0], [0, 0], zero_division=zero_division)


def test_multilabel():
    r = np.random.default_rng(7)
    yt = r.integers(0, 2, (80, 4))
    yp = r.integers(0, 2, (80, 4))
    w = r.random(80)
    for sw in (None, w):
        check_same("accuracy_score", yt, yp, sample_weight=sw)
        check_same("accuracy_score", yt, yp, sample_weight=sw, normalize=False)
        for average in (None, "micro", "macro", "weighted", "samples"):
            check_same("precision_recall_fscore_support", yt, yp, average=average,
                       sample_weight=sw)
            check_same("f1_score", yt, yp, average=average, sample_weight=sw)
        check_same("f1_score", yt, yp, average="macro", labels=[2, 0], sample_weight=sw)
    check_same("confusion_matrix", yt, yp)  # multilabel unsupported there: same error


def test_bad_inputs_same_errors():
    yt, yp = _labels("int", 3), _labels("int", 3, seed=9)
    check_same("accuracy_score", [], [])
    check_same("accuracy_score", yt, yp[:-1])
    check_same("accuracy_score", yt, _labels("str", 3))
    check_same("accuracy_score", yt, yp + 0.5)  # continuous
    check_same("f1_score", yt, yp)  # multiclass with average='binary'
    check_same("f1_score", yt, yp, average="mean")
    check_same("f1_score", [0, 1, 1], [0, 1, 0], pos_label=2)
    check_same("fbeta_score", yt, yp, beta=-1, average="macro")
    check_same("f1_score", yt, yp, average="micro", pos_label=2)  # pos_label ignored: warns
    check_same("confusion_matrix", yt, yp, normalize="rows")
    check_same("confusion_matrix", [1, 1], [1, 1])  # single label: warns
    check_same("accuracy_score", yt, yp, sample_weight=np.zeros(N))


def _proba(n, k, seed, dtype=np.float64):
    p = np.random.default_rng(seed).random((n, k)) + 1e-3
    return (p / p.sum(axis=1, keepdims=True)).astype(dtype)


@pytest.mark.parametrize("weights", ["none", "float"])
def test_log_loss_and_brier(weights):
    w = WEIGHTS[weights]
    y3 = _labels("str", 3, seed=11)
    P = _proba(N, 3, 12)
    P[:5, 0] = 0.0  # clipped by eps
    P[:5, 1:] = 0.5
    for normalize in (True, False):
        check_same("log_loss", y3, P, sample_weight=w, normalize=normalize)
    check_same("log_loss", y3, P, sample_weight=w, labels=["cat", "dog", "emu"])
    check_same("brier_score_loss", y3, P, sample_weight=w)
    check_same("brier_score_loss", y3, P, sample_weight=w, scale_by_half=True)
    y2 = _labels("int", 2, seed=13)
    p1 = _proba(N, 2, 14)[:, 1]
    check_same("log_loss", y2, p1, sample_weight=w)
    check_same("log_loss", y2, _proba(N, 2, 14), sample_weight=w)
    check_same("brier_score_loss", y2, p1, sample_weight=w)
    check_same("brier_score_loss", y2, p1, sample_weight=w, scale_by_half=False)
    ys = np.where(y2 == 1, "spam", "ham")
    check_same("brier_score_loss", ys, p1, sample_weight=w, pos_label="spam")
    check_same("brier_score_loss", ys, p1, sample_weight=w)  # strings need pos_label: error


def test_probabilistic_float32():
    """scikit-learn computes float32 in float32: agreement to float32 precision."""
    y3 = _labels("int", 3, seed=15)
    P = _proba(N, 3, 16, np.float32)
    check_same("log_loss", y3, P, rtol=1e-5)
    check_same("brier_score_loss", y3, P, rtol=1e-5)
    check_same("log_loss", y3, P.astype(np.float64))  # same data in float64: 1e-12


def test_probabilistic_errors():
    y3 = _labels("int", 3, seed=17)
    P = _proba(N, 3, 18)
    check_same("log_loss", y3, P[:, :2])
    check_same("log_loss", np.zeros(N), P)  # one label only
    check_same("log_loss", y3, P * 2)  # > 1
    check_same("log_loss", y3, P, y_pred=P)
    check_same("log_loss", y3, y_pred=P)  # deprecated name: FutureWarning
    check_same("log_loss", y3, P * 0.9)  # rows do not sum to one: warns
    check_same("brier_score_loss", y3, -P)
