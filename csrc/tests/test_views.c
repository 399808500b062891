/* Views: constructors and layout predicates, element access for every dtype,
 * pmc_gather_rows over C, Fortran, strided and reversed layouts of float32 and
 * float64 and over CSR (int32 and int64 indices), with every kind of row
 * selection; pmc_view_check / pmc_matrix_check rejecting malformed input with
 * messages that name it; the named-array helpers. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"

enum { R = 7, C = 5 };

/* The reference matrix: A[i][j] = 10 i + j + 0.25, zeros where (i + j) % 3 == 0
 * (so its CSR form is genuinely sparse). */
static double ref(int64_t i, int64_t j) { return (i + j) % 3 == 0 ? 0.0 : 10.0 * i + j + 0.25; }

/* Gathers `count` selected rows and compares them with the reference. */
static int gather_matches(const pmc_matrix *X, const pmc_rows *rows, int64_t first,
                          int64_t count) {
    double out[R * C];
    for (int k = 0; k < R * C; k++) out[k] = -999.0;
    pmc_gather_rows(X, rows, first, count, out);
    for (int64_t b = 0; b < count; b++)
        for (int64_t j = 0; j < C; j++)
            if (out[b * C + j] != ref(pmc_row_at(rows, first + b), j)) return 0;
    return 1;
}

/* Every row selection a fit may use: all, a range, an index list (with
 * repeats), and a sub-block of each starting past position 0. */
static int all_selections_match(const pmc_matrix *X) {
    int64_t index[] = {6, 0, 3, 3, 5};
    pmc_rows all = pmc_rows_all(R), range = {NULL, 2, 4}, picked = {index, 0, 5};
    return gather_matches(X, &all, 0, R) && gather_matches(X, &all, 3, 2) &&
           gather_matches(X, &range, 0, 4) && gather_matches(X, &range, 1, 3) &&
           gather_matches(X, &picked, 0, 5) && gather_matches(X, &picked, 2, 3);
}

static void test_constructors(void) {
    CHECK(pmc_dtype_size(PMC_FLOAT32) == 4 && pmc_dtype_size(PMC_FLOAT64) == 8);
    CHECK(pmc_dtype_size(PMC_INT32) == 4 && pmc_dtype_size(PMC_INT64) == 8);
    CHECK(strcmp(pmc_dtype_name(PMC_FLOAT32), "float32") == 0);
    CHECK(strcmp(pmc_dtype_name(PMC_INT64), "int64") == 0);
    double buf[R * C];
    pmc_view v = pmc_view_2d(buf, PMC_FLOAT64, R, C);
    CHECK(v.ndim == 2 && v.shape[0] == R && v.shape[1] == C);
    CHECK(v.strides[0] == C * 8 && v.strides[1] == 8);
    CHECK(pmc_view_is_c_contiguous(&v) && !pmc_view_is_f_contiguous(&v));
    pmc_view f = v;
    f.strides[0] = 8;
    f.strides[1] = R * 8;
    CHECK(pmc_view_is_f_contiguous(&f) && !pmc_view_is_c_contiguous(&f));
    pmc_view one = pmc_view_1d(buf, PMC_FLOAT32, 9);
    CHECK(one.ndim == 1 && one.shape[0] == 9 && one.shape[1] == 1);
    CHECK(one.strides[0] == 4 && one.strides[1] == 0);
    pmc_view strided = v;
    strided.strides[0] *= 2;
    CHECK(!pmc_view_is_c_contiguous(&strided) && !pmc_view_is_f_contiguous(&strided));
}

static void test_view_get_all_dtypes(void) {
    float f[3] = {1.5f, -2.0f, 3.25f};
    double d[3] = {1.5, -2.0, 3.25};
    int32_t i32[3] = {7, -8, 9};
    int64_t i64[3] = {7, -8, (int64_t)1 << 40};
    pmc_view vf = pmc_view_1d(f, PMC_FLOAT32, 3), vd = pmc_view_1d(d, PMC_FLOAT64, 3);
    pmc_view vi = pmc_view_1d(i32, PMC_INT32, 3), vl = pmc_view_1d(i64, PMC_INT64, 3);
    for (int k = 0; k < 3; k++) {
        CHECK(pmc_view_get(&vf, k, 0) == (double)f[k]);
        CHECK(pmc_view_get(&vd, k, 0) == d[k]);
        CHECK(pmc_view_get(&vi, k, 0) == (double)i32[k]);
        CHECK(pmc_view_get(&vl, k, 0) == (double)i64[k]);
        CHECK(pmc_get_index(&vi, k) == i32[k] && pmc_get_index(&vl, k) == i64[k]);
    }
    CHECK(pmc_weight(&(pmc_view){0}, 3) == 1.0); /* absent weights are ones */
}

