/* Decision trees and forests of them (random forests, extra trees). */
#ifndef PMC_TREE_H
#define PMC_TREE_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Growth parameters, shared by the single tree ("DecisionTree") and the forest
 * ("Forest"); the single tree's schema lacks the forest-only fields.
 *
 * Counts and weights arrive resolved by Python (scikit-learn's fractions turned
 * into absolute numbers): min_samples_split and min_samples_leaf are sample
 * counts, min_weight_leaf a summed sample weight, max_features a count in
 * [1, n_features].  max_depth and max_leaf_nodes are -1 for "no limit";
 * max_bins 0 means exact splitting on sorted values, 2..255 histogram splitting
 * on binned values (quantile thresholds, scikit-learn semantics otherwise).
 *
 * Classification: `n_classes` (int64, one entry per output) is given and y holds
 * class codes 0..n_classes[o]-1 as numbers; criteria gini, entropy, log_loss.
 * Regression: `n_classes` is absent; criteria squared_error, friedman_mse,
 * poisson, absolute_error (node value: the weighted median, impurity: the mean
 * absolute deviation from it, scikit-learn's midpoint rule when the cumulative
 * weight hits half exactly).  y is (n_samples) or (n_samples, n_outputs). */
typedef struct {
    int criterion;  /* gini entropy log_loss squared_error friedman_mse poisson */
    int splitter;   /* best random */
    int64_t max_depth, min_samples_split, min_samples_leaf, max_features, max_leaf_nodes;
    int64_t max_bins;
    double min_weight_leaf, min_impurity_decrease;
    pmc_view n_classes;
    /* int64 (n_features) of -1 / 0 / 1, or absent: scikit-learn's monotonic
     * constraints on the node value (mean, or class-0 fraction of a binary
     * classifier: Python flips the signs), single output only */
    pmc_view monotonic_cst;
    /* forest only */
    int64_t n_estimators, max_samples, first_tree;
    int bootstrap, oob, balanced_subsample;
    /* single tree only: X arrives sparse as the CSR form of its transpose, i.e.
     * X's CSC arrays (data, row indices, column pointers) with n_rows = n_features
     * and n_cols = n_samples; every column's row indices must increase strictly */
    int sparse_csc;
    /* forest only: minimal cost-complexity pruning of every grown tree (0: none) */
    double ccp_alpha;
    /* forest only: grow nothing, export draw_counts (see pmc_forest_estimator) */
    int draw_only;
} pmc_tree_params;

/* DecisionTree: one tree grown on all rows (the rng stream of ctx->seed, 0).
 * Exported state (scikit-learn's tree_ arrays, in its node numbering: depth
 * first with max_leaf_nodes = -1, best first otherwise):
 *   children_left, children_right, feature, n_node_samples, missing_go_to_left
 *                                     int64 (node_count); -1 leaf / -2 undefined
 *   threshold, impurity, weighted_n_node_samples  float64 (node_count)
 *   value            float64 (node_count, n_outputs * max_n_classes) class
 *                    fractions (classification) or means (regression)
 *   feature_importances float64 (n_features), normalised to sum 1 (0 if no split)
 *   n_features, max_depth  int64 (1)
 * Import needs the first five groups (not impurity/importances) and checks
 * every index: children beyond the node (so no cycle), features < n_features.
 * Apply: predict_proba -> the leaf's value row (n_rows, n_value) float64;
 * transform -> the leaf's node id (n_rows) as float64 (exact).  X is read as float32, as
 * scikit-learn does; NaN follows missing_go_to_left.  Fit takes a dense X or,
 * with sparse_csc, X's CSC arrays (a feature's values over a node are gathered
 * from its column, zeros included; never densified); apply takes a dense or a
 * CSR X. */
extern const pmc_estimator pmc_decision_tree_estimator;

/* Forest: n_estimators trees, tree t grown on the rng stream (ctx->seed,
 * first_tree + t), in parallel over trees; the result does not depend on the
 * thread count.  With bootstrap, tree t draws max_samples rows with replacement
 * (with probability proportional to sample_weight when given, as scikit-learn
 * 1.9 does) and is grown with the draw counts as weights (times the
 * 'balanced_subsample' class weights of the draw when balanced_subsample);
 * without, with sample_weight.  The random splitter with max_bins draws one
 * boundary among the bins the node occupies.  With ccp_alpha > 0 every tree is
 * pruned after growth (scikit-learn's minimal cost-complexity pruning, on the
 * tree's float64 statistics) before it is stored.  Compact exported state, all
 * trees' nodes concatenated, each tree numbered breadth first so that a node's
 * children are adjacent:
 *   tree_start  int64 (n_trees + 1)   first node of every tree
 *   child       int32 (n_nodes)       inner node: left child's local id (right =
 *                                     left + 1); leaf: -n_node_samples (< 0)
 *   feature     int32 (n_nodes)       2 * feature + missing_go_to_left; -1 leaf
 *   threshold   float32 (n_nodes)     inner node: scikit-learn's float64
 *                                     threshold rounded down to float32 (x <= t
 *                                     is unchanged for the float32 X every tree
 *                                     reads); leaf: weighted_n_node_samples
 *   leaf_value  float32 (n_leaves, n_value)  class fractions or means, leaves
 *                                     in node order
 *   leaf_impurity float32 (n_leaves)  the leaves' impurity
 *   n_features  int64 (1)
 * A leaf's child and threshold slots, unused by prediction, carry its sample
 * counts; an inner node's counts, value and impurity follow from its leaves'
 * (sums, weighted means, the criterion's decomposition), so the compact form
 * holds a full tree at the cost of one float per leaf.
 * Fit also exports feature_importances (float64, n_features; scikit-learn's mean
 * of the per-tree normalised importances), and with oob: oob_sum (n_samples,
 * n_value) the summed predictions of the trees that did not see each row and
 * oob_count (n_samples).
 * Apply: predict_proba -> mean leaf value over trees (n_rows, n_value) float64;
 * transform -> every tree's leaf (local node id) (n_rows, n_trees) as float64.
 * With draw_only, fit reads only the number of rows of X and sample_weight and
 * exports draw_counts int32 (n_estimators, n_rows): how many times the
 * bootstrap of tree first_tree + t drew each row, the same draw as a fit. */
extern const pmc_estimator pmc_forest_estimator;

#ifdef __cplusplus
}
#endif
#endif
