"""``all_estimators``: every public pymlcore estimator, as scikit-learn's does."""

import importlib
import inspect
import pkgutil

from sklearn.base import (BaseEstimator, ClassifierMixin, ClusterMixin, RegressorMixin,
                          TransformerMixin)

_TYPE_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def all_estimators(type_filter=None):
    """List of (name, class) of every public estimator in pymlcore, sorted by name.

    type_filter: None, or one or a list of "classifier", "regressor",
    "transformer", "cluster", with scikit-learn's meaning.
    """
    import pymlcore

    found = {}
    for module_info in pkgutil.walk_packages(pymlcore.__path__, prefix="pymlcore."):
        parts = module_info.name.split(".")
        if any(part.startswith("_") for part in parts[1:]) or "tests" in parts:
            continue
        module = importlib.import_module(module_info.name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not inspect.isabstract(obj) and not name.startswith("_")):
                found[name] = obj
    estimators = sorted(found.items())
    if type_filter is None:
        return estimators
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    unknown = [f for f in filters if f not in _TYPE_FILTERS]
    if unknown:
        raise ValueError(f"type_filter must be None or among {sorted(_TYPE_FILTERS)}, "
                         f"got {unknown}")
    return [(n, c) for n, c in estimators
            if any(issubclass(c, _TYPE_FILTERS[f]) for f in filters)]
