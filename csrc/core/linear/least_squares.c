/* LinearRegression and Ridge.
 *
 * Both solve least squares on A = sqrt(W) (X - 1 x_mean^T) and b = sqrt(W) (y - y_mean)
 * (no centring without an intercept), which are never formed for the whole data:
 *
 * - Factorisation (LinearRegression, Ridge 'svd', positive fits): R11 (p x p, upper
 *   triangular) and R12 = Q^T b with A = Q R11, so that the least squares problem
 *   reduces to p x p.  dgelsd on R11 then gives exactly what scipy.linalg.lstsq gives
 *   on A: the minimum-norm solution with singular values <= tol * s_max treated as
 *   zero, the rank and the singular values.  Two ways to R11:
 *     - Cholesky QR (tall data, LinearRegression and positive fits): R11 from the
 *       Cholesky factor of the Gram A^T A (one efficient syrk pass), R12 = R11^-T A^T b.
 *       Its error grows like eps * cond(A)^2, so it is kept only when the singular
 *       values of R11 show cond(A) <= 1e4 (error <= ~1e-8 relative); otherwise, or if
 *       the Cholesky fails (rank deficiency), the QR below is computed instead.
 *     - Incremental tall-skinny QR of [A | b] (conditioning of A itself): row blocks
 *       are folded into a running triangle with LAPACK's dtpqrt, one triangle per
 *       fixed row chunk, merged in chunk order.  Memory: O(block x p) per chunk.
 *   When n < p the whole of A (n x p) is gathered instead, as scipy would copy it.
 * - Gram (Ridge 'cholesky', tall): G = A^T A and c = A^T b by the shared
 *   pmc_linear_cross_products (one syrk pass), Cholesky of G + alpha I.
 * - Kernel (Ridge 'cholesky', wide dense): K = A A^T accumulated over column blocks,
 *   Cholesky of K + alpha I, coef = A^T z; no p x p matrix.
 * - Conjugate gradients (Ridge 'sparse_cg', 'lsqr', 'sag', 'saga'): CG on G + alpha I
 *   when the Gram is affordable, else damped CGLS with A v and A^T u applied
 *   implicitly through pmc_linear_decision / pmc_linear_transpose_dot (the centring
 *   folded into an intercept), so CSR is never densified.  Also the route for CSR
 *   whose Gram would be too costly (LinearRegression, Ridge 'cholesky').
 * - NNLS (positive): Lawson-Hanson on R11 (Ridge: on [R11; sqrt(alpha) I]).
 *
 * Reductions run over row chunks fixed by the data size and merged in order, so the
 * results do not depend on ctx->n_threads. */
#include <float.h>

#include "blas.h"
#include "internal.h"
#include "pmc/linear.h"

enum {
    RIDGE_AUTO,
    RIDGE_SVD,
    RIDGE_CHOLESKY,
    RIDGE_LSQR,
    RIDGE_SPARSE_CG,
    RIDGE_SAG,
    RIDGE_SAGA,
    RIDGE_LBFGS,
    RIDGE_N_SOLVERS
};

const char *const pmc_ridge_solver_names[] = {"auto", "svd",  "cholesky", "lsqr", "sparse_cg",
                                              "sag",  "saga", "lbfgs",    NULL};

/* Dense work on CSR rows (Gram, QR) costs n p^2 flops whatever the sparsity; above
 * these the iterative route, whose cost follows nnz, is taken instead. */
#define LS_SPARSE_DENSE_MAX_FEATURES 2000
#define LS_SPARSE_DENSE_MAX_FLOPS 5e9
/* The CG routes use an explicit Gram up to this many features. */
#define LS_GRAM_CG_MAX_FEATURES 2000
/* Largest n x n kernel the dual route allocates (doubles: 512 MiB). */
#define LS_MAX_KERNEL ((int64_t)1 << 26)
/* Cholesky QR is kept when s_min(R11) >= this * s_max(R11), i.e. cond(A) <= 1e4: its
 * relative error, ~eps cond(A)^2, then stays near 1e-8. */
#define LS_CHOLQR_MIN_RATIO 1e-4
/* NNLS: a passive-set least squares problem whose singular values fall below this
 * relative to the largest is rank deficient, and the column entering it is refused. */
#define LS_NNLS_RCOND 1e-12
/* Relative normal-equations residual at which CGLS stands in for a direct solve. */
#define LS_DIRECT_CG_TOL 1e-10
/* Singular values at or below this are dropped by the 'svd' solver (scikit-learn's
 * absolute cutoff; ridge_svd also drops those at the rounding level of the largest). */
#define LS_SVD_CUTOFF 1e-15

/* Resolved from common/, where template.h includes it. */
#define PMC_TEMPLATE "../linear/least_squares_impl.h"
#include "template.h"

static void ls_gather_cols(const pmc_view *X, const pmc_rows *rows, int64_t c0, int64_t nc,
                           double *out) {
    if (X->dtype == PMC_FLOAT32) ls_gather_cols_f32(X, rows, c0, nc, out);
    else ls_gather_cols_f64(X, rows, c0, nc, out);
}

/* ---- model ------------------------------------------------------------------ */

struct pmc_model {
    pmc_linear_coefs c;
    int64_t rank;       /* with `singular` */
    double *singular;   /* n_singular values of A, or NULL when not computed */
    int64_t n_singular;
    int32_t *n_iter;    /* n_targets, iterative solvers only */
    int64_t solver;     /* Ridge: pmc_ridge_solver_names index; -1 for LinearRegression */
};

static void ls_free(pmc_model **m) {
    if (!*m) return;
    pmc_linear_coefs_release(&(*m)->c);
    free((*m)->singular);
    free((*m)->n_iter);
    free(*m);
    *m = NULL;
}

static pmc_status ls_model_new(pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "least squares model");
    m->rank = -1;
    m->solver = -1;
    *out = m;
error:
    return status;
}

static pmc_status ls_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_linear_coefs_export(&m->c, out));
    if (m->singular) {
        PMC_TRY(pmc_arrays_add(out, "rank_", pmc_view_1d((void *)&m->rank, PMC_INT64, 1)));
        PMC_TRY(pmc_export(out, "singular_", m->singular, m->n_singular, 0));
    }
    if (m->solver >= 0)
        PMC_TRY(pmc_arrays_add(out, "solver_", pmc_view_1d((void *)&m->solver, PMC_INT64, 1)));
    if (m->n_iter)
        PMC_TRY(pmc_arrays_add(out, "n_iter_",
                               pmc_view_1d(m->n_iter, PMC_INT32, m->c.n_targets)));
error:
    return status;
}

/* Prediction needs coef_ and intercept_ only; both are checked by the shared import. */
static pmc_status ls_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_TRY(ls_model_new(&m));
    PMC_TRY(pmc_linear_coefs_import(in, &m->c));
    *out = m;
    return PMC_OK;
error:
    ls_free(&m);
    return status;
}

static pmc_status ls_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                  int64_t *n_cols, pmc_dtype *dtype) {
    if (method != PMC_PREDICT)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "least squares regressors have no %s",
                        pmc_method_name(method));
    return pmc_linear_coefs_output_shape(&m->c, X_dtype, n_cols, dtype);
}

static pmc_status ls_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                           pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (method != PMC_PREDICT)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "least squares regressors have no %s",
                        pmc_method_name(method));
    return pmc_linear_coefs_decision(&m->c, X, rows, ctx, out);
}

/* ---- the problem: validated inputs, means, sqrt weights ------------------------ */

typedef struct {
    const pmc_data *data;
    int64_t n, p, k;         /* rows seen, features, targets */
    int fit_intercept;
    double *x_mean, *y_mean; /* p, k; zeros without an intercept */
    double *sqrt_w;          /* n, by position in data->rows */
} ls_problem;

static void ls_problem_release(ls_problem *pb) {
    free(pb->x_mean);
    free(pb->y_mean);
    free(pb->sqrt_w);
    pb->x_mean = pb->y_mean = pb->sqrt_w = NULL;
}

