/* The search engine: candidates x folds through real estimator tables, a
 * transformer chain through per-task buffers, scorers reading compact outputs at
 * the fold's rows, per-task failures, stop_on_error, thread-count independence and
 * the checks of untrusted fold indices.  The scorers are defined here (the
 * library's own live in core/metrics and have their own tests). */
#include <stdlib.h>

#include "check.h"
#include "pmc/linear.h"
#include "pmc/preprocessing.h"
#include "pmc/search.h"
#include "search_outcome.h"

/* Minus the mean squared error, reading y at `rows` and output row i. */
static pmc_status test_neg_mse(const pmc_view *y, const pmc_view *w, pmc_rows rows,
                               const pmc_view *out, int64_t n_classes, double *score,
                               unsigned *warnings) {
    (void)w;
    (void)n_classes;
    double s = 0;
    for (int64_t i = 0; i < rows.n; i++) {
        double d = pmc_view_get(y, pmc_row_at(&rows, i), 0) - pmc_view_get(out, i, 0);
        s += d * d;
    }
    *score = rows.n ? -s / (double)rows.n : 0.0;
    return PMC_OK;
}

/* The total weight of the scored rows (their count when unweighted). */
static pmc_status test_weight_sum(const pmc_view *y, const pmc_view *w, pmc_rows rows,
                                  const pmc_view *out, int64_t n_classes, double *score,
                               unsigned *warnings) {
    (void)y;
    (void)out;
    (void)n_classes;
    double s = 0;
    for (int64_t i = 0; i < rows.n; i++)
        s += w->ndim ? pmc_view_get(w, pmc_row_at(&rows, i), 0) : 1.0;
    *score = s;
    return PMC_OK;
}

static const pmc_scorer weight_sum = {"weight_sum", PMC_PREDICT, -1, 0, test_weight_sum};
static const pmc_scorer neg_mse = {"neg_mse", PMC_PREDICT, -1, 0, test_neg_mse};
static const pmc_scorer wants_proba = {"proba", PMC_PREDICT_PROBA, -1, 0, test_neg_mse};
static const pmc_scorer proba_or_predict = {"proba_or_predict", PMC_PREDICT_PROBA, PMC_PREDICT,
                                            0, test_neg_mse};

#define N 40
#define FOLDS 4
_Static_assert(2 * FOLDS <= SEARCH_MAX_TASKS, "outcome buffers too small");

/* Data: y = 3 x0 - 2 x1 + 1 + noise; folds of interleaved rows (fold k tests rows
 * i % FOLDS == k) as scikit-learn's index arrays. */
static double X[N * 2], y[N];
static int64_t train_idx[FOLDS][N], test_idx[FOLDS][N];
static pmc_rows train[FOLDS], test[FOLDS];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < N; i++) {
        X[2 * i] = pmc_rng_normal(&rng) * 3 + 5;
        X[2 * i + 1] = pmc_rng_normal(&rng);
        y[i] = 3 * X[2 * i] - 2 * X[2 * i + 1] + 1 + 0.1 * pmc_rng_normal(&rng);
    }
    for (int k = 0; k < FOLDS; k++) {
        int64_t a = 0, b = 0;
        for (int i = 0; i < N; i++) {
            if (i % FOLDS == k) test_idx[k][b++] = i;
            else train_idx[k][a++] = i;
        }
        train[k] = (pmc_rows){train_idx[k], 0, a};
        test[k] = (pmc_rows){test_idx[k], 0, b};
    }
}

/* Reference: the test MSE of fold f for LinearRegression, fitted directly. */
static double direct_score(const pmc_data *data, int f) {
    const pmc_estimator *est = pmc_find_estimator("LinearRegression");
    pmc_linear_regression_params p = {1, 1e-6, 0};
    pmc_data d = *data;
    d.rows = train[f];
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    double out[N], score = NAN;
    CHECK_OK(est->fit(&p, &d, NULL, &ctx, &m));
    pmc_view v = pmc_view_1d(out, PMC_FLOAT64, test[f].n);
    CHECK_OK(est->apply(m, PMC_PREDICT, &data->X, test[f], &ctx, &v));
    unsigned warnings = 0;
    test_neg_mse(&data->y, &data->weight, test[f], &v, 0, &score, &warnings);
    est->free(&m);
    return score;
}

