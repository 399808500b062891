/* The Forecaster: Prophet's model and MAP fit (see pmc/timeseries.h).
 *
 * Scaled as Prophet scales: t = (ds - start) / t_scale over the fitted rows,
 * y_s = (y - floor) / y_scale (absmax: floor 0, y_scale max |y|; minmax: floor
 * min y, y_scale max y - min y).  With features x_i (Fourier terms of the active
 * seasonalities, then the standardised extra columns) and beta split by mode,
 *     g_i = k t_i + m + sum_j delta_j (t_i - s_j)_+          (linear; flat: g = m)
 *     f_i = g_i (1 + x_i' beta_mult) + x_i' beta_add,
 * the objective is the negative log posterior of Prophet's Stan model:
 *     n log sigma + sum_i (y_i - f_i)^2 / (2 sigma^2) + (k^2 + m^2) / 50
 *     + sum_j beta_j^2 / (2 s_j^2) + 2 sigma^2 + sum_j |delta_j| / tau.
 * It is minimised exactly (the Laplace prior as an L1 term, where Stan's L-BFGS
 * treats |.| as smooth and stops near the same point) by proximal Gauss-Newton
 * (fc_solve): the model is linear in theta = (k, m, delta, beta) for additive
 * terms and bilinear with multiplicative ones, so each step solves the
 * penalised least squares of the linearised model exactly on the small
 * q x q Gram matrix (feature-sign search for the L1 part), sigma has a closed
 * form given the residuals, and a backtracking step on the true objective
 * keeps every iterate descending.  This converges in ~5-10 steps where
 * L-BFGS (lbfgs.h's L1 variant, tried first) needed 300-800 evaluations: 2-3
 * ms instead of 40-90 ms for 1,826 daily points with yearly and weekly terms.
 * Memory is O(rows) doubles (5 per row): the Jacobian is formed and reduced in
 * row blocks, feature rows are recomputed from X unless they fit a small cache.
 *
 * Intervals follow Prophet: sample paths with Poisson(n_cp (T - 1)) new
 * changepoints on (1, T] and Laplace(0, mean |delta|) slope changes, plus
 * Gaussian noise of scale sigma_obs; numpy's linear-interpolated percentiles
 * of the samples per row. */
#include <float.h>

#include "internal.h"
#include "blas.h"
#include "pmc/timeseries.h"

const char *const pmc_forecaster_growth_names[] = {"linear", "flat", "logistic", NULL};
const char *const pmc_forecaster_scaling_names[] = {"absmax", "minmax", NULL};
const char *const pmc_forecaster_columns[] = {
    "yhat",  "yhat_lower",  "yhat_upper",     "trend",
    "trend_lower", "trend_upper", "additive_terms", "multiplicative_terms", NULL};

enum { GROWTH_LINEAR = 0, GROWTH_FLAT = 1, GROWTH_LOGISTIC = 2 };
enum { SEAS_PERIOD, SEAS_ORDER, SEAS_PRIOR, SEAS_MODE, SEAS_ACTIVE, SEAS_N };
enum { FEAT_COLUMN, FEAT_PRIOR, FEAT_MODE, FEAT_STANDARDIZE, FEAT_MU, FEAT_STD, FEAT_N };
enum { SCALE_START, SCALE_T, SCALE_Y, SCALE_FLOOR, SCALE_N };
enum { SET_GROWTH, SET_SCALING, SET_WIDTH, SET_SAMPLES, SET_CAP, SET_FLOOR, SET_N };
enum { PAR_K, PAR_M, PAR_SIGMA, PAR_N };

#define FC_MAX_ORDER 1000         /* Fourier order bound (validation) */
#define FC_MAX_SAMPLES 100000000  /* uncertainty_samples bound (validation) */
#define FC_ROWS_PER_TASK 256      /* apply: rows per parallel task */
#define FC_BLOCK 256              /* fit: Jacobian rows per block */
#define FC_CACHE_MAX (1 << 19)    /* fit: feature rows are cached up to 4 MiB of them */
#define FC_LASSO_MAX_STEPS 200    /* feature-sign steps per Gauss-Newton step */
#define FC_LASSO_KKT_TOL 1e-9     /* relative slack of the zero coefficients' optimality test */
#define FC_MAX_BACKTRACK 40       /* step halvings before the fit is at rounding level */
#define FC_STEP_TOL 1e-6          /* converged: relative step (1e-6 of the scaled
                                   * data; Prophet agreement is tested at 5e-3) and */
#define FC_F_TOL 1e-13            /* ... relative objective decrease below these */

struct pmc_model {
    double scales[SCALE_N];
    double settings[SET_N];
    double params[PAR_N];
    int64_t n_cp, S, F, P;
    double *cp_t;  /* n_cp, scaled t, ascending */
    double *delta; /* n_cp */
    double *seas;  /* S x SEAS_N */
    double *feat;  /* F x FEAT_N */
    double *beta;  /* P */
    int64_t seed, n_iter;
};

static void fc_free(pmc_model **m) {
    if (!*m) return;
    free((*m)->cp_t);
    free((*m)->delta);
    free((*m)->seas);
    free((*m)->feat);
    free((*m)->beta);
    free(*m);
    *m = NULL;
}

/* Allocates the arrays for the given sizes (at least one element each, so that
 * empty exports still have data). */
static pmc_status fc_model_new(int64_t n_cp, int64_t S, int64_t F, int64_t P, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "forecaster model");
    m->n_cp = n_cp;
    m->S = S;
    m->F = F;
    m->P = P;
    PMC_ALLOC(m->cp_t, PMC_MAX(n_cp, 1), "changepoints");
    PMC_ALLOC(m->delta, PMC_MAX(n_cp, 1), "changepoint deltas");
    PMC_ALLOC(m->seas, PMC_MAX(S, 1) * SEAS_N, "seasonalities");
    PMC_ALLOC(m->feat, PMC_MAX(F, 1) * FEAT_N, "features");
    PMC_ALLOC(m->beta, PMC_MAX(P, 1), "coefficients");
    *out = m;
    return PMC_OK;
error:
    fc_free(&m);
    return status;
}

/* Number of feature columns: 2 x order per active seasonality, one per extra. */
static int64_t fc_n_columns(const double *seas, int64_t S, int64_t F) {
    int64_t P = F;
    for (int64_t s = 0; s < S; s++)
        if (seas[s * SEAS_N + SEAS_ACTIVE] != 0.0) P += 2 * (int64_t)seas[s * SEAS_N + SEAS_ORDER];
    return P;
}

/* Feature row at `t_days` for X row r: sin, cos of 2 pi j t / period for
 * j = 1..order (Prophet's order), per active seasonality, then the extras. */
static void fc_feature_row(const pmc_model *m, const pmc_view *X, int64_t r, double t_days,
                           double *out) {
    int64_t p = 0;
    for (int64_t s = 0; s < m->S; s++) {
        const double *sp = m->seas + s * SEAS_N;
        if (sp[SEAS_ACTIVE] == 0.0) continue;
        int64_t order = (int64_t)sp[SEAS_ORDER];
        /* Harmonics by angle addition from the first: ~1e-15 per step, where
         * sin(j x) of the large x = 2 pi t / period costs as much anyway. */
        double x = 2.0 * M_PI * fmod(t_days, sp[SEAS_PERIOD]) / sp[SEAS_PERIOD];
        double s1 = sin(x), c1 = cos(x), sj = s1, cj = c1;
        for (int64_t j = 1; j <= order; j++) {
            out[p++] = sj;
            out[p++] = cj;
            double next = sj * c1 + cj * s1;
            cj = cj * c1 - sj * s1;
            sj = next;
        }
    }
    for (int64_t f = 0; f < m->F; f++) {
        const double *fp = m->feat + f * FEAT_N;
        out[p++] = (pmc_get(X, r, (int64_t)fp[FEAT_COLUMN]) - fp[FEAT_MU]) / fp[FEAT_STD];
    }
}

/* Mode (1 multiplicative) and prior scale of each feature column. */
static void fc_column_specs(const pmc_model *m, double *mult, double *prior) {
    int64_t p = 0;
    for (int64_t s = 0; s < m->S; s++) {
        const double *sp = m->seas + s * SEAS_N;
        if (sp[SEAS_ACTIVE] == 0.0) continue;
        for (int64_t j = 0; j < 2 * (int64_t)sp[SEAS_ORDER]; j++, p++) {
            mult[p] = sp[SEAS_MODE];
            prior[p] = sp[SEAS_PRIOR];
        }
    }
    for (int64_t f = 0; f < m->F; f++, p++) {
        mult[p] = m->feat[f * FEAT_N + FEAT_MODE];
        prior[p] = m->feat[f * FEAT_N + FEAT_PRIOR];
    }
}

/* The trend's segments: K[i], B[i] hold for t with i changepoints at or before
 * it; linear g = K t + B, logistic g = cap / (1 + exp(-K (t - B))) with
 * Prophet's offsets that keep g continuous, flat g = B.  K[0], B[0] are set by
 * the caller (k, m; flat: 0, m); the recursion fills the next C. */
static void fc_segment_step(int growth, double K, double B, double cp, double delta, double *K_next,
                            double *B_next) {
    *K_next = K + (growth == GROWTH_FLAT ? 0.0 : delta);
    if (growth == GROWTH_LINEAR) *B_next = B - cp * delta;
    else if (growth == GROWTH_LOGISTIC) *B_next = B + (cp - B) * (1.0 - K / *K_next);
    else *B_next = B;
}

static void fc_segments(int growth, const double *delta, const double *cp, int64_t C, double *K,
                        double *B) {
    for (int64_t i = 0; i < C; i++)
        fc_segment_step(growth, K[i], B[i], cp[i], delta[i], &K[i + 1], &B[i + 1]);
}

static inline double fc_segment_value(int growth, double K, double B, double t, double cap) {
    if (growth == GROWTH_LOGISTIC) return cap / (1.0 + exp(-K * (t - B)));
    if (growth == GROWTH_FLAT) return B;
    return K * t + B;
}

