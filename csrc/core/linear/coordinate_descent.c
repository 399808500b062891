/* Lasso and ElasticNet: cyclic or random coordinate descent, the algorithm of
 * scikit-learn's _cd_fast.pyx (Friedman et al. 2010) with the same duality-gap
 * stopping rule and gap safe screening, so that n_iter_ and dual_gap_ mean what
 * they mean there.  One solver, two routes:
 *
 *   Gram route      the centred, weighted Gram matrix Q = Z^T S Z, q = Z^T S y and the
 *                   offsets come from pmc_linear_cross_products in one pass over X
 *                   (cd_centred_cross_products); every sweep is then O(p) per
 *                   coordinate, independent of n_samples.  Used for tall dense X of
 *                   moderate width (cd_auto_gram), precompute=True or a user Gram.
 *   residual route  the weighted residual R = S (y - Z w) is updated column by column:
 *                   dense columns are read in place through their strides (template
 *                   kernels for float32/float64 storage, sums in double), CSR input is
 *                   turned once into a CSC copy of its structure.  Centring is implicit
 *                   (Z = X - x_mean is never formed).
 *
 * Both work in scikit-learn's scaling (objective multiplied by n): l1 = alpha l1_ratio n,
 * l2 = alpha (1 - l1_ratio) n, weights rescaled to sum to n.  Targets (columns of a 2-D
 * y) are independent fits run in parallel; each owns its random stream, so results do
 * not depend on the thread count. */
#include <float.h>
#include <stdio.h>

#include "internal.h"
#include "pmc/linear.h"

/* ---- design access ------------------------------------------------------------ */

typedef struct {
    const pmc_view *X;
    const int64_t *index; /* rows of the fit, or NULL: the range [start, start + n) */
    int64_t start, n;
} cd_dense;

static inline int64_t cd_dense_row(const cd_dense *d, int64_t i) {
    return d->index ? d->index[i] : d->start + i;
}

/* Resolved from common/, where template.h includes it. */
#define PMC_TEMPLATE "../linear/coordinate_descent_impl.h"
#include "../common/template.h"

/* A CSC copy of the fit's rows of a CSR X: row positions 0..n-1, duplicates summed. */
typedef struct {
    int64_t *colptr; /* p + 1 */
    int32_t *row;
    double *val;
} cd_csc;

static void cd_csc_release(cd_csc *c) {
    free(c->colptr);
    free(c->row);
    free(c->val);
    memset(c, 0, sizeof *c);
}

static pmc_status cd_csc_build(const pmc_matrix *X, const pmc_rows *rows, cd_csc *c) {
    pmc_status status = PMC_OK;
    int64_t n = rows->n, p = X->n_cols, nnz = 0, *fill = NULL;
    memset(c, 0, sizeof *c);
    if (n > INT32_MAX)
        return pmc_fail(PMC_ERR_VALUE, "sparse X has more than 2^31 - 1 rows");
    PMC_ALLOC(c->colptr, p + 1, "CSC column pointers");
    PMC_ALLOC(fill, p + 1, "CSC column pointers");
    for (int64_t i = 0; i < n; i++) {
        int64_t r = pmc_row_at(rows, i);
        int64_t lo = pmc_get_index(&X->indptr, r), hi = pmc_get_index(&X->indptr, r + 1);
        for (int64_t q = lo; q < hi; q++) c->colptr[pmc_get_index(&X->indices, q) + 1]++;
        nnz += hi - lo;
    }
    for (int64_t j = 0; j < p; j++) c->colptr[j + 1] += c->colptr[j];
    PMC_ALLOC(c->row, nnz, "CSC row indices");
    PMC_ALLOC(c->val, nnz, "CSC values");
    memcpy(fill, c->colptr, (size_t)(p + 1) * sizeof(int64_t));
    int64_t merged = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = pmc_row_at(rows, i);
        int64_t lo = pmc_get_index(&X->indptr, r), hi = pmc_get_index(&X->indptr, r + 1);
        for (int64_t q = lo; q < hi; q++) {
            int64_t j = pmc_get_index(&X->indices, q), at = fill[j];
            double v = pmc_get(&X->data, q, 0);
            if (at > c->colptr[j] && c->row[at - 1] == (int32_t)i) { /* a duplicate entry */
                c->val[at - 1] += v;
                merged++;
            } else {
                c->row[at] = (int32_t)i;
                c->val[at] = v;
                fill[j] = at + 1;
            }
        }
    }
    if (merged) { /* close the gaps the merged duplicates left */
        int64_t dst = 0;
        for (int64_t j = 0; j < p; j++) {
            int64_t lo = c->colptr[j], len = fill[j] - lo;
            memmove(c->row + dst, c->row + lo, (size_t)len * sizeof(int32_t));
            memmove(c->val + dst, c->val + lo, (size_t)len * sizeof(double));
            c->colptr[j] = dst;
            dst += len;
        }
        c->colptr[p] = dst;
    }
    free(fill);
    return PMC_OK;
error:
    free(fill);
    cd_csc_release(c);
    return status;
}

enum { CD_DENSE_F32, CD_DENSE_F64, CD_SPARSE };

/* What the residual route reads: X (dense in place, or the CSC copy), the normalised
 * weights, the centre of every column and its weighted centred squared norm. */
typedef struct {
    int kind;
    cd_dense dense;
    const pmc_matrix *X;
    pmc_rows rows;
    cd_csc csc;
    int64_t n, p;
    const double *sw;     /* n, summing to n; NULL: no weights */
    const double *x_mean; /* p; NULL: no centring */
    double *norm2;        /* p: sum_i sw_i (x_ij - m_j)^2 */
} cd_design;

static inline double cd_mean(const cd_design *D, int64_t j) {
    return D->x_mean ? D->x_mean[j] : 0.0;
}

/* The weighted residual R_true = sw * (y_c - Z w) is held as R + shift * sw: for CSC,
 * the centring part of a column update (a constant times sw) is deferred into `shift`
 * so that an update costs O(nnz_j) instead of O(n).  Dense columns update R directly
 * (shift stays 0).  R_sum is sum(R_true) at the last refresh; it does not change under
 * updates, since sum_i sw_i (x_ij - m_j) = 0. */
typedef struct {
    const cd_design *D;
    double *R;
    double shift, R_sum;
} cd_resid;