static void test_chain(int n_threads) {
    const pmc_estimator *ridge = pmc_find_estimator("Ridge");
    const pmc_estimator *scaler = pmc_find_estimator("StandardScaler");
    const pmc_estimator *ols = pmc_find_estimator("LinearRegression");
    CHECK(ridge && scaler && ols);
    if (!ridge || !scaler || !ols) return;
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 2));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);

    /* Candidates of a (scaler, LinearRegression) chain: scaling never changes OLS
     * predictions, so every score equals the direct fit's. */
    pmc_standard_scaler_params sp[2] = {{1, 1}, {0, 1}};
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    const pmc_estimator *steps[2] = {scaler, ols};
    const void *params[4] = {&sp[0], &lp, &sp[1], &lp};
    uint64_t seeds[4] = {0, 0, 0, 0};
    const pmc_scorer *scorers[2] = {&neg_mse, &proba_or_predict};
    pmc_search_spec spec = {2, steps, 2, params, seeds, FOLDS, train, test, 2, scorers, 0, 1, 0,
                            0};
    outcome o;
    outcome_init(&o);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    CHECK_OK(pmc_search_run(&spec, &data, &ctx, &o.r));
    for (int t = 0; t < 2 * FOLDS; t++) {
        CHECK(o.status[t] == PMC_OK && !o.message[t]);
        double ref = direct_score(&data, t % FOLDS);
        CHECK_CLOSE(o.test[2 * t], ref, 1e-10, 1e-12);
        CHECK(o.test[2 * t + 1] == o.test[2 * t]); /* the fallback method: predict */
        CHECK(o.train[2 * t] < 0 && o.train[2 * t] > -0.1); /* noise variance 0.01 */
        CHECK(o.fit_time[t] >= 0 && o.score_time[t] >= 0);
    }
    pmc_search_free_messages(&o.r, 2 * FOLDS);

    /* Ridge with two alphas, no transformer: a larger alpha fits worse. */
    double alphas[2] = {1e-8, 1e3};
    pmc_ridge_params rp[2];
    for (int c = 0; c < 2; c++) {
        memset(&rp[c], 0, sizeof rp[c]);
        rp[c].alpha = pmc_view_1d(&alphas[c], PMC_FLOAT64, 1);
        rp[c].fit_intercept = 1;
        rp[c].tol = 1e-4;
    }
    const pmc_estimator *one[1] = {ridge};
    const void *rparams[2] = {&rp[0], &rp[1]};
    pmc_search_spec rspec = {1, one, 2, rparams, seeds, FOLDS, train, test, 1, scorers, 0, 0, 0,
                             0};
    outcome_init(&o);
    o.r.train_scores = NULL;
    CHECK_OK(pmc_search_run(&rspec, &data, &ctx, &o.r));
    for (int f = 0; f < FOLDS; f++) {
        CHECK_CLOSE(o.test[f], direct_score(&data, f), 1e-6, 1e-9);
        CHECK(o.test[FOLDS + f] < o.test[f]);
    }
    pmc_search_free_messages(&o.r, 2 * FOLDS);
}

static void test_failures(void) {
    const pmc_estimator *ols = pmc_find_estimator("LinearRegression");
    if (!ols) return;
    /* A negative weight on row 0: the folds training on it fail (fold 0 tests it). */
    double w[N];
    for (int i = 0; i < N; i++) w[i] = i == 0 ? -1.0 : 1.0;
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 2));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);
    data.weight = pmc_view_1d(w, PMC_FLOAT64, N);
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    const pmc_estimator *steps[1] = {ols};
    const void *params[2] = {&lp, &lp};
    uint64_t seeds[2] = {0, 0};
    const pmc_scorer *scorers[1] = {&neg_mse};
    pmc_search_spec spec = {1, steps, 2, params, seeds, FOLDS, train, test, 1, scorers, 0, 0, 0,
                            0};
    outcome o;
    outcome_init(&o);
    o.r.train_scores = NULL;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = 2;
    CHECK_OK(pmc_search_run(&spec, &data, &ctx, &o.r));
    for (int t = 0; t < 2 * FOLDS; t++) {
        int fails = t % FOLDS != 0;
        CHECK((o.status[t] != PMC_OK) == fails);
        CHECK(isnan(o.test[t]) == fails);
        CHECK((o.message[t] != NULL) == fails);
        if (fails) CHECK(o.in_fit[t] && strstr(o.message[t], "non-negative"));
    }
    pmc_search_free_messages(&o.r, 2 * FOLDS);
    CHECK(o.message[1] == NULL);

    /* stop_on_error: the lowest failing task is reported with its place. */
    spec.stop_on_error = 1;
    outcome_init(&o);
    o.r.train_scores = NULL;
    CHECK_FAILS(pmc_search_run(&spec, &data, &ctx, &o.r), PMC_ERR_VALUE,
                "candidate 0, fold 1: ");
    pmc_search_free_messages(&o.r, 2 * FOLDS);

    /* A scorer needing a method the estimator lacks: a scoring failure. */
    data.weight.ndim = 0;
    const pmc_scorer *proba[1] = {&wants_proba};
    spec.stop_on_error = 0;
    spec.scorers = proba;
    outcome_init(&o);
    o.r.train_scores = NULL;
    CHECK_OK(pmc_search_run(&spec, &data, &ctx, &o.r));
    CHECK(o.status[0] == PMC_ERR_UNSUPPORTED && !o.in_fit[0] && isnan(o.test[0]));
    CHECK(o.message[0] && strstr(o.message[0], "predict_proba"));
    pmc_search_free_messages(&o.r, 2 * FOLDS);
}

