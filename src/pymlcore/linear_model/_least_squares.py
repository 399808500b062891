"""LinearRegression and Ridge, fitted and predicted in C
(csrc/core/linear/least_squares.c).

Python validates the inputs and parameters exactly as scikit-learn 1.9.1 does and
sets the fitted attributes; the centring, weighting, factorisations and solves all
run in C on the caller's arrays (float32/float64 in any layout, CSR as its three
arrays), which are never copied or written.
"""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, validate_data

from sklearn.utils.validation import check_is_fitted

from .._engine import core_matrix, fit_core
from ._base import LinearPredictMixin

__all__ = ["LinearRegression", "Ridge"]

# The order of pmc_ridge_solver_names in C: solver_ comes back as an index into it.
_RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")

# On smaller X the C reductions run as one chunk (under 32,768 rows) and hand BLAS
# blocks too small for it to thread, so limiting BLAS threads (threadpoolctl, ~30 us
# per fit, a sixth of a 100 x 5 fit) can be skipped.
_BLAS_LIMIT_MIN_ROWS = 16_384
_BLAS_LIMIT_MIN_ENTRIES = 100_000


def _core_y(y, dtype):
    """y as C reads it: float32/float64/int32/int64 as is, anything else converted
    once (scikit-learn casts y to X's dtype; C reads it in double precision)."""
    if sp.issparse(y):
        y = y.toarray()
    if y.dtype not in (np.float64, np.float32, np.int64, np.int32) or not y.flags.aligned:
        y = np.array(y, dtype=dtype)  # a copy: also realigns / swaps bytes
    return y


