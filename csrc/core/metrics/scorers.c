/* The built-in scorers (pmc_scorer in pmc/metrics.h): scikit-learn's scorer names,
 * response methods and signs, computed with the same kernels as pymlcore.metrics.
 * Each scorer is a pure function of its arguments, so threads may share them. */
#include <float.h>

#include "internal.h"
#include "metrics_internal.h"

/* The score column of a binary problem: a 1-D output as is, column 1 of two
 * (probabilities or two-column decisions), column 0 of one. */
static pmc_status binary_column(const pmc_view *output, pmc_view *col) {
    if (output->ndim == 1) {
        *col = *output;
        return PMC_OK;
    }
    if (output->shape[1] > 2)
        return pmc_fail(PMC_ERR_VALUE, "output has %lld columns, a binary scorer needs at most 2",
                        (long long)output->shape[1]);
    *col = pmc_metrics_column(output, output->shape[1] - 1);
    return PMC_OK;
}

/* Class presence in y_true (and y_pred), with every index checked.  `present`
 * may be NULL when only the counts are wanted; otherwise the caller frees it. */
static pmc_status presence(const pmc_view *y_true, pmc_rows rows, const pmc_view *y_pred,
                           int64_t n_classes, unsigned char **present, int64_t *n_present,
                           int64_t *max_present) {
    pmc_status status = PMC_OK;
    unsigned char *flags = NULL;
    PMC_ALLOC(flags, n_classes > 0 ? n_classes : 1, "classes");
    PMC_TRY(pmc_metrics_class_presence(y_true, rows, y_pred, n_classes, flags));
    *n_present = 0;
    *max_present = -1;
    for (int64_t c = 0; c < n_classes; c++)
        if (flags[c]) {
            (*n_present)++;
            *max_present = c;
        }
    if (present) {
        *present = flags;
        return PMC_OK;
    }
error:
    free(flags);
    return status;
}

static pmc_status check_classes(int64_t n_classes) {
    if (n_classes < 1) return pmc_fail(PMC_ERR_VALUE, "n_classes must be >= 1");
    return PMC_OK;
}

static pmc_status score_accuracy(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                 const pmc_view *output, int64_t n_classes, double *out, unsigned *warnings) {
    (void)warnings;
    double correct, total;
    pmc_status status = pmc_metrics_accuracy(y_true, weight, rows, output, &correct, &total);
    if (status != PMC_OK) return status;
    if (total == 0.0) return pmc_fail(PMC_ERR_VALUE, "Weights sum to zero, can't be normalized");
    *out = weight->ndim == 0 ? correct / (double)rows.n : correct / total;
    return PMC_OK;
}

typedef enum { AVG_BINARY, AVG_MICRO, AVG_MACRO, AVG_WEIGHTED } average_kind;
typedef enum { PRF_PRECISION, PRF_RECALL, PRF_F1, PRF_BALANCED } prf_kind;

/* tp / denominator, 0 when the denominator is 0 (zero_division="warn"), which
 * *zero records: scikit-learn then warns. */
static inline double divide(double num, double den, int *zero) {
    if (den != 0.0) return num / den;
    *zero = 1;
    return 0.0;
}

static double prf_value(prf_kind kind, double tp, double pred, double truth, int *zero) {
    switch (kind) {
    case PRF_PRECISION: return divide(tp, pred, zero);
    case PRF_RECALL: return divide(tp, truth, zero);
    default: return divide(2.0 * tp, 1.0 * truth + pred, zero); /* beta = 1 */
    }
}

/* precision / recall / F1 with scikit-learn's averages over the labels present in
 * y_true or y_pred; balanced accuracy (mean recall over classes of y_true). */
