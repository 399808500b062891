"""Random forests and extra trees against scikit-learn 1.9.1's."""

import pickle

import numpy as np
import pytest
from sklearn import ensemble as sk_ensemble
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits, load_wine,
                              make_classification, make_regression)
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

from pymlcore.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                               RandomForestRegressor)
from pymlcore.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text
from pymlcore.tree._prune import prune_tree, pruning_path
from pymlcore.tree._tree import TREE_LEAF

# Quality is compared as the mean test score over 4 train/test splits x 2 seeds
# for both libraries.  One run's score moves by ~0.8 point (accuracy on these
# few hundred test rows) between seeds, so the mean of 8 runs still carries
# ~0.3 point of noise per library: the tolerance is 1 point (3 standard errors
# of the difference; 3 R^2 points for diabetes, whose runs move by ~3).  Over 9
# runs of 100 trees on digits we measured 97.68% (ours) vs 97.74% (extra trees)
# and 97.03% vs 97.18% (random forest, exact).
RUNS = [(split, seed) for split in range(4) for seed in range(2)]


def mean_score(make, X, y, score):
    out = []
    for split, seed in RUNS:
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=1 / 3, random_state=split)
        out.append(score(y_te, make(seed).fit(X_tr, y_tr), X_te))
    return np.mean(out)


def acc(y, est, X):
    return accuracy_score(y, est.predict(X))


def auc(y, est, X):
    return roc_auc_score(y, est.predict_proba(X)[:, 1])


def r2(y, est, X):
    return r2_score(y, est.predict(X))


@pytest.mark.parametrize("ours, theirs, loader, score, tol", [
    (RandomForestClassifier, sk_ensemble.RandomForestClassifier, load_breast_cancer, auc, 0.01),
    (RandomForestClassifier, sk_ensemble.RandomForestClassifier, load_digits, acc, 0.01),
    (RandomForestClassifier, sk_ensemble.RandomForestClassifier, load_wine, acc, 0.01),
    (ExtraTreesClassifier, sk_ensemble.ExtraTreesClassifier, load_digits, acc, 0.01),
    (RandomForestRegressor, sk_ensemble.RandomForestRegressor, load_diabetes, r2, 0.03),
    (ExtraTreesRegressor, sk_ensemble.ExtraTreesRegressor, load_diabetes, r2, 0.03),
])
def test_quality_close_to_sklearn(ours, theirs, loader, score, tol):
    X, y = loader(return_X_y=True)
    a = mean_score(lambda s: ours(n_estimators=30, random_state=s, n_jobs=2), X, y, score)
    b = mean_score(lambda s: theirs(n_estimators=30, random_state=s, n_jobs=2), X, y, score)
    assert abs(a - b) <= tol, (a, b)


def test_exact_and_histogram_forests_both_match_generated_data():
    X, y = make_classification(3000, 20, n_informative=8, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5, random_state=0)
    theirs = np.mean([acc(y_te, sk_ensemble.RandomForestClassifier(50, random_state=s, n_jobs=2)
                          .fit(X_tr, y_tr), X_te) for s in range(3)])
    for max_bins in (255, None):
        ours = np.mean([acc(y_te, RandomForestClassifier(50, random_state=s, n_jobs=2,
                                                         max_bins=max_bins).fit(X_tr, y_tr), X_te)
                        for s in range(3)])
        assert abs(ours - theirs) <= 0.01, (max_bins, ours, theirs)  # 1500 test rows


def test_oob_close_to_sklearn_and_consistent():
    X, y = make_classification(2000, 16, n_informative=6, random_state=1)
    ours = RandomForestClassifier(80, oob_score=True, random_state=0, n_jobs=2).fit(X, y)
    theirs = sk_ensemble.RandomForestClassifier(80, oob_score=True, random_state=0,
                                                n_jobs=2).fit(X, y)
    assert abs(ours.oob_score_ - theirs.oob_score_) < 0.02  # one seed each: ~1 point noise
    assert ours.oob_decision_function_.shape == theirs.oob_decision_function_.shape
    np.testing.assert_allclose(ours.oob_decision_function_.sum(axis=1), 1.0, rtol=1e-6)
    # callable oob_score, regression
    Xd, yd = load_diabetes(return_X_y=True)
    reg = RandomForestRegressor(60, oob_score=r2_score, random_state=0).fit(Xd, yd)
    assert reg.oob_prediction_.shape == yd.shape and 0.3 < reg.oob_score_ < 0.6


