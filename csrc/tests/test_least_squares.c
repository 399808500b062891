/* LinearRegression / Ridge kernels against naive normal-equation solves in long
 * double, for every layout, row subsets, weights and several targets; NNLS against
 * its KKT conditions; thread-count independence; errors and crafted state. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "pmc/linear.h"

enum { N = 40000, P = 6, K = 2, NW = 12, PW = 40 }; /* N > 32768: several QR chunks */

static double Xc[N * P], Xf[N * P], Y[N * K], W[N];
static float Xs[N * P * 2]; /* float32, every other column: a strided view */
static double Xw[NW * PW], Yw[NW * K];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 7, 0);
    double beta[P * K];
    for (int j = 0; j < P * K; j++) beta[j] = pmc_rng_normal(&rng);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < P; j++) {
            /* float32-representable values, so every layout holds the same numbers */
            double v = (double)(float)(pmc_rng_normal(&rng) * (1.0 + j) + 3.0 * j);
            Xc[i * P + j] = v;
            Xf[j * N + i] = v;
            Xs[i * P * 2 + 2 * j] = (float)v;
        }
        for (int t = 0; t < K; t++) {
            double s = 0.5 * pmc_rng_normal(&rng) + 1.0 + t;
            for (int j = 0; j < P; j++) s += Xc[i * P + j] * beta[t * P + j];
            Y[i * K + t] = s;
        }
        W[i] = 0.25 + pmc_rng_uniform(&rng);
    }
    for (int i = 0; i < NW * PW; i++) Xw[i] = pmc_rng_normal(&rng);
    for (int i = 0; i < NW * K; i++) Yw[i] = pmc_rng_normal(&rng);
}

/* Solves the SPD system a x = b (dim <= 64) by Cholesky in long double. */
static void spd_solve(long double *a, long double *b, int dim) {
    for (int j = 0; j < dim; j++) {
        for (int k = 0; k < j; k++) a[j * dim + j] -= a[j * dim + k] * a[j * dim + k];
        a[j * dim + j] = sqrtl(a[j * dim + j]);
        for (int i = j + 1; i < dim; i++) {
            for (int k = 0; k < j; k++) a[i * dim + j] -= a[i * dim + k] * a[j * dim + k];
            a[i * dim + j] /= a[j * dim + j];
        }
    }
    for (int i = 0; i < dim; i++) {
        for (int k = 0; k < i; k++) b[i] -= a[i * dim + k] * b[k];
        b[i] /= a[i * dim + i];
    }
    for (int i = dim - 1; i >= 0; i--) {
        for (int k = i + 1; k < dim; k++) b[i] -= a[k * dim + i] * b[k];
        b[i] /= a[i * dim + i];
    }
}

/* Reference coef (K x P) and intercept of weighted ridge (alpha 0: least squares)
 * over the rows idx[0..n), from the centred normal equations in long double. */
static void reference(const int64_t *idx, int64_t n, int intercept, const double *alpha,
                      double *coef, double *icpt) {
    long double sw = 0, xm[P] = {0}, ym[K] = {0};
    for (int64_t a = 0; a < n; a++) {
        int64_t i = idx[a];
        sw += W[i];
        for (int j = 0; j < P; j++) xm[j] += W[i] * (long double)Xc[i * P + j];
        for (int t = 0; t < K; t++) ym[t] += W[i] * (long double)Y[i * K + t];
    }
    for (int j = 0; j < P; j++) xm[j] = intercept ? xm[j] / sw : 0;
    for (int t = 0; t < K; t++) ym[t] = intercept ? ym[t] / sw : 0;
    for (int t = 0; t < K; t++) {
        long double g[P * P] = {0}, c[P] = {0};
        for (int64_t a = 0; a < n; a++) {
            int64_t i = idx[a];
            for (int j = 0; j < P; j++) {
                long double xj = Xc[i * P + j] - xm[j];
                for (int l = 0; l < P; l++) g[j * P + l] += W[i] * xj * (Xc[i * P + l] - xm[l]);
                c[j] += W[i] * xj * (Y[i * K + t] - ym[t]);
            }
        }
        for (int j = 0; j < P; j++) g[j * P + j] += alpha[t];
        spd_solve(g, c, P);
        long double b = ym[t];
        for (int j = 0; j < P; j++) {
            coef[t * P + j] = (double)c[j];
            b -= xm[j] * c[j];
        }
        icpt[t] = intercept ? (double)b : 0.0;
    }
}

