"""What every linear model shares on the Python side: prediction through the C
table of the estimator from ``coef_`` and ``intercept_`` (so a user-set coef_
predicts, as in scikit-learn)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from .._engine import apply_core


def linear_state(coef, intercept):
    """The arrays the C side reads back: coef_ as (n_targets, n_features), intercept_
    as (n_targets,), both float64 (cheap: they are small)."""
    coef = np.asarray(coef, dtype=np.float64)
    coef2d = coef.reshape(1, -1) if coef.ndim == 1 else coef
    intercept = np.broadcast_to(np.asarray(intercept, dtype=np.float64).reshape(-1),
                                (coef2d.shape[0],))
    return {"coef_": np.ascontiguousarray(coef2d), "intercept_": np.ascontiguousarray(intercept)}


class LinearPredictMixin:
    """decision values X @ coef_.T + intercept_ computed in C.

    Subclasses set `_core_name` to their C estimator table's name."""

    _core_name = None

    def _decision_values(self, X, method="predict"):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32],
                          reset=False)
        return apply_core(self._core_name, method, linear_state(self.coef_, self.intercept_), X)
