/* The arithmetic of pymlcore.metrics (see pmc/metrics.h).
 *
 * Every kernel reads its inputs in blocks of at most PAIRWISE_BLOCK values through
 * one loader (metrics_impl.h, instantiated per dtype) and sums with numpy's
 * pairwise order, so the results agree with scikit-learn's (numpy) arithmetic to a
 * few ulps and never depend on threads. */
#include <float.h>

#include "internal.h"
#include "metrics_internal.h"

#define PMC_TEMPLATE "../metrics/metrics_impl.h"
#include "template.h"

/* The same template for integer targets (class indices, int regression targets). */
#define PMC_T int32_t
#define PMC_SUFFIX i32
#include "../metrics/metrics_impl.h"
#undef PMC_T
#undef PMC_SUFFIX
#define PMC_T int64_t
#define PMC_SUFFIX i64
#include "../metrics/metrics_impl.h"
#undef PMC_T
#undef PMC_SUFFIX

void pmc_metrics_load(const pmc_view *v, int64_t col, const pmc_rows *rows, const int64_t *pos,
                      int64_t first, int64_t count, double *out) {
    switch (v->dtype) {
    case PMC_FLOAT32: metrics_load_f32(v, col, rows, pos, first, count, out); break;
    case PMC_FLOAT64: metrics_load_f64(v, col, rows, pos, first, count, out); break;
    case PMC_INT32: metrics_load_i32(v, col, rows, pos, first, count, out); break;
    default: metrics_load_i64(v, col, rows, pos, first, count, out); break;
    }
}

/* ---- numpy's pairwise summation --------------------------------------------- */

/* numpy's pairwise_sum leaf: plain loop under 8 values, else 8 running sums. */
static double block_sum(const double *a, int64_t n) {
    if (n < 8) {
        double res = 0.0;
        for (int64_t i = 0; i < n; i++) res += a[i];
        return res;
    }
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = a[j];
    int64_t i;
    for (i = 8; i < n - (n % 8); i += 8)
        for (int j = 0; j < 8; j++) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[i];
    return res;
}

double pmc_pairwise_sum(const double *a, int64_t n) {
    if (n <= PAIRWISE_BLOCK) return block_sum(a, n);
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pmc_pairwise_sum(a, n2) + pmc_pairwise_sum(a + n2, n - n2);
}

