"""Hyperopt's ``fmin`` / ``Trials`` / ``tpe.suggest`` / ``rand.suggest`` API on the
C sampler, so a Hyperopt script runs unchanged but for its import.

The loop is Hyperopt's: ask ``algo`` for up to ``max_queue_len`` new trials given
the finished ones, evaluate them (in ``n_jobs`` threads, or as Spark tasks with
:class:`SparkTrials`), record them, then check ``early_stop_fn``, ``timeout`` and
``loss_threshold``.  The batches depend on ``max_queue_len`` only, so for a given
``rstate`` the trials are the same whatever ``n_jobs``; a larger batch evaluates
in parallel but each of its trials learns from fewer results.
"""

import datetime
import functools
import math
import numbers
import os
import time
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._sampler import DEFAULT_GAMMA, check_tpe_options, suggest_rows
from ._space import CompiledSpace, space_eval

__all__ = ["fmin", "Trials", "tpe", "rand", "STATUS_OK", "STATUS_FAIL", "STATUS_NEW",
           "STATUS_RUNNING", "STATUS_SUSPENDED", "STATUS_STRINGS", "JOB_STATE_NEW",
           "JOB_STATE_RUNNING", "JOB_STATE_DONE", "JOB_STATE_ERROR", "AllTrialsFailed",
           "InvalidResultStatus", "InvalidLoss", "no_progress_loss"]

STATUS_NEW, STATUS_RUNNING, STATUS_SUSPENDED = "new", "running", "suspended"
STATUS_OK, STATUS_FAIL = "ok", "fail"
STATUS_STRINGS = (STATUS_NEW, STATUS_RUNNING, STATUS_SUSPENDED, STATUS_OK, STATUS_FAIL)
JOB_STATE_NEW, JOB_STATE_RUNNING, JOB_STATE_DONE, JOB_STATE_ERROR = 0, 1, 2, 3


class AllTrialsFailed(Exception):
    """No trial finished with status 'ok' (as hyperopt.exceptions.AllTrialsFailed)."""


class InvalidResultStatus(ValueError):
    """fn returned a dict whose 'status' is not one of STATUS_STRINGS."""


class InvalidLoss(ValueError):
    """fn returned status 'ok' without a float loss."""


def _now():
    # Hyperopt's coarse_utcnow: naive UTC, millisecond resolution
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class _Domain:
    """The objective and its compiled space (what Hyperopt's algos receive)."""

    def __init__(self, fn, space):
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {fn!r}")
        self.fn, self.expr = fn, space
        self.compiled = CompiledSpace(space)
        self.params = {label: p for label, p in zip(self.compiled.labels, self.compiled.params)}
        self._multivariate = {}

    def compiled_for(self, multivariate):
        if not multivariate:
            return self.compiled
        if True not in self._multivariate:
            self._multivariate[True] = CompiledSpace(self.expr, multivariate=True)
        return self._multivariate[True]


def _evaluate(fn, space, vals):
    """fn at the point `vals` -> Hyperopt's result dict (exceptions propagate)."""
    rval = fn(space_eval(space, vals))
    if isinstance(rval, (numbers.Real, np.floating)) and not isinstance(rval, bool):
        return {"loss": float(rval), "status": STATUS_OK}
    if not isinstance(rval, dict):
        raise InvalidLoss(f"fn must return a float or a dict with 'loss' and 'status', got {rval!r}")
    result = dict(rval)
    status = result.get("status")
    if status not in STATUS_STRINGS:
        raise InvalidResultStatus(f"fn returned status {status!r}, expected one of {STATUS_STRINGS}")
    if status == STATUS_OK:
        try:
            result["loss"] = float(result["loss"])
        except (KeyError, TypeError, ValueError):
            raise InvalidLoss(f"fn returned status 'ok' without a float loss: {rval!r}") from None
    return result