/* Z_j^T R_true */
static double cd_zdot(const cd_resid *S, int64_t j) {
    const cd_design *D = S->D;
    double m = cd_mean(D, j);
    if (D->kind == CD_DENSE_F32) return cd_dense_dot_f32(&D->dense, j, m, S->R);
    if (D->kind == CD_DENSE_F64) return cd_dense_dot_f64(&D->dense, j, m, S->R);
    const cd_csc *c = &D->csc;
    double acc = 0.0;
    for (int64_t q = c->colptr[j]; q < c->colptr[j + 1]; q++) acc += c->val[q] * S->R[c->row[q]];
    /* sum_i x_ij sw_i = n m_j when centring; shift is 0 otherwise */
    return acc + S->shift * (double)D->n * m - m * S->R_sum;
}

/* R_true -= d sw Z_j */
static void cd_zupdate(cd_resid *S, int64_t j, double d) {
    const cd_design *D = S->D;
    double m = cd_mean(D, j);
    if (D->kind == CD_DENSE_F32) {
        cd_dense_axpy_f32(&D->dense, j, m, -d, D->sw, S->R);
    } else if (D->kind == CD_DENSE_F64) {
        cd_dense_axpy_f64(&D->dense, j, m, -d, D->sw, S->R);
    } else {
        const cd_csc *c = &D->csc;
        for (int64_t q = c->colptr[j]; q < c->colptr[j + 1]; q++) {
            int32_t i = c->row[q];
            S->R[i] -= d * (D->sw ? D->sw[i] : 1.0) * c->val[q];
        }
        S->shift += d * m;
    }
}

/* Folds the deferred shift into R and refreshes R_sum. */
static void cd_refresh(cd_resid *S) {
    const cd_design *D = S->D;
    double sum = 0.0;
    for (int64_t i = 0; i < D->n; i++) {
        S->R[i] += S->shift * (D->sw ? D->sw[i] : 1.0);
        sum += S->R[i];
    }
    S->shift = 0.0;
    S->R_sum = sum;
}

/* ---- the solver shared by both routes ---------------------------------------------- */

typedef struct {
    double l1, l2;    /* alpha l1_ratio n, alpha (1 - l1_ratio) n */
    double tol;       /* as given: the coordinate-change test */
    int64_t max_iter;
    int positive, random;
} cd_opts;

typedef struct {
    int64_t n_iter;
    double gap, tol; /* in the solver's scaling (n times the objective's) */
    int converged;
} cd_result;

/* Duality gap of scikit-learn's gap_enet: on entry XtA = Z^T R_true; on exit, when
 * l1 > 0, XtA = Z^T R_true - l2 w.  Formulation A for l1 > 0, B for a pure ridge
 * penalty, the squared gradient norm for least squares. */
static double cd_gap(int64_t p, const double *w, const cd_opts *o, double R_norm2, double Ry,
                     double *XtA, double *dual_norm) {
    double w_l2 = 0.0, w_l1 = 0.0;
    if (o->l2 > 0)
        for (int64_t j = 0; j < p; j++) w_l2 += w[j] * w[j];
    if (o->l1 == 0) {
        double s = 0.0;
        for (int64_t j = 0; j < p; j++) s += XtA[j] * XtA[j];
        *dual_norm = s;
        if (o->l2 == 0) return s;
        return R_norm2 + 0.5 * o->l2 * w_l2 - Ry + s / (2.0 * o->l2);
    }
    for (int64_t j = 0; j < p; j++) XtA[j] -= o->l2 * w[j];
    double dn = o->positive ? XtA[0] : fabs(XtA[0]);
    for (int64_t j = 1; j < p; j++) dn = PMC_MAX(dn, o->positive ? XtA[j] : fabs(XtA[j]));
    for (int64_t j = 0; j < p; j++) w_l1 += fabs(w[j]);
    *dual_norm = dn;
    double primal = 0.5 * (R_norm2 + o->l2 * w_l2) + o->l1 * w_l1;
    double scale = dn > o->l1 ? o->l1 / dn : 1.0;
    double dual = -0.5 * scale * scale * (R_norm2 + o->l2 * w_l2) + scale * Ry;
    return primal - dual;
}

/* Gap safe screening (Ndiaye et al. 2017, eq. 11): features whose coefficient is
 * provably zero at the optimum leave the active set.  excluded[j]: 0 active, 1 out,
 * 2 newly out with a zero column, 3 newly screened out (the caller zeroes w_j and
 * removes its contribution, then sets 1). */
static int64_t cd_screen(int64_t p, const double *XtA, double dual_norm, double gap,
                         const cd_opts *o, const double *diag, int first,
                         unsigned char *excluded, int64_t *active) {
    double radius = sqrt(2.0 * fabs(gap)) / o->l1, scale = PMC_MAX(o->l1, dual_norm);
    int64_t n_active = 0;
    for (int64_t j = 0; j < p; j++) {
        if (first && diag[j] == 0) {
            excluded[j] = 2;
            continue;
        }
        if (!first && excluded[j]) continue;
        double d_j = (1.0 - fabs(XtA[j] / scale)) / sqrt(diag[j] + o->l2);
        if (d_j <= radius) {
            active[n_active++] = j;
            excluded[j] = 0;
        } else {
            excluded[j] = 3;
        }
    }
    return n_active;
}

/* One coordinate update (soft thresholding); returns the new w_j. */
static inline double cd_threshold(double tmp, double diag, const cd_opts *o) {
    if (o->positive && tmp < 0) return 0.0;
    double mag = fabs(tmp) - o->l1;
    if (mag <= 0) return 0.0;
    return (tmp > 0 ? mag : -mag) / (diag + o->l2);
}

/* ---- residual route ---------------------------------------------------------------- */

/* Gap for the current residual; XtA receives Z^T R - l2 w. */
static pmc_status cd_residual_gap(cd_resid *S, const double *w, const double *yc,
                                  const cd_opts *o, pmc_ctx *ctx, double *XtA, double *gap,
                                  double *dual_norm) {
    const cd_design *D = S->D;
    int64_t n = D->n, p = D->p;
    if (D->kind == CD_SPARSE) cd_refresh(S);
    double R_norm2 = 0.0, Ry = 0.0, R_sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double r = S->R[i];
        if (!D->sw) R_norm2 += r * r;
        else if (D->sw[i] != 0) R_norm2 += r * r / D->sw[i]; /* R carries one factor sw */
        Ry += r * yc[i];
        R_sum += r;
    }
    if (D->kind == CD_SPARSE) {
        const cd_csc *c = &D->csc;
        for (int64_t j = 0; j < p; j++) {
            double acc = 0.0;
            for (int64_t q = c->colptr[j]; q < c->colptr[j + 1]; q++)
                acc += c->val[q] * S->R[c->row[q]];
            XtA[j] = acc - cd_mean(D, j) * R_sum;
        }
    } else {
        pmc_status status = pmc_linear_transpose_dot(D->X, D->rows, S->R, 1, ctx, XtA);
        if (status != PMC_OK) return status;
        for (int64_t j = 0; j < p; j++) XtA[j] -= cd_mean(D, j) * R_sum;
    }
    *gap = cd_gap(p, w, o, R_norm2, Ry, XtA, dual_norm);
    return PMC_OK;
}

