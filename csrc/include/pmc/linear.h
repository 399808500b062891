/* Linear models: least squares, ridge, lasso / elastic net, logistic regression.
 * Each estimator's parameter struct and table are declared in its section. */
#ifndef PMC_LINEAR_H
#define PMC_LINEAR_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Shared by every linear model (core/linear/linear_common.c).  Coefficients are
 * n_targets x n_features, row-major, double. */

/* Weighted means of X's columns (n_features) and of y's columns (n_targets) over
 * data->rows; *weight_sum receives the summed weight.  Negative weights are a
 * ValueError. */
pmc_status pmc_linear_means(const pmc_data *data, int64_t n_targets, pmc_ctx *ctx,
                            double *x_mean, double *y_mean, double *weight_sum);

/* Weighted, centred cross products over data->rows:
 *   gram = sum_i w_i (x_i - x_mean)(x_i - x_mean)^T    (n_features x n_features)
 *   xty  = sum_i w_i (x_i - x_mean)(y_i - y_mean)^T    (n_features x n_targets)
 *   yty  = sum_i w_i (y_i - y_mean)^2                  (n_targets), may be NULL
 * x_mean / y_mean NULL mean no centring.  Row chunks are fixed by the data size
 * and summed in order, so the result does not depend on ctx->n_threads. */
pmc_status pmc_linear_cross_products(const pmc_data *data, int64_t n_targets,
                                     const double *x_mean, const double *y_mean, pmc_ctx *ctx,
                                     double *gram, double *xty, double *yty);

/* out[r, t] = intercept[t] + sum_j X[r, j] coef[t, j] for the rows; out is
 * (n, n_targets), or 1-D when n_targets == 1.  intercept may be NULL. */
pmc_status pmc_linear_decision(const double *coef, const double *intercept, int64_t n_targets,
                               const pmc_matrix *X, pmc_rows rows, pmc_ctx *ctx, pmc_view *out);

/* out (n_features x k, row-major) = X[rows]^T u, u being (rows.n x k) row-major. */
pmc_status pmc_linear_transpose_dot(const pmc_matrix *X, pmc_rows rows, const double *u,
                                    int64_t k, pmc_ctx *ctx, double *out);

/* The fitted state every linear model has, and its export/import/predict. */
typedef struct {
    int64_t n_targets, n_features;
    double *coef;      /* n_targets x n_features */
    double *intercept; /* n_targets */
} pmc_linear_coefs;

pmc_status pmc_linear_coefs_alloc(pmc_linear_coefs *c, int64_t n_targets, int64_t n_features);
void pmc_linear_coefs_release(pmc_linear_coefs *c);
/* Exports "coef_" (n_targets x n_features) and "intercept_" (n_targets). */
pmc_status pmc_linear_coefs_export(const pmc_linear_coefs *c, pmc_arrays *out);
/* Copies "coef_" (2-D, or 1-D for one target) and "intercept_" after checking them. */
pmc_status pmc_linear_coefs_import(const pmc_arrays *in, pmc_linear_coefs *c);
/* Predict / decision_function output: 1-D for one target, X's float dtype. */
pmc_status pmc_linear_coefs_output_shape(const pmc_linear_coefs *c, pmc_dtype X_dtype,
                                         int64_t *n_cols, pmc_dtype *dtype);
/* X @ coef^T + intercept, after checking X's width. */
pmc_status pmc_linear_coefs_decision(const pmc_linear_coefs *c, const pmc_matrix *X,
                                     pmc_rows rows, pmc_ctx *ctx, pmc_view *out);

/* ---- LinearRegression, Ridge (core/linear/least_squares.c) ---- */

/* Ordinary least squares on sqrt(w)-scaled, centred data: min-norm solution with
 * singular values below tol * the largest treated as zero (scipy.linalg.lstsq's
 * `cond`), or non-negative least squares when `positive`. */
typedef struct {
    int fit_intercept;
    double tol;   /* >= 0: rank cutoff; also the iterative tolerance for very wide CSR */
    int positive;
} pmc_linear_regression_params;

/* Ridge's solver names, in scikit-learn's spelling (NULL-terminated); `solver`
 * indexes it.  What each maps to is documented in least_squares.c. */
extern const char *const pmc_ridge_solver_names[];

typedef struct {
    pmc_view alpha;    /* float64, 1 or n_targets values, each >= 0 */
    int fit_intercept;
    int64_t max_iter;  /* iterative solvers' cap; <= 0 means the solver's default */
    double tol;        /* iterative solvers: ||X^T W (y - Xw) - alpha w|| <= tol ||X^T W y|| */
    int solver;        /* index into pmc_ridge_solver_names */
    int positive;
} pmc_ridge_params;

/* Lawson-Hanson non-negative least squares: x = argmin ||M x - r||_2 subject to
 * x >= 0, M being q x p column-major with leading dimension ldm >= q.  At most
 * max_iter passive-set solves; *converged is 0 if that cap stopped it. */
pmc_status pmc_linear_nnls(const double *M, int64_t q, int64_t p, int64_t ldm, const double *r,
                           int64_t max_iter, double *x, int *converged);