/* Number of changepoints at or before t (cp ascending). */
static int64_t fc_segment_of(const double *cp, int64_t C, double t) {
    int64_t lo = 0, hi = C;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (cp[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Floor of X row r: its floor column, or the constant floor. */
static inline double fc_row_floor(const pmc_view *X, int64_t r, int64_t floor_col, double floor_y) {
    return floor_col >= 0 ? pmc_get(X, r, floor_col) : floor_y;
}

/* ---- parameters --------------------------------------------------------------- */

static pmc_status fc_check_params(const pmc_forecaster_params *p, const pmc_matrix *X) {
    pmc_status status = PMC_OK;
    if (p->growth < 0 || p->growth > GROWTH_LOGISTIC)
        return pmc_fail(PMC_ERR_VALUE, "growth must be 'linear', 'flat' or 'logistic'");
    if (p->growth == GROWTH_LOGISTIC && !(p->cap_column >= 1 && p->cap_column < X->n_cols))
        return pmc_fail(PMC_ERR_VALUE, "Capacities must be supplied for logistic growth "
                        "(cap_column must be an X column >= 1)");
    if (p->growth != GROWTH_LOGISTIC && (p->cap_column != -1 || p->floor_column != -1))
        return pmc_fail(PMC_ERR_VALUE, "cap_column and floor_column are for logistic growth");
    if (p->floor_column != -1 && !(p->floor_column >= 1 && p->floor_column < X->n_cols))
        return pmc_fail(PMC_ERR_VALUE, "floor_column must be -1 or an X column >= 1");
    if (p->n_changepoints < 0)
        return pmc_fail(PMC_ERR_VALUE, "n_changepoints must be >= 0, got %lld",
                        (long long)p->n_changepoints);
    if (!(p->changepoint_range >= 0.0 && p->changepoint_range <= 1.0))
        return pmc_fail(PMC_ERR_VALUE, "changepoint_range must be in [0, 1], got %g",
                        p->changepoint_range);
    if (!(p->changepoint_prior_scale > 0.0) || !isfinite(p->changepoint_prior_scale))
        return pmc_fail(PMC_ERR_VALUE, "changepoint_prior_scale must be positive, got %g",
                        p->changepoint_prior_scale);
    if (!(p->interval_width > 0.0 && p->interval_width < 1.0))
        return pmc_fail(PMC_ERR_VALUE, "interval_width must be in (0, 1), got %g",
                        p->interval_width);
    if (p->uncertainty_samples < 0 || p->uncertainty_samples > FC_MAX_SAMPLES)
        return pmc_fail(PMC_ERR_VALUE, "uncertainty_samples must be in [0, %d]", FC_MAX_SAMPLES);
    if (p->max_iter < 1) return pmc_fail(PMC_ERR_VALUE, "max_iter must be >= 1");
    if (p->scaling < 0 || p->scaling > 1)
        return pmc_fail(PMC_ERR_VALUE, "scaling must be 'absmax' or 'minmax'");
    if (X->is_sparse) return pmc_fail(PMC_ERR_VALUE, "X must be dense for the Forecaster");
    if (X->n_cols < 1) return pmc_fail(PMC_ERR_VALUE, "X must hold ds in column 0");
    if (p->seasonalities.ndim != 0) {
        PMC_TRY(pmc_view_check(&p->seasonalities, "seasonalities", 1, 2, -1, 5));
        for (int64_t s = 0; s < p->seasonalities.shape[0]; s++) {
            const pmc_view *sv = &p->seasonalities;
            double period = pmc_get(sv, s, 0), order = pmc_get(sv, s, 1);
            double prior = pmc_get(sv, s, 2), mode = pmc_get(sv, s, 3);
            double rule = pmc_get(&p->seasonalities, s, 4);
            if (!(period > 0.0) || !isfinite(period))
                return pmc_fail(PMC_ERR_VALUE, "seasonality %lld: period must be positive",
                                (long long)s);
            if (!(order >= 1 && order <= FC_MAX_ORDER) || order != floor(order))
                return pmc_fail(PMC_ERR_VALUE,
                                "seasonality %lld: fourier_order must be an integer >= 1",
                                (long long)s);
            if (!(prior > 0.0) || !isfinite(prior))
                return pmc_fail(PMC_ERR_VALUE, "seasonality %lld: prior_scale must be positive",
                                (long long)s);
            if (mode != 0.0 && mode != 1.0)
                return pmc_fail(PMC_ERR_VALUE, "seasonality %lld: mode must be 0 or 1",
                                (long long)s);
            if (rule != 0.0 && rule != 1.0 && rule != 2.0 && rule != 3.0)
                return pmc_fail(PMC_ERR_VALUE, "seasonality %lld: auto rule must be 0 to 3",
                                (long long)s);
        }
    }
    if (p->features.ndim != 0) {
        PMC_TRY(pmc_view_check(&p->features, "features", 1, 2, -1, 4));
        for (int64_t f = 0; f < p->features.shape[0]; f++) {
            double col = pmc_get(&p->features, f, 0), prior = pmc_get(&p->features, f, 1);
            double mode = pmc_get(&p->features, f, 2), stdz = pmc_get(&p->features, f, 3);
            if (!(col >= 1 && col < (double)X->n_cols) || col != floor(col))
                return pmc_fail(PMC_ERR_VALUE, "features %lld: column must be in [1, %lld)",
                                (long long)f, (long long)X->n_cols);
            if (!(prior > 0.0) || !isfinite(prior))
                return pmc_fail(PMC_ERR_VALUE, "features %lld: prior_scale must be positive",
                                (long long)f);
            if (mode != 0.0 && mode != 1.0)
                return pmc_fail(PMC_ERR_VALUE, "features %lld: mode must be 0 or 1", (long long)f);
            if (stdz != 0.0 && stdz != 1.0 && stdz != 2.0)
                return pmc_fail(PMC_ERR_VALUE, "features %lld: standardize must be 0, 1 or 2",
                                (long long)f);
        }
    }
    if (p->changepoints.ndim != 0)
        PMC_TRY(pmc_view_check(&p->changepoints, "changepoints", 1, 1, -1, -1));
error:
    return status;
}

/* ---- fit ---------------------------------------------------------------------- */

/* One observation: ds in days and its X row (y is read from the caller's view). */
typedef struct {
    double t;
    int64_t row;
} fc_obs;

/* The MAP problem over theta = [k, m, delta (C), beta (P)] (q entries) and sigma. */
typedef struct {
    int64_t n, C, P, q;
    int growth;
    const fc_obs *obs;     /* n, sorted by ds */
    const pmc_view *y;
    double start, span, floor_y, y_scale;
    int64_t cap_col, floor_col; /* logistic growth: X columns, or -1 */
    const double *cp;      /* C scaled changepoints, ascending */
    const pmc_model *model;/* seasonality and feature specs */
    const pmc_view *X;
    double *xrow;          /* P: one feature row, recomputed on the fly, */
    const double *cache;   /* ... or all n x P of them when small (NULL otherwise) */
    const double *mult;    /* P: 1 for multiplicative columns */
    const double *prec;    /* q: Gaussian prior precisions (0 for delta) */
    const double *l1;      /* q: Laplace weights 1 / tau (delta only) */
    double *g, *M, *r;     /* n: trend, multiplicative sum, residual at theta */
    double *K, *B;         /* C + 1: trend segments at theta */
    double *dB;            /* (C + 1) x (C + 2): logistic: d B_i / d(k, m, delta) */
    double *beta_split;    /* 2 P: beta's multiplicative and additive parts */
} fc_problem;

/* Scaled time and target of sorted observation i (computed, not stored, to keep
 * the fit's memory at 5 doubles per row). */
static inline double fc_t(const fc_problem *pb, int64_t i) {
    return (pb->obs[i].t - pb->start) / pb->span;
}
static inline double fc_y(const fc_problem *pb, int64_t i) {
    double floor_i = fc_row_floor(pb->X, pb->obs[i].row, pb->floor_col, pb->floor_y);
    return (pmc_get(pb->y, pb->obs[i].row, 0) - floor_i) / pb->y_scale;
}
/* Scaled capacity (logistic growth; 0 otherwise). */
static inline double fc_cap(const fc_problem *pb, int64_t i) {
    if (pb->cap_col < 0) return 0.0;
    double floor_i = fc_row_floor(pb->X, pb->obs[i].row, pb->floor_col, pb->floor_y);
    return (pmc_get(pb->X, pb->obs[i].row, pb->cap_col) - floor_i) / pb->y_scale;
}

/* Feature row of sorted observation i (valid until the next call). */
static const double *fc_obs_features(const fc_problem *pb, int64_t i) {
    if (pb->cache) return pb->cache + i * pb->P;
    fc_feature_row(pb->model, pb->X, pb->obs[i].row, pb->obs[i].t, pb->xrow);
    return pb->xrow;
}

/* Trend, multiplicative sum and residuals at theta; returns the residual sum
 * of squares. */
static double fc_residuals(const fc_problem *pb, const double *th, double *g, double *M,
                           double *r) {
    const double *delta = th + 2, *beta = th + 2 + pb->C;
    const int64_t P = pb->P;
    double ssr = 0.0;
    pb->K[0] = pb->growth == GROWTH_FLAT ? 0.0 : th[0];
    pb->B[0] = th[1];
    fc_segments(pb->growth, delta, pb->cp, pb->C, pb->K, pb->B);
    /* beta split by mode: M = x' beta_mult and the additive sum x' beta_add, two
     * independent sums per row (no dependence on the mode inside the loop). */
    double *beta_mult = pb->beta_split, *beta_add = pb->beta_split + P;
    for (int64_t p = 0; p < P; p++) {
        beta_mult[p] = pb->mult[p] != 0.0 ? beta[p] : 0.0;
        beta_add[p] = pb->mult[p] != 0.0 ? 0.0 : beta[p];
    }
    for (int64_t i = 0, j = 0; i < pb->n; i++) {
        double t = fc_t(pb, i);
        for (; j < pb->C && pb->cp[j] <= t; j++) {
        }
        g[i] = fc_segment_value(pb->growth, pb->K[j], pb->B[j], t, fc_cap(pb, i));
        const double *row = fc_obs_features(pb, i);
        double mu = 0.0, add = 0.0;
        for (int64_t p = 0; p < P; p++) {
            mu += row[p] * beta_mult[p];
            add += row[p] * beta_add[p];
        }
        M[i] = mu;
        r[i] = fc_y(pb, i) - (g[i] * (1.0 + mu) + add);
        ssr += r[i] * r[i];
    }
    return ssr;
}

/* The sigma minimising n log sigma + ssr / (2 sigma^2) + 2 sigma^2, squared. */
static double fc_sigma2(double n, double ssr) {
    return PMC_MAX((-n + sqrt(n * n + 16.0 * ssr)) / 8.0, 1e-300);
}

/* Negative log posterior (Prophet's Stan model, up to a constant). */
static double fc_value(const fc_problem *pb, const double *th, double sigma2, double ssr) {
    double v = 0.5 * (double)pb->n * log(sigma2) + 0.5 * ssr / sigma2 + 2.0 * sigma2;
    for (int64_t j = 0; j < pb->q; j++)
        v += 0.5 * pb->prec[j] * th[j] * th[j] + pb->l1[j] * fabs(th[j]);
    return v;
}

/* Gauss-Newton normal equations at theta, over row blocks of the Jacobian J of
 * the fitted values (never formed whole): G = J'J / sigma^2 + prior precision,
 * c = J'(r + J theta) / sigma^2.  Jb holds FC_BLOCK x q doubles, bb FC_BLOCK. */
static void fc_normal_equations(const fc_problem *pb, const double *th, double sigma2,
                                double *G, double *c, double *Jb, double *bb) {
    const int64_t q = pb->q, C = pb->C, D = C + 2;
    const int logistic = pb->growth == GROWTH_LOGISTIC, flat = pb->growth == GROWTH_FLAT;
    if (logistic) {
        /* d B_i / d(k, m, delta) by forward differentiation of the recursion
         * B_{i+1} = B_i + (s_i - B_i)(1 - rho), rho = K_i / K_{i+1}. */
        double *dB = pb->dB;
        memset(dB, 0, (size_t)((C + 1) * D) * sizeof *dB);
        dB[1] = 1.0;
        for (int64_t i = 0; i < C; i++) {
            double rho = pb->K[i] / pb->K[i + 1], gap = pb->cp[i] - pb->B[i];
            for (int64_t v = 0; v < D; v++) {
                double dKi = v == 0 || (v >= 2 && v - 2 < i);
                double dKn = v == 0 || (v >= 2 && v - 2 <= i);
                double drho = dKi / pb->K[i + 1] - pb->K[i] * dKn / (pb->K[i + 1] * pb->K[i + 1]);
                dB[(i + 1) * D + v] = rho * dB[i * D + v] - gap * drho;
            }
        }
    }
    memset(c, 0, (size_t)q * sizeof *c);
    for (int64_t first = 0, seg = 0; first < pb->n; first += FC_BLOCK) {
        int64_t count = PMC_MIN(FC_BLOCK, pb->n - first);
        for (int64_t k = 0; k < count; k++) {
            int64_t i = first + k;
            double *row = Jb + k * q, w = 1.0 + pb->M[i], t = fc_t(pb, i);
            for (; seg < C && pb->cp[seg] <= t; seg++) {
            }
            if (logistic) {
                /* g = cap sigma(z), z = K_seg (t - B_seg) */
                double Ks = pb->K[seg], Bs = pb->B[seg], cap = fc_cap(pb, i);
                double sig = 1.0 / (1.0 + exp(-Ks * (t - Bs))), dz = w * cap * sig * (1.0 - sig);
                const double *dBs = pb->dB + seg * D;
                row[0] = dz * ((t - Bs) - Ks * dBs[0]);
                row[1] = dz * (-Ks * dBs[1]);
                for (int64_t j = 0; j < C; j++)
                    row[2 + j] = dz * ((j < seg ? t - Bs : 0.0) - Ks * dBs[2 + j]);
            } else {
                row[0] = flat ? 0.0 : w * t;
                row[1] = w;
                for (int64_t j = 0; j < C; j++)
                    row[2 + j] = flat ? 0.0 : w * PMC_MAX(t - pb->cp[j], 0.0);
            }
            memcpy(row + 2 + pb->C, fc_obs_features(pb, i), (size_t)pb->P * sizeof *row);
            for (int64_t p = 0; p < pb->P; p++)
                if (pb->mult[p] != 0.0) row[2 + pb->C + p] *= pb->g[i];
            bb[k] = pb->r[i];
        }
        pmc_cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q, (int)count, 1.0 / sigma2,
                        Jb, (int)q, first == 0 ? 0.0 : 1.0, G, (int)q);
        pmc_cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)count, (int)q, 1.0, Jb, (int)q, th, 1,
                        1.0, bb, 1);
        pmc_cblas_dgemv(CblasRowMajor, CblasTrans, (int)count, (int)q, 1.0 / sigma2, Jb, (int)q,
                        bb, 1, 1.0, c, 1);
    }
    for (int64_t a = 0; a < q; a++) {
        G[a * q + a] += pb->prec[a];
        for (int64_t b = 0; b < a; b++) G[a * q + b] = G[b * q + a];
    }
}

