/* Ridge's fit_batch: candidates that differ only in alpha, fitted together, give
 * models bit-identical to their single fits (every route: Gram, kernel, SVD, CG on
 * the Gram, NNLS, the SVD fallback of a singular Cholesky; dense float64 /
 * float32 / CSR, weights, row subsets, one or two targets), the single fits'
 * warnings candidate by candidate, the same bits for any thread count; batchable's
 * rules; and a batch that cannot be fitted fails cleanly. */
#include <stdlib.h>

#include "check.h"
#include "pmc/linear.h"

enum { N = 3000, P = 8, K = 2, NW = 20, PW = 60 };

static double Xc[N * P], Y[N * K], W[N], Xw[NW * PW], Yw[NW * K];
static float Xs[N * P];
/* CSR of Xc with the entries below -0.5 dropped (int64 indices) */
static double csr_data[N * P];
static int64_t csr_indices[N * P], csr_indptr[N + 1];
static int64_t subset[N / 2];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 21, 0);
    int64_t nnz = 0;
    csr_indptr[0] = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < P; j++) {
            double v = (double)(float)(pmc_rng_normal(&rng) * (1.0 + 0.3 * j) + j);
            Xc[i * P + j] = v;
            Xs[i * P + j] = (float)v;
            if (v >= -0.5) {
                csr_data[nnz] = v;
                csr_indices[nnz++] = j;
            }
        }
        csr_indptr[i + 1] = nnz;
        for (int t = 0; t < K; t++) {
            double s = pmc_rng_normal(&rng) + t;
            for (int j = 0; j < P; j++) s += Xc[i * P + j] * (double)((j + t) % 3 - 1);
            Y[i * K + t] = s;
        }
        W[i] = 0.2 + pmc_rng_uniform(&rng);
    }
    for (int i = 0; i < NW * PW; i++) Xw[i] = pmc_rng_normal(&rng);
    for (int i = 0; i < NW * K; i++) Yw[i] = pmc_rng_normal(&rng);
    for (int i = 0; i < N / 2; i++) subset[i] = N - 1 - 2 * i; /* odd rows, reversed */
}

typedef enum { DENSE64, DENSE32, CSR, WIDE, COLLINEAR } data_kind;

static double Xcol[N * 3]; /* columns 0 and 2 equal: a singular Gram at alpha 0 */

static pmc_data data_of(data_kind kind, int weighted, int sub, int two_targets) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    int64_t n = kind == WIDE ? NW : N;
    switch (kind) {
    case DENSE64: d.X = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)); break;
    case DENSE32: d.X = pmc_matrix_dense(pmc_view_2d(Xs, PMC_FLOAT32, N, P)); break;
    case WIDE: d.X = pmc_matrix_dense(pmc_view_2d(Xw, PMC_FLOAT64, NW, PW)); break;
    case COLLINEAR:
        for (int i = 0; i < N; i++) {
            Xcol[i * 3] = Xcol[i * 3 + 2] = Xc[i * P];
            Xcol[i * 3 + 1] = Xc[i * P + 1];
        }
        d.X = pmc_matrix_dense(pmc_view_2d(Xcol, PMC_FLOAT64, N, 3));
        break;
    case CSR:
        d.X.is_sparse = 1;
        d.X.n_rows = N;
        d.X.n_cols = P;
        d.X.data = pmc_view_1d(csr_data, PMC_FLOAT64, csr_indptr[N]);
        d.X.indices = pmc_view_1d(csr_indices, PMC_INT64, csr_indptr[N]);
        d.X.indptr = pmc_view_1d(csr_indptr, PMC_INT64, N + 1);
        break;
    }
    double *y = kind == WIDE ? Yw : Y;
    d.y = two_targets ? pmc_view_2d(y, PMC_FLOAT64, n, K)
                      : (pmc_view){y, PMC_FLOAT64, 1, {n}, {K * 8}}; /* target 0, strided */
    if (weighted && kind != WIDE) d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = sub && kind != WIDE ? (pmc_rows){subset, 0, N / 2} : pmc_rows_all(n);
    return d;
}

/* Every exported array of a and b holds the same bytes. */
static int same_model(const pmc_model *a, const pmc_model *b) {
    pmc_arrays ea, eb;
    memset(&ea, 0, sizeof ea);
    memset(&eb, 0, sizeof eb);
    if (pmc_ridge_estimator.export_arrays(a, &ea) != PMC_OK ||
        pmc_ridge_estimator.export_arrays(b, &eb) != PMC_OK || ea.n != eb.n || ea.n < 3)
        return 0;
    for (int i = 0; i < ea.n; i++) {
        const pmc_view *va = &ea.items[i].view, *vb = pmc_arrays_find(&eb, ea.items[i].name);
        if (!vb || va->dtype != vb->dtype || va->ndim != vb->ndim) return 0;
        int64_t size = 1;
        for (int d = 0; d < va->ndim; d++) {
            if (va->shape[d] != vb->shape[d]) return 0;
            size *= va->shape[d];
        }
        if (memcmp(va->data, vb->data, (size_t)size * pmc_dtype_size(va->dtype)) != 0) return 0;
    }
    return 1;
}