/* Exported state: coef_ (n_targets x n_features), intercept_ (n_targets), and
 * where computed rank_ (1, int64) and singular_ (min(n, p)) of the centred,
 * weighted X; Ridge adds solver_ (1, int64: the pmc_ridge_solver_names index of
 * the solver used) and, for iterative solvers, n_iter_ (n_targets, int32). */
extern const pmc_estimator pmc_linear_regression_estimator;
extern const pmc_estimator pmc_ridge_estimator;

/* ---- Lasso, ElasticNet (core/linear/coordinate_descent.c) ---- */

/* Coordinate descent for
 *   1/(2n) sum_i sw_i (y_i - x_i w - b)^2 + alpha l1_ratio |w|_1 + alpha (1 - l1_ratio)/2 |w|^2
 * with scikit-learn's stopping rule (duality gap <= tol * sum_i sw_i (y_i - ybar)^2,
 * checked once the largest coordinate change is <= tol * max |w_j|), gap safe screening,
 * sample weights rescaled to sum to n, one independent fit per target column.
 * Lasso's table is the same solver with l1_ratio fixed to 1 (its schema lacks it). */
typedef enum {
    PMC_CD_AUTO = 0,    /* Gram route for tall dense X, residual route otherwise */
    PMC_CD_GRAM = 1,    /* iterate on the p x p Gram matrix (dense X; `gram` if given) */
    PMC_CD_RESIDUAL = 2 /* iterate on the residual over X's columns */
} pmc_cd_route;

typedef struct {
    double alpha;      /* >= 0 */
    double l1_ratio;   /* in [0, 1]; ignored (1) by the Lasso table */
    int fit_intercept;
    int precompute;    /* pmc_cd_route ("auto", "gram", "residual") */
    pmc_view gram;     /* user Gram matrix (n_features x n_features) or ndim 0 */
    int check_gram;    /* check one element of `gram` against X as scikit-learn does */
    int64_t max_iter;  /* >= 1 */
    double tol;        /* >= 0 */
    int positive;
    int selection;     /* 0 cyclic, 1 random (pmc_rng seeded from ctx->seed, stream = target) */
} pmc_elastic_net_params;

/* Exported state: coef_ (n_targets x n_features), intercept_, dual_gap_ (n_targets; all
 * three in X's dtype), n_iter_ (n_targets, int64), gram_recomputed (1, int64: a user
 * Gram was discarded because X had to be centred). */
extern const pmc_estimator pmc_elastic_net_estimator;
extern const pmc_estimator pmc_lasso_estimator;

/* ---- LogisticRegression (core/linear/logistic.c) ---- */

/* scikit-learn's solver names.  Whatever the name, a smooth problem (l1_ratio 0
 * or C infinite) is minimised by L-BFGS and an L1 / elastic-net one by proximal
 * quasi-Newton (coordinate descent on the L-BFGS quadratic model plus the L1
 * term, see core/common/lbfgs.h); the names only decide which penalties are
 * allowed and, for liblinear, that the intercept is penalised. */
typedef enum {
    PMC_LOGISTIC_LBFGS = 0,
    PMC_LOGISTIC_LIBLINEAR = 1,
    PMC_LOGISTIC_NEWTON_CG = 2,
    PMC_LOGISTIC_NEWTON_CHOLESKY = 3,
    PMC_LOGISTIC_SAG = 4,
    PMC_LOGISTIC_SAGA = 5
} pmc_logistic_solver;

/* y holds class indices in [0, n_classes) (int or float dtype); sample weights
 * (class weights folded in) are optional.  With S the summed weight, the fit
 * minimises over coef (k x p; k = 1 for two classes, else n_classes) and b (k):
 *     sum_i s_i loss_i / S + ((1 - l1_ratio) / 2 ||coef||^2 + l1_ratio ||coef||_1) / (C S)
 * loss_i being the binomial log-loss of sigmoid(z_i) (two classes, z_i scalar)
 * or the multinomial log-loss of softmax(z_i), z_i = coef x_i + b.  The
 * intercept is not penalised, except by liblinear, which penalises the weight
 * b / intercept_scaling of its synthetic feature like any other coefficient. */
typedef struct {
    double C;                 /* > 0; infinity: no penalty */
    double l1_ratio;          /* in [0, 1] */
    double tol;               /* >= 0: max |(sub)gradient| of the objective above */
    int64_t max_iter;         /* >= 0 */
    int fit_intercept;
    double intercept_scaling; /* > 0, used by liblinear only */
    int solver;               /* pmc_logistic_solver */
    int64_t n_classes;        /* >= 2 */
} pmc_logistic_regression_params;

/* The smooth part of the objective above (everything but the L1 term) and its
 * gradient at w = [coef (k x p, row-major), b (k) when fit_intercept], computed
 * in one pass over the rows with chunked, fixed-order sums (the same for any
 * ctx->n_threads).  The fit's own kernel, exposed for tests and drivers. */
pmc_status pmc_logistic_objective(const pmc_logistic_regression_params *params,
                                  const pmc_data *data, pmc_ctx *ctx, const double *w, double *f,
                                  double *grad);

extern const pmc_estimator pmc_logistic_regression_estimator;

#ifdef __cplusplus
}
#endif
#endif