/* Applies a screening pass's verdicts: coefficients of dropped features go to zero. */
static void cd_residual_drop(cd_resid *S, double *w, unsigned char *excluded) {
    for (int64_t j = 0; j < S->D->p; j++) {
        if (excluded[j] == 3 && w[j] != 0) cd_zupdate(S, j, -w[j]);
        if (excluded[j] >= 2) {
            w[j] = 0.0;
            excluded[j] = 1;
        }
    }
}

static pmc_status cd_solve_residual(const cd_design *D, const double *yc, double *w,
                                    const cd_opts *o, pmc_rng *rng, pmc_ctx *ctx,
                                    cd_result *res) {
    pmc_status status = PMC_OK;
    int64_t n = D->n, p = D->p, n_active = p, *active = NULL;
    double *R = NULL, *XtA = NULL, gap = 0.0, dual_norm = 0.0;
    unsigned char *excluded = NULL;
    int screening = o->l1 > 0;
    PMC_ALLOC(R, n, "residual");
    PMC_ALLOC(XtA, p, "X^T R");
    PMC_ALLOC(active, p, "active set");
    PMC_ALLOC(excluded, p, "active set");
    cd_resid S = {D, R, 0.0, 0.0};
    double y2 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double s = D->sw ? D->sw[i] : 1.0;
        R[i] = s * yc[i];
        y2 += R[i] * yc[i];
    }
    cd_refresh(&S);
    for (int64_t j = 0; j < p; j++)
        if (w[j] != 0) cd_zupdate(&S, j, w[j]); /* warm start: R = S (y - Z w) */
    double tol = o->tol * y2;
    res->tol = tol;
    res->converged = 0;
    for (int64_t j = 0; j < p; j++) active[j] = j;

    PMC_TRY(cd_residual_gap(&S, w, yc, o, ctx, XtA, &gap, &dual_norm));
    if (gap <= tol) {
        res->converged = 1;
        res->n_iter = 0;
        goto done;
    }
    if (screening) {
        n_active = cd_screen(p, XtA, dual_norm, gap, o, D->norm2, 1, excluded, active);
        cd_residual_drop(&S, w, excluded);
    }
    int64_t it;
    for (it = 0; it < o->max_iter; it++) {
        PMC_TRY(pmc_check_interrupt(ctx));
        double w_max = 0.0, d_w_max = 0.0;
        for (int64_t f = 0; f < n_active; f++) {
            int64_t j = active[o->random ? (int64_t)pmc_rng_below(rng, (uint64_t)n_active) : f];
            if (D->norm2[j] == 0.0) continue;
            double w_j = w[j];
            double tmp = cd_zdot(&S, j) + w_j * D->norm2[j];
            w[j] = cd_threshold(tmp, D->norm2[j], o);
            if (w[j] != w_j) cd_zupdate(&S, j, w[j] - w_j);
            d_w_max = PMC_MAX(d_w_max, fabs(w[j] - w_j));
            w_max = PMC_MAX(w_max, fabs(w[j]));
        }
        if (w_max == 0.0 || d_w_max / w_max <= o->tol || it == o->max_iter - 1) {
            PMC_TRY(cd_residual_gap(&S, w, yc, o, ctx, XtA, &gap, &dual_norm));
            if (gap <= tol) {
                res->converged = 1;
                break;
            }
            if (screening) {
                n_active = cd_screen(p, XtA, dual_norm, gap, o, D->norm2, 0, excluded, active);
                cd_residual_drop(&S, w, excluded);
            }
        }
    }
    res->n_iter = res->converged ? it + 1 : o->max_iter;
done:
    res->gap = gap;
error:
    free(R);
    free(XtA);
    free(active);
    free(excluded);
    return status;
}

/* ---- Gram route -------------------------------------------------------------------- */

/* Gap from Q w, q and ||y||^2 alone (scikit-learn's gap_enet_gram). */
static double cd_gram_gap(int64_t p, const double *w, const double *Qw, const double *q,
                          double y_norm2, const cd_opts *o, double *XtA, double *dual_norm) {
    double qw = 0.0, wQw = 0.0;
    for (int64_t j = 0; j < p; j++) {
        qw += w[j] * q[j];
        wQw += w[j] * Qw[j];
        XtA[j] = q[j] - Qw[j];
    }
    return cd_gap(p, w, o, y_norm2 + wQw - 2.0 * qw, y_norm2 - qw, XtA, dual_norm);
}

static void cd_gram_drop(const double *Q, int64_t p, double *Qw, double *w,
                         unsigned char *excluded) {
    for (int64_t j = 0; j < p; j++) {
        if (excluded[j] == 3 && w[j] != 0)
            for (int64_t l = 0; l < p; l++) Qw[l] -= w[j] * Q[j * p + l];
        if (excluded[j] >= 2) {
            w[j] = 0.0;
            excluded[j] = 1;
        }
    }
}

