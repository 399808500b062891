/* Lasso / ElasticNet coordinate descent through the estimator tables: the
 * optimality (KKT) conditions of the solution, the one-feature closed form, the
 * Gram and residual routes agreeing, weights as repeated rows, every layout (C, F,
 * strided float32, CSR with duplicate entries, row subsets), bit-identical results
 * across thread counts, warnings and the errors of bad parameters or state. */
#include <stdio.h>

#include "internal.h"
#include "pmc/linear.h"

static int failures;
#define CHECK(cond, what)                                                   \
    do {                                                                    \
        if (!(cond)) {                                                      \
            printf("FAIL %s (%s:%d): %s\n", what, __FILE__, __LINE__, #cond); \
            failures++;                                                     \
        }                                                                   \
    } while (0)
#define CHECK_CLOSE(a, b, tol, what)                                                   \
    do {                                                                               \
        double a_ = (a), b_ = (b);                                                     \
        if (!(fabs(a_ - b_) <= (tol) * (1.0 + fabs(b_)))) {                            \
            printf("FAIL %s: %.17g != %.17g (%s:%d)\n", what, a_, b_, __FILE__, __LINE__); \
            failures++;                                                                \
        }                                                                              \
    } while (0)

enum { N = 240, P = 12, K = 2 };
static double Xc[N * P], Xf[N * P], Y[N * K], W[N];
static float Xs[N * P * 2]; /* float32, every other column: a strided view */
/* X with every row twice (for the weights-as-repeats check) */
static double Xd[2 * N * P], Yd[2 * N * K];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 7, 0);
    for (int i = 0; i < N; i++) {
        double y0 = 0, y1 = 0;
        for (int j = 0; j < P; j++) {
            double v = pmc_rng_normal(&rng) + 0.5 * j; /* offsets: centring matters */
            if (j == 3 && i % 3 == 0) v = 0.0;         /* zeros the CSR copy leaves out */
            Xc[i * P + j] = v;
            Xf[j * N + i] = v;
            Xs[i * P * 2 + 2 * j] = (float)v;
            if (j < 4) y0 += (j + 1) * (v - 0.5 * j);
            if (j >= 6) y1 -= 0.5 * (v - 0.5 * j);
        }
        Y[i * K] = y0 + 0.3 * pmc_rng_normal(&rng) + 3.0;
        Y[i * K + 1] = y1 + 0.3 * pmc_rng_normal(&rng) - 1.0;
        W[i] = 0.25 + pmc_rng_uniform(&rng) * 2.0;
    }
    for (int i = 0; i < 2 * N; i++) {
        memcpy(Xd + i * P, Xc + (i / 2) * P, sizeof(double) * P);
        memcpy(Yd + i * K, Y + (i / 2) * K, sizeof(double) * K);
    }
}

static pmc_elastic_net_params base_params(double alpha, double l1_ratio) {
    pmc_elastic_net_params p;
    memset(&p, 0, sizeof p);
    p.alpha = alpha;
    p.l1_ratio = l1_ratio;
    p.fit_intercept = 1;
    p.precompute = PMC_CD_AUTO;
    p.check_gram = 1;
    p.max_iter = 100000;
    p.tol = 1e-12;
    return p;
}

typedef struct {
    double coef[K * P], intercept[K], gap[K];
    int64_t n_iter[K];
    int64_t k;
    char warning[256];
} fit_out;

static pmc_status fit(const pmc_elastic_net_params *prm, const pmc_data *d, int threads,
                      uint64_t seed, fit_out *o) {
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = threads;
    ctx.seed = seed;
    pmc_model *m = NULL;
    memset(o, 0, sizeof *o);
    pmc_status s = pmc_elastic_net_estimator.fit(prm, d, NULL, &ctx, &m);
    if (s != PMC_OK) return s;
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    s = pmc_elastic_net_estimator.export_arrays(m, &a);
    if (s == PMC_OK) {
        const pmc_view *c = pmc_arrays_find(&a, "coef_"), *b = pmc_arrays_find(&a, "intercept_");
        const pmc_view *g = pmc_arrays_find(&a, "dual_gap_"), *it = pmc_arrays_find(&a, "n_iter_");
        o->k = c->shape[0];
        for (int64_t t = 0; t < o->k; t++) {
            for (int64_t j = 0; j < c->shape[1]; j++) o->coef[t * P + j] = pmc_get(c, t, j);
            o->intercept[t] = pmc_get(b, t, 0);
            o->gap[t] = pmc_get(g, t, 0);
            o->n_iter[t] = pmc_get_index(it, t);
        }
    }
    snprintf(o->warning, sizeof o->warning, "%s", ctx.warning);
    pmc_elastic_net_estimator.free(&m);
    return s;
}

