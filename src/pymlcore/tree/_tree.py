"""The fitted tree: scikit-learn's ``tree_`` arrays, kept as NumPy arrays, with
prediction, ``apply`` and ``decision_path`` run in C (csrc/core/tree/tree.c)."""

import numpy as np
import scipy.sparse as sp

from .._engine import apply_core

TREE_LEAF = -1
TREE_UNDEFINED = -2

_ARRAYS = ("children_left", "children_right", "feature", "threshold", "impurity",
           "n_node_samples", "weighted_n_node_samples", "missing_go_to_left", "value")


class Tree:
    """scikit-learn's ``Tree`` as flat arrays (``children_left``,
    ``children_right``, ``feature``, ``threshold``, ``impurity``,
    ``n_node_samples``, ``weighted_n_node_samples``, ``missing_go_to_left``,
    ``value`` of shape (node_count, n_outputs, max_n_classes)).  Pickling stores
    the arrays only; unpickling checks them in C (children after their node,
    features in range, consistent shapes) and raises ValueError otherwise.

    A tree taken from a forest (``estimators_``) has all of these, rebuilt
    from the forest's compact storage (float32 leaf values, impurities and
    weights; see ensemble/_forest.py)."""

    def __init__(self, n_features, n_classes, n_outputs, arrays):
        self.n_features = int(n_features)
        self.n_classes = np.asarray(n_classes, dtype=np.intp)
        self.n_outputs = int(n_outputs)
        self.max_n_classes = int(self.n_classes.max())
        for name in _ARRAYS:
            setattr(self, name, arrays.get(name))
        self.value = np.asarray(self.value, dtype=np.float64).reshape(
            len(self.children_left), self.n_outputs, self.max_n_classes)
        self._finish()

    def _finish(self):
        n = len(self.children_left)
        self.node_count = self.capacity = n
        self.n_leaves = int(np.sum(self.children_left == TREE_LEAF))
        depth = np.zeros(n, dtype=np.int64)
        inner = np.flatnonzero(self.children_left != TREE_LEAF)
        for k in inner:  # children come after their node
            depth[self.children_left[k]] = depth[self.children_right[k]] = depth[k] + 1
        self.max_depth = int(depth.max()) if n else 0

    # ---- C state --------------------------------------------------------------

    def _state(self):
        return {
            "children_left": np.asarray(self.children_left),
            "children_right": np.asarray(self.children_right),
            "feature": np.asarray(self.feature),
            "threshold": np.asarray(self.threshold, dtype=np.float64),
            "missing_go_to_left": np.asarray(self.missing_go_to_left, dtype=np.int64),
            "value": np.nan_to_num(np.asarray(self.value).reshape(len(self.children_left), -1)),
            "n_features": np.array([self.n_features], dtype=np.int64),
        }

    def _check(self):
        """Every index checked in C, by importing the arrays."""
        apply_core("DecisionTree", "transform", self._state(),
                   np.empty((0, self.n_features), dtype=np.float32))

    def __getstate__(self):
        state = {name: getattr(self, name) for name in _ARRAYS}
        state.update(n_features=self.n_features, n_classes=self.n_classes,
                     n_outputs=self.n_outputs)
        return state

    def __setstate__(self, state):
        try:
            arrays = {name: state[name] for name in _ARRAYS}
            n_features, n_classes, n_outputs = (state["n_features"], state["n_classes"],
                                                state["n_outputs"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"invalid Tree state: {exc!r}") from None
        for name in ("children_left", "children_right", "feature", "missing_go_to_left"):
            a = np.asarray(arrays[name])
            if a.ndim != 1 or a.dtype.kind not in "iub":
                raise ValueError(f"Tree.{name} must be a 1-D integer array")
        self.n_features = int(n_features)
        self.n_classes = np.asarray(n_classes, dtype=np.intp)
        self.n_outputs = int(n_outputs)
        self.max_n_classes = int(self.n_classes.max())
        n = len(arrays["children_left"])
        value = np.asarray(arrays["value"], dtype=np.float64)
        if value.size != n * self.n_outputs * self.max_n_classes:
            raise ValueError("Tree.value does not have node_count x n_outputs x "
                             "max_n_classes entries")
        for name in _ARRAYS:
            setattr(self, name, arrays[name])
        self.value = value.reshape(n, self.n_outputs, self.max_n_classes)
        self._check()
        self._finish()

    # ---- prediction --------------------------------------------------------------

    def predict(self, X):
        """Value of the leaf of every row: (n_samples, n_outputs, max_n_classes)."""
        out = apply_core("DecisionTree", "predict_proba", self._state(), X, n_jobs=None)
        return out.reshape(X.shape[0], self.n_outputs, self.max_n_classes)

    def apply(self, X):
        """Leaf (node id) of every row."""
        return apply_core("DecisionTree", "transform", self._state(), X,
                          n_jobs=None).astype(np.int64)

    def decision_path(self, X):
        return _decision_path(self.children_left, self.children_right,
                              self.apply(X)[:, None], np.array([0, self.node_count]))

    def compute_feature_importances(self, normalize=True):
        left, right = np.asarray(self.children_left), np.asarray(self.children_right)
        inner = np.flatnonzero(left != TREE_LEAF)
        w, imp = self.weighted_n_node_samples, self.impurity
        gain = (w[inner] * imp[inner] - w[left[inner]] * imp[left[inner]]
                - w[right[inner]] * imp[right[inner]])
        importances = np.bincount(np.asarray(self.feature)[inner], weights=gain,
                                  minlength=self.n_features).astype(np.float64)
        importances /= w[0]
        if normalize and importances.sum() > 0.0:
            importances /= importances.sum()
        return importances


def _decision_path(left, right, leaves, offsets):
    """CSR indicator of the nodes on every row's path, for trees whose nodes are
    numbered after their parents; leaves (n_samples, n_trees) holds local leaf
    ids, offsets[t] the first column of tree t (scikit-learn's layout)."""
    n_samples, n_trees = leaves.shape
    left, right = np.asarray(left), np.asarray(right)
    rows, cols = [], []
    for t in range(n_trees):
        lo, hi = offsets[t], offsets[t + 1]
        parent = np.full(hi - lo, -1, dtype=np.int64)
        l, r = left[lo:hi], right[lo:hi]
        inner = np.flatnonzero(l != TREE_LEAF)
        parent[l[inner]] = inner
        parent[r[inner]] = inner
        node = leaves[:, t].astype(np.int64)
        row = np.arange(n_samples)
        while row.size:
            rows.append(row)
            cols.append(node + lo)
            node = parent[node]
            keep = node >= 0
            row, node = row[keep], node[keep]
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n_samples + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_samples), out=indptr[1:])
    return sp.csr_matrix((np.ones(len(rows), dtype=np.int64), cols[order], indptr),
                         shape=(n_samples, offsets[-1]))