def test_deterministic_across_n_jobs_and_warm_start():
    X, y = make_classification(800, 10, random_state=0)
    a = RandomForestClassifier(30, random_state=3, n_jobs=1, oob_score=True).fit(X, y)
    b = RandomForestClassifier(30, random_state=3, n_jobs=2, oob_score=True).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.oob_decision_function_, b.oob_decision_function_)
    np.testing.assert_array_equal(a.apply(X), b.apply(X))
    # 20 then 10 more trees with warm_start equals 30 at once
    w = RandomForestClassifier(20, random_state=3, warm_start=True, oob_score=True).fit(X, y)
    w.set_params(n_estimators=30).fit(X, y)
    assert len(w.estimators_) == 30
    np.testing.assert_array_equal(w.predict_proba(X), a.predict_proba(X))
    np.testing.assert_allclose(w.oob_decision_function_, a.oob_decision_function_)
    np.testing.assert_allclose(w.feature_importances_, a.feature_importances_, rtol=1e-12)
    with pytest.warns(UserWarning, match="does not fit new trees"):
        w.fit(X, y)


def test_estimators_apply_decision_path_and_predictions_agree():
    X, y = load_wine(return_X_y=True)
    f = RandomForestClassifier(12, random_state=0, max_bins=None).fit(X, y)
    proba = np.mean([t.predict_proba(X) for t in f.estimators_], axis=0)
    np.testing.assert_allclose(f.predict_proba(X), proba, rtol=1e-12)
    leaves = f.apply(X)
    for i, t in enumerate(f.estimators_):
        np.testing.assert_array_equal(t.apply(X), leaves[:, i])
    indicator, ptr = f.decision_path(X)
    assert indicator.shape == (len(X), ptr[-1])
    for i, t in enumerate(f.estimators_[:3]):
        assert (indicator[:, ptr[i]:ptr[i + 1]] != t.decision_path(X)).nnz == 0
    assert abs(f.feature_importances_.sum() - 1.0) < 1e-12


def test_compact_storage_and_pickle():
    X, y = make_classification(3000, 20, random_state=0)
    ours = RandomForestClassifier(30, random_state=0).fit(X, y)
    theirs = sk_ensemble.RandomForestClassifier(30, random_state=0).fit(X, y)
    back = pickle.loads(pickle.dumps(ours))
    np.testing.assert_array_equal(back.predict_proba(X), ours.predict_proba(X))
    assert len(pickle.dumps(ours)) < 0.3 * len(pickle.dumps(theirs))
    # float32 leaf values: probabilities within float32 rounding of float64 ones
    exact = np.mean([t.tree_.value[t.apply(X), 0, :] for t in ours.estimators_], axis=0)
    np.testing.assert_allclose(ours.predict_proba(X), exact, rtol=1e-6)


def test_crafted_forest_arrays_rejected():
    X, y = make_classification(300, 5, random_state=0)
    f = RandomForestClassifier(3, random_state=0).fit(X, y)
    good = {k: v.copy() for k, v in f._compact.items()}

    def predict_with(**changes):
        f._compact = {**good, **changes}
        return f.predict(X)

    child = good["child"].copy(); child[0] = 10**6
    with pytest.raises(ValueError, match="child"):
        predict_with(child=child)
    feat = good["feature"].copy(); feat[0] = 2 * 50
    with pytest.raises(ValueError, match="feature"):
        predict_with(feature=feat)
    with pytest.raises(ValueError, match="leaf_value"):
        predict_with(leaf_value=good["leaf_value"][:-1])
    starts = good["tree_start"].copy(); starts[-1] += 1
    with pytest.raises(ValueError, match="tree_start"):
        predict_with(tree_start=starts)
    loop = good["child"].copy(); loop[1 if loop[1] >= 0 else 0] = 0
    with pytest.raises(ValueError):
        predict_with(child=loop)
    f._compact = good
    f.predict(X)


