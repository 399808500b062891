/* A minimal check harness for the C unit tests: each test_*.c is one executable
 * that runs its checks, prints every failure with file and line, and returns
 * nonzero if any failed (ctest reads the exit code). */
#ifndef PMC_TESTS_CHECK_H
#define PMC_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pmc/pmc.h"

static int check_failures;

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);    \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

/* `call` must return `expected`; on failure, prints the C core's message too. */
#define CHECK_STATUS(call, expected)                                                    \
    do {                                                                                \
        pmc_status check_s_ = (call);                                                   \
        if (check_s_ != (expected)) {                                                   \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d (last error: %s)\n",    \
                    __FILE__, __LINE__, #call, (int)check_s_, (int)(expected),          \
                    pmc_last_error());                                                  \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, PMC_OK)

/* `call` must fail with `expected` and a message containing `needle`. */
#define CHECK_FAILS(call, expected, needle)                                             \
    do {                                                                                \
        pmc_clear_error();                                                              \
        CHECK_STATUS(call, expected);                                                   \
        if (!strstr(pmc_last_error(), (needle))) {                                      \
            fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
                    pmc_last_error(), (needle));                                        \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

/* |a - b| <= atol + rtol * |b|, NaN equal to NaN. */
#define CHECK_CLOSE(a, b, rtol, atol)                                                   \
    do {                                                                                \
        double check_a_ = (a), check_b_ = (b);                                          \
        int check_ok_ = (isnan(check_a_) && isnan(check_b_)) ||                         \
                        fabs(check_a_ - check_b_) <= (atol) + (rtol)*fabs(check_b_);    \
        if (!check_ok_) {                                                               \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %s = %.17g\n", __FILE__,       \
                    __LINE__, #a, check_a_, #b, check_b_);                              \
            check_failures++;                                                           \
        }                                                                               \
    } while (0)

static inline int check_report(const char *name) {
    if (check_failures) fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
    else printf("%s: all checks passed\n", name);
    return check_failures != 0;
}

#endif