/* Q: p x p row-major; q: p; y_norm2 = ||y||^2 in the same (weighted, centred) terms. */
static pmc_status cd_solve_gram(const double *Q, int64_t p, const double *q, double y_norm2,
                                double *w, const cd_opts *o, pmc_rng *rng, const pmc_ctx *ctx,
                                cd_result *res) {
    pmc_status status = PMC_OK;
    int64_t n_active = p, *active = NULL;
    double *Qw = NULL, *XtA = NULL, *diag = NULL, gap = 0.0, dual_norm = 0.0;
    unsigned char *excluded = NULL;
    int screening = o->l1 > 0;
    PMC_ALLOC(Qw, p, "Q w");
    PMC_ALLOC(XtA, p, "X^T R");
    PMC_ALLOC(diag, p, "Gram diagonal");
    PMC_ALLOC(active, p, "active set");
    PMC_ALLOC(excluded, p, "active set");
    for (int64_t j = 0; j < p; j++) {
        diag[j] = Q[j * p + j];
        active[j] = j;
        if (w[j] != 0)
            for (int64_t l = 0; l < p; l++) Qw[l] += w[j] * Q[j * p + l];
    }
    double tol = o->tol * y_norm2;
    res->tol = tol;
    res->converged = 0;
    gap = cd_gram_gap(p, w, Qw, q, y_norm2, o, XtA, &dual_norm);
    if (0 <= gap && gap <= tol) { /* a singular Q can make the gap dubiously negative */
        res->converged = 1;
        res->n_iter = 0;
        goto done;
    }
    if (screening) {
        n_active = cd_screen(p, XtA, dual_norm, gap, o, diag, 1, excluded, active);
        cd_gram_drop(Q, p, Qw, w, excluded);
    }
    int64_t it;
    for (it = 0; it < o->max_iter; it++) {
        PMC_TRY(pmc_check_interrupt(ctx));
        double w_max = 0.0, d_w_max = 0.0;
        for (int64_t f = 0; f < n_active; f++) {
            int64_t j = active[o->random ? (int64_t)pmc_rng_below(rng, (uint64_t)n_active) : f];
            if (diag[j] == 0.0) continue;
            double w_j = w[j];
            double tmp = q[j] - Qw[j] + w_j * diag[j];
            w[j] = cd_threshold(tmp, diag[j], o);
            if (w[j] != w_j) {
                double d = w[j] - w_j;
                const double *Qj = Q + j * p;
                for (int64_t l = 0; l < p; l++) Qw[l] += d * Qj[l];
            }
            d_w_max = PMC_MAX(d_w_max, fabs(w[j] - w_j));
            w_max = PMC_MAX(w_max, fabs(w[j]));
        }
        if (w_max == 0.0 || d_w_max / w_max <= o->tol || it == o->max_iter - 1) {
            gap = cd_gram_gap(p, w, Qw, q, y_norm2, o, XtA, &dual_norm);
            if (gap <= tol) {
                res->converged = 1;
                break;
            }
            if (screening) {
                n_active = cd_screen(p, XtA, dual_norm, gap, o, diag, 0, excluded, active);
                cd_gram_drop(Q, p, Qw, w, excluded);
            }
        }
    }
    res->n_iter = res->converged ? it + 1 : o->max_iter;
done:
    res->gap = gap;
error:
    free(Qw);
    free(XtA);
    free(diag);
    free(active);
    free(excluded);
    return status;
}

/* ---- the model -------------------------------------------------------------------- */

struct pmc_model {
    pmc_linear_coefs c;      /* double: what predict and warm starts read */
    pmc_dtype dtype;         /* X's: the dtype of the exported coef_, intercept_, dual_gap_ */
    double *dual_gap;        /* n_targets */
    int64_t *n_iter;         /* n_targets */
    int64_t gram_recomputed; /* 1: a user Gram matrix was replaced (X needed centring) */
    float *f32;              /* float32 coef_ | intercept_ | dual_gap_ when dtype is float32 */
};

static void cd_model_free(pmc_model **m) {
    if (!*m) return;
    pmc_linear_coefs_release(&(*m)->c);
    free((*m)->dual_gap);
    free((*m)->n_iter);
    free((*m)->f32);
    free(*m);
    *m = NULL;
}

/* Allocates what is not the coefficients (they are allocated by the caller). */
static pmc_status cd_model_extras(pmc_model *m) {
    pmc_status status = PMC_OK;
    int64_t k = m->c.n_targets, p = m->c.n_features;
    PMC_ALLOC(m->dual_gap, k, "dual_gap_");
    PMC_ALLOC(m->n_iter, k, "n_iter_");
    if (m->dtype == PMC_FLOAT32) PMC_ALLOC(m->f32, k * p + 2 * k, "float32 coef_");
error:
    return status;
}

/* Fills the float32 copies of the exported arrays. */
static void cd_model_round(pmc_model *m) {
    if (!m->f32) return;
    int64_t k = m->c.n_targets, p = m->c.n_features;
    for (int64_t i = 0; i < k * p; i++) m->f32[i] = (float)m->c.coef[i];
    for (int64_t t = 0; t < k; t++) {
        m->f32[k * p + t] = (float)m->c.intercept[t];
        m->f32[k * p + k + t] = (float)m->dual_gap[t];
    }
}

/* ---- fit ---------------------------------------------------------------------------- */

typedef struct {
    const cd_opts *o;
    int64_t p, k;
    double *coef;  /* k x p: initial values in, solution out */
    cd_result *res;
    const pmc_ctx *ctx;
    int inner_threads;
    /* Gram route */
    const double *Q, *q, *yy; /* p x p, p x k, k */
    /* residual route */
    const cd_design *D;
    const pmc_data *data;
    const double *y_mean;
} cd_job;

static pmc_status cd_target(int64_t t, int thread, void *arg) {
    cd_job *job = arg;
    pmc_rng rng;
    pmc_rng_seed(&rng, job->ctx->seed, (uint64_t)t);
    pmc_ctx ctx = *job->ctx;
    ctx.n_threads = job->inner_threads;
    double *w = job->coef + t * job->p;
    if (job->Q) {
        double *q = malloc((size_t)job->p * sizeof(double));
        if (!q) return pmc_fail(PMC_ERR_MEMORY, "could not allocate X^T y");
        for (int64_t j = 0; j < job->p; j++) q[j] = job->q[j * job->k + t];
        pmc_status s = cd_solve_gram(job->Q, job->p, q, job->yy[t], w, job->o, &rng, &ctx,
                                     &job->res[t]);
        free(q);
        return s;
    }
    const cd_design *D = job->D;
    double *yc = malloc((size_t)PMC_MAX(D->n, 1) * sizeof(double));
    if (!yc) return pmc_fail(PMC_ERR_MEMORY, "could not allocate the centred target");
    for (int64_t i = 0; i < D->n; i++)
        yc[i] = pmc_get(&job->data->y, pmc_row_at(&job->data->rows, i), t) - job->y_mean[t];
    pmc_status s = cd_solve_residual(D, yc, w, job->o, &rng, &ctx, &job->res[t]);
    free(yc);
    return s;
}