static pmc_status ls_problem_init(const pmc_data *data, int fit_intercept, pmc_ctx *ctx,
                                  ls_problem *pb) {
    pmc_status status = PMC_OK;
    const pmc_matrix *X = &data->X;
    memset(pb, 0, sizeof *pb);
    pb->data = data;
    pb->fit_intercept = fit_intercept;
    pb->n = data->rows.n;
    pb->p = X->n_cols;
    if (pb->p < 1) return pmc_fail(PMC_ERR_VALUE, "X must have at least one feature");
    if (pb->n < 1) return pmc_fail(PMC_ERR_VALUE, "X must have at least one sample");
    if (pb->p > INT32_MAX / 2)
        return pmc_fail(PMC_ERR_VALUE, "X has too many features (%lld)", (long long)pb->p);
    if (data->y.ndim == 0) return pmc_fail(PMC_ERR_VALUE, "y is required");
    PMC_TRY(pmc_view_check(&data->y, "y", 0, -1, X->n_rows, -1));
    pb->k = data->y.ndim == 2 ? data->y.shape[1] : 1;
    if (pb->k < 1 || pb->k > INT32_MAX / 2)
        return pmc_fail(PMC_ERR_VALUE, "y must have between 1 and 2^30 target columns");
    if (data->weight.ndim != 0)
        PMC_TRY(pmc_view_check(&data->weight, "sample_weight", 1, 1, X->n_rows, -1));
    if (!data->rows.index && (data->rows.start < 0 || data->rows.start + pb->n > X->n_rows))
        return pmc_fail(PMC_ERR_VALUE, "rows: range outside X's %lld rows",
                        (long long)X->n_rows);
    PMC_ALLOC(pb->sqrt_w, pb->n, "sample weights");
    for (int64_t i = 0; i < pb->n; i++) {
        int64_t r = pmc_row_at(&data->rows, i);
        if (r < 0 || r >= X->n_rows) {
            status = pmc_fail(PMC_ERR_VALUE, "rows: index %lld outside X's %lld rows",
                              (long long)r, (long long)X->n_rows);
            goto error;
        }
        double w = pmc_weight(&data->weight, r);
        if (!(w >= 0.0) || !isfinite(w)) {
            status = pmc_fail(PMC_ERR_VALUE, "sample_weight must be non-negative and finite");
            goto error;
        }
        pb->sqrt_w[i] = sqrt(w);
    }
    PMC_ALLOC(pb->x_mean, pb->p, "feature means");
    PMC_ALLOC(pb->y_mean, pb->k, "target means");
    if (fit_intercept) {
        double weight_sum;
        PMC_TRY(pmc_linear_means(data, pb->k, ctx, pb->x_mean, pb->y_mean, &weight_sum));
    }
    return PMC_OK;
error:
    ls_problem_release(pb);
    return status;
}

/* Dense work over rows (QR, Gram) is cheap enough: always for dense X, for CSR when
 * n p^2 stays small. */
static int ls_dense_work_ok(const ls_problem *pb) {
    if (!pb->data->X.is_sparse) return 1;
    double p = (double)pb->p;
    return pb->p <= LS_SPARSE_DENSE_MAX_FEATURES &&
           (double)pb->n * p * p <= LS_SPARSE_DENSE_MAX_FLOPS;
}

static void ls_set_intercepts(const ls_problem *pb, pmc_linear_coefs *c) {
    for (int64_t t = 0; t < pb->k; t++) {
        double v = 0.0;
        if (pb->fit_intercept) {
            v = pb->y_mean[t];
            for (int64_t j = 0; j < pb->p; j++) v -= pb->x_mean[j] * c->coef[t * pb->p + j];
        }
        c->intercept[t] = v;
    }
}

/* Rows [first, first + count) of [A | b] into out (count x (p + k), column-major,
 * leading dimension ld); tmp holds count x p doubles. */
static void ls_gather_block(const ls_problem *pb, int64_t first, int64_t count, double *tmp,
                            double *out, int64_t ld) {
    const pmc_data *d = pb->data;
    int64_t p = pb->p, k = pb->k;
    pmc_gather_rows(&d->X, &d->rows, first, count, tmp);
    for (int64_t i = 0; i < count; i++) {
        int64_t r = pmc_row_at(&d->rows, first + i);
        double s = pb->sqrt_w[first + i];
        const double *x = tmp + i * p;
        for (int64_t j = 0; j < p; j++) out[i + j * ld] = s * (x[j] - pb->x_mean[j]);
        for (int64_t t = 0; t < k; t++)
            out[i + (p + t) * ld] = s * (pmc_get(&d->y, r, t) - pb->y_mean[t]);
    }
}

/* ---- LAPACK drivers with workspace queries -------------------------------------- */

/* Min-norm least squares (dgelsd): a (m x n, lda) and b (ldb x nrhs, ldb >= max(m, n))
 * are overwritten; b's first n rows receive the solution, s the min(m, n) singular
 * values, *rank the count above rcond * s_max. */
static pmc_status ls_gelsd(int64_t m, int64_t n, int64_t nrhs, double *a, int64_t lda, double *b,
                           int64_t ldb, double rcond, double *s, int64_t *rank) {
    pmc_status status = PMC_OK;
    pmc_blas_int M = (pmc_blas_int)m, N = (pmc_blas_int)n, NRHS = (pmc_blas_int)nrhs;
    pmc_blas_int LDA = (pmc_blas_int)lda, LDB = (pmc_blas_int)ldb, RANK = 0, INFO = 0;
    pmc_blas_int LWORK = -1, iwork_size = 0;
    double work_size = 0.0, *work = NULL;
    pmc_blas_int *iwork = NULL;
    scipy_dgelsd_(&M, &N, &NRHS, a, &LDA, b, &LDB, s, &rcond, &RANK, &work_size, &LWORK,
                  &iwork_size, &INFO);
    if (INFO != 0)
        return pmc_fail(PMC_ERR_INTERNAL, "dgelsd workspace query failed (info %d)", (int)INFO);
    LWORK = (pmc_blas_int)work_size + 1;
    PMC_ALLOC(work, LWORK, "least squares workspace");
    PMC_ALLOC(iwork, PMC_MAX(iwork_size, 1), "least squares workspace");
    scipy_dgelsd_(&M, &N, &NRHS, a, &LDA, b, &LDB, s, &rcond, &RANK, work, &LWORK, iwork, &INFO);
    if (INFO > 0) {
        status = pmc_fail(PMC_ERR_NUMERIC, "the SVD of the least squares problem did not converge");
        goto error;
    }
    if (INFO < 0) {
        status = pmc_fail(PMC_ERR_INTERNAL, "dgelsd rejected argument %d", (int)-INFO);
        goto error;
    }
    *rank = RANK;
error:
    free(work);
    free(iwork);
    return status;
}

/* Thin SVD (dgesdd): a (m x n, lda) is overwritten; u is m x min(m, n), vt min(m, n) x n,
 * both column-major. */
static pmc_status ls_gesdd(int64_t m, int64_t n, double *a, int64_t lda, double *s, double *u,
                           double *vt) {
    pmc_status status = PMC_OK;
    int64_t mn = PMC_MIN(m, n);
    pmc_blas_int M = (pmc_blas_int)m, N = (pmc_blas_int)n, LDA = (pmc_blas_int)lda;
    pmc_blas_int LDU = (pmc_blas_int)m, LDVT = (pmc_blas_int)mn, LWORK = -1, INFO = 0;
    double work_size = 0.0, *work = NULL;
    pmc_blas_int *iwork = NULL;
    PMC_ALLOC(iwork, 8 * mn, "SVD workspace");
    scipy_dgesdd_("S", &M, &N, a, &LDA, s, u, &LDU, vt, &LDVT, &work_size, &LWORK, iwork, &INFO,
                  1);
    if (INFO != 0) {
        status = pmc_fail(PMC_ERR_INTERNAL, "dgesdd workspace query failed (info %d)", (int)INFO);
        goto error;
    }
    LWORK = (pmc_blas_int)work_size + 1;
    PMC_ALLOC(work, LWORK, "SVD workspace");
    scipy_dgesdd_("S", &M, &N, a, &LDA, s, u, &LDU, vt, &LDVT, work, &LWORK, iwork, &INFO, 1);
    if (INFO != 0)
        status = pmc_fail(INFO > 0 ? PMC_ERR_NUMERIC : PMC_ERR_INTERNAL,
                          "the SVD of X did not converge (dgesdd info %d)", (int)INFO);
error:
    free(work);
    free(iwork);
    return status;
}

/* ---- factorisation: tall-skinny QR, or the gathered wide matrix ------------------ */

typedef struct {
    int64_t rows;      /* rows of a: p (tall: R11) or n (wide: A itself) */
    int64_t lda, ldb;  /* ldb >= max(rows, p), as dgelsd wants */
    double *a;         /* lda x p, column-major */
    double *b;         /* ldb x k, column-major; rows past `rows` are zero */
} ls_factor;

