/* pmc_rng: determinism, independent streams, range and (rough) unbiasedness of
 * below(), moments of uniform/normal, validity and uniformity of permutations.
 * Every generator is seeded, so these statistical checks are deterministic: the
 * bounds are several standard deviations wide and cannot flake. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void test_determinism(void) {
    pmc_rng a, b;
    pmc_rng_seed(&a, 42, 0);
    pmc_rng_seed(&b, 42, 0);
    int same = 1;
    for (int i = 0; i < 10000; i++) same &= pmc_rng_next(&a) == pmc_rng_next(&b);
    CHECK(same);
    /* The state is all there is: a copy continues identically. */
    pmc_rng c = a;
    CHECK(pmc_rng_next(&a) == pmc_rng_next(&c));
}

/* Counts equal outputs among the first n draws of two generators. */
static int n_equal(pmc_rng a, pmc_rng b, int n) {
    int equal = 0;
    for (int i = 0; i < n; i++) equal += pmc_rng_next(&a) == pmc_rng_next(&b);
    return equal;
}

static void test_streams_differ(void) {
    pmc_rng s0, s1, s2, other_seed, seed0;
    pmc_rng_seed(&s0, 7, 0);
    pmc_rng_seed(&s1, 7, 1);
    pmc_rng_seed(&s2, 7, 2);
    pmc_rng_seed(&other_seed, 8, 0);
    pmc_rng_seed(&seed0, 0, 0);
    CHECK(n_equal(s0, s1, 1000) == 0);
    CHECK(n_equal(s1, s2, 1000) == 0);
    CHECK(n_equal(s0, other_seed, 1000) == 0);
    /* Seed 0 must not give a degenerate (all-zero) state. */
    CHECK(seed0.s[0] | seed0.s[1] | seed0.s[2] | seed0.s[3]);
    /* Streams are not shifted copies of each other: no draw of stream 1 among
     * the first 4096 of stream 0. */
    uint64_t first = pmc_rng_next(&s1);
    int found = 0;
    for (int i = 0; i < 4096; i++) found |= pmc_rng_next(&s0) == first;
    CHECK(!found);
}

static void test_uniform_and_normal(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 123, 0);
    const int n = 1000000;
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        double u = pmc_rng_uniform(&rng);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    CHECK(lo >= 0.0 && hi < 1.0);
    /* sd of the mean: sqrt(1/12 / n) = 2.9e-4; allow ~10 sd. */
    CHECK(fabs(sum / n - 0.5) < 3e-3);

    double s1 = 0, s2 = 0;
    int finite = 1;
    for (int i = 0; i < n; i++) {
        double z = pmc_rng_normal(&rng);
        finite &= isfinite(z);
        s1 += z;
        s2 += z * z;
    }
    CHECK(finite);
    /* sd of the mean 1e-3, of the variance sqrt(2/n) = 1.4e-3; ~10 sd. */
    CHECK(fabs(s1 / n) < 1e-2);
    CHECK(fabs(s2 / n - 1.0) < 1.5e-2);
}

static void test_below(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 99, 3);
    CHECK(pmc_rng_below(&rng, 0) == 0);
    CHECK(pmc_rng_below(&rng, 1) == 0);

    /* Range, and a chi-square test of uniformity for n = 7 (6 degrees of
     * freedom: P(chi2 > 40) < 1e-6). */
    enum { K = 7, DRAWS = 700000 };
    long counts[K] = {0};
    int in_range = 1;
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = pmc_rng_below(&rng, K);
        if (x >= K) in_range = 0;
        else counts[x]++;
    }
    CHECK(in_range);
    double chi2 = 0, expected = (double)DRAWS / K;
    for (int k = 0; k < K; k++) chi2 += (counts[k] - expected) * (counts[k] - expected) / expected;
    CHECK(chi2 < 40.0);

    /* A bound of 3/4 of 2^64: plain `next % n` would put 5/8 of the draws in the
     * lower half; rejection sampling puts 1/2 there. */
    uint64_t n = 3ULL << 62;
    long lower = 0;
    in_range = 1;
    for (int i = 0; i < 200000; i++) {
        uint64_t x = pmc_rng_below(&rng, n);
        in_range &= x < n;
        lower += x < n / 2;
    }
    CHECK(in_range);
    CHECK(fabs(lower / 200000.0 - 0.5) < 0.01); /* sd 1.1e-3 */

    /* Every value of a small range appears, including the top one. */
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < 1000; i++) seen[pmc_rng_below(&rng, 3)] = 1;
    CHECK(seen[0] && seen[1] && seen[2]);
}

static int is_permutation(const int64_t *p, int64_t n) {
    char *seen = calloc((size_t)n + 1, 1);
    int ok = seen != NULL;
    for (int64_t i = 0; ok && i < n; i++) {
        if (p[i] < 0 || p[i] >= n || seen[p[i]]) ok = 0;
        else seen[p[i]] = 1;
    }
    free(seen);
    return ok;
}

static void test_permutation(void) {
    int64_t sizes[] = {0, 1, 2, 10, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t n = sizes[s];
        int64_t *a = malloc((size_t)(n + 1) * sizeof(int64_t));
        int64_t *b = malloc((size_t)(n + 1) * sizeof(int64_t));
        pmc_rng r1, r2;
        pmc_rng_seed(&r1, 5, 0);
        pmc_rng_seed(&r2, 5, 0);
        pmc_rng_permutation(&r1, a, n);
        pmc_rng_permutation(&r2, b, n);
        CHECK(is_permutation(a, n));
        CHECK(n == 0 || memcmp(a, b, (size_t)n * sizeof(int64_t)) == 0);
        free(a);
        free(b);
    }
    /* Different seeds shuffle differently. */
    int64_t a[1000], b[1000];
    pmc_rng r1, r2;
    pmc_rng_seed(&r1, 1, 0);
    pmc_rng_seed(&r2, 2, 0);
    pmc_rng_permutation(&r1, a, 1000);
    pmc_rng_permutation(&r2, b, 1000);
    CHECK(memcmp(a, b, sizeof a) != 0);

    /* Uniformity: where element 0 lands among 5 positions, over 50000
     * shuffles (each position 10000 expected, sd ~ 89; 4 dof chi2 < 30). */
    long where[5] = {0};
    int64_t p[5];
    pmc_rng rng;
    pmc_rng_seed(&rng, 11, 0);
    for (int t = 0; t < 50000; t++) {
        pmc_rng_permutation(&rng, p, 5);
        for (int i = 0; i < 5; i++)
            if (p[i] == 0) where[i]++;
    }
    double chi2 = 0;
    for (int i = 0; i < 5; i++) chi2 += (where[i] - 10000.0) * (where[i] - 10000.0) / 10000.0;
    CHECK(chi2 < 30.0);
}

int main(void) {
    test_determinism();
    test_streams_differ();
    test_uniform_and_normal();
    test_below();
    test_permutation();
    return check_report("test_rng");
}
