"""HistGradientBoostingClassifier / Regressor, fitted and applied in C
(csrc/core/boosting/, binning in csrc/core/common/binning.c)."""

import copy
import itertools
from numbers import Integral, Real
from time import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder, OrdinalEncoder
from sklearn.utils import check_random_state, compute_sample_weight, resample
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (_check_categorical_features, _check_monotonic_cst,
                                      _check_sample_weight, _check_y, check_array,
                                      check_consistent_length, check_is_fitted, validate_data)

from .._engine import apply_core, fit_core

_CORE = "HistGradientBoosting"
_SMALL_TRAINSET = 10_000  # rows scored by a scorer for train_score_ (as scikit-learn)

_MAPPING_DOC = """
    Names in other libraries
    ------------------------
    XGBoost: ``eta`` -> ``learning_rate``, ``num_boost_round`` -> ``max_iter``,
    ``max_depth`` -> ``max_depth`` (XGBoost grows depth-wise; here trees grow
    leaf-wise and ``max_leaf_nodes`` is the main size limit, as LightGBM's
    ``num_leaves``), ``min_child_weight`` -> ``min_child_weight``, ``gamma`` ->
    ``min_split_gain``, ``lambda`` -> ``l2_regularization``, ``subsample`` ->
    ``subsample``, ``colsample_bytree`` -> ``colsample_bytree``,
    ``max_bin`` -> ``max_bins``.

    Spark ML GBTClassifier / GBTRegressor: ``maxIter`` -> ``max_iter``,
    ``stepSize`` -> ``learning_rate``, ``maxDepth`` -> ``max_depth``,
    ``maxBins`` -> ``max_bins``, ``subsamplingRate`` -> ``subsample``,
    ``featureSubsetStrategy`` -> ``max_features`` (a fraction of the features
    tried at each split; ``colsample_bytree`` draws them once per tree),
    ``minInstancesPerNode`` -> ``min_samples_leaf``, ``minInfoGain`` ->
    ``min_split_gain``.
"""


