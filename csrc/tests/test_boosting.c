/* Histogram gradient boosting through its estimator table: a step function is
 * learnt exactly by one split, the loss falls, thread counts and warm starts
 * give identical models, NaN and categorical splits route as trained, the
 * export -> import round trip predicts identically, and crafted state is
 * rejected with a message. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/boosting.h"

static const pmc_estimator *est;

static pmc_hgb_params defaults(int loss) {
    pmc_hgb_params p;
    memset(&p, 0, sizeof p);
    p.loss = loss;
    p.n_classes = 2;
    p.quantile = 0.5;
    p.learning_rate = 0.1;
    p.max_iter = 20;
    p.max_leaf_nodes = 31;
    p.min_samples_leaf = 20;
    p.min_child_weight = 1e-3;
    p.max_features = 1.0;
    p.subsample = 1.0;
    p.colsample_bytree = 1.0;
    p.max_bins = 255;
    p.n_iter_no_change = 10;
    return p;
}

enum { N = 600, P = 3 };

/* x0 in {0, 0.1, .., 0.9}, x1 a category code 0..5 (NaN sometimes), x2 noise with NaN */
static void make_data(double *X, double *y, int classify) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 11, 0);
    static const double effect[6] = {2.0, -1.0, 3.0, -2.0, 0.5, -3.0};
    for (int i = 0; i < N; i++) {
        double x0 = (double)pmc_rng_below(&rng, 10) / 10.0, x2 = pmc_rng_normal(&rng);
        int c = (int)pmc_rng_below(&rng, 6);
        X[i * P] = x0;
        X[i * P + 1] = i % 17 == 0 ? NAN : c;
        X[i * P + 2] = i % 5 == 0 ? NAN : x2;
        double f = (x0 > 0.5 ? 4.0 : 0.0) + (i % 17 == 0 ? 1.0 : effect[c]);
        y[i] = classify ? (f + 0.5 * pmc_rng_normal(&rng) > 1.5) : f;
    }
}

static pmc_data data_of(double *X, double *y) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, P));
    d.y = pmc_view_1d(y, PMC_FLOAT64, N);
    d.rows = pmc_rows_all(N);
    return d;
}

static pmc_model *fit(const pmc_hgb_params *p, const pmc_data *d, const pmc_model *init,
                      int threads) {
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = threads;
    ctx.seed = 5;
    pmc_model *m = NULL;
    CHECK_OK(est->fit(p, d, init, &ctx, &m));
    return m;
}

static void predict(const pmc_model *m, pmc_method method, double *X, int64_t n, double *out,
                    int64_t cols) {
    pmc_ctx ctx = pmc_ctx_default();
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, P));
    pmc_view v = cols > 0 ? pmc_view_2d(out, PMC_FLOAT64, n, cols) : pmc_view_1d(out, PMC_FLOAT64, n);
    CHECK_OK(est->apply(m, method, &M, pmc_rows_all(n), &ctx, &v));
}

static void test_regression(void) {
    double *X = malloc(N * P * sizeof(double)), *y = malloc(N * sizeof(double));
    double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double));
    make_data(X, y, 0);
    pmc_data d = data_of(X, y);
    int64_t n_cat[P] = {0, 6, 0};
    pmc_hgb_params p = defaults(PMC_HGB_SQUARED_ERROR);
    p.n_categories = pmc_view_1d(n_cat, PMC_INT64, P);
    p.learning_rate = 1.0;
    p.max_iter = 1;
    p.max_leaf_nodes = 16;
    p.min_samples_leaf = 5;
    p.early_stopping = 1;
    pmc_model *m = fit(&p, &d, NULL, 1);
    /* with learning rate 1 and enough leaves one tree fits the noise-free target:
     * one numeric split, a categorical one, NaN codes as a category of their own */
    predict(m, PMC_PREDICT, X, N, a, 0);
    double worst = 0.0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(a[i] - y[i]));
    CHECK(worst < 1e-5); /* gradients are float32, as scikit-learn's: ~1e-7 relative */
    /* the scores: the baseline's, then the tree's; the loss falls */
    pmc_arrays arr;
    memset(&arr, 0, sizeof arr);
    CHECK_OK(est->export_arrays(m, &arr));
    const pmc_view *ts = pmc_arrays_find(&arr, "train_score");
    CHECK(ts && ts->shape[0] == 2 && pmc_view_get(ts, 1, 0) > pmc_view_get(ts, 0, 0));
    est->free(&m);

    /* thread counts and warm starts give the same model */
    p.learning_rate = 0.1;
    p.max_iter = 8;
    p.subsample = 0.7;
    p.max_features = 0.7;
    pmc_model *m1 = fit(&p, &d, NULL, 1), *m2 = fit(&p, &d, NULL, 2);
    p.max_iter = 3;
    pmc_model *part = fit(&p, &d, NULL, 2);
    p.max_iter = 8;
    pmc_model *warm = fit(&p, &d, part, 1);
    predict(m1, PMC_PREDICT, X, N, a, 0);
    predict(m2, PMC_PREDICT, X, N, b, 0);
    for (int i = 0; i < N; i++) CHECK(a[i] == b[i]);
    predict(warm, PMC_PREDICT, X, N, b, 0);
    for (int i = 0; i < N; i++) CHECK(a[i] == b[i]);

    /* export -> import predicts identically; crafted state is refused */
    memset(&arr, 0, sizeof arr);
    CHECK_OK(est->export_arrays(m1, &arr));
    pmc_model *back = NULL;
    CHECK_OK(est->import_arrays(&arr, &back));
    predict(back, PMC_PREDICT, X, N, b, 0);
    for (int i = 0; i < N; i++) CHECK(a[i] == b[i]);
    pmc_view *left = NULL;
    for (int k = 0; k < arr.n; k++)
        if (strcmp(arr.items[k].name, "node_left") == 0) left = &arr.items[k].view;
    CHECK(left != NULL);
    int32_t *l = left->data, saved = l[0];
    l[0] = 1000000;
    pmc_model *bad = NULL;
    CHECK_FAILS(est->import_arrays(&arr, &bad), PMC_ERR_VALUE, "children");
    l[0] = 0; /* a cycle onto itself */
    CHECK_FAILS(est->import_arrays(&arr, &bad), PMC_ERR_VALUE, "children");
    l[0] = saved;
    CHECK(bad == NULL);
    est->free(&back);
    est->free(&m1);
    est->free(&m2);
    est->free(&part);
    est->free(&warm);
    free(X);
    free(y);
    free(a);
    free(b);
}

