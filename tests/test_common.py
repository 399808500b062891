"""scikit-learn's own estimator checks over every public pymlcore estimator.

The list comes from ``pymlcore.utils.all_estimators()``, so an estimator is
checked as soon as its module lists it in ``__all__``; each is built with its
default parameters, as a user would, and meta-estimators with the parameter sets
of tests/_helpers.py's INIT_PARAMS (scikit-learn's _construct_instances pattern).
"""

import importlib

import pytest
from sklearn.base import is_classifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from _helpers import construct_instances
from pymlcore.utils import all_estimators

ESTIMATORS = all_estimators()

# {"ClassName": {"check_name": "one-sentence reason it is expected to fail"}}.
# Only checks that scikit-learn's own estimator of the same name fails as well, or
# that scikit-learn itself lists as expected to fail for it (its failure can
# depend on the data drawn); test_expected_failures_are_sklearns_own verifies it.
# Anything else is a gap to close, not to list here.
_BOOTSTRAP_WEIGHTS = (
    "As scikit-learn's (listed in its own PER_ESTIMATOR_XFAIL_CHECKS): with bootstrap, "
    "sample_weight is not equivalent to removing/repeating samples.")
_BINNED_WEIGHTS = (
    "As scikit-learn's (listed in its own PER_ESTIMATOR_XFAIL_CHECKS): bin thresholds "
    "come from the distinct values, so sample_weight is not equivalent to repeating "
    "samples.")
_SEARCH_Y_2D = (
    "As scikit-learn's searches (listed in its own PER_ESTIMATOR_XFAIL_CHECKS): a column "
    "y reaches an inner regressor unchanged, so no DataConversionWarning is raised "
    "(the parameter sets around a classifier pass).")
EXPECTED_FAILED_CHECKS = {
    "GridSearchCV": {"check_supervised_y_2d": _SEARCH_Y_2D},
    "RandomizedSearchCV": {"check_supervised_y_2d": _SEARCH_Y_2D},
    "TPESearchCV": {"check_supervised_y_2d": _SEARCH_Y_2D},
    "HistGradientBoostingClassifier": {
        "check_sample_weight_equivalence_on_dense_data": _BINNED_WEIGHTS},
    "HistGradientBoostingRegressor": {
        "check_sample_weight_equivalence_on_dense_data": _BINNED_WEIGHTS},
    "RandomForestClassifier": {
        "check_sample_weight_equivalence_on_dense_data": _BOOTSTRAP_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _BOOTSTRAP_WEIGHTS},
    "RandomForestRegressor": {
        "check_sample_weight_equivalence_on_dense_data": _BOOTSTRAP_WEIGHTS,
        "check_sample_weight_equivalence_on_sparse_data": _BOOTSTRAP_WEIGHTS},
    "Ridge": {
        "check_non_transformer_estimators_n_iter": (
            "As scikit-learn's Ridge (listed in its own PER_ESTIMATOR_XFAIL_CHECKS), "
            "n_iter_ is None for the direct solvers although max_iter exists."),
    },
}


# pymlcore estimators without a scikit-learn class of their name, and the
# scikit-learn class whose expected failures they share (same base class, same
# fit): the check above is run against it.
SKLEARN_ANALOGUES = {"TPESearchCV": "sklearn.model_selection.RandomizedSearchCV"}


def _expected_failed_checks(estimator):
    failed = EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})
    inner = getattr(estimator, "estimator", None)
    if inner is not None and is_classifier(inner):
        # the column-y failure of a search is its inner regressor's
        failed = {k: v for k, v in failed.items() if k != "check_supervised_y_2d"}
    return failed


def test_estimators_are_discovered():
    names = [name for name, _ in ESTIMATORS]
    assert "StandardScaler" in names
    assert names == sorted(names)


def test_expected_failures_are_sklearns_own():
    # Every listed failure is one scikit-learn's own estimator has too: the
    # check, run on it, fails.  (A stale entry for a renamed estimator fails.)
    import sklearn.utils.estimator_checks as checks
    from sklearn.utils._test_common.instance_generator import PER_ESTIMATOR_XFAIL_CHECKS

    from _helpers import sklearn_counterpart

    classes = dict(ESTIMATORS)
    for name, reasons in EXPECTED_FAILED_CHECKS.items():
        assert name in classes, f"no estimator {name}"
        counterpart = sklearn_counterpart(classes[name])
        if counterpart is None and name in SKLEARN_ANALOGUES:
            module, _, attr = SKLEARN_ANALOGUES[name].rpartition(".")
            counterpart = getattr(importlib.import_module(module), attr)
        assert counterpart is not None, name
        for check_name, reason in reasons.items():
            assert isinstance(reason, str) and reason
            if check_name in PER_ESTIMATOR_XFAIL_CHECKS.get(counterpart, {}):
                continue
            with pytest.raises(Exception):
                getattr(checks, check_name)(name, counterpart())