class _LeastSquaresRegressor(LinearPredictMixin, MultiOutputMixin, RegressorMixin,
                             BaseEstimator):
    """Shared by LinearRegression and Ridge: the C fit call and prediction."""

    # The grouped-fitting protocol (pymlcore.grouped): _core_fit_args validates and
    # converts the whole X once (row-wise, so any group's rows are a row subset),
    # _core_set_state sets the fitted attributes from a C state, and fit is just
    # the two around one C call, so the grouped and the plain fit cannot diverge.

    def _core_fit_args(self, X, y=None, sample_weight=None):
        """Validated inputs and parameters of the C fit, for the whole X. Sets the
        validation attributes (n_features_in_, feature_names_in_) as fit does."""
        X, y, sample_weight, params = self._validated_fit_inputs(X, y, sample_weight)
        self._core_fit_facts = {"dtype": X.dtype, "y_ndim": y.ndim, "sparse": sp.issparse(X)}
        return {"name": self._core_name, "params": params, "X": core_matrix(X),
                "y": _core_y(y, X.dtype), "sample_weight": sample_weight}

    def _core_apply_args(self, method, X):
        """Validated X of a C `method` ("predict") call."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                          reset=False)
        return {"name": self._core_name, "method": method, "X": core_matrix(X)}

    def _fit_through_core(self, X, y, sample_weight, n_jobs):
        args = self._core_fit_args(X, y, sample_weight)
        X_core = args["X"]
        n_rows, n_cols = (X_core[4], X_core[5]) if isinstance(X_core, tuple) else X_core.shape
        big = n_rows >= _BLAS_LIMIT_MIN_ROWS or n_rows * n_cols >= _BLAS_LIMIT_MIN_ENTRIES
        state = fit_core(args["name"], args["params"], X_core, args["y"], args["sample_weight"],
                         n_jobs=n_jobs, blas_in_threads=big)
        return self._core_set_state(state)

    def _set_intercept_from(self, state, dtype, scalar):
        if self.fit_intercept:
            intercept = state["intercept_"].astype(dtype, copy=False)
            self.intercept_ = intercept[0] if scalar else intercept
        else:
            self.intercept_ = 0.0

    def predict(self, X):
        """Predict using the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        C : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, computed in C.
        """
        pred = self._decision_values(X)
        if pred.ndim == 1 and np.ndim(self.coef_) == 2:
            pred = pred.reshape(-1, 1)  # a (1, n_features) coef_ predicts a column
        return pred


class LinearRegression(_LeastSquaresRegressor):
    """Ordinary least squares Linear Regression, fitted in C.

    A drop-in for :class:`sklearn.linear_model.LinearRegression`: it minimises the
    (sample-weighted) residual sum of squares ``||y - Xw - b||^2``, with the same
    parameters, validation, fitted attributes (shapes and dtypes) and errors.

    How it is computed: the centred, sqrt(weight)-scaled X is reduced to a small
    triangular factor R with ``X = QR`` and ``Q^T y``, which then goes to LAPACK
    ``dgelsd``, what :func:`scipy.linalg.lstsq` runs on the whole X: the
    minimum-norm solution for rank-deficient X, ``rank_`` and ``singular_``.  R comes
    from the Cholesky factor of the Gram matrix (one fast pass over X) when the
    singular values of R show a condition number of at most 1e4, where the squared
    conditioning costs at most ~1e-8 of relative accuracy; otherwise (or for
    rank-deficient X) from an incremental tall-skinny QR of ``[X | y]`` over row
    blocks (LAPACK ``dtpqrt``), which keeps the conditioning of X.  Either way X is
    never copied (O(block x n_features) memory).  When ``n_samples < n_features``
    the centred X itself goes to ``dgelsd``.
    ``positive=True`` runs Lawson-Hanson non-negative least squares (the algorithm
    of :func:`scipy.optimize.nnls`) on the triangular factor.  CSR input is
    factorised the same way when ``n_samples * n_features**2`` is small enough (at
    most 2000 features); otherwise conjugate gradients on the normal equations
    (CGLS, which from zero converges to the minimum-norm solution) are applied to
    the implicitly centred X, stopping when
    ``||X^T W r|| <= tol * ||X^T W y||``.

    Parameters
    ----------
    fit_intercept : bool, default=True
        Whether to calculate the intercept for this model. If False, no intercept
        is used (X and y are expected to be centred).

    copy_X : bool, default=True
        Kept for compatibility: X is never copied nor overwritten, whatever its value.

    tol : float, default=1e-6
        Singular values of the centred X below ``tol`` times the largest are treated
        as zero (the ``cond`` of :func:`scipy.linalg.lstsq`). For CSR input too wide
        for the direct route, the relative tolerance of the iterative solver.

    n_jobs : int, default=None
        Threads for the C reductions; None uses the cores this process may use, -1
        all cores. Results are identical for any value.

    positive : bool, default=False
        Force the coefficients to be non-negative. Dense X only, as in scikit-learn.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Estimated coefficients; 2-D when y is 2-D.

    rank_ : int
        Rank of the centred X. Only available when X is dense and positive=False.

    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the centred, weighted X. Only available when X is dense
        and positive=False.

    intercept_ : float or ndarray of shape (n_targets,)
        Independent term; 0.0 when ``fit_intercept=False``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when they are all strings.

    Notes
    -----
    Spark ML's ``LinearRegression`` parameters map as follows:

    ======================  ====================================================
    Spark ML                pymlcore
    ======================  ====================================================
    ``regParam=0``          ``LinearRegression()`` (no penalty)
    ``regParam>0``,         :class:`Ridge` with
    ``elasticNetParam=0``   ``alpha = regParam * sum(w) / std(y)`` (see its table)
    ``elasticNetParam``     no effect when ``regParam=0``
    ``standardization``     no effect on the unpenalised solution
    ``fitIntercept``        ``fit_intercept``
    ``weightCol``           ``sample_weight``
    ======================  ====================================================

    Examples
    --------
    >>> import numpy as np
    >>> from pymlcore.linear_model import LinearRegression
    >>> X = np.array([[1, 1], [1, 2], [2, 2], [2, 3]])
    >>> y = np.dot(X, np.array([1, 2])) + 3
    >>> reg = LinearRegression().fit(X, y)
    >>> reg.coef_.round(12)
    array([1., 2.])
    """

    _core_name = "LinearRegression"

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "n_jobs": [None, Integral],
        "positive": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, fit_intercept=True, copy_X=True, tol=1e-6, n_jobs=None,
                 positive=False):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Individual non-negative weights for each sample.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit_through_core(X, y, sample_weight, self.n_jobs)

    def _validated_fit_inputs(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse=False if self.positive else "csr",
                             dtype=[np.float64, np.float32], y_numeric=True,
                             multi_output=True)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                                 ensure_non_negative=True)
        params = {"fit_intercept": bool(self.fit_intercept), "tol": float(self.tol),
                  "positive": bool(self.positive)}
        return X, y, sample_weight, params

    def _core_set_state(self, state):
        """Sets coef_, intercept_, rank_, singular_ from a C state, as fit does."""
        facts = self._core_fit_facts
        dtype, y_ndim, sparse = facts["dtype"], facts["y_ndim"], facts["sparse"]
        # scikit-learn leaves nnls' and lsqr's float64 coefficients uncast when there
        # is no intercept to set.
        coef_dtype = np.float64 if (not self.fit_intercept and (self.positive or sparse)) \
            else dtype
        coef = state["coef_"]
        self.coef_ = (coef[0] if y_ndim == 1 else coef).astype(coef_dtype, copy=False)
        self._set_intercept_from(state, dtype, scalar=y_ndim == 1)
        if not sparse and not self.positive:
            self.rank_ = int(state["rank_"][0])
            self.singular_ = state["singular_"].astype(dtype, copy=False)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = not self.positive
        return tags


class Ridge(_LeastSquaresRegressor):
    """Linear least squares with l2 regularization, fitted in C.

    A drop-in for :class:`sklearn.linear_model.Ridge`.  Minimises::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    (the squared residuals weighted by ``sample_weight``), for one or several
    targets, each with its own ``alpha`` if an array is given.  Same parameters,
    validation, errors, warnings and fitted attributes as scikit-learn.

    Every solver name scikit-learn accepts is accepted, with its validity rules, and
    runs one of the C solvers below (they all solve the same convex problem):

    ==============================  ===============================================
    ``solver``                      C solver
    ==============================  ===============================================
    ``'auto'``                      ``'lbfgs'`` if positive, ``'cholesky'`` for
                                    dense X, ``'sparse_cg'`` for sparse X (as
                                    scikit-learn)
    ``'cholesky'``                  n_samples >= n_features: Cholesky of the
                                    centred weighted Gram ``X^T W X + alpha I``
                                    (one syrk pass over X); n_samples <
                                    n_features: Cholesky of the kernel
                                    ``X W X^T + alpha I`` built over column
                                    blocks, then ``w = X^T z``.  Sparse X whose
                                    Gram would be too costly (> 2000 features): CG
                                    to a 1e-10 relative residual.  A singular
                                    system (alpha = 0) falls back to ``'svd'`` as
                                    in scikit-learn.
    ``'svd'``                       SVD of the triangular factor of an incremental
                                    tall-skinny QR of the centred X (of X itself
                                    when n_samples < n_features); dense X only.
                                    Singular values <= 1e-15 (scikit-learn's
                                    cutoff) or at the rounding level of the
                                    largest are dropped.
    ``'sparse_cg'``, ``'lsqr'``,    conjugate gradients on the normal equations
    ``'sag'``, ``'saga'``           until ``||X^T W (y - Xw) - alpha w|| <= tol
                                    ||X^T W y||`` or ``max_iter`` (default: 10 x
                                    the number of unknowns): on the Gram up to
                                    2000 features, else CGLS with X applied
                                    implicitly (sparse X never densified, centred
                                    implicitly).  ``n_iter_`` reports the
                                    iterations for ``'lsqr'``, ``'sag'`` and
                                    ``'saga'``; a ConvergenceWarning says when
                                    ``max_iter`` stopped them.
    ``'lbfgs'`` (positive=True)     exact non-negative least squares
                                    (Lawson-Hanson) on ``[R; sqrt(alpha) I]``, R
                                    the triangular factor of X (as for
                                    LinearRegression).
    ==============================  ===============================================

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative L2 penalty; an array gives one penalty per target.

    fit_intercept : bool, default=True
        Whether to fit the intercept.

    copy_X : bool, default=True
        Kept for compatibility: X is never copied nor overwritten, whatever its value.

    max_iter : int, default=None
        Iteration cap of the conjugate gradient solvers.

    tol : float, default=1e-4
        Relative residual at which the conjugate gradient solvers stop; no effect on
        the direct solvers.

    solver : {'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga', \
            'lbfgs'}, default='auto'
        See the table above.

    positive : bool, default=False
        Force the coefficients to be non-negative ('auto' or 'lbfgs' only).

    random_state : int, RandomState instance, default=None
        Accepted for compatibility; the C solvers are deterministic and do not use it.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weight vector(s).

    intercept_ : float or ndarray of shape (n_targets,)
        Independent term; 0.0 when ``fit_intercept=False``.

    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations per target for 'lsqr', 'sag' and 'saga'; None otherwise.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when they are all strings.

    solver_ : str
        The solver used, named as scikit-learn names it.

    Notes
    -----
    Spark ML's ``LinearRegression`` with an L2 penalty minimises
    ``1/(2 sum(w)) sum_i w_i (y_i - x_i.beta - b)^2 + regParam/2 ||beta||^2`` on the
    label scaled by its standard deviation (``effectiveRegParam = regParam /
    std(y)``), with the penalty on standardized coefficients by default.  In
    scikit-learn's ``alpha`` (which multiplies the plain sum of squares):

    ===========================  ==================================================
    Spark ML                     pymlcore
    ===========================  ==================================================
    ``elasticNetParam=0``        ``Ridge`` (an L2 penalty only)
    ``regParam``                 ``alpha = regParam * sum(w) / std(y)``, std(y) the
                                 (weighted, ddof=1) standard deviation of the label
                                 Spark computes; ``sum(w) = n_samples`` unweighted
    ``standardization=True``     (Spark's default) the penalty applies to
                                 ``std(x_j) * coef_j``: fit on ``X / std(X)``
                                 (ddof=1) and divide ``coef_`` by ``std(X)``
    ``standardization=False``    fit on X as is
    ``fitIntercept``             ``fit_intercept``
    ``weightCol``                ``sample_weight``
    ``maxIter``, ``tol``         ``max_iter``, ``tol`` (iterative solvers only)
    ===========================  ==================================================

    Examples
    --------
    >>> import numpy as np
    >>> from pymlcore.linear_model import Ridge
    >>> rng = np.random.RandomState(0)
    >>> y = rng.randn(10)
    >>> X = rng.randn(10, 5)
    >>> Ridge(alpha=1.0).fit(X, y).coef_.shape
    (5,)
    """

    _core_name = "Ridge"

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(_RIDGE_SOLVERS))],
        "positive": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4,
                 solver="auto", positive=False, random_state=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def _resolve_solver(self, sparse):
        """scikit-learn's solver rules (_BaseRidge.fit), with its messages."""
        if self.solver == "lbfgs" and not self.positive:
            raise ValueError("'lbfgs' solver can be used only when positive=True. "
                             "Please use another solver.")
        if self.positive:
            if self.solver not in ("auto", "lbfgs"):
                raise ValueError(
                    f"solver='{self.solver}' does not support positive fitting. Please"
                    " set the solver to 'auto' or 'lbfgs', or set `positive=False`")
            return self.solver
        if sparse and self.fit_intercept:
            if self.solver not in ("auto", "lbfgs", "lsqr", "sag", "sparse_cg"):
                raise ValueError(
                    "solver='{}' does not support fitting the intercept "
                    "on sparse data. Please set the solver to 'auto' or "
                    "'lsqr', 'sparse_cg', 'sag', 'lbfgs' "
                    "or set `fit_intercept=False`".format(self.solver))
            if self.solver == "lsqr":
                return self.solver
            if self.solver == "sag" and self.max_iter is None and self.tol > 1e-4:
                warnings.warn(
                    '"sag" solver requires many iterations to fit '
                    "an intercept with sparse inputs. Either set the "
                    'solver to "auto" or "sparse_cg", or set a low '
                    '"tol" and a high "max_iter" (especially if inputs are '
                    "not standardized).")
                return "sag"
            return "sparse_cg"
        if self.solver == "svd" and sparse:
            raise TypeError("SVD solver does not support sparse inputs currently")
        return self.solver

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit Ridge regression model.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : float or ndarray of shape (n_samples,), default=None
            Individual non-negative weights for each sample; a float gives every
            sample the same weight.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit_through_core(X, y, sample_weight, None)

    def _validated_fit_inputs(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
                             multi_output=True, y_numeric=True)
        solver = self._resolve_solver(sp.issparse(X))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        params = {"alpha": np.asarray(self.alpha, dtype=np.float64).reshape(-1),
                  "fit_intercept": bool(self.fit_intercept),
                  "max_iter": -1 if self.max_iter is None else int(self.max_iter),
                  "tol": float(self.tol), "solver": solver, "positive": bool(self.positive)}
        return X, y, sample_weight, params

    def _core_set_state(self, state):
        """Sets coef_, intercept_, solver_, n_iter_ from a C state, as fit does."""
        facts = self._core_fit_facts
        dtype, y_ndim = facts["dtype"], facts["y_ndim"]
        coef = state["coef_"]
        self.coef_ = (coef[0] if coef.shape[0] == 1 else coef).astype(dtype, copy=False)
        self._set_intercept_from(state, dtype, scalar=y_ndim == 1)
        self.solver_ = _RIDGE_SOLVERS[int(state["solver_"][0])]
        self.n_iter_ = state["n_iter_"] if self.solver_ in ("lsqr", "sag", "saga") else None
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = (self.solver != "svd") and (
            self.solver != "cholesky" or not self.fit_intercept)
        return tags