static void ls_factor_release(ls_factor *f) {
    free(f->a);
    free(f->b);
    f->a = f->b = NULL;
}

typedef struct {
    const ls_problem *pb;
    int64_t m, n_chunks, block;
    pmc_blas_int nbq;
    double *r; /* per chunk: m x m, column-major */
} tsqr_job;

static pmc_status tsqr_chunk(int64_t c, int thread, void *arg) {
    tsqr_job *job = arg;
    const ls_problem *pb = job->pb;
    int64_t m = job->m, first, count;
    pmc_chunk_range(pb->n, job->n_chunks, c, &first, &count);
    double *R = job->r + c * m * m;
    double *tmp = malloc((size_t)(job->block * pb->p) * sizeof(double));
    double *B = malloc((size_t)(job->block * m) * sizeof(double));
    double *T = malloc((size_t)(job->nbq * m) * sizeof(double));
    double *work = malloc((size_t)(job->nbq * m) * sizeof(double));
    pmc_blas_int info = 0;
    if (tmp && B && T && work) {
        pmc_blas_int M = (pmc_blas_int)m, L = 0;
        for (int64_t b0 = 0; b0 < count && info == 0; b0 += job->block) {
            int64_t nb = PMC_MIN(job->block, count - b0);
            pmc_blas_int NB = (pmc_blas_int)nb;
            ls_gather_block(pb, first + b0, nb, tmp, B, nb);
            /* R <- the triangle of [R; B] */
            scipy_dtpqrt_(&NB, &M, &L, &job->nbq, R, &M, B, &NB, T, &job->nbq, work, &info);
        }
    }
    int ok = tmp && B && T && work;
    free(tmp);
    free(B);
    free(T);
    free(work);
    if (!ok) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a QR row block");
    if (info != 0) return pmc_fail(PMC_ERR_INTERNAL, "dtpqrt failed (info %d)", (int)info);
    return PMC_OK;
}

static pmc_status ls_factorize(const ls_problem *pb, pmc_ctx *ctx, ls_factor *f) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n, p = pb->p, k = pb->k, m = p + k;
    double *full = NULL, *tmp = NULL, *T = NULL, *work = NULL;
    tsqr_job job = {pb, m, 1, 1, 1, NULL};
    memset(f, 0, sizeof *f);
    if (n < p) {
        /* Wide: [A | b] itself (n x m, column-major), as LAPACK needs all of it. */
        if (n * m > INT32_MAX)
            return pmc_fail(PMC_ERR_VALUE, "X is too large for a dense least squares solve "
                                           "(%lld x %lld)", (long long)n, (long long)p);
        int64_t block = pmc_block_rows(p);
        PMC_ALLOC(full, n * m, "least squares matrix");
        PMC_ALLOC(tmp, block * p, "row block");
        for (int64_t b0 = 0; b0 < n; b0 += block) {
            PMC_TRY(pmc_check_interrupt(ctx));
            ls_gather_block(pb, b0, PMC_MIN(block, n - b0), tmp, full + b0, n);
        }
        PMC_ALLOC(f->b, p * k, "least squares right-hand side");
        for (int64_t t = 0; t < k; t++)
            memcpy(f->b + t * p, full + (p + t) * n, (size_t)n * sizeof(double));
        f->a = full; /* the first p columns; the rest is unused */
        full = NULL;
        f->rows = n;
        f->lda = n;
        f->ldb = p;
        goto error; /* clean-up only */
    }
    if (m * m > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "too many features for a dense least squares solve (%lld)",
                        (long long)p);
    /* Each chunk keeps an m x m triangle: at most 64 MiB of them. */
    int64_t max_chunks = PMC_MAX(1, PMC_MIN(64, ((int64_t)8 << 20) / (m * m)));
    job.n_chunks = pmc_reduction_chunks(n, 16384, max_chunks);
    job.block = PMC_MAX(16, PMC_MIN(256, 32768 / m));
    job.nbq = (pmc_blas_int)PMC_MIN(32, m);
    PMC_ALLOC(job.r, job.n_chunks * m * m, "QR triangles");
    PMC_TRY(pmc_parallel_for(job.n_chunks, ctx->n_threads, ctx, tsqr_chunk, &job));
    if (job.n_chunks > 1) {
        pmc_blas_int M = (pmc_blas_int)m, L = 0, info = 0;
        PMC_ALLOC(T, job.nbq * m, "QR workspace");
        PMC_ALLOC(work, job.nbq * m, "QR workspace");
        for (int64_t c = 1; c < job.n_chunks && info == 0; c++)
            scipy_dtpqrt_(&M, &M, &L, &job.nbq, job.r, &M, job.r + c * m * m, &M, T, &job.nbq,
                          work, &info);
        if (info != 0) {
            status = pmc_fail(PMC_ERR_INTERNAL, "dtpqrt failed (info %d)", (int)info);
            goto error;
        }
    }
    PMC_ALLOC(f->a, p * p, "R factor");
    PMC_ALLOC(f->b, p * k, "R factor");
    for (int64_t j = 0; j < p; j++)
        for (int64_t i = 0; i <= j; i++) f->a[i + j * p] = job.r[i + j * m];
    for (int64_t t = 0; t < k; t++)
        memcpy(f->b + t * p, job.r + (p + t) * m, (size_t)p * sizeof(double));
    f->rows = p;
    f->lda = f->ldb = p;
error:
    if (status != PMC_OK) ls_factor_release(f);
    free(full);
    free(tmp);
    free(T);
    free(work);
    free(job.r);
    return status;
}

/* Cholesky QR (n >= p): R11 = chol(A^T A), R12 = R11^-T A^T b.  *accepted is 0 (and
 * f empty) when the Cholesky fails or R11's singular values show cond(A) above
 * 1 / LS_CHOLQR_MIN_RATIO, where the squared conditioning would cost accuracy. */
static pmc_status ls_factorize_gram(const ls_problem *pb, pmc_ctx *ctx, ls_factor *f,
                                    int *accepted) {
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k;
    double *c = NULL, *copy = NULL, *s = NULL, *work = NULL, work_size = 0.0;
    pmc_blas_int P = (pmc_blas_int)p, info = 0, LWORK = -1, *iwork = NULL;
    memset(f, 0, sizeof *f);
    *accepted = 0;
    PMC_ALLOC(f->a, p * p, "Gram matrix");
    PMC_ALLOC(c, p * k, "X^T y");
    PMC_TRY(pmc_linear_cross_products(pb->data, k, pb->fit_intercept ? pb->x_mean : NULL,
                                      pb->fit_intercept ? pb->y_mean : NULL, ctx, f->a, c, NULL));
    scipy_dpotrf_("U", &P, f->a, &P, &info, 1); /* symmetric: row- = column-major */
    if (info != 0) goto error;                 /* not positive definite: rank deficient */
    for (int64_t j = 0; j < p; j++)            /* R11: clear the Gram's lower triangle */
        for (int64_t i = j + 1; i < p; i++) f->a[i + j * p] = 0.0;
    PMC_ALLOC(copy, p * p, "conditioning check");
    PMC_ALLOC(s, p, "conditioning check");
    memcpy(copy, f->a, (size_t)(p * p) * sizeof(double));
    PMC_ALLOC(iwork, 8 * p, "conditioning check");
    scipy_dgesdd_("N", &P, &P, copy, &P, s, NULL, &P, NULL, &P, &work_size, &LWORK, iwork, &info,
                  1); /* singular values only */
    if (info != 0) goto error;
    LWORK = (pmc_blas_int)work_size + 1;
    PMC_ALLOC(work, LWORK, "conditioning check");
    scipy_dgesdd_("N", &P, &P, copy, &P, s, NULL, &P, NULL, &P, work, &LWORK, iwork, &info, 1);
    if (info != 0 || !(s[p - 1] >= LS_CHOLQR_MIN_RATIO * s[0])) goto error;
    PMC_ALLOC(f->b, p * k, "R12");
    for (int64_t t = 0; t < k; t++)
        for (int64_t j = 0; j < p; j++) f->b[t * p + j] = c[j * k + t];
    pmc_cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)p,
                    (int)k, 1.0, f->a, (int)p, f->b, (int)p);
    f->rows = p;
    f->lda = f->ldb = p;
    *accepted = 1;
error:
    if (!*accepted) ls_factor_release(f);
    free(c);
    free(copy);
    free(s);
    free(work);
    free(iwork);
    return status;
}

