/* StandardScaler: per-feature weighted mean and variance, NaN-aware, mergeable
 * (partial_fit), and the affine transform and its inverse.
 *
 * Statistics are kept as (weight, mean, M2) triples per feature, M2 being the
 * weighted sum of squared deviations from the mean.  Rows are cut into chunks
 * that depend only on the input's shape, each chunk is summarised on its own
 * (in parallel) and the summaries are merged in chunk order, so the result does
 * not depend on the number of threads. */
#include "internal.h"
#include "pmc/preprocessing.h"

struct pmc_model {
    int64_t n_features;
    int64_t flags[2];  /* with_mean, with_std: what apply does */
    int has_moments;   /* var and n_seen hold statistics (not only a transform) */
    double *n_seen;    /* per feature: summed weight of the non-NaN values */
    double *mean, *var, *scale;
};

#define SCALER_EPS 2.220446049250313e-16 /* float64 machine epsilon */

static void scaler_free(pmc_model **m) {
    if (!*m) return;
    free((*m)->n_seen);
    free((*m)->mean);
    free((*m)->var);
    free((*m)->scale);
    free(*m);
    *m = NULL;
}

static pmc_status scaler_alloc(int64_t p, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "StandardScaler");
    m->n_features = p;
    PMC_ALLOC(m->n_seen, p, "StandardScaler");
    PMC_ALLOC(m->mean, p, "StandardScaler");
    PMC_ALLOC(m->var, p, "StandardScaler");
    PMC_ALLOC(m->scale, p, "StandardScaler");
    *out = m;
    return PMC_OK;
error:
    scaler_free(&m);
    return status;
}

/* Merges the statistics b = (wb, mb, m2b) into a = (wa, ma, m2a): the pairwise
 * update of Chan, Golub & LeVeque (1983), eq. 1.5.  An empty side contributes
 * nothing, even when its mean is NaN (a feature that has not seen a value yet;
 * scikit-learn's partial_fit would keep that NaN mean for ever). */
static void merge_moments(double *wa, double *ma, double *m2a, double wb, double mb, double m2b) {
    if (wb == 0.0) return;
    if (*wa == 0.0) {
        *wa = wb;
        *ma = mb;
        *m2a = m2b;
        return;
    }
    double w = *wa + wb, delta = mb - *ma;
    *ma += delta * (wb / w);
    *m2a += m2b + delta * delta * (*wa * wb / w);
    *wa = w;
}

/* Chunks of rows: at most 64, at least `min_rows` rows each; depends on the
 * input's shape only. */
static int64_t n_chunks_for(int64_t n, int64_t min_rows, int64_t cap) {
    int64_t c = n / PMC_MAX(min_rows, 1);
    return PMC_MAX(1, PMC_MIN(PMC_MIN(c, 64), PMC_MAX(cap, 1)));
}

/* ---- dense statistics ------------------------------------------------------ */

typedef struct {
    const pmc_data *data;
    int64_t chunk_rows;
    double *w, *mean, *m2; /* n_chunks x p: each chunk's statistics */
} dense_job;

/* One chunk, a row block at a time: the block is gathered into doubles (any
 * layout and dtype), summarised with the corrected two-pass algorithm in cache,
 * and merged into the chunk's statistics. */