/* Pairwise sums of n_sums term sequences produced block by block by `terms`. */
static void pairwise_terms(pmc_terms_fn terms, const void *arg, int64_t first, int64_t n,
                           int n_sums, double *sums) {
    if (n <= PAIRWISE_BLOCK) {
        double buf[PMC_MAX_SUMS * PAIRWISE_BLOCK];
        terms(arg, first, n, buf);
        for (int s = 0; s < n_sums; s++) sums[s] = block_sum(buf + s * PAIRWISE_BLOCK, n);
        return;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    double left[PMC_MAX_SUMS], right[PMC_MAX_SUMS];
    pairwise_terms(terms, arg, first, n2, n_sums, left);
    pairwise_terms(terms, arg, first + n2, n - n2, n_sums, right);
    for (int s = 0; s < n_sums; s++) sums[s] = left[s] + right[s];
}

void pmc_metrics_sum_terms(pmc_terms_fn terms, const void *arg, int64_t n, int n_sums,
                           double *sums) {
    for (int s = 0; s < n_sums; s++) sums[s] = 0.0;
    if (n > 0) pairwise_terms(terms, arg, 0, n, n_sums, sums);
}

/* ---- argument checks ---------------------------------------------------------- */

static pmc_status check_1d_or_col(const pmc_view *v, const char *name, int64_t n) {
    if (!v || v->ndim < 1 || v->ndim > 2 || v->shape[0] != n || !v->data)
        return pmc_fail(PMC_ERR_VALUE, "%s must have %lld rows", name, (long long)n);
    return PMC_OK;
}

pmc_status pmc_metrics_check(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                             const pmc_view *y_pred, const char *pred_name) {
    if (rows.n < 0) return pmc_fail(PMC_ERR_VALUE, "rows.n must be >= 0");
    if (!y_true || y_true->ndim < 1 || y_true->ndim > 2 || !y_true->data)
        return pmc_fail(PMC_ERR_VALUE, "y_true must be a 1-D or 2-D array");
    if (!rows.index && (rows.start < 0 || rows.start + rows.n > y_true->shape[0]))
        return pmc_fail(PMC_ERR_VALUE, "rows [%lld, %lld) out of range for y_true of %lld rows",
                        (long long)rows.start, (long long)(rows.start + rows.n),
                        (long long)y_true->shape[0]);
    if (rows.index) {
        for (int64_t i = 0; i < rows.n; i++)
            if (rows.index[i] < 0 || rows.index[i] >= y_true->shape[0])
                return pmc_fail(PMC_ERR_VALUE,
                                "row index %lld out of range for y_true of %lld rows",
                                (long long)rows.index[i], (long long)y_true->shape[0]);
    }
    if (weight && weight->ndim != 0) {
        if (weight->ndim != 1 || weight->shape[0] != y_true->shape[0] || !weight->data)
            return pmc_fail(PMC_ERR_VALUE, "sample_weight must be 1-D with %lld values",
                            (long long)y_true->shape[0]);
    }
    if (y_pred) return check_1d_or_col(y_pred, pred_name, rows.n);
    return PMC_OK;
}

/* ---- classification counts -------------------------------------------------- */

typedef struct {
    const pmc_view *y_true, *weight, *y_pred;
    const pmc_rows *rows;
} pair_args;

/* Terms of accuracy: w * (y_true == y_pred), and w. */
static void accuracy_terms(const void *arg, int64_t first, int64_t n, double *out) {
    const pair_args *a = arg;
    double t[PAIRWISE_BLOCK], p[PAIRWISE_BLOCK];
    pmc_metrics_load(a->y_true, 0, a->rows, NULL, first, n, t);
    pmc_metrics_load(a->y_pred, 0, NULL, NULL, first, n, p);
    double *hit = out, *w = out + PAIRWISE_BLOCK;
    if (a->weight->ndim == 0) {
        for (int64_t i = 0; i < n; i++) w[i] = 1.0;
    } else {
        pmc_metrics_load(a->weight, 0, a->rows, NULL, first, n, w);
    }
    for (int64_t i = 0; i < n; i++) hit[i] = (t[i] == p[i]) * w[i];
}

pmc_status pmc_metrics_accuracy(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *y_pred, double *correct, double *total) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_pred, "y_pred");
    if (status != PMC_OK) return status;
    pair_args a = {y_true, weight, y_pred, &rows};
    double sums[2];
    pmc_metrics_sum_terms(accuracy_terms, &a, rows.n, 2, sums);
    *correct = sums[0];
    *total = sums[1];
    return PMC_OK;
}

/* Class index of value v: -1 unless it is an integer in [0, n_classes). */
static inline int64_t class_index(double v, int64_t n_classes) {
    if (!(v >= 0.0) || v >= (double)n_classes) return -1;
    int64_t c = (int64_t)v;
    return (double)c == v ? c : -1;
}

/* Walks the rows in blocks and runs BODY with ti, pi (class indices, -1 when not
 * one) and wi (the weight) of each row. */
#define FOR_EACH_PAIR(y_true, weight, rows, y_pred, n_classes, BODY)                         \
    do {                                                                                     \
        double t_[PAIRWISE_BLOCK], p_[PAIRWISE_BLOCK], w_[PAIRWISE_BLOCK];                   \
        for (int64_t first_ = 0; first_ < (rows).n; first_ += PAIRWISE_BLOCK) {             \
            int64_t n_ = PMC_MIN((int64_t)PAIRWISE_BLOCK, (rows).n - first_);               \
            pmc_metrics_load(y_true, 0, &(rows), NULL, first_, n_, t_);                     \
            pmc_metrics_load(y_pred, 0, NULL, NULL, first_, n_, p_);                        \
            if ((weight)->ndim == 0)                                                         \
                for (int64_t i_ = 0; i_ < n_; i_++) w_[i_] = 1.0;                            \
            else                                                                             \
                pmc_metrics_load(weight, 0, &(rows), NULL, first_, n_, w_);                 \
            for (int64_t i_ = 0; i_ < n_; i_++) {                                            \
                const int64_t ti = class_index(t_[i_], n_classes);                           \
                const int64_t pi = class_index(p_[i_], n_classes);                           \
                const double wi = w_[i_];                                                    \
                (void)ti; (void)pi; (void)wi;                                                \
                BODY                                                                         \
            }                                                                                \
        }                                                                                    \
    } while (0)

