"""DecisionTreeClassifier and DecisionTreeRegressor, grown in C
(csrc/core/tree/tree.c): scikit-learn 1.9.1's CART with its parameters,
criteria, stopping rules, node numbering and thresholds."""

import numbers
import warnings
from math import ceil

import numpy as np
import scipy.sparse as sp
from sklearn.base import (BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin,
                          _fit_context)
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._engine import fit_core
from ._tree import Tree

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_float32_range(X):
    """The trees read X as float32: values beyond its range would become inf,
    which scikit-learn rejects after its cast.  fmax/fmin reduce without a copy
    and skip NaN.  A sparse X: its stored values."""
    if sp.issparse(X):
        X = X.data
    if X.dtype == np.float64 and X.size:
        hi, lo = np.fmax.reduce(X, axis=None), np.fmin.reduce(X, axis=None)
        if hi > _FLOAT32_MAX or lo < -_FLOAT32_MAX:
            raise ValueError("Input X contains infinity or a value too large for "
                             "dtype('float32').")


def resolve_growth(est, n_samples, n_features, sample_weight):
    """scikit-learn's resolution of the fractional parameters: the C parameters."""
    if isinstance(est.min_samples_leaf, numbers.Integral):
        min_samples_leaf = est.min_samples_leaf
    else:
        min_samples_leaf = ceil(est.min_samples_leaf * n_samples)
    if isinstance(est.min_samples_split, numbers.Integral):
        min_samples_split = est.min_samples_split
    else:
        min_samples_split = max(2, ceil(est.min_samples_split * n_samples))
    min_samples_split = max(min_samples_split, 2 * min_samples_leaf)
    if isinstance(est.max_features, str):
        if est.max_features == "sqrt":
            max_features = max(1, int(np.sqrt(n_features)))
        else:
            max_features = max(1, int(np.log2(n_features)))
    elif est.max_features is None:
        max_features = n_features
    elif isinstance(est.max_features, numbers.Integral):
        max_features = est.max_features
    else:
        max_features = max(1, int(est.max_features * n_features))
    if not 0 < max_features <= n_features:
        raise ValueError("max_features must be in (0, n_features]")
    total = n_samples if sample_weight is None else float(np.sum(sample_weight))
    max_bins = 0 if est.max_bins is None else int(est.max_bins)
    params = {
        "criterion": "log_loss" if est.criterion == "log_loss" else est.criterion,
        "splitter": getattr(est, "splitter", getattr(est, "_splitter", "best")),
        "max_depth": -1 if est.max_depth is None else int(est.max_depth),
        "min_samples_split": int(min_samples_split),
        "min_samples_leaf": int(min_samples_leaf),
        "max_features": int(max_features),
        "max_leaf_nodes": -1 if est.max_leaf_nodes is None else int(est.max_leaf_nodes),
        "max_bins": max_bins,
        "min_weight_leaf": float(est.min_weight_fraction_leaf * total),
        "min_impurity_decrease": float(est.min_impurity_decrease),
    }
    return params, max_features


def encode_targets(est, y, is_classifier):
    """y as C takes it (float64 (n_samples, n_outputs), class codes for a
    classifier) and, for a classifier, classes_ and n_classes_ per output."""
    y = np.atleast_1d(y)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if not is_classifier:
        return np.ascontiguousarray(y, dtype=np.float64), None, None
    check_classification_targets(y)
    classes, codes = [], np.zeros(y.shape, dtype=np.float64)
    for k in range(y.shape[1]):
        classes_k, codes[:, k] = np.unique(y[:, k], return_inverse=True)
        classes.append(classes_k)
    return codes, classes, np.array([len(c) for c in classes], dtype=np.intp)


def monotonic_param(est, n_features, n_outputs, n_classes, is_classifier):
    """scikit-learn's checks of monotonic_cst; the int64 array C takes (signs
    flipped for a classifier: C constrains the class-0 fraction), or None."""
    if est.monotonic_cst is None:
        return None
    if n_outputs > 1:
        raise ValueError("Monotonicity constraints are not supported with multiple outputs.")
    cst = np.asarray(est.monotonic_cst)
    if cst.shape[0] != n_features:
        raise ValueError("monotonic_cst has shape {} but the input data X has {} features."
                         .format(cst.shape[0], n_features))
    if not np.all(np.isin(cst, (-1, 0, 1))):
        raise ValueError("monotonic_cst must be None or an array-like of -1, 0 or 1, but"
                         f" got {np.unique(cst)}")
    cst = cst.astype(np.int64)
    if is_classifier:
        if n_classes[0] > 2:
            raise ValueError("Monotonicity constraints are not supported with multiclass "
                             "classification")
        cst = -cst
    return np.ascontiguousarray(cst)


