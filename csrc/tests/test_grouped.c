/* The grouped engine: the one-pass group index (counting sort and the sorted fast
 * path), per-group fits through a real estimator table with failures collected,
 * and grouped apply aligned with the input rows. */
#include <stdlib.h>

#include "check.h"
#include "pmc/grouped.h"
#include "pmc/linear.h"

static void test_index(void) {
    int64_t codes[] = {2, 0, -1, 2, 1, 0, 2};
    pmc_view v = pmc_view_1d(codes, PMC_INT64, 7);
    pmc_groups g;
    CHECK_OK(pmc_grouped_index(&v, 4, &g));
    CHECK(g.order != NULL);
    int64_t offsets[] = {0, 2, 3, 6, 6};
    for (int i = 0; i < 5; i++) CHECK(g.offsets[i] == offsets[i]);
    int64_t order[] = {1, 5, 4, 0, 3, 6}; /* stable: increasing rows within a group */
    for (int i = 0; i < 6; i++) CHECK(g.order[i] == order[i]);
    pmc_rows r = pmc_grouped_rows(&g, 2);
    CHECK(r.n == 3 && r.index && r.index[0] == 0 && r.index[2] == 6);
    CHECK(pmc_grouped_rows(&g, 3).n == 0); /* a group without rows */
    pmc_grouped_free_index(&g);
    CHECK(g.offsets == NULL && g.order == NULL);

    /* Sorted codes: no index at all, each group a contiguous range. */
    int32_t sorted[] = {0, 0, 1, 1, 1, 3};
    pmc_view s = pmc_view_1d(sorted, PMC_INT32, 6);
    CHECK_OK(pmc_grouped_index(&s, 4, &g));
    CHECK(g.order == NULL);
    r = pmc_grouped_rows(&g, 1);
    CHECK(r.index == NULL && r.start == 2 && r.n == 3);
    r = pmc_grouped_rows(&g, 3);
    CHECK(r.index == NULL && r.start == 5 && r.n == 1);
    pmc_grouped_free_index(&g);

    int64_t bad[] = {0, 4};
    pmc_view b = pmc_view_1d(bad, PMC_INT64, 2);
    CHECK_FAILS(pmc_grouped_index(&b, 4, &g), PMC_ERR_VALUE, "codes[1] = 4 is out of range");
    double f[] = {0};
    pmc_view fv = pmc_view_1d(f, PMC_FLOAT64, 1);
    CHECK_FAILS(pmc_grouped_index(&fv, 1, &g), PMC_ERR_VALUE, "int32 or int64");
}

static void test_seed(void) {
    CHECK(pmc_grouped_seed(7, 11) == pmc_grouped_seed(7, 11));
    CHECK(pmc_grouped_seed(7, 11) != pmc_grouped_seed(7, 12));
    CHECK(pmc_grouped_seed(7, 11) != pmc_grouped_seed(8, 11));
}

/* y = slope[g] * x + g exactly, rows of 3 groups interleaved (or sorted); group 1
 * gets a negative weight, which LinearRegression rejects. */
