"""Hyperparameter search with Tree-structured Parzen Estimators in C.

A drop-in for Hyperopt's API -- change ``from hyperopt import fmin, tpe, hp,
Trials`` to ``from pymlcore.tune import ...`` -- plus an ask/tell interface
(:class:`TPESampler`, :class:`RandomSampler`) used by ``TPESearchCV``.
"""

from ._fmin import (JOB_STATE_DONE, JOB_STATE_ERROR, JOB_STATE_NEW, JOB_STATE_RUNNING,
                    STATUS_FAIL, STATUS_NEW, STATUS_OK, STATUS_RUNNING, STATUS_STRINGS,
                    STATUS_SUSPENDED, AllTrialsFailed, InvalidLoss, InvalidResultStatus, Trials,
                    fmin, no_progress_loss, partial, rand, tpe)
from ._sampler import RandomSampler, TPESampler
from ._space import hp, space_eval
from ._spark import SparkTrials

__all__ = ["fmin", "tpe", "rand", "hp", "Trials", "SparkTrials", "space_eval", "STATUS_OK",
           "STATUS_FAIL", "STATUS_NEW", "STATUS_RUNNING", "STATUS_SUSPENDED", "STATUS_STRINGS",
           "JOB_STATE_NEW", "JOB_STATE_RUNNING", "JOB_STATE_DONE", "JOB_STATE_ERROR",
           "AllTrialsFailed", "InvalidLoss", "InvalidResultStatus", "no_progress_loss",
           "partial", "TPESampler", "RandomSampler"]