def check_sparse_structure(X):
    """ValueError for a sparse X whose index arrays are out of range (indptr not
    increasing from 0 to nnz, indices beyond the shape): checked before
    scipy converts or sorts it, which would read or write out of bounds.  The C
    core checks again what reaches it."""
    fmt = X.format
    if fmt in ("csr", "csc"):
        major, minor = X.shape if fmt == "csr" else X.shape[::-1]
        ptr, ind = np.asarray(X.indptr), np.asarray(X.indices)
        if ptr.ndim != 1 or ptr.shape[0] != major + 1 or ind.ndim != 1 or \
                ind.shape[0] != np.asarray(X.data).shape[0]:
            raise ValueError(f"X: the {fmt.upper()} arrays have inconsistent lengths")
        if ptr[0] != 0 or ptr[-1] != ind.shape[0] or np.any(ptr[1:] < ptr[:-1]):
            raise ValueError("X.indptr must increase from 0 to the number of stored values")
        if ind.size and (ind.min() < 0 or ind.max() >= minor):
            raise ValueError(f"X.indices holds values outside [0, {minor})")
    elif fmt == "coo":
        for name, idx, size in (("row", X.row, X.shape[0]), ("col", X.col, X.shape[1])):
            if idx.size and (idx.min() < 0 or idx.max() >= size):
                raise ValueError(f"X.{name} holds values outside [0, {size})")


def validate_tree_X(est, X, y="no_validation", reset=True, accept_sparse="csc"):
    """validate_data for the trees: float32/float64 X in any layout (never
    copied), NaN allowed in a dense X only (as scikit-learn); a sparse X
    converted to `accept_sparse` ("csc" to fit, "csr" to predict; scikit-learn's
    conversions), int32 or int64 indices."""
    if sp.issparse(X):
        check_sparse_structure(X)
    finite = True if sp.issparse(X) else "allow-nan"
    kw = dict(dtype=(np.float64, np.float32), accept_sparse=accept_sparse,
              ensure_all_finite=finite)
    if isinstance(y, str) and y == "no_validation":  # predict: X alone
        X = validate_data(est, X, reset=reset, **kw)
    else:
        X, y = validate_data(est, X, y, validate_separately=(kw, dict(ensure_2d=False,
                                                                       dtype=None)))
    check_float32_range(X)
    return X, y


def csc_for_core(X):
    """A CSC X as the C trees take it (pmc_tree_params.sparse_csc): its arrays as
    the CSR form of its transpose, no copy.  Row indices must increase strictly
    within a column, so a non-canonical X (unsorted or duplicate entries) is
    canonicalised on a copy first."""
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return ("csr", X.data, X.indices, X.indptr, X.shape[1], X.shape[0])


def check_y_finite(y):
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("Input y contains NaN or infinity.")



def log_of_proba(proba):
    """predict_log_proba from predict_proba: an array, or a list per output."""
    return [np.log(p) for p in proba] if isinstance(proba, list) else np.log(proba)


def labels_of_proba(classes, proba):
    """predict from predict_proba: the most probable class of each sample, per
    output for multi-output y (proba a list, classes a list of arrays)."""
    if not isinstance(proba, list):
        return classes.take(np.argmax(proba, axis=1), axis=0)
    out = np.empty((proba[0].shape[0], len(proba)), dtype=classes[0].dtype)
    for k, p in enumerate(proba):
        out[:, k] = classes[k].take(np.argmax(p, axis=1), axis=0)
    return out


