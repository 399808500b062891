/* Column kernels of the residual coordinate descent route over a dense X column,
 * instantiated for float32 and float64 storage by coordinate_descent.c.  The column
 * is read in place through its strides (any layout, any row subset); sums run in
 * double.  `m` is the column's centre (0 when the intercept is not fitted) and `sw`
 * the normalised sample weights (NULL: all ones). */

static inline const char *PMC_FN(cd_column)(const cd_dense *d, int64_t j) {
    return (const char *)d->X->data + j * d->X->strides[1];
}

/* sum_i (x_ij - m) r_i */
static double PMC_FN(cd_dense_dot)(const cd_dense *d, int64_t j, double m, const double *r) {
    const char *col = PMC_FN(cd_column)(d, j);
    int64_t s = d->X->strides[0], n = d->n;
    double acc = 0.0;
    if (!d->index && s == (int64_t)sizeof(PMC_T)) {
        const PMC_T *x = (const PMC_T *)col + d->start;
#pragma omp simd reduction(+ : acc)
        for (int64_t i = 0; i < n; i++) acc += ((double)x[i] - m) * r[i];
    } else {
        for (int64_t i = 0; i < n; i++)
            acc += ((double)*(const PMC_T *)(col + cd_dense_row(d, i) * s) - m) * r[i];
    }
    return acc;
}

/* r_i += a sw_i (x_ij - m) */
static void PMC_FN(cd_dense_axpy)(const cd_dense *d, int64_t j, double m, double a,
                                  const double *sw, double *r) {
    const char *col = PMC_FN(cd_column)(d, j);
    int64_t s = d->X->strides[0], n = d->n;
    if (!d->index && s == (int64_t)sizeof(PMC_T)) {
        const PMC_T *x = (const PMC_T *)col + d->start;
        if (sw) {
#pragma omp simd
            for (int64_t i = 0; i < n; i++) r[i] += a * sw[i] * ((double)x[i] - m);
        } else {
#pragma omp simd
            for (int64_t i = 0; i < n; i++) r[i] += a * ((double)x[i] - m);
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            double x = (double)*(const PMC_T *)(col + cd_dense_row(d, i) * s) - m;
            r[i] += a * (sw ? sw[i] : 1.0) * x;
        }
    }
}

/* sum_i sw_i (x_ij - m)^2 */
static double PMC_FN(cd_dense_norm2)(const cd_dense *d, int64_t j, double m, const double *sw) {
    const char *col = PMC_FN(cd_column)(d, j);
    int64_t s = d->X->strides[0], n = d->n;
    double acc = 0.0;
    if (!d->index && s == (int64_t)sizeof(PMC_T)) {
        const PMC_T *x = (const PMC_T *)col + d->start;
        if (sw) {
#pragma omp simd reduction(+ : acc)
            for (int64_t i = 0; i < n; i++) acc += sw[i] * ((double)x[i] - m) * ((double)x[i] - m);
        } else {
#pragma omp simd reduction(+ : acc)
            for (int64_t i = 0; i < n; i++) acc += ((double)x[i] - m) * ((double)x[i] - m);
        }
        return acc;
    }
    for (int64_t i = 0; i < n; i++) {
        double x = (double)*(const PMC_T *)(col + cd_dense_row(d, i) * s) - m;
        acc += (sw ? sw[i] : 1.0) * x * x;
    }
    return acc;
}