static pmc_status dense_chunk(int64_t chunk, int thread, void *arg) {
    (void)thread;
    dense_job *job = arg;
    const pmc_data *d = job->data;
    int64_t p = d->X.n_cols, first = chunk * job->chunk_rows;
    int64_t count = PMC_MIN(job->chunk_rows, d->rows.n - first);
    int64_t block = pmc_block_rows(p);
    double *w = job->w + chunk * p, *mean = job->mean + chunk * p, *m2 = job->m2 + chunk * p;
    double *buf = malloc((size_t)(block * p + 4 * p) * sizeof(double));
    if (!buf) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block for StandardScaler");
    double *bw = buf + block * p, *bmean = bw + p, *bm2 = bmean + p, *bcorr = bm2 + p;
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        pmc_gather_rows(&d->X, &d->rows, first + b0, nb, buf);
        /* Pass 1: weighted sums of x - shift, the shift being the block's first
         * value of each feature; a constant feature then has a mean exactly
         * equal to its value and a variance of exactly 0. */
        for (int64_t j = 0; j < p; j++) {
            bw[j] = 0.0;
            bmean[j] = 0.0;    /* sum of w * (x - shift) for now */
            bm2[j] = NAN;      /* the shift for now */
        }
        for (int64_t b = 0; b < nb; b++) {
            double wi = pmc_weight(&d->weight, pmc_row_at(&d->rows, first + b0 + b));
            if (wi == 0.0) continue;
            const double *x = buf + b * p;
            for (int64_t j = 0; j < p; j++) {
                if (isnan(x[j])) continue;
                if (isnan(bm2[j])) bm2[j] = x[j];
                bw[j] += wi;
                bmean[j] += wi * (x[j] - bm2[j]);
            }
        }
        for (int64_t j = 0; j < p; j++) {
            bmean[j] = bw[j] != 0.0 ? bm2[j] + bmean[j] / bw[j] : 0.0;
            bm2[j] = 0.0;
            bcorr[j] = 0.0;
        }
        /* Pass 2: squared deviations, with the rounding correction of the
         * corrected two-pass algorithm (the sum of deviations is ~0). */
        for (int64_t b = 0; b < nb; b++) {
            double wi = pmc_weight(&d->weight, pmc_row_at(&d->rows, first + b0 + b));
            if (wi == 0.0) continue;
            const double *x = buf + b * p;
            for (int64_t j = 0; j < p; j++) {
                if (isnan(x[j])) continue;
                double dev = x[j] - bmean[j];
                bcorr[j] += wi * dev;
                bm2[j] += wi * dev * dev;
            }
        }
        for (int64_t j = 0; j < p; j++) {
            if (bw[j] == 0.0) continue;
            double m2_block = bm2[j] - bcorr[j] * bcorr[j] / bw[j];
            merge_moments(&w[j], &mean[j], &m2[j], bw[j], bmean[j], m2_block);
        }
    }
    free(buf);
    return PMC_OK;
}

/* Statistics of the selected rows of a dense X: w, mean and m2 (p each). */
static pmc_status dense_moments(const pmc_data *data, pmc_ctx *ctx, double *w, double *mean,
                                double *m2) {
    pmc_status status = PMC_OK;
    int64_t p = data->X.n_cols, n = data->rows.n;
    dense_job job = {data, 0, NULL, NULL, NULL};
    int64_t n_chunks = n_chunks_for(n, 8192, INT64_MAX);
    job.chunk_rows = (n + n_chunks - 1) / n_chunks;
    PMC_ALLOC(job.w, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.mean, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.m2, n_chunks * p, "StandardScaler statistics");
    PMC_TRY(pmc_parallel_for(n_chunks, ctx->n_threads, ctx, dense_chunk, &job));
    for (int64_t c = 0; c < n_chunks; c++)
        for (int64_t j = 0; j < p; j++)
            merge_moments(&w[j], &mean[j], &m2[j], job.w[c * p + j], job.mean[c * p + j],
                          job.m2[c * p + j]);
error:
    free(job.w);
    free(job.mean);
    free(job.m2);
    return status;
}

/* ---- sparse (CSR) statistics ----------------------------------------------- */

/* Two passes over the stored entries.  Pass 1 sums, per chunk and feature, the
 * weight of NaN entries, the weight and weighted sum of the other stored
 * entries, their min and max and how many entries are stored; the implicit
 * zeros are the rows' weight minus those.  Pass 2 sums squared deviations from
 * the mean over the stored entries; the implicit zeros add theirs analytically.
 * No dense block is ever formed. */
typedef struct {
    const pmc_data *data;
    int64_t chunk_rows;
    int pass;
    const double *mean;    /* pass 2: the mean of every feature */
    double *rows_w, *rows_n; /* n_chunks: summed weight and count of weighted rows */
    double *a, *b, *c, *lo, *hi, *stored; /* n_chunks x p each, see sparse_chunk */
} sparse_job;

