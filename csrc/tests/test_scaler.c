/* StandardScaler through its estimator table, as every driver uses it:
 * statistics against a long-double two-pass reference (weights, NaN, constant
 * and empty features), equality across layouts, dtypes, CSR and thread counts,
 * partial fits, transform / inverse_transform (also in place), and the
 * export -> import round trip with import rejecting malformed state. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/preprocessing.h"

static const pmc_estimator *est;

/* Deterministic data with features of very different location and scale; a
 * constant feature (column 3), NaNs in column 1, an all-NaN column 4. */
enum { P = 5 };
static double value(int64_t i, int64_t j, pmc_rng *rng) {
    double u = pmc_rng_normal(rng);
    switch (j) {
    case 0: return 3.0 + 2.0 * u;
    case 1: return i % 7 == 0 ? NAN : 1e6 + 1e-2 * u; /* large mean, tiny spread */
    case 2: return i % 3 == 0 ? 0.0 : -50.0 * u;      /* many zeros: sparse-ish */
    case 3: return 0.1;                               /* constant, not exact in binary */
    default: return NAN;
    }
}

static double *make_data(int64_t n, uint64_t seed) {
    double *X = malloc((size_t)(n * P) * sizeof(double));
    pmc_rng rng;
    pmc_rng_seed(&rng, seed, 0);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < P; j++) X[i * P + j] = value(i, j, &rng);
    return X;
}

static pmc_data dense_data(double *X, int64_t n, double *w) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, P));
    if (w) d.weight = pmc_view_1d(w, PMC_FLOAT64, n);
    d.rows = pmc_rows_all(n);
    return d;
}

static pmc_model *fit(const pmc_data *d, const pmc_model *init, int threads) {
    pmc_standard_scaler_params params = {1, 1};
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = threads;
    pmc_model *m = NULL;
    CHECK_OK(est->fit(&params, d, init, &ctx, &m));
    return m;
}

static const pmc_view *state(const pmc_model *m, const char *name, pmc_arrays *arrays) {
    memset(arrays, 0, sizeof *arrays);
    CHECK_OK(est->export_arrays(m, arrays));
    const pmc_view *v = pmc_arrays_find(arrays, name);
    CHECK(v != NULL);
    return v;
}

static double stat(const pmc_model *m, const char *name, int64_t j) {
    pmc_arrays arrays;
    return pmc_view_get(state(m, name, &arrays), j, 0);
}

/* Two-pass weighted mean and population variance in long double. */
static void reference(const double *X, const double *w, int64_t n, int64_t j, double *w_sum,
                      double *mean, double *var) {
    long double sw = 0, sx = 0, ss = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = X[i * P + j], wi = w ? w[i] : 1.0;
        if (isnan(x)) continue;
        sw += wi;
        sx += (long double)wi * x;
    }
    long double mu = sw > 0 ? sx / sw : 0;
    for (int64_t i = 0; i < n; i++) {
        double x = X[i * P + j], wi = w ? w[i] : 1.0;
        if (!isnan(x)) ss += (long double)wi * (x - mu) * (x - mu);
    }
    *w_sum = (double)sw;
    *mean = (double)mu;
    *var = sw > 0 ? (double)(ss / sw) : NAN;
}

/* Statistics of m equal the reference.  Summation order differs (blocks,
 * chunks, pairwise merges), so the mean may differ by ~n eps relative to the
 * values summed, |mean| + sd, not to the mean itself (column 2 has mean ~0 and
 * sd 50): 1e-12 of that is ~5000 ulp.  The variance of column 1 (mean 1e6, sd
 * 1e-2) is mean^2 / var = 1e16 times harder to get than its size suggests,
 * hence the absolute bound of eps * mean^2 next to the relative 1e-9. */