static pmc_status score_prf(prf_kind kind, average_kind avg, const pmc_view *y_true,
                            const pmc_view *weight, pmc_rows rows, const pmc_view *output,
                            int64_t n_classes, double *out, unsigned *warnings) {
    pmc_status status = check_classes(n_classes);
    if (status != PMC_OK) return status;
    status = pmc_metrics_check(y_true, weight, rows, output, "output");
    if (status != PMC_OK) return status;
    if (output->ndim != 1 && output->shape[1] != 1)
        return pmc_fail(PMC_ERR_VALUE, "predictions must be 1-D");
    if (rows.n == 0)
        return pmc_fail(PMC_ERR_VALUE, "Found empty input array (e.g., `y_true` or `y_pred`) "
                                       "while a minimum of 1 sample is required.");
    const int64_t n = n_classes > 2 ? n_classes : 2;
    double *tp = NULL, *pred = NULL, *truth = NULL, *values = NULL, *terms = NULL;
    unsigned char *present = NULL;
    int64_t n_present, max_present, results = 0;
    int zero = 0; /* a ratio divided by zero */
    PMC_TRY(presence(y_true, rows, output, n_classes, &present, &n_present, &max_present));
    PMC_ALLOC(tp, n, "counts");
    PMC_ALLOC(pred, n, "counts");
    PMC_ALLOC(truth, n, "counts");
    PMC_ALLOC(values, n, "values");
    PMC_ALLOC(terms, n, "values");
    PMC_TRY(pmc_metrics_class_counts(y_true, weight, rows, output, n, tp, truth, pred));
    if (kind == PRF_BALANCED) {
        int64_t m = 0;
        if (n_present == 1) *warnings |= PMC_SCORE_WARN_SINGLE_LABEL;
        for (int64_t c = 0; c < n; c++) {
            if (c >= n_classes || !present[c]) continue;
            if (truth[c] != 0.0) values[m++] = tp[c] / truth[c];
            else *warnings |= PMC_SCORE_WARN_PRED_CLASSES; /* a predicted class only */
        }
        *out = m ? pmc_pairwise_sum(values, m) / (double)m : NAN;
        goto error;
    }
    if (avg == AVG_BINARY) {
        if (max_present > 1) {
            status = pmc_fail(PMC_ERR_VALUE,
                              "Target is multiclass but average='binary'. Please choose another "
                              "average setting, one of [None, 'micro', 'macro', 'weighted'].");
            goto error;
        }
        *out = prf_value(kind, tp[1], pred[1], truth[1], &zero);
        results = 1;
        goto error;
    }
    /* The labels: those present in y_true or y_pred, in index order. */
    int64_t m = 0;
    for (int64_t c = 0; c < n_classes; c++) {
        if (!present[c]) continue;
        tp[m] = tp[c];
        pred[m] = pred[c];
        truth[m] = truth[c];
        m++;
    }
    if (avg == AVG_MICRO) {
        *out = prf_value(kind, pmc_pairwise_sum(tp, m), pmc_pairwise_sum(pred, m),
                         pmc_pairwise_sum(truth, m), &zero);
        results = 1;
        goto error;
    }
    for (int64_t c = 0; c < m; c++) values[c] = prf_value(kind, tp[c], pred[c], truth[c], &zero);
    results = m;
    const double total = pmc_pairwise_sum(truth, m);
    if (avg == AVG_MACRO || total == 0.0) { /* _nanaverage falls back to the mean */
        *out = pmc_pairwise_sum(values, m) / (double)m;
    } else {
        for (int64_t c = 0; c < m; c++) terms[c] = values[c] * truth[c];
        *out = pmc_pairwise_sum(terms, m) / total;
    }
error:
    if (status == PMC_OK && zero)
        *warnings |= PMC_SCORE_WARN_ZERO_DIVISION |
                     (results == 1 ? PMC_SCORE_WARN_SINGLE_RESULT : 0u);
    free(present);
    free(tp);
    free(pred);
    free(truth);
    free(values);
    free(terms);
    return status;
}

#define PRF_SCORER(fn, kind, avg)                                                             \
    static pmc_status fn(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,      \
                         const pmc_view *output, int64_t n_classes, double *out,             \
                         unsigned *warnings) {                                             \
        return score_prf(kind, avg, y_true, weight, rows, output, n_classes, out, warnings);  \
    }
