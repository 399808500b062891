"""Lasso and ElasticNet, fitted and predicted in C (csrc/core/linear/coordinate_descent.c).

Python validates parameters and data, plumbs them to the C coordinate descent
solver and sets the fitted attributes; every number is computed in C.
"""

import numbers
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.utils import metadata_routing
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._sparse import _align_api_if_sparse
from sklearn.utils.validation import (_assert_all_finite, _check_sample_weight, check_array,
                                      check_is_fitted, validate_data)

from .._engine import core_matrix, fit_core, seed_from_random_state
from ._base import LinearPredictMixin, linear_state

# Below this many rows the C reductions run in a single chunk, so extra threads
# cannot help a single-target fit.
_MIN_ROWS_FOR_THREADS = 8192
# Up to this many elements in X every BLAS call of the fit is tiny: gemv stays
# single-threaded (OpenBLAS threads it from m * n = 9216) and level-3 calls split
# their output, not their sums, so BLAS threads cannot change the result; the thread
# limit fit_core otherwise sets (~20 us through threadpoolctl) is skipped.
_MAX_ELEMENTS_WITHOUT_BLAS_LIMIT = 4096

_SPARK_TABLE = """
    Coming from Spark ML's ``LinearRegression`` (squared error): Spark states the
    objective ``1/(2n) ||y - Xw - b||^2 + regParam * (elasticNetParam * ||w||_1
    + (1 - elasticNetParam) / 2 * ||w||^2)`` but solves it on the label divided
    by its sample standard deviation ``sigma_y``, which rescales the L2 part:

    ========================  ===================================================
    Spark ML                  here
    ========================  ===================================================
    ``regParam``,             ``a = regParam * elasticNetParam``,
    ``elasticNetParam``       ``b = regParam * (1 - elasticNetParam) / sigma_y``,
                              ``alpha = a + b``, ``l1_ratio = a / (a + b)``
                              (Lasso, ``elasticNetParam=1``: ``alpha = regParam``)
    ``standardization=True``  Spark's default: penalises ``w_j * sigma_j``
                              (``sigma_j`` the sample standard deviation of
                              feature j). Fit on ``X_j / sigma_j`` and divide
                              ``coef_`` by ``sigma_j`` (``StandardScaler`` divides
                              by the population one, ``sqrt(n / (n-1))`` apart).
    ``standardization=False`` X as is
    ``fitIntercept``          ``fit_intercept``
    ``weightCol``             ``sample_weight`` in ``fit``
    ``maxIter``, ``tol``      ``max_iter``, ``tol`` (different stopping rules)
    ========================  ===================================================
"""


