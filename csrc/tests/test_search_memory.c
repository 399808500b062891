/* The search engine's fold copies (core/search/search_internal.h): shuffled folds
 * are copied lazily and released early, so the bytes of copies held at once stay
 * within one fold on one thread and n_threads + 1 folds on several, whatever
 * n_folds; each fold is copied once; the budget applies to those live copies; a
 * copy that fails fails every task of its fold and leaks nothing.
 *
 * Why a C test reading the engine's own byte count rather than the peak RSS of a
 * Python subprocess: the count is exact and the same on every run, so the bounds
 * can be tight (one fold, n_threads + 1 folds) where an RSS measurement needs a
 * large X, slack for the allocator and the interpreter, and a quiet machine.
 * The count is checked against sizes computed here from the folds. */
#include <stdatomic.h>
#include <stdlib.h>

#include "../core/search/search_internal.h"
#include "check.h"
#include "search_outcome.h"
#include "pmc/linear.h"

#define N 188
#define COLS 3
#define FOLDS 8
#define CANDIDATES 3
#define TASKS (CANDIDATES * FOLDS)

/* X and y = X b + noise; fold f tests 20 + f shuffled rows (so every fold's copy
 * has its own size) and trains on the others, each index sorted, as scikit-learn's
 * KFold(shuffle=True) gives them. */
static double X[N * COLS], y[N];
static int64_t train_idx[FOLDS][N], test_idx[FOLDS][N];
static pmc_rows train[FOLDS], test[FOLDS];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 11, 0);
    for (int i = 0; i < N; i++) {
        y[i] = 0.1 * pmc_rng_normal(&rng);
        for (int j = 0; j < COLS; j++) {
            X[i * COLS + j] = pmc_rng_normal(&rng);
            y[i] += (j + 1) * X[i * COLS + j];
        }
    }
    int64_t perm[N], fold_of[N];
    pmc_rng_permutation(&rng, perm, N);
    for (int f = 0, pos = 0; f < FOLDS; f++)
        for (int k = 0; k < 20 + f; k++) fold_of[perm[pos++]] = f;
    for (int f = 0; f < FOLDS; f++) {
        int64_t a = 0, b = 0;
        for (int i = 0; i < N; i++) {
            if (fold_of[i] == f) test_idx[f][b++] = i;
            else train_idx[f][a++] = i;
        }
        train[f] = (pmc_rows){train_idx[f], 0, a};
        test[f] = (pmc_rows){test_idx[f], 0, b};
    }
}

/* Bytes of fold f's copies: its train rows of X and y, its test rows of X. */
static int64_t fold_bytes(int f) {
    return train[f].n * (COLS + 1) * (int64_t)sizeof(double) +
           test[f].n * COLS * (int64_t)sizeof(double);
}

/* The sum of the k largest fold copies. */
static int64_t largest_folds_bytes(int k) {
    int64_t sizes[FOLDS], sum = 0;
    for (int f = 0; f < FOLDS; f++) sizes[f] = fold_bytes(f);
    for (int i = 0; i < k; i++) {
        int best = 0;
        for (int f = 1; f < FOLDS; f++)
            if (sizes[f] > sizes[best]) best = f;
        sum += sizes[best];
        sizes[best] = -1;
    }
    return sum;
}

/* An allocator that refuses the copy of fold FAILING's test rows (a size no other
 * copy has) and counts how often it was asked for it. */
#define FAILING 2
static atomic_int refused;
static void *refuse_one_fold(size_t bytes) {
    if (bytes == (size_t)(test[FAILING].n * COLS) * sizeof(double)) {
        atomic_fetch_add(&refused, 1);
        return NULL;
    }
    return malloc(bytes);
}

/* Scores start as a value no scorer gives here (neg MSE is <= 0), so that a task
 * that never scored is visible. */
#define UNSCORED 12345.0

_Static_assert(TASKS <= SEARCH_MAX_TASKS, "outcome buffers too small");

static void unscored_outcome_init(outcome *o) {
    outcome_init(o);
    o->r.train_scores = NULL; /* test scores only */
    for (int t = 0; t < TASKS; t++) o->test[t] = UNSCORED;
}

/* Three Ridge candidates (three tasks per fold) over the shuffled folds. */
static pmc_status run(int n_threads, pmc_search_memory *memory, outcome *o) {
    static double alphas[CANDIDATES] = {1e-3, 1.0, 100.0};
    pmc_ridge_params rp[CANDIDATES];
    const void *params[CANDIDATES];
    uint64_t seeds[CANDIDATES] = {0, 0, 0};
    for (int c = 0; c < CANDIDATES; c++) {
        memset(&rp[c], 0, sizeof rp[c]);
        rp[c].alpha = pmc_view_1d(&alphas[c], PMC_FLOAT64, 1);
        rp[c].fit_intercept = 1;
        rp[c].tol = 1e-4;
        params[c] = &rp[c];
    }
    const pmc_estimator *steps[1] = {pmc_find_estimator("Ridge")};
    const pmc_scorer *scorers[1] = {pmc_find_scorer("neg_mean_squared_error")};
    pmc_search_spec spec = {1, steps, CANDIDATES, params, seeds, FOLDS, train, test, 1, scorers,
                            0, 0, 0, 0};
    pmc_data data;
    memset(&data, 0, sizeof data);
    data.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, COLS));
    data.y = pmc_view_1d(y, PMC_FLOAT64, N);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    unscored_outcome_init(o);
    pmc_status status = pmc_search_run_with(&spec, &data, &ctx, &o->r, memory);
    pmc_search_free_messages(&o->r, TASKS);
    return status;
}

