/* Building blocks shared by the linear models: weighted means, centred cross
 * products (Gram matrix and X^T y), the linear decision function and X^T u.
 * Dense float64 data that BLAS can read in place is passed to it directly;
 * everything else (float32, strided, row subsets, CSR) goes through small
 * row blocks gathered into double. */
#include "blas.h"
#include "internal.h"
#include "pmc/linear.h"

/* ---- weighted means -------------------------------------------------------- */

typedef struct {
    const pmc_data *data;
    int64_t n_targets, n_chunks;
    double *sum_w, *sum_x, *sum_y; /* per chunk: 1, p, k */
} means_job;

static pmc_status means_chunk(int64_t c, int thread, void *arg) {
    means_job *job = arg;
    const pmc_data *d = job->data;
    int64_t p = d->X.n_cols, k = job->n_targets, first, count;
    pmc_chunk_range(d->rows.n, job->n_chunks, c, &first, &count);
    int64_t block = pmc_block_rows(p);
    double *buf = malloc((size_t)(block * p) * sizeof(double));
    if (!buf) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
    double *sx = job->sum_x + c * p, *sy = job->sum_y + c * k, sw = 0.0;
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        pmc_gather_rows(&d->X, &d->rows, first + b0, nb, buf);
        for (int64_t b = 0; b < nb; b++) {
            int64_t r = pmc_row_at(&d->rows, first + b0 + b);
            double w = pmc_weight(&d->weight, r);
            if (!(w >= 0.0)) {
                free(buf);
                return pmc_fail(PMC_ERR_VALUE, "sample_weight must be non-negative and finite");
            }
            sw += w;
            for (int64_t j = 0; j < p; j++) sx[j] += w * buf[b * p + j];
            for (int64_t t = 0; t < k; t++) sy[t] += w * pmc_get(&d->y, r, t);
        }
    }
    job->sum_w[c] = sw;
    free(buf);
    return PMC_OK;
}

pmc_status pmc_linear_means(const pmc_data *data, int64_t n_targets, pmc_ctx *ctx,
                            double *x_mean, double *y_mean, double *weight_sum) {
    pmc_status status = PMC_OK;
    int64_t p = data->X.n_cols, k = n_targets;
    means_job job = {data, k, pmc_reduction_chunks(data->rows.n, 8192, 64), NULL, NULL, NULL};
    PMC_ALLOC(job.sum_w, job.n_chunks, "means");
    PMC_ALLOC(job.sum_x, job.n_chunks * p, "means");
    PMC_ALLOC(job.sum_y, job.n_chunks * PMC_MAX(k, 1), "means");
    PMC_TRY(pmc_parallel_for(job.n_chunks, ctx->n_threads, ctx, means_chunk, &job));
    double sw = 0.0;
    for (int64_t j = 0; j < p; j++) x_mean[j] = 0.0;
    for (int64_t t = 0; t < k; t++) y_mean[t] = 0.0;
    for (int64_t c = 0; c < job.n_chunks; c++) {
        sw += job.sum_w[c];
        for (int64_t j = 0; j < p; j++) x_mean[j] += job.sum_x[c * p + j];
        for (int64_t t = 0; t < k; t++) y_mean[t] += job.sum_y[c * k + t];
    }
    if (!(sw > 0.0)) {
        status = pmc_fail(PMC_ERR_VALUE, "sample_weight sums to zero: nothing to fit");
        goto error;
    }
    for (int64_t j = 0; j < p; j++) x_mean[j] /= sw;
    for (int64_t t = 0; t < k; t++) y_mean[t] /= sw;
    *weight_sum = sw;
error:
    free(job.sum_w);
    free(job.sum_x);
    free(job.sum_y);
    return status;
}

/* ---- cross products ------------------------------------------------------- */

typedef struct {
    const pmc_data *data;
    int64_t n_targets, n_chunks;
    const double *x_mean, *y_mean;
    double *gram, *xty, *yty; /* per chunk: p*p, p*k, k */
} cross_job;