static void check_stats(const pmc_model *m, const double *X, const double *w, int64_t n) {
    for (int64_t j = 0; j < P; j++) {
        double sw, mu, var;
        reference(X, w, n, j, &sw, &mu, &var);
        CHECK_CLOSE(stat(m, "n_samples_seen_", j), sw, 1e-12, 0);
        if (j == 4) { /* all NaN: nothing seen, scikit-learn's 0 / 0 */
            CHECK(isnan(stat(m, "mean_", j)) && isnan(stat(m, "var_", j)));
            CHECK(isnan(stat(m, "scale_", j)));
            continue;
        }
        CHECK_CLOSE(stat(m, "mean_", j), mu, 0, 1e-12 * (fabs(mu) + sqrt(var)));
        CHECK_CLOSE(stat(m, "var_", j), var, 1e-9, 2.2e-16 * mu * mu);
        if (j == 3 || var == 0.0) { /* constant: exactly zero variance, unit scale */
            CHECK(stat(m, "var_", j) == 0.0);
            CHECK(stat(m, "mean_", j) == X[j]); /* its value, exactly */
            CHECK(stat(m, "scale_", j) == 1.0);
        } else {
            CHECK_CLOSE(stat(m, "scale_", j), sqrt(var), 1e-9, 0);
        }
    }
}

/* Exact equality of every exported statistic (bits, NaN equal to NaN). */
static int same_state(const pmc_model *a, const pmc_model *b) {
    const char *names[] = {"mean_", "var_", "scale_", "n_samples_seen_"};
    for (int k = 0; k < 4; k++)
        for (int64_t j = 0; j < P; j++) {
            double x = stat(a, names[k], j), y = stat(b, names[k], j);
            if (!(isnan(x) && isnan(y)) && memcmp(&x, &y, sizeof x) != 0) {
                fprintf(stderr, "  %s[%lld]: %.17g != %.17g\n", names[k], (long long)j, x, y);
                return 0;
            }
        }
    return 1;
}

static void test_table(void) {
    est = pmc_find_estimator("StandardScaler");
    CHECK(est != NULL);
    if (!est) return;
    CHECK(est == &pmc_standard_scaler_estimator);
    CHECK(pmc_find_estimator("NoSuchEstimator") == NULL);
    CHECK(est->n_params == 2 && est->params_size == sizeof(pmc_standard_scaler_params));
    CHECK(strcmp(est->params[0].name, "with_mean") == 0);
    CHECK(strcmp(est->params[1].name, "with_std") == 0);
    int n = 0;
    const pmc_estimator *const *all = pmc_estimators(&n);
    int listed = 0;
    for (int i = 0; i < n; i++) listed |= all[i] == est;
    CHECK(listed);
    CHECK(strstr(pmc_build_info(), "openmp") != NULL);
}

static void test_statistics(void) {
    const int64_t n = 20000; /* > 8192: several chunks */
    double *X = make_data(n, 1);
    double *w = malloc((size_t)n * sizeof(double));
    pmc_rng rng;
    pmc_rng_seed(&rng, 2, 0);
    for (int64_t i = 0; i < n; i++) w[i] = i % 11 == 0 ? 0.0 : 2.0 * pmc_rng_uniform(&rng);

    pmc_data d = dense_data(X, n, NULL);
    pmc_model *m = fit(&d, NULL, 1);
    check_stats(m, X, NULL, n);
    est->free(&m);
    CHECK(m == NULL); /* free sets the pointer to NULL */
    est->free(&m);    /* and a second free is harmless */

    d = dense_data(X, n, w);
    m = fit(&d, NULL, 2);
    check_stats(m, X, w, n);

    /* Thread counts do not change a single bit. */
    for (int threads = 1; threads <= 8; threads *= 2) {
        pmc_model *mt = fit(&d, NULL, threads);
        CHECK(same_state(m, mt));
        est->free(&mt);
    }
    est->free(&m);
    free(X);
    free(w);
}

