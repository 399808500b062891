/* The shared linear building blocks against naive loops, for every layout. */
#include <stdio.h>

#include "internal.h"
#include "pmc/linear.h"

static int failures;
#define CHECK_CLOSE(a, b, tol, what)                                                   \
    do {                                                                               \
        double a_ = (a), b_ = (b);                                                     \
        if (fabs(a_ - b_) > (tol) * (1.0 + fabs(b_))) {                                \
            printf("FAIL %s: %.17g != %.17g (%s:%d)\n", what, a_, b_, __FILE__, __LINE__); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

enum { N = 3000, P = 7, K = 2 };
static double Xc[N * P], Xf[N * P], Y[N * K], W[N];
static float Xs[N * P * 2]; /* float32, every other column: a strided view */

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 42, 0);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < P; j++) {
            double v = pmc_rng_normal(&rng) + j;
            Xc[i * P + j] = v;
            Xf[j * N + i] = v;
            Xs[i * P * 2 + 2 * j] = (float)v;
        }
        for (int t = 0; t < K; t++) Y[i * K + t] = pmc_rng_normal(&rng);
        W[i] = pmc_rng_uniform(&rng) * 2.0;
    }
}

/* Naive reference over a subset of rows. */
static void reference(const int64_t *idx, int64_t n, int use_float, double *xm, double *ym,
                      double *gram, double *xty) {
    double sw = 0;
    memset(xm, 0, sizeof(double) * P);
    memset(ym, 0, sizeof(double) * K);
    for (int64_t a = 0; a < n; a++) {
        int64_t i = idx[a];
        sw += W[i];
        for (int j = 0; j < P; j++) xm[j] += W[i] * (use_float ? (double)Xs[i * P * 2 + 2 * j] : Xc[i * P + j]);
        for (int t = 0; t < K; t++) ym[t] += W[i] * Y[i * K + t];
    }
    for (int j = 0; j < P; j++) xm[j] /= sw;
    for (int t = 0; t < K; t++) ym[t] /= sw;
    memset(gram, 0, sizeof(double) * P * P);
    memset(xty, 0, sizeof(double) * P * K);
    for (int64_t a = 0; a < n; a++) {
        int64_t i = idx[a];
        for (int j = 0; j < P; j++) {
            double xj = (use_float ? (double)Xs[i * P * 2 + 2 * j] : Xc[i * P + j]) - xm[j];
            for (int l = 0; l < P; l++) {
                double xl = (use_float ? (double)Xs[i * P * 2 + 2 * l] : Xc[i * P + l]) - xm[l];
                gram[j * P + l] += W[i] * xj * xl;
            }
            for (int t = 0; t < K; t++) xty[j * K + t] += W[i] * xj * (Y[i * K + t] - ym[t]);
        }
    }
}

static void check_layout(const char *name, pmc_view xv, int use_float, int subset, int threads) {
    static int64_t idx[N];
    int64_t n = 0;
    for (int64_t i = 0; i < N; i++)
        if (!subset || i % 3 != 1) idx[n++] = i;
    double xm[P], ym[K], gram[P * P], xty[P * K], rxm[P], rym[K], rgram[P * P], rxty[P * K];
    reference(idx, n, use_float, rxm, rym, rgram, rxty);
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(xv);
    d.y = pmc_view_2d(Y, PMC_FLOAT64, N, K);
    d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = subset ? (pmc_rows){idx, 0, n} : pmc_rows_all(N);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = threads;
    double sw;
    if (pmc_linear_means(&d, K, &ctx, xm, ym, &sw) != PMC_OK ||
        pmc_linear_cross_products(&d, K, xm, ym, &ctx, gram, xty, NULL) != PMC_OK) {
        printf("FAIL %s: %s\n", name, pmc_last_error());
        failures++;
        return;
    }
    for (int j = 0; j < P; j++) CHECK_CLOSE(xm[j], rxm[j], 1e-12, name);
    for (int j = 0; j < P * P; j++) CHECK_CLOSE(gram[j], rgram[j], 1e-10, name);
    for (int j = 0; j < P * K; j++) CHECK_CLOSE(xty[j], rxty[j], 1e-10, name);

    /* decision and X^T u against loops */
    double coef[K * P], icpt[K] = {0.5, -1.0}, out[N * K], u[N * K], xtu[P * K];
    for (int j = 0; j < K * P; j++) coef[j] = 0.1 * (j + 1);
    for (int64_t a = 0; a < n * K; a++) u[a] = Y[a];
    pmc_view ov = pmc_view_2d(out, PMC_FLOAT64, n, K);
    if (pmc_linear_decision(coef, icpt, K, &d.X, d.rows, &ctx, &ov) != PMC_OK ||
        pmc_linear_transpose_dot(&d.X, d.rows, u, K, &ctx, xtu) != PMC_OK) {
        printf("FAIL %s: %s\n", name, pmc_last_error());
        failures++;
        return;
    }
    double ref_xtu[P * K];
    memset(ref_xtu, 0, sizeof ref_xtu);
    for (int64_t a = 0; a < n; a++) {
        int64_t i = idx[a];
        for (int t = 0; t < K; t++) {
            double s = icpt[t];
            for (int j = 0; j < P; j++) {
                double x = use_float ? (double)Xs[i * P * 2 + 2 * j] : Xc[i * P + j];
                s += x * coef[t * P + j];
                ref_xtu[j * K + t] += x * u[a * K + t];
            }
            CHECK_CLOSE(out[a * K + t], s, 1e-12, name);
        }
    }
    for (int j = 0; j < P * K; j++) CHECK_CLOSE(xtu[j], ref_xtu[j], 1e-10, name);
}

int main(void) {
    make_data();
    pmc_view c = pmc_view_2d(Xc, PMC_FLOAT64, N, P);
    pmc_view f = {Xf, PMC_FLOAT64, 2, {N, P}, {8, 8 * N}};
    pmc_view s = {Xs, PMC_FLOAT32, 2, {N, P}, {4 * 2 * P, 8}};
    for (int threads = 1; threads <= 2; threads++)
        for (int subset = 0; subset <= 1; subset++) {
            check_layout("C order", c, 0, subset, threads);
            check_layout("F order", f, 0, subset, threads);
            check_layout("strided float32", s, 1, subset, threads);
        }
    /* Same answer whatever the thread count: bit for bit. */
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(c);
    d.y = pmc_view_2d(Y, PMC_FLOAT64, N, K);
    d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = pmc_rows_all(N);
    double g1[P * P], g2[P * P], x1[P * K], x2[P * K];
    pmc_ctx ctx = pmc_ctx_default();
    pmc_linear_cross_products(&d, K, NULL, NULL, &ctx, g1, x1, NULL);
    ctx.n_threads = 2;
    pmc_linear_cross_products(&d, K, NULL, NULL, &ctx, g2, x2, NULL);
    if (memcmp(g1, g2, sizeof g1) || memcmp(x1, x2, sizeof x1)) {
        printf("FAIL: cross products depend on the thread count\n");
        failures++;
    }
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
