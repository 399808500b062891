/* Shared between the boosting files: the model layout and its helpers. */
#ifndef PMC_HGB_INTERNAL_H
#define PMC_HGB_INTERNAL_H

#include "internal.h"
#include "pmc/boosting.h"

#define HGB_WORDS 8         /* 32-bit words of a 256-category set */
#define HGB_ROW_BLOCK 4096  /* rows per prediction / elementwise task */
#define HGB_MISSING_LEFT 1  /* node_flags bits */
#define HGB_CATEGORICAL 2

struct pmc_model {
    int64_t n_features, n_iter;
    int K, loss, max_bins;
    int64_t meta[6];            /* filled at export */
    double *baseline;           /* K */
    int64_t n_trees, cap_trees; /* tree_offsets has n_trees + 1 entries */
    int64_t *tree_offsets;
    int64_t n_nodes, cap_nodes;
    int32_t *feature, *left, *right, *flags, *bin, *cat;
    double *threshold, *value;
    int64_t n_cat, cap_cat;     /* cap_cat counts int32 words */
    int32_t *bitsets;
    int64_t n_train, cap_train, n_val, cap_val;
    double *train_score, *val_score;
    /* staged_rows given (pmc_hgb_params): exported, not imported */
    int64_t n_staged_iter, staged_width, raw_cols;
    double *staged_raw, *raw; /* n_staged_iter x staged_width, K x raw_cols */
};

void hgb_model_free(pmc_model **m);
pmc_status hgb_model_new(int64_t n_features, int K, int loss, int max_bins, pmc_model **out);
pmc_status hgb_reserve_nodes(pmc_model *m, int64_t extra);
pmc_status hgb_reserve_trees(pmc_model *m, int64_t extra);
pmc_status hgb_new_bitset(pmc_model *m, int32_t *row);
pmc_status hgb_push_score(pmc_model *m, double train, double val); /* val NaN: none */
double hgb_inverse_link(int loss, double raw);
/* raw (rows.n x K) = [baseline +] the sum of trees [tree_from, tree_to) on X's rows. */
pmc_status hgb_raw_predict(const pmc_model *m, const pmc_matrix *X, pmc_rows rows,
                           int64_t tree_from, int64_t tree_to, int add_baseline,
                           const pmc_ctx *ctx, double *raw);
pmc_status hgb_fit(const void *params, const pmc_data *data, const pmc_model *init,
                   pmc_ctx *ctx, pmc_model **out);

static inline int hgb_in_set(const int32_t *bits, int code) {
    return (int)(((uint32_t)bits[code >> 5] >> (code & 31)) & 1u);
}

#endif