#define N 30
static void test_fit_and_apply(int interleaved, int n_threads) {
    const pmc_estimator *est = pmc_find_estimator("LinearRegression");
    CHECK(est != NULL);
    if (!est) return;
    double X[N], y[N], w[N];
    int64_t codes[N], hashes[3] = {101, -5, 77};
    const double slope[3] = {2.0, -1.0, 0.5};
    for (int i = 0; i < N; i++) {
        codes[i] = interleaved ? i % 3 : i / (N / 3);
        X[i] = (double)(i * 7 % 11) - 4.0;
        y[i] = slope[codes[i]] * X[i] + (double)codes[i];
        w[i] = codes[i] == 1 && i % 2 ? -1.0 : 1.0;
    }
    pmc_linear_regression_params params = {1, 1e-6, 0};
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 1));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);
    data.weight = pmc_view_1d(w, PMC_FLOAT64, N);
    pmc_view code_view = pmc_view_1d(codes, PMC_INT64, N);
    pmc_view hash_view = pmc_view_1d(hashes, PMC_INT64, 3);
    pmc_groups groups;
    CHECK_OK(pmc_grouped_index(&code_view, 3, &groups));
    CHECK((groups.order == NULL) == !interleaved);
    pmc_group_result results[3];
    memset(results, 0, sizeof results);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    int64_t progress = 0;
    CHECK_OK(pmc_grouped_fit(est, &params, &data, &groups, &hash_view, &ctx, &progress, results));
    CHECK(progress == 3);
    /* Group 1 failed with the estimator's own message; the others are fitted. */
    CHECK(results[1].model == NULL && results[1].status == PMC_ERR_VALUE);
    CHECK(results[1].message && strstr(results[1].message, "sample_weight must be non-negative"));
    for (int g = 0; g < 3; g += 2) {
        CHECK(results[g].model != NULL && results[g].status == PMC_OK && !results[g].message);
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(est->export_arrays(results[g].model, &a));
        const pmc_view *coef = pmc_arrays_find(&a, "coef_");
        const pmc_view *icpt = pmc_arrays_find(&a, "intercept_");
        CHECK(coef && icpt);
        if (coef && icpt) {
            CHECK_CLOSE(pmc_view_get(coef, 0, 0), slope[g], 1e-12, 1e-12);
            CHECK_CLOSE(pmc_view_get(icpt, 0, 0), (double)g, 1e-12, 1e-12);
        }
    }

    /* Apply: rows of group 1 (no model) and of code -1 get NaN; others exact. */
    codes[3] = -1;
    pmc_groups apply_groups;
    CHECK_OK(pmc_grouped_index(&code_view, 3, &apply_groups));
    pmc_model *models[3] = {results[0].model, results[1].model, results[2].model};
    double out[N];
    pmc_view out_view = pmc_view_1d(out, PMC_FLOAT64, N);
    progress = 0;
    CHECK_OK(pmc_grouped_apply(est, models, PMC_PREDICT, &data.X, &apply_groups, &code_view, &ctx,
                               &progress, &out_view));
    CHECK(progress == 3);
    for (int i = 0; i < N; i++) {
        if (codes[i] < 0 || codes[i] == 1) CHECK(isnan(out[i]));
        else CHECK_CLOSE(out[i], y[i], 1e-12, 1e-12);
    }
    pmc_grouped_free_index(&apply_groups);
    pmc_grouped_free_results(est, results, 3);
    CHECK(results[0].model == NULL && results[1].message == NULL);
    pmc_grouped_free_index(&groups);
}

static void test_interrupt(void) {
    const pmc_estimator *est = pmc_find_estimator("LinearRegression");
    double X[4] = {0, 1, 2, 3}, y[4] = {0, 1, 2, 3};
    int64_t codes[4] = {0, 0, 1, 1};
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, 4, 1));
    data.y = pmc_view_1d(y, PMC_FLOAT64, 4);
    pmc_view code_view = pmc_view_1d(codes, PMC_INT64, 4), no_hash;
    memset(&no_hash, 0, sizeof no_hash);
    pmc_groups groups;
    CHECK_OK(pmc_grouped_index(&code_view, 2, &groups));
    pmc_group_result results[2];
    memset(results, 0, sizeof results);
    pmc_linear_regression_params params = {1, 1e-6, 0};
    volatile int flag = 1;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.interrupt = &flag;
    CHECK_STATUS(pmc_grouped_fit(est, &params, &data, &groups, &no_hash, &ctx, NULL, results),
                 PMC_ERR_INTERRUPTED);
    pmc_grouped_free_results(est, results, 2);
    pmc_grouped_free_index(&groups);
}

int main(void) {
    test_index();
    test_seed();
    for (int interleaved = 0; interleaved < 2; interleaved++)
        for (int threads = 1; threads <= 2; threads++) test_fit_and_apply(interleaved, threads);
    test_interrupt();
    return check_failures != 0;
}