/* Candidates with alphas 1e-3, 1, 1e7, per target {0, 50} (two targets) or 0, and a
 * repeat of 1 (equal alphas within a batch), all else from `base`. */
enum { M = 5 };
static void make_candidates(const pmc_ridge_params *base, int two_targets, double *alpha_store,
                            pmc_ridge_params *prm, const void **ptrs) {
    const double scalars[M] = {1e-3, 1.0, 1e7, 0.0, 1.0};
    for (int i = 0; i < M; i++) {
        prm[i] = *base;
        alpha_store[2 * i] = scalars[i];
        alpha_store[2 * i + 1] = 50.0;
        prm[i].alpha = pmc_view_1d(alpha_store + 2 * i, PMC_FLOAT64, i == 3 && two_targets ? 2 : 1);
        ptrs[i] = &prm[i];
    }
}

/* The batch equals the single fits, warnings included, for 1 and 2 threads.
 * Returns how many candidates warned. */
static int check_batch(const pmc_ridge_params *base, data_kind kind, int weighted, int sub,
                       int two_targets) {
    const pmc_estimator *est = &pmc_ridge_estimator;
    pmc_data d = data_of(kind, weighted, sub, two_targets);
    double alphas[2 * M];
    pmc_ridge_params prm[M];
    const void *ptrs[M];
    make_candidates(base, two_targets, alphas, prm, ptrs);
    int warned = 0;
    for (int threads = 1; threads <= 2; threads++) {
        pmc_ctx ctx = pmc_ctx_default();
        ctx.n_threads = threads;
        pmc_model *batch[M] = {NULL};
        char warnings[M][PMC_WARNING_SIZE];
        memset(warnings, 'x', sizeof warnings); /* each must be written */
        CHECK_OK(est->fit_batch(ptrs, M, &d, &ctx, batch, warnings));
        for (int i = 0; i < M; i++) {
            pmc_ctx one = pmc_ctx_default();
            one.n_threads = 3 - threads; /* the other thread count */
            pmc_model *single = NULL;
            CHECK_OK(est->fit(ptrs[i], &d, NULL, &one, &single));
            CHECK(batch[i] && single);
            if (batch[i] && single) {
                int same = same_model(batch[i], single);
                CHECK(same);
                if (!same)
                    fprintf(stderr, "  route data %d solver %d positive %d intercept %d "
                            "weighted %d subset %d targets %d candidate %d\n", (int)kind,
                            base->solver, base->positive, base->fit_intercept, weighted, sub,
                            two_targets ? 2 : 1, i);
            }
            CHECK(memchr(warnings[i], '\0', PMC_WARNING_SIZE) != NULL);
            CHECK(strcmp(warnings[i], one.warning) == 0);
            if (threads == 1 && one.warning[0]) warned++;
            est->free(&batch[i]);
            est->free(&single);
        }
    }
    return warned;
}

enum { AUTO, SVD, CHOLESKY, LSQR, SPARSE_CG, SAG, SAGA, LBFGS };

static void test_routes(void) {
    for (int intercept = 0; intercept <= 1; intercept++)
        for (int weighted = 0; weighted <= 1; weighted++)
            for (int sub = 0; sub <= 1; sub++)
                for (int tt = 0; tt <= 1; tt++) {
                    pmc_ridge_params base = {pmc_view_1d(NULL, PMC_FLOAT64, 0), intercept, 0,
                                             1e-6, AUTO, 0};
                    /* auto: Gram on dense data of both dtypes, CG on the Gram for CSR */
                    check_batch(&base, DENSE64, weighted, sub, tt);
                    check_batch(&base, DENSE32, weighted, sub, tt);
                    check_batch(&base, CSR, weighted, sub, tt);
                    base.solver = CHOLESKY;
                    check_batch(&base, WIDE, weighted, sub, tt); /* the kernel */
                    base.solver = SVD;
                    check_batch(&base, DENSE64, weighted, sub, tt);
                    check_batch(&base, WIDE, weighted, sub, tt);
                    base.solver = LSQR;
                    check_batch(&base, DENSE32, weighted, sub, tt);
                    base.solver = AUTO;
                    base.positive = 1; /* NNLS */
                    check_batch(&base, DENSE64, weighted, sub, tt);
                }
}

/* A singular Gram at alpha 0 falls back to the SVD for that candidate only; the CG
 * solvers warn for the candidates that miss tol within max_iter, and only them. */