static pmc_status fit(const pmc_estimator *est, const void *params, pmc_view X, pmc_view y,
                      int weighted, pmc_rows rows, int threads, pmc_model **m) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(X);
    d.y = y;
    if (weighted) d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = rows;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = threads;
    return est->fit(params, &d, NULL, &ctx, m);
}

/* coef_ (K x P) and intercept_ of a fitted model, through its export. */
static void coefs_of(const pmc_estimator *est, const pmc_model *m, double *coef, double *icpt,
                     int64_t p, int64_t k) {
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK_OK(est->export_arrays(m, &a));
    const pmc_view *c = pmc_arrays_find(&a, "coef_"), *b = pmc_arrays_find(&a, "intercept_");
    CHECK(c && b && c->shape[0] == k && c->shape[1] == p);
    if (!c || !b) return;
    for (int64_t t = 0; t < k; t++) {
        icpt[t] = pmc_view_get(b, t, 0);
        for (int64_t j = 0; j < p; j++) coef[t * p + j] = pmc_view_get(c, t, j);
    }
}

static void check_oracle(void) {
    static int64_t idx[N];
    pmc_view layouts[3] = {pmc_view_2d(Xc, PMC_FLOAT64, N, P),
                           {Xf, PMC_FLOAT64, 2, {N, P}, {8, 8 * N}},
                           {Xs, PMC_FLOAT32, 2, {N, P}, {4 * 2 * P, 8}}};
    pmc_view y = pmc_view_2d(Y, PMC_FLOAT64, N, K);
    double alpha_vals[K] = {3.0, 40.0}, zero[K] = {0, 0};
    for (int subset = 0; subset <= 1; subset++) {
        int64_t n = 0;
        for (int64_t i = 0; i < N; i++)
            if (!subset || i % 3 != 1) idx[n++] = i;
        pmc_rows rows = subset ? (pmc_rows){idx, 0, n} : pmc_rows_all(N);
        for (int intercept = 0; intercept <= 1; intercept++) {
            double ref_ls[K * P], ref_ls_b[K], ref_r[K * P], ref_r_b[K];
            reference(idx, n, intercept, zero, ref_ls, ref_ls_b);
            reference(idx, n, intercept, alpha_vals, ref_r, ref_r_b);
            for (int l = 0; l < 3; l++) {
                double coef[K * P], icpt[K];
                pmc_model *m = NULL;
                /* Least squares by QR: the data are well conditioned (cond ~ 30), so
                 * the QR solution matches the normal equations to ~1e-12. */
                pmc_linear_regression_params lp = {intercept, 1e-6, 0};
                CHECK_OK(fit(&pmc_linear_regression_estimator, &lp, layouts[l], y, 1, rows, 2, &m));
                if (m) {
                    coefs_of(&pmc_linear_regression_estimator, m, coef, icpt, P, K);
                    for (int j = 0; j < K * P; j++) CHECK_CLOSE(coef[j], ref_ls[j], 1e-9, 1e-9);
                    for (int t = 0; t < K; t++) CHECK_CLOSE(icpt[t], ref_ls_b[t], 1e-9, 1e-9);
                    pmc_linear_regression_estimator.free(&m);
                }
                /* Ridge, every route: Gram, SVD, CG on the Gram, positive (the
                 * unconstrained solution is positive here only for some targets, so
                 * positive is checked separately). */
                const int solvers[] = {2 /* cholesky */, 1 /* svd */, 4 /* sparse_cg */};
                for (int s = 0; s < 3; s++) {
                    pmc_ridge_params rp = {pmc_view_1d(alpha_vals, PMC_FLOAT64, K), intercept, 0,
                                           1e-13, solvers[s], 0};
                    CHECK_OK(fit(&pmc_ridge_estimator, &rp, layouts[l], y, 1, rows, 2, &m));
                    if (!m) continue;
                    coefs_of(&pmc_ridge_estimator, m, coef, icpt, P, K);
                    for (int j = 0; j < K * P; j++) CHECK_CLOSE(coef[j], ref_r[j], 1e-8, 1e-9);
                    for (int t = 0; t < K; t++) CHECK_CLOSE(icpt[t], ref_r_b[t], 1e-8, 1e-9);
                    pmc_ridge_estimator.free(&m);
                }
            }
        }
    }
}

