/* Histogram gradient boosting: the fitted model as flat arrays, its export,
 * its validated import, and prediction on raw X (see pmc/boosting.h). */
#include "hgb_internal.h"

void hgb_model_free(pmc_model **mp) {
    pmc_model *m = *mp;
    if (!m) return;
    free(m->baseline);
    free(m->tree_offsets);
    free(m->feature);
    free(m->left);
    free(m->right);
    free(m->flags);
    free(m->bin);
    free(m->cat);
    free(m->threshold);
    free(m->value);
    free(m->bitsets);
    free(m->train_score);
    free(m->val_score);
    free(m->staged_raw);
    free(m->raw);
    free(m);
    *mp = NULL;
}

/* Grows `*ptr` (of `size` bytes per item) to hold at least `need` items. */
static pmc_status grow(void **ptr, int64_t *cap, int64_t need, size_t size) {
    if (need <= *cap) return PMC_OK;
    int64_t c = PMC_MAX(need, PMC_MAX(16, *cap * 2));
    void *p = realloc(*ptr, (size_t)c * size);
    if (!p) return pmc_fail(PMC_ERR_MEMORY, "could not grow the boosting model to %lld items",
                            (long long)c);
    *ptr = p;
    *cap = c;
    return PMC_OK;
}

pmc_status hgb_reserve_nodes(pmc_model *m, int64_t extra) {
    int64_t need = m->n_nodes + extra, cap = m->cap_nodes;
    pmc_status s = PMC_OK;
#define HGB_GROW(field)                                                                    \
    if (s == PMC_OK) {                                                                     \
        int64_t c = cap;                                                                   \
        s = grow((void **)&m->field, &c, need, sizeof(*m->field));                         \
    }
    HGB_GROW(feature) HGB_GROW(left) HGB_GROW(right) HGB_GROW(flags) HGB_GROW(bin)
    HGB_GROW(cat) HGB_GROW(threshold) HGB_GROW(value)
#undef HGB_GROW
    if (s == PMC_OK && need > cap) m->cap_nodes = PMC_MAX(need, PMC_MAX(16, cap * 2));
    return s;
}

pmc_status hgb_reserve_trees(pmc_model *m, int64_t extra) {
    return grow((void **)&m->tree_offsets, &m->cap_trees, m->n_trees + extra + 1,
                sizeof(int64_t));
}

pmc_status hgb_new_bitset(pmc_model *m, int32_t *row) {
    pmc_status s = grow((void **)&m->bitsets, &m->cap_cat, (m->n_cat + 1) * HGB_WORDS,
                        sizeof(int32_t));
    if (s != PMC_OK) return s;
    memset(m->bitsets + m->n_cat * HGB_WORDS, 0, HGB_WORDS * sizeof(int32_t));
    *row = (int32_t)m->n_cat++;
    return PMC_OK;
}

pmc_status hgb_push_score(pmc_model *m, double train, double val) {
    pmc_status s = grow((void **)&m->train_score, &m->cap_train, m->n_train + 1, sizeof(double));
    if (s == PMC_OK) m->train_score[m->n_train++] = train;
    if (s == PMC_OK && !isnan(val)) {
        s = grow((void **)&m->val_score, &m->cap_val, m->n_val + 1, sizeof(double));
        if (s == PMC_OK) m->val_score[m->n_val++] = val;
    }
    return s;
}

pmc_status hgb_model_new(int64_t n_features, int K, int loss, int max_bins, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "HistGradientBoosting model");
    PMC_ALLOC(m->baseline, K, "HistGradientBoosting model");
    m->n_features = n_features;
    m->K = K;
    m->loss = loss;
    m->max_bins = max_bins;
    PMC_TRY(hgb_reserve_trees(m, 0));
    m->tree_offsets[0] = 0;
    *out = m;
    return PMC_OK;
error:
    hgb_model_free(&m);
    return status;
}

/* ---- prediction on raw X -------------------------------------------------- */

#define PMC_TEMPLATE "../boosting/hgb_predict_impl.h"
#include "../common/template.h"

typedef struct {
    const pmc_model *m;
    const pmc_matrix *X;
    pmc_rows rows;
    int64_t tree_from, tree_to;
    double *raw; /* rows.n x K */
} raw_job;

