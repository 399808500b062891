/* Metrics: the arithmetic of pymlcore.metrics and the built-in scorers that the C
 * drivers (cross-validation, search) call on a test fold.
 *
 * Conventions shared by every kernel below:
 *  - y_true and weight are read at `rows` (rows.n values); weight has ndim 0 when
 *    absent (every weight is then 1).
 *  - y_pred / y_score / proba are compact: row i belongs to rows[i].
 *  - Class labels arrive as class indices 0..n_classes-1 (any int or float dtype,
 *    Python encodes labels with np.unique / searchsorted).  Indices outside
 *    [0, n_classes) are ignored where a kernel says so (labels= subsets).
 *  - Float32 and float64 inputs are read in place; arithmetic is in float64.
 *  - Sums run in a fixed order (numpy-like pairwise summation), so results never
 *    depend on the thread count.
 */
#ifndef PMC_METRICS_H
#define PMC_METRICS_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- classification counts ---------------------------------------------- */

/* Weighted count of rows where y_true == y_pred (*correct) and total weight (*total). */
pmc_status pmc_metrics_accuracy(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *y_pred, double *correct, double *total);

/* Per-class weighted counts: tp[c] (y_true == y_pred == c), true_sum[c] (y_true == c),
 * pred_sum[c] (y_pred == c), each n_classes long.  Indices outside [0, n_classes)
 * add to nothing. */
pmc_status pmc_metrics_class_counts(const pmc_view *y_true, const pmc_view *weight,
                                    pmc_rows rows, const pmc_view *y_pred, int64_t n_classes,
                                    double *tp, double *true_sum, double *pred_sum);

/* Weighted confusion matrix, out[i * n_classes + j] = weight of (true i, predicted j).
 * Rows whose true or predicted index is outside [0, n_classes) are skipped. */
pmc_status pmc_metrics_confusion_matrix(const pmc_view *y_true, const pmc_view *weight,
                                        pmc_rows rows, const pmc_view *y_pred,
                                        int64_t n_classes, double *out);

/* Multilabel indicator counts (y_true, y_pred: n x n_labels, 0/1 values):
 * tp, true_sum, pred_sum per label (n_labels each), weighted. */
pmc_status pmc_metrics_multilabel_counts(const pmc_view *y_true, const pmc_view *weight,
                                         pmc_rows rows, const pmc_view *y_pred, double *tp,
                                         double *true_sum, double *pred_sum);

/* ---- ranking ---------------------------------------------------------------- */

/* The cumulative counts of a binary decision curve: y_score sorted in decreasing
 * order (stable), one point per distinct score.  A row is positive when
 * y_true == pos_label.  fps/tps/thresholds have room for rows.n values; *n_points
 * receives how many were written (scikit-learn's _binary_clf_curve). */
pmc_status pmc_metrics_binary_curve(const pmc_view *y_true, const pmc_view *weight,
                                    pmc_rows rows, const pmc_view *y_score, double pos_label,
                                    double *fps, double *tps, double *thresholds,
                                    int64_t *n_points);

/* Tie-aware area under the ROC curve of one binary problem, as scikit-learn's
 * roc_curve(drop_intermediate=True) + auc.  y_score 1-D.  *out is NaN when y_true
 * holds only one class (scikit-learn warns and returns nan; Python warns). */
pmc_status pmc_metrics_roc_auc(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                               const pmc_view *y_score, double pos_label, double *out);

/* Multiclass ROC AUC from probabilities (rows.n x n_classes) and class indices:
 * one-vs-rest (ovo = 0) or one-vs-one (ovo = 1), macro (weighted = 0) or
 * prevalence-weighted (weighted = 1) average, as scikit-learn.  Every class must
 * occur in y_true.  For ovo, weight must be absent (scikit-learn has none). */
pmc_status pmc_metrics_roc_auc_multiclass(const pmc_view *y_true, const pmc_view *weight,
                                          pmc_rows rows, const pmc_view *proba,
                                          int64_t n_classes, int ovo, int weighted,
                                          double *out);

/* Average precision (step-wise area under precision/recall, scikit-learn's). When
 * no row is positive the result is 0 (recall undefined: Python warns). */
pmc_status pmc_metrics_average_precision(const pmc_view *y_true, const pmc_view *weight,
                                         pmc_rows rows, const pmc_view *y_score,
                                         double pos_label, double *out);

/* Trapezoid area under y(x) for 1-D views of equal length >= 2.  x must be
 * monotonic (increasing or decreasing; a decreasing x gives a positive area, as
 * scikit-learn's auc). PMC_ERR_VALUE otherwise. */
pmc_status pmc_metrics_auc(const pmc_view *x, const pmc_view *y, double *out);

/* ---- probabilities ---------------------------------------------------------- */

/* Weighted mean (normalize = 1) or weighted sum (normalize = 0) of
 * -log(clip(q_i, eps, 1 - eps)) with q_i = proba[i, y_true[i]] for a 2-D proba
 * (rows.n x n_classes, y_true class indices in [0, n_classes)); for a 1-D proba
 * (binary, y_true 0/1) q_i = proba[i] when y_true is 1, else 1 - proba[i]. */
