"""make_store_item_sales: layout, determinism and the character of USE_CASES.md
section 1 (growth, yearly and weekly seasonality, non-negative counts)."""

import numpy as np
import pandas as pd
import pytest

from pymlcore.datasets import make_store_item_sales


@pytest.fixture(scope="module")
def sales():
    return make_store_item_sales()


def test_layout_and_dtypes(sales):
    assert sales.shape == (913_000, 4)
    assert list(sales.columns) == ["date", "store", "item", "sales"]
    assert sales.date.dtype == "datetime64[ns]"
    assert sales.store.dtype == np.int64 and sales.item.dtype == np.int64
    assert sales.sales.dtype == np.int64 and (sales.sales >= 0).all()
    assert sales.date.min() == pd.Timestamp("2013-01-01")
    assert sales.date.max() == pd.Timestamp("2017-12-31")
    sizes = sales.groupby(["store", "item"]).size()
    assert len(sizes) == 500 and (sizes == 1826).all()
    assert sorted(sales.store.unique()) == list(range(1, 11))
    # Sorted by store, item, date: grouped fitting takes its zero-copy path.
    assert sales.sort_values(["store", "item", "date"]).index.equals(sales.index)


def test_character(sales):
    d = sales.date.dt
    by_dow = sales.groupby(d.day_of_week).sales.mean()  # Monday = 0
    assert by_dow.idxmax() == 6 and by_dow.idxmin() == 0
    assert by_dow[6] > 1.5 * by_dow[0]
    by_year = sales.groupby(d.year).sales.mean()
    assert by_year.is_monotonic_increasing and by_year[2017] > 1.2 * by_year[2013]
    by_month = sales.groupby(d.month).sales.mean()
    assert by_month[[6, 7, 8]].mean() > 1.3 * by_month[[12, 1, 2]].mean()
    # Stores and items have their own levels.
    assert sales.groupby("store").sales.mean().std() > 1.0
    assert sales.groupby("item").sales.mean().std() > 3.0
    # Poisson-like noise: each series varies around its level.
    one = sales[(sales.store == 1) & (sales.item == 1)].sales
    assert one.nunique() > 20


def test_deterministic_and_seeded():
    a = make_store_item_sales(2, 3, "2015-01-01", "2015-03-01", random_state=5)
    b = make_store_item_sales(2, 3, "2015-01-01", "2015-03-01", random_state=5)
    c = make_store_item_sales(2, 3, "2015-01-01", "2015-03-01", random_state=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a.sales.equals(c.sales)
    assert len(a) == 2 * 3 * 60


@pytest.mark.parametrize("kwargs, match", [
    ({"n_stores": 0}, "n_stores must be a positive integer"),
    ({"n_items": 2.5}, "n_items must be a positive integer"),
    ({"start": "2014-01-01", "end": "2013-01-01"}, "must not be before start"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_store_item_sales(**kwargs)