static pmc_data data_of(pmc_view X, int with_weights, int k) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(X);
    d.y = k == 1 ? (pmc_view){Y, PMC_FLOAT64, 1, {N, 1}, {8 * K, 0}}
                 : pmc_view_2d(Y, PMC_FLOAT64, N, K);
    if (with_weights) d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = pmc_rows_all(N);
    return d;
}

/* Optimality: for every feature, g_j = Z_j^T S r / sum(S) - l2 w_j must equal
 * l1 sign(w_j) when w_j != 0 and lie in [-l1, l1] (positive: <= l1) when w_j = 0. */
static void check_kkt(const char *what, const pmc_elastic_net_params *prm, const fit_out *o,
                      const int64_t *idx, int64_t n, int weighted, int positive) {
    for (int64_t t = 0; t < o->k; t++) {
        double sw = 0, xm[P] = {0}, ym = 0;
        for (int64_t a = 0; a < n; a++) {
            int64_t i = idx[a];
            double w = weighted ? W[i] : 1.0;
            sw += w;
            ym += w * Y[i * K + t];
            for (int j = 0; j < P; j++) xm[j] += w * Xc[i * P + j];
        }
        ym /= sw;
        for (int j = 0; j < P; j++) xm[j] /= sw;
        if (!prm->fit_intercept) {
            ym = 0;
            memset(xm, 0, sizeof xm);
        }
        double g[P] = {0}, b = 0;
        for (int64_t a = 0; a < n; a++) {
            int64_t i = idx[a];
            double w = weighted ? W[i] : 1.0, r = Y[i * K + t] - ym;
            for (int j = 0; j < P; j++) r -= (Xc[i * P + j] - xm[j]) * o->coef[t * P + j];
            for (int j = 0; j < P; j++) g[j] += w * (Xc[i * P + j] - xm[j]) * r;
        }
        double l1 = prm->alpha * prm->l1_ratio, l2 = prm->alpha * (1 - prm->l1_ratio);
        for (int j = 0; j < P; j++) {
            double wj = o->coef[t * P + j], gj = g[j] / sw - l2 * wj;
            if (wj != 0) CHECK_CLOSE(gj, l1 * (wj > 0 ? 1 : -1), 1e-7, what);
            else if (positive) CHECK(gj <= l1 + 1e-7, what);
            else CHECK(fabs(gj) <= l1 + 1e-7, what);
        }
        if (prm->fit_intercept) { /* intercept_ = y_mean - x_mean . coef */
            b = ym;
            for (int j = 0; j < P; j++) b -= xm[j] * o->coef[t * P + j];
            CHECK_CLOSE(o->intercept[t], b, 1e-9, what);
        } else {
            CHECK(o->intercept[t] == 0.0, what);
        }
        /* Converged by the gap, except ridge + positive: like scikit-learn's, that gap
         * (formulation B) ignores the sign constraint and never closes. */
        if (!(positive && prm->l1_ratio == 0)) CHECK(o->gap[t] <= 1e-9 && o->gap[t] >= -1e-9, what);
    }
}

static void check_same(const char *what, const fit_out *a, const fit_out *b, double tol) {
    CHECK(a->k == b->k, what);
    for (int64_t i = 0; i < a->k * P; i++) CHECK_CLOSE(a->coef[i], b->coef[i], tol, what);
    for (int64_t t = 0; t < a->k; t++) CHECK_CLOSE(a->intercept[t], b->intercept[t], tol, what);
}

