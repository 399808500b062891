/* StandardScaler kernels written once for float32 and float64 outputs
 * (instantiated by scaler.c through common/template.h). */

/* Writes `count` rows of doubles (C order, p columns) to rows first.. of `out`:
 * a contiguous fast path when rows are contiguous, else any strides. */
static void PMC_FN(store_rows)(pmc_view *out, int64_t first, int64_t count, int64_t p,
                               const double *buf) {
    char *base = (char *)out->data;
    int64_t s0 = out->strides[0], s1 = out->strides[1];
    if (s1 == (int64_t)sizeof(PMC_T)) {
        for (int64_t b = 0; b < count; b++) {
            PMC_T *dst = (PMC_T *)(base + (first + b) * s0);
            const double *src = buf + b * p;
            for (int64_t j = 0; j < p; j++) dst[j] = (PMC_T)src[j];
        }
    } else {
        for (int64_t b = 0; b < count; b++) {
            char *row = base + (first + b) * s0;
            const double *src = buf + b * p;
            for (int64_t j = 0; j < p; j++) *(PMC_T *)(row + j * s1) = (PMC_T)src[j];
        }
    }
}

/* The affine map straight from X to out when both are PMC_T with contiguous
 * rows (C order, the common case): no intermediate buffer.  Elementwise, so
 * out may be X itself. */
static void PMC_FN(affine_rows)(const pmc_view *X, const pmc_rows *rows, pmc_view *out,
                                int64_t first, int64_t count, int64_t p, int inverse,
                                const double *shift, const double *scale) {
    for (int64_t b = 0; b < count; b++) {
        const PMC_T *x = (const PMC_T *)((const char *)X->data +
                                         pmc_row_at(rows, first + b) * X->strides[0]);
        PMC_T *y = (PMC_T *)((char *)out->data + (first + b) * out->strides[0]);
        if (inverse)
            for (int64_t j = 0; j < p; j++) y[j] = (PMC_T)((double)x[j] * scale[j] + shift[j]);
        else
            for (int64_t j = 0; j < p; j++) y[j] = (PMC_T)(((double)x[j] - shift[j]) / scale[j]);
    }
}
