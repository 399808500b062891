"""Configuration shared by every test."""

import os

# scikit-learn's array-API check (check_array_api_input, which test_common.py runs
# for every estimator with NumPy inputs and array-API dispatch enabled) needs
# SciPy's array-API mode, and SciPy reads this variable once, when it is first
# imported -- so it is set here, before any test module imports SciPy.  It
# changes nothing for NumPy inputs; scikit-learn's own CI sets it the same way.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
