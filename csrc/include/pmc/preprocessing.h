/* Feature transformers. */
#ifndef PMC_PREPROCESSING_H
#define PMC_PREPROCESSING_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* StandardScaler.  Exported state: mean_ (n_features) or absent, var_ and scale_
 * (n_features) or absent, n_samples_seen_ (1, the summed weight) and flags (2:
 * with_mean, with_std).  Fitting with `init` merges the new rows into it
 * (partial_fit). */
typedef struct {
    int with_mean;
    int with_std;
} pmc_standard_scaler_params;

extern const pmc_estimator pmc_standard_scaler_estimator;

#ifdef __cplusplus
}
#endif
#endif