static pmc_status raw_block(int64_t task, int thread, void *arg) {
    (void)thread;
    raw_job *job = arg;
    int64_t first = task * HGB_ROW_BLOCK, count = PMC_MIN(HGB_ROW_BLOCK, job->rows.n - first);
    if (job->X->dense.dtype == PMC_FLOAT32)
        hgb_raw_rows_f32(job->m, &job->X->dense, &job->rows, first, count, job->tree_from,
                         job->tree_to, job->raw + first * job->m->K);
    else
        hgb_raw_rows_f64(job->m, &job->X->dense, &job->rows, first, count, job->tree_from,
                         job->tree_to, job->raw + first * job->m->K);
    return PMC_OK;
}

pmc_status hgb_raw_predict(const pmc_model *m, const pmc_matrix *X, pmc_rows rows,
                           int64_t tree_from, int64_t tree_to, int add_baseline,
                           const pmc_ctx *ctx, double *raw) {
    int K = m->K;
    for (int64_t i = 0; i < rows.n; i++)
        for (int k = 0; k < K; k++) raw[i * K + k] = add_baseline ? m->baseline[k] : 0.0;
    raw_job job = {m, X, rows, tree_from, tree_to, raw};
    return pmc_parallel_for((rows.n + HGB_ROW_BLOCK - 1) / HGB_ROW_BLOCK, ctx->n_threads, ctx,
                            raw_block, &job);
}

static pmc_status hgb_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                   int64_t *n_cols, pmc_dtype *dtype) {
    (void)X_dtype;
    *dtype = PMC_FLOAT64;
    switch (method) {
    case PMC_PREDICT: *n_cols = 0; return PMC_OK;
    case PMC_DECISION_FUNCTION: *n_cols = m->K > 1 ? m->K : 0; return PMC_OK;
    case PMC_PREDICT_PROBA:
        if (m->loss != PMC_HGB_LOG_LOSS) break;
        *n_cols = m->K > 1 ? m->K : 2;
        return PMC_OK;
    default: break;
    }
    return pmc_fail(PMC_ERR_UNSUPPORTED, "HistGradientBoosting with this loss has no %s",
                    pmc_method_name(method));
}

double hgb_inverse_link(int loss, double raw) {
    return (loss == PMC_HGB_POISSON || loss == PMC_HGB_GAMMA) ? exp(raw) : raw;
}

static pmc_status hgb_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                            pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    pmc_status status = PMC_OK;
    double *raw = NULL;
    int64_t n_cols = 0;
    pmc_dtype dtype;
    PMC_TRY(hgb_output_shape(m, method, PMC_FLOAT64, &n_cols, &dtype));
    PMC_TRY(pmc_matrix_check(X, "X"));
    if (X->is_sparse) {
        status = pmc_fail(PMC_ERR_UNSUPPORTED,
                          "HistGradientBoosting predicts from dense X only, got a sparse matrix");
        goto error;
    }
    if (X->n_cols != m->n_features) {
        status = pmc_fail(PMC_ERR_VALUE,
                          "X has %lld features, but HistGradientBoosting is expecting %lld "
                          "features as input",
                          (long long)X->n_cols, (long long)m->n_features);
        goto error;
    }
    PMC_TRY(pmc_view_check(out, "out", 1, n_cols > 0 ? 2 : 1, rows.n, n_cols > 0 ? n_cols : -1));
    int K = m->K;
    PMC_ALLOC(raw, PMC_MAX(rows.n * K, 1), "HistGradientBoosting predictions");
    PMC_TRY(hgb_raw_predict(m, X, rows, 0, m->n_trees, 1, ctx, raw));
    for (int64_t i = 0; i < rows.n; i++) {
        const double *r = raw + i * K;
        if (method == PMC_DECISION_FUNCTION) {
            for (int k = 0; k < K; k++) pmc_put(out, i, 0 + (K > 1 ? k : 0), r[k]);
        } else if (method == PMC_PREDICT) {
            if (m->loss != PMC_HGB_LOG_LOSS) pmc_put(out, i, 0, hgb_inverse_link(m->loss, r[0]));
            else if (K == 1) pmc_put(out, i, 0, r[0] > 0.0 ? 1.0 : 0.0);
            else {
                int best = 0;
                for (int k = 1; k < K; k++)
                    if (r[k] > r[best]) best = k;
                pmc_put(out, i, 0, best);
            }
        } else { /* predict_proba */
            if (K == 1) {
                double p = 1.0 / (1.0 + exp(-r[0]));
                pmc_put(out, i, 0, 1.0 - p);
                pmc_put(out, i, 1, p);
            } else {
                double mx = r[0], sum = 0.0;
                for (int k = 1; k < K; k++) mx = PMC_MAX(mx, r[k]);
                for (int k = 0; k < K; k++) sum += exp(r[k] - mx);
                for (int k = 0; k < K; k++) pmc_put(out, i, k, exp(r[k] - mx) / sum);
            }
        }
    }