class Trials:
    """The record of a search, as Hyperopt's Trials: ``trials`` (documents with
    tid, state, result, misc.vals, book_time, refresh_time), ``results``,
    ``losses()``, ``statuses()``, ``best_trial``, ``argmin``, ``vals``."""

    asynchronous = False

    def __init__(self, exp_key=None):
        self._exp_key = exp_key
        self._dynamic_trials = []
        self._trials = []
        self.attachments = {}
        self._obs = None  # (compiled space, rows, count): see _observations

    # -- Hyperopt's bookkeeping ------------------------------------------------
    def refresh(self):
        # trials that raised (state ERROR) drop out, as in Hyperopt
        self._trials = [t for t in self._dynamic_trials if t["state"] != JOB_STATE_ERROR]

    @property
    def trials(self):
        return self._trials

    def __iter__(self):
        return iter(self._trials)

    def __len__(self):
        return len(self._trials)

    def __getitem__(self, item):
        return self._trials[item]

    @property
    def tids(self):
        return [t["tid"] for t in self._trials]

    @property
    def results(self):
        return [t["result"] for t in self._trials]

    @property
    def miscs(self):
        return [t["misc"] for t in self._trials]

    @property
    def idxs_vals(self):
        idxs, vals = {}, {}
        for t in self._trials:
            for label, v in t["misc"]["vals"].items():
                idxs.setdefault(label, []).extend(t["misc"]["idxs"][label])
                vals.setdefault(label, []).extend(v)
        return idxs, vals

    @property
    def idxs(self):
        return self.idxs_vals[0]

    @property
    def vals(self):
        return self.idxs_vals[1]

    def losses(self, bandit=None):
        return [r.get("loss") for r in self.results]

    def statuses(self, bandit=None):
        return [r.get("status") for r in self.results]

    def count_by_state_unsynced(self, arg):
        states = {arg} if isinstance(arg, int) else set(arg)
        return sum(t["state"] in states for t in self._dynamic_trials)

    def new_trial_ids(self, n):
        start = max((t["tid"] for t in self._dynamic_trials), default=-1) + 1
        return list(range(start, start + n))

    def new_trial_docs(self, tids, specs, results, miscs):
        return [{"state": JOB_STATE_NEW, "tid": tid, "spec": spec, "result": result,
                 "misc": misc, "exp_key": self._exp_key, "owner": None, "version": 0,
                 "book_time": None, "refresh_time": None}
                for tid, spec, result, misc in zip(tids, specs, results, miscs)]

    def insert_trial_docs(self, docs):
        self._dynamic_trials.extend(docs)
        return [d["tid"] for d in docs]

    def insert_trial_doc(self, doc):
        return self.insert_trial_docs([doc])[0]

    def delete_all(self):
        self.__init__(self._exp_key)

    # -- results -----------------------------------------------------------------
    @property
    def best_trial(self):
        candidates = [t for t in self._trials if t["result"].get("status") == STATUS_OK
                      and t["result"].get("loss") is not None
                      and not math.isnan(t["result"]["loss"])]
        if not candidates:
            raise AllTrialsFailed("no trial finished with status 'ok'")
        return min(candidates, key=lambda t: t["result"]["loss"])

    @property
    def argmin(self):
        return {k: v[0] for k, v in self.best_trial["misc"]["vals"].items() if v}

    def average_best_error(self, bandit=None):
        losses = np.array([r["loss"] for r in self.results if r.get("status") == STATUS_OK])
        if losses.size == 0:
            raise AllTrialsFailed("no trial finished with status 'ok'")
        return float(losses.min())

    def fmin(self, fn, space, algo=None, max_evals=None, **kwargs):
        return fmin(fn, space, algo=algo, max_evals=max_evals, trials=self, **kwargs)

    # -- evaluation of a batch (SparkTrials overrides) ---------------------------
    def _evaluate_batch(self, domain, docs, n_jobs):
        """Runs the batch; returns [(doc, result or None, exception or None)]."""
        def run(doc):
            try:
                return doc, _evaluate(domain.fn, domain.expr, _flat_vals(doc)), None
            except Exception as exc:  # noqa: BLE001 (recorded, re-raised by fmin)
                return doc, None, exc

        for doc in docs:
            doc["state"] = JOB_STATE_RUNNING
            doc["book_time"] = doc["refresh_time"] = _now()
        if n_jobs == 1 or len(docs) == 1:
            return [run(d) for d in docs]
        with ThreadPoolExecutor(max_workers=min(n_jobs, len(docs))) as pool:
            return list(pool.map(run, docs))