/* A CSR copy of Xc in which every row's first nonzero is split into two entries. */
static double csr_val[N * (P + 1)];
static int32_t csr_idx[N * (P + 1)];
static int64_t csr_ptr[N + 1];
static pmc_matrix make_csr(void) {
    int64_t q = 0;
    for (int i = 0; i < N; i++) {
        csr_ptr[i] = q;
        for (int j = 0; j < P; j++) {
            double v = Xc[i * P + j];
            if (j == 0) { /* a duplicate: 0.25 v + 0.75 v */
                csr_val[q] = 0.25 * v;
                csr_idx[q++] = 0;
                v *= 0.75;
            }
            if (v == 0.0) continue; /* structural zeros */
            csr_val[q] = v;
            csr_idx[q++] = j;
        }
    }
    csr_ptr[N] = q;
    pmc_matrix X;
    memset(&X, 0, sizeof X);
    X.is_sparse = 1;
    X.n_rows = N;
    X.n_cols = P;
    X.data = pmc_view_1d(csr_val, PMC_FLOAT64, q);
    X.indices = pmc_view_1d(csr_idx, PMC_INT32, q);
    X.indptr = pmc_view_1d(csr_ptr, PMC_INT64, N + 1);
    return X;
}

static void test_kkt_all_layouts(void) {
    static int64_t all[N], subset[N];
    int64_t n_sub = 0;
    for (int64_t i = 0; i < N; i++) {
        all[i] = i;
        if (i % 4 != 1) subset[n_sub++] = i;
    }
    pmc_view c = pmc_view_2d(Xc, PMC_FLOAT64, N, P);
    pmc_view f = {Xf, PMC_FLOAT64, 2, {N, P}, {8, 8 * N}};
    const double l1_ratios[] = {1.0, 0.5, 0.0};
    for (int li = 0; li < 3; li++)
        for (int weighted = 0; weighted <= 1; weighted++)
            for (int intercept = 0; intercept <= 1; intercept++)
                for (int route = PMC_CD_GRAM; route <= PMC_CD_RESIDUAL; route++)
                    for (int positive = 0; positive <= 1; positive++) {
                        char what[160];
                        snprintf(what, sizeof what,
                                 "KKT l1_ratio=%g weighted=%d intercept=%d route=%d positive=%d",
                                 l1_ratios[li], weighted, intercept, route, positive);
                        pmc_elastic_net_params prm = base_params(0.05, l1_ratios[li]);
                        prm.fit_intercept = intercept;
                        prm.precompute = route;
                        prm.positive = positive;
                        if (positive && l1_ratios[li] == 0) prm.max_iter = 3000;
                        fit_out o_c, o_f, o_sub;
                        pmc_data d = data_of(c, weighted, K);
                        CHECK(fit(&prm, &d, 1, 0, &o_c) == PMC_OK, what);
                        check_kkt(what, &prm, &o_c, all, N, weighted, positive);
                        d = data_of(f, weighted, K);
                        CHECK(fit(&prm, &d, 2, 0, &o_f) == PMC_OK, what);
                        check_same(what, &o_f, &o_c, 1e-9);
                        d = data_of(c, weighted, K);
                        d.rows = (pmc_rows){subset, 0, n_sub};
                        CHECK(fit(&prm, &d, 2, 0, &o_sub) == PMC_OK, what);
                        check_kkt(what, &prm, &o_sub, subset, n_sub, weighted, positive);
                    }
    /* CSR (with duplicates and structural zeros), strided float32 */
    pmc_matrix csr = make_csr();
    pmc_view s = {Xs, PMC_FLOAT32, 2, {N, P}, {4 * 2 * P, 8}};
    for (int weighted = 0; weighted <= 1; weighted++) {
        pmc_elastic_net_params prm = base_params(0.05, 0.7);
        fit_out ref, o;
        pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), weighted, K);
        CHECK(fit(&prm, &d, 1, 0, &ref) == PMC_OK, "dense reference");
        d.X = csr;
        CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "CSR");
        check_same("CSR with duplicate entries vs dense", &o, &ref, 1e-9);
        d.rows = (pmc_rows){subset, 0, n_sub};
        CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "CSR subset");
        check_kkt("CSR row subset", &prm, &o, subset, n_sub, weighted, 0);
        d = data_of(s, weighted, K);
        CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "float32");
        check_same("strided float32 vs float64", &o, &ref, 1e-5);
    }
}

