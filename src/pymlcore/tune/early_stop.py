"""``hyperopt.early_stop`` under its Hyperopt name."""

from ._fmin import no_progress_loss

__all__ = ["no_progress_loss"]