/* The same normal equations for linear and flat growth, from the structure of
 * J: its trend columns are w t, w and w (t - s_j)_+ (w = 1 + M), so their Gram
 * entries and their products with the seasonal columns u (x, times g for the
 * multiplicative ones) are sums of w^2 t^k, w t^k u and w t^k b over the rows
 * after each changepoint: per-segment sums, then suffix sums, expanded as
 * (t - s_a)(t - s_b) = t^2 - (s_a + s_b) t + s_a s_b.  Only the P x P seasonal
 * block needs a rank-k update over the rows: ~4x less work than J'J whole
 * (q = 2 + C + P, C = 25 changepoints next to P = 26 seasonal columns).  acc
 * holds (C + 1) (5 + 2 P) doubles, Ub FC_BLOCK x P, bb FC_BLOCK. */
static void fc_normal_equations_linear(const fc_problem *pb, const double *th, double sigma2,
                                       double *G, double *c, double *Ub, double *bb,
                                       double *acc) {
    const int64_t q = pb->q, C = pb->C, P = pb->P, S = C + 1;
    const int flat = pb->growth == GROWTH_FLAT;
    (void)th; /* J theta is y + g M (below): theta enters through g and M */
    /* Per segment s (rows with s changepoints strictly before t): sums of w^2,
     * w^2 t, w^2 t^2, w b, w t b, then w u (P) and w t u (P). */
    double *T0 = acc, *T1 = T0 + S, *T2 = T1 + S, *B0 = T2 + S, *B1 = B0 + S;
    double *WU = B1 + S, *WTU = WU + S * P;
    memset(acc, 0, (size_t)(S * (5 + 2 * P)) * sizeof *acc);
    memset(c, 0, (size_t)q * sizeof *c);
    double *Gss = G + (2 + C) * q + (2 + C), *css = c + 2 + C; /* the seasonal block */
    for (int64_t first = 0, seg = 0; first < pb->n; first += FC_BLOCK) {
        int64_t count = PMC_MIN(FC_BLOCK, pb->n - first);
        for (int64_t k = 0; k < count; k++) {
            int64_t i = first + k;
            const double t = fc_t(pb, i), M = pb->M[i], g = pb->g[i], w = 1.0 + M, wt = w * t;
            double *restrict u = Ub + k * P;
            for (; seg < C && pb->cp[seg] < t; seg++) {
            }
            const double *restrict x = fc_obs_features(pb, i);
            /* x g for multiplicative columns, x for additive ones (mult is 0 or 1:
             * mult g + 1 - mult is exactly g or 1), branch-free. */
            for (int64_t p = 0; p < P; p++) u[p] = x[p] * (pb->mult[p] * g + (1.0 - pb->mult[p]));
            /* b = r + J theta: with J theta = w g (trend columns) + g M + A (the
             * seasonal ones) and r = y - g (1 + M) - A, that is y + g M. */
            double b = fc_y(pb, i) + g * M, w2 = w * w;
            T0[seg] += w2;
            T1[seg] += w2 * t;
            T2[seg] += w2 * t * t;
            B0[seg] += w * b;
            B1[seg] += wt * b;
            double *restrict wu = WU + seg * P, *restrict wtu = WTU + seg * P;
            for (int64_t p = 0; p < P; p++) {
                wu[p] += w * u[p];
                wtu[p] += wt * u[p];
            }
            bb[k] = b;
        }
        if (P > 0) {
            pmc_cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)P, (int)count, 1.0,
                            Ub, (int)P, first == 0 ? 0.0 : 1.0, Gss, (int)q);
            pmc_cblas_dgemv(CblasRowMajor, CblasTrans, (int)count, (int)P, 1.0, Ub, (int)P, bb,
                            1, 1.0, css, 1);
        }
    }
    /* Suffix sums: index s then covers the rows after changepoint s - 1. */
    for (int64_t s = S - 2; s >= 0; s--) {
        T0[s] += T0[s + 1];
        T1[s] += T1[s + 1];
        T2[s] += T2[s + 1];
        B0[s] += B0[s + 1];
        B1[s] += B1[s + 1];
        for (int64_t p = 0; p < P; p++) {
            WU[s * P + p] += WU[(s + 1) * P + p];
            WTU[s * P + p] += WTU[(s + 1) * P + p];
        }
    }
    /* Trend block (upper triangle) and trend-seasonal block; flat growth has
     * only m (the k and delta columns of J are 0). */
    for (int64_t a = 0; a < 2 + C; a++)
        for (int64_t b = a; b < q; b++) G[a * q + b] = 0.0;
    G[1 * q + 1] = T0[0];
    c[1] = B0[0];
    for (int64_t p = 0; p < P; p++) G[1 * q + 2 + C + p] = WU[p];
    if (!flat) {
        const double *cp = pb->cp;
        G[0] = T2[0];
        G[1] = T1[0];
        c[0] = B1[0];
        for (int64_t p = 0; p < P; p++) G[2 + C + p] = WTU[p];
        for (int64_t j = 0; j < C; j++) {
            const int64_t after = j + 1; /* rows with t > s_j */
            G[2 + j] = T2[after] - cp[j] * T1[after];
            G[q + 2 + j] = T1[after] - cp[j] * T0[after];
            c[2 + j] = B1[after] - cp[j] * B0[after];
            for (int64_t p = 0; p < P; p++)
                G[(2 + j) * q + 2 + C + p] = WTU[after * P + p] - cp[j] * WU[after * P + p];
            for (int64_t l = j; l < C; l++) { /* cp ascending: rows after s_l */
                const int64_t later = l + 1;
                G[(2 + j) * q + 2 + l] = T2[later] - (cp[j] + cp[l]) * T1[later] +
                                         cp[j] * cp[l] * T0[later];
            }
        }
    }
    const double inv = 1.0 / sigma2;
    for (int64_t a = 0; a < q; a++) {
        c[a] *= inv;
        for (int64_t b = a; b < q; b++) G[a * q + b] *= inv;
        G[a * q + a] += pb->prec[a];
        for (int64_t b = 0; b < a; b++) G[a * q + b] = G[b * q + a];
    }
}

/* Solves G_AA x = rhs for the index set A (na entries) by Cholesky into L
 * (na x na scratch); a tiny ridge rescues a numerically singular G_AA. */