/* Python's str() of a float: the shortest form that reads back the same. */
static void cd_shortest(char *buf, size_t size, double v, int single) {
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        double back = strtod(buf, NULL);
        if (single ? (float)back == (float)v : back == v) break;
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e') && !strchr(buf, 'n') && !strchr(buf, 'i'))
        strncat(buf, ".0", size - strlen(buf) - 1);
}

/* scikit-learn's _check_precomputed_gram_matrix: one element of the user's Gram
 * against the (centred, weighted) X it should come from. */
static pmc_status cd_check_gram(const cd_design *D, const pmc_view *gram, int single) {
    pmc_status status = PMC_OK;
    int64_t p = D->p, f1 = p / 2, f2 = PMC_MIN(f1 + 1, p - 1);
    double *v = NULL;
    PMC_ALLOC(v, D->n, "Gram check");
    double expected;
    if (D->kind == CD_DENSE_F32) {
        cd_dense_axpy_f32(&D->dense, f2, cd_mean(D, f2), 1.0, D->sw, v);
        expected = cd_dense_dot_f32(&D->dense, f1, cd_mean(D, f1), v);
    } else {
        cd_dense_axpy_f64(&D->dense, f2, cd_mean(D, f2), 1.0, D->sw, v);
        expected = cd_dense_dot_f64(&D->dense, f1, cd_mean(D, f1), v);
    }
    double actual = pmc_get(gram, f1, f2);
    double rtol = (single || gram->dtype == PMC_FLOAT32) ? 1e-4 : 1e-7;
    if (!(fabs(expected - actual) <= 1e-5 + rtol * fabs(actual))) {
        char e[40], a[40];
        cd_shortest(e, sizeof e, expected, single);
        cd_shortest(a, sizeof a, actual, gram->dtype == PMC_FLOAT32);
        status = pmc_fail(PMC_ERR_VALUE,
                          "Gram matrix passed in via 'precompute' parameter did not pass "
                          "validation when a single element was checked - please check that "
                          "it was computed properly. For element (%lld,%lld) we computed %s "
                          "but the user-supplied value was %s.",
                          (long long)f1, (long long)f2, e, a);
    }
error:
    free(v);
    return status;
}

/* The automatic route, from costs measured on one core: the Gram matrix takes
 * n p^2 / 2 BLAS-3 multiply-adds (~3e-11 s each, and it parallelises well), after
 * which sweeps no longer touch X; the residual route takes a few memory-bound passes
 * over the columns per sweep, ~4.5e-9 s per element of X when columns are contiguous
 * and 3-6 times that when they are strided (each element a cache line).  So the
 * break-even width is ~160 per core for Fortran-ordered X and several times that
 * otherwise; the limits below assume two cores.  Both routes make the same coordinate
 * updates; the choice depends on the data's shape and layout only, never on the
 * thread count, so results stay bit-identical for any n_threads. */
static int cd_auto_gram(const pmc_matrix *X, const pmc_rows *rows, int64_t n, int64_t p) {
    if (X->is_sparse || n <= p) return 0;
    int columns = !rows->index && X->dense.strides[0] == (int64_t)pmc_dtype_size(X->dense.dtype);
    return p <= (columns ? 256 : 800);
}

/* Sum of the fit's sample weights, checked. */
static pmc_status cd_weight_sum(const pmc_data *data, double *sum_w) {
    double sum = 0.0;
    for (int64_t i = 0; i < data->rows.n; i++) {
        double wi = pmc_get(&data->weight, pmc_row_at(&data->rows, i), 0);
        if (!(wi >= 0.0) || !isfinite(wi))
            return pmc_fail(PMC_ERR_VALUE, "sample_weight must be non-negative and finite");
        sum += wi;
    }
    if (!(sum > 0.0)) return pmc_fail(PMC_ERR_VALUE, "sample_weight sums to zero: nothing to fit");
    *sum_w = sum;
    return PMC_OK;
}

/* The centred Gram matrix, X^T y, y^T y, the offsets and the weight sum in one pass
 * over X.  The cross products are taken about the first row (x0, y0), with a column
 * of ones appended to y so that the same pass yields the shifted sums
 * sum_i w_i (x_i - x0) and sum_i w_i; centring is then the rank-one correction
 *     sum w (x - m)(x - m)^T = sum w (x - x0)(x - x0)^T - W d d^T,   d = m - x0.
 * A shift by a data point keeps d of the order of the spread of the data; should the
 * correction still cancel more than four digits (a far outlying first row), a second
 * pass centres exactly, with the offsets now known. */
static pmc_status cd_centred_cross_products(const pmc_data *data, int64_t k, pmc_ctx *ctx,
                                            double *Q, double *q, double *yy, double *x_mean,
                                            double *y_mean, double *sum_w) {
    pmc_status status = PMC_OK;
    const pmc_matrix *X = &data->X;
    int64_t p = X->n_cols, n = data->rows.n, k1 = k + 1;
    double *x0 = NULL, *y0 = NULL, *yaug = NULL, *xty = NULL, *yty = NULL;
    PMC_ALLOC(x0, p, "shift");
    PMC_ALLOC(y0, k1, "shift");
    PMC_ALLOC(yaug, X->n_rows * k1, "y with a column of ones");
    PMC_ALLOC(xty, p * k1, "X^T y");
    PMC_ALLOC(yty, k1, "y^T y");
    pmc_gather_rows(X, &data->rows, 0, 1, x0);
    int64_t r0 = pmc_row_at(&data->rows, 0);
    for (int64_t t = 0; t < k; t++) y0[t] = pmc_get(&data->y, r0, t);
    for (int64_t i = 0; i < n; i++) {
        int64_t r = pmc_row_at(&data->rows, i);
        for (int64_t t = 0; t < k; t++) yaug[r * k1 + t] = pmc_get(&data->y, r, t);
        yaug[r * k1 + k] = 1.0;
    }
    pmc_data aug = *data;
    aug.y = pmc_view_2d(yaug, PMC_FLOAT64, X->n_rows, k1);
    PMC_TRY(pmc_linear_cross_products(&aug, k1, x0, y0, ctx, Q, xty, yty));
    double W = yty[k];
    if (!(W > 0.0)) {
        status = pmc_fail(PMC_ERR_VALUE, "sample_weight sums to zero: nothing to fit");
        goto error;
    }
    int exact = 1;
    for (int64_t j = 0; j < p; j++) {
        double d = xty[j * k1 + k] / W, g = Q[j * p + j];
        x_mean[j] = x0[j] + d;
        if (g > 1e4 * (g - W * d * d)) exact = 0;
    }
    for (int64_t t = 0; t < k; t++) {
        double sy = 0.0;
        for (int64_t i = 0; i < n; i++) {
            int64_t r = pmc_row_at(&data->rows, i);
            sy += pmc_weight(&data->weight, r) * (yaug[r * k1 + t] - y0[t]);
        }
        double dy = sy / W;
        y_mean[t] = y0[t] + dy;
        yy[t] = yty[t] - W * dy * dy;
        if (yty[t] > 1e4 * yy[t]) exact = 0;
        for (int64_t j = 0; j < p; j++)
            q[j * k + t] = xty[j * k1 + t] - W * (xty[j * k1 + k] / W) * dy;
    }
    if (exact) {
        for (int64_t a = 0; a < p; a++) {
            double da = xty[a * k1 + k] / W;
            for (int64_t b = 0; b < p; b++) Q[a * p + b] -= W * da * (xty[b * k1 + k] / W);
        }
    } else {
        PMC_TRY(pmc_linear_cross_products(data, k, x_mean, y_mean, ctx, Q, q, yy));
    }
    *sum_w = W;
error:
    free(x0);
    free(y0);
    free(yaug);
    free(xty);
    free(yty);
    return status;
}

