/* The decision tree's absolute-error criterion (weighted medians with the
 * midpoint rule, impurities, the split that brute force finds best) and its
 * sparse input (CSC arrays give the dense tree; crafted arrays are refused). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pmc/tree.h"

#define CHECK_NEAR(a, b, tol) CHECK_CLOSE(a, b, 0, tol)

enum { CRITERION_SQUARED_ERROR = 3, CRITERION_ABSOLUTE_ERROR = 5 }; /* criterion_choices */

static pmc_tree_params regression_params(int criterion, int64_t p) {
    pmc_tree_params pr;
    memset(&pr, 0, sizeof pr);
    pr.criterion = criterion;
    pr.max_depth = -1;
    pr.min_samples_split = 2;
    pr.min_samples_leaf = 1;
    pr.max_features = p;
    pr.max_leaf_nodes = -1;
    return pr;
}

static pmc_data dense_data(double *X, int64_t n, int64_t p, double *y, double *w) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, p));
    d.y = pmc_view_1d(y, PMC_FLOAT64, n);
    if (w) d.weight = pmc_view_1d(w, PMC_FLOAT64, n);
    d.rows = pmc_rows_all(n);
    return d;
}

static double get(const pmc_arrays *a, const char *name, int64_t i) {
    const pmc_view *v = pmc_arrays_find(a, name);
    CHECK(v != NULL);
    return v ? pmc_view_get(v, i, 0) : NAN;
}

/* A stump (max_depth 1) on x = 0..5: the root's value is the weighted median,
 * its impurity the weighted mean absolute deviation; with weights 1 and an even
 * count the cumulative weight hits half exactly, so the median is the midpoint. */
static void test_medians_and_impurity(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    double X[6] = {0, 1, 2, 3, 4, 5}, y[6] = {1, 2, 4, 10, 11, 30};
    pmc_tree_params pr = regression_params(CRITERION_ABSOLUTE_ERROR, 1);
    pr.max_depth = 1;
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    pmc_data d = dense_data(X, 6, 1, y, NULL);
    CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
    if (!m) return;
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK_OK(est->export_arrays(m, &a));
    /* median (4 + 10) / 2 = 7; deviations 6 5 3 3 4 23 -> 44 / 6 */
    CHECK_NEAR(get(&a, "value", 0), 7.0, 1e-12);
    CHECK_NEAR(get(&a, "impurity", 0), 44.0 / 6.0, 1e-12);
    /* the 5 thresholds by hand (left + right error): 0.5 -> 0 + 35, 1.5 -> 1 + 27,
     * 2.5 -> 3 + 20, 3.5 -> 11 + 19, 4.5 -> 18 + 0 (left {1,2,4,10,11} about its
     * median 4: 3 + 2 + 0 + 6 + 7), the least; children medians 4 and 30 */
    CHECK_NEAR(get(&a, "threshold", 0), 4.5, 0);
    CHECK_NEAR(get(&a, "value", 1), 4.0, 1e-12);
    CHECK_NEAR(get(&a, "value", 2), 30.0, 1e-12);
    CHECK_NEAR(get(&a, "impurity", 1), 18.0 / 5.0, 1e-12);
    CHECK_NEAR(get(&a, "impurity", 2), 0.0, 1e-12);
    est->free(&m);

    /* weights 1 1 1 1 1 5 (total 10, half 5): cumulative weight 5 ends at y = 11,
     * so the median is (11 + 30) / 2 */
    double w[6] = {1, 1, 1, 1, 1, 5};
    d = dense_data(X, 6, 1, y, w);
    CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
    if (!m) return;
    memset(&a, 0, sizeof a);
    CHECK_OK(est->export_arrays(m, &a));
    CHECK_NEAR(get(&a, "value", 0), 20.5, 1e-12);
    est->free(&m);
}

/* The exact absolute-error split equals the best of all thresholds by brute
 * force, for random data with random weights, with exact and histogram
 * splitting (with at most max_bins distinct values every threshold is a bin
 * boundary). */