static pmc_status cross_chunk(int64_t c, int thread, void *arg) {
    cross_job *job = arg;
    const pmc_data *d = job->data;
    int64_t p = d->X.n_cols, k = job->n_targets, first, count;
    pmc_chunk_range(d->rows.n, job->n_chunks, c, &first, &count);
    int64_t block = pmc_block_rows(p);
    double *a = malloc((size_t)(block * p) * sizeof(double));
    double *yb = malloc((size_t)(block * PMC_MAX(k, 1)) * sizeof(double));
    if (!a || !yb) {
        free(a);
        free(yb);
        return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
    }
    double *gram = job->gram + c * p * p, *xty = job->xty + c * p * k, *yty = job->yty + c * k;
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        pmc_gather_rows(&d->X, &d->rows, first + b0, nb, a);
        /* Rows scaled by sqrt(w) turn the weighted sums into plain products. */
        for (int64_t b = 0; b < nb; b++) {
            int64_t r = pmc_row_at(&d->rows, first + b0 + b);
            double w = pmc_weight(&d->weight, r);
            if (!(w >= 0.0)) {
                free(a);
                free(yb);
                return pmc_fail(PMC_ERR_VALUE, "sample_weight must be non-negative and finite");
            }
            double s = sqrt(w);
            for (int64_t j = 0; j < p; j++)
                a[b * p + j] = s * (a[b * p + j] - (job->x_mean ? job->x_mean[j] : 0.0));
            for (int64_t t = 0; t < k; t++) {
                double yv = s * (pmc_get(&d->y, r, t) - (job->y_mean ? job->y_mean[t] : 0.0));
                yb[b * k + t] = yv;
                yty[t] += yv * yv;
            }
        }
        pmc_cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)nb, 1.0, a, (int)p,
                        1.0, gram, (int)p);
        if (k > 0)
            pmc_cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)nb, 1.0,
                            a, (int)p, yb, (int)k, 1.0, xty, (int)k);
    }
    free(a);
    free(yb);
    return PMC_OK;
}

pmc_status pmc_linear_cross_products(const pmc_data *data, int64_t n_targets,
                                     const double *x_mean, const double *y_mean, pmc_ctx *ctx,
                                     double *gram, double *xty, double *yty) {
    pmc_status status = PMC_OK;
    int64_t p = data->X.n_cols, k = n_targets;
    if (p > INT32_MAX || k > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "too many features for a dense Gram matrix");
    /* Each chunk keeps its own p x p partial Gram; cap their memory at ~64 MiB. */
    int64_t max_chunks = PMC_MAX(1, PMC_MIN(64, (int64_t)(8 << 20) / PMC_MAX(p * p, 1)));
    cross_job job = {data, k, pmc_reduction_chunks(data->rows.n, 16384, max_chunks),
                     x_mean, y_mean, NULL, NULL, NULL};
    PMC_ALLOC(job.gram, job.n_chunks * p * p, "Gram matrix");
    PMC_ALLOC(job.xty, job.n_chunks * p * PMC_MAX(k, 1), "X^T y");
    PMC_ALLOC(job.yty, job.n_chunks * PMC_MAX(k, 1), "y^T y");
    PMC_TRY(pmc_parallel_for(job.n_chunks, ctx->n_threads, ctx, cross_chunk, &job));
    memset(gram, 0, (size_t)(p * p) * sizeof(double));
    if (k > 0) memset(xty, 0, (size_t)(p * k) * sizeof(double));
    if (yty) memset(yty, 0, (size_t)k * sizeof(double));
    for (int64_t c = 0; c < job.n_chunks; c++) {
        for (int64_t i = 0; i < p * p; i++) gram[i] += job.gram[c * p * p + i];
        for (int64_t i = 0; i < p * k; i++) xty[i] += job.xty[c * p * k + i];
        if (yty)
            for (int64_t t = 0; t < k; t++) yty[t] += job.yty[c * k + t];
    }
    for (int64_t i = 0; i < p; i++) /* dsyrk filled the upper triangle */
        for (int64_t j = 0; j < i; j++) gram[i * p + j] = gram[j * p + i];
error:
    free(job.gram);
    free(job.xty);
    free(job.yty);
    return status;
}

/* ---- decision function ---------------------------------------------------- */

typedef struct {
    const double *coef, *intercept;
    int64_t k, chunk_rows;
    const pmc_matrix *X;
    pmc_rows rows;
    pmc_view *out;
} decision_job;

