/* L-BFGS and its proximal (L1) variant on problems with known minimisers, their
 * stopping rules and their failures. */
#include "check.h"
#include "internal.h"
#include "lbfgs.h"

/* Extended Rosenbrock: minimum 0 at (1, ..., 1). */
static pmc_status rosenbrock(const double *x, double *f, double *g, void *arg) {
    int64_t n = *(const int64_t *)arg;
    *f = 0.0;
    for (int64_t i = 0; i < n; i++) g[i] = 0.0;
    for (int64_t i = 0; i + 1 < n; i += 2) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        *f += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    return PMC_OK;
}

/* Quadratic 0.5 sum_i c_i (x_i - i)^2, c_i = 10^(2 i / (n - 1)): condition number 100. */
static pmc_status quadratic(const double *x, double *f, double *g, void *arg) {
    int64_t n = *(const int64_t *)arg;
    *f = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double c = pow(10.0, 2.0 * (double)i / (double)(n - 1)), d = x[i] - (double)i;
        *f += 0.5 * c * d * d;
        g[i] = c * d;
    }
    return PMC_OK;
}

/* The same with targets i / 10. */
static pmc_status quadratic_small(const double *x, double *f, double *g, void *arg) {
    int64_t n = *(const int64_t *)arg;
    *f = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double c = pow(10.0, 2.0 * (double)i / (double)(n - 1)), d = x[i] - 0.1 * (double)i;
        *f += 0.5 * c * d * d;
        g[i] = c * d;
    }
    return PMC_OK;
}

static int calls;
static pmc_status failing(const double *x, double *f, double *g, void *arg) {
    if (++calls == 3) return pmc_fail(PMC_ERR_NUMERIC, "objective failed on purpose");
    return quadratic(x, f, g, arg);
}

/* A linear function has no minimum: the line search keeps extending, then stops. */
static pmc_status linear(const double *x, double *f, double *g, void *arg) {
    *f = -x[0];
    g[0] = -1.0;
    return PMC_OK;
}

static void test_rosenbrock(void) {
    int64_t n = 10;
    double x[10];
    for (int i = 0; i < 10; i++) x[i] = i % 2 ? 1.0 : -1.2;
    pmc_lbfgs_options o = pmc_lbfgs_defaults();
    o.max_iter = 1000;
    o.gtol = 1e-8;
    o.ftol = 0.0;
    pmc_lbfgs_result r;
    CHECK_OK(pmc_lbfgs_minimize(n, x, rosenbrock, &n, &o, NULL, &r));
    CHECK(r.stop == PMC_LBFGS_GTOL);
    CHECK(r.grad_max <= 1e-8);
    for (int i = 0; i < 10; i++) CHECK(fabs(x[i] - 1.0) < 1e-6);
    CHECK(r.n_iter > 10 && r.n_iter < 200);
    CHECK(r.n_evals >= r.n_iter + 1);
    CHECK(pmc_lbfgs_status(r.stop) == 0);
}

static void test_quadratic(void) {
    int64_t n = 50;
    double x[50] = {0}, x2[50] = {0};
    pmc_lbfgs_options o = pmc_lbfgs_defaults();
    o.max_iter = 500;
    o.gtol = 1e-9;
    o.ftol = 0.0;
    pmc_lbfgs_result r, r2;
    CHECK_OK(pmc_lbfgs_minimize(n, x, quadratic, &n, &o, NULL, &r));
    for (int i = 0; i < 50; i++) CHECK(fabs(x[i] - i) < 1e-6 * (1 + i));
    /* Deterministic: a second run gives the same iterates bit for bit. */
    CHECK_OK(pmc_lbfgs_minimize(n, x2, quadratic, &n, &o, NULL, &r2));
    CHECK(memcmp(x, x2, sizeof x) == 0 && r.n_iter == r2.n_iter);

    /* max_iter: like scipy, the limit is checked after an iteration, so max_iter = 0
     * still runs one and reports the limit. */
    double x3[50] = {0};
    o.max_iter = 0;
    CHECK_OK(pmc_lbfgs_minimize(n, x3, quadratic, &n, &o, NULL, &r));
    CHECK(r.n_iter == 1 && r.stop == PMC_LBFGS_MAX_ITER);
    CHECK(pmc_lbfgs_status(r.stop) == 1);
    o.max_iter = 5;
    double x4[50] = {0};
    CHECK_OK(pmc_lbfgs_minimize(n, x4, quadratic, &n, &o, NULL, &r));
    CHECK(r.n_iter == 5 && r.stop == PMC_LBFGS_MAX_ITER);

    /* Already optimal: no iteration. */
    for (int i = 0; i < 50; i++) x4[i] = i;
    o.max_iter = 100;
    CHECK_OK(pmc_lbfgs_minimize(n, x4, quadratic, &n, &o, NULL, &r));
    CHECK(r.n_iter == 0 && r.stop == PMC_LBFGS_GTOL && r.n_evals == 1);

    /* The relative-decrease test stops a loose run. */
    double x5[50] = {0};
    o.max_iter = 1000;
    o.gtol = 0.0;
    o.ftol = 1e-3;
    CHECK_OK(pmc_lbfgs_minimize(n, x5, quadratic, &n, &o, NULL, &r));
    CHECK(r.stop == PMC_LBFGS_FTOL);
}