@parametrize_with_checks([est for _, cls in ESTIMATORS for est in construct_instances(cls)],
                         expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[name for name, _ in ESTIMATORS])
def test_default_construction_and_repr(name, cls):
    # __init__ stores parameters only: get_params round-trips them and the
    # notebook HTML repr renders.
    estimator = construct_instances(cls)[0]
    params = estimator.get_params(deep=False)
    assert type(estimator)(**params).get_params(deep=False) == params
    assert name in repr(estimator)
    assert name in estimator._repr_html_()


# ---- the utilities these checks rely on -------------------------------------------------

@pytest.mark.parametrize("type_filter", [None, "classifier", "regressor", "transformer",
                                         "cluster", ["classifier", "regressor"],
                                         ["transformer", "cluster"], []])
def test_all_estimators_type_filter_like_sklearn(type_filter):
    # scikit-learn's semantics, checked against scikit-learn's own function on
    # its estimators: the mixin decides; a list means the union; [] means none.
    from sklearn.base import ClassifierMixin, ClusterMixin, RegressorMixin, TransformerMixin
    from sklearn.utils import all_estimators as sk_all_estimators

    mixins = {"classifier": ClassifierMixin, "regressor": RegressorMixin,
              "transformer": TransformerMixin, "cluster": ClusterMixin}
    wanted = [] if type_filter is None else (
        type_filter if isinstance(type_filter, list) else [type_filter])
    ours = all_estimators(type_filter=list(wanted) if isinstance(type_filter, list)
                          else type_filter)
    assert ours == sorted(ours, key=lambda item: item[0])
    for name, cls in ESTIMATORS:
        keep = type_filter is None or any(issubclass(cls, mixins[w]) for w in wanted)
        assert ((name, cls) in ours) == keep, name
    # The same rule gives scikit-learn's own answer on scikit-learn's estimators.
    everything = sk_all_estimators()
    expected = [(n, c) for n, c in everything
                if type_filter is None or any(issubclass(c, mixins[w]) for w in wanted)]
    assert sk_all_estimators(type_filter=type_filter) == expected


def test_all_estimators_kinds():
    names = lambda f: {n for n, _ in all_estimators(type_filter=f)}  # noqa: E731
    assert "StandardScaler" in names("transformer")
    assert "StandardScaler" not in names("regressor") | names("classifier")
    # The list is the union of the single filters, without duplicates.
    both = all_estimators(type_filter=["classifier", "regressor"])
    assert len(both) == len(set(both))
    assert {n for n, _ in both} == names("classifier") | names("regressor")


@pytest.mark.parametrize("bad", ["foo", ["transformer", "foo"], ("transformer",)])
def test_all_estimators_rejects_unknown_filters_like_sklearn(bad):
    from sklearn.utils import all_estimators as sk_all_estimators

    with pytest.raises(ValueError) as theirs:
        sk_all_estimators(type_filter=bad)
    with pytest.raises(ValueError) as ours:
        all_estimators(type_filter=bad)
    assert str(ours.value) == str(theirs.value)


def test_show_versions_prints_blas_openmp_and_threads(capsys):
    import pymlcore

    pymlcore.show_versions()
    out = capsys.readouterr().out
    for expected in ("python:", "scikit-learn:", "numpy:", "threadpoolctl:",
                     "compiler:", "openmp:", "blas: scipy-openblas32",
                     "threads: n_jobs=None runs", "BLAS library:"):
        assert expected in out, expected
    pools = [line.strip() for line in out.splitlines()
             if line.strip().startswith(("blas:", "openmp:")) and "threads=" in line]
    assert any(line.startswith("blas: openblas") for line in pools), out
    assert any(line.startswith("openmp:") for line in pools), out
    # The BLAS pymlcore calls is loaded, and marked as such.
    assert sum("<- pymlcore's BLAS" in line for line in pools) == 1, out