/* One feature, no intercept: w = S(x.y / n, alpha l1_ratio) / (x.x / n + alpha (1 - l1_ratio)). */
static void test_closed_form(void) {
    pmc_view x = {Xc, PMC_FLOAT64, 2, {N, 1}, {8 * P, 8}};
    for (int route = PMC_CD_GRAM; route <= PMC_CD_RESIDUAL; route++) {
        pmc_elastic_net_params prm = base_params(0.4, 0.6);
        prm.fit_intercept = 0;
        prm.precompute = route;
        pmc_data d = data_of(x, 0, 1);
        fit_out o;
        CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "closed form");
        double xy = 0, xx = 0;
        for (int i = 0; i < N; i++) {
            xy += Xc[i * P] * Y[i * K];
            xx += Xc[i * P] * Xc[i * P];
        }
        double a = xy / N, l1 = 0.4 * 0.6, l2 = 0.4 * 0.4;
        double expected = (fabs(a) > l1 ? (a > 0 ? a - l1 : a + l1) : 0.0) / (xx / N + l2);
        CHECK_CLOSE(o.coef[0], expected, 1e-12, "one-feature closed form");
        CHECK(o.n_iter[0] <= 2, "one feature converges in one pass");
    }
}

/* Integer weights are repeated rows (weights are rescaled to sum to n). */
static void test_weights_are_repeats(void) {
    static double w2[N];
    for (int i = 0; i < N; i++) w2[i] = 2.0;
    pmc_elastic_net_params prm = base_params(0.05, 0.5);
    pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 0, K);
    d.weight = pmc_view_1d(w2, PMC_FLOAT64, N);
    fit_out a, b;
    CHECK(fit(&prm, &d, 1, 0, &a) == PMC_OK, "weights 2");
    pmc_data dd;
    memset(&dd, 0, sizeof dd);
    dd.X = pmc_matrix_dense(pmc_view_2d(Xd, PMC_FLOAT64, 2 * N, P));
    dd.y = pmc_view_2d(Yd, PMC_FLOAT64, 2 * N, K);
    dd.rows = pmc_rows_all(2 * N);
    CHECK(fit(&prm, &dd, 1, 0, &b) == PMC_OK, "repeated rows");
    check_same("weights 2 == every row twice", &a, &b, 1e-9);
}

static void test_determinism_and_random(void) {
    pmc_elastic_net_params prm = base_params(0.02, 0.8);
    prm.selection = 1;
    prm.tol = 1e-4;
    for (int route = PMC_CD_GRAM; route <= PMC_CD_RESIDUAL; route++) {
        prm.precompute = route;
        pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 1, K);
        fit_out a, b, c;
        CHECK(fit(&prm, &d, 1, 42, &a) == PMC_OK, "random 1 thread");
        CHECK(fit(&prm, &d, 2, 42, &b) == PMC_OK, "random 2 threads");
        CHECK(memcmp(a.coef, b.coef, sizeof a.coef) == 0 &&
                  memcmp(a.n_iter, b.n_iter, sizeof a.n_iter) == 0,
              "bit-identical across thread counts");
        prm.tol = 1e-12;
        CHECK(fit(&prm, &d, 1, 1, &a) == PMC_OK && fit(&prm, &d, 1, 2, &c) == PMC_OK,
              "random seeds");
        check_same("random selection: seeds reach the same optimum", &a, &c, 1e-8);
        prm.tol = 1e-4;
    }
    /* the two routes make the same updates */
    prm = base_params(0.05, 0.5);
    prm.tol = 1e-6;
    pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 1, K);
    fit_out g, r;
    prm.precompute = PMC_CD_GRAM;
    CHECK(fit(&prm, &d, 1, 0, &g) == PMC_OK, "gram");
    prm.precompute = PMC_CD_RESIDUAL;
    CHECK(fit(&prm, &d, 1, 0, &r) == PMC_OK, "residual");
    check_same("Gram and residual routes", &g, &r, 1e-9);
    CHECK(g.n_iter[0] == r.n_iter[0] && g.n_iter[1] == r.n_iter[1], "same n_iter on both routes");
}

/* A user Gram matrix: the exact one gives the computed solution, a wrong one the
 * scikit-learn error; X that needs centring makes the fit recompute it. */