class _BaseHistGradientBoosting(BaseEstimator):
    """Shared parameters, preprocessing, the boosting loop and prediction."""

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left"), None],
        "max_depth": [Interval(Integral, 1, None, closed="left"), None],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "l2_regularization": [Interval(Real, 0, None, closed="left")],
        "max_features": [Interval(RealNotInt, 0, 1, closed="right")],
        "monotonic_cst": ["array-like", dict, None],
        "interaction_cst": [list, tuple, StrOptions({"pairwise", "no_interactions"}), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(RealNotInt, 0, 1, closed="neither"),
                                Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_bins": [Interval(Integral, 2, 255, closed="both")],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "warm_start": ["boolean"],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "scoring": [str, callable, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        # beyond scikit-learn (XGBoost's names)
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "min_child_weight": [Interval(Real, 0, None, closed="left")],
        "min_split_gain": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def _init_common(self, loss, learning_rate, max_iter, max_leaf_nodes, max_depth,
                     min_samples_leaf, l2_regularization, max_features, max_bins,
                     categorical_features, monotonic_cst, interaction_cst, warm_start,
                     early_stopping, scoring, validation_fraction, n_iter_no_change, tol,
                     verbose, random_state,
                     subsample, colsample_bytree, min_child_weight, min_split_gain, n_jobs):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_features = max_features
        self.max_bins = max_bins
        self.categorical_features = categorical_features
        self.monotonic_cst = monotonic_cst
        self.interaction_cst = interaction_cst
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.scoring = scoring
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.min_split_gain = min_split_gain
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ---- X --------------------------------------------------------------------

    def _preprocess_X(self, X, reset):
        """X as the C core reads it: float32/float64 as given (no copy), or, with
        categorical features, a float64 array whose categorical columns hold the
        category codes 0..k-1 (unknown categories and missing values: NaN)."""
        if reset:
            self.is_categorical_ = _check_categorical_features(X, self.categorical_features)
            self._encoder = None
        if self.is_categorical_ is None:
            # NaN is data (the missing bin); infinity is refused, as everywhere in
            # pymlcore (scikit-learn's HistGradientBoosting bins it into the last bin)
            return validate_data(self, X, reset=reset, dtype=[np.float64, np.float32],
                                 ensure_all_finite="allow-nan")
        validate_data(self, X, reset=reset, skip_check_array=True)
        Xa = X if hasattr(X, "iloc") else check_array(X, dtype=None, ensure_all_finite=False)
        cat = np.flatnonzero(self.is_categorical_)
        num = np.flatnonzero(~self.is_categorical_)

        def columns(idx):
            return Xa.iloc[:, idx] if hasattr(Xa, "iloc") else Xa[:, idx]

        if reset:
            self._encoder = OrdinalEncoder(handle_unknown="use_encoded_value",
                                           unknown_value=np.nan, encoded_missing_value=np.nan,
                                           dtype=np.float64)
            self._encoder.fit(columns(cat))
            n_categories = []
            for j, cats in zip(cat, self._encoder.categories_):
                if len(cats) and _is_nan(cats[-1]):
                    cats = cats[:-1]  # NaN is the missing bin, not a category
                if cats.size > self.max_bins:
                    name = (repr(self.feature_names_in_[j]) if hasattr(self, "feature_names_in_")
                            else f"at index {j}")
                    raise ValueError(
                        f"Categorical feature {name} is expected to have a cardinality <= "
                        f"{self.max_bins} but actually has a cardinality of {cats.size}.")
                n_categories.append(cats.size)
            self._n_categories = np.zeros(len(self.is_categorical_), dtype=np.int64)
            self._n_categories[cat] = n_categories
        out = np.empty((Xa.shape[0], Xa.shape[1]), dtype=np.float64)
        out[:, cat] = self._encoder.transform(columns(cat))
        if num.size:
            out[:, num] = check_array(columns(num), dtype=np.float64,
                                      ensure_all_finite="allow-nan")
        return out

    # ---- fit ------------------------------------------------------------------

    def _core_params(self, n_iter_total, train_rows, validation_rows, early_stopping):
        return {
            "loss": self._core_loss(),
            "n_classes": self._n_classes_core(),
            "quantile": float(getattr(self, "quantile", None) or 0.5),
            "learning_rate": float(self.learning_rate),
            "max_iter": int(n_iter_total),
            "max_leaf_nodes": int(self.max_leaf_nodes or 0),
            "max_depth": int(self.max_depth or 0),
            "min_samples_leaf": int(self.min_samples_leaf),
            "l2_regularization": float(self.l2_regularization),
            "min_child_weight": float(self.min_child_weight),
            "min_split_gain": float(self.min_split_gain),
            "max_features": float(self.max_features),
            "subsample": float(self.subsample),
            "colsample_bytree": float(self.colsample_bytree),
            "max_bins": int(self.max_bins),
            "early_stopping": bool(early_stopping),
            "n_iter_no_change": int(self.n_iter_no_change),
            "tol": float(self.tol),
            "train_rows": train_rows,
            "validation_rows": validation_rows,
            "n_categories": getattr(self, "_n_categories", None)
            if self.is_categorical_ is not None else None,
            "monotonic_cst": self._monotonic,
            "interaction_cst": self._interactions,
            "staged_rows": None,  # set by _fit_with_scorer
            "init_raw": None,
        }

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the gradient boosting model.

        X : array-like or DataFrame of shape (n_samples, n_features); NaN allowed
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        """
        start = time()
        warm = self.warm_start and hasattr(self, "_state")
        if warm:
            previous_categorical = self.is_categorical_
        X = self._preprocess_X(X, reset=True)
        if warm and not _same_mask(previous_categorical, self.is_categorical_):
            warm = False
        y = _check_y(y, estimator=self)
        y = self._encode_y(y)
        check_consistent_length(X, y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        sample_weight = self._finalize_sample_weight(sample_weight, y)
        monotonic = _check_monotonic_cst(self, self.monotonic_cst)
        if self.monotonic_cst is not None and self.n_trees_per_iteration_ != 1:
            raise ValueError(
                "monotonic constraints are not supported for multiclass classification.")
        if self.is_categorical_ is not None and np.any(monotonic[self.is_categorical_] != 0):
            raise ValueError("Categorical features cannot have monotonic constraints.")
        self._monotonic = monotonic.astype(np.int64) if np.any(monotonic != 0) else None

        self._interactions = self._check_interaction_cst(X.shape[1])
        rng = check_random_state(self.random_state)
        if not warm:
            self._random_seed = int(rng.randint(np.iinfo(np.uint32).max, dtype="u8"))
        n_samples = X.shape[0]
        if self.early_stopping == "auto":
            self.do_early_stopping_ = n_samples > 10_000
        else:
            self.do_early_stopping_ = bool(self.early_stopping)
        use_validation = self.do_early_stopping_ and self.validation_fraction is not None
        train_rows = validation_rows = None
        if use_validation:
            stratify = y if isinstance(self, ClassifierMixin) else None
            train_rows, validation_rows = train_test_split(
                np.arange(n_samples, dtype=np.int64), test_size=self.validation_fraction,
                stratify=stratify, random_state=self._random_seed)
            # kept in the split's order: histogram sums then run in scikit-learn's order

        if warm:
            if self.max_iter < self.n_iter_:
                raise ValueError(
                    "max_iter=%d must be larger than or equal to n_iter_=%d when "
                    "warm_start==True" % (self.max_iter, self.n_iter_))
            if self.max_iter == self.n_iter_:
                return self
        else:
            self._state = None
        if self.do_early_stopping_ and self.scoring != "loss":
            self._fit_with_scorer(X, y, sample_weight, train_rows, validation_rows)
        else:
            self._state = fit_core(
                _CORE, self._core_params(self.max_iter, train_rows, validation_rows,
                                         self.do_early_stopping_),
                X, y, sample_weight=sample_weight, init=self._state, n_jobs=self.n_jobs,
                random_state=self._random_seed)
            self.train_score_ = self._state["train_score"]
            self.validation_score_ = (self._state["validation_score"] if use_validation
                                      else np.array([]))
        self.n_iter_ = int(self._state["meta"][2])
        if self.verbose:
            print(f"Fit {self.n_iter_ * self.n_trees_per_iteration_} trees in "
                  f"{time() - start:.3f} s")
        return self

    def _check_interaction_cst(self, n_features):
        """interaction_cst as a 0/1 matrix of groups x features (None without),
        the features no group names forming a group of their own, with
        scikit-learn's errors."""
        if self.interaction_cst is None:
            return None
        if self.interaction_cst == "no_interactions":
            groups = [[i] for i in range(n_features)]
        elif self.interaction_cst == "pairwise":
            groups = itertools.combinations(range(n_features), 2)
        else:
            groups = self.interaction_cst
        try:
            groups = [set(group) for group in groups]
        except TypeError:
            raise ValueError("Interaction constraints must be a sequence of tuples or lists, "
                             f"got: {self.interaction_cst!r}.")
        for group in groups:
            for x in group:
                if not (isinstance(x, Integral) and 0 <= x < n_features):
                    raise ValueError(
                        "Interaction constraints must consist of integer indices in"
                        f" [0, n_features - 1] = [0, {n_features - 1}], specifying the"
                        f" position of features, got invalid indices: {group!r}")
        rest = set(range(n_features)) - set().union(*groups)
        if rest:
            groups.append(rest)
        matrix = np.zeros((len(groups), n_features), dtype=np.int32)
        for g, group in enumerate(groups):
            matrix[g, sorted(group)] = 1
        return matrix

    def _fit_with_scorer(self, X, y, sample_weight, train_rows, validation_rows):
        """Early stopping on a scorer, as scikit-learn's: the scorer scores up to
        10,000 training rows and the validation rows after the baseline and after
        every iteration.  C runs as many iterations per call as can pass before
        the stopping rule could first fire (so none is wasted) and hands back,
        after each of them, the raw predictions of the scored rows, plus those of
        all training and validation rows for the next call to continue from: no
        re-binning or re-predicting per iteration.  The scorer reads the raw
        predictions through a copy of the estimator whose predictions are them."""
        scorer = check_scoring(self, self.scoring)
        rows = np.arange(X.shape[0]) if train_rows is None else train_rows
        positions = np.arange(len(rows))  # of the scored training rows, in `rows`
        if len(rows) > _SMALL_TRAINSET:
            stratify = y[rows] if isinstance(self, ClassifierMixin) else None
            positions = resample(positions, n_samples=_SMALL_TRAINSET, replace=False,
                                 random_state=self._random_seed, stratify=stratify)
        sets = [rows[positions]] + ([] if validation_rows is None else [validation_rows])
        sets = [(X[r], self._decode(y[r]), {} if sample_weight is None
                 else {"sample_weight": sample_weight[r]}) for r in sets]
        scores = [list(getattr(self, "train_score_", [])) if self._state is not None else [],
                  list(getattr(self, "validation_score_", [])) if self._state is not None
                  else []]
        reference = scores[1] if validation_rows is not None else scores[0]
        K = self.n_trees_per_iteration_

        def score_all(raw):  # raw: (rows of all sets, K)
            start = 0
            for k, (Xs, ys, kwargs) in enumerate(sets):
                scores[k].append(scorer(_with_raw(self, raw[start:start + len(ys)]), Xs, ys,
                                        **kwargs))
                start += len(ys)

        baseline_pending = self._state is None
        raw = None  # (K, training + validation rows) after the last call
        stop = False
        while not stop:
            n_done = 0 if self._state is None else int(self._state["meta"][2])
            if n_done >= self.max_iter:
                break
            chunk = min(self.max_iter - n_done, _iterations_until_stop_possible(
                reference, self.n_iter_no_change, self.tol, baseline_pending))
            params = self._core_params(n_done + chunk, train_rows, validation_rows, False)
            params.update(staged_rows=positions.astype(np.int64), init_raw=raw)
            state = fit_core(_CORE, params, X, y, sample_weight=sample_weight, init=self._state,
                             n_jobs=self.n_jobs, random_state=self._random_seed)
            staged, raw = state.pop("staged_raw"), state.pop("raw")
            staged = staged.reshape(len(staged), -1, K)
            if baseline_pending:  # the baseline's score comes first, as in scikit-learn
                score_all(np.broadcast_to(state["baseline"], staged.shape[1:]))
                baseline_pending = False
            for it in range(len(staged)):
                score_all(staged[it])
                if _should_stop(reference, self.n_iter_no_change, self.tol):
                    stop = True
                    if it + 1 < len(staged):  # not expected: the chunk ends where it may stop
                        state = _trees_slice(state, 0, (n_done + it + 1) * K, K)
                    break
            self._state = state
        self.train_score_ = np.asarray(scores[0], dtype=np.float64)
        self.validation_score_ = np.asarray(scores[1], dtype=np.float64)

    # ---- predict --------------------------------------------------------------

    def _raw_predict(self, X):
        check_is_fitted(self, "_state")
        X = self._preprocess_X(X, reset=False)
        raw = apply_core(_CORE, "decision_function", self._state, X, n_jobs=self.n_jobs)
        return raw.reshape(X.shape[0], -1)

    def _staged_raw_predict(self, X):
        check_is_fitted(self, "_state")
        X = self._preprocess_X(X, reset=False)
        K = self.n_trees_per_iteration_
        raw = np.tile(self._state["baseline"], (X.shape[0], 1))
        for it in range(self.n_iter_):
            step = _trees_slice(self._state, it * K, (it + 1) * K, K, with_baseline=False)
            raw = raw + apply_core(_CORE, "decision_function", step, X,
                                   n_jobs=self.n_jobs).reshape(X.shape[0], -1)
            yield raw.copy()


def _is_nan(value):
    try:
        return bool(np.isnan(value))
    except TypeError:
        return value is None


def _same_mask(a, b):
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b)