pmc_status pmc_metrics_class_counts(const pmc_view *y_true, const pmc_view *weight,
                                    pmc_rows rows, const pmc_view *y_pred, int64_t n_classes,
                                    double *tp, double *true_sum, double *pred_sum) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_pred, "y_pred");
    if (status != PMC_OK) return status;
    if (n_classes < 1) return pmc_fail(PMC_ERR_VALUE, "n_classes must be >= 1");
    memset(tp, 0, (size_t)n_classes * sizeof *tp);
    memset(true_sum, 0, (size_t)n_classes * sizeof *true_sum);
    memset(pred_sum, 0, (size_t)n_classes * sizeof *pred_sum);
    FOR_EACH_PAIR(y_true, weight, rows, y_pred, n_classes, {
        if (ti >= 0) true_sum[ti] += wi;
        if (pi >= 0) pred_sum[pi] += wi;
        if (ti >= 0 && ti == pi) tp[ti] += wi;
    });
    return PMC_OK;
}

pmc_status pmc_metrics_class_presence(const pmc_view *y_true, pmc_rows rows,
                                      const pmc_view *y_pred, int64_t n_classes,
                                      unsigned char *present) {
    memset(present, 0, (size_t)n_classes);
    double t[PAIRWISE_BLOCK], p[PAIRWISE_BLOCK];
    for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
        int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
        pmc_metrics_load(y_true, 0, &rows, NULL, first, n, t);
        if (y_pred) pmc_metrics_load(y_pred, 0, NULL, NULL, first, n, p);
        for (int64_t i = 0; i < n; i++) {
            int64_t c = class_index(t[i], n_classes);
            if (c < 0)
                return pmc_fail(PMC_ERR_VALUE, "y_true holds %g, not a class index in [0, %lld)",
                                t[i], (long long)n_classes);
            present[c] = 1;
            if (!y_pred) continue;
            c = class_index(p[i], n_classes);
            if (c < 0)
                return pmc_fail(PMC_ERR_VALUE, "y_pred holds %g, not a class index in [0, %lld)",
                                p[i], (long long)n_classes);
            present[c] = 1;
        }
    }
    return PMC_OK;
}

pmc_status pmc_metrics_confusion_matrix(const pmc_view *y_true, const pmc_view *weight,
                                        pmc_rows rows, const pmc_view *y_pred,
                                        int64_t n_classes, double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_pred, "y_pred");
    if (status != PMC_OK) return status;
    if (n_classes < 1) return pmc_fail(PMC_ERR_VALUE, "n_classes must be >= 1");
    memset(out, 0, (size_t)(n_classes * n_classes) * sizeof *out);
    FOR_EACH_PAIR(y_true, weight, rows, y_pred, n_classes, {
        if (ti >= 0 && pi >= 0) out[ti * n_classes + pi] += wi;
    });
    return PMC_OK;
}

