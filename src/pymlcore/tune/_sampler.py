"""Ask/tell samplers over a search space: TPE (in C) and random search.

``ask()`` returns a trial id and the point to evaluate (``space_eval`` of the
draw: a choice gives its option); ``tell(trial_id, loss)`` records the result
(NaN or None: a failed trial, left out of the model).  The draw of a trial
depends only on (seed, trial id) and on what was told before it was asked.
"""

import math
import numbers

import numpy as np

from .. import _core
from ._space import CompiledSpace, space_eval

__all__ = ["TPESampler", "RandomSampler"]

_PENDING, _DONE, _FAILED = 0, 1, 2

# The good set is the ceil(gamma * sqrt(n)) best trials, as Hyperopt's.  Hyperopt's
# default gamma, 0.25, keeps only 3 of 100 trials and 4 of 200: too few to model
# where the good region is.  0.75 (8 and 11) gave a lower median best loss than
# 0.25 on all 8 problems of benchmarks/tpe.py (parts c and d) at 50, 100 and 200
# trials, 100 seeds each; gamma=0.25 reproduces Hyperopt's suggestions.
DEFAULT_GAMMA = 0.75


def check_tpe_options(n_startup_jobs, gamma, n_ei_candidates, prior_weight):
    """The TPE parameters, checked with messages that name them."""
    def integer(name, v, low):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {v!r}")
        return int(v)

    def real(name, v, ok, what):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not ok(float(v)):
            raise ValueError(f"{name} must be {what}, got {v!r}")
        return float(v)

    return dict(n_startup_jobs=integer("n_startup_jobs", n_startup_jobs, 0),
                gamma=real("gamma", gamma, lambda g: 0 < g <= 1, "in (0, 1]"),
                n_ei_candidates=integer("n_ei_candidates", n_ei_candidates, 1),
                prior_weight=real("prior_weight", prior_weight,
                                  lambda w: 0 < w < math.inf, "a finite number > 0"))


