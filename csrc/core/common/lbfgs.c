/* L-BFGS with the More-Thuente line search; see lbfgs.h for the contract. */
#include "lbfgs.h"

#include <float.h>

#include "internal.h"

pmc_lbfgs_options pmc_lbfgs_defaults(void) {
    pmc_lbfgs_options o;
    o.history = 10;
    o.max_iter = 100;
    o.max_evals = 15000;
    o.max_linesearch = 50;
    o.gtol = 1e-4;
    o.ftol = 64.0 * DBL_EPSILON;
    return o;
}

int pmc_lbfgs_status(pmc_lbfgs_stop stop) {
    switch (stop) {
    case PMC_LBFGS_GTOL:
    case PMC_LBFGS_FTOL: return 0;
    case PMC_LBFGS_MAX_ITER:
    case PMC_LBFGS_MAX_EVALS: return 1;
    default: return 2;
    }
}

const char *pmc_lbfgs_message(pmc_lbfgs_stop stop) {
    switch (stop) {
    case PMC_LBFGS_GTOL: return "CONVERGENCE: NORM OF PROJECTED GRADIENT <= PGTOL";
    case PMC_LBFGS_FTOL: return "CONVERGENCE: RELATIVE REDUCTION OF F <= FACTR*EPSMCH";
    case PMC_LBFGS_MAX_ITER: return "STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT";
    case PMC_LBFGS_MAX_EVALS: return "STOP: TOTAL NO. OF F,G EVALUATIONS EXCEEDS LIMIT";
    default: return "ABNORMAL: ";
    }
}

/* ---- More-Thuente line search (MINPACK-2 dcstep / dcsrch) ------------------- */

