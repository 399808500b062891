/* Feature binning shared by the histogram tree learners (gradient boosting,
 * histogram decision trees and forests): per-feature thresholds from quantiles,
 * then every value mapped to a small bin index.  Internal to the core. */
#ifndef PMC_BINNING_H
#define PMC_BINNING_H

#include "pmc/pmc.h"

/* Per-feature bin thresholds from the (sub)sampled rows of X: at most max_bins-1 increasing
 * thresholds per feature (midpoints between distinct values when there are few, quantiles
 * otherwise), NaN ignored. thresholds: n_features x (max_bins - 1), n_thresholds: n_features.
 *
 * As scikit-learn's _BinMapper: when rows.n > subsample (> 0), `subsample` distinct rows
 * are drawn with the generator seeded by `seed`; with at most max_bins distinct values
 * the thresholds are the midpoints of consecutive ones, otherwise the percentiles
 * 100 k / max_bins (k = 1 .. max_bins-1) by NumPy's 'averaged_inverted_cdf', duplicates
 * dropped; thresholds are clipped to 1e300 so +inf lands in the last bin.  Dense X only (any layout,
 * float32 or float64); 2 <= max_bins <= 255.  The result does not depend on n_threads. */
pmc_status pmc_bin_thresholds(const pmc_matrix *X, pmc_rows rows, int max_bins, int64_t subsample,
                              uint64_t seed, int n_threads, double *thresholds,
                              int32_t *n_thresholds);

/* Bin index of every (row, feature): value <= thresholds[b] -> smallest such b; NaN -> max_bins
 * (the missing bin). binned: uint8, feature-major (n_features x rows.n). max_bins <= 255.
 * A value above every threshold of its feature gets bin n_thresholds[feature]. */
pmc_status pmc_bin_map(const pmc_matrix *X, pmc_rows rows, const double *thresholds,
                       const int32_t *n_thresholds, int max_bins, int n_threads, uint8_t *binned);

#endif
