#include "internal.h"

size_t pmc_dtype_size(pmc_dtype dtype) {
    return (dtype == PMC_FLOAT32 || dtype == PMC_INT32) ? 4 : 8;
}

const char *pmc_dtype_name(pmc_dtype dtype) {
    switch (dtype) {
    case PMC_FLOAT32: return "float32";
    case PMC_FLOAT64: return "float64";
    case PMC_INT32: return "int32";
    case PMC_INT64: return "int64";
    }
    return "?";
}

pmc_view pmc_view_1d(void *data, pmc_dtype dtype, int64_t n) {
    pmc_view v = {data, dtype, 1, {n, 1}, {(int64_t)pmc_dtype_size(dtype), 0}};
    return v;
}

pmc_view pmc_view_2d(void *data, pmc_dtype dtype, int64_t n_rows, int64_t n_cols) {
    int64_t item = (int64_t)pmc_dtype_size(dtype);
    pmc_view v = {data, dtype, 2, {n_rows, n_cols}, {n_cols * item, item}};
    return v;
}

int pmc_view_is_c_contiguous(const pmc_view *v) {
    int64_t item = (int64_t)pmc_dtype_size(v->dtype);
    return v->strides[1] == item || v->shape[1] == 1 ? (v->strides[0] == v->shape[1] * item ||
                                                        v->shape[0] <= 1)
                                                      : 0;
}

int pmc_view_is_f_contiguous(const pmc_view *v) {
    int64_t item = (int64_t)pmc_dtype_size(v->dtype);
    return (v->strides[0] == item || v->shape[0] <= 1) &&
           (v->strides[1] == v->shape[0] * item || v->shape[1] <= 1);
}

double pmc_view_get(const pmc_view *v, int64_t i, int64_t j) { return pmc_get(v, i, j); }

pmc_status pmc_view_check(const pmc_view *v, const char *name, int float_only, int ndim,
                          int64_t rows, int64_t cols) {
    if (v->ndim == 0 || !v->data)
        return pmc_fail(PMC_ERR_VALUE, "%s is missing", name);
    if (ndim > 0 && v->ndim != ndim)
        return pmc_fail(PMC_ERR_VALUE, "%s must be %d-dimensional, got %d dimensions", name, ndim,
                        v->ndim);
    if (float_only && v->dtype != PMC_FLOAT32 && v->dtype != PMC_FLOAT64)
        return pmc_fail(PMC_ERR_VALUE, "%s must be float32 or float64, got %s", name,
                        pmc_dtype_name(v->dtype));
    if (rows >= 0 && v->shape[0] != rows)
        return pmc_fail(PMC_ERR_VALUE, "%s has %lld rows, expected %lld", name,
                        (long long)v->shape[0], (long long)rows);
    if (cols >= 0 && v->shape[1] != cols)
        return pmc_fail(PMC_ERR_VALUE, "%s has %lld columns, expected %lld", name,
                        (long long)v->shape[1], (long long)cols);
    return PMC_OK;
}

pmc_matrix pmc_matrix_dense(pmc_view X) {
    pmc_matrix m;
    memset(&m, 0, sizeof m);
    m.dense = X;
    m.n_rows = X.shape[0];
    m.n_cols = X.ndim == 2 ? X.shape[1] : 1;
    return m;
}

pmc_dtype pmc_matrix_dtype(const pmc_matrix *X) {
    return X->is_sparse ? X->data.dtype : X->dense.dtype;
}

pmc_status pmc_matrix_check(const pmc_matrix *X, const char *name) {
    if (!X->is_sparse)
        return pmc_view_check(&X->dense, name, 1, 2, X->n_rows, X->n_cols);
    pmc_status status;
    if ((status = pmc_view_check(&X->data, name, 1, 1, -1, -1)) != PMC_OK) return status;
    if (X->indices.dtype != PMC_INT32 && X->indices.dtype != PMC_INT64)
        return pmc_fail(PMC_ERR_VALUE, "%s.indices must be int32 or int64", name);
    if (X->indptr.dtype != PMC_INT32 && X->indptr.dtype != PMC_INT64)
        return pmc_fail(PMC_ERR_VALUE, "%s.indptr must be int32 or int64", name);
    if (X->indptr.ndim != 1 || X->indptr.shape[0] != X->n_rows + 1)
        return pmc_fail(PMC_ERR_VALUE, "%s.indptr must have n_rows + 1 = %lld entries", name,
                        (long long)(X->n_rows + 1));
    if (X->indices.ndim != 1 || X->indices.shape[0] != X->data.shape[0])
        return pmc_fail(PMC_ERR_VALUE, "%s.indices and %s.data differ in length", name, name);
    int64_t nnz = X->data.shape[0], prev = 0;
    if (pmc_get_index(&X->indptr, 0) != 0)
        return pmc_fail(PMC_ERR_VALUE, "%s.indptr must start at 0", name);
    for (int64_t i = 1; i <= X->n_rows; i++) {
        int64_t p = pmc_get_index(&X->indptr, i);
        if (p < prev || p > nnz)
            return pmc_fail(PMC_ERR_VALUE, "%s.indptr is not monotone within [0, nnz]", name);
        prev = p;
    }
    for (int64_t k = 0; k < nnz; k++) {
        int64_t j = pmc_get_index(&X->indices, k);
        if (j < 0 || j >= X->n_cols)
            return pmc_fail(PMC_ERR_VALUE, "%s.indices holds %lld, outside [0, %lld)", name,
                            (long long)j, (long long)X->n_cols);
    }
    return PMC_OK;
}