static void test_layouts_and_dtypes(void) {
    const int64_t n = 9000;
    double *X = make_data(n, 3);
    double *F = malloc((size_t)(n * P) * sizeof(double));
    float *X32 = malloc((size_t)(n * P) * sizeof(float));
    double *big = malloc((size_t)(2 * n * P) * sizeof(double));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < P; j++) {
            F[j * n + i] = X[i * P + j];
            X32[i * P + j] = (float)X[i * P + j];
            big[2 * i * P + j] = X[i * P + j];
        }
    pmc_data dc = dense_data(X, n, NULL);
    pmc_model *mc = fit(&dc, NULL, 2);

    pmc_data df = dc;
    df.X.dense.data = F;
    df.X.dense.strides[0] = 8;
    df.X.dense.strides[1] = n * 8;
    pmc_model *mf = fit(&df, NULL, 2);
    CHECK(same_state(mc, mf)); /* same values in the same order: same bits */

    pmc_data ds = dc; /* every other row of a 2n x P buffer */
    ds.X.dense.data = big;
    ds.X.dense.strides[0] = 2 * P * 8;
    pmc_model *ms = fit(&ds, NULL, 2);
    CHECK(same_state(mc, ms));

    pmc_data d32 = dc;
    d32.X.dense = pmc_view_2d(X32, PMC_FLOAT32, n, P);
    pmc_model *m32 = fit(&d32, NULL, 2);
    /* float32 data are a rounding of X: the statistics of the rounded values,
     * computed in double, match the reference on those values. */
    double *X32d = malloc((size_t)(n * P) * sizeof(double));
    for (int64_t k = 0; k < n * P; k++) X32d[k] = X32[k];
    check_stats(m32, X32d, NULL, n);

    est->free(&mc);
    est->free(&mf);
    est->free(&ms);
    est->free(&m32);
    free(X);
    free(F);
    free(X32);
    free(X32d);
    free(big);
}

static void test_sparse(void) {
    const int64_t n = 30000;
    double *X = make_data(n, 4);
    double *w = malloc((size_t)n * sizeof(double));
    for (int64_t i = 0; i < n; i++) w[i] = 0.5 + (i % 5);
    /* CSR of X, zeros left implicit, NaN stored. */
    double *data = malloc((size_t)(n * P) * sizeof(double));
    int64_t *indices = malloc((size_t)(n * P) * sizeof(int64_t));
    int64_t *indptr = malloc((size_t)(n + 1) * sizeof(int64_t));
    int64_t nnz = 0;
    indptr[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < P; j++)
            if (X[i * P + j] != 0.0) {
                data[nnz] = X[i * P + j];
                indices[nnz++] = j;
            }
        indptr[i + 1] = nnz;
    }
    pmc_data ds;
    memset(&ds, 0, sizeof ds);
    ds.X.is_sparse = 1;
    ds.X.n_rows = n;
    ds.X.n_cols = P;
    ds.X.data = pmc_view_1d(data, PMC_FLOAT64, nnz);
    ds.X.indices = pmc_view_1d(indices, PMC_INT64, nnz);
    ds.X.indptr = pmc_view_1d(indptr, PMC_INT64, n + 1);
    ds.rows = pmc_rows_all(n);
    CHECK_OK(pmc_matrix_check(&ds.X, "X"));
    for (int weighted = 0; weighted <= 1; weighted++) {
        if (weighted) ds.weight = pmc_view_1d(w, PMC_FLOAT64, n);
        pmc_model *m = fit(&ds, NULL, 2);
        check_stats(m, X, weighted ? w : NULL, n);
        for (int threads = 1; threads <= 4; threads *= 2) {
            pmc_model *mt = fit(&ds, NULL, threads);
            CHECK(same_state(m, mt));
            est->free(&mt);
        }
        est->free(&m);
    }
    /* A column with no stored entry at all is all implicit zeros. */
    pmc_data empty = ds;
    memset(&empty.weight, 0, sizeof empty.weight);
    empty.X.n_cols = P + 1;
    pmc_standard_scaler_params params = {0, 1};
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    CHECK_OK(est->fit(&params, &empty, NULL, &ctx, &m));
    if (m) {
        pmc_arrays arrays;
        const pmc_view *mean = state(m, "mean_", &arrays), *var = pmc_arrays_find(&arrays, "var_");
        const pmc_view *scale = pmc_arrays_find(&arrays, "scale_");
        CHECK(mean->shape[0] == P + 1);
        CHECK(pmc_view_get(mean, P, 0) == 0.0 && pmc_view_get(var, P, 0) == 0.0);
        CHECK(pmc_view_get(scale, P, 0) == 1.0);
        est->free(&m);
    }
    free(X);
    free(w);
    free(data);
    free(indices);
    free(indptr);
}