/* Safeguarded cubic/quadratic step for the interval [stx, sty] and trial stp. */
static void mt_step(double *stx, double *fx, double *dx, double *sty, double *fy, double *dy,
                    double *stp, double fp, double dp, int *brackt, double stpmin,
                    double stpmax) {
    double sgnd = dp * (*dx / fabs(*dx));
    double stpf, stpc, stpq, theta, s, gamma, p, q, r;
    if (fp > *fx) {
        /* Higher function value: the minimum is bracketed. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = PMC_MAX(fabs(theta), PMC_MAX(fabs(*dx), fabs(dp)));
        gamma = s * sqrt(PMC_MAX(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
        if (*stp < *stx) gamma = -gamma;
        p = (gamma - *dx) + theta;
        q = ((gamma - *dx) + gamma) + dp;
        r = p / q;
        stpc = *stx + r * (*stp - *stx);
        stpq = *stx + ((*dx / ((*fx - fp) / (*stp - *stx) + *dx)) / 2.0) * (*stp - *stx);
        stpf = fabs(stpc - *stx) < fabs(stpq - *stx) ? stpc : stpc + (stpq - stpc) / 2.0;
        *brackt = 1;
    } else if (sgnd < 0.0) {
        /* Lower value, derivatives of opposite sign: bracketed. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = PMC_MAX(fabs(theta), PMC_MAX(fabs(*dx), fabs(dp)));
        gamma = s * sqrt(PMC_MAX(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
        if (*stp > *stx) gamma = -gamma;
        p = (gamma - dp) + theta;
        q = ((gamma - dp) + gamma) + *dx;
        r = p / q;
        stpc = *stp + r * (*stx - *stp);
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
        *brackt = 1;
    } else if (fabs(dp) < fabs(*dx)) {
        /* Lower value, same sign, derivative magnitude decreases. */
        theta = 3.0 * (*fx - fp) / (*stp - *stx) + *dx + dp;
        s = PMC_MAX(fabs(theta), PMC_MAX(fabs(*dx), fabs(dp)));
        gamma = s * sqrt(PMC_MAX(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
        if (*stp > *stx) gamma = -gamma;
        p = (gamma - dp) + theta;
        q = (gamma + (*dx - dp)) + gamma;
        r = p / q;
        if (r < 0.0 && gamma != 0.0) stpc = *stp + r * (*stx - *stp);
        else if (*stp > *stx) stpc = stpmax;
        else stpc = stpmin;
        stpq = *stp + (dp / (dp - *dx)) * (*stx - *stp);
        if (*brackt) {
            stpf = fabs(stpc - *stp) < fabs(stpq - *stp) ? stpc : stpq;
            if (*stp > *stx) stpf = PMC_MIN(*stp + 0.66 * (*sty - *stp), stpf);
            else stpf = PMC_MAX(*stp + 0.66 * (*sty - *stp), stpf);
        } else {
            stpf = fabs(stpc - *stp) > fabs(stpq - *stp) ? stpc : stpq;
            stpf = PMC_MIN(stpmax, stpf);
            stpf = PMC_MAX(stpmin, stpf);
        }
    } else {
        /* Lower value, same sign, derivative magnitude does not decrease. */
        if (*brackt) {
            theta = 3.0 * (fp - *fy) / (*sty - *stp) + *dy + dp;
            s = PMC_MAX(fabs(theta), PMC_MAX(fabs(*dy), fabs(dp)));
            gamma = s * sqrt(PMC_MAX(0.0, (theta / s) * (theta / s) - (*dy / s) * (dp / s)));
            if (*stp > *sty) gamma = -gamma;
            p = (gamma - dp) + theta;
            q = ((gamma - dp) + gamma) + *dy;
            r = p / q;
            stpc = *stp + r * (*sty - *stp);
            stpf = stpc;
        } else if (*stp > *stx) {
            stpf = stpmax;
        } else {
            stpf = stpmin;
        }
    }
    /* Update the interval that contains a minimiser. */
    if (fp > *fx) {
        *sty = *stp;
        *fy = fp;
        *dy = dp;
    } else {
        if (sgnd < 0.0) {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = *stp;
        *fx = fp;
        *dx = dp;
    }
    *stp = stpf;
}

typedef struct {
    double ftol, gtol, xtol, stpmin, stpmax;
    int brackt, stage;
    double finit, ginit, gtest, width, width1;
    double stx, fx, gx, sty, fy, gy, stmin, stmax;
} mt_search;

enum { MT_EVALUATE = 0, MT_CONVERGED = 1, MT_WARNING = 2 };

static void mt_start(mt_search *s, double f, double g, double stp) {
    s->brackt = 0;
    s->stage = 1;
    s->finit = f;
    s->ginit = g;
    s->gtest = s->ftol * g;
    s->width = s->stpmax - s->stpmin;
    s->width1 = s->width / 0.5;
    s->stx = 0.0;
    s->fx = f;
    s->gx = g;
    s->sty = 0.0;
    s->fy = f;
    s->gy = g;
    s->stmin = 0.0;
    s->stmax = stp + 4.0 * stp;
}

/* f, g: value and directional derivative at *stp.  Returns MT_EVALUATE with the
 * next trial in *stp, or MT_CONVERGED / MT_WARNING (stop at the current *stp). */
static int mt_next(mt_search *s, double f, double g, double *stp) {
    double ftest = s->finit + *stp * s->gtest;
    if (s->stage == 1 && f <= ftest && g >= 0.0) s->stage = 2;
    if (s->brackt && (*stp <= s->stmin || *stp >= s->stmax)) return MT_WARNING;
    if (s->brackt && s->stmax - s->stmin <= s->xtol * s->stmax) return MT_WARNING;
    if (*stp == s->stpmax && f <= ftest && g <= s->gtest) return MT_WARNING;
    if (*stp == s->stpmin && (f > ftest || g >= s->gtest)) return MT_WARNING;
    if (f <= ftest && fabs(g) <= s->gtol * (-s->ginit)) return MT_CONVERGED;
    if (s->stage == 1 && f <= s->fx && f > ftest) {
        /* Modified function while the decrease is not yet sufficient. */
        double fm = f - *stp * s->gtest, fxm = s->fx - s->stx * s->gtest;
        double fym = s->fy - s->sty * s->gtest, gm = g - s->gtest;
        double gxm = s->gx - s->gtest, gym = s->gy - s->gtest;
        mt_step(&s->stx, &fxm, &gxm, &s->sty, &fym, &gym, stp, fm, gm, &s->brackt, s->stmin,
                s->stmax);
        s->fx = fxm + s->stx * s->gtest;
        s->fy = fym + s->sty * s->gtest;
        s->gx = gxm + s->gtest;
        s->gy = gym + s->gtest;
    } else {
        mt_step(&s->stx, &s->fx, &s->gx, &s->sty, &s->fy, &s->gy, stp, f, g, &s->brackt,
                s->stmin, s->stmax);
    }
    if (s->brackt) {
        if (fabs(s->sty - s->stx) >= 0.66 * s->width1) *stp = s->stx + 0.5 * (s->sty - s->stx);
        s->width1 = s->width;
        s->width = fabs(s->sty - s->stx);
        s->stmin = PMC_MIN(s->stx, s->sty);
        s->stmax = PMC_MAX(s->stx, s->sty);
    } else {
        s->stmin = *stp + 1.1 * (*stp - s->stx);
        s->stmax = *stp + 4.0 * (*stp - s->stx);
    }
    *stp = PMC_MAX(*stp, s->stpmin);
    *stp = PMC_MIN(*stp, s->stpmax);
    if ((s->brackt && (*stp <= s->stmin || *stp >= s->stmax)) ||
        (s->brackt && s->stmax - s->stmin <= s->xtol * s->stmax))
        *stp = s->stx;
    return MT_EVALUATE;
}

/* ---- L-BFGS ------------------------------------------------------------------ */

static double dot(int64_t n, const double *a, const double *b) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static double max_abs(int64_t n, const double *a) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++) m = PMC_MAX(m, fabs(a[i]));
    return m;
}

/* d = -H g by the two-loop recursion over the stored pairs (oldest first at
 * `head`), H0 = gamma I. */
static void two_loop(int64_t n, const double *g, int count, int head, int m, const double *S,
                     const double *Y, const double *rho, double gamma, double *alpha,
                     double *d) {
    for (int64_t i = 0; i < n; i++) d[i] = -g[i];
    for (int c = count - 1; c >= 0; c--) {
        int slot = (head + c) % m;
        const double *s = S + (int64_t)slot * n, *y = Y + (int64_t)slot * n;
        alpha[slot] = rho[slot] * dot(n, s, d);
        for (int64_t i = 0; i < n; i++) d[i] -= alpha[slot] * y[i];
    }
    for (int64_t i = 0; i < n; i++) d[i] *= gamma;
    for (int c = 0; c < count; c++) {
        int slot = (head + c) % m;
        const double *s = S + (int64_t)slot * n, *y = Y + (int64_t)slot * n;
        double beta = rho[slot] * dot(n, y, d);
        for (int64_t i = 0; i < n; i++) d[i] += (alpha[slot] - beta) * s[i];
    }
}

/* The option checks both minimisers share. */
static pmc_status check_options(const pmc_lbfgs_options *o) {
    if (o->history < 1) return pmc_fail(PMC_ERR_VALUE, "L-BFGS history must be positive");
    if (o->max_iter < 0) return pmc_fail(PMC_ERR_VALUE, "max_iter must be non-negative");
    if (o->max_linesearch < 1)
        return pmc_fail(PMC_ERR_VALUE, "L-BFGS max_linesearch must be positive");
    if (!(o->gtol >= 0.0) || !(o->ftol >= 0.0))
        return pmc_fail(PMC_ERR_VALUE, "tol must be non-negative");
    return PMC_OK;
}

/* The minimisation as a state machine: each pmc_lbfgs_tell resumes the loop of
 * the classic driver where it waited for an evaluation, so that callers can
 * evaluate many minimisations' points together. */
enum { PHASE_START, PHASE_SEARCH, PHASE_DONE };

struct pmc_lbfgs_state {
    int64_t n;
    pmc_lbfgs_options o;
    double *x, *g;            /* the point asked for / the caller's gradient there */
    double *d, *x_prev, *g_prev, *S, *Y, *rho, *alpha;
    double f, f_old, gd_old, stp, gmax, gamma;
    int count, head;          /* stored pairs, oldest at head */
    int first_step;           /* the very first step has length 1 / ||d|| */
    int phase, ls_evals;
    mt_search ls;
    pmc_lbfgs_result res;
};

void pmc_lbfgs_free(pmc_lbfgs_state **state) {
    pmc_lbfgs_state *st = *state;
    if (!st) return;
    free(st->x);
    free(st->g);
    free(st->d);
    free(st->x_prev);
    free(st->g_prev);
    free(st->S);
    free(st->Y);
    free(st->rho);
    free(st->alpha);
    free(st);
    *state = NULL;
}

pmc_status pmc_lbfgs_start(int64_t n, const double *x0, const pmc_lbfgs_options *options,
                           pmc_lbfgs_state **out) {
    pmc_status status = PMC_OK;
    pmc_lbfgs_state *st = NULL;
    *out = NULL;
    if (n < 1) return pmc_fail(PMC_ERR_VALUE, "L-BFGS needs at least one variable");
    PMC_TRY(check_options(options));
    st = calloc(1, sizeof *st);
    if (!st) return pmc_fail(PMC_ERR_MEMORY, "out of memory for L-BFGS");
    int m = options->history;
    st->n = n;
    st->o = *options;
    PMC_ALLOC(st->x, n, "L-BFGS");
    PMC_ALLOC(st->g, n, "L-BFGS");
    PMC_ALLOC(st->d, n, "L-BFGS");
    PMC_ALLOC(st->x_prev, n, "L-BFGS");
    PMC_ALLOC(st->g_prev, n, "L-BFGS");
    PMC_ALLOC(st->S, (int64_t)m * n, "L-BFGS history");
    PMC_ALLOC(st->Y, (int64_t)m * n, "L-BFGS history");
    PMC_ALLOC(st->rho, m, "L-BFGS");
    PMC_ALLOC(st->alpha, m, "L-BFGS");
    memcpy(st->x, x0, (size_t)n * sizeof(double));
    st->gamma = 1.0;
    st->first_step = 1;
    st->phase = PHASE_START;
    *out = st;
    return PMC_OK;
error:
    pmc_lbfgs_free(&st);
    return status;
}

const double *pmc_lbfgs_point(const pmc_lbfgs_state *st) { return st->x; }
double *pmc_lbfgs_gradient(pmc_lbfgs_state *st) { return st->g; }
const pmc_lbfgs_result *pmc_lbfgs_outcome(const pmc_lbfgs_state *st) { return &st->res; }

static void finish(pmc_lbfgs_state *st, pmc_lbfgs_stop stop) {
    st->res.f = st->f;
    st->res.grad_max = st->gmax;
    st->res.stop = stop;
    st->phase = PHASE_DONE;
}

/* The next trial point of the line search. */
static void trial(pmc_lbfgs_state *st) {
    for (int64_t i = 0; i < st->n; i++) st->x[i] = st->x_prev[i] + st->stp * st->d[i];
}

/* A failed line search: back to the previous iterate; returns 1 to retry along
 * -g with an empty memory, 0 when that was already the direction (abnormal). */
static int reject(pmc_lbfgs_state *st) {
    size_t bytes = (size_t)st->n * sizeof(double);
    memcpy(st->x, st->x_prev, bytes);
    memcpy(st->g, st->g_prev, bytes);
    st->f = st->f_old;
    if (st->count == 0) {
        finish(st, PMC_LBFGS_ABNORMAL);
        return 0;
    }
    st->count = st->head = 0;
    st->gamma = 1.0;
    return 1;
}

/* Starts an iteration from (x, f, g): the search direction and the first trial
 * point (phase SEARCH), or the end. */
static void begin_iteration(pmc_lbfgs_state *st) {
    int64_t n = st->n;
    int m = st->o.history;
    for (;;) {
        if (st->count > 0)
            two_loop(n, st->g, st->count, st->head, m, st->S, st->Y, st->rho, st->gamma,
                     st->alpha, st->d);
        else
            for (int64_t i = 0; i < n; i++) st->d[i] = -st->g[i];
        st->gd_old = dot(n, st->g, st->d);
        st->f_old = st->f;
        memcpy(st->x_prev, st->x, (size_t)n * sizeof(double));
        memcpy(st->g_prev, st->g, (size_t)n * sizeof(double));
        st->stp = st->first_step ? PMC_MIN(1.0 / sqrt(dot(n, st->d, st->d)), 1e10) : 1.0;
        if (st->gd_old < 0.0) {
            memset(&st->ls, 0, sizeof st->ls);
            st->ls.ftol = 1e-3; /* sufficient decrease */
            st->ls.gtol = 0.9;  /* curvature */
            st->ls.xtol = 0.1;
            st->ls.stpmin = 0.0;
            st->ls.stpmax = 1e10;
            mt_start(&st->ls, st->f, st->gd_old, st->stp);
            st->ls_evals = 1;
            st->phase = PHASE_SEARCH;
            trial(st);
            return;
        }
        if (!reject(st)) return;
    }
}

/* An accepted step: the stopping tests, the new pair, the next iteration. */
static void accept(pmc_lbfgs_state *st) {
    int64_t n = st->n;
    int m = st->o.history;
    const pmc_lbfgs_options *o = &st->o;
    st->first_step = 0;
    st->res.n_iter++;
    st->gmax = max_abs(n, st->g);
    if (st->res.n_iter >= o->max_iter) {
        finish(st, PMC_LBFGS_MAX_ITER);
        return;
    }
    if (st->res.n_evals > o->max_evals) {
        finish(st, PMC_LBFGS_MAX_EVALS);
        return;
    }
    if (st->gmax <= o->gtol) {
        finish(st, PMC_LBFGS_GTOL);
        return;
    }
    if (st->f_old - st->f <= o->ftol * PMC_MAX(PMC_MAX(fabs(st->f_old), fabs(st->f)), 1.0)) {
        finish(st, PMC_LBFGS_FTOL);
        return;
    }
    /* New pair s = x - x_prev, y = g - g_prev, unless its curvature is too small
     * to keep H positive definite. */
    double sy = 0.0, yy = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double si = st->x[i] - st->x_prev[i], yi = st->g[i] - st->g_prev[i];
        sy += si * yi;
        yy += yi * yi;
    }
    if (!(sy <= DBL_EPSILON * (-st->gd_old * st->stp) || !(yy > 0.0))) {
        int slot = st->count < m ? (st->head + st->count) % m : st->head;
        double *s = st->S + (int64_t)slot * n, *y = st->Y + (int64_t)slot * n;
        for (int64_t i = 0; i < n; i++) {
            s[i] = st->x[i] - st->x_prev[i];
            y[i] = st->g[i] - st->g_prev[i];
        }
        st->rho[slot] = 1.0 / sy;
        st->gamma = sy / yy;
        if (st->count < m) st->count++;
        else st->head = (st->head + 1) % m;
    }
    begin_iteration(st);
}