/* Fills a buffer laid out with element strides (in elements) si, sj. */
#define FILL(T, buf, si, sj)                                                          \
    for (int64_t i_ = 0; i_ < R; i_++)                                                \
        for (int64_t j_ = 0; j_ < C; j_++) (buf)[i_ * (si) + j_ * (sj)] = (T)ref(i_, j_)

static void test_dense_gather(void) {
    /* Every value of ref() is exact in float32 too. */
    double cd[R * C], fd[R * C], big_d[4 * R * C];
    float cf[R * C], ff[R * C], big_f[4 * R * C];
    FILL(double, cd, C, 1);
    FILL(double, fd, 1, R);
    FILL(float, cf, C, 1);
    FILL(float, ff, 1, R);
    /* Strided: every other row and column of a (2R x 2C) buffer. */
    FILL(double, big_d, 4 * C, 2);
    FILL(float, big_f, 4 * C, 2);

    for (int is_f32 = 0; is_f32 <= 1; is_f32++) {
        pmc_dtype dt = is_f32 ? PMC_FLOAT32 : PMC_FLOAT64;
        int64_t item = is_f32 ? 4 : 8;
        pmc_view c_order = pmc_view_2d(is_f32 ? (void *)cf : (void *)cd, dt, R, C);
        pmc_view f_order = c_order;
        f_order.data = is_f32 ? (void *)ff : (void *)fd;
        f_order.strides[0] = item;
        f_order.strides[1] = R * item;
        pmc_view strided = c_order;
        strided.data = is_f32 ? (void *)big_f : (void *)big_d;
        strided.strides[0] = 4 * C * item;
        strided.strides[1] = 2 * item;
        pmc_matrix mc = pmc_matrix_dense(c_order), mf = pmc_matrix_dense(f_order),
                   ms = pmc_matrix_dense(strided);
        CHECK(pmc_matrix_dtype(&mc) == dt);
        CHECK_OK(pmc_matrix_check(&mc, "X"));
        CHECK_OK(pmc_matrix_check(&mf, "X"));
        CHECK_OK(pmc_matrix_check(&ms, "X"));
        CHECK(all_selections_match(&mc));
        CHECK(all_selections_match(&mf));
        CHECK(all_selections_match(&ms));
    }

    /* Negative strides (NumPy's X[::-1, ::-1]): the view starts at the last
     * element; row i of the view is row R-1-i of the buffer, reversed. */
    double rev[R * C];
    for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < C; j++) rev[(R - 1 - i) * C + (C - 1 - j)] = ref(i, j);
    pmc_view reversed = pmc_view_2d(rev + R * C - 1, PMC_FLOAT64, R, C);
    reversed.strides[0] = -C * 8;
    reversed.strides[1] = -8;
    pmc_matrix mr = pmc_matrix_dense(reversed);
    CHECK(all_selections_match(&mr));
}

/* CSR of ref() with index type T; optionally a duplicate entry split in two. */
#define BUILD_CSR(T, data, indices, indptr, nnz)                                      \
    do {                                                                              \
        (nnz) = 0;                                                                    \
        (indptr)[0] = 0;                                                              \
        for (int64_t i_ = 0; i_ < R; i_++) {                                          \
            for (int64_t j_ = C - 1; j_ >= 0; j_--) /* unsorted within a row */       \
                if (ref(i_, j_) != 0.0) {                                             \
                    (data)[nnz] = ref(i_, j_);                                        \
                    (indices)[nnz] = (T)j_;                                           \
                    (nnz)++;                                                          \
                }                                                                     \
            (indptr)[i_ + 1] = (T)(nnz);                                              \
        }                                                                             \
    } while (0)