class ElasticNet(MultiOutputMixin, RegressorMixin, LinearPredictMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 priors as regularizer.

    A drop-in for :class:`sklearn.linear_model.ElasticNet` (scikit-learn 1.9.1):
    same parameters, fitted attributes, warnings and stopping rule, with the
    coordinate descent run in C on the input without copying it. Minimizes::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    with sample weights rescaled to sum to ``n_samples``. A 2-D ``y`` gives one
    independent fit per column (run in parallel in C).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms. ``alpha = 0`` is ordinary
        least squares (use :class:`~sklearn.linear_model.LinearRegression`).
    l1_ratio : float, default=0.5
        The mixing parameter, ``0 <= l1_ratio <= 1``: 1 is the lasso penalty,
        0 the ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an intercept (X and y are centred implicitly, in C).
    precompute : bool or array-like of shape (n_features, n_features), default=False
        Whether to iterate on the Gram matrix ``X^T X`` (computed in C), or a
        precomputed Gram matrix (checked against X as scikit-learn does). With
        ``False`` the C solver chooses by cost: the Gram route for tall dense X
        of moderate width (more so when X is C-ordered, whose columns are
        strided), updates of the residual over X's columns otherwise. Both make
        the same coordinate updates, so the answer does not depend on the
        choice (up to rounding). Ignored for sparse X.
    max_iter : int, default=1000
        The maximum number of passes over the coordinates.
    copy_X : bool, default=True
        Kept for compatibility: X is never copied nor modified.
    tol : float, default=1e-4
        Once the largest coordinate change of a pass is at most
        ``tol * max|w_j|``, the duality gap is checked against
        ``tol * ||y - mean(y)||^2`` (weighted), as in scikit-learn.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Force the coefficients to be positive.
    random_state : int, RandomState instance or None, default=None
        Seeds the C generator that picks coordinates when
        ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Visit the coordinates in order, or at random.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
    dual_gap_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """ + _SPARK_TABLE

    _core_name = "ElasticNet"

    # "check_input" is an optimisation, not metadata to route in a pipeline.
    __metadata_request__fit = {"check_input": metadata_routing.UNUSED}

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic"):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _core_params(self, gram, check_gram):
        use_gram = gram is not None or (isinstance(self.precompute, (bool, np.bool_))
                                        and bool(self.precompute))
        params = {"alpha": self.alpha, "fit_intercept": self.fit_intercept,
                  "precompute": "gram" if use_gram else "auto",
                  "gram": gram, "check_gram": check_gram, "max_iter": self.max_iter,
                  "tol": self.tol, "positive": self.positive, "selection": self.selection}
        if self._core_name == "ElasticNet":
            params["l1_ratio"] = self.l1_ratio
        return params

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent (in C).

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            float32 and float64 arrays in any memory order are used in place;
            CSR (and other sparse formats, converted to CSR) is accepted.
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target; cast to X's dtype.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.
        check_input : bool, default=True
            False skips the validation of X, y and of a precomputed Gram matrix.

        Returns
        -------
        self : object
        """
        X, y, sample_weight, gram = self._fit_inputs(X, y, sample_weight, check_input)
        init = None
        if self.warm_start and hasattr(self, "coef_"):
            init = linear_state(self.coef_, np.zeros(y.shape[1] if y.ndim == 2 else 1))
        n_targets = y.shape[1] if y.ndim == 2 else 1
        threaded = X.shape[0] >= _MIN_ROWS_FOR_THREADS or n_targets > 1
        tiny = X.shape[0] * X.shape[1] <= _MAX_ELEMENTS_WITHOUT_BLAS_LIMIT
        try:
            state = fit_core(self._core_name, self._core_params(gram, check_input), X, y,
                             sample_weight, init=init, n_jobs=None if threaded else 1,
                             random_state=self._core_seed(), blas_in_threads=not tiny)
        except ValueError as error:
            if check_input and "non-finite" in str(error):
                # NaN or infinity in X: scikit-learn's own error and message
                _assert_all_finite(X.data if sp.issparse(X) else X, input_name="X",
                                   estimator_name=type(self).__name__)
            raise
        return self._core_set_state(state)

    def _fit_inputs(self, X, y, sample_weight, check_input):
        """fit's warnings, validation and conversions: (X, y, sample_weight, gram)."""
        if self.alpha == 0:
            warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                          "advised to use the LinearRegression estimator", stacklevel=3)
        if self.max_iter is None:  # allowed by the constraints, refused by scikit-learn's solver
            raise TypeError("max_iter=None is not supported: an integer is required")
        if check_input:
            # X's finiteness is checked in C, in the pass the fit makes over X anyway
            # (a NaN or infinity is reported below as scikit-learn does); y and
            # sample_weight are checked here.
            X, y = validate_data(self, X, y, accept_sparse="csr",
                                 dtype=[np.float64, np.float32], accept_large_sparse=False,
                                 ensure_all_finite=False, multi_output=True, y_numeric=True)
        if y.dtype != X.dtype:
            y = y.astype(X.dtype)
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        if sample_weight is not None and check_input:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)

        gram = None
        if not sp.issparse(X) and not isinstance(self.precompute, (bool, np.bool_)):
            gram = check_array(self.precompute, dtype=[np.float64, np.float32],
                               input_name="precompute")
        self._core_fit_facts = {"y_ndim": y.ndim,
                                "n_targets": y.shape[1] if y.ndim == 2 else 1}
        return X, y, sample_weight, gram

    def _core_seed(self):
        # Only the 'random' selection draws numbers.
        return self.random_state if self.selection == "random" else 0

    # The C protocol (see pymlcore.grouped and pymlcore.model_selection): fit is
    # _fit_inputs + one C call + _core_set_state, and the drivers use the same two.

    def _core_fit_args(self, X, y=None, sample_weight=None):
        """Validated inputs, parameters and seed of the C fit (check_input=True).
        Sets n_features_in_ / feature_names_in_ as fit does."""
        X, y, sample_weight, gram = self._fit_inputs(X, y, sample_weight, True)
        # fit leaves this check to C; the drivers' per-fold fits would report it per fold.
        _assert_all_finite(X.data if sp.issparse(X) else X, input_name="X",
                           estimator_name=type(self).__name__)
        return {"name": self._core_name, "params": self._core_params(gram, True),
                "X": core_matrix(X), "y": y, "sample_weight": sample_weight,
                "seed": seed_from_random_state(self._core_seed())}

    def _core_set_state(self, state):
        """Sets coef_, intercept_, n_iter_, dual_gap_ from a C state, as fit does."""
        if state["gram_recomputed"][0]:
            warnings.warn("Gram matrix was provided but X was centered to fit intercept: "
                          "recomputing Gram matrix.", UserWarning, stacklevel=3)
        y_ndim = self._core_fit_facts["y_ndim"]
        coef, n_iter, gap = state["coef_"], state["n_iter_"], state["dual_gap_"]
        if self._core_fit_facts["n_targets"] == 1:
            self.coef_ = coef[0]
            self.n_iter_ = int(n_iter[0])
            self.dual_gap_ = gap[0]
        else:
            self.coef_ = coef
            self.n_iter_ = n_iter.tolist()
            self.dual_gap_ = gap
        if not self.fit_intercept:
            self.intercept_ = 0.0
        elif y_ndim == 1:
            self.intercept_ = state["intercept_"][0]
        else:
            self.intercept_ = state["intercept_"]
        return self

    def _core_apply_args(self, method, X):
        """Validated X of a C `method` ("predict") call."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                          reset=False)
        return {"name": self._core_name, "method": method, "X": core_matrix(X)}

    def predict(self, X):
        """Predict using the linear model (in C).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        C : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        return self._decision_values(X)

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted `coef_`."""
        return _align_api_if_sparse(sp.csr_array(np.atleast_2d(self.coef_)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class Lasso(ElasticNet):
    """Linear Model trained with L1 prior as regularizer (aka the Lasso).

    A drop-in for :class:`sklearn.linear_model.Lasso` (scikit-learn 1.9.1): the
    :class:`ElasticNet` C solver with ``l1_ratio=1``. Minimizes::

        (1 / (2 * n_samples)) * ||y - Xw||^2_2 + alpha * ||w||_1

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term.
    fit_intercept, precompute, copy_X, max_iter, tol, warm_start, positive, \
random_state, selection
        As for :class:`ElasticNet`.

    Attributes
    ----------
    coef_, sparse_coef_, intercept_, n_iter_, dual_gap_, n_features_in_, \
feature_names_in_
        As for :class:`ElasticNet`.
    """ + _SPARK_TABLE

    _core_name = "Lasso"

    _parameter_constraints: dict = {**ElasticNet._parameter_constraints}
    _parameter_constraints.pop("l1_ratio")

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False, random_state=None,
                 selection="cyclic"):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
                         warm_start=warm_start, positive=positive, random_state=random_state,
                         selection=selection)
