"""``all_estimators``: every public pymlcore estimator, as scikit-learn's does."""

import importlib
import inspect
import pkgutil
from operator import itemgetter


def all_estimators(type_filter=None):
    """List of (name, class) of every public estimator in pymlcore, sorted by name.

    Public means: listed in the ``__all__`` of a public module (no part of its
    dotted name starts with "_"), a subclass of scikit-learn's BaseEstimator,
    not abstract.

    type_filter: None, or one of "classifier", "regressor", "transformer",
    "cluster", or a list of them, with scikit-learn's meaning: the estimators
    deriving from the corresponding mixin, the union for a list.  Anything else
    (including a tuple) raises scikit-learn's ValueError.
    """
    from sklearn.base import (BaseEstimator, ClassifierMixin, ClusterMixin, RegressorMixin,
                              TransformerMixin)

    import pymlcore

    found = set()
    for module_info in pkgutil.walk_packages(pymlcore.__path__, prefix="pymlcore."):
        parts = module_info.name.split(".")
        if any(part.startswith("_") for part in parts[1:]) or "tests" in parts:
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not inspect.isabstract(obj) and not name.startswith("_")):
                found.add((name, obj))
    estimators = list(found)
    if type_filter is not None:
        # scikit-learn's algorithm, so that the same arguments give the same
        # result or the same error.
        type_filter = list(type_filter) if isinstance(type_filter, list) else [type_filter]
        filters = {"classifier": ClassifierMixin, "regressor": RegressorMixin,
                   "transformer": TransformerMixin, "cluster": ClusterMixin}
        filtered = []
        for name, mixin in filters.items():
            if name in type_filter:
                type_filter.remove(name)
                filtered.extend(est for est in estimators if issubclass(est[1], mixin))
        estimators = filtered
        if type_filter:
            raise ValueError("Parameter type_filter must be 'classifier', 'regressor', "
                             f"'transformer', 'cluster' or None, got {type_filter!r}.")
    return sorted(set(estimators), key=itemgetter(0))