def _with_raw(estimator, raw):
    """A copy of the estimator whose every prediction method (they all go through
    _raw_predict) answers with `raw`, for the rows it was computed on."""
    view = copy.copy(estimator)
    view._raw_predict = lambda X: raw
    return view


def _iterations_until_stop_possible(scores, n_iter_no_change, tol, baseline_pending):
    """Iterations that can run before _should_stop could first return True, given
    the scores so far (one more, the baseline's, comes without an iteration when
    baseline_pending): the rule at score j compares scores j-n+1..j with score
    j-n, so j is possible only when the known ones among them do not beat it."""
    n, last = n_iter_no_change, len(scores) - 1
    j = max(last + 1, n)
    while j - n <= last and any(s > scores[j - n] + tol for s in scores[j - n + 1:]):
        j += 1
    return max(1, j - last - int(baseline_pending))


def _should_stop(scores, n_iter_no_change, tol):
    """scikit-learn's rule: none of the last n_iter_no_change scores beats the one
    before them by more than tol."""
    reference_position = n_iter_no_change + 1
    if len(scores) < reference_position:
        return False
    reference = scores[-reference_position] + tol
    return not any(s > reference for s in scores[-reference_position + 1:])


def _trees_slice(state, first, last, K, with_baseline=True):
    """The state restricted to trees [first, last) (the baseline dropped unless
    with_baseline): a model of (last - first) / K iterations."""
    sliced = dict(state)
    sliced["tree_offsets"] = state["tree_offsets"][first:last + 1]
    meta = state["meta"].copy()
    meta[2] = (last - first) // K
    sliced["meta"] = meta
    if not with_baseline:
        sliced["baseline"] = np.zeros_like(state["baseline"])
    return sliced