def test_nan_routing_class_weights_and_bad_input():
    X, y = make_classification(1000, 8, random_state=0)
    Xn = X.copy()
    Xn[np.random.default_rng(0).random(X.shape) < 0.2] = np.nan
    for max_bins in (255, None):
        f = RandomForestClassifier(30, random_state=0, max_bins=max_bins).fit(Xn, y)
        assert accuracy_score(y, f.predict(Xn)) > 0.9
    for cw in ("balanced", "balanced_subsample", {0: 1.0, 1: 3.0}):
        f = RandomForestClassifier(20, class_weight=cw, random_state=0).fit(X, y)
        assert accuracy_score(y, f.predict(X)) > 0.9
    with pytest.raises(ValueError, match="y"):
        RandomForestRegressor(5).fit(X, np.where(np.arange(len(y)) == 2, np.nan, y))
    with pytest.raises(ValueError, match="features"):
        RandomForestClassifier(5).fit(X, y).predict(X[:, :3])
    with pytest.raises(ValueError, match="bootstrap"):
        RandomForestClassifier(5, bootstrap=False, oob_score=True).fit(X, y)


def test_monotonic_forest():
    X, y = load_diabetes(return_X_y=True)
    cst = np.zeros(X.shape[1], dtype=int)
    cst[2] = 1  # bmi
    for cls in (RandomForestRegressor, ExtraTreesRegressor):
        f = cls(20, monotonic_cst=cst, random_state=0).fit(X, y)
        grid = np.tile(X[:1], (50, 1))
        grid[:, 2] = np.linspace(X[:, 2].min(), X[:, 2].max(), 50)
        assert np.all(np.diff(f.predict(grid)) >= -1e-9), cls  # float32 leaf values


def test_float32_and_float64_X_give_the_same_forest():
    # trees read X as float32 and the histogram bins come from the float32 values
    X, y = make_classification(1000, 6, random_state=0)
    for max_bins in (255, None):
        a = RandomForestClassifier(10, random_state=0, max_bins=max_bins).fit(X, y)
        b = RandomForestClassifier(10, random_state=0, max_bins=max_bins).fit(
            X.astype(np.float32), y)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X.astype(np.float32)))


# ---- full trees from the compact storage, pruning, drawn samples ----------------


def preorder(tree):
    """A tree's nodes in pre-order (left first): split and statistics, whatever
    the numbering (forests number breadth first, single trees depth first)."""
    out, stack = [], [0]
    while stack:
        k = stack.pop()
        leaf = tree.children_left[k] == TREE_LEAF
        out.append((-1 if leaf else int(tree.feature[k]),
                    0.0 if leaf else float(tree.threshold[k]),
                    int(tree.n_node_samples[k]), float(tree.weighted_n_node_samples[k]),
                    float(tree.impurity[k]), tree.value[k].ravel()))
        if not leaf:
            stack += [tree.children_right[k], tree.children_left[k]]
    return out


