/* Dense row gather, instantiated for float32 and float64 inputs by view.c. */
static void PMC_FN(gather_dense)(const pmc_view *X, const pmc_rows *rows, int64_t first,
                                 int64_t count, double *out) {
    int64_t p = X->shape[1];
    int64_t s0 = X->strides[0], s1 = X->strides[1];
    const char *base = (const char *)X->data;
    if (s1 == (int64_t)sizeof(PMC_T)) { /* rows contiguous: C order or a row slice */
        for (int64_t b = 0; b < count; b++) {
            const PMC_T *src = (const PMC_T *)(base + pmc_row_at(rows, first + b) * s0);
            double *dst = out + b * p;
            for (int64_t j = 0; j < p; j++) dst[j] = (double)src[j];
        }
    } else if (!rows->index && s0 == (int64_t)sizeof(PMC_T)) { /* Fortran order, a range */
        int64_t r0 = rows->start + first;
        for (int64_t j = 0; j < p; j++) {
            const PMC_T *src = (const PMC_T *)(base + j * s1) + r0;
            for (int64_t b = 0; b < count; b++) out[b * p + j] = (double)src[b];
        }
    } else { /* any strides */
        for (int64_t b = 0; b < count; b++) {
            const char *src = base + pmc_row_at(rows, first + b) * s0;
            for (int64_t j = 0; j < p; j++) out[b * p + j] = (double)*(const PMC_T *)(src + j * s1);
        }
    }
}