class HistGradientBoostingRegressor(RegressorMixin, _BaseHistGradientBoosting):
    """Histogram-based gradient boosting regression tree, trained in C.

    A drop-in for :class:`sklearn.ensemble.HistGradientBoostingRegressor`
    (scikit-learn 1.9): same parameters, defaults, fitted attributes and errors.
    Features are binned once (at most ``max_bins`` quantile bins, missing values
    in a bin of their own); trees grow leaf-wise on gradient/hessian histograms
    built in parallel over features, the larger child's histogram by subtraction;
    the result does not depend on ``n_jobs``.  Missing values go to the side
    learned at each split; categorical features split many-vs-many (categories
    sorted by gradient ratio, as LightGBM).

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'gamma', 'poisson', 'quantile'}
    quantile : float, default=None
        The quantile of loss='quantile', in (0, 1).
    learning_rate, max_iter, max_leaf_nodes, max_depth, min_samples_leaf,
    l2_regularization, max_features, max_bins, categorical_features,
    monotonic_cst, interaction_cst, warm_start, early_stopping, scoring, validation_fraction,
    n_iter_no_change, tol, verbose, random_state :
        As scikit-learn's.  ``early_stopping='auto'`` turns early stopping on
        when there are more than 10,000 samples; ``scoring='loss'`` (the
        default) is computed in C, any other scorer in Python on up to 10,000
        training rows and the validation rows, from raw predictions the C fit
        keeps up to date (no re-binning or re-predicting per iteration).
    subsample : float, default=1.0
        Beyond scikit-learn (XGBoost's ``subsample``): share of the training
        rows drawn without replacement for each iteration.
    colsample_bytree : float, default=1.0
        Beyond scikit-learn (XGBoost's): share of the features drawn for each tree.
    min_child_weight : float, default=1e-3
        Beyond scikit-learn (XGBoost's): minimum sum of hessians in a child.
        The default is scikit-learn's internal ``min_hessian_to_split``.
    min_split_gain : float, default=0.0
        Beyond scikit-learn (XGBoost's ``gamma``, LightGBM's
        ``min_split_gain``): a split must lower the loss by more than this.
    n_jobs : int, default=None
        Threads for fitting and prediction; None uses the cores this process may
        use, as scikit-learn's OpenMP-based estimators do.

    Attributes
    ----------
    n_iter_, n_trees_per_iteration_, train_score_, validation_score_,
    is_categorical_, do_early_stopping_, n_features_in_, feature_names_in_ :
        As scikit-learn's.
    """ + _MAPPING_DOC

    _parameter_constraints = {
        **_BaseHistGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "poisson", "gamma",
                             "quantile"})],
        "quantile": [Interval(Real, 0, 1, closed="both"), None],
    }

    def __init__(self, loss="squared_error", *, quantile=None, learning_rate=0.1, max_iter=100,
                 max_leaf_nodes=31, max_depth=None, min_samples_leaf=20, l2_regularization=0.0,
                 max_features=1.0, max_bins=255, categorical_features="from_dtype",
                 monotonic_cst=None, interaction_cst=None, warm_start=False,
                 early_stopping="auto", scoring="loss",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-7, verbose=0,
                 random_state=None, subsample=1.0, colsample_bytree=1.0,
                 min_child_weight=1e-3, min_split_gain=0.0, n_jobs=None):
        self._init_common(loss, learning_rate, max_iter, max_leaf_nodes, max_depth,
                          min_samples_leaf, l2_regularization, max_features, max_bins,
                          categorical_features, monotonic_cst, interaction_cst, warm_start,
                          early_stopping,
                          scoring, validation_fraction, n_iter_no_change, tol, verbose,
                          random_state, subsample, colsample_bytree, min_child_weight,
                          min_split_gain, n_jobs)
        self.quantile = quantile

    def _core_loss(self):
        return self.loss

    def _n_classes_core(self):
        return 0

    def _encode_y(self, y):
        self.n_trees_per_iteration_ = 1
        y = y.astype(np.float64, copy=False)
        if self.loss == "quantile" and (self.quantile is None or not 0 < self.quantile < 1):
            raise ValueError("The quantile parameter must be a float in (0, 1) when "
                             f"loss='quantile', got quantile={self.quantile}.")
        if self.loss == "gamma":
            if not np.all(y > 0):
                raise ValueError("loss='gamma' requires strictly positive y.")
        elif self.loss == "poisson":
            if not (np.all(y >= 0) and np.sum(y) > 0):
                raise ValueError("loss='poisson' requires non-negative y and sum(y) > 0.")
        return y

    def _decode(self, y):
        return y

    def _finalize_sample_weight(self, sample_weight, y):
        return sample_weight

    def predict(self, X):
        """Predicted values: the inverse link (identity, exp for poisson and
        gamma) of the raw predictions."""
        raw = self._raw_predict(X).ravel()
        return np.exp(raw) if self.loss in ("poisson", "gamma") else raw

    def staged_predict(self, X):
        """Predictions after each iteration (a generator)."""
        for raw in self._staged_raw_predict(X):
            raw = raw.ravel()
            yield np.exp(raw) if self.loss in ("poisson", "gamma") else raw


