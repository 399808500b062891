/* Template (see common/template.h): reads `count` values of column `col` of a view
 * into doubles.  Value k (k in [first, first + count)) is the element at row
 * rows[pos[k]]; a NULL `pos` means k itself, a NULL `rows` means no mapping.
 * The contiguous range case, the one every kernel meets on a whole array, is a
 * plain loop over a pointer. */
static void PMC_FN(metrics_load)(const pmc_view *v, int64_t col, const pmc_rows *rows,
                                 const int64_t *pos, int64_t first, int64_t count,
                                 double *out) {
    const char *base = (const char *)v->data + col * v->strides[1];
    const int64_t stride = v->strides[0];
    if (!pos && (!rows || !rows->index)) {
        const int64_t start = (rows ? rows->start : 0) + first;
        if (stride == (int64_t)sizeof(PMC_T)) {
            const PMC_T *p = (const PMC_T *)base + start;
            for (int64_t i = 0; i < count; i++) out[i] = (double)p[i];
        } else {
            for (int64_t i = 0; i < count; i++)
                out[i] = (double)*(const PMC_T *)(base + (start + i) * stride);
        }
        return;
    }
    for (int64_t i = 0; i < count; i++) {
        int64_t k = first + i;
        if (pos) k = pos[k];
        if (rows) k = pmc_row_at(rows, k);
        out[i] = (double)*(const PMC_T *)(base + k * stride);
    }
}