static int fc_active_solve(int64_t q, const double *G, const int64_t *A, int64_t na,
                           const double *rhs, double *L, double *x) {
    for (double ridge = 0.0; ridge <= 1e-6; ridge = ridge == 0.0 ? 1e-12 : ridge * 100.0) {
        int ok = 1;
        for (int64_t a = 0; a < na && ok; a++) {
            for (int64_t b = 0; b <= a; b++) {
                double v = G[A[a] * q + A[b]] + (a == b ? ridge * G[A[a] * q + A[a]] : 0.0);
                for (int64_t k = 0; k < b; k++) v -= L[a * na + k] * L[b * na + k];
                if (a == b) {
                    if (!(v > 0.0)) { ok = 0; break; }
                    L[a * na + a] = sqrt(v);
                } else {
                    L[a * na + b] = v / L[b * na + b];
                }
            }
        }
        if (!ok) continue;
        for (int64_t a = 0; a < na; a++) {
            double v = rhs[a];
            for (int64_t k = 0; k < a; k++) v -= L[a * na + k] * x[k];
            x[a] = v / L[a * na + a];
        }
        for (int64_t a = na - 1; a >= 0; a--) {
            double v = x[a];
            for (int64_t k = a + 1; k < na; k++) v -= L[k * na + a] * x[k];
            x[a] = v / L[a * na + a];
        }
        return 1;
    }
    return 0;
}

/* z'Gz / 2 - c'z + sum_j l1_j |z_j|. */
static double fc_qp_value(int64_t q, const double *G, const double *c, const double *l1,
                          const double *z) {
    double v = 0.0;
    for (int64_t a = 0; a < q; a++) {
        double ga = 0.0;
        for (int64_t b = 0; b < q; b++) ga += G[a * q + b] * z[b];
        v += z[a] * (0.5 * ga - c[a]) + l1[a] * fabs(z[a]);
    }
    return v;
}

/* Exact minimiser of z'Gz / 2 - c'z + sum_j l1_j |z_j| (G positive definite on
 * the coordinates that matter) by feature-sign search (Lee, Battle, Raina & Ng
 * 2006), warm-started from z: the unpenalised coordinates are always active;
 * a penalised one enters when its gradient exceeds l1_j and leaves when a
 * step crosses zero.  ws holds 3 q + q^2 doubles and q int64. */
static void fc_lasso(int64_t q, const double *G, const double *c, const double *l1, double *z,
                     double *ws, int64_t *A) {
    double *sgn = ws, *rhs = ws + q, *x = ws + 2 * q, *L = ws + 3 * q;
    for (int64_t j = 0; j < q; j++) sgn[j] = l1[j] > 0.0 ? (z[j] > 0.0) - (z[j] < 0.0) : 0.0;
    for (int outer = 0; outer < FC_LASSO_MAX_STEPS; outer++) {
        for (int inner = 0; inner < FC_LASSO_MAX_STEPS; inner++) {
            int64_t na = 0;
            for (int64_t j = 0; j < q; j++)
                if (l1[j] == 0.0 || sgn[j] != 0.0) A[na++] = j;
            for (int64_t a = 0; a < na; a++) rhs[a] = c[A[a]] - l1[A[a]] * sgn[A[a]];
            if (!fc_active_solve(q, G, A, na, rhs, L, x)) return;
            /* Best of the full step and the points where a coefficient crosses zero. */
            double best_alpha = 1.0, best = INFINITY, *trial = L; /* L is free now */
            int64_t best_j = -1;
            for (int64_t cand = -1; cand < na; cand++) {
                double alpha = 1.0;
                if (cand >= 0) {
                    int64_t j = A[cand];
                    if (l1[j] == 0.0 || z[j] == 0.0 || (x[cand] > 0.0) == (z[j] > 0.0)) continue;
                    alpha = z[j] / (z[j] - x[cand]);
                }
                memcpy(trial, z, (size_t)q * sizeof *z);
                for (int64_t a = 0; a < na; a++) trial[A[a]] = z[A[a]] + alpha * (x[a] - z[A[a]]);
                double v = fc_qp_value(q, G, c, l1, trial);
                if (v < best) {
                    best = v;
                    best_alpha = alpha;
                    best_j = cand >= 0 ? A[cand] : -1;
                }
            }
            int crossed = 0;
            for (int64_t a = 0; a < na; a++) {
                int64_t j = A[a];
                z[j] += best_alpha * (x[a] - z[j]);
                if (j == best_j) z[j] = 0.0; /* the coefficient that crossed: exactly zero */
                if (l1[j] > 0.0) {
                    double s = (z[j] > 0.0) - (z[j] < 0.0);
                    crossed |= s != sgn[j];
                    sgn[j] = s;
                }
            }
            if (best_j < 0 && !crossed) break;
        }
        /* Optimality of the zero coefficients: activate the worst violator. */
        int64_t enter = -1;
        double worst = 0.0;
        for (int64_t j = 0; j < q; j++) {
            if (l1[j] == 0.0 || z[j] != 0.0 || !(G[j * q + j] > 0.0)) continue;
            double grad = -c[j];
            for (int64_t b = 0; b < q; b++) grad += G[j * q + b] * z[b];
            double excess = fabs(grad) - l1[j] * (1.0 + FC_LASSO_KKT_TOL);
            if (excess > worst) {
                worst = excess;
                enter = j;
            }
        }
        if (enter < 0) return;
        double grad = -c[enter];
        for (int64_t b = 0; b < q; b++) grad += G[enter * q + b] * z[b];
        sgn[enter] = grad > 0.0 ? -1.0 : 1.0;
    }
}

/* Proximal Gauss-Newton with the exact sigma update: each step solves the
 * Laplace/Gaussian-penalised least squares of the linearised model (the
 * additive model is linear: one step is exact for the current sigma) by
 * feature-sign search on the q x q Gram matrix, then backtracks on the true
 * objective.  A fixed point satisfies the exact MAP optimality conditions. */
static pmc_status fc_solve(fc_problem *pb, double *th, int64_t max_iter, pmc_ctx *ctx,
                           int64_t *n_iter, double *sigma_out) {
    pmc_status status = PMC_OK;
    const int64_t n = pb->n, q = pb->q;
    double *J = NULL, *G = NULL, *c = NULL, *b = NULL, *z = NULL, *ws = NULL, *tr = NULL;
    double *acc = NULL;
    int64_t *active = NULL;
    PMC_ALLOC(J, FC_BLOCK * q, "Jacobian block");
    PMC_ALLOC(G, q * q, "Gram matrix");
    PMC_ALLOC(c, q, "work");
    PMC_ALLOC(b, FC_BLOCK, "work");
    PMC_ALLOC(z, q, "work");
    PMC_ALLOC(ws, 3 * q + q * q, "work");
    PMC_ALLOC(active, q, "work");
    PMC_ALLOC(tr, q, "work");
    PMC_ALLOC(acc, (pb->C + 1) * (5 + 2 * pb->P), "work");
    double ssr = fc_residuals(pb, th, pb->g, pb->M, pb->r);
    double sigma2 = fc_sigma2((double)n, ssr), F = fc_value(pb, th, sigma2, ssr);
    int converged = 0;
    int64_t it = 0;
    while (it < max_iter && !converged) {
        PMC_TRY(pmc_check_interrupt(ctx));
        it++;
        if (pb->growth == GROWTH_LOGISTIC) fc_normal_equations(pb, th, sigma2, G, c, J, b);
        else fc_normal_equations_linear(pb, th, sigma2, G, c, J, b, acc);
        memcpy(z, th, (size_t)q * sizeof *z);
        fc_lasso(q, G, c, pb->l1, z, ws, active);
        /* Backtrack theta + alpha (z - theta) on the objective at this sigma. */
        double F_sigma = fc_value(pb, th, sigma2, ssr), step = 0.0, size = 1.0;
        double alpha = 1.0, ssr_new = ssr;
        int accepted = 0;
        for (int ls = 0; ls < FC_MAX_BACKTRACK && !accepted; ls++, alpha *= 0.5) {
            for (int64_t j = 0; j < q; j++) tr[j] = th[j] + alpha * (z[j] - th[j]);
            ssr_new = fc_residuals(pb, tr, pb->g, pb->M, pb->r); /* the trial's, in place */
            accepted = fc_value(pb, tr, sigma2, ssr_new) <= F_sigma;
        }
        if (!accepted) { /* no decrease left: at the optimum to rounding */
            fc_residuals(pb, th, pb->g, pb->M, pb->r);
            break;
        }
        for (int64_t j = 0; j < q; j++) {
            step = PMC_MAX(step, fabs(tr[j] - th[j]));
            size = PMC_MAX(size, fabs(tr[j]));
        }
        memcpy(th, tr, (size_t)q * sizeof *th);
        ssr = ssr_new;
        sigma2 = fc_sigma2((double)n, ssr);
        double F_new = fc_value(pb, th, sigma2, ssr);
        converged = step <= FC_STEP_TOL * size &&
                    F - F_new <= FC_F_TOL * PMC_MAX(PMC_MAX(fabs(F), fabs(F_new)), 1.0);
        F = F_new;
    }
    if (!converged && it >= max_iter)
        pmc_warn(ctx, "Forecaster: the MAP fit did not converge in %lld iterations",
                 (long long)max_iter);
    *n_iter = it;
    *sigma_out = sqrt(sigma2);
error:
    free(J);
    free(G);
    free(c);
    free(b);
    free(z);
    free(ws);
    free(active);
    free(tr);
    free(acc);
    return status;
}


/* Order by ds, ties by X row: a total order, so any sort gives one result. */
static int fc_obs_less(const fc_obs *x, const fc_obs *y) {
    return x->t < y->t || (x->t == y->t && x->row < y->row);
}

static void fc_sift_down(fc_obs *a, int64_t root, int64_t n) {
    for (int64_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && fc_obs_less(&a[child], &a[child + 1])) child++;
        if (!fc_obs_less(&a[root], &a[child])) return;
        fc_obs tmp = a[root];
        a[root] = a[child];
        a[child] = tmp;
    }
}

/* In-place heapsort (qsort may allocate a copy of the array); nothing to do
 * for rows already in order, the usual case. */
static void fc_sort_obs(fc_obs *a, int64_t n) {
    int64_t i = 1;
    while (i < n && !fc_obs_less(&a[i], &a[i - 1])) i++;
    if (i >= n) return;
    for (i = n / 2 - 1; i >= 0; i--) fc_sift_down(a, i, n);
    for (i = n - 1; i > 0; i--) {
        fc_obs tmp = a[0];
        a[0] = a[i];
        a[i] = tmp;
        fc_sift_down(a, 0, i);
    }
}

static int fc_double_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : (x > y);
}

