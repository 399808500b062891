"""A Hyperopt script runs unchanged but for its import: the same text executed
with ``from hyperopt import ...`` and with ``from pymlcore.tune import ...``
completes with the same API use and results of the same shape (not the same
numbers: the two draw different random streams)."""

import logging

import numpy as np
import pytest

SCRIPT = '''
{imports}
import functools
import numpy as np

space = {{
    "lr": hp.loguniform("lr", np.log(1e-4), np.log(1.0)),
    "layers": hp.quniform("layers", 1, 4, 1),
    "units": hp.uniformint("units", 8, 64),
    "seed_k": hp.randint("seed_k", 5),
    "noise": hp.normal("noise", 0.0, 1.0),
    "scale": hp.lognormal("scale", 0.0, 0.5),
    "opt": hp.choice("opt", [
        {{"name": "sgd", "momentum": hp.uniform("momentum", 0.0, 0.99)}},
        {{"name": "adam", "beta": hp.qloguniform("beta", np.log(1), np.log(100), 1)}},
    ]),
    "act": hp.pchoice("act", [(0.3, "relu"), (0.7, "tanh")]),
    "q": hp.qnormal("q", 0.0, 2.0, 0.5),
    "ql": hp.qlognormal("ql", 0.0, 1.0, 1),
}}

def objective(p):
    if p["units"] == 13:
        return {{"status": STATUS_FAIL}}
    loss = (np.log10(p["lr"]) + 2) ** 2 + abs(p["layers"] - 2) + abs(p["units"] - 32) / 32
    loss += 0.1 * p["noise"] ** 2 + (0 if p["opt"]["name"] == "adam" else 0.5)
    return {{"loss": loss, "status": STATUS_OK, "units": p["units"]}}

trials = Trials()
algo = functools.partial(tpe.suggest, n_startup_jobs=10)
best = fmin(objective, space, algo=algo, max_evals=40, trials=trials,
            rstate=np.random.default_rng(42), show_progressbar=False,
            early_stop_fn=no_progress_loss(30))
point = space_eval(space, best)
rand_best = fmin(objective, space, algo=rand.suggest, max_evals=10,
                 rstate=np.random.default_rng(0), show_progressbar=False, return_argmin=False)
result = dict(
    best=best, point=point, n=len(trials.trials), losses=trials.losses(),
    statuses=trials.statuses(), best_loss=trials.best_trial["result"]["loss"],
    argmin=trials.argmin, vals_keys=sorted(trials.vals), rand_best=rand_best,
    first=trials.trials[0],
)
'''

IMPORTS = {
    "hyperopt": "from hyperopt import fmin, tpe, rand, hp, Trials, space_eval, STATUS_OK, "
                "STATUS_FAIL\nfrom hyperopt.early_stop import no_progress_loss",
    "pymlcore": "from pymlcore.tune import fmin, tpe, rand, hp, Trials, space_eval, STATUS_OK, "
                "STATUS_FAIL\nfrom pymlcore.tune.early_stop import no_progress_loss",
}


def run(lib):
    ns = {}
    exec(SCRIPT.format(imports=IMPORTS[lib]), ns)  # noqa: S102 (the script under test)
    return ns["result"]


def shape(value):
    """The structure of a value: dict keys and the types at the leaves."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else type(value).__name__


@pytest.fixture(scope="module")
def results():
    logging.getLogger("hyperopt").setLevel(logging.ERROR)
    return {lib: run(lib) for lib in IMPORTS}


def test_same_script_completes_with_both(results):
    h, p = results["hyperopt"], results["pymlcore"]
    for r in (h, p):
        assert r["n"] == 40 and len(r["losses"]) == 40
        assert r["best_loss"] == min(x for x in r["losses"] if x is not None)
        assert r["argmin"] == r["best"]
        assert set(r["statuses"]) <= {"ok", "fail"}
    assert h["vals_keys"] == p["vals_keys"]
    # the same labels are active in the best points' branches, with the same types
    assert set(h["point"]) == set(p["point"])
    assert {k: type(v) for k, v in h["point"].items() if k != "opt"} == \
        {k: type(v) for k, v in p["point"].items() if k != "opt"}
    assert set(shape(h["first"])) == set(shape(p["first"]))
    assert set(h["first"]["misc"]) >= {"tid", "vals", "idxs"} <= set(p["first"]["misc"])
    assert set(h["rand_best"]) == set(p["rand_best"])
    # choices as indices in argmin, as Hyperopt
    assert isinstance(p["best"]["opt"], int) and isinstance(h["best"]["opt"], (int, np.integer))
    assert p["point"]["opt"]["name"] in ("sgd", "adam")
    assert isinstance(p["point"]["units"], int) and isinstance(p["point"]["seed_k"], int)