pmc_status pmc_metrics_multilabel_counts(const pmc_view *y_true, const pmc_view *weight,
                                         pmc_rows rows, const pmc_view *y_pred, double *tp,
                                         double *true_sum, double *pred_sum) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_pred, "y_pred");
    if (status != PMC_OK) return status;
    const int64_t n_labels = y_true->ndim == 2 ? y_true->shape[1] : 1;
    if ((y_pred->ndim == 2 ? y_pred->shape[1] : 1) != n_labels)
        return pmc_fail(PMC_ERR_VALUE, "y_true and y_pred must have the same number of labels");
    double t[PAIRWISE_BLOCK], p[PAIRWISE_BLOCK], w[PAIRWISE_BLOCK];
    for (int64_t j = 0; j < n_labels; j++) {
        tp[j] = true_sum[j] = pred_sum[j] = 0.0;
        for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
            int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
            pmc_metrics_load(y_true, j, &rows, NULL, first, n, t);
            pmc_metrics_load(y_pred, j, NULL, NULL, first, n, p);
            if (weight->ndim == 0)
                for (int64_t i = 0; i < n; i++) w[i] = 1.0;
            else
                pmc_metrics_load(weight, 0, &rows, NULL, first, n, w);
            for (int64_t i = 0; i < n; i++) {
                if (t[i] != 0) true_sum[j] += w[i];
                if (p[i] != 0) pred_sum[j] += w[i];
                if (t[i] != 0 && p[i] != 0) tp[j] += w[i];
            }
        }
    }
    return PMC_OK;
}

/* ---- probabilities ------------------------------------------------------------ */

typedef struct {
    const pmc_view *y_true, *weight, *proba;
    const pmc_rows *rows;
    double eps, pos_label;
} proba_args;

/* -log of the clipped probability of the true class (1-D proba: binary, index 1 is
 * the positive class, column 0 is 1 - p as in scikit-learn). */
static void log_loss_terms(const void *arg, int64_t first, int64_t n, double *out) {
    const proba_args *a = arg;
    double t[PAIRWISE_BLOCK];
    double *loss = out, *w = out + PAIRWISE_BLOCK, *wl = out + 2 * PAIRWISE_BLOCK;
    pmc_metrics_load(a->y_true, 0, a->rows, NULL, first, n, t);
    const int64_t k = a->proba->ndim == 2 ? a->proba->shape[1] : 0;
    for (int64_t i = 0; i < n; i++) {
        double q;
        if (k == 0) {
            pmc_metrics_load(a->proba, 0, NULL, NULL, first + i, 1, &q);
            if (t[i] != 1.0) q = 1.0 - q;
        } else {
            pmc_metrics_load(a->proba, (int64_t)t[i], NULL, NULL, first + i, 1, &q);
        }
        q = q < a->eps ? a->eps : (q > 1.0 - a->eps ? 1.0 - a->eps : q);
        loss[i] = -log(q);
    }
    if (a->weight->ndim == 0) {
        for (int64_t i = 0; i < n; i++) w[i] = 1.0;
    } else {
        pmc_metrics_load(a->weight, 0, a->rows, NULL, first, n, w);
    }
    for (int64_t i = 0; i < n; i++) wl[i] = loss[i] * w[i];
}

pmc_status pmc_metrics_log_loss(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *proba, double eps, int normalize,
                                double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, proba, "y_proba");
    if (status != PMC_OK) return status;
    const int64_t k = proba->ndim == 2 ? proba->shape[1] : 2;
    double t[PAIRWISE_BLOCK];
    for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
        int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
        pmc_metrics_load(y_true, 0, &rows, NULL, first, n, t);
        for (int64_t i = 0; i < n; i++)
            if (class_index(t[i], k) < 0)
                return pmc_fail(PMC_ERR_VALUE, "y_true holds %g, not a class index in [0, %lld)",
                                t[i], (long long)k);
    }
    proba_args a = {y_true, weight, proba, &rows, eps, 1.0};
    double sums[3];
    pmc_metrics_sum_terms(log_loss_terms, &a, rows.n, 3, sums);
    if (weight->ndim == 0) {
        *out = normalize ? sums[0] / (double)rows.n : sums[0];
    } else {
        if (normalize && sums[1] == 0.0)
            return pmc_fail(PMC_ERR_VALUE, "Weights sum to zero, can't be normalized");
        *out = normalize ? sums[2] / sums[1] : sums[2];
    }
    return PMC_OK;
}