static pmc_status sparse_chunk(int64_t chunk, int thread, void *arg) {
    (void)thread;
    sparse_job *job = arg;
    const pmc_data *d = job->data;
    const pmc_matrix *X = &d->X;
    int64_t p = X->n_cols, first = chunk * job->chunk_rows;
    int64_t count = PMC_MIN(job->chunk_rows, d->rows.n - first);
    double *a = job->a + chunk * p, *b = job->b + chunk * p, *c = job->c + chunk * p;
    double *lo = job->lo + chunk * p, *hi = job->hi + chunk * p, *stored = job->stored + chunk * p;
    if (job->pass == 1)
        for (int64_t j = 0; j < p; j++) {
            lo[j] = INFINITY;
            hi[j] = -INFINITY;
        }
    for (int64_t i = 0; i < count; i++) {
        int64_t r = pmc_row_at(&d->rows, first + i);
        double wi = pmc_weight(&d->weight, r);
        if (wi == 0.0) continue;
        int64_t k0 = pmc_get_index(&X->indptr, r), k1 = pmc_get_index(&X->indptr, r + 1);
        if (job->pass == 1) {
            job->rows_w[chunk] += wi;
            job->rows_n[chunk] += 1.0;
            for (int64_t k = k0; k < k1; k++) {
                int64_t j = pmc_get_index(&X->indices, k);
                double x = pmc_get(&X->data, k, 0);
                stored[j] += 1.0;
                if (isnan(x)) {
                    a[j] += wi; /* a: weight of NaN entries */
                    continue;
                }
                b[j] += wi;     /* b: weight of the other stored entries */
                c[j] += wi * x; /* c: their weighted sum */
                lo[j] = PMC_MIN(lo[j], x);
                hi[j] = PMC_MAX(hi[j], x);
            }
        } else {
            for (int64_t k = k0; k < k1; k++) {
                int64_t j = pmc_get_index(&X->indices, k);
                double x = pmc_get(&X->data, k, 0);
                if (isnan(x)) continue;
                double dev = x - job->mean[j];
                a[j] += wi * dev;       /* a: sum of deviations (correction term) */
                c[j] += wi * dev * dev; /* c: sum of squared deviations */
            }
        }
    }
    return PMC_OK;
}

