/* The search engine (pmc/search.h): one task per (candidate, fold), each fitting
 * an estimator chain on its train rows, transforming through a per-task buffer,
 * and scoring with the C scorers; failures are data, not aborts. */
#include <omp.h>
#include <stdio.h>
#include <time.h>

#include "internal.h"
#include "pmc/search.h"
#include "search_internal.h"

static char *copy_message(const char *text) {
    size_t n = strlen(text);
    char *s = malloc(n + 1);
    if (s) memcpy(s, text, n + 1);
    return s;
}

static double seconds_now(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int64_t view_cols(const pmc_view *v) { return v->ndim == 2 ? v->shape[1] : 1; }

/* Bytes of one row of v (0 for an absent view). */
static int64_t view_row_bytes(const pmc_view *v) {
    return v->ndim == 0 ? 0 : view_cols(v) * (int64_t)pmc_dtype_size(v->dtype);
}

/* A C-order copy of the selected rows of v (same dtype and ndim) into a new
 * buffer *buf from alloc (freed by the caller): a fold's X, y and sample_weight,
 * or y and sample_weight once the features have been transformed into a compact
 * buffer. */
static pmc_status gather_view(const pmc_view *v, const pmc_rows *rows,
                              void *(*alloc)(size_t), pmc_view *out, char **buf) {
    *out = *v;
    if (v->ndim == 0) return PMC_OK;
    size_t item = pmc_dtype_size(v->dtype);
    int64_t cols = view_cols(v);
    size_t bytes = (size_t)(rows->n > 0 ? rows->n : 1) * (size_t)view_row_bytes(v);
    *buf = alloc(bytes);
    if (!*buf)
        return pmc_fail(PMC_ERR_MEMORY, "could not allocate %zu bytes for a fold's rows", bytes);
    int row_contiguous = cols == 1 || v->strides[1] == (int64_t)item;
    for (int64_t i = 0; i < rows->n; i++) {
        int64_t r = pmc_row_at(rows, i);
        char *dst = *buf + (size_t)(i * cols) * item;
        if (row_contiguous) memcpy(dst, pmc_at(v, r, 0), (size_t)cols * item);
        else
            for (int64_t j = 0; j < cols; j++) memcpy(dst + (size_t)j * item, pmc_at(v, r, j), item);
    }
    out->data = *buf;
    out->shape[0] = rows->n;
    out->strides[0] = (int64_t)item * cols;
    out->strides[1] = v->ndim == 2 ? (int64_t)item : 0;
    return PMC_OK;
}

/* Output of `method` of a fitted model on the selected rows of X, in a new
 * C-order buffer (*buf, freed by the caller): 1-D when the table says 0 columns. */
static pmc_status apply_into(const pmc_estimator *est, const pmc_model *m, pmc_method method,
                             const pmc_matrix *X, pmc_rows rows, pmc_ctx *ctx, pmc_view *out,
                             char **buf) {
    pmc_status status = PMC_OK;
    int64_t n_cols;
    pmc_dtype dtype;
    PMC_TRY(est->output_shape(m, method, pmc_matrix_dtype(X), &n_cols, &dtype));
    int64_t cols = n_cols > 0 ? n_cols : 1;
    PMC_ALLOC(*buf, (size_t)(rows.n > 0 ? rows.n : 1) * (size_t)cols * pmc_dtype_size(dtype),
              "fold output");
    *out = n_cols > 0 ? pmc_view_2d(*buf, dtype, rows.n, n_cols)
                      : pmc_view_1d(*buf, dtype, rows.n);
    PMC_TRY(est->apply(m, method, X, rows, ctx, out));
error:
    return status;
}

pmc_status pmc_search_scorer_method(const pmc_estimator *est, const pmc_model *model,
                                    const pmc_scorer *scorer, pmc_dtype X_dtype,
                                    pmc_method *out) {
    int64_t n_cols;
    pmc_dtype dtype;
    pmc_status status = est->output_shape(model, scorer->method, X_dtype, &n_cols, &dtype);
    if (status == PMC_OK) {
        *out = scorer->method;
        return PMC_OK;
    }
    if (status == PMC_ERR_UNSUPPORTED && scorer->fallback_method >= 0 &&
        scorer->fallback_method < PMC_N_METHODS) {
        pmc_method fallback = (pmc_method)scorer->fallback_method;
        status = est->output_shape(model, fallback, X_dtype, &n_cols, &dtype);
        if (status == PMC_OK) {
            *out = fallback;
            return PMC_OK;
        }
    }
    if (status == PMC_ERR_UNSUPPORTED)
        return pmc_fail(status, "scorer '%s': %s has no %s", scorer->name, est->name,
                        pmc_method_name(scorer->method));
    return status;
}

/* A fold as its fits and scorers read it.  Row selections that are one run of
 * consecutive rows become ranges: BLAS reads them in place.  Other selections of
 * a dense X are copied into compact C-order buffers shared by every candidate of
 * the fold (the train rows with y and sample_weight, the test rows of X): each
 * pass of each fit then streams contiguous rows instead of gathering them
 * through the index on every pass.  CSR X, or copies beyond FOLD_COPY_BUDGET,
 * stay the shared arrays at the fold's row selections.
 *
 * The copies are made lazily and released early: the first task of a fold to
 * start copies its rows while the fold's other tasks wait on its lock, and the
 * last of its tasks to end frees them.  Tasks are handed out fold by fold, in
 * index order, so only the folds of running tasks, plus the one whose tasks are
 * being handed out, hold copies: n_threads + 1 at most, not n_folds. */
typedef struct {
    pmc_matrix X_train, X_test;
    pmc_view y_train, w_train;     /* rows of X_train */
    pmc_rows train_rows, test_rows;
    int copy_train, copy_test;     /* to be copied / copied */
    int64_t copy_bytes;            /* of the copies, once made */
    /* The lock guards the copy (it writes the views above and buf) and the rest:
     * the state, the tasks not yet ended, and a failed copy's status and message
     * (which every task of the fold returns). */
    omp_lock_t lock;
    enum { FOLD_PENDING, FOLD_READY, FOLD_FAILED } state;
    int64_t tasks_left;
    pmc_status status;
    char message[512];
    char *buf[4];
} fold_data;

/* Bytes of fold copies a search may hold at once. */
#define FOLD_COPY_BUDGET ((int64_t)1 << 31)

/* Candidates fitted together on a fold (see batch_groups): group g is
 * members[group_start[g] .. group_start[g + 1]). */
typedef struct {
    const pmc_search_spec *spec;
    const pmc_data *data;
    const pmc_ctx *ctx;
    pmc_search_results *res;
    fold_data *folds;
    int64_t n_groups, *group_start, *members;
    pmc_search_memory *memory;     /* the copies' budget, allocator and byte counts */
    int64_t live_copy_bytes;       /* under the critical section pmc_search_copies */
} search_job;

/* What one task holds: the fitted steps and the buffers of the transformed rows. */
typedef struct {
    pmc_model **models;
    char *X_train, *X_test, *y_train, *w_train, *outputs[PMC_N_METHODS];
} task_memory;

static void release(const pmc_search_spec *spec, task_memory *mem) {
    for (int s = 0; s < spec->n_steps; s++)
        if (mem->models[s]) spec->steps[s]->free(&mem->models[s]);
    free(mem->X_train);
    free(mem->X_test);
    free(mem->y_train);
    free(mem->w_train);
    for (int k = 0; k < PMC_N_METHODS; k++) free(mem->outputs[k]);
    mem->X_train = mem->X_test = mem->y_train = mem->w_train = NULL;
    memset(mem->outputs, 0, sizeof mem->outputs);
}

/* Fits the chain on the train rows of fold f.  On return *train / *test are the
 * final step's inputs: the fold's X at its rows when there is no transformer,
 * else compact buffers (all their rows) owned by mem. */
static pmc_status fit_chain(const search_job *job, int64_t c, int64_t f, pmc_ctx *ctx,
                            task_memory *mem, pmc_matrix *train, pmc_rows *train_rows,
                            pmc_matrix *test, pmc_rows *test_rows) {
    const pmc_search_spec *spec = job->spec;
    const fold_data *fold = &job->folds[f];
    pmc_status status = PMC_OK;
    pmc_view y = fold->y_train, w = fold->w_train, view;
    *train = fold->X_train;
    *test = fold->X_test;
    *train_rows = fold->train_rows;
    *test_rows = fold->test_rows;
    for (int s = 0; s < spec->n_steps; s++) {
        const pmc_estimator *est = spec->steps[s];
        int last = s == spec->n_steps - 1;
        /* Transformers are unsupervised here; the final step reads y. */
        pmc_view none;
        memset(&none, 0, sizeof none);
        pmc_data d = {*train, last ? y : none, w, *train_rows};
        ctx->seed = spec->seeds[c * spec->n_steps + s];
        PMC_TRY(est->fit(spec->params[c * spec->n_steps + s], &d, NULL, ctx, &mem->models[s]));
        if (last) break;
        /* Transform the train and test rows into new compact buffers. */
        char *X_train = NULL, *X_test = NULL;
        status = apply_into(est, mem->models[s], PMC_TRANSFORM, train, *train_rows, ctx, &view,
                            &X_train);
        pmc_matrix new_train = pmc_matrix_dense(view);
        if (status == PMC_OK)
            status = apply_into(est, mem->models[s], PMC_TRANSFORM, test, *test_rows, ctx,
                                &view, &X_test);
        if (status != PMC_OK) {
            free(X_train);
            free(X_test);
            goto error;
        }
        if (s == 0 && !fold->copy_train) {
            /* First transform: y and weights follow the rows into compact copies. */
            PMC_TRY(gather_view(&fold->y_train, train_rows, malloc, &y, &mem->y_train));
            PMC_TRY(gather_view(&fold->w_train, train_rows, malloc, &w, &mem->w_train));
        }
        free(mem->X_train);
        free(mem->X_test);
        mem->X_train = X_train;
        mem->X_test = X_test;
        *train = new_train;
        *test = pmc_matrix_dense(view);
        *train_rows = pmc_rows_all(train->n_rows);
        *test_rows = pmc_rows_all(test->n_rows);
    }
error:
    return status;
}

/* Every scorer on one split: X_rows selects the final step's input rows, y_rows
 * the same samples in data->y.  Outputs are computed once per method. */
static pmc_status score_split(const search_job *job, task_memory *mem, const pmc_matrix *X,
                              pmc_rows X_rows, pmc_rows y_rows, pmc_ctx *ctx, double *scores,
                              unsigned *flags) {
    const pmc_search_spec *spec = job->spec;
    const pmc_estimator *est = spec->steps[spec->n_steps - 1];
    const pmc_model *model = mem->models[spec->n_steps - 1];
    pmc_status status = PMC_OK;
    pmc_view outputs[PMC_N_METHODS], no_weight;
    memset(&no_weight, 0, sizeof no_weight);
    const pmc_view *weight = spec->weighted_scores ? &job->data->weight : &no_weight;
    for (int k = 0; k < PMC_N_METHODS; k++) {
        free(mem->outputs[k]);
        mem->outputs[k] = NULL;
    }
    for (int k = 0; k < spec->n_scorers; k++) {
        const pmc_scorer *scorer = spec->scorers[k];
        pmc_method method;
        PMC_TRY(pmc_search_scorer_method(est, model, scorer, pmc_matrix_dtype(X), &method));
        if (!mem->outputs[method])
            PMC_TRY(apply_into(est, model, method, X, X_rows, ctx, &outputs[method],
                               &mem->outputs[method]));
        unsigned warnings = 0;
        PMC_TRY(scorer->score(&job->data->y, weight, y_rows, &outputs[method],
                              spec->n_classes, &scores[k], &warnings));
        if (flags) flags[k] = warnings;
    }
error:
    return status;
}

/* Candidate c on fold f: fits its chain, or takes *fitted (the final model of a
 * batch fit, fit_seconds its share of the batch's time, `warning` its warning),
 * scores it and records the outcome in slot t (scikit-learn's candidate-major
 * order). */
static pmc_status run_candidate(const search_job *job, int64_t c, int64_t f, pmc_model **fitted,
                                const char *warning, double fit_seconds) {
    const pmc_search_spec *spec = job->spec;
    pmc_search_results *res = job->res;
    int64_t t = c * spec->n_folds + f;
    pmc_status status = PMC_OK;
    task_memory mem;
    memset(&mem, 0, sizeof mem);
    double *test_scores = res->test_scores + t * spec->n_scorers;
    double *train_scores = res->train_scores ? res->train_scores + t * spec->n_scorers : NULL;
    unsigned *test_flags = res->test_warnings ? res->test_warnings + t * spec->n_scorers : NULL;
    unsigned *train_flags =
        res->train_warnings && train_scores ? res->train_warnings + t * spec->n_scorers : NULL;
    for (int k = 0; k < spec->n_scorers; k++) {
        test_scores[k] = NAN;
        if (train_scores) train_scores[k] = NAN;
        if (test_flags) test_flags[k] = 0;
        if (train_flags) train_flags[k] = 0;
    }
    mem.models = calloc((size_t)spec->n_steps, sizeof *mem.models);
    if (!mem.models) return pmc_fail(PMC_ERR_MEMORY, "out of memory for a search task");
    int batched = fitted && *fitted;
    if (batched) { /* a batch fits single-step chains only */
        mem.models[0] = *fitted;
        *fitted = NULL;
    }
    /* One thread per fit: the parallelism is across tasks, and every estimator's
     * reductions are thread-count independent, so results do not depend on it. */
    pmc_ctx ctx = *job->ctx;
    ctx.n_threads = 1;
    ctx.warning[0] = '\0';
    pmc_clear_error();
    double start = seconds_now();
    pmc_matrix train = job->folds[f].X_train, test = job->folds[f].X_test;
    pmc_rows train_rows = job->folds[f].train_rows, test_rows = job->folds[f].test_rows;
    if (batched)
        snprintf(ctx.warning, sizeof ctx.warning, "%s", warning);
    else
        status = fit_chain(job, c, f, &ctx, &mem, &train, &train_rows, &test, &test_rows);
    double fitted_at = seconds_now();
    res->fit_time[t] = batched ? fit_seconds : fitted_at - start;
    res->failed_in_fit[t] = status != PMC_OK;
    if (status == PMC_OK) {
        status = score_split(job, &mem, &test, test_rows, spec->test[f], &ctx, test_scores,
                             test_flags);
        if (status == PMC_OK && train_scores)
            status = score_split(job, &mem, &train, train_rows, spec->train[f], &ctx,
                                 train_scores, train_flags);
        if (status != PMC_OK)
            for (int k = 0; k < spec->n_scorers; k++) {
                test_scores[k] = NAN;
                if (train_scores) train_scores[k] = NAN;
                if (test_flags) test_flags[k] = 0;
                if (train_flags) train_flags[k] = 0;
            }
    }
    res->score_time[t] = seconds_now() - fitted_at;
    release(spec, &mem);
    free(mem.models);
    res->status[t] = status;
    if (status == PMC_ERR_INTERRUPTED) return status;
    if (status != PMC_OK) {
        const char *msg = pmc_last_error();
        res->message[t] = copy_message(msg[0] ? msg : "fit failed");
        if (!res->message[t])
            return pmc_fail(PMC_ERR_MEMORY, "out of memory recording a failed task");
        if (spec->stop_on_error)
            return pmc_fail(status, "candidate %lld, fold %lld: %s", (long long)c,
                            (long long)f, res->message[t]);
    } else if (ctx.warning[0]) {
        res->warning[t] = copy_message(ctx.warning);
        if (!res->warning[t])
            return pmc_fail(PMC_ERR_MEMORY, "out of memory recording a warning");
    }
    return PMC_OK;
}

/* A group of candidates on fold f.  A group of several candidates is fitted by
 * the estimator's fit_batch; if that fails, each candidate is fitted on its own
 * (which records its own failure). */
static pmc_status run_group(const search_job *job, int64_t f, int64_t g) {
    const pmc_search_spec *spec = job->spec;
    const int64_t *members = job->members + job->group_start[g];
    int64_t size = job->group_start[g + 1] - job->group_start[g];
    if (size == 1) return run_candidate(job, members[0], f, NULL, NULL, 0.0);
    pmc_status status = PMC_OK, fit_status;
    const pmc_estimator *est = spec->steps[0];
    const fold_data *fold = &job->folds[f];
    const void **params = calloc((size_t)size, sizeof *params);
    pmc_model **models = calloc((size_t)size, sizeof *models);
    char (*warnings)[PMC_WARNING_SIZE] = calloc((size_t)size, sizeof *warnings);
    if (!params || !models || !warnings) {
        status = pmc_fail(PMC_ERR_MEMORY, "out of memory for a search task");
        goto error;
    }
    for (int64_t i = 0; i < size; i++) params[i] = spec->params[members[i]];
    pmc_ctx ctx = *job->ctx;
    ctx.n_threads = 1;
    ctx.seed = spec->seeds[members[0]];
    pmc_data d = {fold->X_train, fold->y_train, fold->w_train, fold->train_rows};
    double start = seconds_now();
    fit_status = est->fit_batch(params, size, &d, &ctx, models, warnings);
    double share = (seconds_now() - start) / (double)size;
    if (fit_status == PMC_ERR_INTERRUPTED) {
        status = fit_status;
        goto error;
    }
    pmc_clear_error();
    for (int64_t i = 0; i < size && status == PMC_OK; i++)
        status = run_candidate(job, members[i], f, fit_status == PMC_OK ? &models[i] : NULL,
                               warnings[i], share);
error:
    if (models)
        for (int64_t i = 0; i < size; i++)
            if (models[i]) est->free(&models[i]);
    free(params);
    free(models);
    free(warnings);
    return status;
}

/* Frees fold f's copies, if any, and takes them off the live bytes. */
static void fold_drop(search_job *job, fold_data *fold) {
    for (int i = 0; i < 4; i++) {
        free(fold->buf[i]);
        fold->buf[i] = NULL;
    }
    if (fold->state != FOLD_READY) return;
#pragma omp critical(pmc_search_copies)
    job->live_copy_bytes -= fold->copy_bytes;
}

/* Copies fold f's train rows of X, y and weights and its test rows of X when
 * job->folds[f] says so; on failure nothing is kept.  Under the fold's lock. */
static pmc_status fold_copy(search_job *job, int64_t f) {
    const pmc_data *data = job->data;
    fold_data *fold = &job->folds[f];
    void *(*alloc)(size_t) = job->memory->copy_alloc ? job->memory->copy_alloc : malloc;
    pmc_status status = PMC_OK;
    pmc_view view;
    if (fold->copy_train) {
        const pmc_rows *rows = &job->spec->train[f];
        PMC_TRY(gather_view(&data->X.dense, rows, alloc, &view, &fold->buf[0]));
        fold->X_train = pmc_matrix_dense(view);
        PMC_TRY(gather_view(&data->y, rows, alloc, &fold->y_train, &fold->buf[1]));
        PMC_TRY(gather_view(&data->weight, rows, alloc, &fold->w_train, &fold->buf[2]));
        fold->train_rows = pmc_rows_all(rows->n);
    }
    if (fold->copy_test) {
        const pmc_rows *rows = &job->spec->test[f];
        PMC_TRY(gather_view(&data->X.dense, rows, alloc, &view, &fold->buf[3]));
        fold->X_test = pmc_matrix_dense(view);
        fold->test_rows = pmc_rows_all(rows->n);
    }
    if (fold->copy_train || fold->copy_test) {
#pragma omp critical(pmc_search_copies)
        {
            job->live_copy_bytes += fold->copy_bytes;
            job->memory->peak_copy_bytes =
                PMC_MAX(job->memory->peak_copy_bytes, job->live_copy_bytes);
            job->memory->folds_copied++;
        }
    }
    return PMC_OK;
error:
    fold_drop(job, fold); /* still pending: frees the buffers only */
    return status;
}

/* Makes fold f readable by a task: the first of its tasks to get here copies
 * its rows while the others wait on the lock; a failed copy is not retried, every
 * task of the fold returns its status and message. */
static pmc_status fold_acquire(search_job *job, int64_t f) {
    fold_data *fold = &job->folds[f];
    omp_set_lock(&fold->lock);
    if (fold->state == FOLD_PENDING) {
        fold->status = fold_copy(job, f);
        fold->state = fold->status == PMC_OK ? FOLD_READY : FOLD_FAILED;
        if (fold->status != PMC_OK)
            snprintf(fold->message, sizeof fold->message, "copying the rows of fold %lld: %s",
                     (long long)f, pmc_last_error());
    }
    pmc_status status =
        fold->state == FOLD_READY ? PMC_OK : pmc_fail(fold->status, "%s", fold->message);
    omp_unset_lock(&fold->lock);
    return status;
}

/* A task of fold f has ended: the last one frees the fold's copies. */
static void fold_done(search_job *job, int64_t f) {
    fold_data *fold = &job->folds[f];
    omp_set_lock(&fold->lock);
    if (--fold->tasks_left == 0) fold_drop(job, fold);
    omp_unset_lock(&fold->lock);
}

/* One task: a group of candidates on one fold.  Tasks run fold by fold, so that
 * the threads share one fold's rows in cache and hold few folds' copies. */
static pmc_status run_task(int64_t task, int thread, void *arg) {
    (void)thread;
    search_job *job = arg;
    int64_t f = task / job->n_groups, g = task % job->n_groups;
    pmc_status status = fold_acquire(job, f);
    if (status == PMC_OK) status = run_group(job, f, g);
    fold_done(job, f);
    return status;
}

/* Groups the candidates the final estimator can fit in one batch (a single-step
 * chain whose table has fit_batch): each candidate joins the first group whose
 * first member it is batchable with.  Fixed by the grid alone, never by the
 * thread count, so results do not depend on n_jobs.  Otherwise every candidate
 * is its own group. */
static pmc_status batch_groups(search_job *job) {
    const pmc_search_spec *spec = job->spec;
    int64_t n = spec->n_candidates;
    const pmc_estimator *est = spec->steps[0];
    int can_batch = spec->n_steps == 1 && est->fit_batch && est->batchable;
    int64_t *group_of = calloc((size_t)PMC_MAX(n, 1), sizeof *group_of);
    int64_t *first = calloc((size_t)PMC_MAX(n, 1), sizeof *first);
    job->group_start = calloc((size_t)(n + 1), sizeof *job->group_start);
    job->members = calloc((size_t)PMC_MAX(n, 1), sizeof *job->members);
    if (!group_of || !first || !job->group_start || !job->members) {
        free(group_of);
        free(first);
        return pmc_fail(PMC_ERR_MEMORY, "out of memory for the search groups");
    }
    int64_t n_groups = 0;
    for (int64_t c = 0; c < n; c++) {
        int64_t g = 0;
        if (can_batch)
            while (g < n_groups && !est->batchable(spec->params[first[g]], spec->params[c])) g++;
        else
            g = n_groups;
        if (g == n_groups) first[n_groups++] = c;
        group_of[c] = g;
        job->group_start[g + 1]++;
    }
    for (int64_t g = 0; g < n_groups; g++) job->group_start[g + 1] += job->group_start[g];
    /* members in candidate order within each group (first[] as the fill cursor) */
    for (int64_t g = 0; g < n_groups; g++) first[g] = job->group_start[g];
    for (int64_t c = 0; c < n; c++) job->members[first[group_of[c]]++] = c;
    job->n_groups = n_groups;
    free(group_of);
    free(first);
    return PMC_OK;
}

static pmc_status check_rows(const pmc_rows *r, int64_t n_rows, const char *what, int64_t f) {
    if (r->n < 0) return pmc_fail(PMC_ERR_VALUE, "%s rows of fold %lld: negative count", what,
                                  (long long)f);
    if (!r->index) {
        if (r->start < 0 || r->start > n_rows - r->n)
            return pmc_fail(PMC_ERR_VALUE, "%s rows of fold %lld are out of range for %lld rows",
                            what, (long long)f, (long long)n_rows);
        return PMC_OK;
    }
    for (int64_t i = 0; i < r->n; i++)
        if (r->index[i] < 0 || r->index[i] >= n_rows)
            return pmc_fail(PMC_ERR_VALUE, "%s index of fold %lld holds %lld, out of range for "
                            "%lld rows", what, (long long)f, (long long)r->index[i],
                            (long long)n_rows);
    return PMC_OK;
}

static pmc_status check_spec(const pmc_search_spec *spec, const pmc_data *data) {
    pmc_status status = PMC_OK;
    if (spec->n_steps < 1 || !spec->steps)
        return pmc_fail(PMC_ERR_VALUE, "steps: at least one estimator is required");
    for (int s = 0; s < spec->n_steps; s++)
        if (!spec->steps[s]) return pmc_fail(PMC_ERR_VALUE, "steps[%d] is NULL", s);
    if (spec->n_candidates < 0 || spec->n_folds < 1)
        return pmc_fail(PMC_ERR_VALUE, "n_candidates must be >= 0 and n_folds >= 1, got %lld "
                        "and %lld", (long long)spec->n_candidates, (long long)spec->n_folds);
    for (int64_t i = 0; i < spec->n_candidates * spec->n_steps; i++)
        if (!spec->params[i]) return pmc_fail(PMC_ERR_VALUE, "params[%lld] is NULL", (long long)i);
    if (spec->n_scorers < 1 || !spec->scorers)
        return pmc_fail(PMC_ERR_VALUE, "scorers: at least one scorer is required");
    PMC_TRY(pmc_matrix_check(&data->X, "X"));
    int64_t n = data->X.n_rows;
    if (data->y.ndim && data->y.shape[0] != n)
        return pmc_fail(PMC_ERR_VALUE, "y has %lld rows, X has %lld",
                        (long long)data->y.shape[0], (long long)n);
    if (data->weight.ndim && data->weight.shape[0] != n)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight has %lld rows, X has %lld",
                        (long long)data->weight.shape[0], (long long)n);
    for (int64_t f = 0; f < spec->n_folds; f++) {
        PMC_TRY(check_rows(&spec->train[f], n, "train", f));
        PMC_TRY(check_rows(&spec->test[f], n, "test", f));
    }
    int classification = 0;
    for (int k = 0; k < spec->n_scorers; k++) {
        if (!spec->scorers[k]) return pmc_fail(PMC_ERR_VALUE, "scorers[%d] is NULL", k);
        classification |= spec->scorers[k]->is_classification;
    }
    if (classification) {
        /* Classification scorers index arrays by y's class: check every value. */
        if (data->y.ndim != 1 || spec->n_classes < 1)
            return pmc_fail(PMC_ERR_VALUE, "classification scorers need a 1-D y of class "
                            "indices and n_classes >= 1");
        for (int64_t i = 0; i < n; i++) {
            double v = pmc_get(&data->y, i, 0);
            if (!(v >= 0 && v < (double)spec->n_classes) || v != floor(v))
                return pmc_fail(PMC_ERR_VALUE, "y[%lld] = %g is not a class index in [0, %lld)",
                                (long long)i, v, (long long)spec->n_classes);
        }
    }
error:
    return status;
}