/* Row sums of (onehot - proba)^2; a 1-D proba is the two columns (1 - p, p). */
static void brier_terms(const void *arg, int64_t first, int64_t n, double *out) {
    const proba_args *a = arg;
    double t[PAIRWISE_BLOCK], p[PAIRWISE_BLOCK];
    double *loss = out, *w = out + PAIRWISE_BLOCK, *wl = out + 2 * PAIRWISE_BLOCK;
    pmc_metrics_load(a->y_true, 0, a->rows, NULL, first, n, t);
    if (a->proba->ndim == 1) {
        pmc_metrics_load(a->proba, 0, NULL, NULL, first, n, p);
        for (int64_t i = 0; i < n; i++) {
            const double pos = t[i] == a->pos_label ? 1.0 : 0.0;
            const double d0 = (1.0 - pos) - (1.0 - p[i]), d1 = pos - p[i];
            loss[i] = d0 * d0 + d1 * d1;
        }
    } else {
        for (int64_t i = 0; i < n; i++) loss[i] = 0.0;
        for (int64_t c = 0; c < a->proba->shape[1]; c++) {
            pmc_metrics_load(a->proba, c, NULL, NULL, first, n, p);
            for (int64_t i = 0; i < n; i++) {
                const double d = (t[i] == (double)c ? 1.0 : 0.0) - p[i];
                loss[i] += d * d;
            }
        }
    }
    if (a->weight->ndim == 0) {
        for (int64_t i = 0; i < n; i++) w[i] = 1.0;
    } else {
        pmc_metrics_load(a->weight, 0, a->rows, NULL, first, n, w);
    }
    for (int64_t i = 0; i < n; i++) wl[i] = loss[i] * w[i];
}

pmc_status pmc_metrics_brier(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                             const pmc_view *proba, double pos_label, double *out) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, proba, "y_proba");
    if (status != PMC_OK) return status;
    proba_args a = {y_true, weight, proba, &rows, 0.0, pos_label};
    double sums[3];
    pmc_metrics_sum_terms(brier_terms, &a, rows.n, 3, sums);
    if (weight->ndim == 0) {
        if (rows.n == 0) return pmc_fail(PMC_ERR_VALUE, "y_true is empty");
        *out = sums[0] / (double)rows.n;
    } else {
        if (sums[1] == 0.0)
            return pmc_fail(PMC_ERR_VALUE, "Weights sum to zero, can't be normalized");
        *out = sums[2] / sums[1];
    }
    return PMC_OK;
}

/* ---- regression ------------------------------------------------------------- */

typedef struct {
    pmc_regression_loss loss;
    const pmc_view *y_true, *weight, *y_pred;
    const pmc_rows *rows;
    int64_t col;
    double center; /* r2 denominator: the weighted mean of y_true */
    int mode;      /* 0: loss terms, 1: y_true terms (mean), 2: (y_true - center)^2 terms */
} reg_args;

/* Sums: [term, w, term * w]. */
static void regression_terms(const void *arg, int64_t first, int64_t n, double *out) {
    const reg_args *a = arg;
    double t[PAIRWISE_BLOCK], p[PAIRWISE_BLOCK];
    double *e = out, *w = out + PAIRWISE_BLOCK, *we = out + 2 * PAIRWISE_BLOCK;
    pmc_metrics_load(a->y_true, a->col, a->rows, NULL, first, n, t);
    if (a->mode == 0) {
        pmc_metrics_load(a->y_pred, a->y_pred->ndim == 2 ? a->col : 0, NULL, NULL, first, n, p);
        switch (a->loss) {
        case PMC_LOSS_SQUARED:
            for (int64_t i = 0; i < n; i++) e[i] = (t[i] - p[i]) * (t[i] - p[i]);
            break;
        case PMC_LOSS_ABSOLUTE:
            for (int64_t i = 0; i < n; i++) e[i] = fabs(p[i] - t[i]);
            break;
        case PMC_LOSS_ABSOLUTE_PERCENT:
            for (int64_t i = 0; i < n; i++) {
                const double at = fabs(t[i]);
                e[i] = fabs(p[i] - t[i]) / (at > DBL_EPSILON ? at : DBL_EPSILON);
            }
            break;
        default:
            for (int64_t i = 0; i < n; i++) {
                const double s = fabs(t[i]) + fabs(p[i]);
                e[i] = s == 0.0 ? 0.0 : 2.0 * fabs(p[i] - t[i]) / s;
            }
            break;
        }
    } else if (a->mode == 1) {
        for (int64_t i = 0; i < n; i++) e[i] = t[i];
    } else {
        for (int64_t i = 0; i < n; i++) e[i] = (t[i] - a->center) * (t[i] - a->center);
    }
    if (a->weight->ndim == 0) {
        for (int64_t i = 0; i < n; i++) w[i] = 1.0;
    } else {
        pmc_metrics_load(a->weight, 0, a->rows, NULL, first, n, w);
    }
    for (int64_t i = 0; i < n; i++) we[i] = e[i] * w[i];
}