static void test_peak_is_bounded(void) {
    int64_t all_folds = largest_folds_bytes(FOLDS);
    outcome one, two;
    /* One thread: one fold's copies at a time, each released by its last task. */
    pmc_search_memory m1 = {all_folds, NULL, 0, 0, 0};
    CHECK_OK(run(1, &m1, &one));
    CHECK(m1.folds_copied == FOLDS);
    CHECK(m1.peak_copy_bytes == largest_folds_bytes(1));
    CHECK(m1.left_copy_bytes == 0);
    for (int t = 0; t < TASKS; t++) CHECK(one.status[t] == PMC_OK && one.test[t] <= 0);
    /* Two threads: at most three folds at once, well under all eight; the same
     * scores to the bit (a copy is only a layout, and each fit runs on one thread). */
    for (int repeat = 0; repeat < 5; repeat++) {
        pmc_search_memory m2 = {all_folds, NULL, 0, 0, 0};
        CHECK_OK(run(2, &m2, &two));
        CHECK(m2.folds_copied == FOLDS);
        CHECK(m2.peak_copy_bytes >= largest_folds_bytes(1));
        CHECK(m2.peak_copy_bytes <= largest_folds_bytes(3));
        CHECK(m2.left_copy_bytes == 0);
        CHECK(memcmp(one.test, two.test, sizeof one.test) == 0);
    }
}

/* The budget holds the copies that can be live at once (n_threads + 1 of the
 * largest fold), not the sum over folds; below that, the fits read through the
 * row indices. */
static void test_budget(void) {
    outcome copied, indexed;
    int64_t live = 3 * largest_folds_bytes(1); /* two threads */
    CHECK(live < largest_folds_bytes(FOLDS)); /* the old sum would have refused */
    pmc_search_memory m = {live, NULL, 0, 0, 0};
    CHECK_OK(run(2, &m, &copied));
    CHECK(m.folds_copied == FOLDS && m.peak_copy_bytes <= live);
    pmc_search_memory tight = {live - 1, NULL, 0, 0, 0};
    CHECK_OK(run(2, &tight, &indexed));
    CHECK(tight.folds_copied == 0 && tight.peak_copy_bytes == 0);
    /* Rows read in place go through Ridge's row-block gathers instead of BLAS on a
     * compact copy: the same sums in another grouping, so equal up to rounding of
     * well-conditioned 3-column solves (1e-10 relative is ample). */
    for (int t = 0; t < TASKS; t++) CHECK_CLOSE(indexed.test[t], copied.test[t], 1e-10, 1e-14);
    /* One thread holds one fold at a time: the largest fold fits the budget. */
    pmc_search_memory one = {largest_folds_bytes(1), NULL, 0, 0, 0};
    CHECK_OK(run(1, &one, &copied));
    CHECK(one.folds_copied == FOLDS);
}

/* A copy that fails: tried once, every task of the fold fails without reading
 * a half-made copy (no score written), the run returns the out-of-memory status
 * with the fold named, and nothing leaks (ASan's leak check in scripts/sanitize.sh). */
static void test_failed_copy(void) {
    for (int n_threads = 1; n_threads <= 2; n_threads++) {
        outcome o;
        atomic_store(&refused, 0);
        pmc_search_memory m = {largest_folds_bytes(FOLDS), refuse_one_fold, 0, 0, 0};
        CHECK_FAILS(run(n_threads, &m, &o), PMC_ERR_MEMORY, "copying the rows of fold 2: ");
        CHECK(atomic_load(&refused) == 1);
        for (int c = 0; c < CANDIDATES; c++) {
            for (int f = 0; f < FAILING; f++) /* earlier tasks always run */
                CHECK(o.status[c * FOLDS + f] == PMC_OK && o.test[c * FOLDS + f] <= 0);
            CHECK(o.test[c * FOLDS + FAILING] == UNSCORED);
        }
        CHECK(m.folds_copied >= FAILING && m.folds_copied <= FAILING + n_threads);
    }
}

int main(void) {
    make_data();
    if (!pmc_find_estimator("Ridge") || !pmc_find_scorer("neg_mean_squared_error")) {
        CHECK(0);
        return check_report("test_search_memory");
    }
    test_peak_is_bounded();
    test_budget();
    test_failed_copy();
    return check_report("test_search_memory");
}
