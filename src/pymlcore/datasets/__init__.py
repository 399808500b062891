"""Seeded generators of data with the shape and character of pymlcore's use cases
(see USE_CASES.md); the original data sets are not redistributable."""

from ._loans import make_loans
from ._paysim import make_paysim_transactions
from ._store_item_sales import make_store_item_sales

__all__ = ["make_loans", "make_paysim_transactions", "make_store_item_sales"]