PRF_SCORER(score_balanced_accuracy, PRF_BALANCED, AVG_MACRO)
PRF_SCORER(score_f1, PRF_F1, AVG_BINARY)
PRF_SCORER(score_f1_micro, PRF_F1, AVG_MICRO)
PRF_SCORER(score_f1_macro, PRF_F1, AVG_MACRO)
PRF_SCORER(score_f1_weighted, PRF_F1, AVG_WEIGHTED)
PRF_SCORER(score_precision, PRF_PRECISION, AVG_BINARY)
PRF_SCORER(score_precision_micro, PRF_PRECISION, AVG_MICRO)
PRF_SCORER(score_precision_macro, PRF_PRECISION, AVG_MACRO)
PRF_SCORER(score_precision_weighted, PRF_PRECISION, AVG_WEIGHTED)
PRF_SCORER(score_recall, PRF_RECALL, AVG_BINARY)
PRF_SCORER(score_recall_micro, PRF_RECALL, AVG_MICRO)
PRF_SCORER(score_recall_macro, PRF_RECALL, AVG_MACRO)
PRF_SCORER(score_recall_weighted, PRF_RECALL, AVG_WEIGHTED)

/* Binary ROC AUC (positive class index 1) on a 1-D or two-column output. */
static pmc_status binary_auc(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                             const pmc_view *output, int64_t n_classes, double *out, unsigned *warnings) {
    (void)warnings;
    pmc_status status = check_classes(n_classes);
    if (status != PMC_OK) return status;
    status = pmc_metrics_check(y_true, weight, rows, output, "output");
    if (status != PMC_OK) return status;
    int64_t n_present, max_present;
    status = presence(y_true, rows, NULL, n_classes > 2 ? n_classes : 2, NULL, &n_present,
                      &max_present);
    if (status != PMC_OK) return status;
    if (max_present > 1) return pmc_fail(PMC_ERR_VALUE, "multi_class must be in ('ovo', 'ovr')");
    pmc_view col;
    status = binary_column(output, &col);
    if (status != PMC_OK) return status;
    return pmc_metrics_roc_auc_subset(y_true, weight, rows, &col, 1.0, NULL, rows.n, out);
}

/* Multiclass ROC AUC on probabilities; binary problems score column 1. */
static pmc_status multiclass_auc(int ovo, int weighted, const pmc_view *y_true,
                                 const pmc_view *weight, pmc_rows rows, const pmc_view *output,
                                 int64_t n_classes, double *out) {
    if (output->ndim == 1 || output->shape[1] <= 2)
        return binary_auc(y_true, weight, rows, output, n_classes, out, NULL);
    return pmc_metrics_roc_auc_multiclass(y_true, weight, rows, output, output->shape[1], ovo,
                                          weighted, out);
}
#define AUC_SCORER(fn, ovo, weighted)                                                        \
    static pmc_status fn(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,      \
                         const pmc_view *output, int64_t n_classes, double *out,             \
                         unsigned *warnings) {                                             \
        (void)warnings;                                                                     \
        return multiclass_auc(ovo, weighted, y_true, weight, rows, output, n_classes, out);   \
    }
AUC_SCORER(score_roc_auc_ovr, 0, 0)
AUC_SCORER(score_roc_auc_ovo, 1, 0)
AUC_SCORER(score_roc_auc_ovr_weighted, 0, 1)
AUC_SCORER(score_roc_auc_ovo_weighted, 1, 1)

/* Average precision: binary (index 1 positive), or the macro average over the
 * classes of a multiclass output, which must all occur in y_true. */
