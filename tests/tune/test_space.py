"""Search spaces: every hp kind's draws lie in its support and on its grid, with
random search and with TPE; conditional spaces; space_eval; bad spaces."""

import math

import numpy as np
import pytest

from pymlcore.tune import RandomSampler, TPESampler, Trials, fmin, hp, rand, space_eval, tpe

KINDS = {
    "uniform": (hp.uniform("x", -2.0, 3.0), lambda v: -2 <= v <= 3),
    "quniform": (hp.quniform("x", 0, 10, 2.5), lambda v: v in (0, 2.5, 5, 7.5, 10)),
    "loguniform": (hp.loguniform("x", -3, 1), lambda v: math.exp(-3) <= v <= math.exp(1)),
    "qloguniform": (hp.qloguniform("x", 0, 4, 2),
                    lambda v: v % 2 == 0 and 0 <= v <= 2 * round(math.exp(4) / 2)),
    "normal": (hp.normal("x", 1.0, 2.0), math.isfinite),
    "qnormal": (hp.qnormal("x", 0.0, 5.0, 0.5), lambda v: (v / 0.5) == round(v / 0.5)),
    "lognormal": (hp.lognormal("x", 0.0, 1.0), lambda v: v > 0),
    "qlognormal": (hp.qlognormal("x", 0.0, 1.0, 0.25), lambda v: v >= 0 and (v / 0.25) == round(v / 0.25)),
    "randint": (hp.randint("x", 5), lambda v: isinstance(v, int) and 0 <= v < 5),
    "randint2": (hp.randint("x", -3, 4), lambda v: isinstance(v, int) and -3 <= v < 4),
    "uniformint": (hp.uniformint("x", 2, 9), lambda v: isinstance(v, int) and 2 <= v <= 9),
    "choice": (hp.choice("x", ["a", "b", "c"]), lambda v: v in ("a", "b", "c")),
    "pchoice": (hp.pchoice("x", [(0.1, "a"), (0.0, "b"), (0.9, "c")]), lambda v: v in ("a", "c")),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("sampler", ["random", "tpe"])
def test_samples_lie_in_support(kind, sampler):
    space, ok = KINDS[kind]
    s = (RandomSampler(space, seed=0) if sampler == "random"
         else TPESampler(space, seed=0, n_startup_jobs=5))
    seen = []
    for _ in range(60):
        tid, value = s.ask()
        assert ok(value), (kind, value)
        seen.append(value)
        # a loss that pulls TPE to one end of the support
        s.tell(tid, hash(str(value)) % 97 / 97.0)
    assert len(set(map(str, seen))) > 1  # the draws vary


def test_pchoice_follows_probabilities():
    s = RandomSampler(hp.pchoice("x", [(0.2, "a"), (0.8, "b")]), seed=1)
    draws = [s.ask()[1] for _ in range(2000)]
    # binomial(2000, 0.8): sd = 18 draws; 5 sd is 0.045
    assert abs(draws.count("b") / 2000 - 0.8) < 0.045


def test_uniform_random_draws_cover_the_range():
    s = RandomSampler(hp.uniform("x", 0, 1), seed=2)
    draws = np.array([s.ask()[1] for _ in range(4000)])
    # the mean of 4000 U(0,1) has sd 0.0046; 5 sd
    assert abs(draws.mean() - 0.5) < 0.023
    assert draws.min() < 0.01 and draws.max() > 0.99


CONDITIONAL = {
    "model": hp.choice("model", [
        {"kind": "svm", "C": hp.loguniform("C", -3, 3),
         "kernel": hp.choice("kernel", [{"k": "linear"},
                                        {"k": "rbf", "gamma": hp.uniform("gamma", 0, 1)}])},
        {"kind": "tree", "depth": hp.randint("depth", 1, 10)},
    ]),
    "lr": hp.uniform("lr", 0, 1),
}


def _active_labels(point):
    labels = {"model", "lr"}
    m = point["model"]
    if m["kind"] == "svm":
        labels |= {"C", "kernel"} | ({"gamma"} if m["kernel"]["k"] == "rbf" else set())
    else:
        labels.add("depth")
    return labels


@pytest.mark.parametrize("algo", [tpe.suggest, rand.suggest])
def test_conditional_space_inactive_labels_absent(algo):
    trials = Trials()

    def fn(p):
        m = p["model"]
        if m["kind"] == "svm":
            return abs(math.log(m["C"])) + m["kernel"].get("gamma", 0.5) + p["lr"]
        return m["depth"] / 10 + p["lr"]

    fmin(fn, CONDITIONAL, algo=algo, max_evals=50, trials=trials,
         rstate=np.random.default_rng(3), show_progressbar=False)
    kinds = set()
    for t in trials.trials:
        vals = t["misc"]["vals"]
        # every label has an entry; inactive ones are empty lists, as in Hyperopt
        assert set(vals) == {"model", "C", "kernel", "gamma", "depth", "lr"}
        active = {k for k, v in vals.items() if v}
        point = space_eval(CONDITIONAL, {k: v[0] for k, v in vals.items() if v})
        assert active == _active_labels(point)
        assert t["misc"]["idxs"][next(iter(active))] == [t["tid"]]
        kinds.add((point["model"]["kind"], point["model"].get("kernel", {}).get("k")))
    assert len(kinds) == 3  # every branch was explored


def test_space_eval():
    point = space_eval(CONDITIONAL, {"model": 0, "C": 2.0, "kernel": 1, "gamma": 0.25, "lr": 0.5})
    assert point == {"model": {"kind": "svm", "C": 2.0,
                               "kernel": {"k": "rbf", "gamma": 0.25}}, "lr": 0.5}
    # tuples and lists keep their type; constants pass through
    assert space_eval((hp.randint("a", 3), [1, hp.uniform("b", 0, 1)]), {"a": 2, "b": 0.5}) == \
        (2, [1, 0.5])
    with pytest.raises(KeyError, match="lr"):
        space_eval(CONDITIONAL, {"model": 1, "depth": 3})
    with pytest.raises(ValueError, match="option index"):
        space_eval(CONDITIONAL, {"model": 5, "lr": 0.1})


def test_same_expression_in_two_places_is_one_dimension():
    shared = hp.uniform("shared", 0, 1)
    space = hp.choice("c", [{"a": shared}, {"b": shared, "z": hp.normal("z", 0, 1)}])
    s = TPESampler(space, seed=0, n_startup_jobs=3)
    for _ in range(10):
        tid, p = s.ask()
        assert 0 <= next(iter(v for k, v in p.items() if k in "ab")) <= 1
        s.tell(tid, 0.0)


@pytest.mark.parametrize("make, match", [
    (lambda: hp.uniform("x", 1, 1), "low .* must be < high"),
    (lambda: hp.uniform("x", 0, float("inf")), "finite number"),
    (lambda: hp.quniform("x", 0, 1, 0), "q must be > 0"),
    (lambda: hp.normal("x", 0, -1), "sigma must be > 0"),
    (lambda: hp.randint("x", 0), "empty"),
    (lambda: hp.randint("x", 1.5), "integer"),
    (lambda: hp.choice("x", []), "non-empty"),
    (lambda: hp.pchoice("x", [(0.5, 1), (0.4, 2)]), "sum to 1"),
    (lambda: hp.pchoice("x", [1, 2]), "pairs"),
])
def test_bad_expressions(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_label():
    with pytest.raises(TypeError, match="label must be a string"):
        hp.uniform(3, 0, 1)


@pytest.mark.parametrize("space, match", [
    ({"a": hp.uniform("x", 0, 1), "b": hp.normal("x", 0, 1)}, "duplicate label 'x'"),
    ({"a": 1, "b": [2, "c"]}, "no hp expression"),
])
def test_bad_spaces(space, match):
    with pytest.raises(ValueError, match=match):
        TPESampler(space)
    with pytest.raises(ValueError, match=match):
        fmin(lambda p: 0.0, space, algo=tpe.suggest, max_evals=1, show_progressbar=False)


def test_hyperopt_expression_is_rejected():
    import hyperopt  # in the test extra
    with pytest.raises(TypeError, match="pymlcore.tune.hp"):
        TPESampler({"x": hyperopt.hp.uniform("x", 0, 1)})