def assert_same_tree(a, b, rtol):
    """Same splits and counts; thresholds within float32 rounding (forests store
    them rounded down to float32); impurity and value within rtol."""
    pa, pb = preorder(a), preorder(b)
    assert [(x[0], x[2]) for x in pa] == [(x[0], x[2]) for x in pb]
    np.testing.assert_allclose([x[1] for x in pa], [x[1] for x in pb], rtol=2e-7, atol=1e-30)
    np.testing.assert_allclose([x[3] for x in pa], [x[3] for x in pb], rtol=rtol)
    np.testing.assert_allclose([x[4] for x in pa], [x[4] for x in pb], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(np.array([x[5] for x in pa]), np.array([x[5] for x in pb]),
                               rtol=rtol, atol=rtol)


@pytest.mark.parametrize("forest, tree, criterion, outputs", [
    (RandomForestClassifier, DecisionTreeClassifier, "gini", 1),
    (RandomForestClassifier, DecisionTreeClassifier, "entropy", 2),
    (RandomForestRegressor, DecisionTreeRegressor, "squared_error", 1),
    (RandomForestRegressor, DecisionTreeRegressor, "squared_error", 2),
    (RandomForestRegressor, DecisionTreeRegressor, "poisson", 1),
    (ExtraTreesRegressor, DecisionTreeRegressor, "poisson", 2),
])
def test_estimators_have_the_full_tree_of_a_decision_tree(forest, tree, criterion, outputs):
    # Without bootstrap, tree 0 of a forest is grown like a decision tree with
    # the same parameters and seed (rng stream (seed, 0)): its tree_ rebuilt from
    # the compact arrays must equal that tree's exact one.  Tolerance 1e-5: leaf
    # values, impurities and weights are stored as float32 (relative rounding
    # 6e-8) and an inner node's impurity is computed from them, which can lose a
    # few digits where within and between variances nearly cancel.
    X, y = make_classification(400, 6, n_informative=4, n_classes=3, random_state=0)
    if forest is not RandomForestClassifier:
        y = np.abs(X[:, 0] * 3 + X[:, 1] ** 2) + (criterion == "poisson") * 0.5
    if outputs == 2:
        y = np.column_stack([y, y[::-1]])
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    kw = dict(criterion=criterion, max_features=None, min_samples_leaf=3, random_state=4)
    if forest is not ExtraTreesRegressor:
        kw["max_bins"] = None
    f = forest(1, bootstrap=False, **kw).fit(X, y, sample_weight=w)
    t = tree(splitter="random" if forest is ExtraTreesRegressor else "best", **kw).fit(
        X, y, sample_weight=w)
    est = f.estimators_[0]
    assert_same_tree(est.tree_, t.tree_, rtol=1e-5)
    np.testing.assert_allclose(est.feature_importances_, t.feature_importances_, atol=1e-6)
    np.testing.assert_allclose(f.feature_importances_, t.feature_importances_, atol=1e-12)
    for ours, theirs in zip(pruning_path(est.tree_), pruning_path(t.tree_)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-9)
    if outputs == 1:
        assert export_text(est, decimals=1) == export_text(t, decimals=1)


def test_estimators_tree_arrays_export_text_and_importances_with_bootstrap():
    X, y = load_wine(return_X_y=True)
    f = RandomForestClassifier(10, random_state=0).fit(X, y)
    samples = f.estimators_samples_
    for i, est in enumerate(f.estimators_):
        tr = est.tree_
        # the root holds the distinct drawn rows, weighted by their draw counts
        assert tr.n_node_samples[0] == len(np.unique(samples[i]))
        assert tr.weighted_n_node_samples[0] == len(samples[i]) == len(X)
        inner = tr.children_left != TREE_LEAF
        for counts in (tr.n_node_samples, tr.weighted_n_node_samples):
            np.testing.assert_allclose(counts[inner], counts[tr.children_left[inner]]
                                       + counts[tr.children_right[inner]], rtol=1e-6)
        # class fractions of the root: those of the draw
        drawn = np.bincount(y[samples[i]], minlength=3) / len(samples[i])
        np.testing.assert_allclose(tr.value[0, 0], drawn, rtol=1e-6)
        np.testing.assert_allclose(tr.impurity[0], 1 - np.sum(drawn ** 2), rtol=1e-6)
        assert "class: " in export_text(est, show_weights=True)
    imp = np.mean([e.feature_importances_ for e in f.estimators_], axis=0)
    np.testing.assert_allclose(imp / imp.sum(), f.feature_importances_, atol=1e-6)
    # cost_complexity_pruning_path refits the tree (scikit-learn's behaviour)
    path = f.estimators_[0].cost_complexity_pruning_path(X, y)
    assert np.all(np.diff(path.ccp_alphas) >= 0) and len(path.impurities) > 1


@pytest.mark.parametrize("forest, alpha", [(RandomForestClassifier, 0.003),
                                           (ExtraTreesClassifier, 0.003),
                                           (RandomForestRegressor, 30.0),
                                           (ExtraTreesRegressor, 30.0)])
def test_ccp_alpha_prunes_each_tree_as_pruning_the_unpruned_forest(forest, alpha):
    if forest in (RandomForestClassifier, ExtraTreesClassifier):
        X, y = make_classification(800, 10, random_state=0)
    else:
        X, y = make_regression(800, 10, noise=10, random_state=0)
    full = forest(12, random_state=1, bootstrap=True).fit(X, y)
    pruned = forest(12, random_state=1, ccp_alpha=alpha, bootstrap=True).fit(X, y)
    assert len(pruned._compact["child"]) < len(full._compact["child"]) / 2
    for a, b in zip(full.estimators_, pruned.estimators_):
        assert_same_tree(prune_tree(a.tree_, alpha), b.tree_, rtol=1e-5)
    imp = np.mean([e.feature_importances_ for e in pruned.estimators_], axis=0)
    np.testing.assert_allclose(imp / imp.sum(), pruned.feature_importances_, atol=1e-6)
    # the same trees, so the same samples and out-of-bag rows
    for a, b in zip(full.estimators_samples_, pruned.estimators_samples_):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="ccp_alpha"):
        forest(2, ccp_alpha=-1.0).fit(X, y)