static void test_failures(void) {
    int64_t n = 50;
    double x[50] = {0};
    pmc_lbfgs_options o = pmc_lbfgs_defaults();
    pmc_lbfgs_result r;
    calls = 0;
    CHECK_STATUS(pmc_lbfgs_minimize(n, x, failing, &n, &o, NULL, &r), PMC_ERR_NUMERIC);
    CHECK(strstr(pmc_last_error(), "on purpose") != NULL);

    o.history = 0;
    CHECK_STATUS(pmc_lbfgs_minimize(n, x, quadratic, &n, &o, NULL, &r), PMC_ERR_VALUE);
    o = pmc_lbfgs_defaults();
    o.gtol = -1.0;
    CHECK_STATUS(pmc_lbfgs_minimize(n, x, quadratic, &n, &o, NULL, &r), PMC_ERR_VALUE);

    volatile int flag = 1;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.interrupt = &flag;
    o = pmc_lbfgs_defaults();
    CHECK_STATUS(pmc_lbfgs_minimize(n, x, quadratic, &n, &o, &ctx, &r), PMC_ERR_INTERRUPTED);

    /* Unbounded below: ends (evaluation or iteration limit, or abnormal) without error. */
    int64_t one = 1;
    double x1[1] = {0};
    o = pmc_lbfgs_defaults();
    CHECK_OK(pmc_lbfgs_minimize(one, x1, linear, &one, &o, NULL, &r));
    CHECK(pmc_lbfgs_status(r.stop) != 0);
}

/* 0.5 ||A x - b||^2 with A (20 x 8) fixed pseudo-random: coupled coordinates. */
static double A[20 * 8], B[20];
static pmc_status least_squares(const double *x, double *f, double *g, void *arg) {
    *f = 0.0;
    for (int j = 0; j < 8; j++) g[j] = 0.0;
    for (int i = 0; i < 20; i++) {
        double r = -B[i];
        for (int j = 0; j < 8; j++) r += A[i * 8 + j] * x[j];
        *f += 0.5 * r * r;
        for (int j = 0; j < 8; j++) g[j] += r * A[i * 8 + j];
    }
    return PMC_OK;
}

static void test_l1(void) {
    /* Separable: the minimiser of 0.5 c_i (x_i - a_i)^2 + l |x_i| is
     * soft(a_i, l / c_i). */
    int64_t n = 50;
    double x[50] = {0}, l1[50];
    for (int i = 0; i < 50; i++) l1[i] = i % 5 == 0 ? 0.0 : 0.3;
    pmc_lbfgs_options o = pmc_lbfgs_defaults();
    o.max_iter = 1000;
    o.gtol = 1e-10;
    pmc_lbfgs_result r;
    CHECK_OK(pmc_lbfgs_minimize_l1(n, x, l1, quadratic_small, &n, &o, NULL, &r));
    CHECK(r.stop == PMC_LBFGS_GTOL && r.grad_max <= 1e-10);
    for (int i = 0; i < 50; i++) {
        double c = pow(10.0, 2.0 * i / 49.0), t = l1[i] / c, a = 0.1 * i;
        double want = a > t ? a - t : 0.0;
        CHECK_CLOSE(x[i], want, 1e-9, 1e-9);
        if (want == 0.0) CHECK(x[i] == 0.0); /* exact zeros */
    }

    /* Coupled: optimality conditions at the solution, from the same gradient. */
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < 20 * 8; i++) A[i] = pmc_rng_normal(&rng);
    for (int i = 0; i < 20; i++) B[i] = 2.0 * pmc_rng_normal(&rng);
    int64_t m = 8;
    double y[8] = {0}, g[8], f, l1c[8];
    for (int j = 0; j < 8; j++) l1c[j] = 4.0;
    CHECK_OK(pmc_lbfgs_minimize_l1(m, y, l1c, least_squares, NULL, &o, NULL, &r));
    CHECK_OK(least_squares(y, &f, g, NULL));
    CHECK(pmc_lbfgs_subgradient_max(m, y, g, l1c) <= 1e-10);
    int zeros = 0;
    for (int j = 0; j < 8; j++) zeros += y[j] == 0.0;
    CHECK(zeros > 0 && zeros < 8);

    /* No L1 weight: the smooth minimiser. */
    double z[8] = {0}, none[8] = {0};
    CHECK_OK(pmc_lbfgs_minimize_l1(m, z, none, least_squares, NULL, &o, NULL, &r));
    CHECK_OK(least_squares(z, &f, g, NULL));
    for (int j = 0; j < 8; j++) CHECK(fabs(g[j]) <= 1e-10);

    /* tol = 0 still ends (at rounding), max_iter = 0 runs nothing, bad weights fail. */
    o.gtol = 0.0;
    double t0[8] = {0};
    CHECK_OK(pmc_lbfgs_minimize_l1(m, t0, l1c, least_squares, NULL, &o, NULL, &r));
    CHECK(r.stop == PMC_LBFGS_GTOL || r.stop == PMC_LBFGS_FTOL);
    CHECK(r.n_iter < 1000);
    o = pmc_lbfgs_defaults();
    o.max_iter = 0;
    double t1[8] = {0};
    CHECK_OK(pmc_lbfgs_minimize_l1(m, t1, l1c, least_squares, NULL, &o, NULL, &r));
    CHECK(r.n_iter == 0 && r.stop == PMC_LBFGS_MAX_ITER && t1[0] == 0.0);
    l1c[3] = -1.0;
    CHECK_STATUS(pmc_lbfgs_minimize_l1(m, t1, l1c, least_squares, NULL, &o, NULL, &r),
                 PMC_ERR_VALUE);
}

int main(void) {
    test_rosenbrock();
    test_quadratic();
    test_failures();
    test_l1();
    return check_report("test_lbfgs");
}