pmc_status pmc_lbfgs_tell(pmc_lbfgs_state *st, double f, int *done) {
    st->f = f;
    switch (st->phase) {
    case PHASE_START:
        st->res.n_evals = 1;
        if (!isfinite(f))
            return pmc_fail(PMC_ERR_NUMERIC, "the objective is not finite at the starting point");
        st->gmax = max_abs(st->n, st->g);
        if (st->gmax <= st->o.gtol) finish(st, PMC_LBFGS_GTOL);
        else begin_iteration(st);
        break;
    case PHASE_SEARCH: {
        st->res.n_evals++;
        int task;
        if (!isfinite(f)) {
            /* Overflow far along d: come back towards the last point. */
            st->stp = st->ls.stx + 0.1 * (st->stp - st->ls.stx);
            task = MT_EVALUATE;
        } else {
            task = mt_next(&st->ls, f, dot(st->n, st->g, st->d), &st->stp);
        }
        if (task != MT_EVALUATE) {
            if (task == MT_CONVERGED || f <= st->f_old) accept(st);
            else if (reject(st)) begin_iteration(st);
        } else if (st->ls_evals >= st->o.max_linesearch) {
            if (reject(st)) begin_iteration(st);
        } else {
            st->ls_evals++;
            trial(st);
        }
        break;
    }
    default:
        return pmc_fail(PMC_ERR_INTERNAL, "L-BFGS was told a value after it finished");
    }
    *done = st->phase == PHASE_DONE;
    return PMC_OK;
}