static const char cd_non_finite[] =
    "Coordinate descent iterations resulted in non-finite parameter values. The input data "
    "may contain large values and need to be preprocessed.";

static pmc_status enet_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                           pmc_ctx *ctx, pmc_model **out) {
    const pmc_elastic_net_params *prm = params_;
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    cd_result *res = NULL;
    double *x_mean = NULL, *y_mean = NULL, *sw = NULL, *Q = NULL, *q = NULL, *yy = NULL;
    double *u = NULL;
    cd_design D;
    memset(&D, 0, sizeof D);
    const pmc_matrix *X = &data->X;
    int64_t n = data->rows.n, p = X->n_cols;

    if (!(prm->alpha >= 0) || !isfinite(prm->alpha))
        return pmc_fail(PMC_ERR_VALUE, "alpha must be a non-negative finite number, got %g",
                        prm->alpha);
    if (!(prm->l1_ratio >= 0 && prm->l1_ratio <= 1))
        return pmc_fail(PMC_ERR_VALUE, "l1_ratio must be in [0, 1], got %g", prm->l1_ratio);
    if (!(prm->tol >= 0))
        return pmc_fail(PMC_ERR_VALUE, "tol must be non-negative, got %g", prm->tol);
    if (prm->max_iter < 1)
        return pmc_fail(PMC_ERR_VALUE, "max_iter must be at least 1, got %lld",
                        (long long)prm->max_iter);
    if (prm->precompute < PMC_CD_AUTO || prm->precompute > PMC_CD_RESIDUAL)
        return pmc_fail(PMC_ERR_VALUE, "precompute must be auto, gram or residual");
    if (n < 1) return pmc_fail(PMC_ERR_VALUE, "X has no samples: nothing to fit");
    if (p < 1) return pmc_fail(PMC_ERR_VALUE, "X has no features: nothing to fit");
    if (data->y.ndim != 1 && data->y.ndim != 2)
        return pmc_fail(PMC_ERR_VALUE, "y is missing");
    PMC_TRY(pmc_view_check(&data->y, "y", 0, -1, X->n_rows, -1));
    int64_t k = data->y.ndim == 2 ? data->y.shape[1] : 1;
    if (k < 1) return pmc_fail(PMC_ERR_VALUE, "y has no target columns");
    if (data->weight.ndim != 0)
        PMC_TRY(pmc_view_check(&data->weight, "sample_weight", 1, 1, X->n_rows, -1));
    if (init && (init->c.n_features != p || init->c.n_targets != k))
        return pmc_fail(PMC_ERR_VALUE,
                        "warm start: coef_ has shape (%lld, %lld), expected (%lld, %lld)",
                        (long long)init->c.n_targets, (long long)init->c.n_features,
                        (long long)k, (long long)p);

    PMC_ALLOC(m, 1, "ElasticNet");
    PMC_TRY(pmc_linear_coefs_alloc(&m->c, k, p));
    m->dtype = pmc_matrix_dtype(X);
    PMC_TRY(cd_model_extras(m));
    PMC_ALLOC(res, k, "ElasticNet results");
    PMC_ALLOC(x_mean, p, "X offset");
    PMC_ALLOC(y_mean, k, "y offset");
    if (init) memcpy(m->c.coef, init->c.coef, (size_t)(k * p) * sizeof(double));

    /* Route: sparse X always iterates on the residual (scikit-learn ignores precompute
     * for sparse input); a user Gram is used unless X needed centring. */
    int gram_given = !X->is_sparse && prm->gram.ndim != 0, user_gram = 0;
    int route = prm->precompute;
    if (X->is_sparse) route = PMC_CD_RESIDUAL;
    else if (gram_given) route = PMC_CD_GRAM;
    else if (route == PMC_CD_AUTO)
        route = cd_auto_gram(X, &data->rows, n, p) ? PMC_CD_GRAM : PMC_CD_RESIDUAL;
    if (gram_given) PMC_TRY(pmc_view_check(&prm->gram, "precompute", 1, 2, p, p));

    /* Offsets and the weight sum (weights are rescaled to sum to n).  The computed
     * Gram route gets both from its own pass over X. */
    double sum_w = (double)n;
    int one_pass = route == PMC_CD_GRAM && !gram_given;
    if (one_pass || !prm->fit_intercept) {
        if (data->weight.ndim != 0 && !(one_pass && prm->fit_intercept))
            PMC_TRY(cd_weight_sum(data, &sum_w));
    } else {
        PMC_TRY(pmc_linear_means(data, k, ctx, x_mean, y_mean, &sum_w));
    }
    if (gram_given) {
        int centred = 1;
        for (int64_t j = 0; prm->fit_intercept && j < p; j++)
            if (!(fabs(x_mean[j]) <= 1e-8)) centred = 0;
        if (centred) {
            user_gram = 1;
        } else { /* scikit-learn falls back to precompute='auto' */
            m->gram_recomputed = 1;
            route = cd_auto_gram(X, &data->rows, n, p) ? PMC_CD_GRAM : PMC_CD_RESIDUAL;
        }
    }

    PMC_ALLOC(Q, route == PMC_CD_GRAM ? p * p : 1, "Gram matrix");
    PMC_ALLOC(q, route == PMC_CD_GRAM ? p * k : 1, "X^T y");
    PMC_ALLOC(yy, k, "y^T y");
    if (one_pass && prm->fit_intercept)
        PMC_TRY(cd_centred_cross_products(data, k, ctx, Q, q, yy, x_mean, y_mean, &sum_w));
    else if (route == PMC_CD_GRAM && !user_gram)
        PMC_TRY(pmc_linear_cross_products(data, k, prm->fit_intercept ? x_mean : NULL,
                                          prm->fit_intercept ? y_mean : NULL, ctx, Q, q, yy));

    double scale = (double)n / sum_w;
    int weighted = data->weight.ndim != 0;
    if (weighted) {
        PMC_ALLOC(sw, n, "normalised sample_weight");
        for (int64_t i = 0; i < n; i++)
            sw[i] = pmc_get(&data->weight, pmc_row_at(&data->rows, i), 0) * scale;
    }

    D.X = X;
    D.rows = data->rows;
    D.n = n;
    D.p = p;
    D.sw = sw;
    D.x_mean = prm->fit_intercept ? x_mean : NULL;
    D.dense.X = &X->dense;
    D.dense.index = data->rows.index;
    D.dense.start = data->rows.start;
    D.dense.n = n;
    D.kind = X->is_sparse ? CD_SPARSE : (X->dense.dtype == PMC_FLOAT32 ? CD_DENSE_F32
                                                                      : CD_DENSE_F64);
    if (user_gram && prm->check_gram)
        PMC_TRY(cd_check_gram(&D, &prm->gram, D.kind == CD_DENSE_F32));

    cd_opts o = {prm->alpha * prm->l1_ratio * (double)n,
                 prm->alpha * (1.0 - prm->l1_ratio) * (double)n,
                 prm->tol,
                 prm->max_iter,
                 prm->positive,
                 prm->selection == 1};
    cd_job job;
    memset(&job, 0, sizeof job);
    job.o = &o;
    job.p = p;
    job.k = k;
    job.coef = m->c.coef;
    job.res = res;
    job.ctx = ctx;
    int target_threads = (int)PMC_MIN((int64_t)ctx->n_threads, k);
    job.inner_threads = target_threads > 1 ? 1 : ctx->n_threads;

    if (route == PMC_CD_GRAM) {
        if (user_gram) {
            for (int64_t a = 0; a < p; a++)
                for (int64_t b = 0; b < p; b++) Q[a * p + b] = pmc_get(&prm->gram, a, b);
            /* q = Z^T S y_c, yy = y_c^T S y_c */
            PMC_ALLOC(u, n * k, "weighted target");
            for (int64_t i = 0; i < n; i++) {
                int64_t r = pmc_row_at(&data->rows, i);
                double s = sw ? sw[i] : 1.0;
                for (int64_t t = 0; t < k; t++) {
                    double yc = pmc_get(&data->y, r, t) - y_mean[t];
                    u[i * k + t] = s * yc;
                    yy[t] += s * yc * yc;
                }
            }
            PMC_TRY(pmc_linear_transpose_dot(X, data->rows, u, k, ctx, q));
            if (prm->fit_intercept)
                for (int64_t t = 0; t < k; t++) {
                    double su = 0.0;
                    for (int64_t i = 0; i < n; i++) su += u[i * k + t];
                    for (int64_t j = 0; j < p; j++) q[j * k + t] -= x_mean[j] * su;
                }
        } else if (weighted) {
            for (int64_t i = 0; i < p * p; i++) Q[i] *= scale;
            for (int64_t i = 0; i < p * k; i++) q[i] *= scale;
            for (int64_t t = 0; t < k; t++) yy[t] *= scale;
        }
        job.Q = Q;
        job.q = q;
        job.yy = yy;
    } else {
        if (X->is_sparse) PMC_TRY(cd_csc_build(X, &data->rows, &D.csc));
        PMC_ALLOC(D.norm2, p, "column norms");
        for (int64_t j = 0; j < p; j++) {
            double mj = cd_mean(&D, j);
            if (D.kind == CD_DENSE_F32) {
                D.norm2[j] = cd_dense_norm2_f32(&D.dense, j, mj, sw);
            } else if (D.kind == CD_DENSE_F64) {
                D.norm2[j] = cd_dense_norm2_f64(&D.dense, j, mj, sw);
            } else { /* nonzeros, then the implicit zeros at (0 - m)^2 */
                double acc = 0.0;
                for (int64_t a = D.csc.colptr[j]; a < D.csc.colptr[j + 1]; a++) {
                    double s = sw ? sw[D.csc.row[a]] : 1.0, x = D.csc.val[a] - mj;
                    acc += s * (x * x - mj * mj);
                }
                D.norm2[j] = acc + (double)n * mj * mj;
            }
        }
        job.D = &D;
        job.data = data;
        job.y_mean = y_mean;
    }
    /* Every element of X and y has reached the squared norms, X^T y or y^T y (or the
     * offsets), so a non-finite value anywhere shows here: the fit stops before
     * iterating, and the caller (which may have skipped its own scan of X) can tell
     * NaN or infinity in X from overflow. */
    int finite = 1;
    for (int64_t j = 0; j < p; j++)
        finite &= isfinite(route == PMC_CD_GRAM ? Q[j * p + j] : D.norm2[j]) != 0;
    for (int64_t i = 0; route == PMC_CD_GRAM && i < p * k; i++) finite &= isfinite(q[i]) != 0;
    for (int64_t t = 0; t < k; t++) finite &= isfinite(y_mean[t]) != 0;
    if (!finite) {
        status = pmc_fail(PMC_ERR_VALUE, "%s", cd_non_finite);
        goto error;
    }
    PMC_TRY(pmc_parallel_for(k, target_threads, ctx, cd_target, &job));

    /* intercept_ = y_offset - X_offset . coef_; the solver's gap is n times dual_gap_. */
    for (int64_t t = 0; t < k; t++) {
        double b = 0.0;
        if (prm->fit_intercept) {
            b = y_mean[t];
            for (int64_t j = 0; j < p; j++) b -= x_mean[j] * m->c.coef[t * p + j];
        }
        m->c.intercept[t] = b;
        m->dual_gap[t] = res[t].gap / (double)n;
        m->n_iter[t] = res[t].n_iter;
    }
    for (int64_t i = 0; i < k * p; i++) finite &= isfinite(m->c.coef[i]) != 0;
    for (int64_t t = 0; t < k; t++) finite &= isfinite(m->c.intercept[t]) != 0;
    if (!finite) {
        status = pmc_fail(PMC_ERR_VALUE, "%s", cd_non_finite);
        goto error;
    }
    for (int64_t t = 0; t < k; t++)
        if (!res[t].converged) {
            pmc_warn(ctx,
                     "Objective did not converge. You might want to increase the number of "
                     "iterations, check the scale of the features or consider increasing "
                     "regularisation. Duality gap: %.6e, tolerance: %.3e%s",
                     res[t].gap, res[t].tol,
                     o.l1 < DBL_EPSILON ? "\nWith a zero l1 penalty, use Ridge/RidgeCV." : "");
            break;
        }
    cd_model_round(m);
    *out = m;
    m = NULL;
error:
    cd_model_free(&m);
    cd_csc_release(&D.csc);
    free(D.norm2);
    free(res);
    free(x_mean);
    free(y_mean);
    free(sw);
    free(Q);
    free(q);
    free(yy);
    free(u);
    return status;
}

