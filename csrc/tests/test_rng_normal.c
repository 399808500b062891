/* The ziggurat normal generator (pmc_rng_normal_fill): determinism, moments, the
 * distribution function at many points (against erfc), and the tails beyond the
 * base layer's edge R, which take the separate tail algorithm.  Seeded, so the
 * statistical bounds (several standard deviations wide) cannot flake. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

enum { N = 2000000 };

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y);
}

static void test_tables(void) {
    pmc_ziggurat z;
    pmc_ziggurat_init(&z);
    /* Layer edges decrease from the base rectangle's width to 0 at the top. */
    int decreasing = 1;
    for (int i = 0; i < PMC_ZIGGURAT_LAYERS; i++) decreasing &= z.x[i + 1] < z.x[i];
    CHECK(decreasing);
    CHECK(fabs(z.x[1] - 3.442619855899) < 1e-12);
    CHECK(z.x[PMC_ZIGGURAT_LAYERS] == 0.0);
    /* Equal areas: layer i's rectangle x[i] (f(x[i + 1]) - f(x[i])) is the base's V. */
    double V = 9.91256303526217e-3, worst = 0.0;
    for (int i = 1; i < PMC_ZIGGURAT_LAYERS; i++) {
        double area = z.x[i] * (exp(-0.5 * z.x[i + 1] * z.x[i + 1]) -
                                exp(-0.5 * z.x[i] * z.x[i]));
        worst = fmax(worst, fabs(area - V) / V);
    }
    CHECK(worst < 1e-6);
}

static void test_distribution(void) {
    pmc_ziggurat z;
    pmc_ziggurat_init(&z);
    pmc_rng rng, again;
    pmc_rng_seed(&rng, 2024, 5);
    pmc_rng_seed(&again, 2024, 5);
    double *x = malloc(N * sizeof *x), *y = malloc(1000 * sizeof *y);
    CHECK(x && y);
    if (!x || !y) return;
    pmc_rng_normal_fill(&rng, &z, x, N);
    pmc_rng_normal_fill(&again, &z, y, 1000);
    CHECK(memcmp(x, y, 1000 * sizeof *x) == 0); /* same seed, same draws */

    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    long beyond_R = 0, beyond_4 = 0;
    int finite = 1;
    for (int i = 0; i < N; i++) {
        finite &= isfinite(x[i]);
        s1 += x[i];
        s2 += x[i] * x[i];
        s3 += x[i] * x[i] * x[i];
        s4 += x[i] * x[i] * x[i] * x[i];
        beyond_R += fabs(x[i]) > 3.442619855899;
        beyond_4 += fabs(x[i]) > 4.0;
    }
    CHECK(finite);
    /* sd of the mean 7e-4, variance 1e-3, skewness 1.7e-3, kurtosis 1.7e-2; ~8 sd. */
    CHECK(fabs(s1 / N) < 6e-3);
    CHECK(fabs(s2 / N - 1.0) < 8e-3);
    CHECK(fabs(s3 / N) < 1.4e-2);
    CHECK(fabs(s4 / N - 3.0) < 0.14);
    /* Tails: P(|x| > R) = 5.76e-4 (1152 expected, sd 34), P(|x| > 4) = 6.33e-5
     * (127 expected, sd 11). */
    CHECK(labs(beyond_R - 1152) < 8 * 34);
    CHECK(labs(beyond_4 - 127) < 8 * 11);

    /* The empirical distribution function against Phi: Kolmogorov-Smirnov
     * distance; its 1e-6 critical value for n = 2e6 is ~1.9 / sqrt(n) = 1.3e-3. */
    qsort(x, N, sizeof *x, cmp_double);
    double ks = 0.0;
    for (int i = 0; i < N; i++) {
        double phi = 0.5 * erfc(-x[i] / sqrt(2.0));
        ks = fmax(ks, fmax(fabs(phi - (double)i / N), fabs(phi - (double)(i + 1) / N)));
    }
    CHECK(ks < 1.3e-3);
    free(x);
    free(y);
}

int main(void) {
    test_tables();
    test_distribution();
    return check_report("rng_normal");
}