static void test_split_is_brute_force_best(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    enum { N = 40 };
    double X[N], y[N], w[N];
    pmc_rng rng;
    pmc_rng_seed(&rng, 7, 0);
    for (int i = 0; i < N; i++) {
        X[i] = (double)pmc_rng_below(&rng, 16);
        y[i] = pmc_rng_normal(&rng) + (X[i] > 9 ? 3.0 : 0.0);
        w[i] = 0.5 + pmc_rng_uniform(&rng);
    }
    /* brute force: weighted absolute error about the weighted median, by sorting */
    double best = INFINITY, best_t = 0;
    for (int t = 0; t < 15; t++) {
        double cost = 0;
        for (int side = 0; side < 2; side++) {
            double ys[N], ws[N], W = 0;
            int m = 0;
            for (int i = 0; i < N; i++)
                if ((X[i] <= t + 0.5) == (side == 0)) { ys[m] = y[i]; ws[m] = w[i]; m++; }
            if (m == 0) { cost = INFINITY; break; }
            for (int i = 1; i < m; i++)
                for (int j = i; j > 0 && ys[j - 1] > ys[j]; j--) {
                    double ty = ys[j]; ys[j] = ys[j - 1]; ys[j - 1] = ty;
                    double tw = ws[j]; ws[j] = ws[j - 1]; ws[j - 1] = tw;
                }
            for (int i = 0; i < m; i++) W += ws[i];
            double cum = 0, med = ys[m - 1];
            for (int i = 0; i < m; i++) {
                if (cum + ws[i] > W / 2) { med = (i > 0 && cum == W / 2) ? (ys[i - 1] + ys[i]) / 2 : ys[i]; break; }
                cum += ws[i];
            }
            for (int i = 0; i < m; i++) cost += ws[i] * fabs(ys[i] - med);
        }
        if (cost < best) { best = cost; best_t = t + 0.5; }
    }
    for (int bins = 0; bins <= 32; bins += 32) {
        pmc_tree_params pr = regression_params(CRITERION_ABSOLUTE_ERROR, 1);
        pr.max_depth = 1;
        pr.max_bins = bins;
        pmc_ctx ctx = pmc_ctx_default();
        pmc_model *m = NULL;
        pmc_data d = dense_data(X, N, 1, y, w);
        CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
        if (!m) return;
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(est->export_arrays(m, &a));
        /* the exact threshold is the midpoint; a bin's is its upper edge value */
        double t = get(&a, "threshold", 0);
        CHECK(floor(t) == floor(best_t));
        double cost = get(&a, "impurity", 1) * get(&a, "weighted_n_node_samples", 1) +
                      get(&a, "impurity", 2) * get(&a, "weighted_n_node_samples", 2);
        CHECK_NEAR(cost, best, 1e-9);
        est->free(&m);
    }
}

/* X (n x p, ~70% zeros) as dense and as CSC arrays (int32 and int64 indices):
 * the same tree, and a CSR X predicts as the dense one. */
static void test_sparse_equals_dense(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    enum { N = 120, P = 5 };
    double X[N * P], y[N], data[N * P];
    int32_t idx32[N * P], ptr32[P + 1];
    int64_t idx64[N * P], ptr64[P + 1];
    int64_t csr_ptr[N + 1], csr_idx[N * P];
    double csr_data[N * P];
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < N * P; i++) X[i] = pmc_rng_uniform(&rng) < 0.7 ? 0.0 : pmc_rng_normal(&rng);
    for (int i = 0; i < N; i++) y[i] = X[i * P] * 2 + X[i * P + 1] + 0.1 * pmc_rng_normal(&rng);
    int64_t nnz = 0;
    for (int f = 0; f < P; f++) {
        ptr32[f] = (int32_t)nnz;
        ptr64[f] = nnz;
        for (int i = 0; i < N; i++)
            if (X[i * P + f] != 0) { data[nnz] = X[i * P + f]; idx32[nnz] = i; idx64[nnz] = i; nnz++; }
    }
    ptr32[P] = (int32_t)nnz;
    ptr64[P] = nnz;
    int64_t k = 0;
    for (int i = 0; i < N; i++) {
        csr_ptr[i] = k;
        for (int f = 0; f < P; f++)
            if (X[i * P + f] != 0) { csr_data[k] = X[i * P + f]; csr_idx[k] = f; k++; }
    }
    csr_ptr[N] = k;
    for (int crit = 0; crit < 2; crit++) {
        for (int splitter = 0; splitter < 2; splitter++) {
            pmc_tree_params pr = regression_params(
                crit ? CRITERION_ABSOLUTE_ERROR : CRITERION_SQUARED_ERROR, P);
            pr.splitter = splitter;
            pmc_ctx ctx = pmc_ctx_default();
            ctx.seed = 11;
            pmc_model *dense = NULL, *sparse = NULL;
            pmc_data d = dense_data(X, N, P, y, NULL);
            CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &dense));
            for (int wide = 0; wide < 2; wide++) {
                pmc_data s = d;
                memset(&s.X, 0, sizeof s.X);
                s.X.is_sparse = 1;
                s.X.n_rows = P;
                s.X.n_cols = N;
                s.X.data = pmc_view_1d(data, PMC_FLOAT64, nnz);
                s.X.indices = wide ? pmc_view_1d(idx64, PMC_INT64, nnz) : pmc_view_1d(idx32, PMC_INT32, nnz);
                s.X.indptr = wide ? pmc_view_1d(ptr64, PMC_INT64, P + 1) : pmc_view_1d(ptr32, PMC_INT32, P + 1);
                s.rows = pmc_rows_all(P);
                pmc_tree_params ps = pr;
                ps.sparse_csc = 1;
                CHECK_OK(est->fit(&ps, &s, NULL, &ctx, &sparse));
                if (!dense || !sparse) return;
                pmc_arrays a, b;
                memset(&a, 0, sizeof a);
                memset(&b, 0, sizeof b);
                CHECK_OK(est->export_arrays(dense, &a));
                CHECK_OK(est->export_arrays(sparse, &b));
                int64_t nodes = pmc_arrays_find(&a, "children_left")->shape[0];
                CHECK(nodes == pmc_arrays_find(&b, "children_left")->shape[0] && nodes > 3);
                for (int64_t q = 0; q < nodes; q++) {
                    CHECK(get(&a, "feature", q) == get(&b, "feature", q));
                    CHECK(get(&a, "threshold", q) == get(&b, "threshold", q));
                    CHECK(get(&a, "value", q) == get(&b, "value", q));
                }
                /* predict: a CSR X (int64 indices) gives the dense X's values */
                pmc_matrix csr;
                memset(&csr, 0, sizeof csr);
                csr.is_sparse = 1;
                csr.n_rows = N;
                csr.n_cols = P;
                csr.data = pmc_view_1d(csr_data, PMC_FLOAT64, k);
                csr.indices = pmc_view_1d(csr_idx, PMC_INT64, k);
                csr.indptr = pmc_view_1d(csr_ptr, PMC_INT64, N + 1);
                double out_d[N], out_s[N];
                pmc_view vd = pmc_view_2d(out_d, PMC_FLOAT64, N, 1);
                pmc_view vs = pmc_view_2d(out_s, PMC_FLOAT64, N, 1);
                pmc_model *fitted = NULL; /* prediction runs on imported arrays */
                CHECK_OK(est->import_arrays(&a, &fitted));
                if (!fitted) return;
                CHECK_OK(est->apply(fitted, PMC_PREDICT_PROBA, &d.X, pmc_rows_all(N), &ctx, &vd));
                CHECK_OK(est->apply(fitted, PMC_PREDICT_PROBA, &csr, pmc_rows_all(N), &ctx, &vs));
                for (int i = 0; i < N; i++) CHECK(out_d[i] == out_s[i]);
                est->free(&fitted);
                est->free(&sparse);
            }
            est->free(&dense);
        }
    }
}

