/* Shared binning (core/common/binning.c): midpoint thresholds for few distinct
 * values, averaged-inverted-CDF percentiles for many (worked out by hand),
 * NaN ignored and mapped to the missing bin, +inf to the last bin, float32 and
 * Fortran layouts equal to float64 C order, thread-count and subsample
 * determinism, and the argument checks. */
#include <stdint.h>
#include <stdlib.h>

#include "binning.h"
#include "check.h"

static void test_few_values(void) {
    /* feature 0: values {1, 2, 4} and NaN; feature 1: constant; feature 2: +inf */
    double X[6 * 3] = {1, 5, 0,  2, 5, 1,  4, 5, INFINITY,
                       NAN, 5, 1,  2, 5, 0,  1, 5, 1};
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, 6, 3));
    double t[3 * 9];
    int32_t nt[3];
    CHECK_OK(pmc_bin_thresholds(&M, pmc_rows_all(6), 10, 0, 0, 1, t, nt));
    CHECK(nt[0] == 2 && nt[1] == 0 && nt[2] == 2);
    CHECK_CLOSE(t[0], 1.5, 0, 0);
    CHECK_CLOSE(t[1], 3.0, 0, 0);
    CHECK_CLOSE(t[2 * 9 + 0], 0.5, 0, 0);
    CHECK_CLOSE(t[2 * 9 + 1], 1e300, 0, 0); /* midpoint of 1 and inf, clipped */
    uint8_t b[3 * 6];
    CHECK_OK(pmc_bin_map(&M, pmc_rows_all(6), t, nt, 10, 1, b));
    uint8_t expected0[6] = {0, 1, 2, 10, 1, 0};
    for (int i = 0; i < 6; i++) CHECK(b[i] == expected0[i]);
    for (int i = 0; i < 6; i++) CHECK(b[6 + i] == 0); /* constant: one bin */
    CHECK(b[12 + 2] == 2);                             /* inf: last bin */
}

static void test_quantiles(void) {
    /* 1000 distinct values i (shuffled order), max_bins 10: n q = 100 k falls on an
     * order statistic, so each threshold averages x[100k-1] and x[100k]. */
    enum { N = 1000 };
    double *X = malloc(N * sizeof(double));
    float *Xf = malloc(N * sizeof(float));
    for (int i = 0; i < N; i++) X[i] = Xf[i] = (float)((i * 7919) % N);
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 1));
    pmc_matrix Mf = pmc_matrix_dense(pmc_view_2d(Xf, PMC_FLOAT32, N, 1));
    double t[9], tf[9];
    int32_t nt, ntf;
    CHECK_OK(pmc_bin_thresholds(&M, pmc_rows_all(N), 10, 0, 0, 2, t, &nt));
    CHECK_OK(pmc_bin_thresholds(&Mf, pmc_rows_all(N), 10, 0, 0, 1, tf, &ntf));
    CHECK(nt == 9 && ntf == 9);
    for (int k = 1; k < 10; k++) {
        CHECK_CLOSE(t[k - 1], 100.0 * k - 0.5, 0, 0);
        CHECK_CLOSE(tf[k - 1], t[k - 1], 0, 0);
    }
    /* 999 values, max_bins 4: n q = 249.75 -> x[249]; 499.5 -> x[499]; 749.25 -> x[749] */
    CHECK_OK(pmc_bin_thresholds(&M, pmc_rows_all(999), 4, 0, 0, 1, t, &nt));
    int64_t *order = malloc(999 * sizeof(int64_t));
    CHECK(nt == 3);
    /* the first 999 of the shuffled values are all of 0..999 but one */
    int missing = 0;
    for (int v = 0; v < N; v++) {
        int found = 0;
        for (int i = 0; i < 999; i++) found |= X[i] == v;
        if (!found) missing = v;
    }
    int64_t ranks[3] = {249, 499, 749};
    for (int k = 0; k < 3; k++) {
        double value = (double)ranks[k] + (ranks[k] >= missing ? 1.0 : 0.0);
        CHECK_CLOSE(t[k], value, 0, 0);
    }
    /* subsampling: deterministic in the seed, any thread count; rows by index */
    for (int i = 0; i < 999; i++) order[i] = 998 - i;
    pmc_rows rows = {order, 0, 999};
    double a[254], c[254];
    int32_t na, nc;
    CHECK_OK(pmc_bin_thresholds(&M, rows, 255, 300, 42, 1, a, &na));
    CHECK_OK(pmc_bin_thresholds(&M, rows, 255, 300, 42, 2, c, &nc));
    CHECK(na == 254 && nc == 254);
    for (int k = 0; k < na; k++) CHECK(a[k] == c[k]);
    uint8_t *b1 = malloc(999), *b2 = malloc(999);
    CHECK_OK(pmc_bin_map(&M, rows, a, &na, 255, 1, b1));
    CHECK_OK(pmc_bin_map(&M, rows, a, &na, 255, 2, b2));
    for (int i = 0; i < 999; i++) {
        CHECK(b1[i] == b2[i]);
        double x = X[998 - i];
        int bin = b1[i];
        CHECK(bin == na || x <= a[bin]);
        CHECK(bin == 0 || x > a[bin - 1]);
    }
    free(b1);
    free(b2);
    free(order);
    free(X);
    free(Xf);
}