int64_t pmc_block_rows(int64_t n_cols) {
    /* ~256 KiB of doubles per block: fits L2, amortises BLAS call overhead. */
    int64_t rows = 32768 / PMC_MAX(n_cols, 1);
    return PMC_MAX(PMC_MIN(rows, 4096), 16);
}

#define PMC_TEMPLATE "view_impl.h"
#include "template.h"

void pmc_gather_rows(const pmc_matrix *X, const pmc_rows *rows, int64_t first, int64_t count,
                     double *out) {
    int64_t p = X->n_cols;
    if (X->is_sparse) {
        memset(out, 0, (size_t)(count * p) * sizeof(double));
        for (int64_t b = 0; b < count; b++) {
            int64_t r = pmc_row_at(rows, first + b);
            int64_t lo = pmc_get_index(&X->indptr, r), hi = pmc_get_index(&X->indptr, r + 1);
            for (int64_t k = lo; k < hi; k++)
                out[b * p + pmc_get_index(&X->indices, k)] += pmc_get(&X->data, k, 0);
        }
        return;
    }
    if (X->dense.dtype == PMC_FLOAT32) gather_dense_f32(&X->dense, rows, first, count, out);
    else gather_dense_f64(&X->dense, rows, first, count, out);
}

pmc_status pmc_arrays_add(pmc_arrays *a, const char *name, pmc_view v) {
    if (a->n >= PMC_MAX_ARRAYS)
        return pmc_fail(PMC_ERR_INTERNAL, "too many exported arrays (adding %s)", name);
    a->items[a->n].name = name;
    a->items[a->n].view = v;
    a->n++;
    return PMC_OK;
}

const pmc_view *pmc_arrays_find(const pmc_arrays *a, const char *name) {
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->items[i].name, name) == 0) return &a->items[i].view;
    return NULL;
}

pmc_status pmc_arrays_get(const pmc_arrays *a, const char *name, int ndim, int64_t rows,
                          int64_t cols, const pmc_view **out) {
    const pmc_view *v = pmc_arrays_find(a, name);
    if (!v) return pmc_fail(PMC_ERR_VALUE, "model state lacks the array '%s'", name);
    pmc_status status = pmc_view_check(v, name, 0, ndim, rows, cols);
    if (status != PMC_OK) return status;
    *out = v;
    return PMC_OK;
}

pmc_status pmc_export(pmc_arrays *arrays, const char *name, const double *data, int64_t rows,
                      int64_t cols) {
    pmc_view v = cols > 0 ? pmc_view_2d((void *)data, PMC_FLOAT64, rows, cols)
                          : pmc_view_1d((void *)data, PMC_FLOAT64, rows);
    return pmc_arrays_add(arrays, name, v);
}

int pmc_blas_view(const pmc_matrix *X, const pmc_rows *rows, int64_t first, const double **ptr,
                  int64_t *ld, int *col_major) {
    if (X->is_sparse || X->dense.dtype != PMC_FLOAT64 || rows->index) return 0;
    if (X->dense.strides[0] > (int64_t)INT32_MAX * 8 || X->dense.strides[1] > (int64_t)INT32_MAX * 8)
        return 0; /* BLAS takes 32-bit leading dimensions */
    const pmc_view *v = &X->dense;
    const int64_t item = (int64_t)sizeof(double);
    int64_t s0 = v->strides[0], s1 = v->strides[1];
    const double *start = (const double *)pmc_at(v, rows->start + first, 0);
    if ((s1 == item || v->shape[1] == 1) && s0 % item == 0 && s0 / item >= v->shape[1] &&
        s0 > 0) {
        *ptr = start;
        *ld = s0 / item;
        *col_major = 0;
        return 1;
    }
    if (s0 == item && s1 % item == 0 && s1 / item >= v->shape[0] && s1 > 0) {
        *ptr = start;
        *ld = s1 / item;
        *col_major = 1;
        return 1;
    }
    return 0;
}