/* Crafted CSC arrays: rows out of range, indptr going backwards, unsorted
 * rows in a column -> PMC_ERR_VALUE, never a read out of bounds. */
static void test_sparse_crafted(void) {
    const pmc_estimator *est = pmc_find_estimator("DecisionTree");
    double data[4] = {1, 2, 3, 4}, y[3] = {0, 1, 2};
    int64_t good_idx[4] = {0, 2, 1, 2}, good_ptr[3] = {0, 2, 4};
    int64_t cases_idx[3][4] = {{0, 7, 1, 2}, {0, 2, 1, 2}, {2, 0, 1, 2}};
    int64_t cases_ptr[3][3] = {{0, 2, 4}, {0, 3, 2}, {0, 2, 4}};
    pmc_tree_params pr = regression_params(CRITERION_SQUARED_ERROR, 2);
    pr.sparse_csc = 1;
    pmc_ctx ctx = pmc_ctx_default();
    for (int c = -1; c < 3; c++) {
        pmc_data d;
        memset(&d, 0, sizeof d);
        d.X.is_sparse = 1;
        d.X.n_rows = 2;
        d.X.n_cols = 3;
        d.X.data = pmc_view_1d(data, PMC_FLOAT64, 4);
        d.X.indices = pmc_view_1d(c < 0 ? good_idx : cases_idx[c], PMC_INT64, 4);
        d.X.indptr = pmc_view_1d(c < 0 ? good_ptr : cases_ptr[c], PMC_INT64, 3);
        d.y = pmc_view_1d(y, PMC_FLOAT64, 3);
        d.rows = pmc_rows_all(2);
        pmc_model *m = NULL;
        pmc_status st = est->fit(&pr, &d, NULL, &ctx, &m);
        CHECK(c < 0 ? st == PMC_OK : st == PMC_ERR_VALUE);
        est->free(&m);
    }
    /* sparse X without sparse_csc (a forest, or a CSR by mistake) is refused */
    pr.sparse_csc = 0;
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X.is_sparse = 1;
    d.X.n_rows = 2;
    d.X.n_cols = 3;
    d.X.data = pmc_view_1d(data, PMC_FLOAT64, 4);
    d.X.indices = pmc_view_1d(good_idx, PMC_INT64, 4);
    d.X.indptr = pmc_view_1d(good_ptr, PMC_INT64, 3);
    d.y = pmc_view_1d(y, PMC_FLOAT64, 3);
    d.rows = pmc_rows_all(2);
    pmc_model *m = NULL;
    CHECK(est->fit(&pr, &d, NULL, &ctx, &m) == PMC_ERR_UNSUPPORTED);
    est->free(&m);
}

int main(void) {
    test_medians_and_impurity();
    test_split_is_brute_force_best();
    test_sparse_equals_dense();
    test_sparse_crafted();
    return check_report("test_tree_mae_sparse");
}
