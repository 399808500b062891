/* Grouped fitting: one model per group of rows, every fit driven through the
 * estimator table in C threads.  Python factorises the key columns into per-row
 * group codes (0 .. n_groups-1, in sorted key order) and a 64-bit hash per group
 * key; nothing here knows about keys themselves. */
#ifndef PMC_GROUPED_H
#define PMC_GROUPED_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where each group's rows are.  When the codes never decrease (rows sorted by
 * group), `order` is NULL and group g is the contiguous range
 * [offsets[g], offsets[g+1]); otherwise order lists the rows of group g at
 * order[offsets[g] .. offsets[g+1]) in increasing row order (a stable counting
 * sort).  Rows whose code is negative belong to no group. */
typedef struct {
    int64_t n_groups;
    int64_t *offsets; /* n_groups + 1 */
    int64_t *order;   /* NULL on the sorted fast path */
} pmc_groups;

/* Builds the index in one pass over `codes` (1-D int32/int64 view); every
 * nonnegative code must be < n_groups.  Free with pmc_grouped_free_index. */
pmc_status pmc_grouped_index(const pmc_view *codes, int64_t n_groups, pmc_groups *out);
void pmc_grouped_free_index(pmc_groups *g);
/* The rows of group g as a pmc_rows (no copy). */
pmc_rows pmc_grouped_rows(const pmc_groups *g, int64_t group);

/* The per-group seed: a SplitMix64 mix of the run seed and the group's key hash,
 * so a group's result depends on neither n_threads nor which other groups exist. */
uint64_t pmc_grouped_seed(uint64_t seed, uint64_t key_hash);

/* Outcome of one group's fit. */
typedef struct {
    pmc_model *model;   /* NULL when the fit failed (or the group is empty) */
    pmc_status status;  /* PMC_OK or the fit's status */
    char *message;      /* malloc'ed failure or convergence-warning text, or NULL */
    int warned;         /* 1 when `message` is a convergence warning of a fitted model */
} pmc_group_result;

/* Fits `est` on every nonempty group of `data` (data->rows is ignored: each group's
 * rows are used).  Tasks run largest group first on ctx->n_threads threads, one
 * thread per fit; group g is fitted with seed pmc_grouped_seed(ctx->seed,
 * key_hash[g]) (key_hash: 1-D int64 view of n_groups values, or ndim 0 for
 * hash = g).  A failing group is recorded in results[g] and never stops the
 * others; only an interrupt (or an invalid argument) stops the run, and then the
 * function returns that status.  `progress`, if not NULL, is incremented
 * atomically once per finished group.  results (n_groups entries) is zeroed by the
 * caller; release with pmc_grouped_free_results. */
pmc_status pmc_grouped_fit(const pmc_estimator *est, const void *params, const pmc_data *data,
                           const pmc_groups *groups, const pmc_view *key_hash, pmc_ctx *ctx,
                           int64_t *progress, pmc_group_result *results);
void pmc_grouped_free_results(const pmc_estimator *est, pmc_group_result *results,
                              int64_t n_groups);

/* Applies each group's model to that group's rows of X, writing out row i for
 * input row i (out: X->n_rows rows, shape and dtype as the models' output_shape,
 * which must agree).  Rows of a negative code or of a group whose model is NULL
 * are filled with NaN (float outputs only; otherwise they are an error).  The
 * first failure, in group order, is returned with its group in the message. */
pmc_status pmc_grouped_apply(const pmc_estimator *est, pmc_model *const *models,
                             pmc_method method, const pmc_matrix *X, const pmc_groups *groups,
                             const pmc_view *codes, pmc_ctx *ctx, int64_t *progress,
                             pmc_view *out);

#ifdef __cplusplus
}
#endif
#endif