/* R11 and R12 by Cholesky QR when that is accurate (tall, well-conditioned data),
 * else by the tall-skinny QR (or the gathered matrix when n < p). */
static pmc_status ls_factorize_auto(const ls_problem *pb, pmc_ctx *ctx, ls_factor *f) {
    if (pb->n >= pb->p) {
        int accepted;
        pmc_status status = ls_factorize_gram(pb, ctx, f, &accepted);
        if (status != PMC_OK || accepted) return status;
    }
    return ls_factorize(pb, ctx, f);
}

/* ---- Ridge: what does not depend on alpha ------------------------------------------ */

/* Each Ridge route's work that depends on the data (and fit_intercept) only, built
 * by the route on first use and kept until ridge_shared_release: a single fit
 * uses it once, fit_batch's candidates, which differ only in alpha, share it, so
 * that a batched model is computed by exactly the code of a single fit. */
typedef struct {
    double *G, *c;  /* Gram and CG-on-Gram routes: A^T A (p x p), A^T b (p x k row-major) */
    double *K, *b;  /* kernel route: A A^T (n x n), b (n x k row-major) */
    ls_factor qr;   /* 'svd': R12 in qr.b (qr.a is consumed by the SVD) */
    double *s, *U, *Vt; /* 'svd': the SVD of R11 (or of A when n < p) */
    ls_factor nnls; /* positive: R11 and R12 of ls_factorize_auto */
} ridge_shared;

static void ridge_shared_release(ridge_shared *sh) {
    free(sh->G);
    free(sh->c);
    free(sh->K);
    free(sh->b);
    ls_factor_release(&sh->qr);
    free(sh->s);
    free(sh->U);
    free(sh->Vt);
    ls_factor_release(&sh->nnls);
    memset(sh, 0, sizeof *sh);
}

/* A^T A and A^T b into sh->G, sh->c unless already there. */
static pmc_status ridge_shared_gram(const ls_problem *pb, pmc_ctx *ctx, ridge_shared *sh) {
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k;
    double *G = NULL, *c = NULL;
    if (sh->G) return PMC_OK;
    PMC_ALLOC(G, p * p, "Gram matrix");
    PMC_ALLOC(c, p * k, "X^T y");
    PMC_TRY(pmc_linear_cross_products(pb->data, k, pb->fit_intercept ? pb->x_mean : NULL,
                                      pb->fit_intercept ? pb->y_mean : NULL, ctx, G, c, NULL));
    sh->G = G;
    sh->c = c;
    return PMC_OK;
error:
    free(G);
    free(c);
    return status;
}

/* ---- non-negative least squares --------------------------------------------------- */

pmc_status pmc_linear_nnls(const double *M, int64_t q, int64_t p, int64_t ldm, const double *r,
                           int64_t max_iter, double *x, int *converged) {
    pmc_status status = PMC_OK;
    int64_t lds = PMC_MAX(q, p), iter = 0, rank;
    double *w = NULL, *z = NULL, *resid = NULL, *sub = NULL, *rhs = NULL, *sv = NULL;
    double *col_norm = NULL;
    int *passive = NULL, *blocked = NULL;
    int64_t *cols = NULL;
    if (q < 1 || p < 1 || ldm < q || q > INT32_MAX || p > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "nnls: invalid dimensions %lld x %lld (ld %lld)",
                        (long long)q, (long long)p, (long long)ldm);
    PMC_ALLOC(w, p, "nnls");
    PMC_ALLOC(z, p, "nnls");
    PMC_ALLOC(resid, q, "nnls");
    PMC_ALLOC(sub, q * p, "nnls");
    PMC_ALLOC(rhs, lds, "nnls");
    PMC_ALLOC(sv, PMC_MIN(q, p), "nnls");
    PMC_ALLOC(col_norm, p, "nnls");
    PMC_ALLOC(passive, p, "nnls");
    PMC_ALLOC(blocked, p, "nnls");
    PMC_ALLOC(cols, p, "nnls");
    *converged = 1;
    memset(x, 0, (size_t)p * sizeof(double));
    for (int64_t j = 0; j < p; j++) col_norm[j] = pmc_cblas_dnrm2((int)q, M + j * ldm, 1);
    memcpy(resid, r, (size_t)q * sizeof(double));
    for (;;) {
        pmc_cblas_dgemv(CblasColMajor, CblasTrans, (int)q, (int)p, 1.0, M, (int)ldm, resid, 1,
                        0.0, w, 1);
        /* A dual value w_j = M_j^T (r - M x) at the rounding level of the current
         * residual does not count (a fixed floor from ||r|| would stop early on
         * ill-conditioned problems, whose useful w_j are tiny); a column that enters
         * on noise is caught below (its passive-set coefficient is not positive). */
        double noise = DBL_EPSILON * pmc_cblas_dnrm2((int)q, resid, 1);
        int64_t enter = -1;
        for (int64_t j = 0; j < p; j++)
            if (!passive[j] && !blocked[j] && w[j] > noise * col_norm[j] &&
                (enter < 0 || w[j] > w[enter]))
                enter = j;
        if (enter < 0) break; /* the KKT conditions hold */
        passive[enter] = 1;
        int x_changed = 0;
        for (int first_solve = 1;; first_solve = 0) {
            if (++iter > max_iter) {
                *converged = 0;
                goto error;
            }
            /* z = argmin ||M_P z - r|| over the passive set P */
            int64_t n_passive = 0;
            for (int64_t j = 0; j < p; j++)
                if (passive[j]) {
                    memcpy(sub + n_passive * q, M + j * ldm, (size_t)q * sizeof(double));
                    cols[n_passive++] = j;
                }
            memset(rhs, 0, (size_t)lds * sizeof(double));
            memcpy(rhs, r, (size_t)q * sizeof(double));
            PMC_TRY(ls_gelsd(q, n_passive, 1, sub, q, rhs, lds, LS_NNLS_RCOND, sv, &rank));
            memset(z, 0, (size_t)p * sizeof(double));
            for (int64_t a = 0; a < n_passive; a++) z[cols[a]] = rhs[a];
            if (first_solve && (rank < n_passive || !(z[enter] > 0.0))) {
                /* The entering column is (numerically) a combination of the passive ones,
                 * as it must become once the passive set spans the column space when
                 * rank(M) < p, or w_enter > 0 was rounding noise: keep x, and skip this
                 * column until x moves (Lawson and Hanson's test). */
                passive[enter] = 0;
                blocked[enter] = 1;
                break;
            }
            int64_t limit = -1;
            double step = 1.0;
            for (int64_t a = 0; a < n_passive; a++) {
                int64_t j = cols[a];
                if (z[j] <= 0.0) {
                    double s = x[j] / (x[j] - z[j]);
                    if (limit < 0 || s < step) {
                        step = s;
                        limit = j;
                    }
                }
            }
            x_changed = 1;
            if (limit < 0) { /* z is feasible */
                for (int64_t a = 0; a < n_passive; a++) x[cols[a]] = z[cols[a]];
                break;
            }
            /* Move towards z until the first coordinate hits zero, and drop it. */
            for (int64_t a = 0; a < n_passive; a++) {
                int64_t j = cols[a];
                x[j] += step * (z[j] - x[j]);
                if (j == limit || x[j] <= 0.0) {
                    x[j] = 0.0;
                    passive[j] = 0;
                }
            }
        }
        if (x_changed) memset(blocked, 0, (size_t)p * sizeof(int));
        memcpy(resid, r, (size_t)q * sizeof(double));
        pmc_cblas_dgemv(CblasColMajor, CblasNoTrans, (int)q, (int)p, -1.0, M, (int)ldm, x, 1,
                        1.0, resid, 1);
    }
error:
    free(w);
    free(z);
    free(resid);
    free(sub);
    free(rhs);
    free(sv);
    free(col_norm);
    free(passive);
    free(blocked);
    free(cols);
    return status;
}

/* One NNLS per target on the factor: min ||R11 w - R12_t||^2 + alpha_t ||w||^2, w >= 0,
 * as NNLS on [R11; sqrt(alpha_t) I]. */
typedef struct {
    const ls_factor *f;
    int64_t p;
    const double *alpha; /* NULL: no penalty */
    double *coef;        /* k x p */
    int *converged;      /* k */
} nnls_job;

