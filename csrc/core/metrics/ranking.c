/* Ranking metrics: the sorted-score curve behind ROC and precision/recall, and the
 * areas computed from it, with scikit-learn's arithmetic (see pmc/metrics.h). */
#include <float.h>

#include "internal.h"
#include "metrics_internal.h"

/* A row on its way through the sort: the score as a key, its weight and label
 * carried along, so the walk after sorting reads memory in order. */
typedef struct {
    uint64_t key;
    double weight;
    int64_t positive;
} sort_item;

/* A key whose unsigned order is the decreasing order of the doubles (-0 == +0). */
static inline uint64_t descending_key(double d) {
    d += 0.0; /* -0.0 becomes +0.0: they are one threshold */
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    u = (u >> 63) ? ~u : (u | (UINT64_C(1) << 63)); /* increasing order */
    return ~u;
}

static inline double key_value(uint64_t key) {
    uint64_t u = ~key;
    u = (u >> 63) ? (u & ~(UINT64_C(1) << 63)) : ~u;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

enum { RADIX_BITS = 11, RADIX = 1 << RADIX_BITS, RADIX_PASSES = (64 + RADIX_BITS - 1) / RADIX_BITS };

/* Stable LSD radix sort of items by key, 11 bits per pass; passes where every key
 * has the same digit are skipped.  `tmp` has room for n items.  Returns the buffer
 * that holds the sorted items, NULL when out of memory. */
static sort_item *radix_sort(sort_item *items, sort_item *tmp, int64_t n) {
    int64_t(*count)[RADIX] = calloc(RADIX_PASSES, sizeof *count);
    if (!count) return NULL;
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < RADIX_PASSES; b++)
            count[b][(items[i].key >> (RADIX_BITS * b)) & (RADIX - 1)]++;
    sort_item *src = items, *dst = tmp;
    for (int b = 0; b < RADIX_PASSES; b++) {
        const int shift = RADIX_BITS * b;
        int64_t *c = count[b];
        if (c[(src[0].key >> shift) & (RADIX - 1)] == n) continue; /* one digit: no change */
        int64_t offset = 0;
        for (int v = 0; v < RADIX; v++) {
            const int64_t k = c[v];
            c[v] = offset;
            offset += k;
        }
        for (int64_t i = 0; i < n; i++) dst[c[(src[i].key >> shift) & (RADIX - 1)]++] = src[i];
        sort_item *swap = src;
        src = dst;
        dst = swap;
    }
    free(count);
    return src;
}

/* The curve of rows pos[0..m) (NULL pos: all rows.n).  fps/tps/thr need room for m
 * values.  *classes gets bit 0 when a negative row exists, bit 1 for a positive one
 * (zero-weight rows included, as scikit-learn's check). */
static pmc_status curve(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                        const pmc_view *y_score, double pos_label, const int64_t *pos,
                        int64_t m, double *fps, double *tps, double *thr, int64_t *n_points,
                        int *classes) {
    pmc_status status = PMC_OK;
    sort_item *items = NULL, *tmp = NULL;
    const int weighted = weight->ndim != 0;
    *n_points = 0;
    *classes = 0;
    PMC_ALLOC(items, m > 0 ? m : 1, "sort keys");
    PMC_ALLOC(tmp, m > 0 ? m : 1, "sort keys");
    int64_t kept = 0;
    double t[PAIRWISE_BLOCK], s[PAIRWISE_BLOCK], wb[PAIRWISE_BLOCK];
    for (int64_t first = 0; first < m; first += PAIRWISE_BLOCK) {
        int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, m - first);
        pmc_metrics_load(y_true, 0, &rows, pos, first, n, t);
        pmc_metrics_load(y_score, 0, NULL, pos, first, n, s);
        if (weighted) pmc_metrics_load(weight, 0, &rows, pos, first, n, wb);
        for (int64_t i = 0; i < n; i++) {
            if (!isfinite(s[i])) {
                status = pmc_fail(PMC_ERR_VALUE, "y_score contains NaN or infinity");
                goto error;
            }
            const int is_pos = t[i] == pos_label;
            *classes |= is_pos ? 2 : 1;
            if (weighted && wb[i] == 0.0) continue; /* scikit-learn drops zero weights */
            items[kept].key = descending_key(s[i]);
            items[kept].weight = weighted ? wb[i] : 1.0;
            items[kept].positive = is_pos;
            kept++;
        }
    }
    if (kept == 0) goto error; /* no point */
    const sort_item *sorted = radix_sort(items, tmp, kept);
    if (!sorted) {
        status = pmc_fail(PMC_ERR_MEMORY, "out of memory sorting the scores");
        goto error;
    }
    /* Cumulative sums in sorted order, as scikit-learn's cumsum; without weights
     * fps = (rows so far) - tps, as scikit-learn computes it. */
    double tp = 0.0, fp = 0.0;
    int64_t n_out = 0;
    for (int64_t i = 0; i < kept; i++) {
        const sort_item *it = &sorted[i];
        if (weighted) {
            tp += (double)it->positive * it->weight;
            fp += (double)(1 - it->positive) * it->weight;
        } else {
            tp += (double)it->positive;
        }
        if (i + 1 < kept && sorted[i + 1].key == it->key) continue;
        tps[n_out] = tp;
        fps[n_out] = weighted ? fp : 1.0 + (double)i - tp;
        thr[n_out] = key_value(it->key);
        n_out++;
    }
    *n_points = n_out;
