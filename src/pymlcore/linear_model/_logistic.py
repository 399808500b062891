"""LogisticRegression, fitted and applied in C (csrc/core/linear/logistic.c)."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils import compute_class_weight
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .._engine import apply_core, core_matrix, fit_core

_FLOAT_DTYPES = [np.float64, np.float32]


def _check_solver(solver, penalty, dual):
    """scikit-learn 1.9.1's rules (same exception types and messages)."""
    if solver not in ["liblinear", "saga"] and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} penalty."
        )
    if solver != "liblinear" and dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if penalty == "elasticnet" and solver != "saga":
        raise ValueError(
            f"Only 'saga' solver supports elasticnet penalty, got solver={solver}."
        )
    if solver == "liblinear" and penalty is None:
        raise ValueError(
            "C=np.inf as well as penalty=None is not supported for the liblinear solver"
        )
    return solver


class LogisticRegression(LinearClassifierMixin, SparseCoefMixin, BaseEstimator):
    """Logistic Regression (aka logit, MaxEnt) classifier, fitted in C.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression` (scikit-learn
    1.9.1): same parameters, defaults, validation, warnings and fitted attributes
    (``classes_``, ``coef_`` of shape (1, n_features) for two classes and
    (n_classes, n_features) otherwise, ``intercept_``, ``n_iter_`` of shape (1,),
    ``n_features_in_``, ``feature_names_in_``), with the fit and every prediction
    computed in C on the input as given: float32 or float64, C or Fortran order,
    or CSR, without copying it.

    It minimises, over ``coef_`` and ``intercept_``, scikit-learn's objective::

        C * sum_i s_i * loss_i + (1 - l1_ratio) / 2 * ||coef||_2^2 + l1_ratio * ||coef||_1

    (scaled by 1 / (C * sum_i s_i) internally, as scikit-learn's lbfgs does, so that
    ``tol`` means the same), where s_i is the sample weight times the class
    weight, loss_i the binomial log-loss for two classes and the multinomial
    (softmax) log-loss, with one coefficient row per class, for three or more.
    ``C=np.inf`` means no penalty.  The intercept is not penalised, except with
    ``solver='liblinear'``, which penalises the weight ``intercept_ /
    intercept_scaling`` of its synthetic constant feature like any other
    coefficient, as liblinear does.

    Solvers.  Every value scikit-learn accepts is accepted, with its rules on
    which penalties each allows (``dual=True`` only with liblinear and L2), and
    each reaches the same optimum as scikit-learn's; the algorithm is chosen by
    the penalty:

    - smooth problems (``l1_ratio=0`` or ``C=np.inf``): L-BFGS in C, written to
      behave like scipy's L-BFGS-B as scikit-learn calls it (10 correction
      pairs, More-Thuente strong-Wolfe line search of at most 50 evaluations,
      stop when max |gradient| <= tol or the relative decrease of the objective
      is below 64 * machine epsilon, ``n_iter_`` = iterations, at most
      ``max_iter``).  'lbfgs', 'newton-cg', 'newton-cholesky', 'sag', 'saga' and
      'liblinear' (L2, primal or dual: one optimum) all use it here, so
      ``n_iter_`` counts L-BFGS iterations whatever the name.
    - L1 and elastic net (``0 < l1_ratio <= 1``, 'saga'; ``l1_ratio=1``,
      'liblinear'): a proximal quasi-Newton method (as liblinear's newGLMNET,
      with the L-BFGS matrix in place of the Hessian): each iteration minimises
      the L-BFGS quadratic model plus the L1 term by coordinate descent, then
      backtracks on the objective.  It stops when the largest component of the
      minimum-norm subgradient of the scaled objective is at most ``tol`` (on a
      smooth problem that is L-BFGS's gradient test), or when the objective is
      flat to rounding and the steps are negligible; ``max_iter`` iterations at
      most.  ``n_iter_`` counts these iterations, not saga's epochs.

    Each evaluation of the objective is one fused, multi-threaded pass over row
    blocks (decision, loss and X^T residual while the block is in cache), summed
    in a fixed order: results do not depend on the number of threads.
    ``random_state`` and ``verbose`` are accepted and have no effect (no solver
    here is randomised or prints).  ``n_jobs`` is deprecated in scikit-learn and
    warns as there; here it sets the number of threads (None: all cores).

    Spark ML's ``LogisticRegression`` minimises the weighted mean loss plus
    ``regParam * ((1 - elasticNetParam) / 2 ||w||^2 + elasticNetParam ||w||_1)``:

    =========================  =====================================================
    Spark ML                   this estimator
    =========================  =====================================================
    ``regParam``               ``C = 1 / (regParam * sum(sample_weight))``, i.e.
                               ``1 / (regParam * n_samples)`` without weights;
                               ``regParam=0`` is ``C=np.inf``
    ``elasticNetParam``        ``l1_ratio`` (same meaning)
    ``standardization=True``   no parameter: Spark penalises coefficients of
                               features scaled to unit (n-1) standard deviation;
                               put a ``StandardScaler`` first (population std,
                               a factor sqrt(n / (n - 1)) apart) and divide the
                               coefficients by its ``scale_`` to compare
    ``standardization=False``  the default behaviour here
    ``fitIntercept``           ``fit_intercept``
    ``maxIter`` / ``tol``      ``max_iter`` / ``tol`` (different stopping tests)
    ``family="multinomial"``   automatic for three or more classes
    =========================  =====================================================

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated in scikit-learn 1.8 (FutureWarning): use ``l1_ratio`` and
        ``C``.  'l2' is ``l1_ratio=0``, 'l1' is ``l1_ratio=1``, 'elasticnet' uses
        ``l1_ratio`` and None is ``C=np.inf``.
    C : float, default=1.0
        Inverse of regularisation strength, positive; ``np.inf``: no penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing in [0, 1]: 0 is L2, 1 is L1.  None is deprecated.
    dual : bool, default=False
        Dual formulation, only allowed with liblinear and an L2 penalty (it has
        the same optimum as the primal, which is what is solved).
    tol : float, default=1e-4
        Stopping tolerance on the largest (sub)gradient component of the
        objective scaled by 1 / (C * sum of weights).
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    intercept_scaling : float, default=1
        liblinear's synthetic feature value: with ``solver='liblinear'`` the
        intercept is penalised as ``intercept_ / intercept_scaling``.  Ignored by
        the other solvers, as in scikit-learn.
    class_weight : dict or 'balanced', default=None
        Class weights, multiplied into the sample weights ('balanced':
        ``n_samples / (n_classes * np.bincount(y))``, weighted by sample_weight).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility; no solver here is randomised.
    solver : {'lbfgs', 'liblinear', 'newton-cg', 'newton-cholesky', 'sag', \
'saga'}, default='lbfgs'
        scikit-learn's solver name; see "Solvers" above for what runs.
    max_iter : int, default=100
        Maximum number of solver iterations.
    verbose : int, default=0
        Accepted for compatibility; nothing is printed.
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` and ``intercept_`` (not with
        liblinear, as in scikit-learn).
    n_jobs : int, default=None
        Number of threads of the fit and predictions (None: all cores).  Setting
        it warns, as scikit-learn deprecated the parameter.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        X's dtype (float32 stays float32), float64 with liblinear.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Zeros when ``fit_intercept=False`` (the float 0.0 with liblinear).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    n_iter_ : ndarray of shape (1,), int32
    """

    _parameter_constraints: dict = {
        "penalty": [
            StrOptions({"l1", "l2", "elasticnet"}),
            None,
            Hidden(StrOptions({"deprecated"})),
        ],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "dual": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "intercept_scaling": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [
            StrOptions({"lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga"})
        ],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "n_jobs": [None, Integral],
    }

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs

    def _resolve_penalty(self):
        """(C, l1_ratio) the C core minimises with, and the solver, after
        scikit-learn 1.9.1's deprecation handling, warnings and errors."""
        if self.penalty == "deprecated":
            if self.l1_ratio == 0 or self.l1_ratio is None:
                penalty = "l2"
                if self.l1_ratio is None:
                    warnings.warn(
                        "'l1_ratio=None' was deprecated in version 1.8 and will "
                        "trigger an error in 1.10. Use 0<=l1_ratio<=1 instead.",
                        FutureWarning,
                    )
            elif self.l1_ratio == 1:
                penalty = "l1"
            else:
                penalty = "elasticnet"
            if self.C == np.inf:
                penalty = None
        else:
            penalty = self.penalty
            warnings.warn(
                "'penalty' was deprecated in version 1.8 and will be removed in"
                " 1.10. To avoid this warning, leave 'penalty' set to its default"
                " value and use 'l1_ratio' or 'C' instead."
                " Use l1_ratio=0 instead of penalty='l2',"
                " l1_ratio=1 instead of penalty='l1',"
                " l1_ratio set to a float between 0 and 1 instead of"
                " penalty='elasticnet', and C=np.inf instead of penalty=None.",
                FutureWarning,
            )
        solver = _check_solver(self.solver, penalty, self.dual)
        if penalty != "elasticnet" and (self.l1_ratio is not None and 0 < self.l1_ratio < 1):
            warnings.warn(
                "l1_ratio parameter is only used when penalty is "
                "'elasticnet'. Got "
                "(penalty={})".format(penalty)
            )
        if (self.penalty == "l2" and self.l1_ratio != 0) or (
            self.penalty == "l1" and self.l1_ratio != 1
        ):
            warnings.warn(
                f"Inconsistent values: penalty={self.penalty} with "
                f"l1_ratio={self.l1_ratio}. penalty is deprecated. Please use "
                f"l1_ratio only."
            )
        if penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
        if self.penalty is None:
            if self.C != 1.0:
                warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters")
            C = np.inf
        else:
            C = self.C
        if self.n_jobs is not None:
            warnings.warn(
                "'n_jobs' was deprecated in scikit-learn 1.8 and will be removed in 1.10 "
                f"(it has no effect there). You provided 'n_jobs={self.n_jobs}'; pymlcore "
                "uses it as the number of threads.",
                FutureWarning,
            )
        l1_ratio = {"l2": 0.0, "l1": 1.0, None: 0.0}.get(penalty, self.l1_ratio)
        return float(C), float(l1_ratio), solver

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model on X (n_samples, n_features), dense or CSR, and y.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples (multiplied by the class weights).
        """
        args = self._core_fit_args(X, y, sample_weight)
        init = None
        if self.warm_start and args["params"]["solver"] != "liblinear" and hasattr(self, "coef_"):
            init = self._core_state()
        state = fit_core(args["name"], args["params"], args["X"], args["y"],
                         args["sample_weight"], init=init, n_jobs=self.n_jobs, random_state=0,
                         blas_in_threads=True)
        return self._core_set_state(state)

    # The C protocol (see pymlcore.grouped and pymlcore.model_selection): the
    # validated inputs and C parameters of a fit on the whole data, with y encoded
    # as class indices 0..k-1; the classes stay on the instance for _core_set_state.
    # fit is these two around one C call, so the drivers and fit cannot diverge.

    def _core_fit_args(self, X, y=None, sample_weight=None):
        """Validated inputs and parameters of the C fit (y as class indices).
        Sets n_features_in_ / feature_names_in_ as fit does."""
        C, l1_ratio, solver = self._resolve_penalty()
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=_FLOAT_DTYPES)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        n_classes = classes.shape[0]
        liblinear = solver == "liblinear"
        if liblinear and n_classes > 2:
            raise ValueError(
                "The 'liblinear' solver does not support multiclass classification"
                " (n_classes >= 3). Either use another solver or wrap the "
                "estimator in a OneVsRestClassifier to keep applying a "
                "one-versus-rest scheme."
            )
        if n_classes < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes"
                " in the data, but the data contains only one"
                " class: %r" % classes[0]
            )
        if sample_weight is not None or self.class_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
            if self.class_weight is not None:
                class_weight = compute_class_weight(
                    self.class_weight, classes=classes, y=y, sample_weight=sample_weight
                )
                sample_weight = sample_weight * class_weight[y_index].astype(X.dtype)
        params = {
            "C": C,
            "l1_ratio": l1_ratio,
            "tol": float(self.tol),
            "max_iter": int(self.max_iter),
            "fit_intercept": bool(self.fit_intercept),
            "intercept_scaling": float(self.intercept_scaling),
            "solver": solver,
            "n_classes": int(n_classes),
        }
        self._core_fit_facts = {"classes": classes, "dtype": X.dtype, "liblinear": liblinear}
        return {"name": "LogisticRegression", "params": params, "X": core_matrix(X),
                "y": y_index, "sample_weight": sample_weight}

    def _core_set_state(self, state):
        """Sets classes_, coef_, intercept_, n_iter_ from a C state, as fit does."""
        facts = self._core_fit_facts
        liblinear = facts["liblinear"]
        self.classes_ = facts["classes"]
        dtype = np.float64 if liblinear else facts["dtype"]
        self.coef_ = state["coef_"].astype(dtype, copy=False)
        if liblinear and not self.fit_intercept:
            self.intercept_ = 0.0
        else:
            self.intercept_ = state["intercept_"].astype(dtype, copy=False)
        self.n_iter_ = state["n_iter_"].astype(np.int32)
        return self

    def _core_apply_args(self, method, X):
        """Validated X of a C `method` call ("predict" gives class indices)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=_FLOAT_DTYPES, reset=False)
        return {"name": "LogisticRegression", "method": method, "X": core_matrix(X)}

    def _core_state(self):
        """coef_ / intercept_ as the C core reads them (no copy of float coef_)."""
        coef = self.coef_
        if sp.issparse(coef):  # after sparsify()
            coef = coef.toarray()
        coef = np.asarray(coef)
        if coef.dtype not in _FLOAT_DTYPES:
            coef = coef.astype(np.float64)
        coef = coef.reshape(1, -1) if coef.ndim == 1 else coef
        intercept = np.asarray(self.intercept_, dtype=np.float64).reshape(-1)
        return {"coef_": coef, "intercept_": np.broadcast_to(intercept, (coef.shape[0],))}

    def _apply(self, method, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=_FLOAT_DTYPES, reset=False)
        return apply_core("LogisticRegression", method, self._core_state(), X, n_jobs=self.n_jobs)

    def decision_function(self, X):
        """Confidence scores X @ coef_.T + intercept_: (n_samples,) for two
        classes (positive: classes_[1]), else (n_samples, n_classes)."""
        return self._apply("decision_function", X)

    def predict(self, X):
        """Class labels: the largest decision value (positive score: classes_[1])."""
        index = self._apply("predict", X)
        return self.classes_.take(index.astype(np.intp))

    def predict_proba(self, X):
        """Probabilities (n_samples, n_classes) in the order of classes_: the
        sigmoid for two classes, the softmax otherwise."""
        return self._apply("predict_proba", X)

    def predict_log_proba(self, X):
        """Logarithm of predict_proba (as scikit-learn computes it)."""
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        if self.solver == "liblinear":
            tags.classifier_tags.multi_class = False
        return tags