static void test_fallbacks_and_warnings(void) {
    pmc_ridge_params base = {pmc_view_1d(NULL, PMC_FLOAT64, 0), 1, 0, 1e-6, CHOLESKY, 0};
    double zero = 0.0;
    pmc_ridge_params singular = base;
    singular.alpha = pmc_view_1d(&zero, PMC_FLOAT64, 1);
    pmc_data d = data_of(COLLINEAR, 0, 0, 0);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    CHECK_OK(pmc_ridge_estimator.fit(&singular, &d, NULL, &ctx, &m));
    if (m) { /* the fallback is really taken */
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(pmc_ridge_estimator.export_arrays(m, &a));
        const pmc_view *solver = pmc_arrays_find(&a, "solver_");
        CHECK(solver && pmc_view_get(solver, 0, 0) == SVD);
        pmc_ridge_estimator.free(&m);
    }
    check_batch(&base, COLLINEAR, 0, 0, 0);
    check_batch(&base, COLLINEAR, 1, 1, 1);
    base.solver = SPARSE_CG;
    base.max_iter = 1;
    base.tol = 1e-2;
    int warned = check_batch(&base, DENSE64, 1, 0, 0);
    CHECK(warned > 0 && warned < M); /* alpha 1e7 swamps the Gram: one step suffices */
    warned = check_batch(&base, CSR, 0, 1, 1);
    CHECK(warned > 0 && warned < M);
}

static void test_batchable(void) {
    const pmc_estimator *est = &pmc_ridge_estimator;
    CHECK(est->fit_batch && est->batchable);
    if (!est->batchable) return;
    double a1 = 1.0, a2[2] = {3.0, 4.0};
    pmc_ridge_params a = {pmc_view_1d(&a1, PMC_FLOAT64, 1), 1, 0, 1e-4, AUTO, 0}, b = a;
    b.alpha = pmc_view_1d(a2, PMC_FLOAT64, 2); /* alpha and its length may differ */
    CHECK(est->batchable(&a, &b) && est->batchable(&b, &a) && est->batchable(&a, &a));
    b = a;
    b.fit_intercept = 0;
    CHECK(!est->batchable(&a, &b));
    b = a;
    b.solver = SVD;
    CHECK(!est->batchable(&a, &b));
    b = a;
    b.positive = 1;
    CHECK(!est->batchable(&a, &b));
    b = a;
    b.tol = 1e-3;
    CHECK(!est->batchable(&a, &b));
    b = a;
    b.max_iter = 7;
    CHECK(!est->batchable(&a, &b));
}

/* A batch that cannot be fitted as a whole fails with a message and leaves no
 * model behind (the search then fits each candidate alone). */
static void test_bad_batches(void) {
    const pmc_estimator *est = &pmc_ridge_estimator;
    pmc_data d = data_of(DENSE64, 0, 0, 1);
    pmc_ctx ctx = pmc_ctx_default();
    double one = 1.0, three[3] = {1, 2, 3}, neg = -2.0;
    pmc_ridge_params a = {pmc_view_1d(&one, PMC_FLOAT64, 1), 1, 0, 1e-4, AUTO, 0};
    pmc_ridge_params b = a, c = a;
    const void *ptrs[3] = {&a, &b, &c};
    pmc_model *out[3] = {NULL, NULL, NULL};
    char warnings[3][PMC_WARNING_SIZE];
    c.fit_intercept = 0;
    CHECK_FAILS(est->fit_batch(ptrs, 3, &d, &ctx, out, warnings), PMC_ERR_VALUE,
                "params[2] cannot be fitted in one batch");
    CHECK(!out[0] && !out[1] && !out[2]);
    c = a;
    c.alpha = pmc_view_1d(three, PMC_FLOAT64, 3); /* y has two targets */
    CHECK_FAILS(est->fit_batch(ptrs, 3, &d, &ctx, out, warnings), PMC_ERR_VALUE,
                "Number of targets and number of penalties do not correspond: 3 != 2");
    CHECK(!out[0] && !out[1] && !out[2]);
    c.alpha = pmc_view_1d(&neg, PMC_FLOAT64, 1);
    CHECK_FAILS(est->fit_batch(ptrs, 3, &d, &ctx, out, warnings), PMC_ERR_VALUE,
                "alpha must be non-negative");
    CHECK(!out[0] && !out[1] && !out[2]);
    c = a;
    c.solver = LBFGS; /* without positive */
    c.fit_intercept = 1;
    CHECK_FAILS(est->fit_batch(ptrs, 3, &d, &ctx, out, warnings), PMC_ERR_VALUE,
                "'lbfgs' solver can be used only when positive=True");
    int64_t bad_rows[2] = {0, N};
    pmc_data bad = d;
    bad.rows = (pmc_rows){bad_rows, 0, 2};
    CHECK_FAILS(est->fit_batch(ptrs, 2, &bad, &ctx, out, warnings), PMC_ERR_VALUE, "rows");
    CHECK(!out[0] && !out[1]);
    CHECK_OK(est->fit_batch(ptrs, 0, &d, &ctx, out, warnings)); /* nothing to fit */
}

int main(void) {
    make_data();
    test_routes();
    test_fallbacks_and_warnings();
    test_batchable();
    test_bad_batches();
    return check_report("test_ridge_batch");
}
