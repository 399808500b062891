/* Trees and forests through their estimator tables: a hand-checkable tree
 * (thresholds, node values, NaN routing), the sort behind the exact splitter
 * against brute force on tied and untied data, forests equal across thread
 * counts, histogram and exact splitting, and import rejecting crafted arrays. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/tree.h"

static pmc_tree_params default_params(int criterion, int64_t p, int64_t *n_classes) {
    pmc_tree_params pr;
    memset(&pr, 0, sizeof pr);
    pr.criterion = criterion;
    pr.max_depth = -1;
    pr.min_samples_split = 2;
    pr.min_samples_leaf = 1;
    pr.max_features = p;
    pr.max_leaf_nodes = -1;
    if (n_classes) pr.n_classes = pmc_view_1d(n_classes, PMC_INT64, 1);
    pr.n_estimators = 1;
    return pr;
}

static pmc_data make_data(double *X, int64_t n, int64_t p, double *y) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, p));
    d.y = pmc_view_1d(y, PMC_FLOAT64, n);
    d.rows = pmc_rows_all(n);
    return d;
}

static const pmc_view *find(const pmc_arrays *a, const char *name) {
    const pmc_view *v = pmc_arrays_find(a, name);
    CHECK(v != NULL);
    return v;
}

/* y = 1 where x > 2.5 (x = 0..5): one split at 2.5, two pure leaves; NaN at
 * predict goes to the child with more samples (here equal: right). */
static void test_small_tree(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    CHECK(est != NULL);
    if (!est) return;
    double X[6] = {0, 1, 2, 3, 4, 5}, y[6] = {0, 0, 0, 1, 1, 1};
    int64_t n_classes[1] = {2};
    pmc_tree_params pr = default_params(0 /* gini */, 1, n_classes);
    pmc_data d = make_data(X, 6, 1, y);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL, *back = NULL;
    CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
    if (!m) return;
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK_OK(est->export_arrays(m, &a));
    const pmc_view *left = find(&a, "children_left"), *thr = find(&a, "threshold");
    const pmc_view *value = find(&a, "value"), *imp = find(&a, "impurity");
    CHECK(left->shape[0] == 3);
    CHECK(pmc_view_get(left, 0, 0) == 1 && pmc_view_get(left, 1, 0) == -1);
    CHECK(pmc_view_get(thr, 0, 0) == 2.5);
    CHECK_CLOSE(pmc_view_get(imp, 0, 0), 0.5, 1e-15, 0);
    CHECK(pmc_view_get(value, 1, 0) == 1.0 && pmc_view_get(value, 2, 1) == 1.0);
    CHECK_OK(est->import_arrays(&a, &back));
    double Xt[4] = {2.4, 2.6, NAN, -100}, leaf[4], proba[8];
    pmc_matrix Xm = pmc_matrix_dense(pmc_view_2d(Xt, PMC_FLOAT64, 4, 1));
    pmc_view out = pmc_view_1d(leaf, PMC_FLOAT64, 4);
    CHECK_OK(est->apply(back, PMC_TRANSFORM, &Xm, pmc_rows_all(4), &ctx, &out));
    CHECK(leaf[0] == 1 && leaf[1] == 2 && leaf[2] == 2 && leaf[3] == 1);
    pmc_view pout = pmc_view_2d(proba, PMC_FLOAT64, 4, 2);
    CHECK_OK(est->apply(back, PMC_PREDICT_PROBA, &Xm, pmc_rows_all(4), &ctx, &pout));
    CHECK(proba[0] == 1.0 && proba[3] == 1.0);
    /* wrong number of features */
    pmc_matrix X2 = pmc_matrix_dense(pmc_view_2d(proba, PMC_FLOAT64, 4, 2));
    CHECK_FAILS(est->apply(back, PMC_TRANSFORM, &X2, pmc_rows_all(4), &ctx, &out), PMC_ERR_VALUE,
                "features");

    /* crafted arrays: a child pointing back to the root, a feature out of range */
    int64_t bad_left[3] = {0, -1, -1}, right[3] = {2, -1, -1}, feat[3] = {0, -2, -2};
    int64_t miss[3] = {0, 0, 0}, nf = 1;
    double th[3] = {2.5, -2, -2}, val[6] = {0};
    pmc_arrays c;
    memset(&c, 0, sizeof c);
    pmc_arrays_add(&c, "children_left", pmc_view_1d(bad_left, PMC_INT64, 3));
    pmc_arrays_add(&c, "children_right", pmc_view_1d(right, PMC_INT64, 3));
    pmc_arrays_add(&c, "feature", pmc_view_1d(feat, PMC_INT64, 3));
    pmc_arrays_add(&c, "threshold", pmc_view_1d(th, PMC_FLOAT64, 3));
    pmc_arrays_add(&c, "missing_go_to_left", pmc_view_1d(miss, PMC_INT64, 3));
    pmc_arrays_add(&c, "value", pmc_view_2d(val, PMC_FLOAT64, 3, 2));
    pmc_arrays_add(&c, "n_features", pmc_view_1d(&nf, PMC_INT64, 1));
    pmc_model *crafted = NULL;
    CHECK_FAILS(est->import_arrays(&c, &crafted), PMC_ERR_VALUE, "children_left");
    bad_left[0] = 1;
    feat[0] = 7;
    CHECK_FAILS(est->import_arrays(&c, &crafted), PMC_ERR_VALUE, "feature");
    feat[0] = 0;
    CHECK_OK(est->import_arrays(&c, &crafted));
    est->free(&crafted);
    est->free(&back);
    est->free(&m);
}