static pmc_status nnls_target(int64_t t, int thread, void *arg) {
    nnls_job *job = arg;
    const ls_factor *f = job->f;
    int64_t p = job->p;
    double alpha = job->alpha ? job->alpha[t] : 0.0;
    int64_t q = f->rows + (alpha > 0.0 ? p : 0);
    double *M = calloc((size_t)(q * p), sizeof(double));
    double *r = calloc((size_t)q, sizeof(double));
    if (!M || !r) {
        free(M);
        free(r);
        return pmc_fail(PMC_ERR_MEMORY, "could not allocate the NNLS problem");
    }
    for (int64_t j = 0; j < p; j++) {
        memcpy(M + j * q, f->a + j * f->lda, (size_t)f->rows * sizeof(double));
        if (alpha > 0.0) M[f->rows + j + j * q] = sqrt(alpha);
    }
    memcpy(r, f->b + t * f->ldb, (size_t)f->rows * sizeof(double));
    pmc_status status = pmc_linear_nnls(M, q, p, q, r, 5 * p + 50, job->coef + t * p,
                                        &job->converged[t]);
    free(M);
    free(r);
    return status;
}

/* NNLS on the factor *f, computed first if f->a is NULL and kept for the caller
 * (Ridge's candidates that differ only in alpha share it). */
static pmc_status ls_solve_nnls(const ls_problem *pb, ls_factor *f, const double *alpha,
                                pmc_ctx *ctx, double *coef) {
    pmc_status status = PMC_OK;
    nnls_job job = {f, pb->p, alpha, coef, NULL};
    if (!f->a) PMC_TRY(ls_factorize_auto(pb, ctx, f));
    PMC_ALLOC(job.converged, pb->k, "nnls");
    PMC_TRY(pmc_parallel_for(pb->k, ctx->n_threads, ctx, nnls_target, &job));
    for (int64_t t = 0; t < pb->k; t++)
        if (!job.converged[t]) {
            pmc_warn(ctx, "The non-negative least squares solver reached its iteration cap "
                          "(%lld) before the optimality conditions held.",
                     (long long)(5 * pb->p + 50));
            break;
        }
error:
    free(job.converged);
    return status;
}

/* ---- direct solvers ------------------------------------------------------------------ */

/* x_t = (S + alpha_t I)^{-1} b_t for symmetric positive semi-definite S (dim x dim,
 * at least its column-major lower triangle), b dim x k row-major, x k x dim row-major.
 * *singular is set when a Cholesky factorisation fails. */
static pmc_status ls_spd_solve(const double *S, int64_t dim, const double *b, int64_t k,
                               const double *alpha, double *x, int *singular) {
    pmc_status status = PMC_OK;
    double *L = NULL, *rhs = NULL;
    pmc_blas_int N = (pmc_blas_int)dim, ONE = 1, info = 0;
    *singular = 0;
    PMC_ALLOC(L, dim * dim, "Cholesky factor");
    PMC_ALLOC(rhs, dim, "Cholesky right-hand side");
    for (int64_t t = 0; t < k; t++) {
        if (t == 0 || alpha[t] != alpha[t - 1]) {
            memcpy(L, S, (size_t)(dim * dim) * sizeof(double));
            for (int64_t i = 0; i < dim; i++) L[i * dim + i] += alpha[t];
            scipy_dpotrf_("L", &N, L, &N, &info, 1);
            if (info != 0) {
                *singular = 1;
                goto error;
            }
        }
        for (int64_t i = 0; i < dim; i++) rhs[i] = b[i * k + t];
        scipy_dpotrs_("L", &N, &ONE, L, &N, rhs, &N, &info, 1);
        if (info != 0) {
            status = pmc_fail(PMC_ERR_INTERNAL, "dpotrs failed (info %d)", (int)info);
            goto error;
        }
        memcpy(x + t * dim, rhs, (size_t)dim * sizeof(double));
    }
error:
    free(L);
    free(rhs);
    return status;
}

/* Primal: (A^T A + alpha I) w = A^T b through the shared cross products. */
static pmc_status ridge_gram(const ls_problem *pb, ridge_shared *sh, const double *alpha,
                             pmc_ctx *ctx, double *coef, int *singular) {
    pmc_status status = PMC_OK;
    PMC_TRY(ridge_shared_gram(pb, ctx, sh));
    PMC_TRY(ls_spd_solve(sh->G, pb->p, sh->c, pb->k, alpha, coef, singular));
error:
    return status;
}

/* A^T u for u (n x k, row-major, by position in rows), scaled in place by sqrt(w):
 * X^T (S u) - x_mean (1^T S u). */
static pmc_status ls_apply_At(const ls_problem *pb, double *u, pmc_ctx *ctx, double *out,
                              double *col_sum) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    for (int64_t t = 0; t < k; t++) col_sum[t] = 0.0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t t = 0; t < k; t++) {
            u[i * k + t] *= pb->sqrt_w[i];
            col_sum[t] += u[i * k + t];
        }
    PMC_TRY(pmc_linear_transpose_dot(&pb->data->X, pb->data->rows, u, k, ctx, out));
    if (pb->fit_intercept)
        for (int64_t j = 0; j < p; j++)
            for (int64_t t = 0; t < k; t++) out[j * k + t] -= pb->x_mean[j] * col_sum[t];
error:
    return status;
}

/* A v for v (p x k, row-major): S (X v - 1 (x_mean^T v)); coef_t and icpt are k x p
 * and k scratch. */
static pmc_status ls_apply_A(const ls_problem *pb, const double *v, pmc_ctx *ctx,
                             double *coef_t, double *icpt, double *out) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    for (int64_t t = 0; t < k; t++) {
        double s = 0.0;
        for (int64_t j = 0; j < p; j++) {
            coef_t[t * p + j] = v[j * k + t];
            s += pb->x_mean[j] * v[j * k + t];
        }
        icpt[t] = pb->fit_intercept ? -s : 0.0;
    }
    pmc_view ov = pmc_view_2d(out, PMC_FLOAT64, n, k);
    PMC_TRY(pmc_linear_decision(coef_t, icpt, k, &pb->data->X, pb->data->rows, ctx, &ov));
    for (int64_t i = 0; i < n; i++)
        for (int64_t t = 0; t < k; t++) out[i * k + t] *= pb->sqrt_w[i];
error:
    return status;
}

/* b = S (y - y_mean), n x k row-major. */
static void ls_rhs(const ls_problem *pb, double *b) {
    const pmc_data *d = pb->data;
    for (int64_t i = 0; i < pb->n; i++) {
        int64_t r = pmc_row_at(&d->rows, i);
        for (int64_t t = 0; t < pb->k; t++)
            b[i * pb->k + t] = pb->sqrt_w[i] * (pmc_get(&d->y, r, t) - pb->y_mean[t]);
    }
}

/* K = A A^T over column blocks and b into sh->K, sh->b unless already there. */
static pmc_status ridge_shared_kernel(const ls_problem *pb, pmc_ctx *ctx, ridge_shared *sh) {
    pmc_status status = PMC_OK;
    const pmc_data *d = pb->data;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    double *K = NULL, *blk = NULL, *b = NULL;
    int64_t nc = PMC_MAX(1, PMC_MIN(p, ((int64_t)4 << 20) / n));
    if (sh->K) return PMC_OK;
    PMC_ALLOC(K, n * n, "kernel matrix");
    PMC_ALLOC(blk, n * nc, "column block");
    for (int64_t c0 = 0; c0 < p; c0 += nc) {
        PMC_TRY(pmc_check_interrupt(ctx));
        int64_t w = PMC_MIN(nc, p - c0);
        ls_gather_cols(&d->X.dense, &d->rows, c0, w, blk);
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < w; j++)
                blk[i * w + j] = pb->sqrt_w[i] * (blk[i * w + j] - pb->x_mean[c0 + j]);
        /* K (row-major upper = column-major lower) += blk blk^T */
        pmc_cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)w, 1.0, blk,
                        (int)w, 1.0, K, (int)n);
    }
    PMC_ALLOC(b, n * k, "right-hand side");
    ls_rhs(pb, b);
    sh->K = K;
    sh->b = b;
    K = b = NULL;
error:
    free(K);
    free(blk);
    free(b);
    return status;
}

