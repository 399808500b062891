/* Quantile binning of features (see binning.h). */
#include "binning.h"

#include "internal.h"

#define BIN_ALMOST_INF 1e300 /* scikit-learn's ALMOST_INF: +inf maps to the last bin */
#define BIN_BLOCK 4096       /* rows per mapping task */

#define PMC_TEMPLATE "binning_impl.h"
#include "template.h"

#define SORT_DIGIT 11 /* radix sort: bits per pass (6 passes, 2048 counters) */

/* Sorts v[0..n) (no NaN) ascending, as a stable comparison sort would (the
 * C library's qsort here, which is a merge sort): LSD radix sort of order-
 * preserving integer keys, with -0.0 and +0.0 on one key, and then the zeros
 * rewritten in their input order (which of them is -0.0 is all a stable sort
 * would keep of their order).  `a`, `b`: n scratch keys each. */
static void sort_values(double *v, int64_t n, uint64_t *a, uint64_t *b) {
    if (n < 2) return;
    const uint64_t top = (uint64_t)1 << 63;
    int64_t n_zero = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = v[i] == 0.0 ? 0.0 : v[i];
        uint64_t u;
        memcpy(&u, &x, sizeof u);
        a[i] = (u & top) ? ~u : u | top; /* negatives reversed, below the positives */
        n_zero += v[i] == 0.0;
    }
    int64_t count[1 << SORT_DIGIT];
    for (int shift = 0; shift < 64; shift += SORT_DIGIT) {
        memset(count, 0, sizeof count);
        for (int64_t i = 0; i < n; i++) count[(a[i] >> shift) & ((1u << SORT_DIGIT) - 1)]++;
        if (count[(a[0] >> shift) & ((1u << SORT_DIGIT) - 1)] == n) continue; /* one digit */
        for (int64_t d = 0, sum = 0; d < (1 << SORT_DIGIT); d++) {
            int64_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) b[count[(a[i] >> shift) & ((1u << SORT_DIGIT) - 1)]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    /* the zeros (in input order) go where the sorted zeros are */
    int64_t first_zero = -1;
    double *zeros = n_zero ? (double *)b : NULL; /* b is free now */
    for (int64_t i = 0, z = 0; i < n && z < n_zero; i++)
        if (v[i] == 0.0) memcpy(&zeros[z++], &v[i], sizeof(double));
    for (int64_t i = 0; i < n; i++) {
        uint64_t k = a[i], u = (k & top) ? k & ~top : ~k;
        memcpy(&v[i], &u, sizeof u);
        if (first_zero < 0 && v[i] == 0.0) first_zero = i;
    }
    if (n_zero) memcpy(v + first_zero, zeros, (size_t)n_zero * sizeof(double));
}

static pmc_status check_args(const pmc_matrix *X, pmc_rows rows, int max_bins) {
    pmc_status status = pmc_matrix_check(X, "X");
    if (status != PMC_OK) return status;
    if (X->is_sparse)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "binning needs a dense X, got a sparse matrix");
    if (X->dense.dtype != PMC_FLOAT32 && X->dense.dtype != PMC_FLOAT64)
        return pmc_fail(PMC_ERR_VALUE, "X must be float32 or float64 for binning, got %s",
                        pmc_dtype_name(X->dense.dtype));
    if (max_bins < 2 || max_bins > 255)
        return pmc_fail(PMC_ERR_VALUE, "max_bins must be in [2, 255], got %d", max_bins);
    if (rows.n < 0 || (!rows.index && (rows.start < 0 || rows.start + rows.n > X->n_rows)))
        return pmc_fail(PMC_ERR_VALUE, "rows [%lld, %lld) are outside X's %lld rows",
                        (long long)rows.start, (long long)(rows.start + rows.n),
                        (long long)X->n_rows);
    if (rows.index)
        for (int64_t i = 0; i < rows.n; i++)
            if (rows.index[i] < 0 || rows.index[i] >= X->n_rows)
                return pmc_fail(PMC_ERR_VALUE, "rows index %lld is outside X's %lld rows",
                                (long long)rows.index[i], (long long)X->n_rows);
    return PMC_OK;
}

typedef struct {
    const pmc_matrix *X;
    const int64_t *sample; /* row numbers the thresholds come from */
    int64_t n_sample;
    int max_bins;
    double *thresholds;
    int32_t *n_thresholds;
} thresholds_job;

/* NumPy's percentile with method='averaged_inverted_cdf' of sorted x[0..n) at
 * percentile k * (100 / max_bins), with NumPy's own floating-point steps (so that
 * thresholds match scikit-learn's bit for bit): virtual index n q - 1; on an
 * exact order statistic the two neighbours are averaged (NumPy's lerp at 0.5),
 * else the next one is taken. */
static double averaged_inverted_cdf(const double *x, int64_t n, int k, int max_bins) {
    double q = ((double)k * (100.0 / (double)max_bins)) / 100.0;
    double vi = (double)n * q - 1.0;
    double lo = floor(vi), gamma = vi - lo;
    int64_t prev = (int64_t)lo, next = prev + 1;
    if (vi < 0.0) prev = next = 0;
    else if (vi >= (double)(n - 1)) prev = next = n - 1;
    double a = x[prev], b = x[next];
    if (gamma != 0.0) return b;
    double diff = b - a;
    return b - diff * 0.5;
}