/* Prophet's 'auto' tests on the fitted history (days): yearly needs two years,
 * weekly two weeks at sub-weekly spacing, daily two days at sub-daily spacing. */
static int fc_auto_active(int rule, double span, double min_dt) {
    switch (rule) {
    case 1: return span >= 730.0;
    case 2: return span >= 14.0 && min_dt < 7.0;
    case 3: return span >= 2.0 && min_dt < 1.0;
    default: return 1;
    }
}

static pmc_status fc_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                         pmc_ctx *ctx, pmc_model **out) {
    const pmc_forecaster_params *prm = params_;
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    fc_obs *obs = NULL;
    double *work = NULL, *x = NULL, *cp_days = NULL, *cache = NULL;
    fc_problem pb;
    memset(&pb, 0, sizeof pb);
    const pmc_matrix *X = &data->X;
    PMC_TRY(pmc_matrix_check(X, "X"));
    PMC_TRY(fc_check_params(prm, X));
    if (data->y.ndim == 0) return pmc_fail(PMC_ERR_VALUE, "y is required");
    PMC_TRY(pmc_view_check(&data->y, "y", 0, 1, X->n_rows, -1));
    const pmc_view *Xv = &X->dense;
    const int64_t S = prm->seasonalities.ndim ? prm->seasonalities.shape[0] : 0;
    const int64_t F = prm->features.ndim ? prm->features.shape[0] : 0;

    /* The observations: rows with a finite y (Prophet drops NaN y), sorted by ds. */
    int64_t n = 0;
    double y_lo = INFINITY, y_hi = -INFINITY, y_abs = 0.0;
    PMC_ALLOC(obs, PMC_MAX(data->rows.n, 1), "observations");
    for (int64_t i = 0; i < data->rows.n; i++) {
        int64_t r = pmc_row_at(&data->rows, i);
        if (r < 0 || r >= X->n_rows) {
            status = pmc_fail(PMC_ERR_VALUE, "rows: index %lld outside X's %lld rows",
                              (long long)r, (long long)X->n_rows);
            goto error;
        }
        double y = pmc_get(&data->y, r, 0), t = pmc_get(Xv, r, 0);
        if (isnan(y)) continue;
        if (!isfinite(y)) {
            status = pmc_fail(PMC_ERR_VALUE, "y must not hold infinite values");
            goto error;
        }
        if (!isfinite(t)) {
            status = pmc_fail(PMC_ERR_VALUE, "ds must be finite (X column 0)");
            goto error;
        }
        for (int64_t f = 0; f < F; f++)
            if (!isfinite(pmc_get(Xv, r, (int64_t)pmc_get(&prm->features, f, 0)))) {
                status = pmc_fail(PMC_ERR_VALUE, "features %lld: found NaN or inf in X column %lld",
                                  (long long)f, (long long)pmc_get(&prm->features, f, 0));
                goto error;
            }
        /* Logistic growth: y relative to the row's floor (Prophet's scales). */
        double fl = prm->floor_column >= 0 ? pmc_get(Xv, r, prm->floor_column) : 0.0;
        if (prm->growth == GROWTH_LOGISTIC) {
            double cap = pmc_get(Xv, r, prm->cap_column);
            if (!isfinite(cap) || !isfinite(fl) || !(cap > fl)) {
                status = pmc_fail(PMC_ERR_VALUE, "cap must be finite and greater than floor "
                                  "(which defaults to 0), row %lld", (long long)r);
                goto error;
            }
            if (prm->floor_column >= 0 && prm->scaling == 1) {
                y_lo = PMC_MIN(y_lo, fl); /* minmax: y_min = min floor, y_scale = max cap - it */
                y_hi = PMC_MAX(y_hi, cap);
            }
        }
        obs[n].t = t;
        if (!(prm->floor_column >= 0 && prm->scaling == 1)) {
            y_lo = PMC_MIN(y_lo, y);
            y_hi = PMC_MAX(y_hi, y);
        }
        y_abs = PMC_MAX(y_abs, fabs(y - fl));
        obs[n].row = r;
        n++;
    }
    if (n < 2) {
        status = pmc_fail(PMC_ERR_VALUE, "Dataframe has less than 2 non-NaN rows.");
        goto error;
    }
    fc_sort_obs(obs, n);
    const double start = obs[0].t, span = obs[n - 1].t - obs[0].t;
    if (!(span > 0.0)) {
        status = pmc_fail(PMC_ERR_VALUE, "ds must hold at least two distinct times");
        goto error;
    }
    double min_dt = INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (i > 0 && obs[i].t > obs[i - 1].t) min_dt = PMC_MIN(min_dt, obs[i].t - obs[i - 1].t);
    }
    /* The constant floor of rows without a floor column. */
    double floor_y = prm->scaling == 1 ? y_lo : 0.0;
    double y_scale = prm->scaling == 1 ? y_hi - y_lo : y_abs;
    if (y_scale == 0.0) y_scale = 1.0;

    /* Changepoints in days: given, or Prophet's uniform choice among the first
     * changepoint_range of the sorted history. */
    int64_t n_cp = 0;
    if (prm->changepoints.ndim != 0) {
        n_cp = prm->changepoints.shape[0];
        PMC_ALLOC(cp_days, PMC_MAX(n_cp, 1), "changepoints");
        for (int64_t j = 0; j < n_cp; j++) {
            cp_days[j] = pmc_get(&prm->changepoints, j, 0);
            if (!(cp_days[j] >= obs[0].t && cp_days[j] <= obs[n - 1].t)) {
                status = pmc_fail(PMC_ERR_VALUE, "Changepoints must fall within training data.");
                goto error;
            }
        }
        qsort(cp_days, (size_t)n_cp, sizeof *cp_days, fc_double_cmp);
    } else {
        int64_t hist = (int64_t)floor((double)n * prm->changepoint_range);
        n_cp = prm->n_changepoints;
        if (n_cp + 1 > hist) n_cp = PMC_MAX(hist - 1, 0);
        PMC_ALLOC(cp_days, PMC_MAX(n_cp, 1), "changepoints");
        double step = n_cp > 0 ? (double)(hist - 1) / (double)n_cp : 0.0;
        for (int64_t j = 1; j <= n_cp; j++) {
            int64_t idx = j == n_cp ? hist - 1 : (int64_t)nearbyint((double)j * step);
            cp_days[j - 1] = obs[idx].t;
        }
    }
    /* Without changepoints Prophet keeps one at t = 0. */
    int64_t n_cp_model = n_cp > 0 ? n_cp : 1;

    int64_t P = F;
    for (int64_t s = 0; s < S; s++) {
        int active = fc_auto_active((int)pmc_get(&prm->seasonalities, s, 4), span, min_dt);
        if (active) P += 2 * (int64_t)pmc_get(&prm->seasonalities, s, 1);
    }
    PMC_TRY(fc_model_new(n_cp_model, S, F, P, &m));
    m->scales[SCALE_START] = start;
    m->scales[SCALE_T] = span;
    m->scales[SCALE_Y] = y_scale;
    m->scales[SCALE_FLOOR] = floor_y;
    m->settings[SET_GROWTH] = prm->growth;
    m->settings[SET_SCALING] = prm->scaling;
    m->settings[SET_WIDTH] = prm->interval_width;
    m->settings[SET_SAMPLES] = (double)prm->uncertainty_samples;
    m->settings[SET_CAP] = (double)prm->cap_column;
    m->settings[SET_FLOOR] = (double)prm->floor_column;
    m->seed = (int64_t)ctx->seed;
    for (int64_t j = 0; j < n_cp; j++) m->cp_t[j] = (cp_days[j] - start) / span;
    for (int64_t s = 0; s < S; s++) {
        for (int c = 0; c < 4; c++) m->seas[s * SEAS_N + c] = pmc_get(&prm->seasonalities, s, c);
        m->seas[s * SEAS_N + SEAS_ACTIVE] =
            fc_auto_active((int)pmc_get(&prm->seasonalities, s, 4), span, min_dt);
    }
    /* Extra columns: standardised with the fitted rows' mean and (n - 1) standard
     * deviation, as Prophet; 'auto' leaves 0/1 columns alone; a constant column
     * is left unscaled. */
    for (int64_t f = 0; f < F; f++) {
        double *fp = m->feat + f * FEAT_N;
        for (int c = 0; c < 4; c++) fp[c] = pmc_get(&prm->features, f, c);
        int64_t col = (int64_t)fp[FEAT_COLUMN];
        double sum = 0.0, binary = 1.0;
        for (int64_t i = 0; i < n; i++) {
            double v = pmc_get(Xv, obs[i].row, col);
            sum += v;
            if (v != 0.0 && v != 1.0) binary = 0.0;
        }
        double mu = sum / (double)n, ss = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double d = pmc_get(Xv, obs[i].row, col) - mu;
            ss += d * d;
        }
        double sd = sqrt(ss / (double)(n - 1));
        int standardize = fp[FEAT_STANDARDIZE] == 1.0 || (fp[FEAT_STANDARDIZE] == 2.0 && !binary);
        if (!(sd > 0.0)) standardize = 0;
        fp[FEAT_STANDARDIZE] = standardize;
        fp[FEAT_MU] = standardize ? mu : 0.0;
        fp[FEAT_STD] = standardize ? sd : 1.0;
    }

    /* Work: trend, multiplicative sum and residual per row; per-column specs. */
    const int64_t C = n_cp_model, q = 2 + C + P;
    PMC_ALLOC(work, 3 * n + 5 * P + 2 * q + 2 * (C + 1) + (C + 1) * (C + 2), "forecaster work");
    pb.g = work;
    pb.M = work + n;
    pb.r = work + 2 * n;
    double *mult = work + 3 * n, *prior = mult + P, *prec = prior + P, *l1 = prec + q;
    pb.xrow = l1 + q;
    pb.K = pb.xrow + P;
    pb.B = pb.K + C + 1;
    pb.dB = pb.B + C + 1;
    pb.beta_split = pb.dB + (C + 1) * (C + 2);
    /* Priors: normal(0, 5) on k and m, Laplace(0, tau) on delta, normal(0, s) on beta. */
    fc_column_specs(m, mult, prior);
    prec[0] = prec[1] = 1.0 / 25.0;
    for (int64_t p = 0; p < P; p++) prec[2 + C + p] = 1.0 / (prior[p] * prior[p]);
    if (prm->growth != GROWTH_FLAT)
        for (int64_t j = 0; j < C; j++) l1[2 + j] = 1.0 / prm->changepoint_prior_scale;
    pb.n = n;
    pb.C = C;
    pb.P = P;
    pb.q = q;
    pb.growth = prm->growth;
    pb.cap_col = prm->growth == GROWTH_LOGISTIC ? prm->cap_column : -1;
    pb.floor_col = prm->floor_column;
    pb.obs = obs;
    pb.y = &data->y;
    pb.start = start;
    pb.span = span;
    pb.floor_y = floor_y;
    pb.y_scale = y_scale;
    pb.cp = m->cp_t;
    pb.model = m;
    pb.X = Xv;
    if (n * P <= FC_CACHE_MAX) { /* small: compute the features once */
        PMC_ALLOC(cache, PMC_MAX(n * P, 1), "feature cache");
        for (int64_t i = 0; i < n; i++) fc_feature_row(m, Xv, obs[i].row, obs[i].t, cache + i * P);
        pb.cache = cache;
    }
    pb.mult = mult;
    pb.prec = prec;
    pb.l1 = l1;

    /* Prophet's start: the line (logistic: curve) through the first and last
     * points (flat: the mean), no changes, no seasonality -- or a previous model
     * of the same shape. */
    PMC_ALLOC(x, q, "parameters");
    if (prm->growth == GROWTH_FLAT) {
        double mean = 0.0;
        for (int64_t i = 0; i < n; i++) mean += fc_y(&pb, i);
        x[1] = mean / (double)n;
    } else if (prm->growth == GROWTH_LOGISTIC) {
        double c0 = fc_cap(&pb, 0), c1 = fc_cap(&pb, n - 1), T = fc_t(&pb, n - 1) - fc_t(&pb, 0);
        double y0 = PMC_MAX(0.01 * c0, PMC_MIN(0.99 * c0, fc_y(&pb, 0)));
        double y1 = PMC_MAX(0.01 * c1, PMC_MIN(0.99 * c1, fc_y(&pb, n - 1)));
        double r0 = c0 / y0, r1 = c1 / y1;
        if (fabs(r0 - r1) <= 0.01) r0 *= 1.05;
        double L0 = log(r0 - 1.0), L1 = log(r1 - 1.0);
        x[1] = L0 * T / (L0 - L1);
        x[0] = (L0 - L1) / T;
    } else {
        x[0] = (fc_y(&pb, n - 1) - fc_y(&pb, 0)) / (fc_t(&pb, n - 1) - fc_t(&pb, 0));
        x[1] = fc_y(&pb, 0) - x[0] * fc_t(&pb, 0);
    }
    if (init && init->n_cp == C && init->P == P) {
        x[0] = init->params[PAR_K];
        x[1] = init->params[PAR_M];
        memcpy(x + 2, init->delta, (size_t)C * sizeof *x);
        memcpy(x + 2 + C, init->beta, (size_t)P * sizeof *x);
    }
    PMC_TRY(fc_solve(&pb, x, prm->max_iter, ctx, &m->n_iter, &m->params[PAR_SIGMA]));
    m->params[PAR_K] = x[0];
    m->params[PAR_M] = x[1];
    memcpy(m->delta, x + 2, (size_t)C * sizeof *x);
    memcpy(m->beta, x + 2 + C, (size_t)P * sizeof *x);
    *out = m;
    m = NULL;