/* Dual: coef_t = A^T (A A^T + alpha_t I)^{-1} b_t. */
static pmc_status ridge_kernel(const ls_problem *pb, ridge_shared *sh, const double *alpha,
                               pmc_ctx *ctx, double *coef, int *singular) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    double *z = NULL, *u = NULL, *out = NULL, *sums = NULL;
    PMC_TRY(ridge_shared_kernel(pb, ctx, sh));
    PMC_ALLOC(z, n * k, "dual coefficients");
    PMC_TRY(ls_spd_solve(sh->K, n, sh->b, k, alpha, z, singular));
    if (*singular) goto error;
    PMC_ALLOC(u, n * k, "dual coefficients");
    PMC_ALLOC(out, p * k, "coefficients");
    PMC_ALLOC(sums, k, "coefficients");
    for (int64_t t = 0; t < k; t++)
        for (int64_t i = 0; i < n; i++) u[i * k + t] = z[t * n + i];
    PMC_TRY(ls_apply_At(pb, u, ctx, out, sums));
    for (int64_t t = 0; t < k; t++)
        for (int64_t j = 0; j < p; j++) coef[t * p + j] = out[j * k + t];
error:
    free(z);
    free(u);
    free(out);
    free(sums);
    return status;
}

/* scikit-learn's 'svd' solver on the factor: coef_t = V diag(s / (s^2 + alpha_t)) U^T b_t,
 * singular values <= max(1e-15, eps max(rows, p) s_max) dropped. */
static pmc_status ridge_svd(const ls_problem *pb, ridge_shared *sh, const double *alpha,
                            pmc_ctx *ctx, double *coef) {
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k;
    double *g = NULL;
    if (!sh->s) { /* the factor and its SVD, once */
        ls_factor f;
        double *s = NULL, *U = NULL, *Vt = NULL;
        PMC_TRY(ls_factorize(pb, ctx, &f));
        int64_t mn = PMC_MIN(f.rows, p);
        s = malloc((size_t)mn * sizeof(double));
        U = malloc((size_t)(f.rows * mn) * sizeof(double));
        Vt = malloc((size_t)(mn * p) * sizeof(double));
        status = s && U && Vt ? ls_gesdd(f.rows, p, f.a, f.lda, s, U, Vt)
                              : pmc_fail(PMC_ERR_MEMORY, "out of memory for singular vectors");
        if (status != PMC_OK) {
            ls_factor_release(&f);
            free(s);
            free(U);
            free(Vt);
            return status;
        }
        sh->qr = f;
        sh->s = s;
        sh->U = U;
        sh->Vt = Vt;
    }
    const ls_factor f = sh->qr;
    const double *s = sh->s, *U = sh->U, *Vt = sh->Vt;
    int64_t rows = f.rows, mn = PMC_MIN(rows, p);
    PMC_ALLOC(g, mn, "singular vectors");
    /* scikit-learn drops s <= 1e-15; values at the rounding level of the largest are
     * noise too (they only matter when alpha is ~0, where 1/s would amplify it). */
    double cutoff = PMC_MAX(LS_SVD_CUTOFF, s[0] * DBL_EPSILON * (double)PMC_MAX(rows, p));
    for (int64_t t = 0; t < k; t++) {
        for (int64_t i = 0; i < mn; i++) {
            double utb = 0.0;
            for (int64_t l = 0; l < rows; l++) utb += U[l + i * rows] * f.b[t * f.ldb + l];
            g[i] = s[i] > cutoff ? utb * s[i] / (s[i] * s[i] + alpha[t]) : 0.0;
        }
        for (int64_t j = 0; j < p; j++) {
            double v = 0.0;
            for (int64_t i = 0; i < mn; i++) v += Vt[i + j * mn] * g[i];
            coef[t * p + j] = v;
        }
    }
error:
    free(g);
    return status;
}

/* ---- iterative solvers ------------------------------------------------------------------- */

/* Both solvers below run conjugate gradients for all targets in lockstep over
 * (len x k) row-major arrays, column t being target t; these are their shared steps. */

static double cg_column_norm2(const double *a, int64_t len, int64_t k, int64_t t) {
    double s = 0.0;
    for (int64_t j = 0; j < len; j++) s += a[j * k + t] * a[j * k + t];
    return s;
}

/* Initial residual norms, stopping goals (tol relative) and done flags. */
static void cg_start(const double *r, int64_t len, int64_t k, double tol, double *norm2,
                     double *goal, int *done, int32_t *n_iter) {
    for (int64_t t = 0; t < k; t++) {
        norm2[t] = cg_column_norm2(r, len, k, t);
        goal[t] = tol * tol * norm2[t];
        done[t] = !(norm2[t] > goal[t]);
        n_iter[t] = 0;
    }
}

static int cg_any_active(const int *done, int64_t k) {
    for (int64_t t = 0; t < k; t++)
        if (!done[t]) return 1;
    return 0;
}

/* d_t = s_t + beta d_t */
static void cg_next_direction(double *d, const double *s, int64_t len, int64_t k, int64_t t,
                              double beta) {
    for (int64_t j = 0; j < len; j++) d[j * k + t] = s[j * k + t] + beta * d[j * k + t];
}

/* Copies the iterates out (coef row t = column t of x); a target that missed its
 * goal clears *converged. */
static void cg_finish(const double *x, const double *norm2, const double *goal, int64_t p,
                      int64_t k, double *coef, int *converged) {
    for (int64_t t = 0; t < k; t++) {
        if (norm2[t] > goal[t]) *converged = 0;
        for (int64_t j = 0; j < p; j++) coef[t * p + j] = x[j * k + t];
    }
}

/* CG on (G + alpha_t I) w_t = c_t, all targets in lockstep; stops target t when
 * ||c_t - (G + alpha_t I) w_t|| <= tol ||c_t||. */
static pmc_status ls_cg_gram(const ls_problem *pb, ridge_shared *sh, const double *alpha,
                             double tol, int64_t max_iter, pmc_ctx *ctx, double *coef,
                             int32_t *n_iter, int *converged) {
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k;
    double *x = NULL, *r = NULL, *d = NULL, *q = NULL, *rho = NULL, *goal = NULL;
    int *done = NULL;
    PMC_TRY(ridge_shared_gram(pb, ctx, sh));
    const double *G = sh->G;
    PMC_ALLOC(r, p * k, "CG residual");
    memcpy(r, sh->c, (size_t)(p * k) * sizeof(double));
    PMC_ALLOC(x, p * k, "CG iterate");
    PMC_ALLOC(d, p * k, "CG direction");
    PMC_ALLOC(q, p * k, "CG product");
    PMC_ALLOC(rho, k, "CG");
    PMC_ALLOC(goal, k, "CG");
    PMC_ALLOC(done, k, "CG");
    memcpy(d, r, (size_t)(p * k) * sizeof(double));
    *converged = 1;
    cg_start(r, p, k, tol, rho, goal, done, n_iter);
    for (int64_t it = 1; it <= max_iter && cg_any_active(done, k); it++) {
        PMC_TRY(pmc_check_interrupt(ctx));
        pmc_cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p, (int)k, (int)p, 1.0,
                        G, (int)p, d, (int)k, 0.0, q, (int)k);
        for (int64_t t = 0; t < k; t++) {
            if (done[t]) continue;
            double dq = 0.0, rho_new = 0.0;
            for (int64_t j = 0; j < p; j++) {
                q[j * k + t] += alpha[t] * d[j * k + t];
                dq += d[j * k + t] * q[j * k + t];
            }
            n_iter[t] = (int32_t)PMC_MIN(it, INT32_MAX);
            if (!(dq > 0.0)) { /* no further progress possible in floating point */
                done[t] = 1;
                continue;
            }
            double a = rho[t] / dq;
            for (int64_t j = 0; j < p; j++) {
                x[j * k + t] += a * d[j * k + t];
                r[j * k + t] -= a * q[j * k + t];
                rho_new += r[j * k + t] * r[j * k + t];
            }
            double beta = rho_new / rho[t];
            rho[t] = rho_new;
            cg_next_direction(d, r, p, k, t, beta);
            if (rho_new <= goal[t]) done[t] = 1;
        }
    }
    cg_finish(x, rho, goal, p, k, coef, converged);
error:
    free(x);
    free(r);
    free(d);
    free(q);
    free(rho);
    free(goal);
    free(done);
    return status;
}

/* Damped CGLS: min ||A w_t - b_t||^2 + alpha_t ||w_t||^2 from w = 0 with A applied
 * implicitly, all targets in lockstep; stops target t when the normal-equations
 * residual ||A^T (b_t - A w_t) - alpha_t w_t|| <= tol ||A^T b_t||.  With alpha = 0 it
 * converges to the minimum-norm least squares solution. */