static void test_layouts(void) {
    /* a Fortran-ordered float32 matrix bins as the C-ordered float64 one */
    enum { N = 300, P = 4 };
    double *C = malloc(N * P * sizeof(double));
    float *F = malloc(N * P * sizeof(float));
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < P; j++) {
            float v = (float)pmc_rng_normal(&rng);
            if ((i + j) % 11 == 0) v = NAN;
            C[i * P + j] = v;
            F[j * N + i] = v;
        }
    pmc_view fv = pmc_view_2d(F, PMC_FLOAT32, N, P);
    fv.strides[0] = sizeof(float);
    fv.strides[1] = N * sizeof(float);
    pmc_matrix MC = pmc_matrix_dense(pmc_view_2d(C, PMC_FLOAT64, N, P)), MF = pmc_matrix_dense(fv);
    double t1[P * 31], t2[P * 31];
    int32_t n1[P], n2[P];
    uint8_t b1[N * P], b2[N * P];
    CHECK_OK(pmc_bin_thresholds(&MC, pmc_rows_all(N), 32, 0, 0, 2, t1, n1));
    CHECK_OK(pmc_bin_thresholds(&MF, pmc_rows_all(N), 32, 0, 0, 1, t2, n2));
    CHECK_OK(pmc_bin_map(&MC, pmc_rows_all(N), t1, n1, 32, 2, b1));
    CHECK_OK(pmc_bin_map(&MF, pmc_rows_all(N), t2, n2, 32, 1, b2));
    for (int j = 0; j < P; j++) {
        CHECK(n1[j] == 31 && n2[j] == 31);
        for (int k = 0; k < n1[j]; k++) CHECK(t1[j * 31 + k] == t2[j * 31 + k]);
    }
    int nan_bins = 0;
    for (int k = 0; k < N * P; k++) {
        CHECK(b1[k] == b2[k]);
        nan_bins += b1[k] == 32;
    }
    CHECK(nan_bins == N * P / 11 + 1 || nan_bins == N * P / 11); /* (i + j) % 11 == 0 */
    free(C);
    free(F);
}

static void test_bad_args(void) {
    double X[4] = {1, 2, 3, 4};
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, 4, 1));
    double t[255];
    int32_t nt = 3;
    uint8_t b[4];
    CHECK_FAILS(pmc_bin_thresholds(&M, pmc_rows_all(4), 256, 0, 0, 1, t, &nt), PMC_ERR_VALUE,
                "max_bins");
    CHECK_FAILS(pmc_bin_thresholds(&M, pmc_rows_all(4), 1, 0, 0, 1, t, &nt), PMC_ERR_VALUE,
                "max_bins");
    CHECK_FAILS(pmc_bin_thresholds(&M, pmc_rows_all(5), 8, 0, 0, 1, t, &nt), PMC_ERR_VALUE,
                "rows");
    int64_t bad[2] = {0, 7};
    pmc_rows rows = {bad, 0, 2};
    CHECK_FAILS(pmc_bin_map(&M, rows, t, &nt, 8, 1, b), PMC_ERR_VALUE, "rows index 7");
    nt = 9;
    CHECK_FAILS(pmc_bin_map(&M, pmc_rows_all(4), t, &nt, 8, 1, b), PMC_ERR_VALUE, "n_thresholds");
}

static void test_sort_signs_and_ties(void) {
    /* The values are sorted by a radix sort on their bits: negatives, -0.0 and
     * +0.0, infinities and heavy ties must come out in value order.  Midpoint
     * path: 12 distinct values (sorted here by hand), each repeated, shuffled. */
    enum { N = 3000 };
    static const double D[12] = {-INFINITY, -1e10, -2.5, -1.0, -1e-300, 0.0,
                                 1e-300, 0.75, 1.0, 3.0, 1e10, INFINITY};
    double *X = malloc(N * sizeof(double));
    for (int i = 0; i < N; i++) {
        int d = (i * 7919) % 12;
        X[i] = d == 5 && i % 2 ? -0.0 : D[d]; /* zeros of both signs: one value */
    }
    pmc_matrix M = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, 1));
    double t[254];
    int32_t nt;
    CHECK_OK(pmc_bin_thresholds(&M, pmc_rows_all(N), 255, 0, 0, 1, t, &nt));
    CHECK(nt == 11);
    for (int k = 0; k < 11; k++) {
        double mid = (D[k] + D[k + 1]) / 2.0;
        if (mid > 1e300) mid = 1e300;
        CHECK(t[k] == mid); /* -inf stays: only the top is clipped, as scikit-learn */
    }
    /* percentile path across the sign: values i - 500 (shuffled), max_bins 10 */
    for (int i = 0; i < 1000; i++) X[i] = (double)((i * 7919) % 1000) - 500.0;
    CHECK_OK(pmc_bin_thresholds(&M, pmc_rows_all(1000), 10, 0, 0, 1, t, &nt));
    CHECK(nt == 9);
    for (int k = 1; k < 10; k++) CHECK_CLOSE(t[k - 1], 100.0 * k - 0.5 - 500.0, 0, 0);
    free(X);
}

int main(void) {
    test_few_values();
    test_quantiles();
    test_sort_signs_and_ties();
    test_layouts();
    test_bad_args();
    return check_report("test_binning");
}
