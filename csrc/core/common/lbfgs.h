/* Limited-memory BFGS for smooth unconstrained problems, shared by the families
 * that minimise a differentiable objective (logistic regression, GLMs, ...).
 *
 * It follows scipy's L-BFGS-B as scikit-learn calls it (no bounds): the search
 * direction is the two-loop recursion with H0 = (s'y / y'y) I over the last
 * `history` pairs, the line search is More and Thuente's (MINPACK-2 dcsrch:
 * sufficient decrease 1e-3, curvature 0.9, i.e. strong Wolfe), the first step has
 * length 1 / ||g||, pairs with s'y <= eps * (-g'd) are skipped, and a failed line
 * search clears the memory and retries along -g once before giving up.  It stops
 *   - when max_i |g_i| <= gtol                              (converged),
 *   - when (f_prev - f) <= ftol * max(|f_prev|, |f|, 1)      (converged),
 *   - when max_iter iterations are done; like scipy, the test runs after an
 *     iteration and before the convergence tests of the new point, so at least one
 *     iteration runs and reaching max_iter counts as not converged,
 *   - when more than max_evals evaluations were made (checked per iteration),
 *   - when the line search fails from steepest descent too (abnormal).
 * Everything is deterministic: same inputs, same iterates. */
#ifndef PMC_LBFGS_H
#define PMC_LBFGS_H

#include "pmc/pmc.h"

/* Objective: *f = f(x) and grad = its gradient (n).  A failing status stops the
 * minimisation and is returned as is. */
typedef pmc_status (*pmc_lbfgs_fn)(const double *x, double *f, double *grad, void *arg);

typedef struct {
    int history;          /* correction pairs kept (scipy's maxcor: 10) */
    int64_t max_iter;     /* iterations (scipy's maxiter) */
    int64_t max_evals;    /* objective evaluations (scipy's maxfun: 15000) */
    int max_linesearch;   /* evaluations per line search (scikit-learn passes 50) */
    double gtol;          /* max_i |g_i| <= gtol stops */
    double ftol;          /* relative decrease of f that stops (scikit-learn: 64 eps) */
} pmc_lbfgs_options;

typedef enum {
    PMC_LBFGS_GTOL = 0,       /* converged: max |g_i| <= gtol */
    PMC_LBFGS_FTOL = 1,       /* converged: relative reduction of f <= ftol */
    PMC_LBFGS_MAX_ITER = 2,   /* not converged: iteration limit */
    PMC_LBFGS_MAX_EVALS = 3,  /* not converged: evaluation limit */
    PMC_LBFGS_ABNORMAL = 4    /* not converged: no step decreases f enough */
} pmc_lbfgs_stop;

typedef struct {
    int64_t n_iter;   /* iterations done */
    int64_t n_evals;  /* objective evaluations */
    double f;         /* objective at the returned x */
    double grad_max;  /* max_i |g_i| at the returned x */
    pmc_lbfgs_stop stop;
} pmc_lbfgs_result;

/* scipy's defaults for scikit-learn's use: history 10, max_iter 100, max_evals
 * 15000, max_linesearch 50, gtol 1e-4, ftol 64 * DBL_EPSILON. */
pmc_lbfgs_options pmc_lbfgs_defaults(void);

/* 0 when `stop` means converged, 1 for an iteration/evaluation limit, 2 otherwise
 * (scipy's status), and scipy's message for it. */
int pmc_lbfgs_status(pmc_lbfgs_stop stop);
const char *pmc_lbfgs_message(pmc_lbfgs_stop stop);

/* Minimises fg from x (n), leaving the best point found in x.  ctx (may be NULL)
 * is polled for interrupts once per iteration.  Returns PMC_OK whether or not the
 * minimisation converged (see result->stop); an error only for bad options, an
 * allocation failure, an interrupt or an objective's failure. */
pmc_status pmc_lbfgs_minimize(int64_t n, double *x, pmc_lbfgs_fn fg, void *arg,
                              const pmc_lbfgs_options *options, const pmc_ctx *ctx,
                              pmc_lbfgs_result *result);

/* The same minimisation driven by the caller (reverse communication), so that
 * several minimisations can have their points evaluated together:
 *     pmc_lbfgs_start(n, x0, &options, &st);
 *     for (done = 0; !done;) {
 *         x = pmc_lbfgs_point(st);          the point to evaluate
 *         write grad f(x) into pmc_lbfgs_gradient(st);
 *         pmc_lbfgs_tell(st, f(x), &done);
 *     }
 * then pmc_lbfgs_point(st) is the best point found and pmc_lbfgs_outcome(st) the
 * result; same iterates as pmc_lbfgs_minimize (which is this loop). */
typedef struct pmc_lbfgs_state pmc_lbfgs_state;
pmc_status pmc_lbfgs_start(int64_t n, const double *x0, const pmc_lbfgs_options *options,
                           pmc_lbfgs_state **out);
const double *pmc_lbfgs_point(const pmc_lbfgs_state *st);
double *pmc_lbfgs_gradient(pmc_lbfgs_state *st);
pmc_status pmc_lbfgs_tell(pmc_lbfgs_state *st, double f, int *done);
const pmc_lbfgs_result *pmc_lbfgs_outcome(const pmc_lbfgs_state *st);
void pmc_lbfgs_free(pmc_lbfgs_state **st);

/* The same for f(x) + sum_i l1[i] |x_i| (l1[i] >= 0; 0 leaves x_i unpenalised):
 * a proximal quasi-Newton method.  Each iteration minimises the model
 *     g'd + d'B d / 2 + sum_i l1[i] |x_i + d_i|,
 * B being the L-BFGS matrix of the last `history` pairs in compact form
 * (Byrd, Nocedal & Schnabel 1994; before the first pair B = c I, c the curvature
 * along -g measured by one extra evaluation), by cyclic coordinate descent over
 * the coordinates that are nonzero or violate their optimality condition (at
 * most 30 sweeps, O(history) per coordinate update), then
 * backtracks x + a d (a = 1, 1/2, ...) until the composite objective F decreases
 * by 1e-4 a (g'd + l1 change).  A failed backtracking clears the memory once.
 * It stops
 *   - when the minimum-norm subgradient of F has max_i |.| <= gtol (converged;
 *     for l1 = 0 this is L-BFGS's gradient test),
 *   - when (F_prev - F) <= ftol * max(|F_prev|, |F|, 1) and the step changed no
 *     x_i by more than 1e-12 max(max_i |x_i|, 1), or F was that flat 100
 *     iterations in a row (converged to rounding: near the optimum F is flat
 *     while the steps still reduce the subgradient, so flatness alone does
 *     not stop),
 *   - after max_iter iterations (checked after the tests above; max_iter = 0
 *     runs none, unlike pmc_lbfgs_minimize), or more than max_evals
 *     evaluations, or when no step decreases F (abnormal).
 * result->f is F and result->grad_max the subgradient measure. */
pmc_status pmc_lbfgs_minimize_l1(int64_t n, double *x, const double *l1, pmc_lbfgs_fn fg,
                                 void *arg, const pmc_lbfgs_options *options,
                                 const pmc_ctx *ctx, pmc_lbfgs_result *result);

/* max_i of |minimum-norm subgradient of f + sum l1[i] |x_i||_i at x, given the
 * gradient g of f: zero exactly at a minimiser.  l1 may be NULL (no L1 term). */
double pmc_lbfgs_subgradient_max(int64_t n, const double *x, const double *g, const double *l1);

#endif