def _flat_vals(doc):
    return {k: v[0] for k, v in doc["misc"]["vals"].items() if v}


def _misc(tid, compiled, row):
    vals = compiled.row_to_vals(row)
    return {"tid": tid, "cmd": ("domain_attachment", "FMinIter_Domain"), "workdir": None,
            "idxs": {lb: [tid] if lb in vals else [] for lb in compiled.labels},
            "vals": {lb: [vals[lb]] if lb in vals else [] for lb in compiled.labels}}


def _observations(trials, compiled):
    """Rows (NaN: inactive), losses and the pending mask of every trial, in
    insertion (= trial id) order.  A trial without a loss (failed, raised, not
    finished) has loss +inf: as in Hyperopt's tpe.suggest, it counts towards
    n_startup_jobs and the split and sits in the bad set, so TPE steers away
    from where trials fail.  The rows are kept on the Trials between calls; only
    new trials are converted."""
    dyn = trials._dynamic_trials
    cached = trials._obs
    if cached is None or cached[0] is not compiled or cached[2] > len(dyn):
        cached = (compiled, np.empty((0, len(compiled.labels))), 0)
    if cached[2] < len(dyn):
        new = [compiled.vals_to_row(_flat_vals(t)) for t in dyn[cached[2]:]]
        cached = (compiled, np.vstack([cached[1]] + new), len(dyn))
    trials._obs = cached
    loss = np.array([t["result"]["loss"] if t["state"] == JOB_STATE_DONE
                     and t["result"].get("status") == STATUS_OK else np.inf for t in dyn],
                    dtype=np.float64)
    pending = np.array([t["state"] in (JOB_STATE_NEW, JOB_STATE_RUNNING) for t in dyn], dtype=bool)
    return cached[1], loss, pending


def _new_docs(new_ids, domain, trials, rows, compiled):
    return trials.new_trial_docs(new_ids, [None] * len(new_ids),
                                 [{"status": STATUS_NEW} for _ in new_ids],
                                 [_misc(t, compiled, r) for t, r in zip(new_ids, rows)])


def _rand_suggest(new_ids, domain, trials, seed):
    """Random search: each trial an independent draw from the prior."""
    rows = suggest_rows(domain.compiled, None, None, new_ids, int(seed))
    return _new_docs(new_ids, domain, trials, rows, domain.compiled)


def _tpe_suggest(new_ids, domain, trials, seed, prior_weight=1.0, n_startup_jobs=20,
                 n_EI_candidates=24, gamma=DEFAULT_GAMMA, verbose=True, multivariate=False,
                 constant_liar=False, n_ei_candidates=None):
    """TPE (Hyperopt's tpe.suggest, run in C); multivariate and constant_liar are
    pymlcore's additions, and the default gamma is 0.75 where Hyperopt's is 0.25
    (see TPESampler)."""
    options = check_tpe_options(n_startup_jobs, gamma,
                                n_EI_candidates if n_ei_candidates is None else n_ei_candidates,
                                prior_weight)
    compiled = domain.compiled_for(multivariate)
    X, loss, pending = _observations(trials, compiled)
    # pending trials are bad ones (+inf) already; the liar gives them the worst
    # loss seen instead and also lies about the earlier ids of this batch
    rows = suggest_rows(compiled, X, loss, new_ids, int(seed), options, constant_liar,
                        pending if constant_liar and pending.size else None)
    return _new_docs(new_ids, domain, trials, rows, compiled)