error:
    free(items);
    free(tmp);
    return status;
}

pmc_status pmc_metrics_binary_curve(const pmc_view *y_true, const pmc_view *weight,
                                    pmc_rows rows, const pmc_view *y_score, double pos_label,
                                    double *fps, double *tps, double *thresholds,
                                    int64_t *n_points) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_score, "y_score");
    if (status != PMC_OK) return status;
    int classes;
    return curve(y_true, weight, rows, y_score, pos_label, NULL, rows.n, fps, tps, thresholds,
                 n_points, &classes);
}

/* numpy.trapezoid(y, x) over n points, pairwise-summed like numpy. */
static double trapezoid(const double *x, const double *y, int64_t n, double *terms) {
    for (int64_t i = 0; i + 1 < n; i++) terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
    return n > 1 ? pmc_pairwise_sum(terms, n - 1) : 0.0;
}

pmc_status pmc_metrics_roc_auc_subset(const pmc_view *y_true, const pmc_view *weight,
                                      pmc_rows rows, const pmc_view *y_score, double pos_label,
                                      const int64_t *pos, int64_t n_pos, double *out) {
    pmc_status status = PMC_OK;
    double *fps = NULL, *tps = NULL, *thr = NULL, *fx = NULL, *ty = NULL;
    const int64_t room = n_pos + 1;
    PMC_ALLOC(fps, room, "curve");
    PMC_ALLOC(tps, room, "curve");
    PMC_ALLOC(thr, room, "curve");
    PMC_ALLOC(fx, room, "curve");
    PMC_ALLOC(ty, room, "curve");
    int64_t n;
    int classes;
    PMC_TRY(curve(y_true, weight, rows, y_score, pos_label, pos, n_pos, fps, tps, thr, &n,
                  &classes));
    if (classes != 3 || n == 0) {
        *out = NAN; /* one class only: undefined (Python warns) */
        goto error;
    }
    /* drop_intermediate: keep the ends and the corners of the curve. */
    int64_t kept = 1;
    fx[0] = 0.0;
    ty[0] = 0.0;
    for (int64_t i = 0; i < n; i++) {
        int keep = i == 0 || i == n - 1 || n <= 2;
        if (!keep) {
            const double d2f = (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]);
            const double d2t = (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]);
            keep = d2f != 0.0 || d2t != 0.0;
        }
        if (keep) {
            fx[kept] = fps[i];
            ty[kept] = tps[i];
            kept++;
        }
    }
    const double fmax = fx[kept - 1], tmax = ty[kept - 1];
    if (fmax <= 0.0 || tmax <= 0.0) {
        *out = NAN;
        goto error;
    }
    for (int64_t i = 0; i < kept; i++) {
        fx[i] = fx[i] / fmax;
        ty[i] = ty[i] / tmax;
    }
    *out = trapezoid(fx, ty, kept, fps);
error:
    free(fps);
    free(tps);
    free(thr);
    free(fx);
    free(ty);
    return status;
}

pmc_status pmc_metrics_roc_auc(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                               const pmc_view *y_score, double pos_label, double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_score, "y_score");
    if (status != PMC_OK) return status;
    if (y_score->ndim == 2 && y_score->shape[1] != 1)
        return pmc_fail(PMC_ERR_VALUE, "y_score must be 1-D for a binary ROC AUC");
    return pmc_metrics_roc_auc_subset(y_true, weight, rows, y_score, pos_label, NULL, rows.n,
                                      out);
}