static pmc_status decision_chunk(int64_t c, int thread, void *arg) {
    decision_job *job = arg;
    const pmc_matrix *X = job->X;
    int64_t p = X->n_cols, k = job->k, first = c * job->chunk_rows;
    int64_t count = PMC_MIN(job->chunk_rows, job->rows.n - first);
    double *res = calloc((size_t)(count * k), sizeof(double));
    double *a = NULL;
    if (!res) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
    if (X->is_sparse) {
        for (int64_t b = 0; b < count; b++) {
            int64_t r = pmc_row_at(&job->rows, first + b);
            int64_t lo = pmc_get_index(&X->indptr, r), hi = pmc_get_index(&X->indptr, r + 1);
            for (int64_t q = lo; q < hi; q++) {
                int64_t j = pmc_get_index(&X->indices, q);
                double v = pmc_get(&X->data, q, 0);
                for (int64_t t = 0; t < k; t++) res[b * k + t] += v * job->coef[t * p + j];
            }
        }
    } else {
        const double *ptr;
        int64_t ld;
        int col_major;
        if (!pmc_blas_view(X, &job->rows, first, &ptr, &ld, &col_major)) {
            a = malloc((size_t)(count * p) * sizeof(double));
            if (!a) {
                free(res);
                return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
            }
            pmc_gather_rows(X, &job->rows, first, count, a);
            ptr = a;
            ld = p;
            col_major = 0;
        }
        /* res (count x k) = X_block (count x p) coef^T (p x k); a column-major block
         * reads as its transpose in row-major terms.  One target: gemv (gemm would
         * pack the block first). */
        if (k == 1)
            pmc_cblas_dgemv(col_major ? CblasColMajor : CblasRowMajor, CblasNoTrans, (int)count,
                            (int)p, 1.0, ptr, (int)ld, job->coef, 1, 0.0, res, 1);
        else
            pmc_cblas_dgemm(CblasRowMajor, col_major ? CblasTrans : CblasNoTrans, CblasTrans,
                            (int)count, (int)k, (int)p, 1.0, ptr, (int)ld, job->coef, (int)p,
                            0.0, res, (int)k);
    }
    for (int64_t b = 0; b < count; b++)
        for (int64_t t = 0; t < k; t++)
            pmc_put(job->out, first + b, job->out->ndim == 2 ? t : 0,
                    res[b * k + t] + (job->intercept ? job->intercept[t] : 0.0));
    free(res);
    free(a);
    return PMC_OK;
}

pmc_status pmc_linear_decision(const double *coef, const double *intercept, int64_t n_targets,
                               const pmc_matrix *X, pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (X->n_cols > INT32_MAX || n_targets > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "X has too many columns");
    if (out->shape[0] != rows.n || (out->ndim == 2 && out->shape[1] != n_targets) ||
        (out->ndim == 1 && n_targets != 1))
        return pmc_fail(PMC_ERR_INTERNAL, "decision output has the wrong shape");
    decision_job job = {coef, intercept, n_targets, PMC_MAX(pmc_block_rows(X->n_cols), 256), X,
                        rows, out};
    int64_t n_chunks = (rows.n + job.chunk_rows - 1) / job.chunk_rows;
    return pmc_parallel_for(n_chunks, ctx->n_threads, ctx, decision_chunk, &job);
}

/* ---- X^T u ------------------------------------------------------------------ */

typedef struct {
    const pmc_matrix *X;
    pmc_rows rows;
    const double *u;
    int64_t k, n_chunks;
    double *partial; /* per chunk: p x k */
} transpose_job;

static pmc_status transpose_chunk(int64_t c, int thread, void *arg) {
    transpose_job *job = arg;
    const pmc_matrix *X = job->X;
    int64_t p = X->n_cols, k = job->k, first, count;
    pmc_chunk_range(job->rows.n, job->n_chunks, c, &first, &count);
    double *acc = job->partial + c * p * k;
    if (X->is_sparse) {
        for (int64_t b = 0; b < count; b++) {
            int64_t r = pmc_row_at(&job->rows, first + b);
            const double *ub = job->u + (first + b) * k;
            int64_t lo = pmc_get_index(&X->indptr, r), hi = pmc_get_index(&X->indptr, r + 1);
            for (int64_t q = lo; q < hi; q++) {
                int64_t j = pmc_get_index(&X->indices, q);
                double v = pmc_get(&X->data, q, 0);
                for (int64_t t = 0; t < k; t++) acc[j * k + t] += v * ub[t];
            }
        }
        return PMC_OK;
    }
    int64_t block = pmc_block_rows(p);
    double *a = NULL;
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        const double *ptr;
        int64_t ld;
        int col_major;
        if (!pmc_blas_view(X, &job->rows, first + b0, &ptr, &ld, &col_major)) {
            if (!a && !(a = malloc((size_t)(block * p) * sizeof(double))))
                return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
            pmc_gather_rows(X, &job->rows, first + b0, nb, a);
            ptr = a;
            ld = p;
            col_major = 0;
        }
        /* acc (p x k, row-major) += X_block^T (p x nb) u_block (nb x k) */
        if (k == 1) /* gemv: no packing of the block */
            pmc_cblas_dgemv(col_major ? CblasColMajor : CblasRowMajor, CblasTrans, (int)nb,
                            (int)p, 1.0, ptr, (int)ld, job->u + (first + b0), 1, 1.0, acc, 1);
        else if (col_major)
            pmc_cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)p, (int)k, (int)nb,
                            1.0, ptr, (int)ld, job->u + (first + b0) * k, (int)k, 1.0, acc,
                            (int)k);
        else
            pmc_cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)k, (int)nb, 1.0,
                            ptr, (int)ld, job->u + (first + b0) * k, (int)k, 1.0, acc, (int)k);
    }
    free(a);
    return PMC_OK;
}

