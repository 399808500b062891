/* The TPE sampler below Python: Hyperopt's adaptive Parzen estimator (sorted
 * components, inserted prior, gap bandwidths clipped to [prior/min(100, n+1),
 * prior], linear forgetting), mixtures that integrate / sum to one, the EI
 * ranking concentrating on the good region, determinism across threads and
 * batches, prior draws in their support, and the rejection of bad spaces and
 * observations. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/tune.h"

static pmc_tpe_dim numeric(double low, double high, double q, int log_space) {
    pmc_tpe_dim d = {0};
    d.kind = PMC_TPE_NUMERIC;
    d.log = log_space;
    d.prior_uniform = 1;
    d.low = low;
    d.high = high;
    d.prior_mu = 0.5 * (low + high);
    d.prior_sigma = high - low;
    d.q = q;
    return d;
}

static void test_parzen(void) {
    /* three observations and the prior at 0.5: sorted means 0.1 0.3 0.5 0.7, every
     * neighbour gap 0.2 = the lower clip 1 / min(100, 4 + 1); the prior keeps its sigma */
    const double mus[3] = {0.3, 0.1, 0.7};
    double w[4], m[4], s[4];
    CHECK_OK(pmc_tpe_parzen(mus, 3, 1.0, 0.5, 1.0, 25, w, m, s));
    const double means[4] = {0.1, 0.3, 0.5, 0.7};
    for (int i = 0; i < 4; i++) {
        CHECK_CLOSE(m[i], means[i], 0, 1e-15);
        CHECK_CLOSE(w[i], 0.25, 1e-15, 0);
        CHECK_CLOSE(s[i], i == 2 ? 1.0 : 0.2, 1e-12, 0);
    }
    /* wide gaps are capped at the prior sigma, narrow ones raised to the floor */
    const double spread[3] = {-5.0, 0.45, 0.46};
    CHECK_OK(pmc_tpe_parzen(spread, 3, 2.0, 0.5, 1.0, 25, w, m, s));
    CHECK_CLOSE(m[0], -5.0, 0, 0);
    CHECK_CLOSE(s[0], 1.0, 0, 0);         /* gap 5.45 > prior sigma */
    CHECK_CLOSE(s[1], 1.0, 0, 0);         /* the larger gap, 5.45, capped */
    CHECK_CLOSE(s[2], 0.2, 1e-12, 0);     /* gaps 0.01 and 0.04 < floor */
    CHECK_CLOSE(m[3], 0.5, 0, 0);         /* prior after both observations below it */
    CHECK_CLOSE(w[3], 2.0 / 5.0, 1e-15, 0); /* prior_weight 2 of a total of 5 */
    /* one observation: half the prior sigma; none: the prior alone */
    const double one = 0.9;
    CHECK_OK(pmc_tpe_parzen(&one, 1, 1.0, 0.5, 1.0, 25, w, m, s));
    CHECK(m[0] == 0.5 && m[1] == 0.9 && s[0] == 1.0 && s[1] == 0.5);
    CHECK_OK(pmc_tpe_parzen(NULL, 0, 1.0, 0.5, 1.0, 25, w, m, s));
    CHECK(w[0] == 1.0 && m[0] == 0.5 && s[0] == 1.0);
    /* linear forgetting: of 30 observations with LF 25, the oldest weighs 1/30 of
     * the newest (before normalisation), the ramp rising linearly over 5 */
    double many[30], w30[31], m30[31], s30[31];
    for (int i = 0; i < 30; i++) many[i] = 10.0 + i; /* sorted order = trial order */
    CHECK_OK(pmc_tpe_parzen(many, 30, 1.0, 0.0, 100.0, 25, w30, m30, s30));
    CHECK(m30[0] == 0.0); /* the prior sorts first */
    CHECK_CLOSE(w30[1] / w30[30], 1.0 / 30.0, 1e-12, 0);
    CHECK_CLOSE(w30[5] / w30[30], 1.0, 1e-12, 0);
    CHECK_CLOSE((w30[2] - w30[1]) / w30[30], (1.0 - 1.0 / 30.0) / 4.0, 1e-12, 0);
    /* equal means (quantised values repeat) stay in trial order, so within a run
     * the forgetting weights rise: 30 observations of 3 values, 10 each */
    for (int i = 0; i < 30; i++) many[i] = (double)(i % 3);
    CHECK_OK(pmc_tpe_parzen(many, 30, 1.0, -1.0, 100.0, 25, w30, m30, s30));
    for (int i = 1; i < 30; i++)
        if (m30[i + 1] == m30[i]) CHECK(w30[i + 1] >= w30[i]);
    CHECK(w30[1] < w30[10]); /* the run of 0s: trial 0 (weight 1/30) .. trial 27 (1) */
    CHECK_FAILS(pmc_tpe_parzen(mus, 3, 0.0, 0.5, 1.0, 25, w, m, s), PMC_ERR_VALUE, "prior_weight");
    CHECK_FAILS(pmc_tpe_parzen(mus, 3, 1.0, 0.5, 0.0, 25, w, m, s), PMC_ERR_VALUE, "sigma > 0");
    CHECK_FAILS(pmc_tpe_parzen(mus, 3, 1.0, 0.5, 1.0, 0, w, m, s), PMC_ERR_VALUE,
                "linear_forgetting");
}