error:
    free(raw);
    return status;
}

/* ---- state ------------------------------------------------------------------ */

static pmc_status hgb_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    pmc_model *mm = (pmc_model *)m; /* meta is refreshed for the export */
    mm->meta[0] = m->n_features;
    mm->meta[1] = m->K;
    mm->meta[2] = m->n_iter;
    mm->meta[3] = m->loss;
    mm->meta[4] = m->max_bins;
    mm->meta[5] = m->n_nodes;
    int64_t nn = m->n_nodes;
    PMC_TRY(pmc_arrays_add(out, "meta", pmc_view_1d(mm->meta, PMC_INT64, 6)));
    PMC_TRY(pmc_export(out, "baseline", m->baseline, m->K, 0));
    PMC_TRY(pmc_arrays_add(out, "tree_offsets",
                           pmc_view_1d(m->tree_offsets, PMC_INT64, m->n_trees + 1)));
    PMC_TRY(pmc_arrays_add(out, "node_feature", pmc_view_1d(m->feature, PMC_INT32, nn)));
    PMC_TRY(pmc_export(out, "node_threshold", m->threshold, nn, 0));
    PMC_TRY(pmc_arrays_add(out, "node_left", pmc_view_1d(m->left, PMC_INT32, nn)));
    PMC_TRY(pmc_arrays_add(out, "node_right", pmc_view_1d(m->right, PMC_INT32, nn)));
    PMC_TRY(pmc_export(out, "node_value", m->value, nn, 0));
    PMC_TRY(pmc_arrays_add(out, "node_flags", pmc_view_1d(m->flags, PMC_INT32, nn)));
    PMC_TRY(pmc_arrays_add(out, "node_bin", pmc_view_1d(m->bin, PMC_INT32, nn)));
    PMC_TRY(pmc_arrays_add(out, "node_cat", pmc_view_1d(m->cat, PMC_INT32, nn)));
    PMC_TRY(pmc_arrays_add(out, "cat_bitsets",
                           pmc_view_2d(m->bitsets, PMC_INT32, m->n_cat, HGB_WORDS)));
    PMC_TRY(pmc_export(out, "train_score", m->train_score, m->n_train, 0));
    PMC_TRY(pmc_export(out, "validation_score", m->val_score, m->n_val, 0));
    if (m->raw) {
        PMC_TRY(pmc_arrays_add(out, "staged_raw", pmc_view_2d(m->staged_raw, PMC_FLOAT64,
                                                              m->n_staged_iter, m->staged_width)));
        PMC_TRY(pmc_arrays_add(out, "raw", pmc_view_2d(m->raw, PMC_FLOAT64, m->K, m->raw_cols)));
    }
error:
    return status;
}

/* An integer vector `name` of n entries (any length when n < 0). */
static pmc_status int_vector(const pmc_arrays *in, const char *name, int64_t n,
                             const pmc_view **out) {
    pmc_status s = pmc_arrays_get(in, name, 1, n, -1, out);
    if (s != PMC_OK) return s;
    if ((*out)->dtype != PMC_INT32 && (*out)->dtype != PMC_INT64)
        return pmc_fail(PMC_ERR_VALUE, "HistGradientBoosting state: %s must be integers, got %s",
                        name, pmc_dtype_name((*out)->dtype));
    return PMC_OK;
}

