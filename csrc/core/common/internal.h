/* Helpers shared by the core families; not part of the public API. */
#ifndef PMC_INTERNAL_H
#define PMC_INTERNAL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pmc/pmc.h"

#define PMC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define PMC_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Jumps to the function's `error:` label with `status` set when `call` fails. */
#define PMC_TRY(call)                 \
    do {                              \
        status = (call);              \
        if (status != PMC_OK) goto error; \
    } while (0)

/* calloc that records a MemoryError message; NULL on failure. */
void *pmc_calloc(size_t count, size_t size, const char *what);
#define PMC_ALLOC(ptr, count, what)                                           \
    do {                                                                      \
        (ptr) = pmc_calloc((size_t)(count), sizeof(*(ptr)), (what));          \
        if (!(ptr)) { status = PMC_ERR_MEMORY; goto error; }                  \
    } while (0)

/* Address of element (i, j) of a dense view. */
static inline const char *pmc_at(const pmc_view *v, int64_t i, int64_t j) {
    return (const char *)v->data + i * v->strides[0] + j * v->strides[1];
}

/* Copies `count` selected rows starting at position `first` of `rows` into `out`
 * (count x n_cols, C order, double), from a dense view of any layout and dtype or
 * from CSR.  Kernels that work on row blocks get every layout through this one
 * function; the block is small, so no copy of the input ever exists. */
void pmc_gather_rows(const pmc_matrix *X, const pmc_rows *rows, int64_t first, int64_t count,
                     double *out);

/* Reads y[i] (or column `col` of a 2-D y) as double. */
static inline double pmc_get(const pmc_view *v, int64_t i, int64_t col) {
    const char *p = pmc_at(v, i, col);
    switch (v->dtype) {
    case PMC_FLOAT32: return *(const float *)p;
    case PMC_FLOAT64: return *(const double *)p;
    case PMC_INT32: return *(const int32_t *)p;
    default: return (double)*(const int64_t *)p;
    }
}
static inline int64_t pmc_get_index(const pmc_view *v, int64_t i) {
    const char *p = (const char *)v->data + i * v->strides[0];
    return v->dtype == PMC_INT32 ? *(const int32_t *)p : *(const int64_t *)p;
}
/* Weight of sample i (1 when there are none). */
static inline double pmc_weight(const pmc_view *w, int64_t i) {
    return w->ndim == 0 ? 1.0 : pmc_get(w, i, 0);
}

/* Writes value to out[i, j] of a float32 or float64 output view. */
static inline void pmc_put(pmc_view *v, int64_t i, int64_t j, double value) {
    char *p = (char *)v->data + i * v->strides[0] + j * v->strides[1];
    if (v->dtype == PMC_FLOAT32) *(float *)p = (float)value;
    else *(double *)p = value;
}

/* Sets up `view` over the caller-owned `data` and appends it to `arrays`. */
pmc_status pmc_export(pmc_arrays *arrays, const char *name, const double *data, int64_t rows,
                      int64_t cols);

/* Row blocks: how many rows one block of a row-block kernel holds. */
int64_t pmc_block_rows(int64_t n_cols);

/* How many chunks a reduction over n rows uses: at least `min_rows` rows each, at
 * most `max_chunks`.  It depends on the data size only, never on the thread
 * count, so partial results summed in chunk order are the same for any n_jobs. */
static inline int64_t pmc_reduction_chunks(int64_t n, int64_t min_rows, int64_t max_chunks) {
    int64_t chunks = n / (min_rows > 0 ? min_rows : 1);
    return chunks < 1 ? 1 : (chunks > max_chunks ? max_chunks : chunks);
}

/* [first, first + count) of chunk c when n rows are cut into n_chunks near-equal parts. */
static inline void pmc_chunk_range(int64_t n, int64_t n_chunks, int64_t c, int64_t *first,
                                   int64_t *count) {
    int64_t lo = n * c / n_chunks, hi = n * (c + 1) / n_chunks;
    *first = lo;
    *count = hi - lo;
}

/* If X's rows `rows` can be handed to BLAS in place (float64, a contiguous range of
 * rows, unit stride along one axis), sets *ptr to row `first`'s first element,
 * *ld to the leading dimension and *col_major, and returns 1. */
int pmc_blas_view(const pmc_matrix *X, const pmc_rows *rows, int64_t first, const double **ptr,
                  int64_t *ld, int *col_major);

#endif