static pmc_status score_average_precision(const pmc_view *y_true, const pmc_view *weight,
                                          pmc_rows rows, const pmc_view *output,
                                          int64_t n_classes, double *out, unsigned *warnings) {
    (void)warnings;
    pmc_status status = check_classes(n_classes);
    if (status != PMC_OK) return status;
    status = pmc_metrics_check(y_true, weight, rows, output, "output");
    if (status != PMC_OK) return status;
    const int64_t k = output->ndim == 2 ? output->shape[1] : 1;
    int64_t n_present, max_present;
    status = presence(y_true, rows, NULL, PMC_MAX(PMC_MAX(n_classes, k), 2), NULL, &n_present,
                      &max_present);
    if (status != PMC_OK) return status;
    if (max_present <= 1 && k <= 2) {
        pmc_view col;
        status = binary_column(output, &col);
        if (status != PMC_OK) return status;
        return pmc_metrics_average_precision(y_true, weight, rows, &col, 1.0, out);
    }
    if (n_present != k || max_present >= k)
        return pmc_fail(PMC_ERR_VALUE, "`y_score` needs to be of shape `(n_samples, n_classes)`, "
                                       "since `y_true` contains multiple classes.");
    double sum = 0.0, *values = malloc((size_t)k * sizeof *values);
    if (!values) return pmc_fail(PMC_ERR_MEMORY, "out of memory");
    for (int64_t c = 0; c < k && status == PMC_OK; c++) {
        pmc_view col = pmc_metrics_column(output, c);
        status = pmc_metrics_average_precision(y_true, weight, rows, &col, (double)c, &values[c]);
    }
    if (status == PMC_OK) {
        sum = pmc_pairwise_sum(values, k);
        *out = sum / (double)k;
    }
    free(values);
    return status;
}

/* Probabilities must lie in [0, 1], and y_true must hold every class of the output. */
static pmc_status check_proba(const pmc_view *y_true, pmc_rows rows, const pmc_view *output,
                              int64_t *k_out) {
    const int64_t k = output->ndim == 2 ? output->shape[1] : 2;
    double p[PAIRWISE_BLOCK];
    for (int64_t c = 0; c < (output->ndim == 2 ? k : 1); c++)
        for (int64_t first = 0; first < rows.n; first += PAIRWISE_BLOCK) {
            int64_t n = PMC_MIN((int64_t)PAIRWISE_BLOCK, rows.n - first);
            pmc_metrics_load(output, c, NULL, NULL, first, n, p);
            for (int64_t i = 0; i < n; i++) {
                if (p[i] > 1.0)
                    return pmc_fail(PMC_ERR_VALUE, "y_prob contains values greater than 1: %g",
                                    p[i]);
                if (!(p[i] >= 0.0))
                    return pmc_fail(PMC_ERR_VALUE, "y_prob contains values lower than 0: %g",
                                    p[i]);
            }
        }
    *k_out = k;
    return PMC_OK;
}

/* The checks every probability scorer starts with: the inputs, the width k of
 * the probabilities, and how many of the k classes y_true holds. */
static pmc_status proba_classes(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *output, int64_t *k, int64_t *n_present) {
    pmc_status status = pmc_metrics_check(y_true, weight, rows, output, "output");
    if (status != PMC_OK) return status;
    status = check_proba(y_true, rows, output, k);
    if (status != PMC_OK) return status;
    int64_t max_present;
    return presence(y_true, rows, NULL, *k, NULL, n_present, &max_present);
}

static pmc_status score_neg_log_loss(const pmc_view *y_true, const pmc_view *weight,
                                     pmc_rows rows, const pmc_view *output, int64_t n_classes,
                                     double *out, unsigned *warnings) {
    (void)warnings;
    int64_t k, n_present;
    pmc_status status = proba_classes(y_true, weight, rows, output, &k, &n_present);
    if (status != PMC_OK) return status;
    if (n_present == 1)
        return pmc_fail(PMC_ERR_VALUE, "y_true contains only one label. Please provide the list "
                                       "of all expected class labels explicitly through the "
                                       "labels argument.");
    if (n_present != k)
        return pmc_fail(PMC_ERR_VALUE, "y_true and y_prob contain different number of classes: "
                                       "%lld vs %lld.", (long long)n_present, (long long)k);
    const double eps = output->dtype == PMC_FLOAT32 ? (double)FLT_EPSILON : DBL_EPSILON;
    pmc_view proba = *output;
    if (output->ndim == 2 && k == 2) proba = pmc_metrics_column(output, 1); /* as scikit-learn */
    double loss;
    status = pmc_metrics_log_loss(y_true, weight, rows, &proba, eps, 1, &loss);
    if (status == PMC_OK) *out = -loss;
    return status;
}