static void test_partial_fit_and_rows(void) {
    const int64_t n = 20000, k = 6123;
    double *X = make_data(n, 5);
    pmc_data all = dense_data(X, n, NULL);
    pmc_model *whole = fit(&all, NULL, 2);

    pmc_data head = all, tail = all;
    head.rows.n = k;
    tail.rows.start = k;
    tail.rows.n = n - k;
    pmc_model *first = fit(&head, NULL, 2);
    pmc_model *merged = fit(&tail, first, 2);
    check_stats(merged, X, NULL, n);
    /* Merged and whole differ by summation order only (see check_stats). */
    for (int64_t j = 0; j < 4; j++) {
        double mu = stat(whole, "mean_", j), sd = stat(whole, "scale_", j);
        CHECK_CLOSE(stat(merged, "mean_", j), mu, 0, 1e-12 * (fabs(mu) + sd));
        CHECK_CLOSE(stat(merged, "var_", j), stat(whole, "var_", j), 1e-9, 2.2e-16 * mu * mu);
    }

    /* An index selection (every third row) equals the data of those rows. */
    int64_t *index = malloc((size_t)(n / 3) * sizeof(int64_t));
    double *picked = malloc((size_t)(n / 3 * P) * sizeof(double));
    for (int64_t i = 0; i < n / 3; i++) {
        index[i] = 3 * i;
        memcpy(picked + i * P, X + 3 * i * P, P * sizeof(double));
    }
    pmc_data sel = all;
    sel.rows.index = index;
    sel.rows.n = n / 3;
    pmc_model *ms = fit(&sel, NULL, 2);
    check_stats(ms, picked, NULL, n / 3);

    /* Errors: init of another width, init without statistics, bad weights. */
    pmc_standard_scaler_params params = {1, 1};
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *out = NULL;
    pmc_data narrow = all;
    narrow.X.n_cols = 3;
    narrow.X.dense.shape[1] = 3;
    CHECK_FAILS(est->fit(&params, &narrow, whole, &ctx, &out), PMC_ERR_VALUE,
                "X has 3 features, but StandardScaler was fitted with 5 features");
    CHECK(out == NULL);
    double w[3] = {1, 1, 1};
    pmc_data short_w = all;
    short_w.weight = pmc_view_1d(w, PMC_FLOAT64, 3);
    CHECK_FAILS(est->fit(&params, &short_w, NULL, &ctx, &out), PMC_ERR_VALUE,
                "sample_weight has 3 entries, but X has 20000 rows");
    CHECK(out == NULL);

    est->free(&whole);
    est->free(&first);
    est->free(&merged);
    est->free(&ms);
    free(index);
    free(picked);
    free(X);
}

/* transform then inverse_transform gives X back; the transform has mean 0 and
 * variance 1 per (non-constant) feature; in place equals out of place. */