pmc_status pmc_metrics_average_precision(const pmc_view *y_true, const pmc_view *weight,
                                         pmc_rows rows, const pmc_view *y_score,
                                         double pos_label, double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_score, "y_score");
    if (status != PMC_OK) return status;
    double *fps = NULL, *tps = NULL, *thr = NULL;
    const int64_t room = rows.n > 0 ? rows.n : 1;
    PMC_ALLOC(fps, room, "curve");
    PMC_ALLOC(tps, room, "curve");
    PMC_ALLOC(thr, room, "curve");
    int64_t n;
    int classes;
    PMC_TRY(curve(y_true, weight, rows, y_score, pos_label, NULL, rows.n, fps, tps, thr, &n,
                  &classes));
    if (n == 0) {
        *out = 0.0;
        goto error;
    }
    /* precision_recall_curve reversed: P = [p_{n-1} .. p_0, 1], R = [r_{n-1} .. r_0, 0];
     * AP = -sum_k (R[k+1] - R[k]) * P[k], summed in that order. */
    const double tmax = tps[n - 1];
    for (int64_t k = 0; k < n; k++) {
        const int64_t i = n - 1 - k;
        const double ps = tps[i] + fps[i];
        const double p = ps != 0.0 ? tps[i] / ps : 0.0;
        const double r = tmax == 0.0 ? 1.0 : tps[i] / tmax;
        const double r_next = k + 1 < n ? (tmax == 0.0 ? 1.0 : tps[i - 1] / tmax) : 0.0;
        thr[k] = (r_next - r) * p;
    }
    const double ap = -pmc_pairwise_sum(thr, n);
    *out = ap > 0.0 ? ap : 0.0;
error:
    free(fps);
    free(tps);
    free(thr);
    return status;
}

pmc_status pmc_metrics_auc(const pmc_view *x, const pmc_view *y, double *out) {
    if (!x || !y || x->ndim != 1 || y->ndim != 1 || x->shape[0] != y->shape[0])
        return pmc_fail(PMC_ERR_VALUE, "x and y must be 1-D arrays of the same length");
    const int64_t n = x->shape[0];
    if (n < 2)
        return pmc_fail(PMC_ERR_VALUE,
                        "At least 2 points are needed to compute area under curve, but "
                        "x.shape = %lld", (long long)n);
    pmc_status status = PMC_OK;
    double *xs = NULL, *ys = NULL, *terms = NULL;
    PMC_ALLOC(xs, n, "x");
    PMC_ALLOC(ys, n, "y");
    PMC_ALLOC(terms, n, "terms");
    for (int64_t first = 0; first < n; first += PAIRWISE_BLOCK) {
        int64_t c = PMC_MIN((int64_t)PAIRWISE_BLOCK, n - first);
        pmc_metrics_load(x, 0, NULL, NULL, first, c, xs + first);
        pmc_metrics_load(y, 0, NULL, NULL, first, c, ys + first);
    }
    int any_down = 0, all_down = 1;
    for (int64_t i = 0; i + 1 < n; i++) {
        const double dx = xs[i + 1] - xs[i];
        if (dx < 0) any_down = 1;
        if (dx > 0) all_down = 0;
    }
    if (any_down && !all_down) {
        status = pmc_fail(PMC_ERR_VALUE, "x is neither increasing nor decreasing");
        goto error;
    }
    *out = (any_down ? -1.0 : 1.0) * trapezoid(xs, ys, n, terms);
error:
    free(xs);
    free(ys);
    free(terms);
    return status;
}

