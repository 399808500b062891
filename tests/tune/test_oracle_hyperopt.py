"""The C estimator against Hyperopt's own functions (the peer's reference):
adaptive_parzen_normal (components, weights, bandwidths, linear forgetting) and
the truncated / quantised mixture densities GMM1_lpdf and LGMM1_lpdf.

Tolerances: the Parzen components are the same arithmetic (sort, gaps, clip,
normalise) and must agree to 1e-12.  The densities agree to 1e-9 (absolute, on
log densities): Hyperopt's normal CDF is 0.5 * (1 + erf(z)) where the C code
uses erfc in the tails, which differ by rounding (about 1e-16 relative to the
bucket mass of 1e-3 .. 1 used here, i.e. ~1e-13 on the log)."""

import numpy as np
import pytest
from hyperopt import tpe as hyperopt_tpe

from pymlcore import _core


@pytest.mark.parametrize("n", [0, 1, 2, 7, 30, 80])
@pytest.mark.parametrize("prior_weight", [1.0, 0.3])
def test_parzen_matches_hyperopt(n, prior_weight):
    rng = np.random.default_rng(n)
    mus = rng.uniform(-3, 7, size=n)  # continuous: no ties, so the sort order is unique
    prior_mu, prior_sigma = 2.0, 10.0
    ours = _core.tpe_parzen(mus, prior_weight, prior_mu, prior_sigma, 25)
    theirs = hyperopt_tpe.adaptive_parzen_normal(mus, prior_weight, prior_mu, prior_sigma, LF=25)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("q", [None, 0.25])
def test_truncated_mixture_density_matches_gmm1_lpdf(q):
    w, m, s = _core.tpe_parzen(np.array([0.3, 1.7, 2.2, 4.0]), 1.0, 2.5, 5.0, 25)
    x = np.arange(0.0, 5.01, 0.25)  # on the grid of q, inside [0, 5]
    ours = _core.tpe_mixture_logpdf(x, w, m, s, 0.0, 5.0, q or 0.0, False)
    theirs = hyperopt_tpe.GMM1_lpdf(x, w, m, s, 0.0, 5.0, q)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_quantised_log_mixture_density_matches_lgmm1_lpdf():
    w, m, s = _core.tpe_parzen(np.log([2.0, 3.0, 9.0, 15.0]), 1.0, 1.5, 3.0, 25)
    x = np.arange(1.0, 21.0)  # values of qloguniform(0, 3, q=1)
    ours = _core.tpe_mixture_logpdf(x, w, m, s, 0.0, 3.0, 1.0, True)
    theirs = hyperopt_tpe.LGMM1_lpdf(x, w, m, s, 0.0, 3.0, 1.0)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


def test_bad_mixture_arguments():
    one = np.ones(1)
    with pytest.raises(ValueError, match="equal length"):
        _core.tpe_mixture_logpdf(one, one, np.ones(2), one, 0.0, 1.0, 0.0, False)
    with pytest.raises(ValueError, match="> 0"):
        _core.tpe_mixture_logpdf(one, one, one, -one, 0.0, 1.0, 0.0, False)
    with pytest.raises(ValueError, match="prior"):
        _core.tpe_parzen(one, 1.0, 0.0, 0.0)