static pmc_status ls_cgls(const ls_problem *pb, const double *alpha, double tol,
                          int64_t max_iter, pmc_ctx *ctx, double *coef, int32_t *n_iter,
                          int *converged) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    double *x = NULL, *r = NULL, *u = NULL, *s = NULL, *d = NULL, *q = NULL;
    double *gamma = NULL, *goal = NULL, *coef_t = NULL, *icpt = NULL;
    int *done = NULL;
    PMC_ALLOC(x, p * k, "CGLS");
    PMC_ALLOC(s, p * k, "CGLS");
    PMC_ALLOC(d, p * k, "CGLS");
    PMC_ALLOC(r, n * k, "CGLS");
    PMC_ALLOC(u, n * k, "CGLS");
    PMC_ALLOC(q, n * k, "CGLS");
    PMC_ALLOC(gamma, k, "CGLS");
    PMC_ALLOC(goal, k, "CGLS");
    PMC_ALLOC(coef_t, k * p, "CGLS");
    PMC_ALLOC(icpt, k, "CGLS");
    PMC_ALLOC(done, k, "CGLS");
    ls_rhs(pb, r);
    memcpy(u, r, (size_t)(n * k) * sizeof(double));
    PMC_TRY(ls_apply_At(pb, u, ctx, s, icpt));
    memcpy(d, s, (size_t)(p * k) * sizeof(double));
    *converged = 1;
    cg_start(s, p, k, tol, gamma, goal, done, n_iter);
    for (int64_t it = 1; it <= max_iter && cg_any_active(done, k); it++) {
        PMC_TRY(pmc_check_interrupt(ctx));
        for (int64_t t = 0; t < k; t++)
            if (done[t])
                for (int64_t j = 0; j < p; j++) d[j * k + t] = 0.0;
        PMC_TRY(ls_apply_A(pb, d, ctx, coef_t, icpt, q));
        for (int64_t t = 0; t < k; t++) {
            if (done[t]) continue;
            double delta = cg_column_norm2(q, n, k, t) + alpha[t] * cg_column_norm2(d, p, k, t);
            n_iter[t] = (int32_t)PMC_MIN(it, INT32_MAX);
            if (!(delta > 0.0)) {
                done[t] = 1;
                continue;
            }
            double a = gamma[t] / delta;
            for (int64_t j = 0; j < p; j++) x[j * k + t] += a * d[j * k + t];
            for (int64_t i = 0; i < n; i++) r[i * k + t] -= a * q[i * k + t];
        }
        memcpy(u, r, (size_t)(n * k) * sizeof(double));
        PMC_TRY(ls_apply_At(pb, u, ctx, s, icpt));
        for (int64_t t = 0; t < k; t++) {
            if (done[t]) continue;
            double g = 0.0;
            for (int64_t j = 0; j < p; j++) {
                s[j * k + t] -= alpha[t] * x[j * k + t];
                g += s[j * k + t] * s[j * k + t];
            }
            double beta = g / gamma[t];
            gamma[t] = g;
            cg_next_direction(d, s, p, k, t, beta);
            if (g <= goal[t]) done[t] = 1;
        }
    }
    cg_finish(x, gamma, goal, p, k, coef, converged);
error:
    free(x);
    free(r);
    free(u);
    free(s);
    free(d);
    free(q);
    free(gamma);
    free(goal);
    free(coef_t);
    free(icpt);
    free(done);
    return status;
}

/* ---- LinearRegression ------------------------------------------------------------------ */

static pmc_status lr_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                         pmc_ctx *ctx, pmc_model **out) {
    const pmc_linear_regression_params *params = params_;
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    ls_problem pb;
    ls_factor f;
    double *alpha = NULL;
    int32_t *iters = NULL;
    memset(&pb, 0, sizeof pb);
    memset(&f, 0, sizeof f);
    if (!(params->tol >= 0.0) || !isfinite(params->tol))
        return pmc_fail(PMC_ERR_VALUE, "tol must be non-negative and finite, got %g", params->tol);
    PMC_TRY(ls_problem_init(data, params->fit_intercept, ctx, &pb));
    int64_t p = pb.p, k = pb.k;
    PMC_TRY(ls_model_new(&m));
    PMC_TRY(pmc_linear_coefs_alloc(&m->c, k, p));
    if (params->positive) {
        PMC_TRY(ls_solve_nnls(&pb, &f, NULL, ctx, m->c.coef));
    } else if (!ls_dense_work_ok(&pb)) {
        /* CSR too wide for dense work: CGLS from zero, the minimum-norm solution. */
        int converged;
        int64_t max_iter = 10 * PMC_MIN(pb.n, p) + 10;
        PMC_ALLOC(alpha, k, "penalties");
        PMC_ALLOC(iters, k, "iterations");
        PMC_TRY(ls_cgls(&pb, alpha, params->tol, max_iter, ctx, m->c.coef, iters, &converged));
        if (!converged)
            pmc_warn(ctx, "The least squares solver (CGLS on sparse X) did not reach tol=%g "
                          "within %lld iterations.", params->tol, (long long)max_iter);
    } else {
        PMC_TRY(ls_factorize_auto(&pb, ctx, &f));
        m->n_singular = PMC_MIN(f.rows, p);
        PMC_ALLOC(m->singular, m->n_singular, "singular values");
        PMC_TRY(ls_gelsd(f.rows, p, k, f.a, f.lda, f.b, f.ldb, params->tol, m->singular,
                         &m->rank));
        for (int64_t t = 0; t < k; t++)
            memcpy(m->c.coef + t * p, f.b + t * f.ldb, (size_t)p * sizeof(double));
    }
    ls_set_intercepts(&pb, &m->c);
    *out = m;
    m = NULL;
error:
    ls_free(&m);
    ls_problem_release(&pb);
    ls_factor_release(&f);
    free(alpha);
    free(iters);
    return status;
}

static const pmc_param_spec lr_params[] = {
    {"fit_intercept", PMC_PARAM_BOOL, offsetof(pmc_linear_regression_params, fit_intercept),
     NULL},
    {"tol", PMC_PARAM_DOUBLE, offsetof(pmc_linear_regression_params, tol), NULL},
    {"positive", PMC_PARAM_BOOL, offsetof(pmc_linear_regression_params, positive), NULL},
};

const pmc_estimator pmc_linear_regression_estimator = {
    "LinearRegression", sizeof(pmc_linear_regression_params), lr_params, 3, lr_fit,
    ls_output_shape, ls_apply, ls_export, ls_import, ls_free};

/* ---- Ridge ---------------------------------------------------------------------------- */

/* The checks of a Ridge fit that do not need the data. */
static pmc_status ridge_check_params(const pmc_ridge_params *params) {
    int solver = params->solver;
    if (solver < 0 || solver >= RIDGE_N_SOLVERS)
        return pmc_fail(PMC_ERR_VALUE, "solver must be an index below %d", RIDGE_N_SOLVERS);
    if (!(params->tol >= 0.0) || !isfinite(params->tol))
        return pmc_fail(PMC_ERR_VALUE, "tol must be non-negative and finite, got %g", params->tol);
    if (solver == RIDGE_LBFGS && !params->positive)
        return pmc_fail(PMC_ERR_VALUE, "'lbfgs' solver can be used only when positive=True. "
                                       "Please use another solver.");
    if (params->positive && solver != RIDGE_AUTO && solver != RIDGE_LBFGS)
        return pmc_fail(PMC_ERR_VALUE, "solver='%s' does not support positive fitting. Please "
                                       "set the solver to 'auto' or 'lbfgs', or set "
                                       "`positive=False`", pmc_ridge_solver_names[solver]);
    const pmc_view *av = &params->alpha;
    if (av->ndim == 0) return pmc_fail(PMC_ERR_VALUE, "alpha is required");
    return pmc_view_check(av, "alpha", 1, 1, -1, -1);
}

/* One Ridge fit of the problem pb, whose alpha-free work is taken from (or left
 * in) sh.  params passed ridge_check_params and share pb's fit_intercept. */
