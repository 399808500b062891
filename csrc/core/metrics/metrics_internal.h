/* Shared by the metrics sources; not part of the public API. */
#ifndef PMC_METRICS_INTERNAL_H
#define PMC_METRICS_INTERNAL_H

#include "pmc/metrics.h"

/* numpy's pairwise summation block; kernels also read their inputs in blocks of it. */
#define PAIRWISE_BLOCK 128
/* At most this many sums run side by side in one pairwise pass. */
#define PMC_MAX_SUMS 3

/* Reads values [first, first + count) of column `col` as doubles; value k is the
 * element at row rows[pos[k]] (NULL pos: k; NULL rows: no mapping). */
void pmc_metrics_load(const pmc_view *v, int64_t col, const pmc_rows *rows, const int64_t *pos,
                      int64_t first, int64_t count, double *out);

/* Writes the terms [first, first + n) of each of the sums: sum s at out + s * PAIRWISE_BLOCK. */
typedef void (*pmc_terms_fn)(const void *arg, int64_t first, int64_t n, double *out);
/* n_sums (<= PMC_MAX_SUMS) pairwise sums of n terms each. */
void pmc_metrics_sum_terms(pmc_terms_fn terms, const void *arg, int64_t n, int n_sums,
                           double *sums);

/* Shapes and rows of the usual (y_true, weight, rows, y_pred) arguments. */
pmc_status pmc_metrics_check(const pmc_view *y_true, const pmc_view *weight, pmc_rows rows,
                             const pmc_view *y_pred, const char *pred_name);

/* present[c] = 1 for every class index in y_true (and y_pred if not NULL);
 * PMC_ERR_VALUE if a value is not a class index in [0, n_classes). */
pmc_status pmc_metrics_class_presence(const pmc_view *y_true, pmc_rows rows,
                                      const pmc_view *y_pred, int64_t n_classes,
                                      unsigned char *present);

/* A column of a 2-D view as a 1-D view (no copy). */
static inline pmc_view pmc_metrics_column(const pmc_view *v, int64_t col) {
    pmc_view c = *v;
    if (v->ndim == 2) {
        c.data = (char *)v->data + col * v->strides[1];
        c.ndim = 1;
        c.shape[1] = 1;
        c.strides[1] = 0;
    }
    return c;
}

/* ROC AUC of rows pos[0..n_pos) (positions into the compact score; NULL: all rows).
 * *out is NaN when those rows hold one class only. */
pmc_status pmc_metrics_roc_auc_subset(const pmc_view *y_true, const pmc_view *weight,
                                      pmc_rows rows, const pmc_view *y_score, double pos_label,
                                      const int64_t *pos, int64_t n_pos, double *out);
#endif