/* Same bits for 1 and 2 threads (several QR chunks, Gram chunks, CG). */
static void check_threads(void) {
    pmc_view X = pmc_view_2d(Xc, PMC_FLOAT64, N, P), y = pmc_view_2d(Y, PMC_FLOAT64, N, K);
    double alpha = 2.0;
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    for (int e = 0; e < 4; e++) {
        pmc_ridge_params rp = {pmc_view_1d(&alpha, PMC_FLOAT64, 1), 1, 0, 1e-10, e, 0};
        const pmc_estimator *est = e == 0 ? &pmc_linear_regression_estimator : &pmc_ridge_estimator;
        const void *params = e == 0 ? (const void *)&lp : (const void *)&rp;
        if (e == 3) rp.solver = 3; /* lsqr: CG */
        pmc_model *m1 = NULL, *m2 = NULL;
        CHECK_OK(fit(est, params, X, y, 1, pmc_rows_all(N), 1, &m1));
        CHECK_OK(fit(est, params, X, y, 1, pmc_rows_all(N), 2, &m2));
        if (m1 && m2) {
            double c1[K * P], c2[K * P], b1[K], b2[K];
            coefs_of(est, m1, c1, b1, P, K);
            coefs_of(est, m2, c2, b2, P, K);
            CHECK(memcmp(c1, c2, sizeof c1) == 0 && memcmp(b1, b2, sizeof b1) == 0);
        }
        est->free(&m1);
        est->free(&m2);
    }
}

/* n < p: the minimum-norm solution X^T (X X^T)^{-1} y (no intercept), and ridge's
 * dual route X^T (X X^T + alpha I)^{-1} y. */
static void check_wide(void) {
    pmc_view X = pmc_view_2d(Xw, PMC_FLOAT64, NW, PW), y = pmc_view_2d(Yw, PMC_FLOAT64, NW, K);
    double alphas[2] = {0.0, 0.7};
    for (int r = 0; r < 2; r++) {
        double ref[K * PW];
        for (int t = 0; t < K; t++) {
            long double kk[NW * NW], z[NW];
            for (int i = 0; i < NW; i++) {
                z[i] = Yw[i * K + t];
                for (int j = 0; j < NW; j++) {
                    long double s = 0;
                    for (int l = 0; l < PW; l++) s += (long double)Xw[i * PW + l] * Xw[j * PW + l];
                    kk[i * NW + j] = s + (i == j ? alphas[r] : 0.0);
                }
            }
            spd_solve(kk, z, NW);
            for (int l = 0; l < PW; l++) {
                long double s = 0;
                for (int i = 0; i < NW; i++) s += Xw[i * PW + l] * z[i];
                ref[t * PW + l] = (double)s;
            }
        }
        pmc_model *m = NULL;
        pmc_linear_regression_params lp = {0, 1e-6, 0};
        pmc_ridge_params rp = {pmc_view_1d(&alphas[1], PMC_FLOAT64, 1), 0, 0, 1e-4, 2, 0};
        const pmc_estimator *est = r == 0 ? &pmc_linear_regression_estimator : &pmc_ridge_estimator;
        CHECK_OK(fit(est, r == 0 ? (const void *)&lp : (const void *)&rp, X, y, 0,
                     pmc_rows_all(NW), 2, &m));
        if (!m) continue;
        double coef[K * PW], icpt[K];
        coefs_of(est, m, coef, icpt, PW, K);
        for (int j = 0; j < K * PW; j++) CHECK_CLOSE(coef[j], ref[j], 1e-9, 1e-10);
        if (r == 0) { /* rank_ and singular_: all NW singular values positive */
            pmc_arrays a;
            memset(&a, 0, sizeof a);
            CHECK_OK(est->export_arrays(m, &a));
            const pmc_view *rank = pmc_arrays_find(&a, "rank_"), *s = pmc_arrays_find(&a, "singular_");
            CHECK(rank && s && pmc_view_get(rank, 0, 0) == NW && s->shape[0] == NW);
            if (s) CHECK(pmc_view_get(s, NW - 1, 0) > 0.1 && pmc_view_get(s, 0, 0) >= pmc_view_get(s, 1, 0));
        }
        est->free(&m);
    }
}