error:
    fc_free(&m);
    free(obs);
    free(cache);
    free(work);
    free(x);
    free(cp_days);
    return status;
}

/* ---- prediction and intervals --------------------------------------------------- */

/* Standard normal quantile (Acklam's rational approximation, then one Halley
 * step on erfc: accurate to rounding). */
static double fc_normal_quantile(double p) {
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    double q, r, x;
    if (p < 0.02425) {
        q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else if (p > 1.0 - 0.02425) {
        q = sqrt(-2.0 * log(1.0 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
    double u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

/* Poisson draw by Knuth's product of uniforms, in pieces of mean <= 30. */
static int64_t fc_poisson(pmc_rng *rng, double mean) {
    int64_t count = 0;
    while (mean > 0.0) {
        double piece = PMC_MIN(mean, 30.0), limit = exp(-piece), prod = pmc_rng_uniform(rng);
        while (prod > limit) {
            count++;
            prod *= pmc_rng_uniform(rng);
        }
        mean -= piece;
    }
    return count;
}

static double fc_laplace(pmc_rng *rng, double scale) {
    double u = pmc_rng_uniform(rng) - 0.5;
    return -scale * (u < 0 ? -1.0 : 1.0) * log(1.0 - 2.0 * fabs(u));
}

/* Places the k-th smallest of a[lo..hi] at a[k], smaller ones before, larger
 * after: quickselect with branch-free three-way partitions (random samples
 * defeat branch prediction; the trend samples hold long runs of equal values). */
static void fc_select(double *a, int64_t lo, int64_t hi, int64_t k) {
    while (lo < hi) {
        double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
        double pivot = PMC_MAX(PMC_MIN(x, y), PMC_MIN(PMC_MAX(x, y), z)); /* median of 3 */
        int64_t lt = lo, le;
        for (int64_t i = lo; i <= hi; i++) { /* [lo, lt): < pivot */
            double v = a[i];
            a[i] = a[lt];
            a[lt] = v;
            lt += v < pivot;
        }
        le = lt;
        for (int64_t i = lt; i <= hi; i++) { /* [lt, le): == pivot */
            double v = a[i];
            a[i] = a[le];
            a[le] = v;
            le += v <= pivot;
        }
        if (k < lt) hi = lt - 1;
        else if (k >= le) lo = le;
        else return;
    }
}

/* numpy's linear-interpolation percentiles of a[0..n) at levels q_lo <= q_hi
 * (reorders a).  The two order statistics each needs are found with two
 * selections and scans of the short ends only: a[k_lo], a[k_lo + 1] by placing
 * k_lo + 1 and taking the maximum before it; a[k_hi], a[k_hi + 1] by placing
 * k_hi (in the part above k_lo + 1) and taking the minimum after it. */
static void fc_percentiles_at(double *a, int64_t n, double pos_lo, double pos_hi, double *lo,
                              double *hi) {
    int64_t k_lo = (int64_t)floor(pos_lo), k_hi = (int64_t)floor(pos_hi);
    int64_t up = PMC_MIN(k_lo + 1, n - 1);
    fc_select(a, 0, n - 1, up);
    double v_lo = a[0];
    for (int64_t j = 1; j <= k_lo; j++) v_lo = PMC_MAX(v_lo, a[j]);
    if (up == k_lo) v_lo = a[k_lo];
    *lo = v_lo + (pos_lo - (double)k_lo) * (a[up] - v_lo);
    if (k_hi > up) fc_select(a, up + 1, n - 1, k_hi);
    double v_hi = a[k_hi], next = v_hi;
    if (k_hi + 1 < n) {
        next = a[k_hi + 1];
        for (int64_t j = k_hi + 2; j < n; j++) next = PMC_MIN(next, a[j]);
    }
    if (k_hi < up) { /* k_hi == k_lo: both at the same place */
        v_hi = v_lo;
        next = a[up];
    }
    *hi = v_hi + (pos_hi - (double)k_hi) * (next - v_hi);
}

static void fc_quantiles(double *a, int64_t n, double q_lo, double q_hi, double *lo, double *hi) {
    fc_percentiles_at(a, n, q_lo * (double)(n - 1), q_hi * (double)(n - 1), lo, hi);
}

/* fc_quantiles of a[0..n) (left unchanged) given guesses of the two results:
 * one branch-free pass copies the samples <= guess_lo and >= guess_hi into
 * `scratch` (2 n doubles); when each side holds the order statistics its
 * percentile needs (all samples left out lie strictly between), the selections
 * run on those few samples only.  Otherwise (a poor guess) on all of them.
 * The results are the same either way; only the work differs. */
static void fc_quantiles_guided(const double *a, int64_t n, double q_lo, double q_hi,
                                double guess_lo, double guess_hi, double *scratch, double *lo,
                                double *hi) {
    int64_t k_lo = (int64_t)floor(q_lo * (double)(n - 1));
    int64_t k_hi = (int64_t)floor(q_hi * (double)(n - 1));
    double *below = scratch, *above = scratch + n;
    int64_t n_below = 0, n_above = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = a[i];
        below[n_below] = v;
        n_below += v <= guess_lo;
        above[n_above] = v;
        n_above += v >= guess_hi;
    }
    if (guess_lo < guess_hi && n_below >= PMC_MIN(k_lo + 2, n) && n_above >= n - k_hi &&
        k_lo < k_hi) {
        double unused, pos_lo = q_lo * (double)(n - 1), pos_hi = q_hi * (double)(n - 1);
        /* The k smallest of a are the k smallest of `below`; the top ones likewise,
         * shifted by the n - n_above samples under them. */
        fc_percentiles_at(below, n_below, pos_lo, pos_lo, lo, &unused);
        double shift = (double)(n - n_above);
        fc_percentiles_at(above, n_above, pos_hi - shift, pos_hi - shift, &unused, hi);
        return;
    }
    memcpy(scratch, a, (size_t)n * sizeof *a);
    fc_quantiles(scratch, n, q_lo, q_hi, lo, hi);
}

/* Future trend changes per sample path, Prophet's way: Poisson(n_cp (T - 1))
 * changepoints uniform on (1, T], Laplace(0, mean |delta|) slope changes; each
 * sample's changepoints are sorted and carry the trend segment they start. */
typedef struct {
    int64_t U;
    int64_t *start;     /* U + 1 offsets into cp / K / B */
    double *cp, *K, *B; /* changepoint, then the segment after it */
    double earliest;    /* smallest simulated changepoint (INFINITY if none) */
    pmc_ziggurat zig;   /* the noise's normal generator tables */
} fc_paths;

static void fc_paths_release(fc_paths *p) {
    free(p->start);
    free(p->cp);
    free(p->K);
    free(p->B);
    memset(p, 0, sizeof *p);
}

/* K_last, B_last: the fitted trend's last segment, where the paths start. */
static pmc_status fc_paths_build(const pmc_model *m, double T, double K_last, double B_last,
                                 fc_paths *paths) {
    pmc_status status = PMC_OK;
    const int64_t U = (int64_t)m->settings[SET_SAMPLES];
    const int growth = (int)m->settings[SET_GROWTH];
    double rate = growth == GROWTH_FLAT || !(T > 1.0) ? 0.0 : (double)m->n_cp * (T - 1.0);
    double lambda = 1e-8;
    for (int64_t j = 0; j < m->n_cp; j++) lambda += fabs(m->delta[j]) / (double)m->n_cp;
    memset(paths, 0, sizeof *paths);
    pmc_ziggurat_init(&paths->zig);
    paths->U = U;
    paths->earliest = INFINITY;
    PMC_ALLOC(paths->start, U + 1, "sample paths");
    for (int pass = 0; pass < 2; pass++) {
        int64_t at = 0;
        for (int64_t s = 0; s < U; s++) {
            pmc_rng rng;
            pmc_rng_seed(&rng, (uint64_t)m->seed, (uint64_t)s + 1);
            int64_t count = rate > 0.0 ? fc_poisson(&rng, rate) : 0;
            if (pass == 1) {
                double *cp = paths->cp + at, *dl = paths->B + at; /* B holds deltas for now */
                for (int64_t c = 0; c < count; c++) {
                    double v = 1.0 + pmc_rng_uniform(&rng) * (T - 1.0);
                    double d = fc_laplace(&rng, lambda);
                    int64_t j = c; /* insertion: cp ascending */
                    for (; j > 0 && cp[j - 1] > v; j--) {
                        cp[j] = cp[j - 1];
                        dl[j] = dl[j - 1];
                    }
                    cp[j] = v;
                    dl[j] = d;
                }
                double K = K_last, B = B_last;
                for (int64_t c = 0; c < count; c++) {
                    fc_segment_step(growth, K, B, cp[c], dl[c], &K, &B);
                    paths->K[at + c] = K;
                    paths->B[at + c] = B;
                }
                if (count > 0) paths->earliest = PMC_MIN(paths->earliest, cp[0]);
            }
            paths->start[s] = at;
            at += count;
        }
        paths->start[U] = at;
        if (pass == 0) {
            PMC_ALLOC(paths->cp, PMC_MAX(at, 1), "sample changepoints");
            PMC_ALLOC(paths->K, PMC_MAX(at, 1), "sample changepoints");
            PMC_ALLOC(paths->B, PMC_MAX(at, 1), "sample changepoints");
        }
    }
    return PMC_OK;
error:
    fc_paths_release(paths);
    return status;
}

typedef struct {
    const pmc_model *m;
    const pmc_view *X;
    const pmc_rows *rows;
    pmc_method method;
    pmc_view *out;
    const fc_paths *paths;
    const double *K, *B; /* the fitted trend's segments (n_cp + 1) */
} fc_apply_arg;

static pmc_status fc_apply_task(int64_t task, int thread, void *arg_) {
    const fc_apply_arg *a = arg_;
    const pmc_model *m = a->m;
    pmc_status status = PMC_OK;
    double *xrow = NULL, *ys = NULL, *ts = NULL, *noise = NULL, *scratch = NULL;
    /* The previous sampled row's quantiles relative to its centre: a date's
     * interval is close to the day before's, so 80% of them guide the next
     * selection (fc_quantiles_guided; the results do not depend on it). */
    double off[4] = {NAN, NAN, NAN, NAN};
    const int64_t U = a->paths->U, first = task * FC_ROWS_PER_TASK;
    const int64_t count = PMC_MIN(FC_ROWS_PER_TASK, a->rows->n - first);
    const int growth = (int)m->settings[SET_GROWTH];
    const int64_t cap_col = (int64_t)m->settings[SET_CAP];
    const int64_t floor_col = (int64_t)m->settings[SET_FLOOR];
    const double y_scale = m->scales[SCALE_Y];
    const double sigma = m->params[PAR_SIGMA] * y_scale, width = m->settings[SET_WIDTH];
    const double q_lo = (1.0 - width) / 2.0, q_hi = 1.0 - q_lo;
    const double z = fc_normal_quantile(q_hi);
    PMC_ALLOC(xrow, PMC_MAX(m->P, 1), "feature row");
    if (a->method == PMC_TRANSFORM && U > 0) {
        PMC_ALLOC(ys, U, "samples");
        PMC_ALLOC(ts, U, "samples");
        PMC_ALLOC(noise, U, "samples");
        PMC_ALLOC(scratch, 2 * U, "samples");
    }
    for (int64_t i = first; i < first + count; i++) {
        int64_t r = pmc_row_at(a->rows, i);
        double tday = pmc_get(a->X, r, 0);
        double floor_r = fc_row_floor(a->X, r, floor_col, m->scales[SCALE_FLOOR]);
        double cap = growth == GROWTH_LOGISTIC
                         ? (pmc_get(a->X, r, cap_col) - floor_r) / y_scale : 0.0;
        if (!isfinite(tday) || !isfinite(cap) || !isfinite(floor_r)) {
            status = pmc_fail(PMC_ERR_VALUE, "ds, cap and floor must be finite (X row %lld)",
                              (long long)r);
            goto error;
        }
        double t = (tday - m->scales[SCALE_START]) / m->scales[SCALE_T];
        fc_feature_row(m, a->X, r, tday, xrow);
        int64_t seg = fc_segment_of(m->cp_t, m->n_cp, t);
        double g = fc_segment_value(growth, a->K[seg], a->B[seg], t, cap);
        double trend = g * y_scale + floor_r, M = 0.0, A = 0.0;
        int64_t p = 0, col = PMC_FORECASTER_N_FIXED_COLUMNS;
        /* Components: each seasonality, then each extra column. */
        for (int64_t s = 0; s < m->S + m->F; s++, col++) {
            int64_t width_s, mode;
            if (s < m->S) {
                const double *sp = m->seas + s * SEAS_N;
                width_s = sp[SEAS_ACTIVE] != 0.0 ? 2 * (int64_t)sp[SEAS_ORDER] : 0;
                mode = (int64_t)sp[SEAS_MODE];
            } else {
                width_s = 1;
                mode = (int64_t)m->feat[(s - m->S) * FEAT_N + FEAT_MODE];
            }
            double v = 0.0;
            for (int64_t j = 0; j < width_s; j++, p++) v += xrow[p] * m->beta[p];
            if (mode) M += v;
            else A += v;
            if (a->method == PMC_TRANSFORM) pmc_put(a->out, i, col, mode ? v : v * y_scale);
        }
        if (!isfinite(M + A)) {
            status = pmc_fail(PMC_ERR_VALUE, "X row %lld: regressor values must be finite",
                              (long long)r);
            goto error;
        }
        A *= y_scale;
        double yhat = trend * (1.0 + M) + A;
        if (a->method == PMC_PREDICT) {
            pmc_put(a->out, i, 0, yhat);
            continue;
        }
        double lo = NAN, hi = NAN, t_lo = NAN, t_hi = NAN;
        if (U > 0 && !(t >= a->paths->earliest)) {
            /* No sampled trend change at or before t: the samples are yhat plus
             * Gaussian noise, whose quantiles are exact. */
            lo = yhat - z * sigma;
            hi = yhat + z * sigma;
            t_lo = t_hi = trend;
        } else if (U > 0) {
            /* The noise stream is named by the date (not the row's position), so a
             * date gets the same interval whichever rows are predicted with it. */
            uint64_t date_bits;
            memcpy(&date_bits, &tday, sizeof date_bits);
            pmc_rng rng;
            pmc_rng_seed(&rng, (uint64_t)m->seed, ((uint64_t)U + 1) ^ (date_bits * 0x9E3779B97F4A7C15ULL));
            pmc_rng_normal_fill(&rng, &a->paths->zig, noise, U);
            for (int64_t s = 0; s < U; s++) {
                double gs = g;
                int64_t c = a->paths->start[s], last = -1;
                for (; c < a->paths->start[s + 1] && a->paths->cp[c] <= t; c++) last = c;
                if (last >= 0)
                    gs = fc_segment_value(growth, a->paths->K[last], a->paths->B[last], t, cap);
                ts[s] = gs * y_scale + floor_r;
                ys[s] = ts[s] * (1.0 + M) + A + sigma * noise[s];
            }
            if (isnan(off[0])) { /* no guide: the noise alone, and the exact trend */
                off[0] = -z * sigma;
                off[1] = z * sigma;
                off[2] = off[3] = 0.0;
            }
            fc_quantiles_guided(ys, U, q_lo, q_hi, yhat + 0.8 * off[0], yhat + 0.8 * off[1],
                                scratch, &lo, &hi);
            fc_quantiles_guided(ts, U, q_lo, q_hi, trend + 0.8 * off[2], trend + 0.8 * off[3],
                                scratch, &t_lo, &t_hi);
            off[0] = lo - yhat;
            off[1] = hi - yhat;
            off[2] = t_lo - trend;
            off[3] = t_hi - trend;
        }
        double fixed[PMC_FORECASTER_N_FIXED_COLUMNS] = {yhat, lo, hi, trend, t_lo, t_hi, A, M};
        for (int c = 0; c < PMC_FORECASTER_N_FIXED_COLUMNS; c++) pmc_put(a->out, i, c, fixed[c]);
    }
error:
    free(xrow);
    free(ys);
    free(ts);
    free(noise);
    free(scratch);
    return status;
}

static pmc_status fc_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                  int64_t *n_cols, pmc_dtype *dtype) {
    *dtype = PMC_FLOAT64;
    if (method == PMC_PREDICT) *n_cols = 0;
    else if (method == PMC_TRANSFORM) *n_cols = PMC_FORECASTER_N_FIXED_COLUMNS + m->S + m->F;
    else return pmc_fail(PMC_ERR_UNSUPPORTED, "the Forecaster has no %s", pmc_method_name(method));
    return PMC_OK;
}

static pmc_status fc_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                           pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    pmc_status status = PMC_OK;
    fc_paths paths;
    memset(&paths, 0, sizeof paths);
    double *K = NULL, *B = NULL;
    int64_t n_cols;
    pmc_dtype dtype;
    PMC_TRY(fc_output_shape(m, method, PMC_FLOAT64, &n_cols, &dtype));
    PMC_TRY(pmc_matrix_check(X, "X"));
    if (X->is_sparse) return pmc_fail(PMC_ERR_VALUE, "X must be dense for the Forecaster");
    int64_t widest = PMC_MAX(m->settings[SET_CAP], m->settings[SET_FLOOR]);
    for (int64_t f = 0; f < m->F; f++)
        widest = PMC_MAX(widest, (int64_t)m->feat[f * FEAT_N + FEAT_COLUMN]);
    if (widest >= X->n_cols)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld columns; the model reads column %lld",
                        (long long)X->n_cols, (long long)widest);
    if (X->n_cols < 1) return pmc_fail(PMC_ERR_VALUE, "X must hold ds in column 0");
    double T = -INFINITY;
    for (int64_t i = 0; i < rows.n; i++) {
        int64_t r = pmc_row_at(&rows, i);
        if (r < 0 || r >= X->n_rows)
            return pmc_fail(PMC_ERR_VALUE, "rows: index %lld outside X's %lld rows",
                            (long long)r, (long long)X->n_rows);
        T = PMC_MAX(T, (pmc_get(&X->dense, r, 0) - m->scales[SCALE_START]) / m->scales[SCALE_T]);
    }
    PMC_ALLOC(K, m->n_cp + 1, "trend segments");
    PMC_ALLOC(B, m->n_cp + 1, "trend segments");
    K[0] = (int)m->settings[SET_GROWTH] == GROWTH_FLAT ? 0.0 : m->params[PAR_K];
    B[0] = m->params[PAR_M];
    fc_segments((int)m->settings[SET_GROWTH], m->delta, m->cp_t, m->n_cp, K, B);
    if (method == PMC_TRANSFORM) PMC_TRY(fc_paths_build(m, T, K[m->n_cp], B[m->n_cp], &paths));
    else paths.earliest = INFINITY;
    fc_apply_arg arg = {m, &X->dense, &rows, method, out, &paths, K, B};
    int64_t tasks = (rows.n + FC_ROWS_PER_TASK - 1) / FC_ROWS_PER_TASK;
    PMC_TRY(pmc_parallel_for(tasks, ctx->n_threads, ctx, fc_apply_task, &arg));
error:
    fc_paths_release(&paths);
    free(K);
    free(B);
    return status;
}

/* ---- state ---------------------------------------------------------------------- */

static pmc_status fc_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_export(out, "scales_", m->scales, SCALE_N, 0));
    PMC_TRY(pmc_export(out, "settings_", m->settings, SET_N, 0));
    PMC_TRY(pmc_export(out, "params_", m->params, PAR_N, 0));
    PMC_TRY(pmc_export(out, "changepoints_t_", m->cp_t, m->n_cp, 0));
    PMC_TRY(pmc_export(out, "delta_", m->delta, m->n_cp, 0));
    PMC_TRY(pmc_export(out, "seasonalities_", m->seas, m->S, SEAS_N));
    PMC_TRY(pmc_export(out, "features_", m->feat, m->F, FEAT_N));
    PMC_TRY(pmc_export(out, "beta_", m->beta, m->P, 0));
    PMC_TRY(pmc_arrays_add(out, "seed_", pmc_view_1d((void *)&m->seed, PMC_INT64, 1)));
    PMC_TRY(pmc_arrays_add(out, "n_iter_", pmc_view_1d((void *)&m->n_iter, PMC_INT64, 1)));