static pmc_status ridge_fit_one(const pmc_ridge_params *params, const ls_problem *pb,
                                ridge_shared *sh, pmc_ctx *ctx, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    double *alpha = NULL;
    const pmc_view *av = &params->alpha;
    const pmc_data *data = pb->data;
    int64_t n = pb->n, p = pb->p, k = pb->k;
    if (av->shape[0] != 1 && av->shape[0] != k)
        return pmc_fail(PMC_ERR_VALUE, "Number of targets and number of penalties do not "
                                       "correspond: %lld != %lld",
                        (long long)av->shape[0], (long long)k);
    PMC_ALLOC(alpha, k, "penalties");
    for (int64_t t = 0; t < k; t++) {
        alpha[t] = pmc_get(av, av->shape[0] == 1 ? 0 : t, 0);
        if (!(alpha[t] >= 0.0) || !isfinite(alpha[t])) {
            status = pmc_fail(PMC_ERR_VALUE, "alpha must be non-negative and finite, got %g",
                              alpha[t]);
            goto error;
        }
    }
    int solver = params->solver;
    int sparse = data->X.is_sparse;
    if (solver == RIDGE_AUTO)
        solver = params->positive ? RIDGE_LBFGS : (sparse ? RIDGE_SPARSE_CG : RIDGE_CHOLESKY);
    PMC_TRY(ls_model_new(&m));
    PMC_TRY(pmc_linear_coefs_alloc(&m->c, k, p));
    m->solver = solver;
    double *coef = m->c.coef;
    int converged = 1, singular = 0;
    switch (solver) {
    case RIDGE_LBFGS: PMC_TRY(ls_solve_nnls(pb, &sh->nnls, alpha, ctx, coef)); break;
    case RIDGE_SVD: PMC_TRY(ridge_svd(pb, sh, alpha, ctx, coef)); break;
    case RIDGE_CHOLESKY:
        if (!sparse && p > n && n * n <= LS_MAX_KERNEL) {
            PMC_TRY(ridge_kernel(pb, sh, alpha, ctx, coef, &singular));
        } else if (!sparse ? p <= n : ls_dense_work_ok(pb)) {
            PMC_TRY(ridge_gram(pb, sh, alpha, ctx, coef, &singular));
        } else {
            int64_t max_iter = params->max_iter > 0 ? params->max_iter
                                                    : 10 * PMC_MIN(n, p) + 10;
            PMC_ALLOC(m->n_iter, k, "n_iter_");
            PMC_TRY(ls_cgls(pb, alpha, LS_DIRECT_CG_TOL, max_iter, ctx, coef, m->n_iter,
                            &converged));
            free(m->n_iter);
            m->n_iter = NULL;
        }
        if (singular) { /* scikit-learn falls back to the SVD as well */
            m->solver = RIDGE_SVD;
            PMC_TRY(ridge_svd(pb, sh, alpha, ctx, coef));
        }
        break;
    default: { /* sparse_cg, lsqr, sag, saga */
        int gram = p <= LS_GRAM_CG_MAX_FEATURES && (!sparse || ls_dense_work_ok(pb));
        int64_t max_iter = params->max_iter > 0 ? params->max_iter
                                                : (gram ? 10 * p : 10 * PMC_MIN(n, p) + 10);
        PMC_ALLOC(m->n_iter, k, "n_iter_");
        if (gram)
            PMC_TRY(ls_cg_gram(pb, sh, alpha, params->tol, max_iter, ctx, coef, m->n_iter,
                               &converged));
        else
            PMC_TRY(ls_cgls(pb, alpha, params->tol, max_iter, ctx, coef, m->n_iter, &converged));
        if (!converged)
            pmc_warn(ctx, "Ridge's conjugate gradient solver did not reach tol=%g within "
                          "max_iter=%lld iterations.", params->tol, (long long)max_iter);
        break;
    }
    }
    if (!converged && solver == RIDGE_CHOLESKY)
        pmc_warn(ctx, "Ridge's iterative stand-in for the direct solver (X too large for a "
                      "Gram or kernel matrix) did not reach a relative residual of %g.",
                 LS_DIRECT_CG_TOL);
    ls_set_intercepts(pb, &m->c);
    *out = m;
    m = NULL;
error:
    ls_free(&m);
    free(alpha);
    return status;
}

/* scikit-learn's solver names map to these routes:
 *   'auto'       -> 'lbfgs' when positive, 'cholesky' for dense X, 'sparse_cg' for CSR
 *   'cholesky'   -> Gram (n >= p) or kernel (n < p) with Cholesky; CSR whose Gram
 *                   would be too costly: CGLS to a 1e-10 relative residual.  A
 *                   failed Cholesky (alpha = 0, singular) falls back to 'svd'.
 *   'svd'        -> SVD of the QR factor R11 (or of A when n < p)
 *   'sparse_cg', 'lsqr', 'sag', 'saga'
 *                -> conjugate gradients to `tol` (on the Gram up to 2000 features,
 *                   else CGLS), n_iter_ per target
 *   'lbfgs'      -> (positive only) exact NNLS on [R11; sqrt(alpha) I] */
static pmc_status ridge_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                            pmc_ctx *ctx, pmc_model **out) {
    const pmc_ridge_params *params = params_;
    pmc_status status = PMC_OK;
    ls_problem pb;
    ridge_shared sh;
    memset(&pb, 0, sizeof pb);
    memset(&sh, 0, sizeof sh);
    PMC_TRY(ridge_check_params(params));
    PMC_TRY(ls_problem_init(data, params->fit_intercept, ctx, &pb));
    PMC_TRY(ridge_fit_one(params, &pb, &sh, ctx, out));
error:
    ridge_shared_release(&sh);
    ls_problem_release(&pb);
    return status;
}

/* Candidates that differ in alpha only (its length included: a per-target alpha
 * is checked against y by each fit) share everything but the solve: the means,
 * and the Gram (or kernel matrix, or QR factor and its SVD, or NNLS factor) their
 * route computes.  Routes with nothing alpha-free to share (CGLS) are simply
 * fitted one after the other, as the search would. */
static int ridge_batchable(const void *a_, const void *b_) {
    const pmc_ridge_params *a = a_, *b = b_;
    return a->fit_intercept == b->fit_intercept && a->max_iter == b->max_iter &&
           a->tol == b->tol && a->solver == b->solver && a->positive == b->positive;
}

static pmc_status ridge_fit_batch(const void *const *params, int64_t n, const pmc_data *data,
                                  pmc_ctx *ctx, pmc_model **out,
                                  char (*warnings)[PMC_WARNING_SIZE]) {
    pmc_status status = PMC_OK;
    ls_problem pb;
    ridge_shared sh;
    memset(&pb, 0, sizeof pb);
    memset(&sh, 0, sizeof sh);
    for (int64_t i = 0; i < n; i++) out[i] = NULL;
    if (n < 1) return PMC_OK;
    const pmc_ridge_params *first = params[0];
    for (int64_t i = 0; i < n; i++) {
        PMC_TRY(ridge_check_params(params[i]));
        if (!ridge_batchable(first, params[i])) {
            status = pmc_fail(PMC_ERR_VALUE, "params[%lld] cannot be fitted in one batch with "
                              "params[0]", (long long)i);
            goto error;
        }
    }
    PMC_TRY(ls_problem_init(data, first->fit_intercept, ctx, &pb));
    for (int64_t i = 0; i < n; i++) {
        /* each fit warns on its own context, as a single fit would */
        pmc_ctx one = *ctx;
        one.warning[0] = '\0';
        PMC_TRY(pmc_check_interrupt(ctx));
        PMC_TRY(ridge_fit_one(params[i], &pb, &sh, &one, &out[i]));
        snprintf(warnings[i], PMC_WARNING_SIZE, "%s", one.warning);
    }
error:
    if (status != PMC_OK)
        for (int64_t i = 0; i < n; i++) ls_free(&out[i]);
    ridge_shared_release(&sh);
    ls_problem_release(&pb);
    return status;
}

static const pmc_param_spec ridge_params[] = {
    {"alpha", PMC_PARAM_VIEW, offsetof(pmc_ridge_params, alpha), NULL},
    {"fit_intercept", PMC_PARAM_BOOL, offsetof(pmc_ridge_params, fit_intercept), NULL},
    {"max_iter", PMC_PARAM_INT, offsetof(pmc_ridge_params, max_iter), NULL},
    {"tol", PMC_PARAM_DOUBLE, offsetof(pmc_ridge_params, tol), NULL},
    {"solver", PMC_PARAM_CHOICE, offsetof(pmc_ridge_params, solver), pmc_ridge_solver_names},
    {"positive", PMC_PARAM_BOOL, offsetof(pmc_ridge_params, positive), NULL},
};

const pmc_estimator pmc_ridge_estimator = {
    "Ridge", sizeof(pmc_ridge_params), ridge_params, 6, ridge_fit,
    ls_output_shape, ls_apply, ls_export, ls_import, ls_free,
    ridge_fit_batch, ridge_batchable};