static void test_apply(void) {
    const int64_t n = 5000;
    double *X = make_data(n, 6);
    pmc_data d = dense_data(X, n, NULL);
    pmc_model *m = fit(&d, NULL, 2);
    double *Z = malloc((size_t)(n * P) * sizeof(double));
    double *back = malloc((size_t)(n * P) * sizeof(double));
    pmc_view Zv = pmc_view_2d(Z, PMC_FLOAT64, n, P), Bv = pmc_view_2d(back, PMC_FLOAT64, n, P);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = 3;
    int64_t cols;
    pmc_dtype dt;
    CHECK_OK(est->output_shape(m, PMC_TRANSFORM, PMC_FLOAT32, &cols, &dt));
    CHECK(cols == P && dt == PMC_FLOAT32);
    CHECK_FAILS(est->output_shape(m, PMC_PREDICT, PMC_FLOAT64, &cols, &dt), PMC_ERR_UNSUPPORTED,
                "StandardScaler has no predict");
    CHECK_OK(est->apply(m, PMC_TRANSFORM, &d.X, d.rows, &ctx, &Zv));
    pmc_matrix Zm = pmc_matrix_dense(Zv);
    CHECK_OK(est->apply(m, PMC_INVERSE_TRANSFORM, &Zm, d.rows, &ctx, &Bv));
    int round_trip = 1, nan_kept = 1;
    for (int64_t k = 0; k < n * P; k++) {
        if (isnan(X[k])) nan_kept &= isnan(Z[k]) && isnan(back[k]);
        /* Two roundings relative to the value itself (column 1 is ~1e6). */
        else round_trip &= fabs(back[k] - X[k]) <= 1e-9 * fabs(X[k]) + 1e-12;
    }
    CHECK(round_trip);
    CHECK(nan_kept);
    for (int64_t j = 0; j < 3; j++) {
        double s = 0, ss = 0, cnt = 0;
        for (int64_t i = 0; i < n; i++)
            if (!isnan(Z[i * P + j])) {
                s += Z[i * P + j];
                ss += Z[i * P + j] * Z[i * P + j];
                cnt++;
            }
        CHECK_CLOSE(s / cnt, 0.0, 0, 1e-6);
        CHECK_CLOSE(ss / cnt, 1.0, 1e-6, 0);
    }
    for (int64_t i = 0; i < n; i++) CHECK(Z[i * P + 3] == 0.0); /* constant: centred only */

    /* In place: out aliases X; the result is identical to the copy. */
    double *inplace = malloc((size_t)(n * P) * sizeof(double));
    memcpy(inplace, X, (size_t)(n * P) * sizeof(double));
    pmc_data di = dense_data(inplace, n, NULL);
    pmc_view Iv = pmc_view_2d(inplace, PMC_FLOAT64, n, P);
    CHECK_OK(est->apply(m, PMC_TRANSFORM, &di.X, di.rows, &ctx, &Iv));
    CHECK(memcmp(inplace, Z, (size_t)(n * P) * sizeof(double)) == 0);

    /* A float32 output of float32 input, Fortran-ordered output. */
    float *X32 = malloc((size_t)(n * P) * sizeof(float));
    float *Z32 = malloc((size_t)(n * P) * sizeof(float));
    for (int64_t k = 0; k < n * P; k++) X32[k] = (float)X[k];
    pmc_matrix M32 = pmc_matrix_dense(pmc_view_2d(X32, PMC_FLOAT32, n, P));
    pmc_view Z32v = pmc_view_2d(Z32, PMC_FLOAT32, n, P);
    Z32v.strides[0] = 4;
    Z32v.strides[1] = n * 4;
    CHECK_OK(est->apply(m, PMC_TRANSFORM, &M32, d.rows, &ctx, &Z32v));
    int close32 = 1;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < P; j++) {
            double want = ((double)X32[i * P + j] - stat(m, "mean_", j)) / stat(m, "scale_", j);
            double got = Z32[j * n + i];
            if (!(isnan(want) && isnan(got)) && fabs(got - want) > 1e-6 * fabs(want) + 1e-30)
                close32 = 0;
        }
    CHECK(close32);

    /* Wrong input width and wrong output shape are refused before any write. */
    pmc_matrix narrow = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, 3));
    CHECK_FAILS(est->apply(m, PMC_TRANSFORM, &narrow, d.rows, &ctx, &Zv), PMC_ERR_VALUE,
                "X has 3 features, but StandardScaler is expecting 5 features");
    pmc_view small_out = pmc_view_2d(Z, PMC_FLOAT64, n - 1, P);
    CHECK_FAILS(est->apply(m, PMC_TRANSFORM, &d.X, d.rows, &ctx, &small_out), PMC_ERR_VALUE,
                "out has 4999 rows, expected 5000");

    est->free(&m);
    free(X);
    free(Z);
    free(back);
    free(inplace);
    free(X32);
    free(Z32);
}