static pmc_status feature_thresholds(int64_t j, int thread, void *arg) {
    (void)thread;
    thresholds_job *job = arg;
    int max_bins = job->max_bins;
    double *t = job->thresholds + j * (max_bins - 1);
    size_t m = (size_t)PMC_MAX(job->n_sample, 1);
    double *v = malloc(m * sizeof(double));
    uint64_t *keys = malloc(2 * m * sizeof(uint64_t));
    if (!v || !keys) {
        free(v);
        free(keys);
        return pmc_fail(PMC_ERR_MEMORY, "could not allocate the values of feature %lld",
                        (long long)j);
    }
    int64_t n = job->X->dense.dtype == PMC_FLOAT32
                    ? column_values_f32(&job->X->dense, job->sample, job->n_sample, j, v)
                    : column_values_f64(&job->X->dense, job->sample, job->n_sample, j, v);
    sort_values(v, n, keys, keys + m);
    free(keys);
    int64_t n_distinct = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || v[i] != v[i - 1]) n_distinct++;
    int32_t nt = 0;
    if (n_distinct <= max_bins) {
        /* midpoints of consecutive distinct values */
        double prev = 0.0;
        for (int64_t i = 0, seen = 0; i < n; i++) {
            if (i > 0 && v[i] == v[i - 1]) continue;
            if (seen++ > 0) t[nt++] = (prev + v[i]) / 2.0; /* np.mean of the pair */
            prev = v[i];
        }
    } else {
        /* percentiles, duplicates dropped (they are sorted already) */
        for (int k = 1; k < max_bins; k++) {
            double q = averaged_inverted_cdf(v, n, k, max_bins);
            if (nt == 0 || q != t[nt - 1]) t[nt++] = q;
        }
    }
    for (int32_t b = 0; b < nt; b++)
        if (t[b] > BIN_ALMOST_INF) t[b] = BIN_ALMOST_INF;
    for (int32_t b = nt; b < max_bins - 1; b++) t[b] = NAN; /* unused slots */
    job->n_thresholds[j] = nt;
    free(v);
    return PMC_OK;
}

pmc_status pmc_bin_thresholds(const pmc_matrix *X, pmc_rows rows, int max_bins, int64_t subsample,
                              uint64_t seed, int n_threads, double *thresholds,
                              int32_t *n_thresholds) {
    pmc_status status = check_args(X, rows, max_bins);
    if (status != PMC_OK) return status;
    int64_t *sample = NULL;
    int64_t n = rows.n, n_sample = (subsample > 0 && n > subsample) ? subsample : n;
    PMC_ALLOC(sample, PMC_MAX(n, 1), "binning sample");
    for (int64_t i = 0; i < n; i++) sample[i] = pmc_row_at(&rows, i);
    if (n_sample < n) {
        /* the first n_sample entries of a partial Fisher-Yates shuffle: distinct rows */
        pmc_rng rng;
        pmc_rng_seed(&rng, seed, 0);
        for (int64_t i = 0; i < n_sample; i++) {
            int64_t k = i + (int64_t)pmc_rng_below(&rng, (uint64_t)(n - i));
            int64_t tmp = sample[i];
            sample[i] = sample[k];
            sample[k] = tmp;
        }
    }
    thresholds_job job = {X, sample, n_sample, max_bins, thresholds, n_thresholds};
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    status = pmc_parallel_for(X->n_cols, n_threads, &ctx, feature_thresholds, &job);
error:
    free(sample);
    return status;
}

typedef struct {
    const pmc_matrix *X;
    pmc_rows rows;
    const double *thresholds;
    const int32_t *n_thresholds;
    int max_bins;
    uint8_t *binned;
} map_job;

static pmc_status map_task(int64_t task, int thread, void *arg) {
    (void)thread;
    map_job *job = arg;
    int64_t first = task * BIN_BLOCK, count = PMC_MIN(BIN_BLOCK, job->rows.n - first);
    if (job->X->dense.dtype == PMC_FLOAT32)
        map_block_f32(&job->X->dense, &job->rows, first, count, job->rows.n, job->thresholds,
                      job->n_thresholds, job->max_bins, job->binned);
    else
        map_block_f64(&job->X->dense, &job->rows, first, count, job->rows.n, job->thresholds,
                      job->n_thresholds, job->max_bins, job->binned);
    return PMC_OK;
}

pmc_status pmc_bin_map(const pmc_matrix *X, pmc_rows rows, const double *thresholds,
                       const int32_t *n_thresholds, int max_bins, int n_threads, uint8_t *binned) {
    pmc_status status = check_args(X, rows, max_bins);
    if (status != PMC_OK) return status;
    for (int64_t j = 0; j < X->n_cols; j++)
        if (n_thresholds[j] < 0 || n_thresholds[j] > max_bins - 1)
            return pmc_fail(PMC_ERR_VALUE, "n_thresholds[%lld] = %d is outside [0, %d]",
                            (long long)j, n_thresholds[j], max_bins - 1);
    map_job job = {X, rows, thresholds, n_thresholds, max_bins, binned};
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = n_threads;
    return pmc_parallel_for((rows.n + BIN_BLOCK - 1) / BIN_BLOCK, n_threads, &ctx, map_task, &job);
}