static pmc_status score_neg_brier(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                  const pmc_view *output, int64_t n_classes, double *out, unsigned *warnings) {
    (void)warnings;
    int64_t k, n_present;
    pmc_status status = proba_classes(y_true, weight, rows, output, &k, &n_present);
    if (status != PMC_OK) return status;
    pmc_view proba = *output;
    const int binary = output->ndim == 1 || k <= 2;
    if (binary) {
        status = binary_column(output, &proba);
        if (status != PMC_OK) return status;
    } else if (n_present != k) {
        return pmc_fail(PMC_ERR_VALUE, "y_true and y_prob contain different number of classes: "
                                       "%lld vs %lld.", (long long)n_present, (long long)k);
    }
    double loss;
    status = pmc_metrics_brier(y_true, weight, rows, &proba, 1.0, &loss);
    if (status == PMC_OK) *out = -(binary ? 0.5 * loss : loss); /* scale_by_half="auto" */
    return status;
}

/* ---- regression ---------------------------------------------------------------- */

static pmc_status regression_mean(pmc_regression_loss loss, int root, const pmc_view *y_true,
                                  const pmc_view *weight, pmc_rows rows, const pmc_view *output,
                                  double *out) {
    const int64_t k = y_true->ndim == 2 ? y_true->shape[1] : 1;
    double *errors = malloc((size_t)(k > 0 ? k : 1) * sizeof *errors);
    if (!errors) return pmc_fail(PMC_ERR_MEMORY, "out of memory");
    pmc_status status = pmc_metrics_regression(loss, y_true, weight, rows, output, errors);
    if (status == PMC_OK) {
        if (root)
            for (int64_t j = 0; j < k; j++) errors[j] = sqrt(errors[j]);
        *out = -(pmc_pairwise_sum(errors, k) / (double)k); /* multioutput="uniform_average" */
    }
    free(errors);
    return status;
}
#define REG_SCORER(fn, loss, root)                                                           \
    static pmc_status fn(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,      \
                         const pmc_view *output, int64_t n_classes, double *out,             \
                         unsigned *warnings) {                                             \
        (void)n_classes;                                                                    \
        (void)warnings;                                                                     \
        return regression_mean(loss, root, y_true, weight, rows, output, out);               \
    }
REG_SCORER(score_neg_mse, PMC_LOSS_SQUARED, 0)
REG_SCORER(score_neg_rmse, PMC_LOSS_SQUARED, 1)
REG_SCORER(score_neg_mae, PMC_LOSS_ABSOLUTE, 0)
REG_SCORER(score_neg_mape, PMC_LOSS_ABSOLUTE_PERCENT, 0)

static pmc_status score_r2(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                           const pmc_view *output, int64_t n_classes, double *out, unsigned *warnings) {
    const int64_t k = y_true->ndim == 2 ? y_true->shape[1] : 1;
    pmc_status status = PMC_OK;
    double *num = NULL, *den = NULL;
    PMC_ALLOC(num, k > 0 ? k : 1, "r2");
    PMC_ALLOC(den, k > 0 ? k : 1, "r2");
    PMC_TRY(pmc_metrics_r2_parts(y_true, weight, rows, output, num, den));
    if (rows.n < 2) {
        *out = NAN; /* scikit-learn: not well-defined with less than two samples */
        *warnings |= PMC_SCORE_WARN_FEW_SAMPLES;
        goto error;
    }
    for (int64_t j = 0; j < k; j++) num[j] = pmc_metrics_r2_from_parts(num[j], den[j]);
    *out = pmc_pairwise_sum(num, k) / (double)k;
error:
    free(num);
    free(den);
    return status;
}