pmc_status pmc_lbfgs_minimize(int64_t n, double *x, pmc_lbfgs_fn fg, void *arg,
                              const pmc_lbfgs_options *options, const pmc_ctx *ctx,
                              pmc_lbfgs_result *result) {
    pmc_status status = PMC_OK;
    pmc_lbfgs_state *st = NULL;
    memset(result, 0, sizeof *result);
    PMC_TRY(pmc_lbfgs_start(n, x, options, &st));
    for (int done = 0; !done;) {
        PMC_TRY(pmc_check_interrupt(ctx));
        double f;
        PMC_TRY(fg(st->x, &f, st->g, arg));
        PMC_TRY(pmc_lbfgs_tell(st, f, &done));
    }
    memcpy(x, st->x, (size_t)n * sizeof(double));
    *result = st->res;
error:
    pmc_lbfgs_free(&st);
    return status;
}

/* ---- proximal quasi-Newton for f(x) + sum_i l1[i] |x_i| ------------------------- */

double pmc_lbfgs_subgradient_max(int64_t n, const double *x, const double *g, const double *l1) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double a = l1 ? l1[i] : 0.0, v;
        if (x[i] > 0) v = fabs(g[i] + a);
        else if (x[i] < 0) v = fabs(g[i] - a);
        else v = PMC_MAX(fabs(g[i]) - a, 0.0);
        m = PMC_MAX(m, v);
    }
    return m;
}