class _BaseTree(MultiOutputMixin, BaseEstimator):
    _parameter_constraints = {
        "splitter": [StrOptions({"best", "random"})],
        "max_depth": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "min_samples_split": [Interval(numbers.Integral, 2, None, closed="left"),
                              Interval(RealNotInt, 0.0, 1.0, closed="right")],
        "min_samples_leaf": [Interval(numbers.Integral, 1, None, closed="left"),
                             Interval(RealNotInt, 0.0, 1.0, closed="neither")],
        "min_weight_fraction_leaf": [Interval(numbers.Real, 0.0, 0.5, closed="both")],
        "max_features": [Interval(numbers.Integral, 1, None, closed="left"),
                         Interval(RealNotInt, 0.0, 1.0, closed="right"),
                         StrOptions({"sqrt", "log2"}), None],
        "random_state": ["random_state"],
        "max_leaf_nodes": [Interval(numbers.Integral, 2, None, closed="left"), None],
        "min_impurity_decrease": [Interval(numbers.Real, 0.0, None, closed="left")],
        "ccp_alpha": [Interval(numbers.Real, 0.0, None, closed="left")],
        "max_bins": [Interval(numbers.Integral, 2, 255, closed="both"), None],
        "monotonic_cst": ["array-like", None],
    }

    def _fit(self, X, y, sample_weight, is_classifier):
        X, y = validate_tree_X(self, X, y)
        check_y_finite(np.asarray(y))
        n_samples, n_features = X.shape
        if not is_classifier and self.criterion == "poisson":
            if np.any(y < 0):
                raise ValueError("Some value(s) of y are negative which is"
                                 " not allowed for Poisson regression.")
            if np.sum(y) <= 0:
                raise ValueError("Sum of y is not positive which is "
                                 "necessary for Poisson regression.")
        y_orig = np.atleast_1d(y)
        codes, classes, n_classes = encode_targets(self, y, is_classifier)
        self.n_outputs_ = codes.shape[1]
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if is_classifier and self.class_weight is not None:
            expanded = compute_sample_weight(self.class_weight, y_orig)
            sample_weight = expanded if sample_weight is None else sample_weight * expanded
        params, self.max_features_ = resolve_growth(self, n_samples, n_features, sample_weight)
        params["n_classes"] = (np.asarray(n_classes, dtype=np.int64) if is_classifier
                               else None)
        params["monotonic_cst"] = monotonic_param(self, n_features, self.n_outputs_, n_classes,
                                                  is_classifier)
        params["sparse_csc"] = sp.issparse(X)
        state = fit_core("DecisionTree", params, csc_for_core(X) if sp.issparse(X) else X,
                         codes, sample_weight, n_jobs=1, random_state=self.random_state)
        tree_classes = n_classes if is_classifier else np.ones(self.n_outputs_, dtype=np.intp)
        self.tree_ = Tree(n_features, tree_classes, self.n_outputs_, state)
        if is_classifier:
            if self.n_outputs_ == 1:
                self.classes_, self.n_classes_ = classes[0], int(n_classes[0])
            else:
                self.classes_, self.n_classes_ = classes, n_classes
        if self.ccp_alpha > 0.0:
            from ._prune import prune_tree
            self.tree_ = prune_tree(self.tree_, self.ccp_alpha)
        return self

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate_tree_X(self, X, reset=False, accept_sparse="csr")[0]

    def get_depth(self):
        """Depth of the tree (a single leaf has depth 0)."""
        check_is_fitted(self)
        return self.tree_.max_depth

    def get_n_leaves(self):
        check_is_fitted(self)
        return self.tree_.n_leaves

    def apply(self, X, check_input=True):
        """Index of the leaf each sample ends up in."""
        return self.tree_.apply(self._validate_X_predict(X))

    def decision_path(self, X, check_input=True):
        """CSR indicator matrix (n_samples, n_nodes) of the nodes each sample visits."""
        return self.tree_.decision_path(self._validate_X_predict(X))

    @property
    def feature_importances_(self):
        """Normalised total impurity decrease brought by each feature."""
        check_is_fitted(self)
        return self.tree_.compute_feature_importances()

    def cost_complexity_pruning_path(self, X, y, sample_weight=None):
        """Effective alphas and total leaf impurities of minimal cost-complexity
        pruning (scikit-learn's), from a tree grown with ccp_alpha=0."""
        from sklearn.base import clone
        from sklearn.utils import Bunch

        from ._prune import pruning_path

        est = clone(self).set_params(ccp_alpha=0.0)
        est.fit(X, y, sample_weight=sample_weight)
        alphas, impurities = pruning_path(est.tree_)
        return Bunch(ccp_alphas=alphas, impurities=impurities)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags


_TREE_DOC = """
    Differences from scikit-learn: ``max_bins`` (an int in [2, 255]) grows the
    tree on binned features (quantile thresholds, per-bin statistics, no
    sorting) instead of exact thresholds.  X is read as float32 as scikit-learn
    does, without copying it; a sparse X (CSC to fit, CSR to predict, other
    formats converted as scikit-learn does) is read through its arrays, never
    densified, and may have int64 indices.
"""


