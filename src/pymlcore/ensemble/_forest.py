"""Random forests and extra trees, grown in C (csrc/core/tree/tree.c): all
trees of a fit in one call, in parallel over trees, stored compactly."""

import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin
from sklearn.base import _fit_context
from sklearn.ensemble._bootstrap import _get_n_samples_bootstrap
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._engine import apply_core, fit_core, seed_from_random_state
from ..tree import DecisionTreeClassifier, DecisionTreeRegressor
from ..tree._classes import (_BaseTree, check_float32_range, check_sparse_structure,
                             check_y_finite, csc_for_core, encode_targets, labels_of_proba,
                             log_of_proba, monotonic_param, resolve_growth, validate_tree_X)
from ..tree._tree import TREE_LEAF, TREE_UNDEFINED, Tree, _decision_path

_COMPACT = ("tree_start", "child", "feature", "threshold", "leaf_value", "leaf_impurity")


class _LazyTrees:
    """``estimators_``: the forest's trees as DecisionTree objects, each made
    from the compact arrays when first indexed."""

    def __init__(self, forest):
        self._forest = forest
        self._cache = {}

    def __len__(self):
        return len(self._forest._compact["tree_start"]) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError("tree index out of range")
        i %= n
        if i not in self._cache:
            self._cache[i] = self._forest._make_tree(i)
        return self._cache[i]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class _BaseForest(MultiOutputMixin, BaseEstimator):
    _parameter_constraints = {
        **{k: v for k, v in _BaseTree._parameter_constraints.items()
           if k != "splitter"},
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "bootstrap": ["boolean"],
        "oob_score": ["boolean", callable],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "max_samples": [None, Interval(RealNotInt, 0.0, None, closed="neither"),
                        Interval(numbers.Integral, 1, None, closed="left")],
    }
    _splitter = "best"
    _tree_class = None

    # ---- fit --------------------------------------------------------------------

    def _fit_forest(self, X, y, sample_weight, is_classifier):
        if sp.issparse(X):  # before scipy converts it
            check_sparse_structure(X)
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32),
                             accept_sparse="csc",
                             ensure_all_finite=True if sp.issparse(X) else "allow-nan",
                             reset=not (self.warm_start and hasattr(self, "_compact")))
        check_float32_range(X)
        check_y_finite(np.asarray(y))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        y = np.atleast_1d(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please "
                          "change the shape of y to (n_samples,), for example using ravel().",
                          DataConversionWarning, stacklevel=3)
        if not is_classifier and self.criterion == "poisson":
            if np.any(y < 0):
                raise ValueError("Some value(s) of y are negative which is "
                                 "not allowed for Poisson regression.")
            if np.sum(y) <= 0:
                raise ValueError("Sum of y is not strictly positive which "
                                 "is necessary for Poisson regression.")
        codes, classes, n_classes = encode_targets(self, y, is_classifier)
        n_samples, n_features = X.shape
        self.n_outputs_ = codes.shape[1]
        balanced_subsample = False
        if is_classifier and self.class_weight is not None:
            if self.class_weight == "balanced_subsample" and self.bootstrap:
                balanced_subsample = True
            else:
                cw = "balanced" if self.class_weight == "balanced_subsample" else self.class_weight
                expanded = compute_sample_weight(cw, y)
                sample_weight = expanded if sample_weight is None else sample_weight * expanded
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("`max_sample` cannot be set if `bootstrap=False`. Either switch to "
                             "`bootstrap=True` or set `max_sample=None`.")
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        n_draws = (_get_n_samples_bootstrap(n_samples, self.max_samples, sample_weight)
                   if self.bootstrap else n_samples)

        previous = self._compact if self.warm_start and hasattr(self, "_compact") else None
        n_before = 0 if previous is None else len(previous["tree_start"]) - 1
        n_more = self.n_estimators - n_before
        if n_more < 0:
            raise ValueError("n_estimators=%d must be larger or equal to len(estimators_)=%d "
                             "when warm_start==True" % (self.n_estimators, n_before))
        if previous is None:
            self._seed = seed_from_random_state(self.random_state)
            self._oob = None
        if n_more == 0:
            warnings.warn("Warm-start fitting without increasing n_estimators does not fit "
                          "new trees.")
            return self

        params, self.max_features_ = resolve_growth(self, n_samples, n_features, sample_weight)
        # a bootstrap draws rows by sample_weight; the trees see the counts only
        tree_weight = None if self.bootstrap else sample_weight
        params.update(splitter=self._splitter,
                      n_classes=np.asarray(n_classes, dtype=np.int64) if is_classifier else None,
                      n_estimators=n_more, max_samples=int(n_draws), first_tree=n_before,
                      bootstrap=bool(self.bootstrap), oob=bool(self.oob_score),
                      balanced_subsample=balanced_subsample, ccp_alpha=float(self.ccp_alpha),
                      draw_only=False, sparse_csc=sp.issparse(X),
                      monotonic_cst=monotonic_param(self, n_features, self.n_outputs_, n_classes,
                                                    is_classifier))
        if self.bootstrap:  # a tree's weights are its draw counts
            params["min_weight_leaf"] = float(self.min_weight_fraction_leaf * n_draws)
        weight_for_draws = sample_weight if self.bootstrap else tree_weight
        state = fit_core("Forest", params, csc_for_core(X) if sp.issparse(X) else X, codes,
                         weight_for_draws, n_jobs=self.n_jobs, random_state=self._seed)
        # what estimators_samples_ replays the draws from (as scikit-learn keeps)
        self._n_samples, self._draw_weight, self._draw_params = n_samples, weight_for_draws, \
            params
        new = {k: state[k] for k in _COMPACT}
        splits = int(np.sum(np.diff(new["tree_start"]) > 1))
        if previous is None:
            self._compact, self._importances, self._n_split_trees = new, \
                state["feature_importances"], splits
        else:
            self._compact = _concat(previous, new)
            total = self._n_split_trees + splits
            if total:
                self._importances = (self._importances * self._n_split_trees
                                     + state["feature_importances"] * splits) / total
            self._n_split_trees = total
        self._n_features = n_features
        self._tree_classes = (n_classes if is_classifier
                              else np.ones(self.n_outputs_, dtype=np.intp))
        if is_classifier:
            self.classes_, self.n_classes_ = ((classes[0], int(n_classes[0]))
                                              if self.n_outputs_ == 1 else (classes, n_classes))
        self._estimators = None
        if self.oob_score:
            oob_sum, oob_count = state["oob_sum"], state["oob_count"]
            if self._oob is not None and self._oob[0].shape == oob_sum.shape:
                oob_sum, oob_count = oob_sum + self._oob[0], oob_count + self._oob[1]
            # kept only where a warm start may add trees to the sums
            self._oob = (oob_sum, oob_count) if self.warm_start else None
            self._set_oob(codes, oob_sum, oob_count, is_classifier)
        return self

    def _set_oob(self, codes, oob_sum, oob_count, is_classifier):
        y_type = type_of_target(codes)
        if y_type == "unknown" or (is_classifier and y_type == "multiclass-multioutput"):
            raise ValueError(
                "The type of target cannot be used to compute OOB estimates. Got "
                f"{y_type} while only the following are supported: continuous, "
                "continuous-multioutput, binary, multiclass, multilabel-indicator.")
        n = len(codes)
        if (oob_count == 0).any():
            warnings.warn("Some inputs do not have OOB scores. This probably means too few "
                          "trees were used to compute any reliable OOB estimates.", UserWarning)
        count = np.maximum(oob_count, 1.0)
        k = int(np.max(self._tree_classes))
        pred = (oob_sum / count[:, None]).reshape(n, self.n_outputs_, k).transpose(0, 2, 1)
        scoring = self.oob_score if callable(self.oob_score) else None
        if is_classifier:
            pred = pred.squeeze(axis=-1) if pred.shape[-1] == 1 else pred
            self.oob_decision_function_ = pred
            scoring = scoring or accuracy_score
            y_true = codes[:, 0].astype(np.intp) if self.n_outputs_ == 1 else codes.astype(np.intp)
            self.oob_score_ = scoring(y_true, np.argmax(pred, axis=1))
        else:
            pred = pred.squeeze(axis=1)
            pred = pred.squeeze(axis=-1) if pred.shape[-1] == 1 else pred
            self.oob_prediction_ = pred
            y_true = codes[:, 0] if self.n_outputs_ == 1 else codes
            self.oob_score_ = (scoring or r2_score)(y_true, pred)

    # ---- prediction ---------------------------------------------------------------

    def _state(self):
        state = dict(self._compact)
        state["n_features"] = np.array([self._n_features], dtype=np.int64)
        return state

    def _validate_X_predict(self, X):
        check_is_fitted(self)
        return validate_tree_X(self, X, reset=False, accept_sparse="csr")[0]

    def _mean_value(self, X):
        X = self._validate_X_predict(X)
        out = apply_core("Forest", "predict_proba", self._state(), X, n_jobs=self.n_jobs)
        return out.reshape(X.shape[0], self.n_outputs_, -1)

    def apply(self, X):
        """Leaf of every tree (local node ids, as in ``estimators_[i].tree_``)."""
        X = self._validate_X_predict(X)
        return apply_core("Forest", "transform", self._state(), X,
                          n_jobs=self.n_jobs).astype(np.int64)

    def decision_path(self, X):
        """(indicator, n_nodes_ptr): CSR matrix of the nodes visited in every tree,
        the columns of tree i being n_nodes_ptr[i]:n_nodes_ptr[i + 1]."""
        leaves = self.apply(X)
        starts = self._compact["tree_start"]
        child = self._compact["child"].astype(np.int64)
        local_left = np.where(child >= 0, child, TREE_LEAF)
        local_right = np.where(child >= 0, child + 1, TREE_LEAF)
        return _decision_path(local_left, local_right, leaves, starts), starts.copy()

    @property
    def feature_importances_(self):
        """Mean over the trees of their normalised impurity decrease per feature."""
        check_is_fitted(self)
        imp = np.asarray(self._importances, dtype=np.float64)
        total = imp.sum()
        return imp / total if total > 0 else np.zeros_like(imp)

    @property
    def estimators_samples_(self):
        """The rows each tree was grown on: per tree, the int32 indices of its
        bootstrap draws (sorted, one entry per draw: scikit-learn lists them in
        draw order), or all rows without bootstrap.  Replayed from the seed in C
        on each access, not stored."""
        check_is_fitted(self, "_compact")
        n, T = self._n_samples, len(self)
        if not self.bootstrap:
            return [np.arange(n, dtype=np.int32) for _ in range(T)]
        rows = np.arange(n, dtype=np.int32)
        out = []
        step = max(1, 2**24 // n)  # trees per C call: bounded memory for the counts
        for first in range(0, T, step):
            params = dict(self._draw_params, n_estimators=min(step, T - first),
                          first_tree=first, draw_only=True, sparse_csc=False)
            counts = fit_core("Forest", params, np.zeros((n, 1), dtype=np.float32), None,
                              self._draw_weight, n_jobs=1,
                              random_state=self._seed)["draw_counts"]
            out += [np.repeat(rows, c) for c in counts]
        return out

    @property
    def estimators_(self):
        if not hasattr(self, "_compact"):
            raise AttributeError("estimators_ exists after fit")
        if self._estimators is None:
            self._estimators = _LazyTrees(self)
        return self._estimators

    def __len__(self):
        return len(self.estimators_)

    def __getitem__(self, i):
        return self.estimators_[i]

    def __iter__(self):
        return iter(self.estimators_)

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_estimators"] = None
        return state

    def _make_tree(self, i):
        """Tree i as a DecisionTree estimator (breadth-first node numbering), with
        scikit-learn's full tree_ arrays rebuilt from the compact ones."""
        c = self._compact
        lo, hi = int(c["tree_start"][i]), int(c["tree_start"][i + 1])
        child = c["child"][lo:hi].astype(np.int64)
        feat = c["feature"][lo:hi].astype(np.int64)
        inner = child >= 0
        leaf_lo = int(np.sum(c["child"][:lo] < 0))
        leaves = slice(leaf_lo, leaf_lo + int(np.sum(~inner)))
        arrays = {
            "children_left": np.where(inner, child, TREE_LEAF),
            "children_right": np.where(inner, child + 1, TREE_LEAF),
            "feature": np.where(inner, feat // 2, TREE_UNDEFINED),
            "threshold": np.where(inner, c["threshold"][lo:hi].astype(np.float64),
                                  float(TREE_UNDEFINED)),
            "missing_go_to_left": np.where(inner, feat & 1, 0).astype(np.uint8),
        }
        arrays.update(_node_stats(child, c["threshold"][lo:hi], c["leaf_value"][leaves],
                                  c["leaf_impurity"][leaves], self.criterion, self.n_outputs_,
                                  int(np.max(self._tree_classes)), hasattr(self, "classes_")))
        est = self._tree_class(**{name: getattr(self, name) for name in (
            "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
            "min_weight_fraction_leaf", "max_features", "max_leaf_nodes",
            "min_impurity_decrease", "max_bins", "monotonic_cst", "ccp_alpha")},
            splitter=self._splitter,
            random_state=int((self._seed + i) % (2**31)))
        est.tree_ = Tree(self._n_features, self._tree_classes, self.n_outputs_, arrays)
        est.n_outputs_ = self.n_outputs_
        est.n_features_in_ = self._n_features
        est.max_features_ = self.max_features_
        if hasattr(self, "feature_names_in_"):
            est.feature_names_in_ = self.feature_names_in_
        if hasattr(self, "classes_"):
            est.classes_, est.n_classes_ = self.classes_, self.n_classes_
        return est

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        return tags


def _concat(a, b):
    """Compact arrays of two forests, b's trees after a's."""
    out = {k: np.concatenate([a[k], b[k]]) for k in _COMPACT if k != "tree_start"}
    out["tree_start"] = np.concatenate([a["tree_start"], b["tree_start"][1:] + a["tree_start"][-1]])
    return out


def _node_stats(child, slot, leaf_value, leaf_impurity, criterion, n_outputs, k, is_classifier):
    """n_node_samples, weighted_n_node_samples, impurity and value of every node
    of one compact tree (tree.h): the leaves' are stored (counts in the child and
    threshold slots), an inner node's follow from its children's: counts add up,
    values are weighted means, and the impurity decomposes by criterion.  Nodes
    are numbered breadth first, so each depth is a contiguous range; the ranges
    are filled from the deepest up."""
    n = len(child)
    inner = child >= 0
    n_node = np.where(inner, 0, -child)
    weight = np.where(inner, 0.0, slot.astype(np.float64))
    impurity = np.zeros(n)
    impurity[~inner] = leaf_impurity
    value = np.zeros((n, n_outputs * k))
    value[~inner] = leaf_value
    levels, start, end = [], 0, 1
    while start < end:
        levels.append((start, end))
        start, end = end, end + 2 * int(np.sum(inner[start:end]))
    for start, end in reversed(levels):
        p = start + np.flatnonzero(inner[start:end])
        left, right = child[p], child[p] + 1
        wl, wr = weight[left, None], weight[right, None]
        n_node[p] = n_node[left] + n_node[right]
        w = weight[p] = wl[:, 0] + wr[:, 0]
        value[p] = (wl * value[left] + wr * value[right]) / w[:, None]
        if is_classifier:
            frac = value[p].reshape(len(p), n_outputs, k)
            if criterion == "gini":
                per_output = 1.0 - np.sum(frac * frac, axis=2)
            else:  # entropy, log_loss: bits
                per_output = -np.sum(frac * np.log2(np.where(frac > 0, frac, 1.0)), axis=2)
            impurity[p] = per_output.mean(axis=1)
        elif criterion == "poisson":
            # n_outputs * W * impurity = sum(w y log y) - W sum_o mu_o log mu_o
            def ylogy(node):
                mu = value[node]
                return np.sum(mu * np.log(np.where(mu > 0, mu, 1.0)), axis=1)
            total = (wl[:, 0] * (n_outputs * impurity[left] + ylogy(left))
                     + wr[:, 0] * (n_outputs * impurity[right] + ylogy(right)))
            impurity[p] = (total - w * ylogy(p)) / (w * n_outputs)
        else:  # squared_error, friedman_mse: within plus between variance
            gap = value[left] - value[right]
            impurity[p] = ((wl[:, 0] * impurity[left] + wr[:, 0] * impurity[right]) / w
                           + np.mean(gap * gap, axis=1) * wl[:, 0] * wr[:, 0] / (w * w))
    return {"n_node_samples": n_node, "weighted_n_node_samples": weight, "impurity": impurity,
            "value": value}


class _ForestClassifier(ClassifierMixin, _BaseForest):
    _parameter_constraints = {
        **_BaseForest._parameter_constraints,
        "criterion": [StrOptions({"gini", "entropy", "log_loss"})],
        "class_weight": [StrOptions({"balanced_subsample", "balanced"}), dict, list, None],
    }
    _tree_class = DecisionTreeClassifier

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build a forest of trees from the training set (X, y)."""
        return self._fit_forest(X, y, sample_weight, True)

    def predict_proba(self, X):
        """Mean over the trees of the class fractions of each sample's leaf."""
        value = self._mean_value(X)
        if self.n_outputs_ == 1:
            return value[:, 0, :self.n_classes_]
        return [value[:, k, :self.n_classes_[k]] for k in range(self.n_outputs_)]

    def predict_log_proba(self, X):
        return log_of_proba(self.predict_proba(X))

    def predict(self, X):
        proba = self.predict_proba(X)  # checks that the model is fitted first
        return labels_of_proba(self.classes_, proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class _ForestRegressor(RegressorMixin, _BaseForest):
    _parameter_constraints = {
        **_BaseForest._parameter_constraints,
        "criterion": [StrOptions({"squared_error", "poisson"})],
    }
    _tree_class = DecisionTreeRegressor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Build a forest of trees from the training set (X, y)."""
        return self._fit_forest(X, y, sample_weight, False)

    def predict(self, X):
        """Mean over the trees of each sample's leaf value."""
        value = self._mean_value(X)[:, :, 0]
        return value[:, 0] if self.n_outputs_ == 1 else value


_FOREST_DOC = """
    Drop-in for scikit-learn 1.9.1's class of the same name: same parameters,
    defaults and fitted attributes, plus ``max_bins`` (default 255): trees are
    grown on features binned once per fit into at most 255 quantile bins
    (histogram splitting, no sorting); ``max_bins=None`` grows them on exact
    sorted values as scikit-learn does.  All trees are grown in C in one call,
    in parallel over trees (``n_jobs``); tree i uses the random stream (seed,
    i), so the forest does not depend on ``n_jobs``.

    Storage: the trees' nodes live in a few flat arrays (int32 child and
    feature, float32 threshold rounded down so that ``x <= t`` is unchanged for
    the float32 X that trees read, float32 leaf values: class fractions or
    means, which gives predictions within ~1e-7 relative of float64 ones; per
    leaf its impurity, and its sample counts in slots a leaf does not use).
    ``estimators_`` builds DecisionTree objects from them on demand with full
    ``tree_`` arrays: an inner node's counts, value and impurity are rebuilt
    from its leaves' (exact up to float32 rounding; with ``monotonic_cst`` from
    the clipped leaf values).  ``ccp_alpha`` prunes every tree after growth in
    C (scikit-learn's minimal cost-complexity pruning).  ``estimators_samples_``
    replays the bootstrap draws from the seed.  Sparse X (scipy) is taken as
    scikit-learn does, without a dense copy: CSC to fit (the trees scan each
    feature's stored values; implicit zeros are values 0), CSR to predict (each
    row scattered into a float32 buffer); other formats are converted.
"""


def _init_forest(self, n_estimators, criterion, max_depth, min_samples_split,
                 min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
                 min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state, verbose,
                 warm_start, max_samples, max_bins, monotonic_cst, ccp_alpha):
    self.n_estimators = n_estimators
    self.criterion = criterion
    self.max_depth = max_depth
    self.min_samples_split = min_samples_split
    self.min_samples_leaf = min_samples_leaf
    self.min_weight_fraction_leaf = min_weight_fraction_leaf
    self.max_features = max_features
    self.max_leaf_nodes = max_leaf_nodes
    self.min_impurity_decrease = min_impurity_decrease
    self.bootstrap = bootstrap
    self.oob_score = oob_score
    self.n_jobs = n_jobs
    self.random_state = random_state
    self.verbose = verbose
    self.warm_start = warm_start
    self.max_samples = max_samples
    self.max_bins = max_bins
    self.monotonic_cst = monotonic_cst
    self.ccp_alpha = ccp_alpha


class RandomForestClassifier(_ForestClassifier):
    __doc__ = "A random forest classifier grown in C." + _FOREST_DOC

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, class_weight=None, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None,
                 max_bins=255):
        _init_forest(self, n_estimators, criterion, max_depth, min_samples_split,
                     min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
                     min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state,
                     verbose, warm_start, max_samples, max_bins, monotonic_cst, ccp_alpha)
        self.class_weight = class_weight


class ExtraTreesClassifier(_ForestClassifier):
    __doc__ = ("Extremely randomized trees (random thresholds), grown in C; with max_bins "
               "(default None here: random thresholds need no sort) a random bin boundary is "
               "drawn." + _FOREST_DOC)
    _splitter = "random"

    def __init__(self, n_estimators=100, *, criterion="gini", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features="sqrt", max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, class_weight=None, ccp_alpha=0.0, max_samples=None,
                 monotonic_cst=None,
                 max_bins=None):
        _init_forest(self, n_estimators, criterion, max_depth, min_samples_split,
                     min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
                     min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state,
                     verbose, warm_start, max_samples, max_bins, monotonic_cst, ccp_alpha)
        self.class_weight = class_weight


class RandomForestRegressor(_ForestRegressor):
    __doc__ = "A random forest regressor grown in C." + _FOREST_DOC

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=True, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, ccp_alpha=0.0, max_samples=None, monotonic_cst=None,
                 max_bins=255):
        _init_forest(self, n_estimators, criterion, max_depth, min_samples_split,
                     min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
                     min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state,
                     verbose, warm_start, max_samples, max_bins, monotonic_cst, ccp_alpha)


class ExtraTreesRegressor(_ForestRegressor):
    __doc__ = "Extremely randomized trees (random thresholds), grown in C." + _FOREST_DOC
    _splitter = "random"

    def __init__(self, n_estimators=100, *, criterion="squared_error", max_depth=None,
                 min_samples_split=2, min_samples_leaf=1, min_weight_fraction_leaf=0.0,
                 max_features=1.0, max_leaf_nodes=None, min_impurity_decrease=0.0,
                 bootstrap=False, oob_score=False, n_jobs=None, random_state=None, verbose=0,
                 warm_start=False, ccp_alpha=0.0, max_samples=None, monotonic_cst=None,
                 max_bins=None):
        _init_forest(self, n_estimators, criterion, max_depth, min_samples_split,
                     min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
                     min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state,
                     verbose, warm_start, max_samples, max_bins, monotonic_cst, ccp_alpha)