/* A regression tree grown to purity reproduces y on distinct x, whatever the
 * order, duplicates and size (exercising insertion, quick and radix sorts). */
static void test_sorting_through_fit(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    if (!est) return;
    for (int64_t n = 5; n <= 5000; n *= 7) {
        double *X = malloc((size_t)n * sizeof(double)), *y = malloc((size_t)n * sizeof(double));
        double *pred = malloc((size_t)n * sizeof(double));
        pmc_rng rng;
        pmc_rng_seed(&rng, (uint64_t)n, 0);
        for (int64_t i = 0; i < n; i++) {
            X[i] = (double)(int64_t)pmc_rng_below(&rng, (uint64_t)n) - (double)n / 2; /* ties */
            y[i] = X[i] * X[i] - 3 * X[i];
        }
        pmc_tree_params pr = default_params(3 /* squared_error */, 1, NULL);
        pmc_data d = make_data(X, n, 1, y);
        pmc_ctx ctx = pmc_ctx_default();
        pmc_model *m = NULL, *back = NULL;
        CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(est->export_arrays(m, &a));
        CHECK_OK(est->import_arrays(&a, &back));
        pmc_view out = pmc_view_2d(pred, PMC_FLOAT64, n, 1);
        CHECK_OK(est->apply(back, PMC_PREDICT_PROBA, &d.X, pmc_rows_all(n), &ctx, &out));
        int exact = 1;
        for (int64_t i = 0; i < n; i++) exact &= pred[i] == y[i];
        CHECK(exact);
        est->free(&back);
        est->free(&m);
        free(X);
        free(y);
        free(pred);
    }
}

/* Forest: the same trees with 1 and 2 threads; histogram splitting fits a
 * noiseless step as well as exact splitting; crafted compact arrays fail. */
static void test_forest(void) {
    const pmc_estimator *est = pmc_find_estimator("Forest");
    CHECK(est != NULL);
    if (!est) return;
    enum { N = 600, P = 4 };
    double *X = malloc(N * P * sizeof(double)), y[N];
    pmc_rng rng;
    pmc_rng_seed(&rng, 1, 0);
    for (int64_t i = 0; i < N; i++) {
        for (int64_t j = 0; j < P; j++) X[i * P + j] = pmc_rng_normal(&rng);
        if (i % 10 == 0) X[i * P + 1] = NAN;
        y[i] = X[i * P] + 0.5 * X[i * P + 2] > 0;
    }
    int64_t n_classes[1] = {2};
    pmc_tree_params pr = default_params(0, P, n_classes);
    pr.max_features = 2;
    pr.n_estimators = 8;
    pr.bootstrap = 1;
    pr.max_samples = N;
    pr.oob = 1;
    pmc_data d = make_data(X, N, P, y);
    double acc[2];
    for (int mode = 0; mode < 2; mode++) {
        pr.max_bins = mode ? 64 : 0;
        pmc_model *m1 = NULL, *m2 = NULL, *back = NULL;
        pmc_ctx c1 = pmc_ctx_default(), c2 = pmc_ctx_default();
        c1.seed = c2.seed = 42;
        c2.n_threads = 2;
        CHECK_OK(est->fit(&pr, &d, NULL, &c1, &m1));
        CHECK_OK(est->fit(&pr, &d, NULL, &c2, &m2));
        if (!m1 || !m2) return;
        pmc_arrays a1, a2;
        memset(&a1, 0, sizeof a1);
        memset(&a2, 0, sizeof a2);
        CHECK_OK(est->export_arrays(m1, &a1));
        CHECK_OK(est->export_arrays(m2, &a2));
        const pmc_view *t1 = find(&a1, "threshold"), *t2 = find(&a2, "threshold");
        CHECK(t1->shape[0] == t2->shape[0] &&
              memcmp(t1->data, t2->data, (size_t)t1->shape[0] * sizeof(float)) == 0);
        const pmc_view *o1 = find(&a1, "oob_sum"), *o2 = find(&a2, "oob_sum");
        CHECK(memcmp(o1->data, o2->data, N * 2 * sizeof(double)) == 0);
        CHECK_OK(est->import_arrays(&a1, &back));
        double proba[N * 2];
        pmc_view out = pmc_view_2d(proba, PMC_FLOAT64, N, 2);
        CHECK_OK(est->apply(back, PMC_PREDICT_PROBA, &d.X, pmc_rows_all(N), &c2, &out));
        int right = 0;
        for (int64_t i = 0; i < N; i++) right += (proba[2 * i + 1] > 0.5) == (y[i] > 0.5);
        acc[mode] = (double)right / N;
        if (mode == 1) {
            /* a child index beyond its tree */
            pmc_arrays c = a1;
            int32_t *child = malloc((size_t)find(&a1, "child")->shape[0] * sizeof(int32_t));
            memcpy(child, find(&a1, "child")->data,
                   (size_t)find(&a1, "child")->shape[0] * sizeof(int32_t));
            child[0] = 1 << 30;
            for (int k = 0; k < c.n; k++)
                if (strcmp(c.items[k].name, "child") == 0) c.items[k].view.data = child;
            pmc_model *crafted = NULL;
            CHECK_FAILS(est->import_arrays(&c, &crafted), PMC_ERR_VALUE, "child");
            free(child);
        }
        est->free(&back);
        est->free(&m1);
        est->free(&m2);
    }
    CHECK(acc[0] > 0.97 && acc[1] > 0.97);
    free(X);
}

int main(void) {
    test_small_tree();
    test_sorting_through_fit();
    test_forest();
    return check_report("test_tree");
}