def resolve_seed(seed):
    """None -> fresh entropy; an int; or a numpy Generator/RandomState to draw from."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(seed, (numbers.Integral, np.integer)) and not isinstance(seed, bool):
        return int(seed) & 0xFFFFFFFFFFFFFFFF
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, np.random.RandomState):
        return int(seed.randint(2**31 - 1))
    raise ValueError(f"seed must be None, an int or a numpy Generator, got {seed!r}")


def suggest_rows(compiled, X, loss, trial_ids, seed, options=None, constant_liar=False,
                 pending=None, n_threads=1):
    """Rows of full draws (n_ids x n_dims) for `trial_ids`: TPE given the
    observations when `options` is set, otherwise prior (random) draws.

    `pending` marks rows whose trial is still running; with `constant_liar` they
    enter the model with the worst loss seen (so parallel asks spread out),
    otherwise they are left out.  With the liar, each id of a batch also lies
    about the ones drawn before it."""
    ids = np.ascontiguousarray(trial_ids, dtype=np.int64)
    if options is None:
        return _core.tpe_sample_prior(compiled.spec, compiled.p, ids, seed)
    X = np.asarray(X, dtype=np.float64).reshape(-1, len(compiled.labels))
    loss = np.array(loss, dtype=np.float64).reshape(-1)
    if not constant_liar:
        if pending is not None:
            loss[pending] = np.nan
        return _core.tpe_suggest(compiled.spec, compiled.p, X, loss, ids, seed,
                                 n_threads=n_threads, **options)
    if pending is None:
        pending = np.zeros(len(loss), dtype=bool)
    finite = loss[np.isfinite(loss) & ~pending]
    lie = finite.max() if finite.size else np.nan
    loss[pending] = lie
    out = np.empty((len(ids), len(compiled.labels)))
    for i in range(len(ids)):
        out[i] = _core.tpe_suggest(compiled.spec, compiled.p, X, loss, ids[i:i + 1], seed,
                                   n_threads=n_threads, **options)[0]
        X = np.vstack([X, out[i:i + 1]])
        loss = np.append(loss, lie)
    return out


class _AskTell:
    def __init__(self, space, seed):
        self.space = space
        self._compiled = CompiledSpace(space, multivariate=getattr(self, "multivariate", False))
        self._seed = resolve_seed(seed)
        # trial rows, losses and states in buffers that double when full
        self._n = 0
        self._Xbuf = np.empty((16, len(self._compiled.labels)))
        self._lossbuf = np.full(16, np.nan)
        self._statebuf = np.zeros(16, dtype=np.int8)

    @property
    def n_trials(self):
        return self._n

    @property
    def _X(self):
        return self._Xbuf[:self._n]

    @property
    def _loss(self):
        return self._lossbuf[:self._n]

    @property
    def _state(self):
        return self._statebuf[:self._n]

    def _append(self, row):
        if self._n == len(self._lossbuf):
            grow = len(self._lossbuf)
            self._Xbuf = np.vstack([self._Xbuf, np.empty_like(self._Xbuf)])
            self._lossbuf = np.append(self._lossbuf, np.full(grow, np.nan))
            self._statebuf = np.append(self._statebuf, np.zeros(grow, dtype=np.int8))
        self._Xbuf[self._n] = row
        self._lossbuf[self._n] = np.nan
        self._statebuf[self._n] = _PENDING
        self._n += 1

    def ask(self):
        """-> (trial_id, params): the next point to evaluate."""
        tid = self.n_trials
        row = self._draw(tid).copy()
        active = self._compiled.active(row)
        for d, label in enumerate(self._compiled.labels):
            if label not in active:
                row[d] = np.nan  # inactive dimensions are absent from this trial's model
        self._append(row)
        return tid, space_eval(self.space, self._compiled.row_to_vals(row))

    def tell(self, trial_id, loss):
        """Records the loss of an asked trial (NaN or None: it failed)."""
        if isinstance(trial_id, bool) or not isinstance(trial_id, (numbers.Integral, np.integer)) \
                or not 0 <= trial_id < self.n_trials:
            raise ValueError(f"trial_id {trial_id!r} was not returned by ask()")
        if self._state[trial_id] != _PENDING:
            raise ValueError(f"trial {trial_id} was already told")
        if loss is None or (isinstance(loss, numbers.Real) and math.isnan(loss)):
            self._state[trial_id] = _FAILED
            return
        if isinstance(loss, bool) or not isinstance(loss, numbers.Real):
            raise ValueError(f"loss must be a float (or None/NaN for a failed trial), got {loss!r}")
        self._loss[trial_id] = float(loss)
        self._state[trial_id] = _DONE


class RandomSampler(_AskTell):
    """Random search over a space with the ask/tell interface (Hyperopt's rand.suggest)."""

    def __init__(self, space, seed=None):
        super().__init__(space, seed)

    def _draw(self, tid):
        return suggest_rows(self._compiled, None, None, [tid], self._seed)[0]


class TPESampler(_AskTell):
    """Tree-structured Parzen estimator (Hyperopt's tpe.suggest) with ask/tell.

    gamma: the good set is the ceil(gamma * sqrt(n)) best of n trials.  The
    default, 0.75, is larger than Hyperopt's 0.25 (see DEFAULT_GAMMA); pass
    gamma=0.25 for Hyperopt's behaviour.

    multivariate: one joint kernel over the dimensions that are active together
    (as Optuna's multivariate TPE), instead of one estimator per dimension.
    constant_liar: trials asked but not yet told count as bad ones, with the
    worst loss seen, so that parallel workers do not all probe the same spot.
    """

    def __init__(self, space, *, seed=None, n_startup_jobs=20, gamma=DEFAULT_GAMMA,
                 n_ei_candidates=24, prior_weight=1.0, multivariate=False, constant_liar=False):
        self._options = check_tpe_options(n_startup_jobs, gamma, n_ei_candidates, prior_weight)
        self.multivariate = bool(multivariate)
        self.constant_liar = bool(constant_liar)
        super().__init__(space, seed)

    def _draw(self, tid):
        loss = np.where(self._state == _DONE, self._loss, np.nan)
        return suggest_rows(self._compiled, self._X, loss, [tid], self._seed, self._options,
                            self.constant_liar, self._state == _PENDING)[0]
