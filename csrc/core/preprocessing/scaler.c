/* StandardScaler: per-feature weighted mean and variance, NaN-aware, mergeable
 * (partial_fit), and the affine transform and its inverse. */
#include "internal.h"
#include "pmc/preprocessing.h"

struct pmc_model {
    int64_t n_features;
    int with_mean, with_std;
    double *weight_seen; /* per feature: summed weight of non-NaN values */
    double *mean, *var, *scale;
};

static void scaler_free(pmc_model **m) {
    if (!*m) return;
    free((*m)->weight_seen);
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
    PMC_ALLOC(m->weight_seen, p, "StandardScaler");
    PMC_ALLOC(m->mean, p, "StandardScaler");
    PMC_ALLOC(m->var, p, "StandardScaler");
    PMC_ALLOC(m->scale, p, "StandardScaler");
    *out = m;
    return PMC_OK;
error:
    scaler_free(&m);
    return status;
}

/* Partial statistics of one chunk of rows: weight, mean and M2 per feature. */
typedef struct {
    const pmc_data *data;
    int64_t chunk_rows;
    double *weight, *mean, *m2; /* n_chunks x p */
} moments_job;

static pmc_status chunk_moments(int64_t chunk, int thread, void *arg) {
    moments_job *job = arg;
    const pmc_matrix *X = &job->data->X;
    int64_t p = X->n_cols, first = chunk * job->chunk_rows;
    int64_t count = PMC_MIN(job->chunk_rows, job->data->rows.n - first);
    int64_t block = pmc_block_rows(p);
    double *w = job->weight + chunk * p, *mean = job->mean + chunk * p, *m2 = job->m2 + chunk * p;
    double *buf = malloc((size_t)(block * p) * sizeof(double));
    if (!buf) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        pmc_gather_rows(X, &job->data->rows, first + b0, nb, buf);
        for (int64_t b = 0; b < nb; b++) {
            double wi = pmc_weight(&job->data->weight, pmc_row_at(&job->data->rows, first + b0 + b));
            if (wi == 0.0) continue;
            const double *x = buf + b * p;
            for (int64_t j = 0; j < p; j++) { /* West's weighted update */
                if (isnan(x[j])) continue;
                double w_new = w[j] + wi, delta = x[j] - mean[j];
                double r = delta * wi / w_new;
                mean[j] += r;
                m2[j] += w[j] * delta * r;
                w[j] = w_new;
            }
        }
    }
    free(buf);
    return PMC_OK;
}

/* Chan et al.'s merge of (wb, mb, m2b) into (wa, ma, m2a). */
static void merge_moments(double *wa, double *ma, double *m2a, double wb, double mb, double m2b) {
    if (wb == 0.0) return;
    double w = *wa + wb, delta = mb - *ma;
    *ma += delta * wb / w;
    *m2a += m2b + delta * delta * *wa * wb / w;
    *wa = w;
}

static pmc_status scaler_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                             pmc_ctx *ctx, pmc_model **out) {
    const pmc_standard_scaler_params *params = params_;
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    moments_job job = {data, 0, NULL, NULL, NULL};
    int64_t p = data->X.n_cols, n = data->rows.n;
    if (init && init->n_features != p)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld features, but StandardScaler was fitted with %lld",
                        (long long)p, (long long)init->n_features);
    PMC_TRY(scaler_alloc(p, &m));
    m->with_mean = params->with_mean;
    m->with_std = params->with_std;
    if (init) {
        memcpy(m->weight_seen, init->weight_seen, (size_t)p * sizeof(double));
        memcpy(m->mean, init->mean, (size_t)p * sizeof(double));
        for (int64_t j = 0; j < p; j++) m->var[j] = init->var[j] * init->weight_seen[j];
    }
    /* Chunks depend on n only, and merge in order: same result for any thread count. */
    int64_t n_chunks = PMC_MAX(1, PMC_MIN(64, n / 8192));
    job.chunk_rows = (n + n_chunks - 1) / PMC_MAX(n_chunks, 1);
    PMC_ALLOC(job.weight, n_chunks * p, "StandardScaler moments");
    PMC_ALLOC(job.mean, n_chunks * p, "StandardScaler moments");
    PMC_ALLOC(job.m2, n_chunks * p, "StandardScaler moments");
    if (n > 0) PMC_TRY(pmc_parallel_for(n_chunks, ctx->n_threads, ctx, chunk_moments, &job));
    for (int64_t c = 0; c < n_chunks; c++)
        for (int64_t j = 0; j < p; j++)
            merge_moments(&m->weight_seen[j], &m->mean[j], &m->var[j], job.weight[c * p + j],
                          job.mean[c * p + j], job.m2[c * p + j]);
    for (int64_t j = 0; j < p; j++) {
        m->var[j] = m->weight_seen[j] > 0 ? m->var[j] / m->weight_seen[j] : 0.0;
        if (m->var[j] < 0) m->var[j] = 0;
        /* Constant features keep their scale: a variance at rounding level of the
         * mean counts as zero, as scikit-learn's _handle_zeros_in_scale does. */
        double tiny = 10.0 * 2.220446049250313e-16 * (m->mean[j] * m->mean[j]);
        m->scale[j] = (m->var[j] <= tiny || m->var[j] == 0.0) ? 1.0 : sqrt(m->var[j]);
    }
    *out = m;
    m = NULL;
