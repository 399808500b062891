"""Personal loans in the layout of Lending Club's public data (USE_CASES.md, section 3)."""

import numbers

import numpy as np
import pandas as pd
from scipy.special import ndtri
from sklearn.utils import check_random_state

__all__ = ["make_loans"]

GRADES = ("A", "B", "C", "D", "E", "F", "G")
_GRADE_SHARE = np.array([0.17, 0.29, 0.28, 0.15, 0.07, 0.03, 0.01])
_GRADE_RATE = np.array([7.0, 10.5, 14.0, 17.5, 21.0, 24.5, 28.0])  # mean int_rate, percent

HOME_OWNERSHIP = ("MORTGAGE", "RENT", "OWN", "OTHER")
_HOME_SHARE = np.array([0.49, 0.40, 0.108, 0.002])
_HOME_RISK = np.array([-0.15, 0.15, 0.0, 0.3])

# purpose, share, effect on the log-odds of default
_PURPOSES = (
    ("debt_consolidation", 0.58, 0.05), ("credit_card", 0.22, -0.15),
    ("home_improvement", 0.06, -0.05), ("other", 0.05, 0.15),
    ("major_purchase", 0.02, -0.05), ("small_business", 0.012, 0.6),
    ("car", 0.01, -0.15), ("medical", 0.01, 0.2), ("moving", 0.007, 0.25),
    ("vacation", 0.006, 0.1), ("house", 0.005, 0.15), ("wedding", 0.003, -0.1),
    ("renewable_energy", 0.001, 0.2), ("educational", 0.001, 0.3),
)
PURPOSES = tuple(p for p, _, _ in _PURPOSES)
_PURPOSE_SHARE = np.array([s for _, s, _ in _PURPOSES])
_PURPOSE_SHARE = _PURPOSE_SHARE / _PURPOSE_SHARE.sum()
_PURPOSE_RISK = np.array([r for _, _, r in _PURPOSES])

# States (and DC) with shares roughly proportional to their borrowers.
_STATES = (
    ("CA", 14.5), ("NY", 8.3), ("TX", 8.2), ("FL", 7.1), ("IL", 4.0), ("NJ", 3.7),
    ("PA", 3.5), ("OH", 3.3), ("GA", 3.3), ("VA", 2.9), ("NC", 2.8), ("MI", 2.6),
    ("AZ", 2.4), ("MD", 2.4), ("MA", 2.3), ("CO", 2.2), ("WA", 2.2), ("MN", 1.8),
    ("IN", 1.6), ("MO", 1.6), ("TN", 1.5), ("NV", 1.4), ("CT", 1.4), ("WI", 1.3),
    ("AL", 1.2), ("OR", 1.2), ("SC", 1.2), ("LA", 1.1), ("KY", 1.0), ("OK", 0.9),
    ("KS", 0.8), ("AR", 0.7), ("UT", 0.7), ("NM", 0.5), ("HI", 0.5), ("MS", 0.5),
    ("NH", 0.5), ("RI", 0.4), ("WV", 0.4), ("NE", 0.3), ("MT", 0.3), ("DE", 0.3),
    ("DC", 0.3), ("AK", 0.2), ("WY", 0.2), ("SD", 0.2), ("VT", 0.2), ("ME", 0.2),
    ("ND", 0.1), ("ID", 0.1), ("IA", 0.05),
)
STATES = tuple(s for s, _ in _STATES)
_STATE_SHARE = np.array([w for _, w in _STATES])
_STATE_SHARE = _STATE_SHARE / _STATE_SHARE.sum()

TERMS = ("36 months", "60 months")
VERIFICATION = ("Not Verified", "Source Verified", "Verified")

# Share of missing values per numeric column.
_MISSING = {"annual_inc": 0.01, "dti": 0.02, "revol_util": 0.03, "int_rate": 0.01,
            "emp_length": 0.06}

# Intercept of the default log-odds, measured once so that about 18% of the
# loans go bad (Lending Club's charged-off share in the years the use case used).
_INTERCEPT = -1.75