static void test_classification_and_errors(void) {
    double *X = malloc(N * P * sizeof(double)), *y = malloc(N * sizeof(double));
    double *proba = malloc(2 * N * sizeof(double));
    make_data(X, y, 1);
    pmc_data d = data_of(X, y);
    pmc_hgb_params p = defaults(PMC_HGB_LOG_LOSS);
    pmc_model *m = fit(&p, &d, NULL, 2);
    predict(m, PMC_PREDICT_PROBA, X, N, proba, 2);
    int correct = 0;
    for (int i = 0; i < N; i++) {
        CHECK_CLOSE(proba[2 * i] + proba[2 * i + 1], 1.0, 1e-12, 0);
        correct += (proba[2 * i + 1] > 0.5) == (y[i] > 0.5);
    }
    CHECK(correct > 0.85 * N);
    est->free(&m);

    pmc_ctx ctx = pmc_ctx_default();
    p.max_bins = 300;
    CHECK_FAILS(est->fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "max_bins");
    p = defaults(PMC_HGB_LOG_LOSS);
    y[4] = 7;
    CHECK_FAILS(est->fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "class indices");
    y[4] = NAN;
    CHECK_FAILS(est->fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "NaN");
    y[4] = 0;
    int64_t rows[2] = {0, N + 3};
    p.validation_rows = pmc_view_1d(rows, PMC_INT64, 2);
    CHECK_FAILS(est->fit(&p, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "validation_rows[1]");
    free(X);
    free(y);
    free(proba);
}

/* Nodes above the parallel sizes (partition in chunks of 16,384 rows, growth
 * steps per block of features): one and two threads give the same trees, and
 * the trees route every training row (training predictions, updated from the
 * leaves' row ranges, equal predictions through the trees). */
static void test_large_nodes(void) {
    enum { NL = 70000, PL = 6 };
    double *X = malloc((size_t)NL * PL * sizeof(double)), *y = malloc(NL * sizeof(double));
    double *a = malloc(NL * sizeof(double)), *b = malloc(NL * sizeof(double));
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < NL; i++) {
        for (int j = 0; j < PL; j++) X[i * PL + j] = pmc_rng_normal(&rng);
        if (i % 13 == 0) X[i * PL + 2] = NAN;
        y[i] = X[i * PL] + 0.5 * X[i * PL + 1] * X[i * PL + 3] + 0.3 * pmc_rng_normal(&rng) > 0;
    }
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NL, PL));
    d.y = pmc_view_1d(y, PMC_FLOAT64, NL);
    d.rows = pmc_rows_all(NL);
    pmc_hgb_params p = defaults(PMC_HGB_LOG_LOSS);
    p.max_iter = 6;
    p.early_stopping = 1; /* train scores: the loss from the leaves' row ranges */
    pmc_model *m1 = fit(&p, &d, NULL, 1), *m2 = fit(&p, &d, NULL, 2);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, NL, PL));
    pmc_view va = pmc_view_1d(a, PMC_FLOAT64, NL), vb = pmc_view_1d(b, PMC_FLOAT64, NL);
    CHECK_OK(est->apply(m1, PMC_DECISION_FUNCTION, &M, pmc_rows_all(NL), &ctx, &va));
    CHECK_OK(est->apply(m2, PMC_DECISION_FUNCTION, &M, pmc_rows_all(NL), &ctx, &vb));
    int same = 1;
    for (int i = 0; i < NL; i++) same &= a[i] == b[i];
    CHECK(same);
    /* the last train score is the mean log loss of the predictions through the trees */
    pmc_arrays arr;
    memset(&arr, 0, sizeof arr);
    CHECK_OK(est->export_arrays(m1, &arr));
    const pmc_view *ts = pmc_arrays_find(&arr, "train_score");
    CHECK(ts && ts->shape[0] == 7);
    double loss = 0.0;
    for (int i = 0; i < NL; i++) {
        double r = a[i];
        loss += (r > 0 ? r + log1p(exp(-r)) : log1p(exp(r))) - y[i] * r;
    }
    if (ts) CHECK_CLOSE(pmc_view_get(ts, 6, 0), -loss / NL, 1e-12, 1e-12);
    est->free(&m1);
    est->free(&m2);
    free(X);
    free(y);
    free(a);
    free(b);
}

int main(void) {
    est = pmc_find_estimator("HistGradientBoosting");
    CHECK(est != NULL);
    if (!est) return check_report("test_boosting");
    test_regression();
    test_classification_and_errors();
    test_large_nodes();
    return check_report("test_boosting");
}
