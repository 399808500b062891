/* Binning kernels written once for float32 and float64 X (instantiated by
 * binning.c through template.h). */

/* Values of feature j at positions [0, count) of `index` (row numbers), NaN
 * dropped, as doubles; returns how many were kept. */
static int64_t PMC_FN(column_values)(const pmc_view *X, const int64_t *index, int64_t count,
                                     int64_t j, double *out) {
    const char *base = (const char *)X->data + j * X->strides[1];
    int64_t s0 = X->strides[0], n = 0;
    for (int64_t k = 0; k < count; k++) {
        double v = (double)*(const PMC_T *)(base + index[k] * s0);
        if (!isnan(v)) out[n++] = v;
    }
    return n;
}

/* Bins of rows [first, first + count) of `rows` for every feature. */
static void PMC_FN(map_block)(const pmc_view *X, const pmc_rows *rows, int64_t first,
                              int64_t count, int64_t n_rows_total, const double *thresholds,
                              const int32_t *n_thresholds, int max_bins, uint8_t *binned) {
    int64_t p = X->shape[1], s0 = X->strides[0], s1 = X->strides[1];
    for (int64_t j = 0; j < p; j++) {
        const double *t = thresholds + j * (max_bins - 1);
        int32_t nt = n_thresholds[j];
        uint8_t *dst = binned + j * n_rows_total + first;
        const char *col = (const char *)X->data + j * s1;
        for (int64_t k = 0; k < count; k++) {
            double v = (double)*(const PMC_T *)(col + pmc_row_at(rows, first + k) * s0);
            if (isnan(v)) {
                dst[k] = (uint8_t)max_bins;
                continue;
            }
            /* smallest b with v <= t[b], or nt */
            int32_t lo = 0, hi = nt;
            while (lo < hi) {
                int32_t mid = (lo + hi) >> 1;
                if (v <= t[mid]) hi = mid;
                else lo = mid + 1;
            }
            dst[k] = (uint8_t)lo;
        }
    }
}
