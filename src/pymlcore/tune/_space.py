"""Search spaces: Hyperopt's ``hp`` expressions, flattened for the C sampler.

A space is any nesting of dicts, lists and tuples holding constants and ``hp``
expressions; a ``choice`` holds sub-spaces, and an expression inside an option is
only *active* in trials that took that option.  :class:`CompiledSpace` lists the
expressions in depth-first order and describes each to C as one row of a float64
table (the columns of ``csrc/bindings/tune.c``); values cross in Hyperopt's
``misc.vals`` convention (choice/pchoice: the option index, randint: the integer).
"""

import math
import numbers

import numpy as np

__all__ = ["hp", "space_eval", "CompiledSpace"]

_NUMERIC = {"uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal",
            "lognormal", "qlognormal", "uniformint"}


class Param:
    """One hyperparameter expression of a space (what the ``hp`` functions return)."""

    __slots__ = ("kind", "label", "args", "options")

    def __init__(self, kind, label, args, options=None):
        if not isinstance(label, str):
            raise TypeError(f"hp.{kind}: label must be a string, got {type(label).__name__}")
        self.kind, self.label, self.args, self.options = kind, label, args, options

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        return f"hp.{self.kind}({self.label!r}{', ' if args else ''}{args})"

    # the index/value a trial records for this expression -> the value fn sees
    def _value(self, v):
        if self.kind in ("randint", "uniformint"):
            return int(v)
        return float(v)


def _number(kind, name, value, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"hp.{kind}: {name} must be a finite number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"hp.{kind}: {name} must be > 0, got {value!r}")
    return float(value)


def _bounded(kind, label, low, high, q=None):
    args = {"low": _number(kind, "low", low), "high": _number(kind, "high", high)}
    if not args["low"] < args["high"]:
        raise ValueError(f"hp.{kind}({label!r}): low ({low}) must be < high ({high})")
    if q is not None:
        args["q"] = _number(kind, "q", q, positive=True)
    return Param(kind, label, args)


def _gaussian(kind, label, mu, sigma, q=None):
    args = {"mu": _number(kind, "mu", mu), "sigma": _number(kind, "sigma", sigma, positive=True)}
    if q is not None:
        args["q"] = _number(kind, "q", q, positive=True)
    return Param(kind, label, args)


class hp:
    """Hyperopt's ``hp`` namespace: the same functions, arguments and meaning."""

    @staticmethod
    def uniform(label, low, high):
        return _bounded("uniform", label, low, high)

    @staticmethod
    def quniform(label, low, high, q):
        return _bounded("quniform", label, low, high, q)

    @staticmethod
    def loguniform(label, low, high):
        """exp(uniform(low, high)): low and high are bounds of the log."""
        return _bounded("loguniform", label, low, high)

    @staticmethod
    def qloguniform(label, low, high, q):
        return _bounded("qloguniform", label, low, high, q)

    @staticmethod
    def uniformint(label, low, high, q=1.0):
        return _bounded("uniformint", label, low, high, q)

    @staticmethod
    def normal(label, mu, sigma):
        return _gaussian("normal", label, mu, sigma)

    @staticmethod
    def qnormal(label, mu, sigma, q):
        return _gaussian("qnormal", label, mu, sigma, q)

    @staticmethod
    def lognormal(label, mu, sigma):
        return _gaussian("lognormal", label, mu, sigma)

    @staticmethod
    def qlognormal(label, mu, sigma, q):
        return _gaussian("qlognormal", label, mu, sigma, q)

    @staticmethod
    def randint(label, *args):
        """randint(label, upper) -> [0, upper); randint(label, low, high) -> [low, high)."""
        if len(args) not in (1, 2):
            raise TypeError("hp.randint takes (label, upper) or (label, low, high)")
        low, high = (0, args[0]) if len(args) == 1 else args
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                raise ValueError(f"hp.randint({label!r}): {name} must be an integer, got {v!r}")
        if not low < high:
            raise ValueError(f"hp.randint({label!r}): the range [{low}, {high}) is empty")
        return Param("randint", label, {"low": int(low), "high": int(high)})

    @staticmethod
    def choice(label, options):
        if not isinstance(options, (list, tuple)) or len(options) == 0:
            raise ValueError(f"hp.choice({label!r}): options must be a non-empty list")
        return Param("choice", label, {}, list(options))

    @staticmethod
    def pchoice(label, p_options):
        if not isinstance(p_options, (list, tuple)) or len(p_options) == 0:
            raise ValueError(f"hp.pchoice({label!r}): p_options must be a non-empty list of "
                             "(probability, option) pairs")
        try:
            p, options = zip(*p_options)
        except (TypeError, ValueError):
            raise ValueError(f"hp.pchoice({label!r}): p_options must be (probability, option) "
                             "pairs") from None
        p = [_number("pchoice", "probability", v) for v in p]
        if min(p) < 0 or abs(sum(p) - 1.0) > 1e-6:
            raise ValueError(f"hp.pchoice({label!r}): probabilities must be >= 0 and sum to 1, "
                             f"got {p}")
        return Param("pchoice", label, {"p": p}, list(options))


def _children(node):
    if isinstance(node, Param):
        return node.options or ()
    if isinstance(node, dict):
        return node.values()
    if isinstance(node, (list, tuple)):
        return node
    return ()


def space_eval(space, hp_assignment):
    """The point of `space` that the assignment {label: value} (as in Trials'
    vals or fmin's argmin; choices as indices) designates."""

    def walk(node):
        if isinstance(node, Param):
            if node.label not in hp_assignment:
                raise KeyError(f"space_eval: no value for the active label {node.label!r}")
            v = hp_assignment[node.label]
            if node.options is not None:
                idx = int(v)
                if idx != v or not 0 <= idx < len(node.options):
                    raise ValueError(f"space_eval: {node.label!r} = {v!r} is not an option index "
                                     f"in [0, {len(node.options)})")
                return walk(node.options[idx])
            return node._value(v)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, tuple):
            return tuple(walk(v) for v in node)
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(space)