class DecisionTreeClassifier(ClassifierMixin, _BaseTree):
    __doc__ = """A decision tree classifier: scikit-learn 1.9.1's
    ``DecisionTreeClassifier`` (same parameters, defaults, validation, node
    numbering, thresholds and ``tree_`` arrays), grown in C.""" + _TREE_DOC

    _parameter_constraints = {
        **_BaseTree._parameter_constraints,
        "criterion": [StrOptions({"gini", "entropy", "log_loss"})],
        "class_weight": [dict, list, StrOptions({"balanced"}), None],
    }

    def __init__(self, *, criterion="gini", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=None, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, class_weight=None, ccp_alpha=0.0,
                 monotonic_cst=None, max_bins=None):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Build a decision tree classifier from (X, y)."""
        return self._fit(X, y, sample_weight, True)

    def predict_proba(self, X, check_input=True):
        """Class probabilities: the class fractions of each sample's leaf; a list
        of arrays (one per output) for multi-output y."""
        X = self._validate_X_predict(X)
        proba = self.tree_.predict(X)
        if self.n_outputs_ == 1:
            return proba[:, 0, :self.n_classes_]
        return [proba[:, k, :self.n_classes_[k]] for k in range(self.n_outputs_)]

    def predict_log_proba(self, X):
        return log_of_proba(self.predict_proba(X))

    def predict(self, X, check_input=True):
        proba = self.predict_proba(X)  # checks that the model is fitted first
        return labels_of_proba(self.classes_, proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class DecisionTreeRegressor(RegressorMixin, _BaseTree):
    __doc__ = """A decision tree regressor: scikit-learn 1.9.1's
    ``DecisionTreeRegressor``, grown in C.  ``criterion='friedman_mse'`` maps
    to 'squared_error' with scikit-learn's FutureWarning.
    ``criterion='absolute_error'``: leaf values are weighted medians, splits
    minimise the summed absolute deviations exactly (each candidate ordering swept
    through a Fenwick tree over the node's y ranks, O(n log n) per feature and
    node, as scikit-learn 1.9); also with ``splitter='random'`` and
    ``max_bins`` (the rows ordered by bin).""" + _TREE_DOC

    _parameter_constraints = {
        **_BaseTree._parameter_constraints,
        "criterion": [StrOptions({"squared_error", "poisson", "absolute_error"})],
    }

    def __init__(self, *, criterion="squared_error", splitter="best", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=None, random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, ccp_alpha=0.0, monotonic_cst=None, max_bins=None):
        if isinstance(criterion, str) and criterion == "friedman_mse":
            criterion = "squared_error"
            warnings.warn('Value `"friedman_mse"` for `criterion` is deprecated and will be '
                          'removed in 1.11. It maps to `"squared_error"` as both '
                          'were always equivalent. Use `criterion="squared_error"` '
                          "to remove this warning.", FutureWarning)
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha
        self.monotonic_cst = monotonic_cst
        self.max_bins = max_bins

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Build a decision tree regressor from (X, y)."""
        return self._fit(X, y, sample_weight, False)

    def predict(self, X, check_input=True):
        X = self._validate_X_predict(X)
        value = self.tree_.predict(X)
        if self.n_outputs_ == 1:
            return value[:, 0, 0]
        return value[:, :, 0]


class ExtraTreeClassifier(DecisionTreeClassifier):
    __doc__ = """An extremely randomized tree classifier: scikit-learn 1.9.1's
    ``ExtraTreeClassifier``, i.e. a :class:`DecisionTreeClassifier` whose
    defaults draw one random threshold per candidate feature
    (``splitter='random'``) among ``max_features='sqrt'`` features.  Meant as a
    member of an ensemble (:class:`pymlcore.ensemble.ExtraTreesClassifier`).""" + _TREE_DOC

    def __init__(self, *, criterion="gini", splitter="random", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", random_state=None, max_leaf_nodes=None,
                 min_impurity_decrease=0.0, class_weight=None, ccp_alpha=0.0,
                 monotonic_cst=None, max_bins=None):
        super().__init__(
            criterion=criterion, splitter=splitter, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            random_state=random_state, max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease, class_weight=class_weight,
            ccp_alpha=ccp_alpha, monotonic_cst=monotonic_cst, max_bins=max_bins)


class ExtraTreeRegressor(DecisionTreeRegressor):
    __doc__ = """An extremely randomized tree regressor: scikit-learn 1.9.1's
    ``ExtraTreeRegressor``, i.e. a :class:`DecisionTreeRegressor` whose defaults
    draw one random threshold per feature (``splitter='random'``,
    ``max_features=1.0``).  Meant as a member of an ensemble
    (:class:`pymlcore.ensemble.ExtraTreesRegressor`).""" + _TREE_DOC

    def __init__(self, *, criterion="squared_error", splitter="random", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, random_state=None, min_impurity_decrease=0.0,
                 max_leaf_nodes=None, ccp_alpha=0.0, monotonic_cst=None, max_bins=None):
        super().__init__(
            criterion=criterion, splitter=splitter, max_depth=max_depth,
            min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf, max_features=max_features,
            random_state=random_state, max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease, ccp_alpha=ccp_alpha,
            monotonic_cst=monotonic_cst, max_bins=max_bins)