/* A duplicated column: rank p - 1, the minimum-norm solution splits the weight. */
static void check_rank_deficient(void) {
    enum { n = 50 };
    double X[n * 3], y[n];
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < n; i++) {
        X[i * 3] = pmc_rng_normal(&rng);
        X[i * 3 + 1] = pmc_rng_normal(&rng);
        X[i * 3 + 2] = X[i * 3];
        y[i] = 2.0 * X[i * 3] - X[i * 3 + 1] + 0.5;
    }
    pmc_linear_regression_params lp = {1, 1e-6, 0};
    pmc_model *m = NULL;
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, n, 3));
    d.y = pmc_view_1d(y, PMC_FLOAT64, n);
    d.rows = pmc_rows_all(n);
    pmc_ctx ctx = pmc_ctx_default();
    CHECK_OK(pmc_linear_regression_estimator.fit(&lp, &d, NULL, &ctx, &m));
    if (!m) return;
    double coef[3], icpt[1];
    coefs_of(&pmc_linear_regression_estimator, m, coef, icpt, 3, 1);
    CHECK_CLOSE(coef[0], 1.0, 1e-10, 1e-12);
    CHECK_CLOSE(coef[1], -1.0, 1e-10, 1e-12);
    CHECK_CLOSE(coef[2], 1.0, 1e-10, 1e-12);
    CHECK_CLOSE(icpt[0], 0.5, 1e-10, 1e-12);
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK_OK(pmc_linear_regression_estimator.export_arrays(m, &a));
    const pmc_view *rank = pmc_arrays_find(&a, "rank_");
    CHECK(rank && pmc_view_get(rank, 0, 0) == 2);
    pmc_linear_regression_estimator.free(&m);
}

/* Nearly collinear columns (cond ~ 1e7): the Cholesky QR is refused (its error would
 * be ~eps cond^2 ~ 1e-2) and the tall-skinny QR recovers the exact coefficients. */
static void check_ill_conditioned(void) {
    enum { n = 3000 };
    static double X[n * 3], y[n];
    pmc_rng rng;
    pmc_rng_seed(&rng, 5, 0);
    for (int i = 0; i < n; i++) {
        double a = pmc_rng_normal(&rng), b = pmc_rng_normal(&rng);
        X[i * 3] = a;
        X[i * 3 + 1] = a + 1e-7 * pmc_rng_normal(&rng);
        X[i * 3 + 2] = b;
        y[i] = X[i * 3] + 2.0 * X[i * 3 + 1] - 3.0 * X[i * 3 + 2] + 0.5;
    }
    pmc_linear_regression_params lp = {1, 1e-12, 0};
    pmc_model *m = NULL;
    CHECK_OK(fit(&pmc_linear_regression_estimator, &lp, pmc_view_2d(X, PMC_FLOAT64, n, 3),
                 pmc_view_1d(y, PMC_FLOAT64, n), 0, pmc_rows_all(n), 2, &m));
    if (!m) return;
    double coef[3], icpt[1];
    coefs_of(&pmc_linear_regression_estimator, m, coef, icpt, 3, 1);
    CHECK_CLOSE(coef[0], 1.0, 1e-6, 0);
    CHECK_CLOSE(coef[1], 2.0, 1e-6, 0);
    CHECK_CLOSE(coef[2], -3.0, 1e-9, 0);
    CHECK_CLOSE(icpt[0], 0.5, 1e-9, 0);
    pmc_linear_regression_estimator.free(&m);
}