static pmc_status sparse_moments(const pmc_data *data, pmc_ctx *ctx, double *w, double *mean,
                                 double *m2) {
    pmc_status status = PMC_OK;
    const pmc_matrix *X = &data->X;
    int64_t p = X->n_cols, n = data->rows.n, nnz = X->data.shape[0];
    sparse_job job;
    memset(&job, 0, sizeof job);
    double *w_nan = NULL, *w_stored = NULL, *implicit = NULL;
    /* Six chunk arrays of p doubles: keep them small next to the input's
     * stored entries (12 bytes each at least), so a wide, very sparse X is
     * summarised in a single chunk. */
    int64_t n_chunks = n_chunks_for(n, 8192, nnz / PMC_MAX(48 * p, 1));
    job.data = data;
    job.chunk_rows = (n + n_chunks - 1) / n_chunks;
    PMC_ALLOC(job.rows_w, n_chunks, "StandardScaler statistics");
    PMC_ALLOC(job.rows_n, n_chunks, "StandardScaler statistics");
    PMC_ALLOC(job.a, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.b, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.c, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.lo, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.hi, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(job.stored, n_chunks * p, "StandardScaler statistics");
    PMC_ALLOC(w_nan, p, "StandardScaler statistics");
    PMC_ALLOC(w_stored, p, "StandardScaler statistics");
    PMC_ALLOC(implicit, p, "StandardScaler statistics");

    job.pass = 1;
    PMC_TRY(pmc_parallel_for(n_chunks, ctx->n_threads, ctx, sparse_chunk, &job));
    double rows_w = 0.0, rows_n = 0.0;
    for (int64_t c = 0; c < n_chunks; c++) {
        rows_w += job.rows_w[c];
        rows_n += job.rows_n[c];
    }
    for (int64_t j = 0; j < p; j++) {
        double sum = 0.0, n_stored = 0.0, lo = INFINITY, hi = -INFINITY;
        for (int64_t c = 0; c < n_chunks; c++) {
            w_nan[j] += job.a[c * p + j];
            w_stored[j] += job.b[c * p + j];
            sum += job.c[c * p + j];
            n_stored += job.stored[c * p + j];
            lo = PMC_MIN(lo, job.lo[c * p + j]);
            hi = PMC_MAX(hi, job.hi[c * p + j]);
        }
        w[j] = rows_w - w_nan[j];
        /* Weight of the implicit zeros: exactly 0 when every row stores the
         * feature (the difference of sums would leave rounding dust). */
        implicit[j] = n_stored < rows_n ? w[j] - w_stored[j] : 0.0;
        if (implicit[j] == 0.0 && lo == hi)
            mean[j] = lo; /* a constant feature: its exact value */
        else
            mean[j] = w[j] != 0.0 ? sum / w[j] : 0.0;
    }

    job.pass = 2;
    job.mean = mean;
    memset(job.a, 0, (size_t)(n_chunks * p) * sizeof(double));
    memset(job.c, 0, (size_t)(n_chunks * p) * sizeof(double));
    PMC_TRY(pmc_parallel_for(n_chunks, ctx->n_threads, ctx, sparse_chunk, &job));
    for (int64_t j = 0; j < p; j++) {
        double corr = -implicit[j] * mean[j], sq = implicit[j] * mean[j] * mean[j];
        for (int64_t c = 0; c < n_chunks; c++) {
            corr += job.a[c * p + j];
            sq += job.c[c * p + j];
        }
        m2[j] = w[j] != 0.0 ? sq - corr * corr / w[j] : 0.0;
    }
error:
    free(job.rows_w);
    free(job.rows_n);
    free(job.a);
    free(job.b);
    free(job.c);
    free(job.lo);
    free(job.hi);
    free(job.stored);
    free(w_nan);
    free(w_stored);
    free(implicit);
    return status;
}

/* ---- fit ------------------------------------------------------------------- */

static pmc_status scaler_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                             pmc_ctx *ctx, pmc_model **out) {
    const pmc_standard_scaler_params *params = params_;
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    double *w = NULL, *mean = NULL, *m2 = NULL;
    int64_t p = data->X.n_cols;
    if (init && init->n_features != p)
        return pmc_fail(PMC_ERR_VALUE,
                        "X has %lld features, but StandardScaler was fitted with %lld features",
                        (long long)p, (long long)init->n_features);
    if (init && !init->has_moments)
        return pmc_fail(PMC_ERR_VALUE, "the StandardScaler state to continue from lacks var_ "
                                       "and n_samples_seen_");
    if (data->weight.ndim != 0 && data->weight.shape[0] != data->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight has %lld entries, but X has %lld rows",
                        (long long)data->weight.shape[0], (long long)data->X.n_rows);
    PMC_TRY(scaler_alloc(p, &m));
    m->flags[0] = params->with_mean != 0;
    m->flags[1] = params->with_std != 0;
    m->has_moments = 1;
    PMC_ALLOC(w, p, "StandardScaler statistics");
    PMC_ALLOC(mean, p, "StandardScaler statistics");
    PMC_ALLOC(m2, p, "StandardScaler statistics");
    if (data->rows.n > 0) {
        if (data->X.is_sparse) PMC_TRY(sparse_moments(data, ctx, w, mean, m2));
        else PMC_TRY(dense_moments(data, ctx, w, mean, m2));
    }
    for (int64_t j = 0; j < p; j++) {
        double wa = 0.0, ma = 0.0, m2a = 0.0;
        if (init) {
            wa = init->n_seen[j];
            ma = init->mean[j];
            m2a = init->var[j] * wa;
        }
        merge_moments(&wa, &ma, &m2a, w[j], mean[j], m2[j]);
        m->n_seen[j] = wa;
        if (wa == 0.0) { /* nothing seen: scikit-learn's 0 / 0 */
            m->mean[j] = m->var[j] = m->scale[j] = NAN;
            continue;
        }
        double var = m2a / wa;
        if (var < 0.0) var = 0.0; /* rounding of a (near) constant feature */
        m->mean[j] = ma;
        m->var[j] = var;
        /* scikit-learn's _is_constant_feature: a variance within the error
         * bound of the two-pass algorithm, n.eps.var + (n.mean.eps)^2, is 0. */
        double bound = wa * SCALER_EPS * var + (wa * ma * SCALER_EPS) * (wa * ma * SCALER_EPS);
        m->scale[j] = var <= bound ? 1.0 : sqrt(var);
    }
    *out = m;
    m = NULL;
error:
    free(w);
    free(mean);
    free(m2);
    scaler_free(&m);
    return status;
}