static double l1_norm(int64_t n, const double *x, const double *l1) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += l1[i] * fabs(x[i]);
    return s;
}

/* inv = a^-1 for a k x k matrix (row-major, overwritten) by Gauss-Jordan
 * elimination with partial pivoting; 0 when a is numerically singular. */
static int invert(int k, double *a, double *inv) {
    double scale = 0.0;
    for (int i = 0; i < k * k; i++) scale = PMC_MAX(scale, fabs(a[i]));
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) inv[i * k + j] = i == j;
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(a[r * k + c]) > fabs(a[piv * k + c])) piv = r;
        if (!(fabs(a[piv * k + c]) > 1e-13 * scale)) return 0;
        if (piv != c)
            for (int j = 0; j < k; j++) {
                double t = a[c * k + j];
                a[c * k + j] = a[piv * k + j];
                a[piv * k + j] = t;
                t = inv[c * k + j];
                inv[c * k + j] = inv[piv * k + j];
                inv[piv * k + j] = t;
            }
        double p = 1.0 / a[c * k + c];
        for (int j = 0; j < k; j++) {
            a[c * k + j] *= p;
            inv[c * k + j] *= p;
        }
        for (int r = 0; r < k; r++) {
            if (r == c || a[r * k + c] == 0.0) continue;
            double q = a[r * k + c];
            for (int j = 0; j < k; j++) {
                a[r * k + j] -= q * a[c * k + j];
                inv[r * k + j] -= q * inv[c * k + j];
            }
        }
    }
    return 1;
}