static pmc_matrix csr(void *data, pmc_dtype data_dt, void *indices, void *indptr,
                      pmc_dtype index_dt, int64_t nnz) {
    pmc_matrix m;
    memset(&m, 0, sizeof m);
    m.is_sparse = 1;
    m.n_rows = R;
    m.n_cols = C;
    m.data = pmc_view_1d(data, data_dt, nnz);
    m.indices = pmc_view_1d(indices, index_dt, nnz);
    m.indptr = pmc_view_1d(indptr, index_dt, R + 1);
    return m;
}

static void test_csr_gather_and_check(void) {
    double data[R * C];
    float data32[R * C];
    int32_t ind32[R * C], ptr32[R + 1];
    int64_t ind64[R * C], ptr64[R + 1], nnz;
    BUILD_CSR(int32_t, data, ind32, ptr32, nnz);
    BUILD_CSR(int64_t, data, ind64, ptr64, nnz);
    for (int64_t k = 0; k < nnz; k++) data32[k] = (float)data[k];
    CHECK(nnz > 0 && nnz < R * C);

    pmc_matrix m32 = csr(data, PMC_FLOAT64, ind32, ptr32, PMC_INT32, nnz);
    pmc_matrix m64 = csr(data, PMC_FLOAT64, ind64, ptr64, PMC_INT64, nnz);
    pmc_matrix mf = csr(data32, PMC_FLOAT32, ind32, ptr32, PMC_INT32, nnz);
    CHECK_OK(pmc_matrix_check(&m32, "X"));
    CHECK_OK(pmc_matrix_check(&m64, "X"));
    CHECK_OK(pmc_matrix_check(&mf, "X"));
    CHECK(pmc_matrix_dtype(&mf) == PMC_FLOAT32);
    CHECK(all_selections_match(&m32));
    CHECK(all_selections_match(&m64));
    CHECK(all_selections_match(&mf));

    /* Duplicate entries of one (row, column) add up, as in SciPy. */
    double dup_data[3] = {1.0, 2.5, 4.0};
    int32_t dup_ind[3] = {1, 1, 0}, dup_ptr[2] = {0, 3};
    pmc_matrix dup;
    memset(&dup, 0, sizeof dup);
    dup.is_sparse = 1;
    dup.n_rows = 1;
    dup.n_cols = 2;
    dup.data = pmc_view_1d(dup_data, PMC_FLOAT64, 3);
    dup.indices = pmc_view_1d(dup_ind, PMC_INT32, 3);
    dup.indptr = pmc_view_1d(dup_ptr, PMC_INT32, 2);
    CHECK_OK(pmc_matrix_check(&dup, "X"));
    double row[2];
    pmc_rows one = pmc_rows_all(1);
    pmc_gather_rows(&dup, &one, 0, 1, row);
    CHECK(row[0] == 4.0 && row[1] == 3.5);

    /* Malformed CSR: each rejected with a message naming the part. */
    pmc_matrix bad = m32;
    int32_t ptr_bad[R + 1], ind_bad[R * C];
    memcpy(ptr_bad, ptr32, sizeof ptr_bad);
    memcpy(ind_bad, ind32, sizeof ind_bad);
    bad.indptr.data = ptr_bad;
    bad.indices.data = ind_bad;

    ptr_bad[0] = 1;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr must start at 0");
    ptr_bad[0] = 0;
    ptr_bad[3] = ptr_bad[2] - 1; /* decreasing */
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr is not monotone");
    memcpy(ptr_bad, ptr32, sizeof ptr_bad);
    ptr_bad[R] = (int32_t)nnz + 1; /* past the stored entries */
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr");
    memcpy(ptr_bad, ptr32, sizeof ptr_bad);
    ptr_bad[2] = -5;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr");
    memcpy(ptr_bad, ptr32, sizeof ptr_bad);

    ind_bad[nnz - 1] = C; /* one past the last column */
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indices holds 5, outside [0, 5)");
    ind_bad[nnz - 1] = -1;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indices holds -1");
    memcpy(ind_bad, ind32, sizeof ind_bad);
    CHECK_OK(pmc_matrix_check(&bad, "X"));

    bad.indptr.shape[0] = R; /* one entry short */
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr must have n_rows + 1");
    bad.indptr.shape[0] = R + 1;
    bad.indices.shape[0] = nnz - 1;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "differ in length");
    bad.indices.shape[0] = nnz;
    bad.indices.dtype = PMC_FLOAT64;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indices must be int32 or int64");
    bad.indices.dtype = PMC_INT32;
    bad.indptr.dtype = PMC_FLOAT32;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X.indptr must be int32 or int64");
    bad.indptr.dtype = PMC_INT32;
    bad.data.dtype = PMC_INT32;
    CHECK_FAILS(pmc_matrix_check(&bad, "X"), PMC_ERR_VALUE, "X must be float32 or float64");
    bad.data.dtype = PMC_FLOAT64;
    CHECK_OK(pmc_matrix_check(&bad, "X"));
}