static pmc_status check_regression(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                   const pmc_view *y_pred) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, y_pred, "y_pred");
    if (status != PMC_OK) return status;
    const int64_t k = y_true->ndim == 2 ? y_true->shape[1] : 1;
    if ((y_pred->ndim == 2 ? y_pred->shape[1] : 1) != k)
        return pmc_fail(PMC_ERR_VALUE, "y_true and y_pred have different number of output");
    if (rows.n == 0) return pmc_fail(PMC_ERR_VALUE, "y_true is empty");
    return PMC_OK;
}

/* Weighted mean (sum(term * w) / sum(w)), or plain mean without weights. */
static pmc_status weighted_mean(reg_args *a, int64_t n, double *out) {
    double sums[3];
    pmc_metrics_sum_terms(regression_terms, a, n, 3, sums);
    if (a->weight->ndim == 0) {
        *out = sums[0] / (double)n;
        return PMC_OK;
    }
    if (sums[1] == 0.0) return pmc_fail(PMC_ERR_VALUE, "Weights sum to zero, can't be normalized");
    *out = sums[2] / sums[1];
    return PMC_OK;
}

pmc_status pmc_metrics_regression(pmc_regression_loss loss, const pmc_view *y_true,
                                  const pmc_view *weight, pmc_rows rows,
                                  const pmc_view *y_pred, double *out) {
    pmc_status status = check_regression(y_true, weight, rows, y_pred);
    if (status != PMC_OK) return status;
    if (loss < PMC_LOSS_SQUARED || loss > PMC_LOSS_SYMMETRIC_PERCENT)
        return pmc_fail(PMC_ERR_VALUE, "unknown regression loss %d", (int)loss);
    const int64_t k = y_true->ndim == 2 ? y_true->shape[1] : 1;
    for (int64_t j = 0; j < k; j++) {
        reg_args a = {loss, y_true, weight, y_pred, &rows, j, 0.0, 0};
        status = weighted_mean(&a, rows.n, &out[j]);
        if (status != PMC_OK) return status;
    }
    return PMC_OK;
}

pmc_status pmc_metrics_r2_parts(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *y_pred, double *numerator,
                                double *denominator) {
    pmc_status status = check_regression(y_true, weight, rows, y_pred);
    if (status != PMC_OK) return status;
    const int64_t k = y_true->ndim == 2 ? y_true->shape[1] : 1;
    for (int64_t j = 0; j < k; j++) {
        double sums[3];
        reg_args a = {PMC_LOSS_SQUARED, y_true, weight, y_pred, &rows, j, 0.0, 0};
        pmc_metrics_sum_terms(regression_terms, &a, rows.n, 3, sums);
        numerator[j] = weight->ndim == 0 ? sums[0] : sums[2];
        a.mode = 1;
        status = weighted_mean(&a, rows.n, &a.center);
        if (status != PMC_OK) return status;
        a.mode = 2;
        pmc_metrics_sum_terms(regression_terms, &a, rows.n, 3, sums);
        denominator[j] = weight->ndim == 0 ? sums[0] : sums[2];
    }
    return PMC_OK;
}

double pmc_metrics_r2_from_parts(double numerator, double denominator) {
    if (denominator != 0.0) return 1.0 - numerator / denominator;
    return numerator != 0.0 ? 0.0 : 1.0; /* force_finite=True */
}