typedef struct {
    int64_t n;
    int m, count, head; /* pairs in a ring of m slots, oldest at head */
    double gamma;       /* B0 = gamma I */
    double *sy;         /* n x 2m: per coordinate, s of each slot then y of each slot */
    double *SS, *SY;    /* m x m by slot: s_a's_b and s_a'y_b */
    double *K, *M, *tmp;/* 2m x 2m: the compact middle matrix and its inverse */
} compact_memory;

/* Stores the pair (s, y) = (x1 - x0, g1 - g0) if its curvature is positive,
 * scaled to ||s|| = 1: BFGS updates do not change when a pair is scaled, and the
 * compact middle matrix then stays well scaled as the steps shrink. */
static void memory_push(compact_memory *cm, const double *x1, const double *x0,
                        const double *g1, const double *g0) {
    int64_t n = cm->n;
    int m = cm->m;
    double ss = 0.0, sy = 0.0, yy = 0.0;
    for (int64_t j = 0; j < n; j++) {
        double s = x1[j] - x0[j], y = g1[j] - g0[j];
        ss += s * s;
        sy += s * y;
        yy += y * y;
    }
    if (!(sy > 1e-10 * sqrt(ss * yy)) || !(yy > 0.0)) return;
    int q = cm->count < m ? (cm->head + cm->count) % m : cm->head;
    if (cm->count < m) cm->count++;
    else cm->head = (cm->head + 1) % m;
    double scale = 1.0 / sqrt(ss);
    for (int64_t j = 0; j < n; j++) {
        cm->sy[j * 2 * m + q] = scale * (x1[j] - x0[j]);
        cm->sy[j * 2 * m + m + q] = scale * (g1[j] - g0[j]);
    }
    for (int c = 0; c < cm->count; c++) {
        int r = (cm->head + c) % m;
        double a = 0.0, b = 0.0, d = 0.0;
        for (int64_t j = 0; j < n; j++) {
            const double *row = cm->sy + j * 2 * m;
            a += row[q] * row[r];
            b += row[q] * row[m + r];
            d += row[r] * row[m + q];
        }
        cm->SS[q * m + r] = cm->SS[r * m + q] = a;
        cm->SY[q * m + r] = b;
        cm->SY[r * m + q] = d;
    }
    cm->gamma = yy / sy;
}

/* M = [[gamma S'S, L], [L', -D]]^-1 over the pairs in chronological order;
 * drops the oldest pairs while it is singular (nearly dependent steps). */
static void memory_factor(compact_memory *cm) {
    int m = cm->m, k, k2;
again:
    k = cm->count;
    k2 = 2 * k;
    if (k == 0) return;
    for (int a = 0; a < k; a++) {
        int sa = (cm->head + a) % m;
        for (int b = 0; b < k; b++) {
            int sb = (cm->head + b) % m;
            cm->K[a * k2 + b] = cm->gamma * cm->SS[sa * m + sb];
            cm->K[a * k2 + k + b] = a > b ? cm->SY[sa * m + sb] : 0.0;      /* L */
            cm->K[(k + a) * k2 + b] = b > a ? cm->SY[sb * m + sa] : 0.0;    /* L' */
            cm->K[(k + a) * k2 + k + b] = a == b ? -cm->SY[sa * m + sa] : 0.0;
        }
    }
    if (!invert(k2, cm->K, cm->M)) {
        cm->head = (cm->head + 1) % m;
        cm->count--;
        goto again;
    }
}

/* w = coordinate j's row of W = [gamma S, Y] (chronological order). */
static void memory_row(const compact_memory *cm, int64_t j, double *w) {
    int m = cm->m, k = cm->count;
    const double *row = cm->sy + j * 2 * m;
    for (int a = 0; a < k; a++) {
        int sa = (cm->head + a) % m;
        w[a] = cm->gamma * row[sa];
        w[k + a] = row[m + sa];
    }
}

/* Approximately minimises g'd + d'Bd/2 + sum l1 |x + d| over the work set by
 * cyclic coordinate descent; B = gamma I - W M W'.  mw holds M w_j per work
 * coordinate (|work| x 2k), diag the B_jj. */