static void folds_release(search_job *job) {
    if (!job->folds) return;
    for (int64_t f = 0; f < job->spec->n_folds; f++) {
        for (int i = 0; i < 4; i++) free(job->folds[f].buf[i]); /* tasks that did not run */
        omp_destroy_lock(&job->folds[f].lock);
    }
    free(job->folds);
}

/* rows as a range when they are one run of consecutive rows (returns 1). */
static int as_range(const pmc_rows *rows, pmc_rows *out) {
    *out = *rows;
    if (!rows->index) return 1;
    for (int64_t i = 1; i < rows->n; i++)
        if (rows->index[i] != rows->index[0] + i) return 0;
    out->index = NULL;
    out->start = rows->n > 0 ? rows->index[0] : 0;
    return 1;
}

/* The folds as the tasks read them (see fold_data), before any copy. */
static pmc_status folds_prepare(search_job *job, const pmc_ctx *ctx) {
    const pmc_search_spec *spec = job->spec;
    const pmc_data *data = job->data;
    job->folds = calloc((size_t)PMC_MAX(spec->n_folds, 1), sizeof *job->folds);
    if (!job->folds) return pmc_fail(PMC_ERR_MEMORY, "out of memory for the search folds");
    int64_t X_row = data->X.is_sparse ? 0 : view_row_bytes(&data->X.dense);
    int64_t train_row = X_row + view_row_bytes(&data->y) + view_row_bytes(&data->weight);
    int64_t largest = 0;
    for (int64_t f = 0; f < spec->n_folds; f++) {
        fold_data *fold = &job->folds[f];
        omp_init_lock(&fold->lock);
        fold->tasks_left = job->n_groups;
        fold->X_train = fold->X_test = data->X;
        fold->y_train = data->y;
        fold->w_train = data->weight;
        fold->copy_train = !as_range(&spec->train[f], &fold->train_rows) && X_row > 0;
        fold->copy_test = !as_range(&spec->test[f], &fold->test_rows) && X_row > 0;
        fold->copy_bytes = (fold->copy_train ? spec->train[f].n * train_row : 0) +
                           (fold->copy_test ? spec->test[f].n * X_row : 0);
        largest = PMC_MAX(largest, fold->copy_bytes);
    }
    /* Copies of n_threads + 1 folds at most are live at once (see fold_data); of
     * one fold at a time on one thread.  Beyond the budget, the fits read through
     * the row indices instead. */
    int64_t live = ctx->n_threads > 1 ? (int64_t)ctx->n_threads + 1 : 1;
    if (largest > 0 && PMC_MIN(live, spec->n_folds) > job->memory->copy_budget / largest)
        for (int64_t f = 0; f < spec->n_folds; f++) {
            fold_data *fold = &job->folds[f];
            if (fold->copy_train) fold->train_rows = spec->train[f];
            if (fold->copy_test) fold->test_rows = spec->test[f];
            fold->copy_train = fold->copy_test = 0;
            fold->copy_bytes = 0;
        }
    return PMC_OK;
}