class HistGradientBoostingClassifier(ClassifierMixin, _BaseHistGradientBoosting):
    """Histogram-based gradient boosting classification tree, trained in C.

    A drop-in for :class:`sklearn.ensemble.HistGradientBoostingClassifier`
    (scikit-learn 1.9): binary (one tree per iteration) and multiclass (one tree
    per class and iteration, softmax) log loss, ``class_weight``, the same
    parameters, fitted attributes and errors.  See
    :class:`HistGradientBoostingRegressor` for the engine and for the parameters
    beyond scikit-learn (``subsample``, ``colsample_bytree``,
    ``min_child_weight``, ``min_split_gain``, ``n_jobs``).

    Parameters
    ----------
    loss : {'log_loss'}, default='log_loss'
    class_weight : dict or 'balanced', default=None
        Folded into the sample weights, as scikit-learn's.
    (the others as :class:`HistGradientBoostingRegressor`)

    Attributes
    ----------
    classes_, n_iter_, n_trees_per_iteration_, train_score_, validation_score_,
    is_categorical_, do_early_stopping_, n_features_in_, feature_names_in_ :
        As scikit-learn's.
    """ + _MAPPING_DOC

    _parameter_constraints = {
        **_BaseHistGradientBoosting._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(self, loss="log_loss", *, learning_rate=0.1, max_iter=100, max_leaf_nodes=31,
                 max_depth=None, min_samples_leaf=20, l2_regularization=0.0, max_features=1.0,
                 max_bins=255, categorical_features="from_dtype", monotonic_cst=None,
                 interaction_cst=None, warm_start=False, early_stopping="auto", scoring="loss",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-7, verbose=0,
                 random_state=None, class_weight=None, subsample=1.0, colsample_bytree=1.0,
                 min_child_weight=1e-3, min_split_gain=0.0, n_jobs=None):
        self._init_common(loss, learning_rate, max_iter, max_leaf_nodes, max_depth,
                          min_samples_leaf, l2_regularization, max_features, max_bins,
                          categorical_features, monotonic_cst, interaction_cst, warm_start,
                          early_stopping,
                          scoring, validation_fraction, n_iter_no_change, tol, verbose,
                          random_state, subsample, colsample_bytree, min_child_weight,
                          min_split_gain, n_jobs)
        self.class_weight = class_weight

    def _core_loss(self):
        return "log_loss"

    def _n_classes_core(self):
        # a single class fits as scikit-learn's: a binomial model of "never class 1"
        return max(2, len(self.classes_))

    def _encode_y(self, y):
        check_classification_targets(y)
        self._label_encoder = LabelEncoder()
        encoded = self._label_encoder.fit_transform(y)
        self.classes_ = self._label_encoder.classes_
        n_classes = self.classes_.shape[0]
        self.n_trees_per_iteration_ = 1 if n_classes <= 2 else n_classes
        return encoded.astype(np.float64, copy=False)

    def _decode(self, y):
        return self.classes_[y.astype(np.intp)]

    def _finalize_sample_weight(self, sample_weight, y):
        if self.class_weight is None:
            return sample_weight
        expanded = compute_sample_weight(self.class_weight, y)
        return expanded if sample_weight is None else sample_weight * expanded

    def decision_function(self, X):
        """Raw predictions: (n_samples,) for two classes, else (n_samples, n_classes)."""
        raw = self._raw_predict(X)
        return raw.ravel() if raw.shape[1] == 1 else raw

    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes)."""
        return _proba(self._raw_predict(X))

    def predict(self, X):
        """Predicted classes."""
        raw = self._raw_predict(X)
        return self.classes_[np.argmax(_proba(raw), axis=1)]

    def staged_decision_function(self, X):
        """decision_function after each iteration (a generator)."""
        for raw in self._staged_raw_predict(X):
            yield raw.ravel() if raw.shape[1] == 1 else raw

    def staged_predict_proba(self, X):
        """predict_proba after each iteration (a generator)."""
        for raw in self._staged_raw_predict(X):
            yield _proba(raw)

    def staged_predict(self, X):
        """predict after each iteration (a generator)."""
        for raw in self._staged_raw_predict(X):
            yield self.classes_[np.argmax(_proba(raw), axis=1)]


def _proba(raw):
    if raw.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        return np.column_stack([1.0 - p, p])
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