static void model_solve(const compact_memory *cm, const double *x, const double *g,
                        const double *l1, const int64_t *work, int64_t n_work, double *mw,
                        double *diag, double *d, double *u, double *w) {
    int k2 = 2 * cm->count;
    double gamma = cm->gamma;
    for (int64_t q = 0; q < n_work; q++) {
        int64_t j = work[q];
        double *mwq = mw + q * k2, dot_wmw = 0.0;
        memory_row(cm, j, w);
        for (int a = 0; a < k2; a++) {
            double s = 0.0;
            for (int b = 0; b < k2; b++) s += cm->M[a * k2 + b] * w[b];
            mwq[a] = s;
            dot_wmw += w[a] * s;
        }
        diag[q] = PMC_MAX(gamma - dot_wmw, 1e-10 * gamma);
    }
    for (int a = 0; a < k2; a++) u[a] = 0.0; /* u = M W'd */
    for (int sweep = 0; sweep < 30; sweep++) {
        double change = 0.0, size = 0.0;
        for (int64_t q = 0; q < n_work; q++) {
            int64_t j = work[q];
            double bd = gamma * d[j];
            if (k2) {
                memory_row(cm, j, w);
                for (int a = 0; a < k2; a++) bd -= w[a] * u[a];
            }
            double z = x[j] + d[j], t = z - (g[j] + bd) / diag[q], thr = l1[j] / diag[q];
            double zn = t > thr ? t - thr : (t < -thr ? t + thr : 0.0), delta = zn - z;
            if (delta != 0.0) {
                d[j] += delta;
                const double *mwq = mw + q * k2;
                for (int a = 0; a < k2; a++) u[a] += delta * mwq[a];
                change = PMC_MAX(change, fabs(delta));
            }
            size = PMC_MAX(size, fabs(d[j]));
        }
        if (k2 == 0 || change <= 1e-6 * size) break;
    }
}