def make_loans(n_samples=100_000, random_state=0):
    """Personal loans with Lending Club's columns, a ``bad_loan`` label and the
    dollar result ``net`` of each loan.

    Columns (one row per loan):

    * categorical (strings): ``grade`` (A..G), ``term`` (``36 months``,
      ``60 months``), ``home_ownership`` (MORTGAGE, RENT, OWN, OTHER),
      ``purpose`` (14 values, ``debt_consolidation`` most common),
      ``addr_state`` (50 states and DC), ``verification_status``;
    * numeric (float64, with missing values where marked *):
      ``loan_amnt`` (1,000..40,000 dollars), ``int_rate`` (percent) *,
      ``annual_inc`` (dollars) *, ``dti`` (debt-to-income, percent) *,
      ``revol_util`` (revolving utilisation, percent) *, ``emp_length``
      (years, 0..10 where 10 means 10 or more) *, ``delinq_2yrs``,
      ``total_acc``, ``credit_length_in_years``;
    * ``bad_loan`` (int64, 1 = charged off or defaulted), about 18% positive;
    * ``net`` (float64): what the lender got back minus ``loan_amnt``, in
      dollars; negative for every bad loan.  It is the outcome, not a feature.

    Generating process.  Each borrower has a hidden creditworthiness
    ``c ~ N(0, 1)``.  The grade is ``c`` seen through noise (``c + N(0, 0.6)``
    cut at the quantiles of Lending Club's grade mix: A 17%, B 29%, C 28%, D 15%,
    E 7%, F 3%, G 1%), and the interest rate follows the grade (7% for A to
    28% for G, +2 points for 60-month terms, ``N(0, 1.2)`` noise).  Income is
    log-normal around 65,000 dollars and rises with ``c``; the loan amount grows
    with income, and larger loans more often take 60 months.  ``dti``,
    ``revol_util``, ``delinq_2yrs`` and the credit history length each depend
    on ``c`` with noise of their own.  The log-odds of default is::

        -1.75 - 0.7 c + 0.45 [term = 60] + 0.25 log(loan_amnt / annual_inc * 5)
              + 0.012 (dti - 18) + purpose effect (small_business +0.6, ...)
              + home effect (RENT +0.15, MORTGAGE -0.15) + state effect N(0, 0.1)

    so no column tells the outcome: a good model reaches a ROC AUC of about
    0.68 (HistGradientBoosting on 100,000 loans), a weak one about 0.65.  Missing values are then
    punched at random (``annual_inc`` 1%, ``dti`` 2%, ``revol_util`` 3%,
    ``int_rate`` 1%, ``emp_length`` 6%).

    ``net``: a good loan is repaid by monthly instalments (``amortised at
    int_rate over the term``); 30% of good loans are repaid early, at a month
    uniform over 1..term-1, saving the rest of the interest.  A bad loan repays a
    share ``Beta(2, 2.5) * 0.95`` of its amount before it stops, so its ``net`` is
    negative; a good loan's is positive.  Rounded to cents.

    Everything is drawn from one generator seeded by ``random_state`` in a fixed
    order and vectorised: the same arguments give the same frame.

    Parameters
    ----------
    n_samples : int, default=100_000
        Number of loans.
    random_state : int, RandomState instance or None, default=0
        Seed of the generator.

    Returns
    -------
    df : pandas.DataFrame
        ``n_samples`` rows, the columns listed above in that order.
    """
    if (not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool)
            or n_samples < 1):
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    rng = check_random_state(random_state)
    n = n_samples

    c = rng.standard_normal(n)
    # Grade: creditworthiness seen through noise, cut at the grade mix's quantiles
    # of N(0, 1 + 0.6^2) (the better the borrower, the closer to A).
    seen = -(c + 0.6 * rng.standard_normal(n)) / np.sqrt(1 + 0.36)
    cuts = ndtri(np.cumsum(_GRADE_SHARE)[:-1])
    grade = np.searchsorted(cuts, seen)

    annual_inc = np.round(np.exp(11.08 + 0.15 * c + 0.45 * rng.standard_normal(n)), -2)
    annual_inc = np.clip(annual_inc, 6_000, 2_000_000)
    loan_amnt = np.exp(9.35 + 0.5 * np.log(annual_inc / 65_000) + 0.55 * rng.standard_normal(n))
    loan_amnt = np.clip(np.round(loan_amnt / 25) * 25, 1_000, 40_000)
    long_term = rng.random_sample(n) < 0.1 + 0.3 * (loan_amnt > 15_000)
    int_rate = np.clip(_GRADE_RATE[grade] + 2.0 * long_term + 1.2 * rng.standard_normal(n),
                       5.3, 31.0).round(2)
    dti = np.clip(18 - 3 * c + 8 * rng.standard_normal(n), 0, 45).round(2)
    revol_util = np.clip(52 - 10 * c + 22 * rng.standard_normal(n), 0, 120).round(1)
    delinq_2yrs = rng.poisson(0.3 * np.exp(-0.5 * c)).astype(np.float64)
    total_acc = (3 + rng.poisson(np.exp(3.0 + 0.1 * c))).astype(np.float64)
    credit_length = np.round(3 + rng.gamma(4.0, 3.2 * np.exp(0.1 * c)), 1)
    emp_length = np.minimum(rng.poisson(5.5, n), 10).astype(np.float64)

    home = rng.choice(len(HOME_OWNERSHIP), size=n, p=_HOME_SHARE)
    purpose = rng.choice(len(PURPOSES), size=n, p=_PURPOSE_SHARE)
    state = rng.choice(len(STATES), size=n, p=_STATE_SHARE)
    state_risk = 0.1 * rng.standard_normal(len(STATES))
    verification = rng.choice(3, size=n, p=[0.32, 0.38, 0.30])

    logit = (_INTERCEPT - 0.7 * c + 0.45 * long_term
             + 0.25 * np.log(loan_amnt / annual_inc * 5) + 0.012 * (dti - 18)
             + _PURPOSE_RISK[purpose] + _HOME_RISK[home] + state_risk[state])
    bad = rng.random_sample(n) < 1 / (1 + np.exp(-logit))

    # Result of each loan: amortised instalments of a good loan (some repaid
    # early), a part of the amount for a bad one.
    months = np.where(long_term, 60, 36)
    r = int_rate / 1200
    growth = (1 + r) ** months
    instalment = loan_amnt * r * growth / (growth - 1)
    early = rng.random_sample(n) < 0.3
    m = 1 + np.floor(rng.random_sample(n) * (months - 1))
    balance_at_m = loan_amnt * (1 + r) ** m - instalment * ((1 + r) ** m - 1) / r
    repaid = np.where(early, instalment * m + balance_at_m, instalment * months)
    recovered = loan_amnt * 0.95 * rng.beta(2.0, 2.5, n)
    net = np.round(np.where(bad, recovered, repaid) - loan_amnt, 2)

    columns = {
        "loan_amnt": loan_amnt,
        "term": _strings(TERMS, long_term.astype(np.intp)),
        "int_rate": int_rate,
        "grade": _strings(GRADES, grade),
        "emp_length": emp_length,
        "home_ownership": _strings(HOME_OWNERSHIP, home),
        "annual_inc": annual_inc,
        "verification_status": _strings(VERIFICATION, verification),
        "purpose": _strings(PURPOSES, purpose),
        "addr_state": _strings(STATES, state),
        "dti": dti,
        "delinq_2yrs": delinq_2yrs,
        "revol_util": revol_util,
        "total_acc": total_acc,
        "credit_length_in_years": credit_length,
        "bad_loan": bad.astype(np.int64),
        "net": net,
    }
    for name, share in _MISSING.items():  # in a fixed order: dicts keep it
        columns[name] = np.where(rng.random_sample(n) < share, np.nan, columns[name])
    return pd.DataFrame(columns)


def _strings(values, codes):
    """String column taking ``values[codes]`` (pandas' string dtype)."""
    return pd.Series(pd.array(values, dtype="str")).take(codes).reset_index(drop=True)