static void test_mixture_normalised(void) {
    const double w[3] = {0.2, 0.5, 0.3}, m[3] = {0.1, 0.6, 0.95}, s[3] = {0.3, 0.05, 0.2};
    /* continuous, truncated to [0, 1]: integrates to 1 (Simpson, 2000 steps) */
    int n = 2000;
    double h = 1.0 / n, integral = 0;
    for (int i = 0; i <= n; i++) {
        double f = exp(pmc_tpe_mixture_logpdf(i * h, 3, w, m, s, 0, 1, 0, 0));
        integral += f * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
    }
    CHECK_CLOSE(integral * h / 3, 1.0, 1e-6, 0);
    /* quantised by 0.1 on [0, 1]: the buckets of 0, 0.1, ..., 1 tile the range */
    double total = 0;
    for (int i = 0; i <= 10; i++) total += exp(pmc_tpe_mixture_logpdf(0.1 * i, 3, w, m, s, 0, 1, 0.1, 0));
    CHECK_CLOSE(total, 1.0, 1e-12, 0);
    /* log space: values exp(y), y in [0, 3], buckets of width 1 in value space */
    const double lm[2] = {0.5, 2.0}, ls[2] = {1.0, 0.5}, lw[2] = {0.5, 0.5};
    total = 0;
    for (int v = 1; v <= 20; v++) total += exp(pmc_tpe_mixture_logpdf(v, 2, lw, lm, ls, 0, 3, 1, 1));
    CHECK_CLOSE(total, 1.0, 1e-12, 0); /* buckets 0.5..20.5 cover [e^0, e^3] */
}

/* 40 evenly spread trials of (x - 3)^2 on [0, 10]; gamma = 1 makes the good set
 * the ceil(sqrt(40)) = 7 nearest 3 (bandwidths >= 10 / (7 + 2)), and g has a hole
 * there, so EI picks candidates near 3. */
static void test_ei_ranking(void) {
    pmc_tpe_dim dim = numeric(0, 10, 0, 0);
    enum { N = 40, S = 16 };
    double X[N], loss[N], out[S], out2[S];
    for (int i = 0; i < N; i++) {
        X[i] = 0.125 + 0.25 * i;
        loss[i] = (X[i] - 3) * (X[i] - 3);
    }
    int64_t ids[S];
    for (int i = 0; i < S; i++) ids[i] = N + i;
    pmc_view Xv = pmc_view_2d(X, PMC_FLOAT64, N, 1), lv = pmc_view_1d(loss, PMC_FLOAT64, N);
    pmc_tpe_options o = pmc_tpe_default_options();
    o.gamma = 1.0;
    CHECK_OK(pmc_tpe_suggest(&dim, 1, &Xv, &lv, &o, 7, ids, S, 1, out));
    int near = 0;
    for (int i = 0; i < S; i++) near += fabs(out[i] - 3) < 1.0;
    CHECK(near == S); /* seen: all within 0.35 of 3 */
    /* the same ids one at a time and with two threads: identical draws */
    for (int i = 0; i < S; i++) CHECK_OK(pmc_tpe_suggest(&dim, 1, &Xv, &lv, &o, 7, ids + i, 1, 1, out2 + i));
    for (int i = 0; i < S; i++) CHECK(out[i] == out2[i]);
    /* fewer than n_startup_jobs observations: prior draws, as pmc_tpe_sample_prior */
    o.n_startup_jobs = N + 1;
    CHECK_OK(pmc_tpe_suggest(&dim, 1, &Xv, &lv, &o, 7, ids, S, 1, out));
    CHECK_OK(pmc_tpe_sample_prior(&dim, 1, 7, ids, S, out2));
    for (int i = 0; i < S; i++) CHECK(out[i] == out2[i]);
}

/* A mixed space (numeric, log, quantised, categorical with p, randint offset)
 * with a conditional dimension, several groups, threads 1 vs 3. */
