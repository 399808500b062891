"""fmin / Trials / tpe.suggest / rand.suggest: Hyperopt's API and behaviour."""

import datetime
import functools
import math
import time

import numpy as np
import pytest

from pymlcore.tune import (STATUS_FAIL, STATUS_OK, AllTrialsFailed, InvalidResultStatus,
                           Trials, fmin, hp, no_progress_loss, rand, space_eval, tpe)
from pymlcore.tune.early_stop import no_progress_loss as no_progress_loss_hyperopt_path

SPACE = {"x": hp.uniform("x", -5, 5), "y": hp.uniform("y", -5, 5),
         "k": hp.choice("k", [0.0, 1.0, 2.0])}


def quadratic(p):
    return (p["x"] - 1.5) ** 2 + (p["y"] + 0.5) ** 2 + p["k"]


def run(algo=tpe.suggest, max_evals=40, seed=0, space=SPACE, fn=quadratic, **kw):
    trials = Trials()
    best = fmin(fn, space, algo=algo, max_evals=max_evals, trials=trials,
                rstate=np.random.default_rng(seed), show_progressbar=False, **kw)
    return best, trials


def test_tpe_beats_random_search():
    # 5-d shifted quadratic, 100 trials (20 random start-up ones), 9 seeds.
    # Margin: TPE's median best loss must be under 0.6 x random search's (seen:
    # about 0.4 x, as Hyperopt's TPE on the same problem).
    space = {f"x{i}": hp.uniform(f"x{i}", -5, 5) for i in range(5)}

    def fn(p):
        return sum((p[f"x{i}"] - 0.5 * i + 1) ** 2 for i in range(5))

    best = {}
    for name, algo in (("tpe", tpe.suggest), ("random", rand.suggest)):
        best[name] = np.median([min(run(algo, 100, seed, space, fn)[1].losses())
                                for seed in range(9)])
    assert best["tpe"] < 0.6 * best["random"], best


def test_trials_api():
    best, trials = run(max_evals=25)
    assert len(trials) == 25 and len(trials.trials) == 25
    assert trials.tids == list(range(25))
    assert [t["tid"] for t in trials] == trials.tids
    assert trials.statuses() == [STATUS_OK] * 25
    losses = trials.losses()
    assert trials.results[3] == {"loss": losses[3], "status": STATUS_OK}
    bt = trials.best_trial
    assert bt["result"]["loss"] == min(losses)
    assert trials.argmin == best == {k: v[0] for k, v in bt["misc"]["vals"].items()}
    assert isinstance(best["k"], int) and 0 <= best["k"] < 3  # choice -> index
    assert quadratic(space_eval(SPACE, best)) == pytest.approx(min(losses), rel=1e-12)
    assert set(trials.vals) == {"x", "y", "k"} and len(trials.vals["x"]) == 25
    t = trials.trials[0]
    assert t["state"] == 2 and isinstance(t["book_time"], datetime.datetime)
    assert t["refresh_time"] >= t["book_time"]
    # fmin continues an existing Trials up to max_evals in total
    fmin(quadratic, SPACE, algo=tpe.suggest, max_evals=30, trials=trials,
         rstate=np.random.default_rng(1), show_progressbar=False)
    assert len(trials) == 30
    assert fmin(quadratic, SPACE, algo=tpe.suggest, max_evals=5, show_progressbar=False,
                return_argmin=False, rstate=np.random.default_rng(0))["k"] in (0.0, 1.0, 2.0)


def test_deterministic_for_a_seed_and_across_n_jobs():
    ref = run(max_evals=40, seed=7)[1].losses()
    assert run(max_evals=40, seed=7)[1].losses() == ref
    assert run(max_evals=40, seed=8)[1].losses() != ref
    # a batch of 4 suggestions at a time: the same trials with 1 or 2 threads
    batched = run(max_evals=40, seed=7, max_queue_len=4)[1].losses()
    assert run(max_evals=40, seed=7, max_queue_len=4, n_jobs=2)[1].losses() == batched


def test_partial_options_are_used():
    algo = functools.partial(tpe.suggest, n_startup_jobs=5, gamma=0.5, n_EI_candidates=10,
                             prior_weight=0.5)
    _, a = run(algo, 12, seed=1)
    _, b = run(tpe.suggest, 12, seed=1)
    # with 5 start-up trials the 6th trial onward is already TPE, not random
    assert a.losses()[:5] == b.losses()[:5] and a.losses()[5:] != b.losses()[5:]
    for bad, match in ((dict(gamma=0), "gamma"), (dict(n_EI_candidates=0), "n_ei_candidates"),
                       (dict(n_startup_jobs=-1), "n_startup_jobs"),
                       (dict(prior_weight=0), "prior_weight")):
        with pytest.raises(ValueError, match=match):
            run(functools.partial(tpe.suggest, **{"n_startup_jobs": 0, **bad}), 3)