pmc_status pmc_metrics_roc_auc_multiclass(const pmc_view *y_true, const pmc_view *weight,
                                          pmc_rows rows, const pmc_view *proba,
                                          int64_t n_classes, int ovo, int weighted,
                                          double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, proba, "y_score");
    if (status != PMC_OK) return status;
    if (proba->ndim != 2 || proba->shape[1] != n_classes || n_classes < 2)
        return pmc_fail(PMC_ERR_VALUE, "y_score must have n_classes = %lld columns",
                        (long long)n_classes);
    if (ovo && weight->ndim != 0)
        return pmc_fail(PMC_ERR_VALUE,
                        "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                        "'sample_weight' must be None in this case.");
    double *scores = NULL, *avg_w = NULL, *terms = NULL, *yt = NULL;
    int64_t *pos = NULL;
    unsigned char *present = NULL;
    const int64_t n_pairs = n_classes * (n_classes - 1) / 2;
    PMC_ALLOC(present, n_classes, "classes");
    PMC_TRY(pmc_metrics_class_presence(y_true, rows, NULL, n_classes, present));
    for (int64_t c = 0; c < n_classes; c++)
        if (!present[c]) {
            status = pmc_fail(PMC_ERR_VALUE, "Number of classes in y_true not equal to the "
                                             "number of columns in 'y_score'");
            goto error;
        }
    if (!ovo) {
        PMC_ALLOC(scores, n_classes, "scores");
        PMC_ALLOC(avg_w, n_classes, "weights");
        PMC_ALLOC(terms, n_classes, "terms");
        for (int64_t c = 0; c < n_classes; c++) {
            pmc_view col = pmc_metrics_column(proba, c);
            PMC_TRY(pmc_metrics_roc_auc_subset(y_true, weight, rows, &col, (double)c, NULL,
                                               rows.n, &scores[c]));
        }
        if (!weighted) {
            *out = pmc_pairwise_sum(scores, n_classes) / (double)n_classes;
            goto error;
        }
        /* Prevalence weights: the weighted count of each class. */
        double t[PAIRWISE_BLOCK], w[PAIRWISE_BLOCK];
        for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
            int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
            pmc_metrics_load(y_true, 0, &rows, NULL, first, n, t);
            if (weight->ndim == 0)
                for (int64_t i = 0; i < n; i++) w[i] = 1.0;
            else
                pmc_metrics_load(weight, 0, &rows, NULL, first, n, w);
            for (int64_t i = 0; i < n; i++) avg_w[(int64_t)t[i]] += w[i];
        }
        const double total = pmc_pairwise_sum(avg_w, n_classes);
        if (fabs(total) <= 1e-8) { /* xpx.isclose(sum, 0): scikit-learn returns 0 */
            *out = 0.0;
            goto error;
        }
        for (int64_t c = 0; c < n_classes; c++)
            terms[c] = (avg_w[c] == 0.0 ? 0.0 : scores[c]) * avg_w[c];
        *out = pmc_pairwise_sum(terms, n_classes) / total;
        goto error;
    }
    /* One-vs-one: every pair (a, b), a < b, on the rows of either class. */
    PMC_ALLOC(scores, n_pairs, "scores");
    PMC_ALLOC(avg_w, n_pairs, "weights");
    PMC_ALLOC(terms, n_pairs, "terms");
    PMC_ALLOC(yt, rows.n > 0 ? rows.n : 1, "y_true");
    PMC_ALLOC(pos, rows.n > 0 ? rows.n : 1, "rows");
    for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
        int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
        pmc_metrics_load(y_true, 0, &rows, NULL, first, n, yt + first);
    }
    int64_t pair = 0;
    for (int64_t a = 0; a < n_classes; a++) {
        for (int64_t b = a + 1; b < n_classes; b++, pair++) {
            int64_t m = 0;
            for (int64_t i = 0; i < rows.n; i++)
                if (yt[i] == (double)a || yt[i] == (double)b) pos[m++] = i;
            avg_w[pair] = (double)m / (double)rows.n;
            pmc_view col_a = pmc_metrics_column(proba, a), col_b = pmc_metrics_column(proba, b);
            double score_a, score_b;
            PMC_TRY(pmc_metrics_roc_auc_subset(y_true, weight, rows, &col_a, (double)a, pos, m,
                                               &score_a));
            PMC_TRY(pmc_metrics_roc_auc_subset(y_true, weight, rows, &col_b, (double)b, pos, m,
                                               &score_b));
            scores[pair] = (score_a + score_b) / 2;
        }
    }
    if (weighted) {
        for (int64_t p = 0; p < n_pairs; p++) terms[p] = scores[p] * avg_w[p];
        *out = pmc_pairwise_sum(terms, n_pairs) / pmc_pairwise_sum(avg_w, n_pairs);
    } else {
        *out = pmc_pairwise_sum(scores, n_pairs) / (double)n_pairs;
    }
error:
    free(scores);
    free(avg_w);
    free(terms);
    free(yt);
    free(pos);
    free(present);
    return status;
}
