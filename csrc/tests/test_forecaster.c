/* The Forecaster's C kernel: recovery of a known trend, seasonalities and an
 * extra regressor (additive and multiplicative), state round trip, intervals
 * (noise scale, determinism for any thread count), errors and crafted state. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "pmc/timeseries.h"

enum { N = 1096, H = 400, NT = N + H, NC = 2 };
static const double DAY0 = 15706.0; /* 2013-01-01 in days since 1970 */

static double X[NT * NC], Y[NT], TRUTH[NT];

/* Daily data: trend 10 + 0.01 d, weekly and yearly waves, a +5 effect every
 * 50 days in column 1, Gaussian noise of scale `noise`; multiplicative waves
 * when `mult`. */
static void make_data(int mult, double noise, uint64_t seed) {
    pmc_rng rng;
    pmc_rng_seed(&rng, seed, 0);
    for (int i = 0; i < NT; i++) {
        double d = (double)i, tday = DAY0 + d;
        double week = sin(2.0 * M_PI * tday / 7.0), year = cos(2.0 * M_PI * tday / 365.25);
        double event = i % 50 == 7 ? 1.0 : 0.0;
        double trend = 10.0 + 0.01 * d + 0.01 * PMC_MAX(d - 500.0, 0.0);
        X[i * NC] = tday;
        X[i * NC + 1] = event;
        TRUTH[i] = mult ? trend * (1.0 + 0.1 * week + 0.2 * year) + 5.0 * event
                        : trend + 2.0 * week + 3.0 * year + 5.0 * event;
        Y[i] = TRUTH[i] + noise * pmc_rng_normal(&rng);
    }
}

static double SEAS[2 * 5] = {7.0, 3, 10.0, 0, 0, 365.25, 10, 10.0, 0, 0};
static double FEAT[4] = {1, 10.0, 0, 2};

static pmc_forecaster_params params(int mult, int64_t samples) {
    pmc_forecaster_params p;
    memset(&p, 0, sizeof p);
    p.growth = 0;
    p.n_changepoints = 25;
    p.changepoint_range = 0.8;
    p.changepoint_prior_scale = 0.05;
    SEAS[3] = SEAS[8] = mult;
    p.seasonalities = pmc_view_2d(SEAS, PMC_FLOAT64, 2, 5);
    p.features = pmc_view_2d(FEAT, PMC_FLOAT64, 1, 4);
    p.scaling = 0;
    p.interval_width = 0.8;
    p.uncertainty_samples = samples;
    p.max_iter = 10000;
    p.cap_column = p.floor_column = -1;
    return p;
}

static pmc_model *fit(const pmc_forecaster_params *p, int64_t n, pmc_ctx *ctx) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NT, NC));
    d.y = pmc_view_1d(Y, PMC_FLOAT64, NT);
    d.rows = pmc_rows_all(n);
    pmc_model *m = NULL;
    CHECK_OK(pmc_forecaster_estimator.fit(p, &d, NULL, ctx, &m));
    return m;
}

static void transform(const pmc_model *m, int n_threads, double *out, int64_t first, int64_t n) {
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    pmc_matrix Xm = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NT, NC));
    pmc_rows rows = {NULL, first, n};
    pmc_view ov = pmc_view_2d(out, PMC_FLOAT64, n, 8 + 2 + 1);
    CHECK_OK(pmc_forecaster_estimator.apply(m, PMC_TRANSFORM, &Xm, rows, &ctx, &ov));
}