static void test_export_import(void) {
    const int64_t n = 3000;
    double *X = make_data(n, 7);
    pmc_data d = dense_data(X, n, NULL);
    pmc_model *m = fit(&d, NULL, 1);
    pmc_arrays arrays;
    memset(&arrays, 0, sizeof arrays);
    CHECK_OK(est->export_arrays(m, &arrays));
    CHECK(arrays.n == 5);

    /* Round trip: the imported model transforms bit for bit the same and can
     * continue a partial fit. */
    pmc_model *copy = NULL;
    CHECK_OK(est->import_arrays(&arrays, &copy));
    CHECK(copy && same_state(m, copy));
    double *Z1 = malloc((size_t)(n * P) * sizeof(double)), *Z2 = malloc((size_t)(n * P) * sizeof(double));
    pmc_view v1 = pmc_view_2d(Z1, PMC_FLOAT64, n, P), v2 = pmc_view_2d(Z2, PMC_FLOAT64, n, P);
    pmc_ctx ctx = pmc_ctx_default();
    CHECK_OK(est->apply(m, PMC_TRANSFORM, &d.X, d.rows, &ctx, &v1));
    CHECK_OK(est->apply(copy, PMC_TRANSFORM, &d.X, d.rows, &ctx, &v2));
    CHECK(memcmp(Z1, Z2, (size_t)(n * P) * sizeof(double)) == 0);
    pmc_model *more = fit(&d, copy, 1);
    CHECK(more != NULL);
    if (more) CHECK(stat(more, "n_samples_seen_", 0) == 2.0 * n);

    /* Flags decide what apply does: with_mean = 0 only scales. */
    int64_t flags_no_mean[2] = {0, 1};
    pmc_arrays edited = arrays;
    edited.items[4].view = pmc_view_1d(flags_no_mean, PMC_INT64, 2);
    pmc_model *scale_only = NULL;
    CHECK_OK(est->import_arrays(&edited, &scale_only));
    if (scale_only) {
        CHECK_OK(est->apply(scale_only, PMC_TRANSFORM, &d.X, d.rows, &ctx, &v2));
        CHECK_CLOSE(Z2[0], X[0] / stat(m, "scale_", 0), 1e-15, 0);
        est->free(&scale_only);
    }

    /* Only mean_, scale_ and flags are needed to transform; such a model
     * cannot continue a partial fit. */
    pmc_arrays minimal;
    memset(&minimal, 0, sizeof minimal);
    pmc_arrays_add(&minimal, "mean_", *pmc_arrays_find(&arrays, "mean_"));
    pmc_arrays_add(&minimal, "scale_", *pmc_arrays_find(&arrays, "scale_"));
    pmc_arrays_add(&minimal, "flags", *pmc_arrays_find(&arrays, "flags"));
    pmc_model *transform_only = NULL, *out = NULL;
    CHECK_OK(est->import_arrays(&minimal, &transform_only));
    pmc_standard_scaler_params params = {1, 1};
    if (transform_only) {
        CHECK_OK(est->apply(transform_only, PMC_TRANSFORM, &d.X, d.rows, &ctx, &v2));
        CHECK(memcmp(Z1, Z2, (size_t)(n * P) * sizeof(double)) == 0);
        CHECK_FAILS(est->fit(&params, &d, transform_only, &ctx, &out), PMC_ERR_VALUE,
                    "lacks var_ and n_samples_seen_");
        est->free(&transform_only);
    }

    /* Malformed state: each refused with a message that names the array. */
    double short_buf[P - 1] = {0}, matrix[P * 2] = {0}, mean_copy[P];
    int64_t bad_flags[2] = {1, 2}, ints[P] = {0};
    memcpy(mean_copy, pmc_arrays_find(&arrays, "mean_")->data, sizeof mean_copy);
    struct {
        const char *name;
        pmc_view view;
        const char *message;
    } cases[] = {
        {"scale_", pmc_view_1d(short_buf, PMC_FLOAT64, P - 1), "scale_ has 4 rows, expected 5"},
        {"var_", pmc_view_1d(short_buf, PMC_FLOAT64, P - 1), "var_ has 4 rows, expected 5"},
        {"n_samples_seen_", pmc_view_1d(short_buf, PMC_FLOAT64, P - 1),
         "n_samples_seen_ has 4 rows"},
        {"mean_", pmc_view_2d(matrix, PMC_FLOAT64, P, 2), "mean_ must be 1-dimensional"},
        {"scale_", pmc_view_1d(ints, PMC_INT64, P), "scale_ must be float32 or float64"},
        {"flags", pmc_view_1d(bad_flags, PMC_INT64, 2), "flags must be 0 or 1, got 2"},
        {"flags", pmc_view_1d(bad_flags, PMC_INT64, 1), "flags has 1 rows, expected 2"},
        {"flags", pmc_view_1d(mean_copy, PMC_FLOAT64, 2), "flags must be integers"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pmc_arrays bad = arrays;
        for (int k = 0; k < bad.n; k++)
            if (strcmp(bad.items[k].name, cases[c].name) == 0) bad.items[k].view = cases[c].view;
        pmc_model *rejected = NULL;
        CHECK_FAILS(est->import_arrays(&bad, &rejected), PMC_ERR_VALUE, cases[c].message);
        CHECK(rejected == NULL);
    }
    /* Missing arrays. */
    const char *required[] = {"mean_", "scale_", "flags"};
    for (int r = 0; r < 3; r++) {
        pmc_arrays bad;
        memset(&bad, 0, sizeof bad);
        for (int k = 0; k < arrays.n; k++)
            if (strcmp(arrays.items[k].name, required[r]) != 0)
                pmc_arrays_add(&bad, arrays.items[k].name, arrays.items[k].view);
        pmc_model *rejected = NULL;
        CHECK_FAILS(est->import_arrays(&bad, &rejected), PMC_ERR_VALUE, required[r]);
        CHECK(rejected == NULL);
    }
    pmc_arrays half = minimal;
    pmc_arrays_add(&half, "var_", *pmc_arrays_find(&arrays, "var_"));
    pmc_model *rejected = NULL;
    CHECK_FAILS(est->import_arrays(&half, &rejected), PMC_ERR_VALUE,
                "has one of var_ and n_samples_seen_ but not the other");

    est->free(&m);
    est->free(&copy);
    est->free(&more);
    free(Z1);
    free(Z2);
    free(X);
}

/* Zero weights, negative-free edge cases: one row, all rows weightless. */
static void test_edge_cases(void) {
    double X[2 * P] = {1, 2, 3, 4, 5, 1, 2, 3, 4, 5};
    double zero_w[2] = {0, 0};
    pmc_data one = dense_data(X, 1, NULL);
    pmc_model *m = fit(&one, NULL, 1);
    for (int64_t j = 0; j < P; j++) {
        CHECK(stat(m, "var_", j) == 0.0 && stat(m, "scale_", j) == 1.0);
        CHECK(stat(m, "mean_", j) == X[j]);
    }
    est->free(&m);
    pmc_data none = dense_data(X, 2, zero_w);
    m = fit(&none, NULL, 1);
    for (int64_t j = 0; j < P; j++) {
        CHECK(stat(m, "n_samples_seen_", j) == 0.0);
        CHECK(isnan(stat(m, "mean_", j)));
    }
    /* A later fit with weight replaces the empty statistics entirely. */
    pmc_data some = dense_data(X, 2, NULL);
    pmc_model *next = fit(&some, m, 1);
    for (int64_t j = 0; j < P; j++) CHECK(stat(next, "mean_", j) == X[j]);
    est->free(&m);
    est->free(&next);
    /* No rows at all: nothing seen. */
    pmc_data empty = dense_data(X, 0, NULL);
    m = fit(&empty, NULL, 4);
    CHECK(m && stat(m, "n_samples_seen_", 0) == 0.0);
    est->free(&m);
}

int main(void) {
    test_table();
    if (!est) return check_report("test_scaler");
    test_statistics();
    test_layouts_and_dtypes();
    test_sparse();
    test_partial_fit_and_rows();
    test_apply();
    test_export_import();
    test_edge_cases();
    return check_report("test_scaler");
}