static pmc_status float_vector(const pmc_arrays *in, const char *name, int64_t n,
                               const pmc_view **out) {
    pmc_status s = pmc_arrays_get(in, name, 1, n, -1, out);
    if (s != PMC_OK) return s;
    if ((*out)->dtype != PMC_FLOAT32 && (*out)->dtype != PMC_FLOAT64)
        return pmc_fail(PMC_ERR_VALUE, "HistGradientBoosting state: %s must be floats", name);
    return PMC_OK;
}

#define BAD_STATE(...)                                   \
    do {                                                 \
        status = pmc_fail(PMC_ERR_VALUE, __VA_ARGS__);   \
        goto error;                                      \
    } while (0)

static pmc_status hgb_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    const pmc_view *meta, *base, *offs, *feat, *thr, *left, *right, *val, *flags, *bin, *cat,
        *bits;
    PMC_TRY(int_vector(in, "meta", 6, &meta));
    int64_t p = pmc_get_index(meta, 0), K = pmc_get_index(meta, 1), n_iter = pmc_get_index(meta, 2);
    int64_t loss = pmc_get_index(meta, 3), max_bins = pmc_get_index(meta, 4);
    int64_t nn = pmc_get_index(meta, 5);
    if (p < 1 || K < 1 || K > 100000 || n_iter < 0 || loss < 0 || loss > PMC_HGB_LOG_LOSS ||
        max_bins < 2 || max_bins > 255 || nn < 0)
        BAD_STATE("HistGradientBoosting state: meta has invalid values");
    PMC_TRY(float_vector(in, "baseline", K, &base));
    PMC_TRY(int_vector(in, "tree_offsets", -1, &offs));
    PMC_TRY(int_vector(in, "node_feature", nn, &feat));
    PMC_TRY(float_vector(in, "node_threshold", nn, &thr));
    PMC_TRY(int_vector(in, "node_left", nn, &left));
    PMC_TRY(int_vector(in, "node_right", nn, &right));
    PMC_TRY(float_vector(in, "node_value", nn, &val));
    PMC_TRY(int_vector(in, "node_flags", nn, &flags));
    PMC_TRY(int_vector(in, "node_bin", nn, &bin));
    PMC_TRY(int_vector(in, "node_cat", nn, &cat));
    PMC_TRY(pmc_arrays_get(in, "cat_bitsets", 2, -1, HGB_WORDS, &bits));
    if (bits->dtype != PMC_INT32)
        BAD_STATE("HistGradientBoosting state: cat_bitsets must be int32");
    int64_t n_trees = offs->shape[0] - 1, n_cat = bits->shape[0];
    if (n_trees < 0 || n_trees % K != 0)
        BAD_STATE("HistGradientBoosting state: tree_offsets must hold a multiple of %lld trees "
                  "plus one entry", (long long)K);
    PMC_TRY(hgb_model_new(p, (int)K, (int)loss, (int)max_bins, &m));
    m->n_iter = n_iter;
    for (int k = 0; k < K; k++) m->baseline[k] = pmc_get(base, k, 0);
    PMC_TRY(hgb_reserve_trees(m, n_trees));
    PMC_TRY(hgb_reserve_nodes(m, nn));
    m->n_trees = n_trees;
    m->n_nodes = nn;
    /* offsets are rebased to 0 so that a slice of another model's offsets works */
    int64_t o0 = pmc_get_index(offs, 0);
    for (int64_t t = 0; t <= n_trees; t++) {
        int64_t o = pmc_get_index(offs, t) - o0;
        if (o < 0 || o > nn || (t > 0 && o <= m->tree_offsets[t - 1]) ||
            pmc_get_index(offs, t) < 0)
            BAD_STATE("HistGradientBoosting state: tree_offsets[%lld] = %lld is out of order or "
                      "outside the %lld nodes", (long long)t, (long long)pmc_get_index(offs, t),
                      (long long)nn);
        m->tree_offsets[t] = o;
    }
    for (int64_t t = 0; t < n_trees; t++) {
        int64_t a = m->tree_offsets[t], size = m->tree_offsets[t + 1] - a;
        for (int64_t local = 0; local < size; local++) {
            int64_t i = a + local + o0;
            int64_t l = pmc_get_index(left, i), r = pmc_get_index(right, i);
            int64_t f = pmc_get_index(feat, i), fl = pmc_get_index(flags, i);
            int64_t c = pmc_get_index(cat, i);
            int64_t o = a + local;
            /* children come after their parent: every path ends at a leaf */
            int leaf = l == -1 && r == -1;
            if (!leaf && (l <= local || r <= local || l >= size || r >= size || l == r))
                BAD_STATE("HistGradientBoosting state: node %lld of tree %lld has children "
                          "(%lld, %lld) outside its tree", (long long)local, (long long)t,
                          (long long)l, (long long)r);
            if (!leaf && (f < 0 || f >= p))
                BAD_STATE("HistGradientBoosting state: node %lld of tree %lld splits on feature "
                          "%lld, outside [0, %lld)", (long long)local, (long long)t,
                          (long long)f, (long long)p);
            if (fl < 0 || fl > 3)
                BAD_STATE("HistGradientBoosting state: node_flags must be in [0, 3]");
            if (!leaf && (fl & 2) && (c < 0 || c >= n_cat))
                BAD_STATE("HistGradientBoosting state: node %lld of tree %lld uses bitset %lld, "
                          "outside [0, %lld)", (long long)local, (long long)t, (long long)c,
                          (long long)n_cat);
            m->left[o] = (int32_t)l;
            m->right[o] = (int32_t)r;
            m->feature[o] = leaf ? -1 : (int32_t)f;
            m->flags[o] = (int32_t)fl;
            m->cat[o] = (!leaf && (fl & 2)) ? (int32_t)c : -1;
            m->bin[o] = (int32_t)pmc_get_index(bin, i);
            m->threshold[o] = pmc_get(thr, i, 0);
            m->value[o] = pmc_get(val, i, 0);
        }
    }
    for (int64_t c = 0; c < n_cat; c++) {
        int32_t row;
        PMC_TRY(hgb_new_bitset(m, &row));
        for (int w = 0; w < HGB_WORDS; w++)
            m->bitsets[c * HGB_WORDS + w] = *(const int32_t *)pmc_at(bits, c, w);
    }
    *out = m;
    return PMC_OK;