pmc_status pmc_metrics_log_loss(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *proba, double eps, int normalize,
                                double *out);

/* Weighted mean over rows of sum_c (onehot(y_true)[c] - proba[i, c])^2 for a 2-D
 * proba (rows.n x n_classes); a 1-D proba is the two columns (1 - p, p) with
 * y_true == pos_label the positive class.  Not halved: scikit-learn's
 * scale_by_half is the caller's. */
pmc_status pmc_metrics_brier(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                             const pmc_view *proba, double pos_label, double *out);

/* ---- regression ----------------------------------------------------------- */

typedef enum {
    PMC_LOSS_SQUARED = 0,         /* (y - p)^2 */
    PMC_LOSS_ABSOLUTE = 1,        /* |y - p| */
    PMC_LOSS_ABSOLUTE_PERCENT = 2,/* |y - p| / max(|y|, DBL_EPSILON) */
    PMC_LOSS_SYMMETRIC_PERCENT = 3/* 2|y - p| / (|y| + |p|), 0 when both are 0 */
} pmc_regression_loss;

/* Weighted mean of the loss per output: y_true and y_pred 1-D (one output) or
 * n x n_outputs; out has n_outputs values. */
pmc_status pmc_metrics_regression(pmc_regression_loss loss, const pmc_view *y_true,
                                  const pmc_view *weight, pmc_rows rows,
                                  const pmc_view *y_pred, double *out);

/* The parts of R^2 per output: numerator = sum w (y - p)^2, denominator =
 * sum w (y - weighted mean y)^2 (scikit-learn's formula). */
pmc_status pmc_metrics_r2_parts(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                                const pmc_view *y_pred, double *numerator,
                                double *denominator);
/* R^2 of one output from its parts, with scikit-learn's force_finite rules. */
double pmc_metrics_r2_from_parts(double numerator, double denominator);

/* Numpy's pairwise summation order (blocks of 8 partial sums, split at 128). */
double pmc_pairwise_sum(const double *a, int64_t n);

/* ---- scorers ---------------------------------------------------------------- */

/* A built-in scorer that C drivers (cross-validation, search) call on one test fold.
 * y_true: the targets (any float/int dtype view; for classifiers, class indices
 * 0..n_classes-1 as produced by the estimator's own label encoding), read at `rows`
 * (rows.n values). weight: ndim 0 when absent, else read at `rows` too.
 * output: what the estimator's apply(`method`) produced for those rows, compact
 * (row i of output is rows[i]): 1-D (rows.n) or 2-D (rows.n x k).
 * Binary scorers on 2-column probabilities use column 1; on 1-D decision values, the values.
 * The "binary" scorers (f1, precision, recall, average_precision, neg_brier_score)
 * take class index 1 as the positive class (scikit-learn's pos_label=1 with labels
 * {0, 1}).
 * *out: the value with scikit-learn's sign (neg_* scorers negated), higher is better.
 * *warnings: the scorer ORs in the PMC_SCORE_WARN_* bits of the warnings
 * scikit-learn's scorer would raise on the same data (the caller zeroes it and
 * raises them: C never warns by itself).
 * Scorers keep no state: any number of threads may call them at once. */
/* precision / recall / F-score: some label's ratio had a zero denominator and was
 * set to 0 (scikit-learn's UndefinedMetricWarning with zero_division="warn") */
#define PMC_SCORE_WARN_ZERO_DIVISION 1u
/* ... and the ratio was over one result (binary, micro, or a single label
 * present): scikit-learn words the warning "due to" rather than "in labels with" */
#define PMC_SCORE_WARN_SINGLE_RESULT 2u
/* balanced accuracy: y_pred holds classes absent from y_true (a UserWarning) */
#define PMC_SCORE_WARN_PRED_CLASSES 4u
/* r2: fewer than two samples, the score is NaN (UndefinedMetricWarning) */
#define PMC_SCORE_WARN_FEW_SAMPLES 8u
/* balanced accuracy: one label in y_true and y_pred together (scikit-learn's
 * confusion_matrix UserWarning) */
#define PMC_SCORE_WARN_SINGLE_LABEL 16u
typedef struct {
    const char *name;          /* scikit-learn's scorer name, e.g. "neg_mean_squared_error" */
    pmc_method method;         /* preferred output: PMC_PREDICT, PMC_DECISION_FUNCTION or PMC_PREDICT_PROBA */
    int fallback_method;       /* -1, or the pmc_method to use when the estimator lacks `method` */
    int is_classification;     /* y_true holds class indices */
    pmc_status (*score)(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                        const pmc_view *output, int64_t n_classes, double *out,
                        unsigned *warnings);
} pmc_scorer;
const pmc_scorer *pmc_find_scorer(const char *name);   /* NULL if unknown */
const pmc_scorer *const *pmc_scorers(int *n);

#ifdef __cplusplus
}
#endif
#endif