pmc_status pmc_lbfgs_minimize_l1(int64_t n, double *x, const double *l1, pmc_lbfgs_fn fg,
                                 void *arg, const pmc_lbfgs_options *options,
                                 const pmc_ctx *ctx, pmc_lbfgs_result *result) {
    pmc_status status = PMC_OK;
    const pmc_lbfgs_options o = *options;
    compact_memory cm;
    memset(&cm, 0, sizeof cm);
    double *g = NULL, *d = NULL, *xt = NULL, *gt = NULL, *mw = NULL, *diag = NULL;
    double *u = NULL, *w = NULL;
    int64_t *work = NULL;
    memset(result, 0, sizeof *result);
    if (n < 1) return pmc_fail(PMC_ERR_VALUE, "the solver needs at least one variable");
    PMC_TRY(check_options(&o));
    for (int64_t i = 0; i < n; i++)
        if (!(l1[i] >= 0.0 && isfinite(l1[i])))
            return pmc_fail(PMC_ERR_VALUE, "L1 weights must be non-negative and finite");
    int m = o.history;
    cm.n = n;
    cm.m = m;
    PMC_ALLOC(g, n, "proximal L-BFGS");
    PMC_ALLOC(d, n, "proximal L-BFGS");
    PMC_ALLOC(xt, n, "proximal L-BFGS");
    PMC_ALLOC(gt, n, "proximal L-BFGS");
    PMC_ALLOC(diag, n, "proximal L-BFGS");
    PMC_ALLOC(work, n, "proximal L-BFGS");
    PMC_ALLOC(cm.sy, n * 2 * m, "proximal L-BFGS history");
    PMC_ALLOC(mw, n * 2 * m, "proximal L-BFGS model");
    PMC_ALLOC(cm.SS, m * m, "proximal L-BFGS");
    PMC_ALLOC(cm.SY, m * m, "proximal L-BFGS");
    PMC_ALLOC(cm.K, 4 * m * m, "proximal L-BFGS");
    PMC_ALLOC(cm.M, 4 * m * m, "proximal L-BFGS");
    PMC_ALLOC(u, 2 * m, "proximal L-BFGS");
    PMC_ALLOC(w, 2 * m, "proximal L-BFGS");

    double f;
    PMC_TRY(fg(x, &f, g, arg));
    result->n_evals = 1;
    if (!isfinite(f)) {
        status = pmc_fail(PMC_ERR_NUMERIC, "the objective is not finite at the starting point");
        goto error;
    }
    double F = f + l1_norm(n, x, l1), opt = pmc_lbfgs_subgradient_max(n, x, g, l1);
    int flat = 0; /* consecutive iterations without a decrease of F beyond rounding */
    pmc_lbfgs_stop stop = PMC_LBFGS_GTOL;
    if (opt <= o.gtol) goto done;
    if (o.max_iter == 0) {
        stop = PMC_LBFGS_MAX_ITER;
        goto done;
    }
    /* B0 = gamma I before the first pair: the curvature along -g, measured over a
     * step of length 1e-2 (one evaluation; near a warm start's optimum ||g|| is
     * tiny and L-BFGS-B's first step 1 / ||g|| would be far too long). */
    double gnorm = 0.0;
    for (int64_t i = 0; i < n; i++) gnorm += g[i] * g[i];
    cm.gamma = 1.0;
    if (gnorm > 0.0) {
        double h = 1e-2 / sqrt(gnorm), ft, curvature = 0.0;
        for (int64_t i = 0; i < n; i++) xt[i] = x[i] - h * g[i];
        PMC_TRY(fg(xt, &ft, gt, arg));
        result->n_evals++;
        for (int64_t i = 0; i < n; i++) curvature += (g[i] - gt[i]) * g[i];
        curvature /= h * gnorm;
        if (isfinite(curvature) && curvature > 0.0) cm.gamma = curvature;
    }
    for (;;) {
        PMC_TRY(pmc_check_interrupt(ctx));
        memory_factor(&cm);
        int64_t n_work = 0;
        for (int64_t j = 0; j < n; j++)
            if (l1[j] == 0.0 || x[j] != 0.0 || fabs(g[j]) > l1[j]) work[n_work++] = j;
        memset(d, 0, (size_t)n * sizeof(double));
        model_solve(&cm, x, g, l1, work, n_work, mw, diag, d, u, w);
        double delta = 0.0; /* predicted decrease of F: g'd + change of the L1 term */
        for (int64_t q = 0; q < n_work; q++) {
            int64_t j = work[q];
            delta += g[j] * d[j] + l1[j] * (fabs(x[j] + d[j]) - fabs(x[j]));
        }
        int accepted = 0;
        double Ft = F, ft = f, alpha = 1.0;
        if (delta < 0.0) {
            for (int ls = 0; ls < o.max_linesearch; ls++) {
                for (int64_t i = 0; i < n; i++) xt[i] = x[i] + alpha * d[i];
                PMC_TRY(fg(xt, &ft, gt, arg));
                result->n_evals++;
                Ft = ft + l1_norm(n, xt, l1);
                /* Sufficient decrease, up to rounding in F. */
                if (isfinite(Ft) &&
                    Ft <= F + 1e-4 * alpha * delta + 4.0 * DBL_EPSILON * fabs(F)) {
                    accepted = 1;
                    break;
                }
                alpha *= isfinite(Ft) ? 0.5 : 0.1;
            }
        }
        if (!accepted) {
            if (cm.count > 0) { /* retry from a proximal-gradient model */
                cm.count = cm.head = 0;
                continue;
            }
            /* Even the proximal-gradient step cannot decrease F: a minimiser to
             * rounding when the model predicts no decrease, else abnormal. */
            stop = delta >= 0.0 ? PMC_LBFGS_FTOL : PMC_LBFGS_ABNORMAL;
            goto done;
        }
        memory_push(&cm, xt, x, gt, g);
        double F_old = F, step = 0.0, size = 1.0;
        for (int64_t i = 0; i < n; i++) {
            step = PMC_MAX(step, fabs(xt[i] - x[i]));
            size = PMC_MAX(size, fabs(xt[i]));
        }
        memcpy(x, xt, (size_t)n * sizeof(double));
        memcpy(g, gt, (size_t)n * sizeof(double));
        f = ft;
        F = Ft;
        result->n_iter++;
        opt = pmc_lbfgs_subgradient_max(n, x, g, l1);
        if (opt <= o.gtol) {
            stop = PMC_LBFGS_GTOL;
            goto done;
        }
        /* Near the optimum F is flat to rounding while the quasi-Newton steps keep
         * reducing the subgradient: a flat F stops only with a step at rounding
         * level too, or after 100 flat iterations in a row. */
        flat = F_old - F <= o.ftol * PMC_MAX(PMC_MAX(fabs(F_old), fabs(F)), 1.0) ? flat + 1 : 0;
        if ((flat > 0 && step <= 1e-12 * size) || flat >= 100) {
            stop = PMC_LBFGS_FTOL;
            goto done;
        }
        if (result->n_iter >= o.max_iter) {
            stop = PMC_LBFGS_MAX_ITER;
            goto done;
        }
        if (result->n_evals > o.max_evals) {
            stop = PMC_LBFGS_MAX_EVALS;
            goto done;
        }
    }
done:
    result->f = F;
    result->grad_max = opt;
    result->stop = stop;
error:
    free(g);
    free(d);
    free(xt);
    free(gt);
    free(mw);
    free(diag);
    free(u);
    free(w);
    free(work);
    free(cm.sy);
    free(cm.SS);
    free(cm.SY);
    free(cm.K);
    free(cm.M);
    return status;
}