error:
    return status;
}

/* Copies a 1-D or 2-D float array of the given shape, refusing non-finite values. */
static pmc_status fc_import_doubles(const pmc_arrays *in, const char *name, int ndim,
                                    int64_t rows, int64_t cols, double *dst) {
    const pmc_view *v;
    pmc_status status = pmc_arrays_get(in, name, ndim, rows, cols, &v);
    if (status != PMC_OK) return status;
    if (v->dtype != PMC_FLOAT64 && v->dtype != PMC_FLOAT32)
        return pmc_fail(PMC_ERR_VALUE, "%s must be a float array", name);
    int64_t nc = ndim == 2 ? cols : 1;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < nc; j++) {
            double x = pmc_get(v, i, j);
            if (!isfinite(x)) return pmc_fail(PMC_ERR_VALUE, "%s holds a non-finite value", name);
            dst[i * nc + j] = x;
        }
    return PMC_OK;
}

static pmc_status fc_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    const pmc_view *cp, *seas, *feat, *beta, *seed;
    PMC_TRY(pmc_arrays_get(in, "changepoints_t_", 1, -1, -1, &cp));
    PMC_TRY(pmc_arrays_get(in, "seasonalities_", 2, -1, SEAS_N, &seas));
    PMC_TRY(pmc_arrays_get(in, "features_", 2, -1, FEAT_N, &feat));
    PMC_TRY(pmc_arrays_get(in, "beta_", 1, -1, -1, &beta));
    PMC_TRY(pmc_arrays_get(in, "seed_", 1, 1, -1, &seed));
    if (seed->dtype != PMC_INT64) return pmc_fail(PMC_ERR_VALUE, "seed_ must be int64");
    if (cp->shape[0] < 1) return pmc_fail(PMC_ERR_VALUE, "changepoints_t_ must not be empty");
    PMC_TRY(fc_model_new(cp->shape[0], seas->shape[0], feat->shape[0], beta->shape[0], &m));
    PMC_TRY(fc_import_doubles(in, "scales_", 1, SCALE_N, -1, m->scales));
    PMC_TRY(fc_import_doubles(in, "settings_", 1, SET_N, -1, m->settings));
    PMC_TRY(fc_import_doubles(in, "params_", 1, PAR_N, -1, m->params));
    PMC_TRY(fc_import_doubles(in, "changepoints_t_", 1, m->n_cp, -1, m->cp_t));
    PMC_TRY(fc_import_doubles(in, "delta_", 1, m->n_cp, -1, m->delta));
    PMC_TRY(fc_import_doubles(in, "seasonalities_", 2, m->S, SEAS_N, m->seas));
    PMC_TRY(fc_import_doubles(in, "features_", 2, m->F, FEAT_N, m->feat));
    PMC_TRY(fc_import_doubles(in, "beta_", 1, m->P, -1, m->beta));
    m->seed = pmc_get_index(seed, 0);
    const pmc_view *n_iter = pmc_arrays_find(in, "n_iter_");
    if (n_iter && n_iter->ndim == 1 && n_iter->shape[0] == 1 && n_iter->dtype == PMC_INT64)
        m->n_iter = pmc_get_index(n_iter, 0);
    if (!(m->scales[SCALE_T] > 0.0) || !(m->scales[SCALE_Y] > 0.0) || !(m->params[PAR_SIGMA] > 0.0))
        PMC_TRY(pmc_fail(PMC_ERR_VALUE, "scales_ and params_ must hold positive scales"));
    double g = m->settings[SET_GROWTH], sc = m->settings[SET_SCALING];
    double capc = m->settings[SET_CAP], flc = m->settings[SET_FLOOR];
    if (capc != floor(capc) || flc != floor(flc) || capc < -1 || flc < -1 || capc > 1e15 ||
        flc > 1e15 || (g == GROWTH_LOGISTIC) != (capc >= 1) || (flc >= 0 && flc < 1) ||
        (flc >= 1 && g != GROWTH_LOGISTIC) || capc == 0)
        PMC_TRY(pmc_fail(PMC_ERR_VALUE, "settings_ holds invalid cap/floor columns"));
    double w = m->settings[SET_WIDTH], u = m->settings[SET_SAMPLES];
    if ((g != 0.0 && g != 1.0 && g != 2.0) || (sc != 0.0 && sc != 1.0) || !(w > 0.0 && w < 1.0) ||
        !(u >= 0.0 && u <= FC_MAX_SAMPLES) || u != floor(u))
        PMC_TRY(pmc_fail(PMC_ERR_VALUE, "settings_ holds an invalid value"));
    for (int64_t j = 0; j < m->n_cp; j++)
        if (j > 0 && m->cp_t[j] < m->cp_t[j - 1])
            PMC_TRY(pmc_fail(PMC_ERR_VALUE, "changepoints_t_ must be ascending"));
    for (int64_t s = 0; s < m->S; s++) {
        const double *sp = m->seas + s * SEAS_N;
        if (!(sp[SEAS_PERIOD] > 0.0) || !(sp[SEAS_ORDER] >= 1 && sp[SEAS_ORDER] <= FC_MAX_ORDER) ||
            sp[SEAS_ORDER] != floor(sp[SEAS_ORDER]) ||
            (sp[SEAS_MODE] != 0.0 && sp[SEAS_MODE] != 1.0) ||
            (sp[SEAS_ACTIVE] != 0.0 && sp[SEAS_ACTIVE] != 1.0))
            PMC_TRY(pmc_fail(PMC_ERR_VALUE, "seasonalities_ row %lld is invalid", (long long)s));
    }
    for (int64_t f = 0; f < m->F; f++) {
        const double *fp = m->feat + f * FEAT_N;
        if (!(fp[FEAT_COLUMN] >= 1 && fp[FEAT_COLUMN] < 1e15) ||
            fp[FEAT_COLUMN] != floor(fp[FEAT_COLUMN]) ||
            (fp[FEAT_MODE] != 0.0 && fp[FEAT_MODE] != 1.0) || !(fp[FEAT_STD] > 0.0))
            PMC_TRY(pmc_fail(PMC_ERR_VALUE, "features_ row %lld is invalid", (long long)f));
    }
    if (fc_n_columns(m->seas, m->S, m->F) != m->P)
        PMC_TRY(pmc_fail(PMC_ERR_VALUE, "beta_ has %lld entries, the seasonalities and features "
                         "need %lld", (long long)m->P,
                         (long long)fc_n_columns(m->seas, m->S, m->F)));
    *out = m;
    return PMC_OK;