static pmc_status lasso_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                            pmc_ctx *ctx, pmc_model **out) {
    pmc_elastic_net_params prm = *(const pmc_elastic_net_params *)params_;
    prm.l1_ratio = 1.0;
    return enet_fit(&prm, data, init, ctx, out);
}

/* ---- predict, export, import ---------------------------------------------------- */

static pmc_status cd_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                  int64_t *n_cols, pmc_dtype *dtype) {
    if (method != PMC_PREDICT)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "ElasticNet has no %s", pmc_method_name(method));
    return pmc_linear_coefs_output_shape(&m->c, X_dtype, n_cols, dtype);
}

static pmc_status cd_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                           pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (method != PMC_PREDICT)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "ElasticNet has no %s", pmc_method_name(method));
    return pmc_linear_coefs_decision(&m->c, X, rows, ctx, out);
}

static pmc_status cd_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    int64_t k = m->c.n_targets, p = m->c.n_features;
    if (m->f32) {
        PMC_TRY(pmc_arrays_add(out, "coef_", pmc_view_2d(m->f32, PMC_FLOAT32, k, p)));
        PMC_TRY(pmc_arrays_add(out, "intercept_", pmc_view_1d(m->f32 + k * p, PMC_FLOAT32, k)));
        PMC_TRY(pmc_arrays_add(out, "dual_gap_",
                               pmc_view_1d(m->f32 + k * p + k, PMC_FLOAT32, k)));
    } else {
        PMC_TRY(pmc_linear_coefs_export(&m->c, out));
        PMC_TRY(pmc_export(out, "dual_gap_", m->dual_gap, k, 0));
    }
    PMC_TRY(pmc_arrays_add(out, "n_iter_", pmc_view_1d(m->n_iter, PMC_INT64, k)));
    PMC_TRY(pmc_arrays_add(out, "gram_recomputed",
                           pmc_view_1d((void *)&m->gram_recomputed, PMC_INT64, 1)));
