"""Group keys -> per-row integer codes, in sorted key order, without a Python loop
over rows (pandas factorises each key column, the columns are combined as mixed-
radix integers)."""

from numbers import Number

import numpy as np
import pandas as pd


def _order_key(value):
    """A total order over values of mixed types: numbers first (by value), then
    everything else by type name and value (strings among strings...)."""
    if isinstance(value, Number) and not isinstance(value, bool):
        return (0, "", value)
    return (1, type(value).__name__, value)


def _factorize_column(values):
    """(codes, uniques) of one key column, uniques sorted; missing keys -> -1."""
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:
        # Mixed types that do not compare (ints and strings): sort by _order_key.
        codes, uniques = pd.factorize(values, sort=False)
        order = sorted(range(len(uniques)), key=lambda i: _order_key(uniques[i]))
        remap = np.empty(len(order), dtype=np.int64)
        remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        uniques = pd.Index(uniques).take(order)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def factorize_keys(key_frame):
    """Per-row group codes of the key columns of `key_frame`.

    Returns (codes, keys): codes an int64 array (-1 for a row with a missing key,
    which belongs to no group, as in ``DataFrame.groupby(dropna=True)``), keys a
    DataFrame of the distinct keys in sorted order (lexicographic over the
    columns), one row per group, with a fresh RangeIndex.
    """
    columns = list(key_frame.columns)
    per_column = [_factorize_column(key_frame[c]) for c in columns]
    sizes = [max(len(u), 1) for _, u in per_column]
    if len(columns) == 1:
        codes, uniques = per_column[0]
        return codes, pd.DataFrame({columns[0]: uniques})
    missing = np.zeros(len(key_frame), dtype=bool)
    for c, _ in per_column:
        missing |= c < 0
    if np.prod(np.asarray(sizes, dtype=np.float64)) < 2.0**62:
        combined = np.zeros(len(key_frame), dtype=np.int64)
        for (c, _), size in zip(per_column, sizes):
            combined = combined * size + np.maximum(c, 0)
        present, uniques = pd.factorize(combined[~missing], sort=True)
        codes = np.full(len(key_frame), -1, dtype=np.int64)
        codes[~missing] = present
        uniques = np.asarray(uniques, dtype=np.int64)
        parts = []
        for size in reversed(sizes):
            parts.append(uniques % size)
            uniques = uniques // size
        parts.reverse()
    else:  # too many combinations for one int64: lexicographic unique of the code rows
        stacked = np.stack([c for c, _ in per_column], axis=1)[~missing]
        uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
        codes = np.full(len(key_frame), -1, dtype=np.int64)
        codes[~missing] = inverse.reshape(-1)
        parts = [uniq[:, k] for k in range(len(columns))]
    keys = pd.DataFrame({col: u.take(p) for col, (_, u), p in zip(columns, per_column, parts)})
    return np.asarray(codes, dtype=np.int64), keys


def key_tuples(keys):
    """The keys DataFrame as a list of tuples of Python scalars."""
    return list(keys.itertuples(index=False, name=None))


def key_hashes(keys):
    """A 64-bit hash per key row that depends on the key values only (not on which
    other groups exist nor their order), as int64 for the C engine."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    # Object columns (mixed types, tuples) are hashed through a typed repr, so that
    # 1 and "1" differ and any hashable value works; one string per group.
    typed = keys.copy()
    for name in typed.columns:
        if typed[name].dtype == object:
            typed[name] = [f"{type(v).__name__}:{v!r}" for v in typed[name]]
    hashed = pd.util.hash_pandas_object(typed, index=False).to_numpy()
    return hashed.view(np.int64)


def lookup_codes(keys, key_frame):
    """Codes of the rows of `key_frame` in the fitted `keys` (-1 if unseen)."""
    columns = list(keys.columns)
    if len(columns) == 1:
        index = pd.Index(keys[columns[0]])
        return np.asarray(index.get_indexer(key_frame[columns[0]]), dtype=np.int64)
    index = pd.MultiIndex.from_frame(keys)
    query = pd.MultiIndex.from_frame(key_frame[columns])
    return np.asarray(index.get_indexer(query), dtype=np.int64)
