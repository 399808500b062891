/* The grouped-fitting engine: a one-pass group index (counting sort, or nothing at
 * all when rows are already sorted by group), then one estimator-table fit per
 * group in pmc_parallel_for, with per-group failures kept instead of aborting. */
#include <stdio.h>

#include "internal.h"
#include "pmc/grouped.h"

static char *copy_message(const char *text) {
    size_t n = strlen(text);
    char *s = malloc(n + 1);
    if (s) memcpy(s, text, n + 1);
    return s;
}

pmc_status pmc_grouped_index(const pmc_view *codes, int64_t n_groups, pmc_groups *out) {
    pmc_status status = PMC_OK;
    int64_t *offsets = NULL, *order = NULL, *next = NULL;
    memset(out, 0, sizeof *out);
    if (codes->ndim != 1 || (codes->dtype != PMC_INT32 && codes->dtype != PMC_INT64))
        return pmc_fail(PMC_ERR_VALUE, "codes must be a 1-D int32 or int64 array");
    if (n_groups < 0) return pmc_fail(PMC_ERR_VALUE, "n_groups must be >= 0, got %lld",
                                      (long long)n_groups);
    int64_t n = codes->shape[0];
    PMC_ALLOC(offsets, n_groups + 1, "group offsets");
    /* One pass: count rows per group, check ranges, and see whether codes are sorted. */
    int sorted = 1;
    int64_t previous = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t c = pmc_get_index(codes, i);
        if (c >= n_groups) {
            status = pmc_fail(PMC_ERR_VALUE, "codes[%lld] = %lld is out of range for %lld groups",
                              (long long)i, (long long)c, (long long)n_groups);
            goto error;
        }
        if (c < 0 || c < previous) sorted = 0;
        if (c >= 0) {
            offsets[c + 1]++;
            previous = c;
        }
    }
    for (int64_t g = 0; g < n_groups; g++) offsets[g + 1] += offsets[g];
    if (!sorted) {
        /* Stable counting sort: each group's rows stay in increasing row order. */
        PMC_ALLOC(order, offsets[n_groups] > 0 ? offsets[n_groups] : 1, "group order");
        PMC_ALLOC(next, n_groups > 0 ? n_groups : 1, "group cursor");
        memcpy(next, offsets, (size_t)n_groups * sizeof *next);
        for (int64_t i = 0; i < n; i++) {
            int64_t c = pmc_get_index(codes, i);
            if (c >= 0) order[next[c]++] = i;
        }
        free(next);
    }
    out->n_groups = n_groups;
    out->offsets = offsets;
    out->order = order;
    return PMC_OK;
error:
    free(offsets);
    free(order);
    free(next);
    return status;
}

void pmc_grouped_free_index(pmc_groups *g) {
    free(g->offsets);
    free(g->order);
    memset(g, 0, sizeof *g);
}

pmc_rows pmc_grouped_rows(const pmc_groups *g, int64_t group) {
    int64_t lo = g->offsets[group], n = g->offsets[group + 1] - lo;
    pmc_rows r = {g->order ? g->order + lo : NULL, g->order ? 0 : lo, n};
    return r;
}