static void test_view_check(void) {
    double buf[6];
    int64_t ibuf[6];
    pmc_view absent;
    memset(&absent, 0, sizeof absent);
    CHECK_FAILS(pmc_view_check(&absent, "y", 0, 1, -1, -1), PMC_ERR_VALUE, "y is missing");
    pmc_view v = pmc_view_2d(buf, PMC_FLOAT64, 2, 3);
    CHECK_OK(pmc_view_check(&v, "X", 1, 2, 2, 3));
    CHECK_OK(pmc_view_check(&v, "X", 1, 2, -1, -1));
    CHECK_FAILS(pmc_view_check(&v, "X", 1, 1, -1, -1), PMC_ERR_VALUE,
                "X must be 1-dimensional, got 2 dimensions");
    CHECK_FAILS(pmc_view_check(&v, "X", 1, 2, 3, -1), PMC_ERR_VALUE, "X has 2 rows, expected 3");
    CHECK_FAILS(pmc_view_check(&v, "X", 1, 2, -1, 4), PMC_ERR_VALUE,
                "X has 3 columns, expected 4");
    pmc_view iv = pmc_view_2d(ibuf, PMC_INT64, 2, 3);
    CHECK_FAILS(pmc_view_check(&iv, "X", 1, 2, -1, -1), PMC_ERR_VALUE,
                "X must be float32 or float64, got int64");
    CHECK_OK(pmc_view_check(&iv, "X", 0, 2, -1, -1));
    pmc_matrix dense_int = pmc_matrix_dense(iv);
    CHECK_FAILS(pmc_matrix_check(&dense_int, "X"), PMC_ERR_VALUE, "float32 or float64");
    pmc_matrix wrong_shape = pmc_matrix_dense(v);
    wrong_shape.n_cols = 4;
    CHECK_FAILS(pmc_matrix_check(&wrong_shape, "X"), PMC_ERR_VALUE, "X has 3 columns");
}

static void test_named_arrays(void) {
    double a[3] = {1, 2, 3}, b[4] = {0};
    pmc_arrays arrays;
    memset(&arrays, 0, sizeof arrays);
    CHECK_OK(pmc_arrays_add(&arrays, "a_", pmc_view_1d(a, PMC_FLOAT64, 3)));
    CHECK_OK(pmc_export(&arrays, "b_", b, 2, 2));
    CHECK(pmc_arrays_find(&arrays, "a_") != NULL);
    CHECK(pmc_arrays_find(&arrays, "c_") == NULL);
    const pmc_view *found = NULL;
    CHECK_OK(pmc_arrays_get(&arrays, "b_", 2, 2, 2, &found));
    CHECK(found && found->data == b && found->shape[1] == 2);
    CHECK_FAILS(pmc_arrays_get(&arrays, "c_", 1, -1, -1, &found), PMC_ERR_VALUE,
                "lacks the array 'c_'");
    CHECK_FAILS(pmc_arrays_get(&arrays, "a_", 1, 4, -1, &found), PMC_ERR_VALUE,
                "a_ has 3 rows, expected 4");
    for (int k = arrays.n; k < PMC_MAX_ARRAYS; k++)
        CHECK_OK(pmc_arrays_add(&arrays, "filler", pmc_view_1d(a, PMC_FLOAT64, 3)));
    CHECK_FAILS(pmc_arrays_add(&arrays, "one_too_many", pmc_view_1d(a, PMC_FLOAT64, 3)),
                PMC_ERR_INTERNAL, "one_too_many");
    CHECK(arrays.n == PMC_MAX_ARRAYS);
    CHECK(pmc_block_rows(1) >= 16 && pmc_block_rows(1) <= 4096);
    CHECK(pmc_block_rows(1000000) == 16);
}

int main(void) {
    test_constructors();
    test_view_get_all_dtypes();
    test_dense_gather();
    test_csr_gather_and_check();
    test_view_check();
    test_named_arrays();
    return check_report("test_views");
}