/* ---- transform --------------------------------------------------------------- */

static pmc_status scaler_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                      int64_t *n_cols, pmc_dtype *dtype) {
    if (method != PMC_TRANSFORM && method != PMC_INVERSE_TRANSFORM)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "StandardScaler has no %s", pmc_method_name(method));
    *n_cols = m->n_features;
    *dtype = X_dtype == PMC_FLOAT32 ? PMC_FLOAT32 : PMC_FLOAT64;
    return PMC_OK;
}

/* Resolved from common/, where template.h includes it. */
#define PMC_TEMPLATE "../preprocessing/scaler_impl.h"
#include "../common/template.h"

typedef struct {
    const pmc_matrix *X;
    pmc_rows rows;
    pmc_view *out;
    int64_t p, block;
    int inverse;
    const double *shift, *scale;
} apply_job;

/* One row block.  Contiguous rows of the output's dtype go straight through;
 * any other layout is gathered whole into a buffer before anything is written.
 * Both make out == X (in place) safe. */
static pmc_status apply_block(int64_t task, int thread, void *arg) {
    (void)thread;
    apply_job *job = arg;
    int64_t p = job->p, first = task * job->block;
    int64_t count = PMC_MIN(job->block, job->rows.n - first);
    const pmc_view *X = &job->X->dense;
    pmc_view *out = job->out;
    int64_t item = (int64_t)pmc_dtype_size(out->dtype);
    if (!job->X->is_sparse && X->dtype == out->dtype && X->strides[1] == item &&
        out->strides[1] == item) { /* fast path: rows contiguous, same dtype */
        if (out->dtype == PMC_FLOAT32)
            affine_rows_f32(X, &job->rows, out, first, count, p, job->inverse, job->shift,
                            job->scale);
        else
            affine_rows_f64(X, &job->rows, out, first, count, p, job->inverse, job->shift,
                            job->scale);
        return PMC_OK;
    }
    double *buf = malloc((size_t)(count * p) * sizeof(double));
    if (!buf) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block for StandardScaler");
    pmc_gather_rows(job->X, &job->rows, first, count, buf);
    for (int64_t b = 0; b < count; b++) {
        double *x = buf + b * p;
        if (job->inverse)
            for (int64_t j = 0; j < p; j++) x[j] = x[j] * job->scale[j] + job->shift[j];
        else
            for (int64_t j = 0; j < p; j++) x[j] = (x[j] - job->shift[j]) / job->scale[j];
    }
    if (job->out->dtype == PMC_FLOAT32) store_rows_f32(job->out, first, count, p, buf);
    else store_rows_f64(job->out, first, count, p, buf);
    free(buf);
    return PMC_OK;
}

static pmc_status scaler_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                               pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    pmc_status status = PMC_OK;
    int64_t p = m->n_features;
    double *shift = NULL, *scale = NULL;
    if (method != PMC_TRANSFORM && method != PMC_INVERSE_TRANSFORM)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "StandardScaler has no %s", pmc_method_name(method));
    if (X->n_cols != p)
        return pmc_fail(PMC_ERR_VALUE,
                        "X has %lld features, but StandardScaler is expecting %lld features as "
                        "input",
                        (long long)X->n_cols, (long long)p);
    if ((status = pmc_view_check(out, "out", 1, 2, rows.n, p)) != PMC_OK) return status;
    PMC_ALLOC(shift, p, "StandardScaler");
    PMC_ALLOC(scale, p, "StandardScaler");
    for (int64_t j = 0; j < p; j++) {
        shift[j] = m->flags[0] ? m->mean[j] : 0.0;
        scale[j] = m->flags[1] ? m->scale[j] : 1.0;
    }
    apply_job job = {X, rows, out, p, pmc_block_rows(p), method == PMC_INVERSE_TRANSFORM,
                     shift, scale};
    int64_t n_tasks = (rows.n + job.block - 1) / job.block;
    status = pmc_parallel_for(n_tasks, ctx->n_threads, ctx, apply_block, &job);
