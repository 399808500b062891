/* Feature transformers. */
#ifndef PMC_PREPROCESSING_H
#define PMC_PREPROCESSING_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* StandardScaler: per-feature weighted mean and variance, NaN ignored, and the
 * affine map x -> (x - mean) / scale and its inverse.
 *
 * Fit takes a dense matrix of any layout or CSR (sparse statistics are computed
 * on the stored entries; implicit zeros are accounted for analytically; each
 * stored entry counts as one value, so the CSR must not repeat a (row, column):
 * SciPy's canonical format) and optional sample weights.  Fitting with `init` merges the new rows into the
 * statistics of `init` (partial_fit): Chan, Golub & LeVeque's pairwise update.
 *
 * Exported state, all float64 except `flags`:
 *   mean_            (n_features)  weighted mean of the non-NaN values
 *   var_             (n_features)  weighted population variance
 *   scale_           (n_features)  sqrt(var_), 1 for (near) constant features
 *                                  as scikit-learn's _is_constant_feature decides
 *   n_samples_seen_  (n_features)  summed weight of the non-NaN values
 *   flags            (2, int32 or int64)  with_mean, with_std: what apply uses
 * A feature that has seen no weight has mean_, var_ and scale_ NaN (scikit-learn
 * divides 0 by 0 there).
 *
 * Import needs mean_, scale_ and flags; var_ and n_samples_seen_ are needed only
 * when the model is an `init` (it is then rejected without them).
 *
 * Apply (transform, inverse_transform) on a dense X writes n_rows x n_features
 * in X's dtype.  Each row block is read completely before it is written, so
 * `out` may be X itself (in-place transform, scikit-learn's copy=False).  A CSR
 * X gives the dense result. */
typedef struct {
    int with_mean;
    int with_std;
} pmc_standard_scaler_params;

extern const pmc_estimator pmc_standard_scaler_estimator;

#ifdef __cplusplus
}
#endif
#endif