error:
    free(job.weight);
    free(job.mean);
    free(job.m2);
    scaler_free(&m);
    return status;
}

static pmc_status scaler_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                      int64_t *n_cols, pmc_dtype *dtype) {
    if (method != PMC_TRANSFORM && method != PMC_INVERSE_TRANSFORM)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "StandardScaler has no %s", pmc_method_name(method));
    *n_cols = m->n_features;
    *dtype = X_dtype;
    return PMC_OK;
}

typedef struct {
    const pmc_model *m;
    const pmc_matrix *X;
    pmc_rows rows;
    pmc_view *out;
    int inverse;
    int64_t chunk_rows;
} transform_job;

static pmc_status transform_chunk(int64_t chunk, int thread, void *arg) {
    transform_job *job = arg;
    const pmc_model *m = job->m;
    int64_t p = m->n_features, first = chunk * job->chunk_rows;
    int64_t count = PMC_MIN(job->chunk_rows, job->rows.n - first);
    double *buf = malloc((size_t)(count * p) * sizeof(double));
    if (!buf) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a row block");
    pmc_gather_rows(job->X, &job->rows, first, count, buf);
    for (int64_t b = 0; b < count; b++)
        for (int64_t j = 0; j < p; j++) {
            double x = buf[b * p + j];
            double shift = m->with_mean ? m->mean[j] : 0.0;
            double scale = m->with_std ? m->scale[j] : 1.0;
            pmc_put(job->out, first + b, j, job->inverse ? x * scale + shift : (x - shift) / scale);
        }
    free(buf);
    return PMC_OK;
}

static pmc_status scaler_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                               pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (X->n_cols != m->n_features)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld features, but StandardScaler is expecting %lld",
                        (long long)X->n_cols, (long long)m->n_features);
    transform_job job = {m, X, rows, out, method == PMC_INVERSE_TRANSFORM,
                         pmc_block_rows(m->n_features)};
    int64_t n_chunks = (rows.n + job.chunk_rows - 1) / job.chunk_rows;
    return pmc_parallel_for(n_chunks, ctx->n_threads, ctx, transform_chunk, &job);
}

static pmc_status scaler_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_export(out, "mean_", m->mean, m->n_features, 0));
    PMC_TRY(pmc_export(out, "var_", m->var, m->n_features, 0));
    PMC_TRY(pmc_export(out, "scale_", m->scale, m->n_features, 0));
    PMC_TRY(pmc_export(out, "weight_seen_", m->weight_seen, m->n_features, 0));
error:
    return status;
}

static pmc_status scaler_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    const pmc_view *mean, *var, *scale, *seen;
    PMC_TRY(pmc_arrays_get(in, "mean_", 1, -1, -1, &mean));
    int64_t p = mean->shape[0];
    PMC_TRY(pmc_arrays_get(in, "var_", 1, p, -1, &var));
    PMC_TRY(pmc_arrays_get(in, "scale_", 1, p, -1, &scale));
    PMC_TRY(pmc_arrays_get(in, "weight_seen_", 1, p, -1, &seen));
    PMC_TRY(scaler_alloc(p, &m));
    m->with_mean = m->with_std = 1;
    for (int64_t j = 0; j < p; j++) {
        m->mean[j] = pmc_get(mean, j, 0);
        m->var[j] = pmc_get(var, j, 0);
        m->scale[j] = pmc_get(scale, j, 0);
        m->weight_seen[j] = pmc_get(seen, j, 0);
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