error:
    free(shift);
    free(scale);
    return status;
}

/* ---- state --------------------------------------------------------------------- */

static pmc_status scaler_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_export(out, "mean_", m->mean, m->n_features, 0));
    PMC_TRY(pmc_export(out, "var_", m->var, m->n_features, 0));
    PMC_TRY(pmc_export(out, "scale_", m->scale, m->n_features, 0));
    PMC_TRY(pmc_export(out, "n_samples_seen_", m->n_seen, m->n_features, 0));
    PMC_TRY(pmc_arrays_add(out, "flags", pmc_view_1d((void *)m->flags, PMC_INT64, 2)));
error:
    return status;
}

/* A float vector of p entries named `name`, or NULL with PMC_OK if absent and
 * optional. */
static pmc_status float_vector(const pmc_arrays *in, const char *name, int64_t p, int optional,
                               const pmc_view **out) {
    *out = pmc_arrays_find(in, name);
    if (!*out) {
        if (optional) return PMC_OK;
        return pmc_fail(PMC_ERR_VALUE, "StandardScaler state lacks the array '%s'", name);
    }
    return pmc_view_check(*out, name, 1, 1, p, -1);
}

static pmc_status scaler_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    const pmc_view *mean, *var, *scale, *seen, *flags;
    PMC_TRY(float_vector(in, "mean_", -1, 0, &mean));
    int64_t p = mean->shape[0];
    PMC_TRY(float_vector(in, "scale_", p, 0, &scale));
    PMC_TRY(float_vector(in, "var_", p, 1, &var));
    PMC_TRY(float_vector(in, "n_samples_seen_", p, 1, &seen));
    if (!var != !seen) {
        status = pmc_fail(PMC_ERR_VALUE, "StandardScaler state has one of var_ and "
                                         "n_samples_seen_ but not the other");
        goto error;
    }
    PMC_TRY(pmc_arrays_get(in, "flags", 1, 2, -1, &flags));
    if (flags->dtype != PMC_INT32 && flags->dtype != PMC_INT64) {
        status = pmc_fail(PMC_ERR_VALUE, "StandardScaler flags must be integers, got %s",
                          pmc_dtype_name(flags->dtype));
        goto error;
    }
    PMC_TRY(scaler_alloc(p, &m));
    for (int k = 0; k < 2; k++) {
        int64_t f = pmc_get_index(flags, k);
        if (f != 0 && f != 1) {
            status = pmc_fail(PMC_ERR_VALUE, "StandardScaler flags must be 0 or 1, got %lld",
                              (long long)f);
            goto error;
        }
        m->flags[k] = f;
    }
    m->has_moments = var != NULL;
    for (int64_t j = 0; j < p; j++) {
        m->mean[j] = pmc_get(mean, j, 0);
        m->scale[j] = pmc_get(scale, j, 0);
        m->var[j] = var ? pmc_get(var, j, 0) : NAN;
        m->n_seen[j] = seen ? pmc_get(seen, j, 0) : 0.0;
    }
    *out = m;
    return PMC_OK;
error:
    scaler_free(&m);
    return status;
}

static const pmc_param_spec scaler_params[] = {
    {"with_mean", PMC_PARAM_BOOL, offsetof(pmc_standard_scaler_params, with_mean), NULL},
    {"with_std", PMC_PARAM_BOOL, offsetof(pmc_standard_scaler_params, with_std), NULL},
};

const pmc_estimator pmc_standard_scaler_estimator = {
    "StandardScaler", sizeof(pmc_standard_scaler_params), scaler_params, 2,
    scaler_fit, scaler_output_shape, scaler_apply, scaler_export, scaler_import, scaler_free};
