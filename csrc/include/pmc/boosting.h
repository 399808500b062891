/* Histogram gradient boosting (scikit-learn's HistGradientBoosting*, LightGBM /
 * XGBoost 'hist' style): features binned once (core/common/binning.c), trees
 * grown leaf-wise on per-node gradient/hessian histograms. */
#ifndef PMC_BOOSTING_H
#define PMC_BOOSTING_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Losses, in the order of the `loss` choice. */
typedef enum {
    PMC_HGB_SQUARED_ERROR = 0,
    PMC_HGB_ABSOLUTE_ERROR = 1,
    PMC_HGB_GAMMA = 2,
    PMC_HGB_POISSON = 3,
    PMC_HGB_QUANTILE = 4,
    PMC_HGB_LOG_LOSS = 5
} pmc_hgb_loss;

/* Fit: y float (regression target, or the class index 0..n_classes-1 for
 * log_loss), optional sample weights (class weights folded in by the caller).
 * The rows trained on are `train_rows` (int64 row numbers of X) or, when absent,
 * the call's rows; `validation_rows` (optional) are binned with the training
 * thresholds and give the early-stopping loss.
 *
 * Early stopping (`early_stopping`): the negative mean loss after the baseline
 * and after every iteration goes to train_score / validation_score; the fit stops
 * when none of the last n_iter_no_change scores beats the one before them by
 * more than tol (scikit-learn's rule).  With `init` (warm start) the trees,
 * baseline and scores of `init` are kept and iterations are added up to max_iter.
 *
 * Exported state:
 *   meta             int64 (6): n_features, trees per iteration K, n_iter, loss,
 *                    max_bins, n_nodes
 *   baseline         float64 (K)  raw prediction before any tree
 *   tree_offsets     int64 (n_trees + 1)  first node of each tree; trees are in
 *                    iteration-major order (K per iteration)
 *   node_feature     int32 (n_nodes)  split feature (leaf: -1)
 *   node_threshold   float64  left when x <= threshold (numeric splits)
 *   node_left, node_right  int32  children, local to the tree (leaf: -1)
 *   node_value       float64  leaf value (learning rate applied)
 *   node_flags       int32  bit 0: missing values go left; bit 1: categorical
 *   node_bin         int32  the bin of a numeric split (for inspection)
 *   node_cat         int32  categorical split: row of cat_bitsets (else -1)
 *   cat_bitsets      int32 (n_cat_splits x 8)  the 256-bit set of category codes
 *                    that go left (codes are non-negative integers < 256)
 *   train_score, validation_score  float64  (empty without early stopping)
 * Import checks every index: children in their tree and forming a tree,
 * features < n_features, bitset rows in range, offsets monotone.
 *
 * Apply on raw X (float32/float64, any layout): decision_function gives the raw
 * predictions (n x K, 1-D when K == 1); predict gives the inverse link for
 * regression (identity, exp for poisson/gamma) and the class index for log_loss;
 * predict_proba gives the class probabilities (n x n_classes).  NaN goes where
 * the split's missing flag says; a categorical value outside the left set
 * (including negative or >= 256) goes right. */
typedef struct {
    int loss;                 /* pmc_hgb_loss */
    int64_t n_classes;        /* log_loss: number of classes (2: one tree per iteration) */
    double quantile;          /* loss quantile */
    double learning_rate;
    int64_t max_iter;
    int64_t max_leaf_nodes;   /* 0: no limit */
    int64_t max_depth;        /* 0: no limit (the root has depth 0) */
    int64_t min_samples_leaf;
    double l2_regularization;
    double min_child_weight;  /* minimum hessian sum of a child (scikit-learn: 1e-3) */
    double min_split_gain;    /* XGBoost's gamma: a split must reduce the loss by more */
    double max_features;      /* fraction of the tree's features tried at each split */
    double subsample;         /* fraction of the training rows drawn for each iteration */
    double colsample_bytree;  /* fraction of the features drawn for each tree */
    int64_t max_bins;         /* 2..255 non-missing bins */
    int early_stopping;
    int64_t n_iter_no_change;
    double tol;
    pmc_view train_rows;      /* int64, optional */
    pmc_view validation_rows; /* int64, optional */
    pmc_view n_categories;    /* int (n_features), optional: k > 0 marks a categorical
                                 feature whose values are the codes 0..k-1 (or NaN) */
    pmc_view monotonic_cst;   /* int (n_features), optional: -1, 0, 1 */
    pmc_view interaction_cst; /* int (n_groups x n_features) 0/1, optional: a branch may
                                 only split on the features of the groups that hold every
                                 feature split on above it (scikit-learn's, LightGBM's) */
    /* Raw predictions for a caller that scores iterations itself (early stopping
     * on a scorer), so that it fits many iterations per call:
     * staged_rows  int, optional: positions in the training rows (0..n_train-1);
     *              when given, fit exports
     *                staged_raw float64 (iterations of this call, (n_staged +
     *                  n_validation) * K): after each iteration, the raw
     *                  predictions of those rows then of the validation rows,
     *                  row-major with the K classes inner
     *                raw float64 (K, n_train + n_validation): at the end, the raw
     *                  predictions of the training then validation rows
     * init_raw     float64 (K, n_train + n_validation), optional, with init: the
     *              previous call's `raw` (same rows), taken instead of predicting
     *              init's trees on those rows again (the same numbers). */
    pmc_view staged_rows;
    pmc_view init_raw;
} pmc_hgb_params;

extern const pmc_estimator pmc_hist_gradient_boosting_estimator;

#ifdef __cplusplus
}
#endif
#endif
