/* Time series: the Prophet-like forecaster (core/timeseries/forecaster.c). */
#ifndef PMC_TIMESERIES_H
#define PMC_TIMESERIES_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Forecaster ------------------------------------------------------------
 *
 * Prophet's model, y(t) = g(t) (1 + S_mult(t)) + S_add(t), fitted by MAP with
 * Prophet's priors.  X holds one row per observation:
 *   column 0        ds as days since 1970-01-01 (float),
 *   other columns   extra features (holiday indicators, regressors) described by
 *                   `features`; for growth 'logistic' the capacity (`cap_column`)
 *                   and optionally the floor (`floor_column`, -1 when absent).
 * y may hold NaN: those rows are left out of the fit, as Prophet drops them.
 * Rows need not be sorted by ds.
 *
 * seasonalities: S x 5 float64, one row per candidate seasonality:
 *   period (days), fourier_order (>= 1), prior_scale (> 0), mode (0 additive,
 *   1 multiplicative), auto rule (0 always on, 1 yearly 'auto', 2 weekly
 *   'auto', 3 daily 'auto': on only if the fitted history passes Prophet's test).
 * features: F x 4 float64: X column (>= 1), prior_scale, mode, standardize
 *   (0 no, 1 yes, 2 'auto': yes unless the column holds only 0 and 1).
 * changepoints: optional 1-D float64, ds of the changepoints in days; when
 *   absent, n_changepoints are spread over the first changepoint_range of the
 *   fitted history as Prophet does.
 *
 * apply: PMC_PREDICT gives yhat (1-D); PMC_TRANSFORM gives an n x (8 + S + F)
 * float64 table with the columns named by pmc_forecaster_columns, then one
 * column per seasonality (zeros for one found off by its auto rule) and one
 * per feature.  yhat_lower/upper and trend_lower/upper are NaN when
 * uncertainty_samples is 0.  Intervals simulate future trend changes and
 * observation noise from the seed the model was fitted with, one random
 * stream per sample path and per row, so they do not depend on n_threads. */
typedef struct {
    int growth;                   /* pmc_forecaster_growth_names index */
    int64_t n_changepoints;
    double changepoint_range;
    double changepoint_prior_scale;
    pmc_view changepoints;        /* optional */
    pmc_view seasonalities;       /* S x 5, may be absent */
    pmc_view features;            /* F x 4, may be absent */
    int scaling;                  /* pmc_forecaster_scaling_names index */
    double interval_width;
    int64_t uncertainty_samples;
    int64_t max_iter;             /* optimiser iterations */
    int64_t cap_column;           /* logistic growth: X column of the capacity, else -1 */
    int64_t floor_column;         /* logistic growth: X column of the floor, or -1 */
} pmc_forecaster_params;

extern const char *const pmc_forecaster_growth_names[];  /* "linear", "flat", "logistic" */
extern const char *const pmc_forecaster_scaling_names[]; /* "absmax", "minmax" */
/* Names of the 8 leading PMC_TRANSFORM columns. */
extern const char *const pmc_forecaster_columns[];
#define PMC_FORECASTER_N_FIXED_COLUMNS 8

extern const pmc_estimator pmc_forecaster_estimator;

#ifdef __cplusplus
}
#endif
#endif