error:
    fc_free(&m);
    return status;
}

/* ---- the table -------------------------------------------------------------------- */

#define FC_P(field) offsetof(pmc_forecaster_params, field)
static const pmc_param_spec fc_params[] = {
    {"growth", PMC_PARAM_CHOICE, FC_P(growth), pmc_forecaster_growth_names},
    {"n_changepoints", PMC_PARAM_INT, FC_P(n_changepoints), NULL},
    {"changepoint_range", PMC_PARAM_DOUBLE, FC_P(changepoint_range), NULL},
    {"changepoint_prior_scale", PMC_PARAM_DOUBLE, FC_P(changepoint_prior_scale), NULL},
    {"changepoints", PMC_PARAM_VIEW, FC_P(changepoints), NULL},
    {"seasonalities", PMC_PARAM_VIEW, FC_P(seasonalities), NULL},
    {"features", PMC_PARAM_VIEW, FC_P(features), NULL},
    {"scaling", PMC_PARAM_CHOICE, FC_P(scaling), pmc_forecaster_scaling_names},
    {"interval_width", PMC_PARAM_DOUBLE, FC_P(interval_width), NULL},
    {"uncertainty_samples", PMC_PARAM_INT, FC_P(uncertainty_samples), NULL},
    {"max_iter", PMC_PARAM_INT, FC_P(max_iter), NULL},
    {"cap_column", PMC_PARAM_INT, FC_P(cap_column), NULL},
    {"floor_column", PMC_PARAM_INT, FC_P(floor_column), NULL},
};

const pmc_estimator pmc_forecaster_estimator = {
    "Forecaster", sizeof(pmc_forecaster_params), fc_params,
    (int)(sizeof fc_params / sizeof fc_params[0]), fc_fit, fc_output_shape, fc_apply, fc_export,
    fc_import, fc_free};