/* NNLS: scipy's documented examples, then the KKT conditions on a random problem. */
static void check_nnls(void) {
    double A[6] = {1, 1, 0, 0, 0, 1}; /* [[1, 0], [1, 0], [0, 1]] column-major */
    double b1[3] = {2, 1, 1}, b2[3] = {-1, -1, -1}, x[2];
    int converged;
    CHECK_OK(pmc_linear_nnls(A, 3, 2, 3, b1, 100, x, &converged));
    CHECK(converged);
    CHECK_CLOSE(x[0], 1.5, 1e-14, 1e-14);
    CHECK_CLOSE(x[1], 1.0, 1e-14, 1e-14);
    CHECK_OK(pmc_linear_nnls(A, 3, 2, 3, b2, 100, x, &converged));
    CHECK(x[0] == 0.0 && x[1] == 0.0);

    enum { q = 30, p = 12 };
    double M[q * p], r[q], z[p];
    pmc_rng rng;
    pmc_rng_seed(&rng, 11, 0);
    for (int i = 0; i < q * p; i++) M[i] = pmc_rng_normal(&rng);
    for (int i = 0; i < q; i++) r[i] = pmc_rng_normal(&rng);
    CHECK_OK(pmc_linear_nnls(M, q, p, q, r, 200, z, &converged));
    CHECK(converged);
    int n_active = 0;
    for (int j = 0; j < p; j++) {
        double g = 0.0; /* g_j = M_j^T (r - M z): <= 0, and 0 where z_j > 0 */
        for (int i = 0; i < q; i++) {
            double res = r[i];
            for (int l = 0; l < p; l++) res -= M[l * q + i] * z[l];
            g += M[j * q + i] * res;
        }
        CHECK(z[j] >= 0.0);
        if (z[j] > 0.0) {
            CHECK_CLOSE(g, 0.0, 0.0, 1e-10);
            n_active++;
        } else {
            CHECK(g <= 1e-10);
        }
    }
    CHECK(n_active > 0 && n_active < p); /* the constraint binds somewhere: a real test */
    CHECK_FAILS(pmc_linear_nnls(M, q, p, q - 1, r, 10, z, &converged), PMC_ERR_VALUE, "nnls");
}

static void check_errors(void) {
    pmc_view X = pmc_view_2d(Xc, PMC_FLOAT64, N, P), y = pmc_view_2d(Y, PMC_FLOAT64, N, K);
    double alphas[3] = {1, 2, 3}, neg = -1.0;
    pmc_model *m = NULL;
    pmc_ridge_params rp = {pmc_view_1d(alphas, PMC_FLOAT64, 3), 1, 0, 1e-4, 2, 0};
    CHECK_FAILS(fit(&pmc_ridge_estimator, &rp, X, y, 0, pmc_rows_all(N), 1, &m), PMC_ERR_VALUE,
                "Number of targets and number of penalties do not correspond: 3 != 2");
    rp.alpha = pmc_view_1d(&neg, PMC_FLOAT64, 1);
    CHECK_FAILS(fit(&pmc_ridge_estimator, &rp, X, y, 0, pmc_rows_all(N), 1, &m), PMC_ERR_VALUE,
                "alpha must be non-negative");
    rp.alpha = pmc_view_1d(alphas, PMC_FLOAT64, 1);
    rp.solver = 7; /* lbfgs */
    CHECK_FAILS(fit(&pmc_ridge_estimator, &rp, X, y, 0, pmc_rows_all(N), 1, &m), PMC_ERR_VALUE,
                "'lbfgs' solver can be used only when positive=True");
    pmc_linear_regression_params lp = {1, -1.0, 0};
    CHECK_FAILS(fit(&pmc_linear_regression_estimator, &lp, X, y, 0, pmc_rows_all(N), 1, &m),
                PMC_ERR_VALUE, "tol must be non-negative");
    lp.tol = 1e-6;
    pmc_view short_y = pmc_view_1d(Y, PMC_FLOAT64, N - 1);
    CHECK_FAILS(fit(&pmc_linear_regression_estimator, &lp, X, short_y, 0, pmc_rows_all(N), 1, &m),
                PMC_ERR_VALUE, "y has");
    W[5] = -1.0;
    CHECK_FAILS(fit(&pmc_linear_regression_estimator, &lp, X, y, 1, pmc_rows_all(N), 1, &m),
                PMC_ERR_VALUE, "sample_weight must be non-negative");
    W[5] = 0.5;
    int64_t bad_rows[2] = {0, N};
    CHECK_FAILS(fit(&pmc_linear_regression_estimator, &lp, X, y, 0, (pmc_rows){bad_rows, 0, 2}, 1,
                    &m),
                PMC_ERR_VALUE, "rows");
    CHECK(m == NULL);

    /* Crafted state: intercept_ of the wrong length is refused, not read past. */
    double coef[2 * 3] = {0}, icpt[1] = {0};
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    pmc_arrays_add(&a, "coef_", pmc_view_2d(coef, PMC_FLOAT64, 2, 3));
    pmc_arrays_add(&a, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, 1));
    CHECK_FAILS(pmc_ridge_estimator.import_arrays(&a, &m), PMC_ERR_VALUE, "intercept_");
    CHECK(m == NULL);
}

int main(void) {
    make_data();
    check_oracle();
    check_threads();
    check_wide();
    check_rank_deficient();
    check_ill_conditioned();
    check_nnls();
    check_errors();
    return check_report("test_least_squares");
}