static void test_mixed_space_threads(void) {
    const double p[3] = {0.2, 0.3, 0.5};
    pmc_tpe_dim d[6];
    d[0] = numeric(-1, 1, 0, 0);
    d[1] = numeric(log(1e-3), 0, 0, 1);
    d[2] = numeric(1, 50, 1, 0);
    memset(&d[3], 0, sizeof d[3]);
    d[3].kind = PMC_TPE_CATEGORICAL;
    d[3].n_choices = 3;
    d[3].p = p;
    d[4] = d[3];
    d[4].p = NULL;
    d[4].n_choices = 4;
    d[4].offset = 10; /* randint(10, 14) */
    d[5] = numeric(0, 1, 0.1, 0);
    for (int g = 0; g < 6; g++) d[g].group = g;
    d[5].group = d[3].group = 3; /* a joint group: multivariate */
    enum { N = 60, S = 5 };
    double X[N * 6], loss[N], a[S * 6], b[S * 6];
    int64_t ids[N];
    for (int i = 0; i < N; i++) ids[i] = i;
    CHECK_OK(pmc_tpe_sample_prior(d, 6, 3, ids, N, X));
    for (int i = 0; i < N; i++) {
        const double *x = X + i * 6;
        CHECK(x[0] >= -1 && x[0] < 1 && x[1] >= 1e-3 && x[1] <= 1);
        CHECK(x[2] == floor(x[2]) && x[2] >= 1 && x[2] <= 50);
        CHECK(x[3] == 0 || x[3] == 1 || x[3] == 2);
        CHECK(x[4] >= 10 && x[4] <= 13 && x[4] == floor(x[4]));
        CHECK(fabs(x[5] * 10 - nearbyint(x[5] * 10)) < 1e-9);
        if (i % 4 == 0) X[i * 6 + 1] = NAN; /* inactive in a quarter of the trials */
        loss[i] = i % 9 == 0 ? NAN : x[0] * x[0] + x[3] + fabs(x[2] - 20) / 10;
    }
    pmc_view Xv = pmc_view_2d(X, PMC_FLOAT64, N, 6), lv = pmc_view_1d(loss, PMC_FLOAT64, N);
    pmc_tpe_options o = pmc_tpe_default_options();
    int64_t new_ids[S] = {60, 61, 62, 63, 64};
    CHECK_OK(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 11, new_ids, S, 1, a));
    CHECK_OK(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 11, new_ids, S, 3, b));
    CHECK(memcmp(a, b, sizeof a) == 0);
    for (int i = 0; i < S; i++) {
        CHECK(a[i * 6 + 2] == floor(a[i * 6 + 2]) && a[i * 6 + 2] >= 1 && a[i * 6 + 2] <= 50);
        CHECK(a[i * 6 + 4] >= 10 && a[i * 6 + 4] <= 13);
    }
    CHECK_OK(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 12, new_ids, S, 1, b));
    CHECK(memcmp(a, b, sizeof a) != 0); /* another seed, other draws */

    /* crafted observations and spaces are rejected, naming what is wrong */
    double saved = X[7 * 6 + 4];
    X[7 * 6 + 4] = 14; /* randint(10, 14) never yields 14 */
    CHECK_FAILS(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 11, new_ids, S, 1, a), PMC_ERR_VALUE,
                "not one of the 4 choices");
    X[7 * 6 + 4] = saved;
    X[0] = INFINITY;
    CHECK_FAILS(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 11, new_ids, S, 1, a), PMC_ERR_VALUE,
                "infinite");
    X[0] = 0;
    pmc_view short_loss = pmc_view_1d(loss, PMC_FLOAT64, N - 1);
    CHECK_FAILS(pmc_tpe_suggest(d, 6, &Xv, &short_loss, &o, 11, new_ids, S, 1, a), PMC_ERR_VALUE,
                "loss");
    o.gamma = 0;
    CHECK_FAILS(pmc_tpe_suggest(d, 6, &Xv, &lv, &o, 11, new_ids, S, 1, a), PMC_ERR_VALUE, "gamma");
    o = pmc_tpe_default_options();
    d[0].group = 6;
    CHECK_FAILS(pmc_tpe_check_space(d, 6), PMC_ERR_VALUE, "group");
    d[0].group = 0;
    d[0].high = -1;
    CHECK_FAILS(pmc_tpe_check_space(d, 6), PMC_ERR_VALUE, "low");
    d[0].high = 1;
    const double bad_p[3] = {0.5, 0.5, 0.5};
    d[3].p = bad_p;
    CHECK_FAILS(pmc_tpe_check_space(d, 6), PMC_ERR_VALUE, "sum to");
    d[3].p = p;
    d[2].q = -1;
    CHECK_FAILS(pmc_tpe_check_space(d, 6), PMC_ERR_VALUE, "q must be");
    d[2].q = 1;
    CHECK_OK(pmc_tpe_check_space(d, 6));
}

int main(void) {
    test_parzen();
    test_mixture_normalised();
    test_ei_ranking();
    test_mixed_space_threads();
    return check_report("test_tpe");
}
