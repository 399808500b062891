/* Column-block gather for the kernel (dual) route of least_squares.c, instantiated
 * for float32 and float64 X by template.h: columns [c0, c0 + nc) of the selected
 * rows into out (rows->n x nc, row-major, double). */
static void PMC_FN(ls_gather_cols)(const pmc_view *X, const pmc_rows *rows, int64_t c0,
                                   int64_t nc, double *out) {
    int64_t n = rows->n, s0 = X->strides[0], s1 = X->strides[1];
    const char *base = (const char *)X->data;
    if (s1 == (int64_t)sizeof(PMC_T)) { /* rows contiguous: C order or a row slice */
        for (int64_t i = 0; i < n; i++) {
            const PMC_T *src = (const PMC_T *)(base + pmc_row_at(rows, i) * s0) + c0;
            double *dst = out + i * nc;
            for (int64_t j = 0; j < nc; j++) dst[j] = (double)src[j];
        }
    } else if (s0 == (int64_t)sizeof(PMC_T) && !rows->index) { /* Fortran order, a range */
        for (int64_t j = 0; j < nc; j++) {
            const PMC_T *src = (const PMC_T *)(base + (c0 + j) * s1) + rows->start;
            for (int64_t i = 0; i < n; i++) out[i * nc + j] = (double)src[i];
        }
    } else { /* any strides */
        for (int64_t i = 0; i < n; i++) {
            const char *src = base + pmc_row_at(rows, i) * s0 + c0 * s1;
            for (int64_t j = 0; j < nc; j++) out[i * nc + j] = (double)*(const PMC_T *)(src + j * s1);
        }
    }
}