uint64_t pmc_grouped_seed(uint64_t seed, uint64_t key_hash) {
    uint64_t z = seed ^ (key_hash + 0x9E3779B97F4A7C15ULL + (seed << 6) + (seed >> 2));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Groups by decreasing size (ties by index), so the long fits start first and the
 * dynamic schedule fills the tail with small ones. */
typedef struct {
    int64_t size, group;
} sized_group;

static int by_size_desc(const void *a, const void *b) {
    const sized_group *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->group < y->group ? -1 : (x->group > y->group);
}

typedef struct {
    const pmc_estimator *est;
    const void *params;
    const pmc_data *data;
    const pmc_groups *groups;
    const pmc_view *key_hash;
    const pmc_ctx *ctx;
    const int64_t *task_group;
    int64_t *progress;
    pmc_group_result *results;
} fit_job;

static pmc_status fit_one(int64_t task, int thread, void *arg) {
    (void)thread;
    fit_job *job = arg;
    int64_t g = job->task_group[task];
    pmc_group_result *r = &job->results[g];
    pmc_data d = *job->data;
    d.rows = pmc_grouped_rows(job->groups, g);
    if (d.rows.n > 0) {
        /* Each fit runs on one thread: the parallelism is across groups, and the
         * estimators' reductions are thread-count independent anyway. */
        pmc_ctx ctx = *job->ctx;
        ctx.n_threads = 1;
        ctx.warning[0] = '\0';
        uint64_t hash = job->key_hash->ndim ? (uint64_t)pmc_get_index(job->key_hash, g)
                                            : (uint64_t)g;
        ctx.seed = pmc_grouped_seed(job->ctx->seed, hash);
        pmc_clear_error();
        r->status = job->est->fit(job->params, &d, NULL, &ctx, &r->model);
        if (r->status == PMC_ERR_INTERRUPTED) return r->status; /* stops the run */
        if (r->status != PMC_OK) {
            if (r->model) job->est->free(&r->model);
            const char *msg = pmc_last_error();
            r->message = copy_message(msg[0] ? msg : "fit failed");
        } else if (ctx.warning[0]) {
            r->message = copy_message(ctx.warning);
            r->warned = 1;
        }
        if ((r->status != PMC_OK || r->warned) && !r->message)
            return pmc_fail(PMC_ERR_MEMORY, "out of memory recording group %lld's outcome",
                            (long long)g);
    }
    if (job->progress) {
#pragma omp atomic update
        (*job->progress)++;
    }
    return PMC_OK;
}

pmc_status pmc_grouped_fit(const pmc_estimator *est, const void *params, const pmc_data *data,
                           const pmc_groups *groups, const pmc_view *key_hash, pmc_ctx *ctx,
                           int64_t *progress, pmc_group_result *results) {
    pmc_status status = PMC_OK;
    int64_t *task_group = NULL, n_groups = groups->n_groups;
    sized_group *order = NULL;
    if (key_hash->ndim && (key_hash->ndim != 1 || key_hash->shape[0] != n_groups ||
                           (key_hash->dtype != PMC_INT64 && key_hash->dtype != PMC_INT32)))
        return pmc_fail(PMC_ERR_VALUE, "key_hash must be a 1-D int64 array of %lld values",
                        (long long)n_groups);
    PMC_TRY(pmc_matrix_check(&data->X, "X"));
    if (data->y.ndim && data->y.shape[0] != data->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "y has %lld rows, X has %lld",
                        (long long)data->y.shape[0], (long long)data->X.n_rows);
    if (data->weight.ndim && data->weight.shape[0] != data->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight has %lld rows, X has %lld",
                        (long long)data->weight.shape[0], (long long)data->X.n_rows);
    if (groups->offsets[n_groups] > data->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "the group index covers %lld rows, X has %lld",
                        (long long)groups->offsets[n_groups], (long long)data->X.n_rows);
    PMC_ALLOC(order, n_groups > 0 ? n_groups : 1, "group task order");
    PMC_ALLOC(task_group, n_groups > 0 ? n_groups : 1, "group task order");
    for (int64_t g = 0; g < n_groups; g++) {
        order[g].size = groups->offsets[g + 1] - groups->offsets[g];
        order[g].group = g;
    }
    qsort(order, (size_t)n_groups, sizeof *order, by_size_desc);
    for (int64_t t = 0; t < n_groups; t++) task_group[t] = order[t].group;
    fit_job job = {est, params, data, groups, key_hash, ctx, task_group, progress, results};
    status = pmc_parallel_for(n_groups, ctx->n_threads, ctx, fit_one, &job);
error:
    free(order);
    free(task_group);
    return status;
}

void pmc_grouped_free_results(const pmc_estimator *est, pmc_group_result *results,
                              int64_t n_groups) {
    if (!results) return;
    for (int64_t g = 0; g < n_groups; g++) {
        if (results[g].model) est->free(&results[g].model);
        free(results[g].message);
        results[g].message = NULL;
    }
}

typedef struct {
    const pmc_estimator *est;
    pmc_model *const *models;
    pmc_method method;
    const pmc_matrix *X;
    const pmc_groups *groups;
    pmc_ctx *ctx;
    int64_t *progress;
    pmc_view *out;
} apply_job;

static pmc_status apply_one(int64_t g, int thread, void *arg) {
    (void)thread;
    apply_job *job = arg;
    pmc_status status = PMC_OK;
    char *buffer = NULL;
    pmc_rows rows = pmc_grouped_rows(job->groups, g);
    pmc_model *model = job->models[g];
    if (rows.n == 0 || !model) goto done; /* model-less rows were filled with NaN */
    pmc_ctx ctx = *job->ctx;
    ctx.n_threads = 1;
    pmc_view part = *job->out;
    part.shape[0] = rows.n;
    if (!rows.index) {
        /* Sorted rows: the group's output rows are a slice of out. */
        part.data = (char *)job->out->data + rows.start * job->out->strides[0];
        status = job->est->apply(model, job->method, job->X, rows, &ctx, &part);
    } else {
        /* Scattered rows: apply into a small C-order block, then scatter it. */
        int64_t cols = job->out->ndim == 2 ? job->out->shape[1] : 1;
        size_t item = pmc_dtype_size(job->out->dtype);
        PMC_ALLOC(buffer, (size_t)(rows.n * cols) * item, "group output block");
        part.data = buffer;
        part.strides[0] = (int64_t)item * cols;
        part.strides[1] = job->out->ndim == 2 ? (int64_t)item : 0;
        PMC_TRY(job->est->apply(model, job->method, job->X, rows, &ctx, &part));
        for (int64_t i = 0; i < rows.n; i++)
            for (int64_t j = 0; j < cols; j++)
                memcpy((char *)job->out->data + rows.index[i] * job->out->strides[0] +
                           j * job->out->strides[1],
                       buffer + (size_t)(i * cols + j) * item, item);
    }
    if (status != PMC_OK) goto error;
done:
    if (job->progress) {
#pragma omp atomic update
        (*job->progress)++;
    }
    free(buffer);
    return PMC_OK;
error:
    free(buffer);
    if (status == PMC_ERR_INTERRUPTED) return status;
    return pmc_fail(status, "group %lld: %s", (long long)g, pmc_last_error());
}

pmc_status pmc_grouped_apply(const pmc_estimator *est, pmc_model *const *models,
                             pmc_method method, const pmc_matrix *X, const pmc_groups *groups,
                             const pmc_view *codes, pmc_ctx *ctx, int64_t *progress,
                             pmc_view *out) {
    pmc_status status = PMC_OK;
    int64_t n_groups = groups->n_groups, n = X->n_rows;
    PMC_TRY(pmc_matrix_check(X, "X"));
    if (codes->ndim != 1 || codes->shape[0] != n)
        return pmc_fail(PMC_ERR_VALUE, "codes must be 1-D with one code per row of X");
    if (out->shape[0] != n) return pmc_fail(PMC_ERR_VALUE, "out must have one row per row of X");
    /* Every model must produce the output out was shaped for. */
    int64_t want_cols = out->ndim == 2 ? out->shape[1] : 0;
    for (int64_t g = 0; g < n_groups; g++) {
        if (!models[g]) continue;
        int64_t cols;
        pmc_dtype dtype;
        PMC_TRY(est->output_shape(models[g], method, pmc_matrix_dtype(X), &cols, &dtype));
        if (cols != want_cols || dtype != out->dtype)
            return pmc_fail(PMC_ERR_VALUE,
                            "group %lld's model gives %lld output columns of %s, out has "
                            "%lld of %s",
                            (long long)g, (long long)cols, pmc_dtype_name(dtype),
                            (long long)want_cols, pmc_dtype_name(out->dtype));
    }
    /* Rows with no model (unknown group, failed fit) get NaN. */
    int64_t cols = out->ndim == 2 ? out->shape[1] : 1;
    for (int64_t i = 0; i < n; i++) {
        int64_t c = pmc_get_index(codes, i);
        if (c >= 0 && models[c]) continue;
        if (out->dtype != PMC_FLOAT32 && out->dtype != PMC_FLOAT64)
            return pmc_fail(PMC_ERR_VALUE, "row %lld has no fitted model and the output is not "
                            "floating point", (long long)i);
        for (int64_t j = 0; j < cols; j++) pmc_put(out, i, j, NAN);
    }
    apply_job job = {est, models, method, X, groups, ctx, progress, out};
    status = pmc_parallel_for(n_groups, ctx->n_threads, ctx, apply_one, &job);
error:
    return status;
}
