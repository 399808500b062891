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

/* ---- Lasso, ElasticNet (core/linear/coordinate_descent.c) ---- */

/* ---- LogisticRegression (core/linear/logistic.c) ---- */

#ifdef __cplusplus
}
#endif
#endif