error:
    hgb_model_free(&m);
    return status;
}

static const char *const loss_choices[] = {"squared_error", "absolute_error", "gamma", "poisson",
                                           "quantile", "log_loss", NULL};

#define P(name, kind) {#name, kind, offsetof(pmc_hgb_params, name), NULL}
static const pmc_param_spec hgb_params[] = {
    {"loss", PMC_PARAM_CHOICE, offsetof(pmc_hgb_params, loss), loss_choices},
    P(n_classes, PMC_PARAM_INT),
    P(quantile, PMC_PARAM_DOUBLE),
    P(learning_rate, PMC_PARAM_DOUBLE),
    P(max_iter, PMC_PARAM_INT),
    P(max_leaf_nodes, PMC_PARAM_INT),
    P(max_depth, PMC_PARAM_INT),
    P(min_samples_leaf, PMC_PARAM_INT),
    P(l2_regularization, PMC_PARAM_DOUBLE),
    P(min_child_weight, PMC_PARAM_DOUBLE),
    P(min_split_gain, PMC_PARAM_DOUBLE),
    P(max_features, PMC_PARAM_DOUBLE),
    P(subsample, PMC_PARAM_DOUBLE),
    P(colsample_bytree, PMC_PARAM_DOUBLE),
    P(max_bins, PMC_PARAM_INT),
    P(early_stopping, PMC_PARAM_BOOL),
    P(n_iter_no_change, PMC_PARAM_INT),
    P(tol, PMC_PARAM_DOUBLE),
    P(train_rows, PMC_PARAM_VIEW),
    P(validation_rows, PMC_PARAM_VIEW),
    P(n_categories, PMC_PARAM_VIEW),
    P(monotonic_cst, PMC_PARAM_VIEW),
    P(interaction_cst, PMC_PARAM_VIEW),
    P(staged_rows, PMC_PARAM_VIEW),
    P(init_raw, PMC_PARAM_VIEW),
};
#undef P

const pmc_estimator pmc_hist_gradient_boosting_estimator = {
    "HistGradientBoosting",
    sizeof(pmc_hgb_params),
    hgb_params,
    (int)(sizeof hgb_params / sizeof hgb_params[0]),
    hgb_fit,
    hgb_output_shape,
    hgb_apply,
    hgb_export,
    hgb_import,
    hgb_model_free};
