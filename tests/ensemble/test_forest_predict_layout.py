"""Tree and forest prediction (csrc/core/tree/tree.c) runs on its own node
layout: 16-byte nodes, siblings adjacent, several rows traversed together, and
a depth-first copy of the nodes for batches with more rows than a tree has
nodes.  Every output must equal, exactly, what scikit-learn's own Tree computes
on the same fitted arrays: the leaf of every row in every tree, and the leaf
values added tree by tree in tree order, then times 1 / n_trees (the order the
C code adds them in), whatever the batch size, X's dtype and layout, CSR or
dense, and n_jobs."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.tree._tree import NODE_DTYPE
from sklearn.tree._tree import Tree as SkTree

from pymlcore.ensemble import ExtraTreesRegressor, RandomForestClassifier
from pymlcore.tree import DecisionTreeClassifier, DecisionTreeRegressor


def sk_tree(tree):
    """scikit-learn's Tree holding our tree_'s arrays (its own C traversal)."""
    n = tree.node_count
    nodes = np.zeros(n, dtype=NODE_DTYPE)
    for field, name in [("left_child", "children_left"), ("right_child", "children_right"),
                        ("feature", "feature"), ("threshold", "threshold"),
                        ("impurity", "impurity"), ("n_node_samples", "n_node_samples"),
                        ("weighted_n_node_samples", "weighted_n_node_samples"),
                        ("missing_go_to_left", "missing_go_to_left")]:
        nodes[field] = getattr(tree, name)
    out = SkTree(tree.n_features, np.asarray(tree.n_classes, dtype=np.intp), tree.n_outputs)
    out.__setstate__({"max_depth": tree.max_depth, "node_count": n, "nodes": nodes,
                      "values": np.ascontiguousarray(tree.value, dtype=np.float64)})
    return out


def reference(trees, X):
    """(leaves, mean value) of scikit-learn's Trees: values summed in tree order."""
    X32 = X.astype(np.float32).tocsr() if sp.issparse(X) else np.ascontiguousarray(X, np.float32)
    leaves = np.stack([t.apply(X32) for t in trees], axis=1)
    acc = np.zeros((X.shape[0],) + trees[0].value.shape[1:])
    for k, t in enumerate(trees):
        acc += t.value[leaves[:, k]]
    return leaves, acc * (1.0 / len(trees))


def layouts(X):
    """X as float64 C, float32 Fortran, a strided view, and CSR float64/float32."""
    yield "c64", X
    yield "f32", np.asfortranarray(X.astype(np.float32))
    yield "strided", np.repeat(X, 2, axis=0)[::2]
    # sparse enough for CSR to mean something; sparse X may not hold NaN
    Xz = np.where(np.isnan(X) | (np.abs(X) < 0.7), 0.0, X)
    yield "csr64", sp.csr_matrix(Xz)
    yield "csr32", sp.csr_matrix(Xz.astype(np.float32))


def data(kind):
    if kind == "clf":
        X, y = make_classification(n_samples=1200, n_features=10, n_informative=6, n_classes=3,
                                   random_state=0)
    else:
        X, y = make_regression(n_samples=1200, n_features=10, noise=5.0, random_state=0)
    X[np.random.RandomState(1).rand(*X.shape) < 0.03] = np.nan  # missing values routed too
    return X, y


@pytest.mark.parametrize("make, kind", [
    (lambda: RandomForestClassifier(n_estimators=12, random_state=0), "clf"),
    (lambda: ExtraTreesRegressor(n_estimators=8, max_depth=9, random_state=0), "reg"),
])
def test_forest_outputs_equal_sklearn_trees_on_the_same_arrays(make, kind):
    X, y = data(kind)
    Xfit = np.nan_to_num(X) if kind == "reg" else X  # extra trees: X without NaN
    forest = make().fit(Xfit, y)
    trees = [sk_tree(e.tree_) for e in forest.estimators_]
    for name, V in layouts(Xfit):
        # 3 rows: the breadth-first nodes; all rows: the depth-first copy
        for rows in (slice(0, 3), slice(None)):
            Vr = V[rows]
            leaves, mean = reference(trees, Vr)
            for n_jobs in (1, 2):
                forest.set_params(n_jobs=n_jobs)
                np.testing.assert_array_equal(forest.apply(Vr), leaves, err_msg=name)
                if kind == "clf":
                    np.testing.assert_array_equal(forest.predict_proba(Vr), mean[:, 0, :],
                                                  err_msg=name)
                else:
                    np.testing.assert_array_equal(forest.predict(Vr), mean[:, 0, 0],
                                                  err_msg=name)
                indicator, ptr = forest.decision_path(Vr)
                for k, t in enumerate(trees):
                    X32 = (Vr.astype(np.float32).tocsr() if sp.issparse(Vr)
                           else np.ascontiguousarray(Vr, np.float32))
                    assert (indicator[:, ptr[k]:ptr[k + 1]] != t.decision_path(X32)).nnz == 0


@pytest.mark.parametrize("Est, kind", [(DecisionTreeClassifier, "clf"),
                                       (DecisionTreeRegressor, "reg")])
def test_tree_outputs_equal_sklearn_tree_on_the_same_arrays(Est, kind):
    # the tree_ arrays are numbered depth first (scikit-learn's); prediction
    # renumbers them, and apply must still give scikit-learn's node ids
    X, y = data(kind)
    est = Est(random_state=0, max_features=0.7).fit(X, y)
    ref = sk_tree(est.tree_)
    for name, V in layouts(X):
        for rows in (slice(0, 3), slice(None)):
            Vr = V[rows]
            leaves, value = reference([ref], Vr)
            np.testing.assert_array_equal(est.apply(Vr), leaves[:, 0], err_msg=name)
            got = est.predict_proba(Vr) if kind == "clf" else est.predict(Vr)
            want = value[:, 0, :] if kind == "clf" else value[:, 0, 0]
            np.testing.assert_array_equal(got, want, err_msg=name)


def test_tree_with_an_unreachable_node_predicts_as_without_it():
    # import accepts a node no split leads to (each node has at most one
    # parent); prediction leaves it out and must route rows as scikit-learn does
    X, y = data("clf")
    est = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    t = est.tree_
    state = t.__getstate__()
    extra = {name: np.append(state[name], state[name][-1:], axis=0)
             for name in ("children_left", "children_right", "feature", "threshold",
                          "impurity", "n_node_samples", "weighted_n_node_samples",
                          "missing_go_to_left", "value")}
    extra["children_left"][-1] = extra["children_right"][-1] = -1
    state.update(extra)
    crafted = object.__new__(type(t))
    crafted.__setstate__(state)
    np.testing.assert_array_equal(crafted.apply(X), t.apply(X))
    np.testing.assert_array_equal(crafted.predict(X), t.predict(X))