class CompiledSpace:
    """The expressions of a space in depth-first order, their C description, and
    the activity of each given the choices made."""

    def __init__(self, space, multivariate=False):
        self.space = space
        self.params, self.labels = [], []
        conditions = {}  # label -> set of paths (tuples of (dim, option)) reaching it
        by_label = {}

        def walk(node, path, stack):
            if id(node) in stack:
                raise ValueError("the search space contains itself")
            if isinstance(node, Param):
                seen = by_label.get(node.label)
                if seen is not None and seen is not node:
                    raise ValueError(f"duplicate label {node.label!r} in the search space: "
                                     "each hp expression needs its own label")
                if seen is None:
                    by_label[node.label] = node
                    self.params.append(node)
                    self.labels.append(node.label)
                    conditions[node.label] = set()
                conditions[node.label].add(path)
                if node.options is not None:
                    d = self.labels.index(node.label)
                    for i, opt in enumerate(node.options):
                        walk(opt, path + ((d, i),), stack | {id(node)})
                return
            if isinstance(node, (dict, list, tuple)):
                for child in _children(node):
                    walk(child, path, stack | {id(node)})
                return
            if hasattr(node, "__module__") and type(node).__module__.startswith("hyperopt"):
                raise TypeError("the space holds a hyperopt expression; build it with "
                                "pymlcore.tune.hp instead")

        walk(space, (), frozenset())
        if not self.params:
            raise ValueError("the search space has no hp expression to search")
        self.index = {label: d for d, label in enumerate(self.labels)}
        n = len(self.params)
        # multivariate: dimensions active under the same conditions form one group
        groups, keys = [], {}
        for d, label in enumerate(self.labels):
            key = frozenset(conditions[label]) if multivariate else d
            groups.append(keys.setdefault(key, len(keys)))
        spec = np.zeros((n, 11))
        probs = []
        for d, prm in enumerate(self.params):
            a, k = prm.args, prm.kind
            row = spec[d]
            row[10] = groups[d]
            if k in ("randint", "choice", "pchoice"):
                row[0] = 1
                if k == "randint":
                    n_choices, row[9] = a["high"] - a["low"], a["low"]
                else:
                    n_choices = len(prm.options)
                p = a["p"] if k == "pchoice" else [1.0 / n_choices] * n_choices
                row[8] = n_choices
                probs.extend(p)
                continue
            row[1] = k in ("loguniform", "qloguniform", "lognormal", "qlognormal")
            row[7] = a.get("q", 0.0)
            if "low" in a:
                row[2], row[3], row[4] = 1, a["low"], a["high"]
                row[5], row[6] = 0.5 * (a["low"] + a["high"]), a["high"] - a["low"]
            else:
                row[3], row[4] = -np.inf, np.inf
                row[5], row[6] = a["mu"], a["sigma"]
        self.spec = spec
        self.p = np.asarray(probs, dtype=np.float64)

    def active(self, vals):
        """Labels active given the values of a full draw (a sequence in dimension
        order): the tree walked through the options the choices took."""
        out = set()

        def walk(node):
            if isinstance(node, Param):
                if node.label in out:
                    return
                out.add(node.label)
                if node.options is not None:
                    walk(node.options[int(vals[self.index[node.label]])])
                return
            for child in _children(node):
                walk(child)

        walk(self.space)
        return out

    def row_to_vals(self, row):
        """A full draw -> {label: value} of its active labels (Hyperopt's types:
        int for choice/pchoice/randint, float otherwise)."""
        active = self.active(row)
        out = {}
        for d, label in enumerate(self.labels):
            if label in active:
                v = row[d]
                out[label] = int(v) if self.spec[d, 0] == 1 else float(v)
        return out

    def vals_to_row(self, vals):
        """{label: value} (inactive labels absent) -> a row with NaN for inactive."""
        row = np.full(len(self.labels), np.nan)
        for label, v in vals.items():
            d = self.index.get(label)
            if d is None:
                raise ValueError(f"unknown label {label!r} for this search space")
            row[d] = float(v)
        return row
