/* The parts of the tree code that read X, written once for float32 and float64
 * X (see template.h).  Every value is read as float32, as scikit-learn's trees
 * do (their thresholds are midpoints of float32 values), so a tree fitted on a
 * float64 X equals the one fitted on the same X cast to float32. */

/* values[k] = X[samples[k], f] for k < n. */
static void PMC_FN(tree_gather)(const pmc_view *X, const int32_t *samples, int64_t n, int64_t f,
                                float *values) {
    const char *base = (const char *)X->data + f * X->strides[1];
    int64_t rs = X->strides[0];
    for (int64_t k = 0; k < n; k++)
        values[k] = (float)*(const PMC_T *)(base + (int64_t)samples[k] * rs);
}

/* The stored entries of CSC column f (= row f of the CSR view `X`, row indices
 * increasing) that fall on the node's rows samples[0..n), in one of two ways,
 * whichever reads fewer entries: a binary search of every sample in the
 * column, or one pass over the column through `slot` (slot[row] - base is the
 * row's place in samples, anything else when it is not in the node; NULL:
 * binary searches).  Calls put(k, value) for sample k. */
#ifndef TREE_CSC_VISIT
#define TREE_CSC_VISIT(X, samples, n, f, slot, base, put)                                   \
    do {                                                                                   \
        int64_t lo_ = pmc_get_index(&(X)->indptr, f), hi_ = pmc_get_index(&(X)->indptr, f + 1); \
        const char *data_ = (const char *)(X)->data.data;                                 \
        int64_t ds_ = (X)->data.strides[0], nnz_ = hi_ - lo_, log_ = 1;                    \
        while ((INT64_C(1) << log_) <= nnz_) log_++;                                       \
        if (nnz_ == 0) break;                                                              \
        if (!(slot) || (n) * log_ < nnz_) {                                                \
            for (int64_t k_ = 0; k_ < (n); k_++) {                                         \
                int64_t row_ = (samples)[k_], a_ = lo_, b_ = hi_;                          \
                while (a_ < b_) {                                                          \
                    int64_t mid_ = a_ + (b_ - a_) / 2;                                     \
                    if (pmc_get_index(&(X)->indices, mid_) < row_) a_ = mid_ + 1;          \
                    else b_ = mid_;                                                        \
                }                                                                          \
                if (a_ < hi_ && pmc_get_index(&(X)->indices, a_) == row_)                  \
                    put(k_, (float)*(const PMC_T *)(data_ + a_ * ds_));                    \
            }                                                                              \
        } else {                                                                           \
            for (int64_t e_ = lo_; e_ < hi_; e_++) {                                       \
                int64_t k_ = (int64_t)(slot)[pmc_get_index(&(X)->indices, e_)] - (base);   \
                if (k_ >= 0 && k_ < (n)) put(k_, (float)*(const PMC_T *)(data_ + e_ * ds_)); \
            }                                                                              \
        }                                                                                  \
    } while (0)
#endif

/* values[k] = X[samples[k], f] for a CSC X, zeros included. */
static void PMC_FN(tree_gather_csc)(const pmc_matrix *X, const int32_t *samples, int64_t n,
                                    int64_t f, const int32_t *slot, int64_t base,
                                    float *values) {
    memset(values, 0, (size_t)n * sizeof(float));
#define TREE_PUT_VALUE(k_at, value_at) (values[k_at] = (value_at))
    TREE_CSC_VISIT(X, samples, n, f, slot, base, TREE_PUT_VALUE);
#undef TREE_PUT_VALUE
}

/* The node's nonzero values of CSC column f with their rows, unsorted, in
 * pairs; returns their number, or -1 if one is NaN. */
static int64_t PMC_FN(tree_nonzeros_csc)(const pmc_matrix *X, const int32_t *samples, int64_t n,
                                         int64_t f, const int32_t *slot, int64_t base,
                                         pair *pairs) {
    int64_t m = 0;
    int has_nan = 0;
#define TREE_PUT_PAIR(k_at, value_at)                                                        \
    do {                                                                                     \
        float x_ = (value_at);                                                               \
        if (isnan(x_)) has_nan = 1;                                                          \
        else if (x_ != 0.0f) { pairs[m].v = x_; pairs[m].i = samples[k_at]; m++; }           \
    } while (0)
    TREE_CSC_VISIT(X, samples, n, f, slot, base, TREE_PUT_PAIR);
#undef TREE_PUT_PAIR
    return has_nan ? -1 : m;
}

/* Row i of a CSR X added into the zeroed float32 row `x` (set = 1), or its
 * entries zeroed again (set = 0): a sparse row costs its entries, not p. */
static void PMC_FN(tree_scatter_row)(const pmc_matrix *X, int64_t i, float *x, int set) {
    int64_t lo = pmc_get_index(&X->indptr, i), hi = pmc_get_index(&X->indptr, i + 1);
    const char *data = (const char *)X->data.data;
    for (int64_t e = lo; e < hi; e++) {
        int64_t j = pmc_get_index(&X->indices, e);
        x[j] = set ? x[j] + (float)*(const PMC_T *)(data + e * X->data.strides[0]) : 0.0f;
    }
}

/* Leaf reached by row i of X from node `root` of the prediction form. */
static inline const forest_node *PMC_FN(tree_leaf)(const forest_node *nodes, int64_t root,
                                                   const pmc_view *X, int64_t i) {
    const char *row = (const char *)X->data + i * X->strides[0];
    int64_t cs = X->strides[1];
    const forest_node *nd = nodes + root;
    while (nd->child >= 0)
        nd = nodes + node_next(nd, (float)*(const PMC_T *)(row + NODE_FEATURE(nd) * cs));
    return nd;
}

/* The leaves reached from node `root` by `count` rows (row[k]: the row's first
 * value; cs: bytes from one of its values to the next).  TREE_LANES rows go
 * down together, one level per pass, so that their node and value loads (cache
 * misses on deep trees) overlap instead of waiting for one another. */
static void PMC_FN(tree_block_leaves)(const forest_node *nodes, int64_t root,
                                      const char *const *row, int64_t cs, int64_t count,
                                      const forest_node **leaf) {
    for (int64_t k0 = 0; k0 < count; k0 += TREE_LANES) {
        int64_t nl = PMC_MIN(TREE_LANES, count - k0);
        const forest_node **cur = leaf + k0;
        const char *const *r = row + k0;
        for (int64_t j = 0; j < nl; j++) cur[j] = nodes + root;
        for (int moving = nodes[root].child >= 0; moving;) {
            moving = 0;
            for (int64_t j = 0; j < nl; j++) {
                const forest_node *nd = cur[j];
                if (nd->child < 0) continue;
                float x = (float)*(const PMC_T *)(r[j] + NODE_FEATURE(nd) * cs);
                cur[j] = nodes + node_next(nd, x);
                moving = 1;
            }
        }
    }
}