static void test_user_gram(void) {
    static double G[P * P];
    for (int a = 0; a < P; a++)
        for (int b = 0; b < P; b++) {
            double s = 0;
            for (int i = 0; i < N; i++) s += Xc[i * P + a] * Xc[i * P + b];
            G[a * P + b] = s;
        }
    pmc_elastic_net_params prm = base_params(0.05, 0.5);
    prm.fit_intercept = 0;
    pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 0, K);
    fit_out ref, o;
    CHECK(fit(&prm, &d, 1, 0, &ref) == PMC_OK, "no Gram");
    prm.precompute = PMC_CD_GRAM;
    prm.gram = pmc_view_2d(G, PMC_FLOAT64, P, P);
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "user Gram");
    check_same("user Gram", &o, &ref, 1e-9);
    G[(P / 2) * P + P / 2 + 1] += 1.0;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE &&
              strstr(pmc_last_error(), "did not pass validation"),
          "a wrong Gram element is refused");
    prm.check_gram = 0;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK, "check_gram=0 skips the check");
    prm.fit_intercept = 1; /* X has non-zero means: the Gram is recomputed */
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    CHECK(pmc_elastic_net_estimator.fit(&prm, &d, NULL, &ctx, &m) == PMC_OK, "recompute");
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK(m && pmc_elastic_net_estimator.export_arrays(m, &a) == PMC_OK &&
              pmc_get_index(pmc_arrays_find(&a, "gram_recomputed"), 0) == 1,
          "gram_recomputed is reported");
    pmc_elastic_net_estimator.free(&m);
    CHECK(m == NULL, "free sets NULL");
    prm.gram = pmc_view_2d(G, PMC_FLOAT64, P - 1, P - 1);
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE, "a Gram of the wrong shape is refused");
}

static void test_errors_and_warnings(void) {
    pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 0, 1);
    fit_out o;
    pmc_elastic_net_params prm = base_params(-1.0, 0.5);
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE && strstr(pmc_last_error(), "alpha"),
          "negative alpha");
    prm = base_params(1.0, 1.5);
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE && strstr(pmc_last_error(), "l1_ratio"),
          "l1_ratio > 1");
    prm = base_params(1.0, 0.5);
    prm.max_iter = 0;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE && strstr(pmc_last_error(), "max_iter"),
          "max_iter 0");
    prm = base_params(1e-4, 1.0);
    prm.max_iter = 2;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK &&
              strstr(o.warning, "Objective did not converge") && o.n_iter[0] == 2,
          "non-convergence warns and stops at max_iter");
    prm = base_params(0.0, 1.0);
    prm.max_iter = 1;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_OK && strstr(o.warning, "Ridge"),
          "zero l1 penalty hint");
    /* a NaN in X stops the fit before it iterates, on either route */
    static double Xn[N * P];
    memcpy(Xn, Xc, sizeof Xn);
    Xn[5 * P + 3] = NAN;
    for (int route = PMC_CD_GRAM; route <= PMC_CD_RESIDUAL; route++) {
        prm = base_params(0.1, 0.5);
        prm.precompute = route;
        pmc_data dn = data_of(pmc_view_2d(Xn, PMC_FLOAT64, N, P), 0, 1);
        CHECK(fit(&prm, &dn, 1, 0, &o) == PMC_ERR_VALUE && strstr(pmc_last_error(), "non-finite"),
              "NaN in X");
    }
    static double w0[N];
    prm = base_params(0.1, 0.5);
    d.weight = pmc_view_1d(w0, PMC_FLOAT64, N);
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE, "weights summing to zero");
    w0[3] = -1.0;
    prm.fit_intercept = 0;
    CHECK(fit(&prm, &d, 1, 0, &o) == PMC_ERR_VALUE && strstr(pmc_last_error(), "sample_weight"),
          "negative weight");

    /* Crafted state: coef_ and intercept_ disagree, or a float64 intercept of the
     * wrong length; prediction with the wrong width. */
    double coef[2 * P] = {0}, icpt[3] = {0}, out[N];
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    pmc_arrays_add(&a, "coef_", pmc_view_2d(coef, PMC_FLOAT64, 2, P));
    pmc_arrays_add(&a, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, 3));
    pmc_model *m = NULL;
    CHECK(pmc_lasso_estimator.import_arrays(&a, &m) == PMC_ERR_VALUE && !m,
          "intercept_ of the wrong length");
    memset(&a, 0, sizeof a);
    pmc_arrays_add(&a, "coef_", pmc_view_1d(coef, PMC_FLOAT64, P));
    CHECK(pmc_lasso_estimator.import_arrays(&a, &m) == PMC_ERR_VALUE, "missing intercept_");
    pmc_arrays_add(&a, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, 1));
    CHECK(pmc_lasso_estimator.import_arrays(&a, &m) == PMC_OK, "valid state");
    pmc_matrix X = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N / P, P + 0));
    X.n_cols = P;
    pmc_view ov = pmc_view_1d(out, PMC_FLOAT64, N / P);
    pmc_ctx ctx = pmc_ctx_default();
    CHECK(pmc_lasso_estimator.apply(m, PMC_PREDICT, &X, pmc_rows_all(N / P), &ctx, &ov) == PMC_OK,
          "predict");
    pmc_matrix Xw = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N / (P - 1), P - 1));
    CHECK(pmc_lasso_estimator.apply(m, PMC_PREDICT, &Xw, pmc_rows_all(N / (P - 1)), &ctx,
                                    &ov) == PMC_ERR_VALUE,
          "predict with the wrong n_features");
    CHECK(pmc_lasso_estimator.apply(m, PMC_PREDICT_PROBA, &X, pmc_rows_all(N / P), &ctx, &ov) ==
              PMC_ERR_UNSUPPORTED,
          "no predict_proba");
    pmc_lasso_estimator.free(&m);
}

