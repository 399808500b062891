"""Mobile-money transactions in the layout of PaySim (USE_CASES.md, section 2)."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

__all__ = ["make_paysim_transactions"]

TYPES = ("CASH_IN", "CASH_OUT", "DEBIT", "PAYMENT", "TRANSFER")
# Share of each type among ordinary transactions, close to PaySim's published mix.
_TYPE_SHARE = np.array([0.22, 0.35, 0.0065, 0.34, 0.0835])
_TYPE_SHARE = _TYPE_SHARE / _TYPE_SHARE.sum()
# Per type: log-normal amount (mu, sigma) and the share of originating accounts
# with a zero balance (PaySim records many of those).
_AMOUNT = np.array([[11.6, 0.9], [11.8, 0.9], [8.3, 1.0], [8.9, 1.0], [13.2, 0.9]])
_ZERO_ORIG = np.array([0.05, 0.50, 0.50, 0.45, 0.70])
_CASH_IN, _CASH_OUT, _PAYMENT, _TRANSFER = 0, 1, 3, 4
_MAX_AMOUNT = 10_000_000.0  # PaySim splits larger transfers
_N_STEPS = 743  # hours in the simulated month


_CLEARED = 0.03   # share of rule positives an investigator clears
_MISSED = 0.002   # share of other transfers and cash-outs reported as fraud
# Measured once on 4e5 rows: a takeover ends up labelled 1 with probability
# _CATCH (the jittered thresholds miss the small ones), an ordinary row with
# probability _BASE (the missed-fraud noise on transfers and cash-outs).
_CATCH = 0.663
_BASE = 0.00093


def _takeover_share(fraud_rate):
    """Probability of a takeover that gives about ``fraud_rate`` positives."""
    return max(fraud_rate - _BASE, 0.0) / (_CATCH - _BASE)


def _check_int(name, value, low):
    if (not isinstance(value, numbers.Integral) or isinstance(value, bool)
            or value < low):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def make_paysim_transactions(n_samples=1_000_000, fraud_rate=0.04, random_state=0,
                             as_frame=True):
    """Mobile-money transactions with the columns of the PaySim simulator and a
    fraud label given by expert-like rules with noise.

    Columns: ``step`` (hour of the month, 1..743), ``type`` (``CASH_IN``,
    ``CASH_OUT``, ``DEBIT``, ``PAYMENT``, ``TRANSFER``), ``amount``, ``nameOrig``
    (customer ``C...``), ``oldbalanceOrg``, ``newbalanceOrig``, ``nameDest``
    (customer ``C...`` or merchant ``M...``), ``oldbalanceDest``,
    ``newbalanceDest`` and ``label`` (1 = fraud).  Money is rounded to cents.

    Generating process.  Each row is an ordinary transaction or, with a
    probability set from ``fraud_rate``, an account takeover:

    * Ordinary: the type is drawn from PaySim's mix (CASH_OUT 35%, PAYMENT 34%,
      CASH_IN 22%, TRANSFER 8%, DEBIT 0.65%), the amount is log-normal per type
      (transfers largest, payments and debits small) and capped at 10 million.
      Many originating accounts hold nothing; otherwise the old balance is
      log-normal.  Money leaves the originating account (``newbalanceOrig =
      max(oldbalanceOrg - amount, 0)``) except for CASH_IN, which adds to it.
      Merchants (``M...``, the payees of PAYMENT) show zero balances; other
      payees are credited (or debited, for CASH_IN) by the amount.  Ordinary
      activity happens mostly between 9:00 and 22:00.
    * Takeover: a TRANSFER or CASH_OUT, at any hour, that empties the account:
      ``amount = oldbalanceOrg``, ``newbalanceOrig = 0``.  For 80% of the
      takeover transfers the payee's record is left unchanged
      (``newbalanceDest = oldbalanceDest``), as in PaySim's fraud records.

    The label is then set by rules an investigator would write on the derived
    features ``orgDiff = newbalanceOrig - oldbalanceOrg`` and ``destDiff =
    newbalanceDest - oldbalanceDest`` (computed by the user, as in the original
    use case), with amount thresholds jittered per row (factor
    ``exp(N(0, 0.35))``) so that the boundaries are fuzzy:

    * a TRANSFER that takes more than ~100,000 out of the account
      (``orgDiff < -100_000``) while the payee is credited with less than half of
      the amount (``destDiff < amount / 2``);
    * a CASH_OUT of more than ~150,000 paid entirely out of the balance, which it
      empties (``orgDiff == -amount`` and ``newbalanceOrig == 0``).

    Finally 3% of the rule positives are cleared (label 0) and 0.2% of the other
    transfers and cash-outs are labelled 1 (fraud the rules missed).  A decision
    tree of depth 5 to 15 learns the labels well (ROC AUC about 0.96-0.99),
    better with ``orgDiff``/``destDiff`` than from the raw balances alone, but
    not perfectly.  The share of positives is ``fraud_rate`` to within about
    0.002 for large ``n_samples`` (by calibration of the takeover probability,
    not forced), and never below about 0.001 (the missed-fraud noise).

    Everything is drawn from one generator seeded by ``random_state`` in a fixed
    order and vectorised: the same arguments give the same data, and a million
    rows take about half a second.

    Parameters
    ----------
    n_samples : int, default=1_000_000
        Number of transactions.
    fraud_rate : float in [0.001, 0.5], default=0.04
        Approximate share of rows labelled 1.
    random_state : int, RandomState instance or None, default=0
        Seed of the generator.
    as_frame : bool, default=True
        Return a pandas DataFrame; if False, a dict of 1-D NumPy arrays with the
        same keys (strings as object arrays).

    Returns
    -------
    data : pandas.DataFrame or dict
        ``n_samples`` rows ordered by ``step``.  ``step`` and ``label`` are
        int64, money columns float64, ``type``, ``nameOrig`` and ``nameDest``
        strings.
    """
    _check_int("n_samples", n_samples, 1)
    if (not isinstance(fraud_rate, numbers.Real) or isinstance(fraud_rate, bool)
            or not 0.001 <= fraud_rate <= 0.5):
        raise ValueError(f"fraud_rate must be a number in [0.001, 0.5], got {fraud_rate!r}")
    rng = check_random_state(random_state)
    n = n_samples

    # Who is a takeover and when each transaction happens come first, so the
    # rows can be put in time order once, before any other column exists.
    takeover = rng.random_sample(n) < _takeover_share(fraud_rate)
    day = rng.randint(0, 31, n)
    # Ordinary activity mostly in the day (hours 9..21); takeovers at any hour.
    daytime = ~takeover & (rng.random_sample(n) < 0.8)
    hour = np.where(daytime, rng.randint(9, 22, n), rng.randint(0, 24, n))
    step = np.minimum(day * 24 + hour + 1, _N_STEPS).astype(np.int64)
    order = np.argsort(step.astype(np.int16), kind="stable")  # a radix sort: steps < 2**15
    step, takeover = step[order], takeover[order]
    n_takeover = int(takeover.sum())

    kind = rng.choice(len(TYPES), size=n, p=_TYPE_SHARE)
    kind[takeover] = np.where(rng.random_sample(n_takeover) < 0.5, _CASH_OUT, _TRANSFER)
    is_cash_in = kind == _CASH_IN
    is_payment = kind == _PAYMENT

    amount = np.exp(_AMOUNT[kind, 0] + _AMOUNT[kind, 1] * rng.standard_normal(n))
    old_orig = np.where(rng.random_sample(n) < _ZERO_ORIG[kind], 0.0,
                        np.exp(10.5 + 1.4 * rng.standard_normal(n)))
    # A takeover empties an account that holds something.
    old_orig[takeover] = np.exp(12.6 + 1.2 * rng.standard_normal(n_takeover))
    old_orig = np.round(np.minimum(old_orig, 5e7), 2)
    amount = np.round(np.minimum(amount, _MAX_AMOUNT), 2)
    amount[takeover] = np.minimum(old_orig[takeover], _MAX_AMOUNT)
    new_orig = np.round(np.where(is_cash_in, old_orig + amount,
                                 np.maximum(old_orig - amount, 0.0)), 2)

    old_dest = np.where(rng.random_sample(n) < 0.3, 0.0,
                        np.round(np.exp(13.0 + 1.5 * rng.standard_normal(n)), 2))
    old_dest[is_payment] = 0.0
    new_dest = np.round(np.where(is_cash_in, np.maximum(old_dest - amount, 0.0),
                                 old_dest + amount), 2)
    new_dest[is_payment] = 0.0
    # Most takeover transfers leave the payee's record unchanged.
    hidden = takeover & (kind == _TRANSFER) & (rng.random_sample(n) < 0.8)
    new_dest[hidden] = old_dest[hidden]

    # Expert rules on the derived features, thresholds jittered per row.
    org_diff = new_orig - old_orig
    dest_diff = new_dest - old_dest
    jitter = np.exp(0.35 * rng.standard_normal((2, n)))
    transfer_rule = ((kind == _TRANSFER) & (org_diff < -100_000 * jitter[0])
                     & (dest_diff < amount / 2))
    drained = (new_orig == 0) & (np.abs(org_diff + amount) < 0.005)
    cash_out_rule = (kind == _CASH_OUT) & drained & (amount > 150_000 * jitter[1])
    noise = rng.random_sample(n)
    label = np.where(transfer_rule | cash_out_rule, noise >= _CLEARED,
                     ((kind == _CASH_OUT) | (kind == _TRANSFER)) & (noise < _MISSED))

    # Account names: customers C + 9-10 digits, merchants M + digits.
    orig_id = pd.Series(rng.randint(100_000_000, 2_000_000_000, n)).astype(str)
    dest_id = pd.Series(rng.randint(100_000_000, 2_000_000_000, n)).astype(str)
    dest_prefix = pd.Series(pd.array(["C", "M"], dtype="str")).take(is_payment.astype(np.intp))
    columns = {
        "step": step,
        "type": pd.Series(pd.array(TYPES, dtype="str")).take(kind).reset_index(drop=True),
        "amount": amount,
        "nameOrig": "C" + orig_id,
        "oldbalanceOrg": old_orig,
        "newbalanceOrig": new_orig,
        "nameDest": dest_prefix.reset_index(drop=True) + dest_id,
        "oldbalanceDest": old_dest,
        "newbalanceDest": new_dest,
        "label": label.astype(np.int64),
    }
    if not as_frame:
        return {name: values.to_numpy(dtype=object) if isinstance(values, pd.Series)
                else values for name, values in columns.items()}
    # The arrays are fresh: no need for pandas to copy them into blocks.
    return pd.DataFrame(columns, copy=False)
