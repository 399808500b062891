/* Tree-structured Parzen estimators (Bergstra et al. 2011), the suggestion
 * algorithm of Hyperopt's tpe.suggest, plus a joint (multivariate) variant.
 *
 * A search space is a flat list of dimensions.  Python flattens the tree of
 * choices: a dimension that sits under a choice option is simply absent (NaN) in
 * the observations of trials where that option was not taken, so it only takes
 * part in the model of trials where it was active.  Values cross in Hyperopt's
 * `misc.vals` convention: numeric values as drawn (quantised), categorical ones
 * as `offset + index` (choice/pchoice: the option index; randint: the integer). */
#ifndef PMC_TUNE_H
#define PMC_TUNE_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PMC_TPE_NUMERIC = 0, PMC_TPE_CATEGORICAL = 1 } pmc_tpe_kind;

typedef struct {
    int kind;             /* pmc_tpe_kind */
    /* numeric: the model lives in "model space": log(value) when `log`, else value */
    int log;
    int prior_uniform;    /* prior: uniform on [low, high] (1) or normal(mu, sigma) (0) */
    double low, high;     /* truncation in model space; -inf / +inf when unbounded */
    double prior_mu, prior_sigma; /* the prior's Parzen component, in model space */
    double q;             /* quantum of the value (0: continuous) */
    /* categorical */
    int64_t n_choices;
    const double *p;      /* prior probabilities (n_choices, summing to 1), NULL: uniform */
    double offset;        /* value = offset + index */
    /* dimensions with the same group are modelled jointly (multivariate TPE); a
     * group of one is Hyperopt's univariate adaptive Parzen estimator */
    int64_t group;
} pmc_tpe_dim;

typedef struct {
    int64_t n_startup_jobs;  /* prior samples until this many observations (20) */
    /* n_good = min(ceil(gamma * sqrt(n)), linear_forgetting): 0.75, where
     * Hyperopt's is 0.25 (too few good trials; see DEFAULT_GAMMA in tune/_sampler.py) */
    double gamma;
    int64_t n_ei_candidates; /* candidates drawn from l(x), ranked by log l - log g (24) */
    double prior_weight;     /* weight of the prior component (1.0) */
    int64_t linear_forgetting; /* older observations beyond this many are down-weighted (25) */
} pmc_tpe_options;

pmc_tpe_options pmc_tpe_default_options(void);

/* Checks every dimension (kinds, bounds, priors, probabilities, groups). */
pmc_status pmc_tpe_check_space(const pmc_tpe_dim *dims, int64_t n_dims);

/* One draw from the prior (random search) for each trial id: out is
 * n_suggest x n_dims (C order).  The draw of a trial depends only on (seed, id). */
pmc_status pmc_tpe_sample_prior(const pmc_tpe_dim *dims, int64_t n_dims, uint64_t seed,
                                const int64_t *trial_ids, int64_t n_suggest, double *out);

/* TPE suggestions for the trial ids, from the observations X (n_obs x n_dims,
 * float64, rows in trial order, NaN: inactive) and their losses (n_obs; NaN: not
 * part of the model, e.g. failed).  Fewer than n_startup_jobs usable observations:
 * prior samples.  Each (trial id, group) has its own random stream, so results do
 * not depend on n_threads nor on how many ids are asked at once. */
pmc_status pmc_tpe_suggest(const pmc_tpe_dim *dims, int64_t n_dims, const pmc_view *X,
                           const pmc_view *loss, const pmc_tpe_options *options, uint64_t seed,
                           const int64_t *trial_ids, int64_t n_suggest, int n_threads,
                           double *out);

/* ---- the pieces, exposed for the C unit tests -------------------------------- */

/* Hyperopt's adaptive Parzen estimator of one numeric dimension: the n observed
 * model-space values `mus` (trial order) and the prior become n + 1 components
 * (weights summing to 1, means, bandwidths), sorted by mean; equal means stay
 * in trial order, which decides how their forgetting weights pair with their
 * bandwidths.  Outputs have n + 1 slots. */
pmc_status pmc_tpe_parzen(const double *mus, int64_t n, double prior_weight, double prior_mu,
                          double prior_sigma, int64_t linear_forgetting, double *weights,
                          double *means, double *sigmas);

/* log density of x under a mixture of normals truncated to [low, high] as
 * Hyperopt's GMM1 (renormalised by the mixture's mass inside the bounds, the
 * density of drawing a component and redrawing both when outside); q > 0: the
 * log probability of the quantisation
 * bucket [x - q/2, x + q/2] (in value space; `log_space`: the components live in log space). */
double pmc_tpe_mixture_logpdf(double x, int64_t n, const double *weights, const double *means,
                              const double *sigmas, double low, double high, double q,
                              int log_space);

#ifdef __cplusplus
}
#endif
#endif