/* ---- the table ------------------------------------------------------------------ */

#define CLS(name, method, fallback, fn) {name, method, fallback, 1, fn}
#define REG(name, fn) {name, PMC_PREDICT, -1, 0, fn}

static const pmc_scorer scorers[] = {
    CLS("accuracy", PMC_PREDICT, -1, score_accuracy),
    CLS("balanced_accuracy", PMC_PREDICT, -1, score_balanced_accuracy),
    CLS("f1", PMC_PREDICT, -1, score_f1),
    CLS("f1_micro", PMC_PREDICT, -1, score_f1_micro),
    CLS("f1_macro", PMC_PREDICT, -1, score_f1_macro),
    CLS("f1_weighted", PMC_PREDICT, -1, score_f1_weighted),
    CLS("precision", PMC_PREDICT, -1, score_precision),
    CLS("precision_micro", PMC_PREDICT, -1, score_precision_micro),
    CLS("precision_macro", PMC_PREDICT, -1, score_precision_macro),
    CLS("precision_weighted", PMC_PREDICT, -1, score_precision_weighted),
    CLS("recall", PMC_PREDICT, -1, score_recall),
    CLS("recall_micro", PMC_PREDICT, -1, score_recall_micro),
    CLS("recall_macro", PMC_PREDICT, -1, score_recall_macro),
    CLS("recall_weighted", PMC_PREDICT, -1, score_recall_weighted),
    CLS("roc_auc", PMC_DECISION_FUNCTION, PMC_PREDICT_PROBA, binary_auc),
    CLS("roc_auc_ovr", PMC_PREDICT_PROBA, -1, score_roc_auc_ovr),
    CLS("roc_auc_ovo", PMC_PREDICT_PROBA, -1, score_roc_auc_ovo),
    CLS("roc_auc_ovr_weighted", PMC_PREDICT_PROBA, -1, score_roc_auc_ovr_weighted),
    CLS("roc_auc_ovo_weighted", PMC_PREDICT_PROBA, -1, score_roc_auc_ovo_weighted),
    CLS("average_precision", PMC_DECISION_FUNCTION, PMC_PREDICT_PROBA, score_average_precision),
    CLS("neg_log_loss", PMC_PREDICT_PROBA, -1, score_neg_log_loss),
    CLS("neg_brier_score", PMC_PREDICT_PROBA, -1, score_neg_brier),
    REG("r2", score_r2),
    REG("neg_mean_squared_error", score_neg_mse),
    REG("neg_root_mean_squared_error", score_neg_rmse),
    REG("neg_mean_absolute_error", score_neg_mae),
    REG("neg_mean_absolute_percentage_error", score_neg_mape),
};
#define N_SCORERS ((int)(sizeof scorers / sizeof scorers[0]))

static const pmc_scorer *const scorer_list[] = {
    &scorers[0],  &scorers[1],  &scorers[2],  &scorers[3],  &scorers[4],  &scorers[5],
    &scorers[6],  &scorers[7],  &scorers[8],  &scorers[9],  &scorers[10], &scorers[11],
    &scorers[12], &scorers[13], &scorers[14], &scorers[15], &scorers[16], &scorers[17],
    &scorers[18], &scorers[19], &scorers[20], &scorers[21], &scorers[22], &scorers[23],
    &scorers[24], &scorers[25], &scorers[26],
};
_Static_assert(sizeof scorer_list / sizeof scorer_list[0] == sizeof scorers / sizeof scorers[0],
               "scorer_list must list every scorer");

const pmc_scorer *const *pmc_scorers(int *n) {
    if (n) *n = N_SCORERS;
    return scorer_list;
}

const pmc_scorer *pmc_find_scorer(const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < N_SCORERS; i++)
        if (strcmp(scorers[i].name, name) == 0) return &scorers[i];
    return NULL;
}