error:
    return status;
}

/* Reads coef_ and intercept_ (checked by pmc_linear_coefs_import); the rest of the
 * state is not needed to predict or to warm-start. */
static pmc_status cd_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "ElasticNet");
    PMC_TRY(pmc_linear_coefs_import(in, &m->c));
    m->dtype = pmc_arrays_find(in, "coef_")->dtype;
    PMC_TRY(cd_model_extras(m));
    cd_model_round(m);
    *out = m;
    return PMC_OK;
error:
    cd_model_free(&m);
    return status;
}

/* ---- tables ----------------------------------------------------------------------- */

static const char *const cd_route_choices[] = {"auto", "gram", "residual", NULL};
static const char *const cd_selection_choices[] = {"cyclic", "random", NULL};

#define CD_PARAM(name, kind, field, choices) \
    {name, kind, offsetof(pmc_elastic_net_params, field), choices}

static const pmc_param_spec enet_params[] = {
    CD_PARAM("alpha", PMC_PARAM_DOUBLE, alpha, NULL),
    CD_PARAM("l1_ratio", PMC_PARAM_DOUBLE, l1_ratio, NULL),
    CD_PARAM("fit_intercept", PMC_PARAM_BOOL, fit_intercept, NULL),
    CD_PARAM("precompute", PMC_PARAM_CHOICE, precompute, cd_route_choices),
    CD_PARAM("gram", PMC_PARAM_VIEW, gram, NULL),
    CD_PARAM("check_gram", PMC_PARAM_BOOL, check_gram, NULL),
    CD_PARAM("max_iter", PMC_PARAM_INT, max_iter, NULL),
    CD_PARAM("tol", PMC_PARAM_DOUBLE, tol, NULL),
    CD_PARAM("positive", PMC_PARAM_BOOL, positive, NULL),
    CD_PARAM("selection", PMC_PARAM_CHOICE, selection, cd_selection_choices),
};

/* Lasso: the same schema without l1_ratio (entry 1). */
static const pmc_param_spec lasso_params[] = {
    CD_PARAM("alpha", PMC_PARAM_DOUBLE, alpha, NULL),
    CD_PARAM("fit_intercept", PMC_PARAM_BOOL, fit_intercept, NULL),
    CD_PARAM("precompute", PMC_PARAM_CHOICE, precompute, cd_route_choices),
    CD_PARAM("gram", PMC_PARAM_VIEW, gram, NULL),
    CD_PARAM("check_gram", PMC_PARAM_BOOL, check_gram, NULL),
    CD_PARAM("max_iter", PMC_PARAM_INT, max_iter, NULL),
    CD_PARAM("tol", PMC_PARAM_DOUBLE, tol, NULL),
    CD_PARAM("positive", PMC_PARAM_BOOL, positive, NULL),
    CD_PARAM("selection", PMC_PARAM_CHOICE, selection, cd_selection_choices),
};

const pmc_estimator pmc_elastic_net_estimator = {
    "ElasticNet", sizeof(pmc_elastic_net_params), enet_params,
    (int)(sizeof enet_params / sizeof enet_params[0]), enet_fit, cd_output_shape, cd_apply,
    cd_export, cd_import, cd_model_free};

const pmc_estimator pmc_lasso_estimator = {
    "Lasso", sizeof(pmc_elastic_net_params), lasso_params,
    (int)(sizeof lasso_params / sizeof lasso_params[0]), lasso_fit, cd_output_shape, cd_apply,
    cd_export, cd_import, cd_model_free};