/* Warm start: starting from the solution converges at once to the same point. */
static void test_warm_start(void) {
    pmc_elastic_net_params prm = base_params(0.05, 1.0);
    pmc_data d = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 1, K);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL, *m2 = NULL;
    CHECK(pmc_lasso_estimator.fit(&prm, &d, NULL, &ctx, &m) == PMC_OK, "first fit");
    CHECK(pmc_lasso_estimator.fit(&prm, &d, m, &ctx, &m2) == PMC_OK, "warm fit");
    pmc_arrays a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    pmc_lasso_estimator.export_arrays(m, &a);
    pmc_lasso_estimator.export_arrays(m2, &b);
    const pmc_view *c1 = pmc_arrays_find(&a, "coef_"), *c2 = pmc_arrays_find(&b, "coef_");
    for (int j = 0; j < K * P; j++)
        CHECK_CLOSE(pmc_get(c2, j / P, j % P), pmc_get(c1, j / P, j % P), 1e-10, "warm start");
    CHECK(pmc_get_index(pmc_arrays_find(&b, "n_iter_"), 0) <= 1, "warm start converges at once");
    pmc_data d1 = data_of(pmc_view_2d(Xc, PMC_FLOAT64, N, P), 1, 1);
    pmc_model *m3 = NULL;
    CHECK(pmc_lasso_estimator.fit(&prm, &d1, m, &ctx, &m3) == PMC_ERR_VALUE && !m3,
          "warm start with another number of targets");
    pmc_lasso_estimator.free(&m);
    pmc_lasso_estimator.free(&m2);
}

/* The Gram route centres in the same pass, about the first row: features with huge
 * offsets must still give the residual route's answer (which centres column by
 * column), also when a far outlying first row of tiny weight makes the shifted sums
 * cancel (the exact second pass). */
static void test_centring_precision(void) {
    static double Xo[N * P], Wo[N];
    for (int outlier = 0; outlier <= 1; outlier++) {
        for (int i = 0; i < N; i++) {
            Wo[i] = W[i];
            for (int j = 0; j < P; j++) Xo[i * P + j] = Xc[i * P + j] + (j % 2 ? 1e6 : -3e4);
        }
        if (outlier) {
            Wo[0] = 1e-9;
            for (int j = 0; j < P; j++) Xo[j] += 1e4;
        }
        pmc_elastic_net_params prm = base_params(0.05, 0.5);
        pmc_data d = data_of(pmc_view_2d(Xo, PMC_FLOAT64, N, P), 1, K);
        d.weight = pmc_view_1d(Wo, PMC_FLOAT64, N);
        fit_out g, r;
        prm.precompute = PMC_CD_GRAM;
        CHECK(fit(&prm, &d, 1, 0, &g) == PMC_OK, "Gram, offsets");
        prm.precompute = PMC_CD_RESIDUAL;
        CHECK(fit(&prm, &d, 1, 0, &r) == PMC_OK, "residual, offsets");
        for (int i = 0; i < K * P; i++)
            CHECK_CLOSE(g.coef[i], r.coef[i], 1e-7, outlier ? "offsets, outlying first row"
                                                            : "offsets of 1e6");
    }
}

int main(void) {
    make_data();
    test_centring_precision();
    test_kkt_all_layouts();
    test_closed_form();
    test_weights_are_repeats();
    test_determinism_and_random();
    test_user_gram();
    test_errors_and_warnings();
    test_warm_start();
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