pmc_status pmc_search_run_with(const pmc_search_spec *spec, const pmc_data *data, pmc_ctx *ctx,
                               pmc_search_results *results, pmc_search_memory *memory) {
    memory->folds_copied = memory->peak_copy_bytes = memory->left_copy_bytes = 0;
    pmc_status status = check_spec(spec, data);
    if (status != PMC_OK) return status;
    search_job job = {spec, data, ctx, results, NULL, 0, NULL, NULL, memory, 0};
    status = batch_groups(&job);
    if (status == PMC_OK) status = folds_prepare(&job, ctx);
    if (status == PMC_OK && job.n_groups > 0)
        status = pmc_parallel_for(job.n_groups * spec->n_folds, ctx->n_threads, ctx, run_task,
                                  &job);
    memory->left_copy_bytes = job.live_copy_bytes;
    folds_release(&job);
    free(job.group_start);
    free(job.members);
    return status;
}

pmc_status pmc_search_run(const pmc_search_spec *spec, const pmc_data *data, pmc_ctx *ctx,
                          pmc_search_results *results) {
    pmc_search_memory memory = {FOLD_COPY_BUDGET, NULL, 0, 0, 0};
    return pmc_search_run_with(spec, data, ctx, results, &memory);
}

void pmc_search_free_messages(pmc_search_results *results, int64_t n_tasks) {
    for (int64_t t = 0; t < n_tasks; t++) {
        if (results->message) {
            free(results->message[t]);
            results->message[t] = NULL;
        }
        if (results->warning) {
            free(results->warning[t]);
            results->warning[t] = NULL;
        }
    }
}