/* The fits always see the weights; the scorers only with weighted_scores. */
static void test_weighted_scores(void) {
    const pmc_estimator *ols = pmc_find_estimator("LinearRegression");
    if (!ols) return;
    double w[N];
    for (int i = 0; i < N; i++) w[i] = 0.5 + (double)(i % 3);
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 2));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);
    data.weight = pmc_view_1d(w, PMC_FLOAT64, N);
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    const pmc_estimator *steps[1] = {ols};
    const void *params[1] = {&lp};
    uint64_t seeds[1] = {0};
    const pmc_scorer *scorers[2] = {&weight_sum, &neg_mse};
    pmc_ctx ctx = pmc_ctx_default();
    for (int weighted = 0; weighted < 2; weighted++) {
        pmc_search_spec spec = {1, steps, 1, params, seeds, FOLDS, train, test, 2, scorers, 0, 1,
                                0, weighted};
        outcome o;
        outcome_init(&o);
        CHECK_OK(pmc_search_run(&spec, &data, &ctx, &o.r));
        for (int f = 0; f < FOLDS; f++) {
            double expected_test = 0, expected_train = 0;
            for (int64_t i = 0; i < test[f].n; i++)
                expected_test += weighted ? w[test[f].index[i]] : 1.0;
            for (int64_t i = 0; i < train[f].n; i++)
                expected_train += weighted ? w[train[f].index[i]] : 1.0;
            CHECK(o.test[2 * f] == expected_test && o.train[2 * f] == expected_train);
            /* A weighted fit differs from the unweighted direct one. */
            CHECK(o.test[2 * f + 1] != direct_score(&(pmc_data){data.X, data.y, {0}, {0}}, f));
        }
        pmc_search_free_messages(&o.r, FOLDS);
    }
}

static void test_bad_spec(void) {
    const pmc_estimator *ols = pmc_find_estimator("LinearRegression");
    if (!ols) return;
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 2));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    const pmc_estimator *steps[1] = {ols};
    const void *params[1] = {&lp};
    uint64_t seeds[1] = {0};
    const pmc_scorer *scorers[1] = {&neg_mse};
    int64_t bad_index[2] = {3, N};
    pmc_rows bad_train[1] = {{bad_index, 0, 2}}, ok_test[1] = {{NULL, 0, 5}};
    pmc_search_spec spec = {1, steps, 1, params, seeds, 1, bad_train, ok_test, 1, scorers, 0, 0,
                            0, 0};
    outcome o;
    outcome_init(&o);
    pmc_ctx ctx = pmc_ctx_default();
    CHECK_FAILS(pmc_search_run(&spec, &data, &ctx, &o.r), PMC_ERR_VALUE,
                "train index of fold 0 holds 40, out of range");
    pmc_rows bad_range[1] = {{NULL, N - 2, 5}};
    spec.train = ok_test;
    spec.test = bad_range;
    CHECK_FAILS(pmc_search_run(&spec, &data, &ctx, &o.r), PMC_ERR_VALUE, "test rows of fold 0");
    /* Classification scorers check every y value is a class index. */
    pmc_scorer classify = neg_mse;
    classify.is_classification = 1;
    const pmc_scorer *cs[1] = {&classify};
    spec.test = ok_test;
    spec.scorers = cs;
    spec.n_classes = 2;
    CHECK_FAILS(pmc_search_run(&spec, &data, &ctx, &o.r), PMC_ERR_VALUE,
                "is not a class index");
}

int main(void) {
    make_data();
    test_chain(1);
    test_chain(2);
    test_failures();
    test_weighted_scores();
    test_bad_spec();
    return check_report("test_search");
}