def test_ccp_alpha_accuracy_close_to_sklearn():
    # Mean test accuracy over 3 seeds on 18,000 test rows (sampling noise of one
    # run ~0.2 point; the seeds' spread ~0.3 point): within 0.5 point of
    # scikit-learn's forest with the same ccp_alpha.  Measured: 94.91 vs 94.97
    # (alpha 0.002), and pruning costs both ~1 point against alpha 0.
    X, y = make_classification(20000, 20, n_informative=6, random_state=3)
    ours, theirs = [], []
    for seed in range(3):
        kw = dict(n_estimators=40, ccp_alpha=0.002, random_state=seed, n_jobs=2)
        ours.append(RandomForestClassifier(**kw).fit(X[:2000], y[:2000]).score(X[2000:], y[2000:]))
        theirs.append(sk_ensemble.RandomForestClassifier(**kw).fit(X[:2000], y[:2000]).score(
            X[2000:], y[2000:]))
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.005, (ours, theirs)


def test_estimators_samples_replay_the_draws():
    X, y = make_classification(500, 6, random_state=0)
    f = RandomForestClassifier(15, random_state=0, oob_score=True, max_samples=0.7).fit(X, y)
    samples = f.estimators_samples_
    assert len(samples) == 15 and all(s.dtype == np.int32 and len(s) == 350 for s in samples)
    # the out-of-bag estimate recomputed from the samples: rows outside each
    # tree's samples are exactly the rows that tree scored out of bag
    votes, count = np.zeros((len(X), 2)), np.zeros(len(X))
    for s, est in zip(samples, f.estimators_):
        out = np.ones(len(X), dtype=bool)
        out[s] = False
        votes[out] += est.predict_proba(X[out])
        count[out] += 1
    np.testing.assert_allclose(f.oob_decision_function_, votes / count[:, None], rtol=1e-6)
    # replayed, not stored: the same on every access, after pickling, and across warm starts
    np.testing.assert_array_equal(np.concatenate(f.estimators_samples_), np.concatenate(samples))
    back = pickle.loads(pickle.dumps(f))
    np.testing.assert_array_equal(np.concatenate(back.estimators_samples_), np.concatenate(samples))
    w = RandomForestClassifier(5, random_state=0, warm_start=True, max_samples=0.7).fit(X, y)
    w.set_params(n_estimators=15).fit(X, y)
    np.testing.assert_array_equal(np.concatenate(w.estimators_samples_), np.concatenate(samples))
    # weighted draws: rows of zero weight are never drawn
    sw = np.where(np.arange(len(X)) % 3 == 0, 0.0, 1.0)
    g = RandomForestRegressor(5, random_state=0).fit(X, y, sample_weight=sw)
    assert all(np.all(sw[s] > 0) for s in g.estimators_samples_)
    assert all(e.tree_.n_node_samples[0] == len(np.unique(s))
               for e, s in zip(g.estimators_, g.estimators_samples_))
    # without bootstrap every tree sees all rows
    e = ExtraTreesClassifier(3, random_state=0).fit(X, y)
    assert all(np.array_equal(s, np.arange(len(X))) for s in e.estimators_samples_)