def test_failing_trials_status_fail_and_exceptions():
    def fn(p):
        if p["x"] < 0:
            return {"status": STATUS_FAIL, "why": "negative"}
        return {"loss": p["x"], "status": STATUS_OK, "extra": [1, 2]}

    best, trials = run(fn=fn, max_evals=30, space={"x": hp.uniform("x", -1, 1)})
    statuses = trials.statuses()
    assert STATUS_FAIL in statuses and STATUS_OK in statuses
    fail = next(t for t in trials.trials if t["result"]["status"] == STATUS_FAIL)
    assert fail["result"]["why"] == "negative" and fail["result"].get("loss") is None
    assert best["x"] >= 0 and trials.best_trial["result"]["extra"] == [1, 2]

    with pytest.raises(AllTrialsFailed):
        run(fn=lambda p: {"status": STATUS_FAIL}, max_evals=3)
    with pytest.raises(InvalidResultStatus):
        run(fn=lambda p: {"status": "great", "loss": 1.0}, max_evals=1)

    def boom(p):
        if p["x"] > 0:
            raise ZeroDivisionError("boom")
        return p["x"]

    # exceptions propagate ...
    with pytest.raises(ZeroDivisionError, match="boom"):
        run(fn=boom, max_evals=30, space={"x": hp.uniform("x", -1, 1)})
    # ... unless caught: the failing trials then drop out of trials.trials (as Hyperopt)
    _, trials = run(fn=boom, max_evals=30, space={"x": hp.uniform("x", -1, 1)},
                    catch_eval_exceptions=True)
    assert 0 < len(trials.trials) < 30 and all(t["result"]["loss"] <= 0 for t in trials.trials)
    errors = [t for t in trials._dynamic_trials if t["state"] == 3]
    assert len(errors) + len(trials.trials) == 30 and "boom" in errors[0]["misc"]["error"][1]


def test_early_stop_loss_threshold_and_timeout():
    # a constant loss never improves: no_progress_loss(5) stops after 5 trials
    # (Hyperopt's count includes the first trial)
    _, trials = run(fn=lambda p: 1.0, max_evals=100, early_stop_fn=no_progress_loss(5))
    assert len(trials) == 5
    assert no_progress_loss_hyperopt_path is no_progress_loss
    _, trials = run(max_evals=200, loss_threshold=3.0)
    assert min(trials.losses()) < 3.0 and min(trials.losses()[:-1]) >= 3.0
    t0 = time.monotonic()
    _, trials = run(fn=lambda p: time.sleep(0.05) or p["x"] ** 2, max_evals=1000, timeout=0.5)
    assert 2 <= len(trials) < 50 and time.monotonic() - t0 < 5
    with pytest.raises(ValueError, match="timeout"):
        run(max_evals=1, timeout=-1)
    with pytest.raises(ValueError, match="loss_threshold"):
        run(max_evals=1, loss_threshold="low")


def test_callbacks_points_to_evaluate_and_bad_arguments():
    seen = []
    best = fmin(quadratic, SPACE, algo=tpe.suggest, max_evals=12, callbacks=[seen.append],
                points_to_evaluate=[{"x": 1.5, "y": -0.5, "k": 0}], show_progressbar=False,
                rstate=np.random.default_rng(0))
    assert [t["tid"] for t in seen] == list(range(12))
    assert seen[0]["result"]["loss"] == 0.0 and best == {"x": 1.5, "y": -0.5, "k": 0}
    with pytest.raises(ValueError, match="points_to_evaluate"):
        run(max_evals=2, points_to_evaluate=[{"x": 0.0, "y": 0.0, "k": 0}])
    with pytest.raises(ValueError, match="rstate"):
        fmin(quadratic, SPACE, algo=tpe.suggest, max_evals=1, rstate=3, show_progressbar=False)
    with pytest.raises(ValueError, match="max_evals"):
        fmin(quadratic, SPACE, algo=tpe.suggest, max_evals=-2, show_progressbar=False)
    with pytest.raises(ValueError, match="max_queue_len"):
        run(max_evals=2, max_queue_len=0)
    with pytest.raises(ValueError, match="n_jobs"):
        run(max_evals=2, n_jobs=0)
    with pytest.raises(TypeError, match="fn must be callable"):
        fmin(None, SPACE, algo=tpe.suggest, max_evals=1, show_progressbar=False)


def test_progress_bar(capsys):
    run(max_evals=3)
    assert capsys.readouterr().err == ""
    trials = Trials()
    fmin(quadratic, SPACE, algo=rand.suggest, max_evals=3, trials=trials,
         rstate=np.random.default_rng(0))
    assert "3/3" in capsys.readouterr().err


def test_multivariate_and_constant_liar_through_partial():
    for kw in (dict(multivariate=True), dict(constant_liar=True)):
        algo = functools.partial(tpe.suggest, n_startup_jobs=10, **kw)
        _, trials = run(algo, 40, seed=3, max_queue_len=4)
        assert len(trials) == 40 and min(trials.losses()) < 3
        assert math.isfinite(min(trials.losses()))