static void test_recovery(int mult) {
    make_data(mult, 0.3, 11);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.seed = 5;
    pmc_forecaster_params p = params(mult, 1000);
    pmc_model *m = fit(&p, N, &ctx);
    if (!m) return;
    CHECK(ctx.warning[0] == 0);
    double *out = malloc(sizeof(double) * NT * 11);
    transform(m, 1, out, 0, N + 90);
    double err_hist = 0.0, err_future = 0.0, event = 0.0;
    int n_event = 0;
    for (int i = 0; i < N + 90; i++) {
        double e = fabs(out[i * 11] - TRUTH[i]);
        if (i < N) err_hist = PMC_MAX(err_hist, e);
        else err_future = PMC_MAX(err_future, e);
        if (X[i * NC + 1] == 1.0) {
            event += out[i * 11 + 10];
            n_event++;
        }
        /* The components add up to yhat. */
        CHECK_CLOSE(out[i * 11], out[i * 11 + 3] * (1.0 + out[i * 11 + 7]) + out[i * 11 + 6],
                    1e-12, 1e-9);
    }
    /* Noise 0.3: the fit stays within ~2 noise standard errors of the truth
     * everywhere in the history and the 90-day extrapolation. */
    CHECK(err_hist < 0.4);
    CHECK(err_future < 0.6);
    CHECK_CLOSE(event / n_event, 5.0, 0.05, 0.0);
    /* sigma_obs recovers the noise scale (after y scaling). */
    pmc_arrays st;
    memset(&st, 0, sizeof st);
    CHECK_OK(pmc_forecaster_estimator.export_arrays(m, &st));
    const pmc_view *prm = pmc_arrays_find(&st, "params_"), *sc = pmc_arrays_find(&st, "scales_");
    CHECK_CLOSE(pmc_get(prm, 2, 0) * pmc_get(sc, 2, 0), 0.3, 0.08, 0.0);
    /* History intervals: yhat -/+ 1.2816 sigma, covering about 80% of the data. */
    int covered = 0;
    for (int i = 0; i < N; i++) covered += Y[i] >= out[i * 11 + 1] && Y[i] <= out[i * 11 + 2];
    CHECK(fabs((double)covered / N - 0.8) < 0.04);
    /* Trend uncertainty: none over the history, growing over the horizon (the
     * total interval is dominated by the noise here, so the trend columns are
     * the ones that show it without Monte Carlo error). */
    const double *last = out + (N + 89) * 11, *first = out + N * 11, *hist = out + (N - 1) * 11;
    CHECK(hist[5] - hist[4] == 0.0);
    CHECK(last[5] - last[4] > first[5] - first[4]);
    CHECK(first[5] - first[4] >= 0.0);
    free(out);
    pmc_forecaster_estimator.free(&m);
    CHECK(m == NULL);
}

static void test_state_and_threads(void) {
    make_data(1, 0.3, 3);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.seed = 99;
    pmc_forecaster_params p = params(1, 500);
    pmc_model *m = fit(&p, N, &ctx), *back = NULL;
    if (!m) return;
    pmc_arrays st;
    memset(&st, 0, sizeof st);
    CHECK_OK(pmc_forecaster_estimator.export_arrays(m, &st));
    CHECK_OK(pmc_forecaster_estimator.import_arrays(&st, &back));
    double *a = malloc(sizeof(double) * NT * 11), *b = malloc(sizeof(double) * NT * 11);
    transform(m, 1, a, 0, NT);
    transform(back, 2, b, 0, NT);
    CHECK(memcmp(a, b, sizeof(double) * NT * 11) == 0);
    /* Crafted states are refused. */
    double bad_beta[3] = {0, 0, 0};
    pmc_arrays crafted = st;
    for (int i = 0; i < crafted.n; i++)
        if (strcmp(crafted.items[i].name, "beta_") == 0)
            crafted.items[i].view = pmc_view_1d(bad_beta, PMC_FLOAT64, 3);
    pmc_model *c = NULL;
    CHECK_FAILS(pmc_forecaster_estimator.import_arrays(&crafted, &c), PMC_ERR_VALUE, "beta_");
    crafted = st;
    double bad_feat[6] = {7, 10, 0, 0, 0, 1}; /* column 7 does not exist in X */
    for (int i = 0; i < crafted.n; i++)
        if (strcmp(crafted.items[i].name, "features_") == 0)
            crafted.items[i].view = pmc_view_2d(bad_feat, PMC_FLOAT64, 1, 6);
    CHECK_OK(pmc_forecaster_estimator.import_arrays(&crafted, &c));
    if (c) {
        pmc_matrix Xm = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NT, NC));
        pmc_view ov = pmc_view_1d(a, PMC_FLOAT64, NT);
        CHECK_FAILS(pmc_forecaster_estimator.apply(c, PMC_PREDICT, &Xm, pmc_rows_all(NT), &ctx,
                                                   &ov),
                    PMC_ERR_VALUE, "column");
        pmc_forecaster_estimator.free(&c);
    }
    free(a);
    free(b);
    pmc_forecaster_estimator.free(&m);
    pmc_forecaster_estimator.free(&back);
}

