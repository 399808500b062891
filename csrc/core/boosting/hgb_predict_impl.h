/* Tree traversal on raw X, written once for float32 and float64 (instantiated
 * by hgb_model.c through template.h). */

/* raw[b * K + k] += the trees [tree_from, tree_to) for rows first.. first+count of `rows`. */
static void PMC_FN(hgb_raw_rows)(const pmc_model *m, const pmc_view *X, const pmc_rows *rows,
                                 int64_t first, int64_t count, int64_t tree_from,
                                 int64_t tree_to, double *raw) {
    int K = m->K;
    int64_t s1 = X->strides[1];
    for (int64_t b = 0; b < count; b++) {
        const char *row = (const char *)X->data + pmc_row_at(rows, first + b) * X->strides[0];
        for (int64_t t = tree_from; t < tree_to; t++) {
            int64_t base = m->tree_offsets[t];
            int32_t node = 0;
            while (m->left[base + node] >= 0) {
                int64_t i = base + node;
                double x = (double)*(const PMC_T *)(row + m->feature[i] * s1);
                int go_left;
                if (isnan(x)) go_left = m->flags[i] & HGB_MISSING_LEFT;
                else if (m->flags[i] & HGB_CATEGORICAL)
                    go_left = x >= 0.0 && x < 256.0 &&
                              hgb_in_set(m->bitsets + (int64_t)m->cat[i] * HGB_WORDS, (int)x);
                else go_left = x <= m->threshold[i];
                node = go_left ? m->left[i] : m->right[i];
            }
            raw[b * K + (t % K)] += m->value[base + node];
        }
    }
}