pmc_status pmc_linear_transpose_dot(const pmc_matrix *X, pmc_rows rows, const double *u,
                                    int64_t k, pmc_ctx *ctx, double *out) {
    pmc_status status = PMC_OK;
    int64_t p = X->n_cols;
    if (p > INT32_MAX || k > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "X has too many columns");
    int64_t max_chunks = PMC_MAX(1, PMC_MIN(64, (int64_t)(8 << 20) / PMC_MAX(p * k, 1)));
    transpose_job job = {X, rows, u, k, pmc_reduction_chunks(rows.n, 8192, max_chunks), NULL};
    PMC_ALLOC(job.partial, job.n_chunks * p * k, "X^T u");
    PMC_TRY(pmc_parallel_for(job.n_chunks, ctx->n_threads, ctx, transpose_chunk, &job));
    memset(out, 0, (size_t)(p * k) * sizeof(double));
    for (int64_t c = 0; c < job.n_chunks; c++)
        for (int64_t i = 0; i < p * k; i++) out[i] += job.partial[c * p * k + i];
error:
    free(job.partial);
    return status;
}

/* ---- fitted coefficients ------------------------------------------------------ */

pmc_status pmc_linear_coefs_alloc(pmc_linear_coefs *c, int64_t n_targets, int64_t n_features) {
    pmc_status status = PMC_OK;
    memset(c, 0, sizeof *c);
    c->n_targets = n_targets;
    c->n_features = n_features;
    PMC_ALLOC(c->coef, n_targets * n_features, "coef_");
    PMC_ALLOC(c->intercept, n_targets, "intercept_");
    return PMC_OK;
error:
    pmc_linear_coefs_release(c);
    return status;
}

void pmc_linear_coefs_release(pmc_linear_coefs *c) {
    free(c->coef);
    free(c->intercept);
    c->coef = c->intercept = NULL;
}

pmc_status pmc_linear_coefs_export(const pmc_linear_coefs *c, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_export(out, "coef_", c->coef, c->n_targets, c->n_features));
    PMC_TRY(pmc_export(out, "intercept_", c->intercept, c->n_targets, 0));
error:
    return status;
}

pmc_status pmc_linear_coefs_import(const pmc_arrays *in, pmc_linear_coefs *c) {
    pmc_status status = PMC_OK;
    const pmc_view *coef, *intercept;
    PMC_TRY(pmc_arrays_get(in, "coef_", 0, -1, -1, &coef));
    int64_t k = coef->ndim == 2 ? coef->shape[0] : 1;
    int64_t p = coef->ndim == 2 ? coef->shape[1] : coef->shape[0];
    PMC_TRY(pmc_arrays_get(in, "intercept_", 1, k, -1, &intercept));
    if (coef->dtype != PMC_FLOAT32 && coef->dtype != PMC_FLOAT64)
        return pmc_fail(PMC_ERR_VALUE, "coef_ must be float32 or float64");
    PMC_TRY(pmc_linear_coefs_alloc(c, k, p));
    for (int64_t t = 0; t < k; t++) {
        c->intercept[t] = pmc_get(intercept, t, 0);
        for (int64_t j = 0; j < p; j++)
            c->coef[t * p + j] = coef->ndim == 2 ? pmc_get(coef, t, j) : pmc_get(coef, j, 0);
    }
error:
    return status;
}

pmc_status pmc_linear_coefs_output_shape(const pmc_linear_coefs *c, pmc_dtype X_dtype,
                                         int64_t *n_cols, pmc_dtype *dtype) {
    *n_cols = c->n_targets == 1 ? 0 : c->n_targets;
    *dtype = X_dtype;
    return PMC_OK;
}

pmc_status pmc_linear_coefs_decision(const pmc_linear_coefs *c, const pmc_matrix *X,
                                     pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (X->n_cols != c->n_features)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld features, but the model is expecting %lld",
                        (long long)X->n_cols, (long long)c->n_features);
    return pmc_linear_decision(c->coef, c->intercept, c->n_targets, X, rows, ctx, out);
}