static void test_errors(void) {
    make_data(0, 0.3, 1);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_forecaster_params p = params(0, 0);
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NT, NC));
    d.y = pmc_view_1d(Y, PMC_FLOAT64, NT);
    d.rows = pmc_rows_all(1);
    pmc_model *m = NULL;
    CHECK_FAILS(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE,
                "less than 2 non-NaN rows");
    d.rows = pmc_rows_all(N);
    p.changepoint_prior_scale = -1.0;
    CHECK_FAILS(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE,
                "changepoint_prior_scale");
    p = params(0, 0);
    double cps[1] = {DAY0 - 10.0};
    p.changepoints = pmc_view_1d(cps, PMC_FLOAT64, 1);
    CHECK_FAILS(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE,
                "within training data");
    CHECK(m == NULL);
    /* NaN targets are left out: the fit equals the one without those rows. */
    p = params(0, 0);
    Y[5] = NAN;
    int64_t idx[N - 1];
    for (int i = 0, j = 0; i < N; i++)
        if (i != 5) idx[j++] = i;
    pmc_model *a = fit(&p, N, &ctx), *b = NULL;
    d.rows.index = idx;
    d.rows.n = N - 1;
    CHECK_OK(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &b));
    if (a && b) {
        double pa[90], pbuf[90];
        pmc_matrix Xm = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NT, NC));
        pmc_rows rows = {NULL, N, 90};
        pmc_view va = pmc_view_1d(pa, PMC_FLOAT64, 90), vb = pmc_view_1d(pbuf, PMC_FLOAT64, 90);
        CHECK_OK(pmc_forecaster_estimator.apply(a, PMC_PREDICT, &Xm, rows, &ctx, &va));
        CHECK_OK(pmc_forecaster_estimator.apply(b, PMC_PREDICT, &Xm, rows, &ctx, &vb));
        CHECK(memcmp(pa, pbuf, sizeof pa) == 0);
    }
    pmc_forecaster_estimator.free(&a);
    pmc_forecaster_estimator.free(&b);
}

/* Logistic growth towards a capacity of 30 held in X column 1, no seasonality. */
static void test_logistic(void) {
    static double XL[NT * 2], YL[NT];
    pmc_rng rng;
    pmc_rng_seed(&rng, 21, 0);
    for (int i = 0; i < NT; i++) {
        double d = (double)i;
        XL[i * 2] = DAY0 + d;
        XL[i * 2 + 1] = 30.0;
        TRUTH[i] = 30.0 / (1.0 + exp(-0.006 * (d - 500.0)));
        YL[i] = TRUTH[i] + 0.3 * pmc_rng_normal(&rng);
    }
    pmc_forecaster_params p = params(0, 200);
    p.seasonalities = pmc_view_2d(SEAS, PMC_FLOAT64, 0, 5);
    p.features = pmc_view_2d(FEAT, PMC_FLOAT64, 0, 4);
    p.growth = 2;
    p.cap_column = 1;
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(XL, PMC_FLOAT64, NT, 2));
    d.y = pmc_view_1d(YL, PMC_FLOAT64, NT);
    d.rows = pmc_rows_all(N);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    CHECK_OK(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &m));
    if (!m) return;
    double *out = malloc(sizeof(double) * NT * 8);
    pmc_view ov = pmc_view_2d(out, PMC_FLOAT64, NT, 8);
    CHECK_OK(pmc_forecaster_estimator.apply(m, PMC_TRANSFORM, &d.X, pmc_rows_all(NT), &ctx, &ov));
    double err = 0.0;
    for (int i = 0; i < NT; i++) {
        err = PMC_MAX(err, fabs(out[i * 8] - TRUTH[i]));
        CHECK(out[i * 8 + 3] < 30.0); /* the trend stays under the capacity */
        CHECK(out[i * 8 + 5] <= 30.0 + 1e-9);
    }
    CHECK(err < 0.3); /* over the history and 400 days ahead */
    /* Without a capacity column the fit is refused. */
    p.cap_column = -1;
    pmc_model *bad = NULL;
    CHECK_FAILS(pmc_forecaster_estimator.fit(&p, &d, NULL, &ctx, &bad), PMC_ERR_VALUE,
                "Capacities");
    free(out);
    pmc_forecaster_estimator.free(&m);
}

int main(void) {
    test_logistic();
    test_recovery(0);
    test_recovery(1);
    test_state_and_threads();
    test_errors();
    return check_report("test_forecaster");
}