tpe = types.SimpleNamespace(suggest=_tpe_suggest)
rand = types.SimpleNamespace(suggest=_rand_suggest)


def no_progress_loss(iteration_stop_count=20, percent_increase=0.0):
    """Stops when the best loss has not improved by `percent_increase` % for
    `iteration_stop_count` iterations (hyperopt.early_stop.no_progress_loss)."""

    def stop_fn(trials, best_loss=None, iteration_no_progress=0):
        new_loss = trials.trials[len(trials.trials) - 1]["result"].get("loss")
        if best_loss is None:
            return False, [new_loss, iteration_no_progress + 1]
        threshold = best_loss - abs(best_loss * (percent_increase / 100.0))
        if new_loss is not None and new_loss < threshold:
            best_loss, iteration_no_progress = new_loss, 0
        else:
            iteration_no_progress += 1
        return iteration_no_progress >= iteration_stop_count, [best_loss, iteration_no_progress]

    return stop_fn


def _progress(show_progressbar, initial, total):
    from tqdm.auto import tqdm
    return tqdm(total=total, initial=initial, disable=not show_progressbar, dynamic_ncols=True,
                unit="trial", postfix={"best loss": "?"})


def fmin(fn, space, algo=None, max_evals=None, timeout=None, loss_threshold=None, trials=None,
         rstate=None, allow_trials_fmin=True, pass_expr_memo_ctrl=None,
         catch_eval_exceptions=False, verbose=True, return_argmin=True, points_to_evaluate=None,
         max_queue_len=1, show_progressbar=True, early_stop_fn=None, trials_save_file="",
         n_jobs=1, callbacks=None):
    """Minimises fn over space (hyperopt.fmin's arguments and result).

    pymlcore's additions: ``n_jobs`` evaluates each batch of ``max_queue_len``
    trials in that many threads (the trials do not depend on n_jobs);
    ``callbacks``: functions called with each finished trial document (e.g. to
    log it to MLflow).  Returns ``trials.argmin`` (choices as indices), or
    ``space_eval`` of it when ``return_argmin`` is False.
    """
    if pass_expr_memo_ctrl:
        raise ValueError("pass_expr_memo_ctrl (fn taking Hyperopt's pyll expression, memo and "
                         "ctrl) is not supported by pymlcore.tune; fn receives the point")
    if algo is None:
        algo = tpe.suggest
    if not callable(algo):
        raise TypeError(f"algo must be a suggest function such as tpe.suggest, got {algo!r}")
    if max_evals is None:
        max_evals = math.inf
    elif isinstance(max_evals, bool) or not isinstance(max_evals, numbers.Integral) or max_evals < 0:
        raise ValueError(f"max_evals must be an integer >= 0, got {max_evals!r}")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
                                or timeout <= 0):
        raise ValueError(f"The timeout argument should be None or a positive value. "
                         f"Given value: {timeout}")
    if loss_threshold is not None and (isinstance(loss_threshold, bool)
                                       or not isinstance(loss_threshold, numbers.Real)):
        raise ValueError(f"The loss_threshold argument should be None or a numeric value. "
                         f"Given value: {loss_threshold}")
    if isinstance(max_queue_len, bool) or not isinstance(max_queue_len, numbers.Integral) \
            or max_queue_len < 1:
        raise ValueError(f"max_queue_len must be an integer >= 1, got {max_queue_len!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a nonzero integer, got {n_jobs!r}")
    n_jobs = (os.cpu_count() or 1) if n_jobs < 0 else int(n_jobs)
    callbacks = list(callbacks or [])
    if rstate is None:
        env_seed = os.environ.get("HYPEROPT_FMIN_SEED", "")
        rstate = np.random.default_rng(int(env_seed) if env_seed else None)
    elif not isinstance(rstate, np.random.Generator):
        raise ValueError(f"rstate must be a numpy Generator (np.random.default_rng(seed)), "
                         f"got {rstate!r}")
    domain = _Domain(fn, space)
    if trials is None:
        trials = Trials()
        if points_to_evaluate is not None:
            if not isinstance(points_to_evaluate, list):
                raise ValueError("points_to_evaluate must be a list of {label: value} dicts")
            for tid, point in enumerate(points_to_evaluate):
                row = domain.compiled.vals_to_row(point)
                doc = trials.new_trial_docs([tid], [None], [{"status": STATUS_NEW}],
                                            [_misc(tid, domain.compiled, row)])[0]
                trials.insert_trial_doc(doc)
    elif points_to_evaluate is not None:
        raise ValueError("points_to_evaluate works only when trials is None")
    trials.refresh()
    batch = getattr(trials, "parallelism", None) or max_queue_len
    if loss_threshold is None:  # SparkTrials(loss_threshold=...), as Hyperopt's
        loss_threshold = getattr(trials, "loss_threshold", None)

    n_done = trials.count_by_state_unsynced(JOB_STATE_DONE)
    to_run = max_evals - n_done
    start = time.monotonic()
    trial_timeout = getattr(trials, "timeout", None)
    stop_args = []
    best_loss = min([r["loss"] for r in trials.results if r.get("status") == STATUS_OK],
                    default=math.inf)

    def finish(docs):
        nonlocal best_loss
        first_error = None
        for doc, result, exc in trials._evaluate_batch(domain, docs, n_jobs):
            doc["refresh_time"] = _now()
            if exc is not None:
                doc["state"] = JOB_STATE_ERROR
                doc["misc"]["error"] = (str(type(exc)), str(exc))
                if first_error is None and not catch_eval_exceptions:
                    first_error = exc
                continue
            doc["state"], doc["result"] = JOB_STATE_DONE, result
            if result.get("status") == STATUS_OK:
                best_loss = min(best_loss, result["loss"])
            for cb in callbacks:
                cb(doc)
        trials.refresh()
        if first_error is not None:
            raise first_error

    with _progress(show_progressbar and verbose, n_done,
                   None if math.isinf(max_evals) else max_evals) as bar:
        # points_to_evaluate (and trials inserted but never run) go first
        queued = [t for t in trials._dynamic_trials if t["state"] == JOB_STATE_NEW]
        if queued:
            finish(queued)
            bar.update(len(queued))
            to_run = max_evals - trials.count_by_state_unsynced(JOB_STATE_DONE)
        n_queued = 0
        while n_queued < to_run:
            if timeout is not None and time.monotonic() - start >= timeout:
                break
            if trial_timeout is not None and time.monotonic() - start >= trial_timeout:
                break
            if loss_threshold is not None and best_loss < loss_threshold:
                break
            k = int(min(batch, to_run - n_queued))
            new_ids = trials.new_trial_ids(k)
            docs = algo(new_ids, domain, trials, int(rstate.integers(2**31 - 1)))
            if not docs:
                break
            trials.insert_trial_docs(docs)
            n_queued += len(docs)
            finish(docs)
            bar.update(len(docs))
            if best_loss < math.inf:
                bar.set_postfix({"best loss": f"{best_loss:.6g}"}, refresh=False)
            if trials_save_file:
                import pickle
                with open(trials_save_file, "wb") as f:
                    pickle.dump(trials, f)
            if early_stop_fn is not None and trials.trials:
                stop, stop_args = early_stop_fn(trials, *stop_args)
                if stop:
                    break

    if return_argmin:
        if len(trials.trials) == 0:
            raise Exception("There are no evaluation tasks, cannot return argmin of task losses.")
        return trials.argmin
    if len(trials) > 0:
        return space_eval(space, trials.argmin)
    return None


# functools.partial(tpe.suggest, ...) is how Hyperopt users set TPE's options;
# hyperopt.fmin.partial does the same
partial = functools.partial
