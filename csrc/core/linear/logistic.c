/* LogisticRegression: binary (one coefficient row, sigmoid) and multinomial
 * (one row per class, softmax, scikit-learn's symmetric parametrisation).
 * Smooth penalties (L2, none) are minimised by L-BFGS, L1 and elastic net by the
 * proximal quasi-Newton method of the same module (../common/lbfgs.c: coordinate
 * descent on the L-BFGS quadratic model plus the L1 term).  Both evaluate the
 * objective with one fused pass over row blocks: decision (pmc_linear_decision),
 * pointwise loss and derivative, X^T u (pmc_linear_transpose_dot); each block is
 * read while it is still in cache, and the per-chunk partial sums are added in
 * chunk order, so the result does not depend on the thread count. */
#include <float.h>

#include "blas.h"
#include "internal.h"
#include "lbfgs.h"
#include "pmc/linear.h"

struct pmc_model {
    pmc_linear_coefs coefs; /* k x p; k = 1 for two classes */
    int64_t n_classes;
    double n_iter;
    pmc_dtype coef_dtype;   /* of an imported coef_: outputs follow NumPy's promotion */
};

static void logistic_free(pmc_model **m) {
    if (!*m) return;
    pmc_linear_coefs_release(&(*m)->coefs);
    free(*m);
    *m = NULL;
}

static pmc_rows sub_rows(const pmc_rows *rows, int64_t first, int64_t count) {
    pmc_rows r;
    r.index = rows->index ? rows->index + first : NULL;
    r.start = rows->index ? 0 : rows->start + first;
    r.n = count;
    return r;
}

/* Rows per block of the fused pass: cache-sized for dense data; for CSR, where
 * each block costs O(p k) of bookkeeping in the shared kernels, at least p. */
static int64_t pass_block_rows(const pmc_matrix *X) {
    return X->is_sparse ? PMC_MAX(4096, X->n_cols) : pmc_block_rows(X->n_cols);
}

/* ---- the objective --------------------------------------------------------- */

typedef struct {
    const pmc_data *data;
    pmc_ctx *ctx;
    int64_t k, p, n_chunks, block;
    int fit_intercept;
    double weight_sum, inv_weight_sum; /* S, 1 / S */
    double l2, l1;             /* penalty strengths on coef */
    double l2_b, l1_b;         /* and on the intercept (liblinear only) */
    const double *coef, *intercept; /* the point being evaluated */
    double *partial_grad;      /* n_chunks x (p k): X^T u per chunk */
    double *partial_extra;     /* n_chunks x (1 + k): weighted loss, then sum of u */
    double *label, *weight;    /* per position in data->rows, read once as double */
} logistic_problem;

/* glibc's libmvec has SIMD exp and log1p, but math.h announces them only under
 * -ffast-math, whose reassociation we do not want: declare them here so that the
 * `omp simd` loop below calls the vector versions (-fno-math-errno is set), and
 * let that loop compare without trapping-math (no FP exception is ever read), or
 * gcc keeps its selects as branches and does not vectorise it.  An AVX2 clone
 * (chosen at load time) calls libmvec's 4-wide versions: log1p is a sixth of a
 * batched fit's time. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
__attribute__((simd("notinbranch"))) double exp(double);
__attribute__((simd("notinbranch"))) double log1p(double);
#define PMC_VECTOR_MATH __attribute__((optimize("no-trapping-math"), target_clones("avx2", "default")))
#else
#define PMC_VECTOR_MATH
#endif

/* Two classes: z (count) holds decisions on entry and u_i = w_i (mu_i - y_i) on
 * exit, loss_i = w_i (log(1 + e^-|z|) + max(z, 0) - y z).  Branch-free, so that
 * it vectorises; the sums stay sequential in row order (the caller's). */
PMC_VECTOR_MATH static void binary_terms(int64_t count, double *restrict z, const double *restrict y,
                         const double *restrict w, double *restrict loss) {
#pragma omp simd
    for (int64_t b = 0; b < count; b++) {
        double zi = z[b], e = exp(-fabs(zi)), l = log1p(e);
        double mu = (zi > 0 ? 1.0 : e) / (1.0 + e);
        /* y is 0 or 1: the exact value of z (1 - y) for z > 0, of -y z otherwise */
        double margin = (zi > 0 ? zi : 0.0) - y[b] * zi;
        loss[b] = w[b] * (margin + l);
        z[b] = w[b] * (mu - y[b]);
    }
}

/* z (count x k) holds decisions on entry and u_it = s_i (p_it - y_it) on exit;
 * y and w are the block's labels and weights, scratch has room for count doubles;
 * extra[0] += sum_i s_i loss_i, extra[1 + t] += sum_i u_it. */
static void pointwise(int64_t k, int64_t count, const double *y, const double *w, double *z,
                      double *scratch, double *extra) {
    double loss = 0.0;
    if (k == 1) {
        binary_terms(count, z, y, w, scratch);
        double sum_u = extra[1];
        for (int64_t b = 0; b < count; b++) {
            loss += scratch[b];
            sum_u += z[b];
        }
        extra[1] = sum_u;
        extra[0] += loss;
        return;
    }
    for (int64_t b = 0; b < count; b++) {
        int64_t label = (int64_t)y[b];
        double *zi = z + b * k, zmax = zi[0], sum = 0.0;
        for (int64_t t = 1; t < k; t++) zmax = PMC_MAX(zmax, zi[t]);
        double z_label = zi[label];
        for (int64_t t = 0; t < k; t++) {
            zi[t] = exp(zi[t] - zmax);
            sum += zi[t];
        }
        loss += w[b] * (zmax + log(sum) - z_label);
        double scale = w[b] / sum;
        for (int64_t t = 0; t < k; t++) {
            zi[t] = scale * zi[t] - (t == label ? w[b] : 0.0);
            extra[1 + t] += zi[t];
        }
    }
    extra[0] += loss;
}

static pmc_status pass_chunk(int64_t c, int thread, void *arg) {
    const logistic_problem *pb = arg;
    const pmc_data *d = pb->data;
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k, first, count;
    pmc_chunk_range(d->rows.n, pb->n_chunks, c, &first, &count);
    double *acc = pb->partial_grad + c * p * k, *extra = pb->partial_extra + c * (1 + k);
    double *z = NULL, *xtu = NULL, *scratch = NULL;
    /* The shared kernels run single-threaded inside this task. */
    pmc_ctx one = pmc_ctx_default();
    one.interrupt = pb->ctx->interrupt;
    memset(acc, 0, (size_t)(p * k) * sizeof(double));
    memset(extra, 0, (size_t)(1 + k) * sizeof(double));
    int64_t block = PMC_MIN(pb->block, PMC_MAX(count, 1));
    PMC_ALLOC(z, block * k, "logistic decision block");
    PMC_ALLOC(xtu, p * k, "logistic gradient block");
    PMC_ALLOC(scratch, block, "logistic loss block");
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        int64_t nb = PMC_MIN(block, count - b0);
        pmc_rows sub = sub_rows(&d->rows, first + b0, nb);
        pmc_view zv = k == 1 ? pmc_view_1d(z, PMC_FLOAT64, nb) : pmc_view_2d(z, PMC_FLOAT64, nb, k);
        PMC_TRY(pmc_linear_decision(pb->coef, pb->intercept, k, &d->X, sub, &one, &zv));
        pointwise(k, nb, pb->label + first + b0, pb->weight + first + b0, z, scratch, extra);
        PMC_TRY(pmc_linear_transpose_dot(&d->X, sub, z, k, &one, xtu));
        for (int64_t i = 0; i < p * k; i++) acc[i] += xtu[i];
    }
error:
    free(z);
    free(xtu);
    free(scratch);
    return status;
}

/* grad holds the summed X^T u (and sums of u) and loss the weighted loss at w:
 * scale both by 1 / S and add the L2 penalty (l2 on coef, l2_b on the intercept). */
static void add_penalty(const logistic_problem *pb, double l2, double l2_b, const double *w,
                        double loss, double *grad, double *f) {
    int64_t kp = pb->k * pb->p;
    double penalty = 0.0;
    for (int64_t i = 0; i < kp; i++) {
        grad[i] = grad[i] * pb->inv_weight_sum + l2 * w[i];
        penalty += l2 * w[i] * w[i];
    }
    if (pb->fit_intercept)
        for (int64_t t = kp; t < kp + pb->k; t++) {
            grad[t] = grad[t] * pb->inv_weight_sum + l2_b * w[t];
            penalty += l2_b * w[t] * w[t];
        }
    *f = loss * pb->inv_weight_sum + 0.5 * penalty;
}

/* f and grad at w = [coef (k x p), b (k) if fit_intercept]. */
static pmc_status problem_fg(const double *w, double *f, double *grad, void *arg) {
    logistic_problem *pb = arg;
    pmc_status status;
    int64_t p = pb->p, k = pb->k;
    pb->coef = w;
    pb->intercept = pb->fit_intercept ? w + k * p : NULL;
    status = pmc_parallel_for(pb->n_chunks, pb->ctx->n_threads, pb->ctx, pass_chunk, pb);
    if (status != PMC_OK) return status;
    double loss = 0.0;
    for (int64_t i = 0; i < k * p + (pb->fit_intercept ? k : 0); i++) grad[i] = 0.0;
    for (int64_t c = 0; c < pb->n_chunks; c++) {
        const double *acc = pb->partial_grad + c * p * k, *extra = pb->partial_extra + c * (1 + k);
        loss += extra[0];
        for (int64_t j = 0; j < p; j++)
            for (int64_t t = 0; t < k; t++) grad[t * p + j] += acc[j * k + t];
        if (pb->fit_intercept)
            for (int64_t t = 0; t < k; t++) grad[k * p + t] += extra[1 + t];
    }
    add_penalty(pb, pb->l2, pb->l2_b, w, loss, grad, f);
    return PMC_OK;
}

static int is_l1_active(const pmc_logistic_regression_params *prm) {
    return isfinite(prm->C) && prm->l1_ratio > 0.0;
}

static pmc_status check_params(const pmc_logistic_regression_params *prm) {
    if (!(prm->C > 0.0)) return pmc_fail(PMC_ERR_VALUE, "C must be positive, got %g", prm->C);
    if (!(prm->l1_ratio >= 0.0 && prm->l1_ratio <= 1.0))
        return pmc_fail(PMC_ERR_VALUE, "l1_ratio must be in [0, 1], got %g", prm->l1_ratio);
    if (!(prm->tol >= 0.0)) return pmc_fail(PMC_ERR_VALUE, "tol must be non-negative");
    if (prm->max_iter < 0) return pmc_fail(PMC_ERR_VALUE, "max_iter must be non-negative");
    if (!(prm->intercept_scaling > 0.0 && isfinite(prm->intercept_scaling)))
        return pmc_fail(PMC_ERR_VALUE, "intercept_scaling must be positive and finite");
    if (prm->n_classes < 2)
        return pmc_fail(PMC_ERR_VALUE,
                        "n_classes must be at least 2: this solver needs samples of at least "
                        "2 classes in the data");
    if (prm->solver < PMC_LOGISTIC_LBFGS || prm->solver > PMC_LOGISTIC_SAGA)
        return pmc_fail(PMC_ERR_VALUE, "solver is not one of lbfgs, liblinear, newton-cg, "
                                       "newton-cholesky, sag, saga");
    int liblinear = prm->solver == PMC_LOGISTIC_LIBLINEAR;
    if (is_l1_active(prm) && prm->solver != PMC_LOGISTIC_SAGA &&
        !(liblinear && prm->l1_ratio == 1.0))
        return pmc_fail(PMC_ERR_VALUE,
                        liblinear ? "solver liblinear supports only l1_ratio 0 or 1"
                                  : "this solver supports only l1_ratio=0 (L2 penalty) or "
                                    "C=inf; use solver='saga' for L1 / elastic net");
    if (liblinear && !isfinite(prm->C))
        return pmc_fail(PMC_ERR_VALUE, "C=np.inf is not supported for the liblinear solver");
    if (liblinear && prm->n_classes > 2)
        return pmc_fail(PMC_ERR_VALUE, "the liblinear solver does not support multiclass "
                                       "classification (n_classes >= 3)");
    return PMC_OK;
}

/* Checks y and the weights over the rows and returns the summed weight. */
static pmc_status check_targets(const pmc_data *d, int64_t n_classes, double *weight_sum) {
    pmc_status status;
    if ((status = pmc_view_check(&d->y, "y", 0, -1, d->X.n_rows, 1)) != PMC_OK) return status;
    if (d->weight.ndim != 0 &&
        (status = pmc_view_check(&d->weight, "sample_weight", 1, -1, d->X.n_rows, 1)) != PMC_OK)
        return status;
    double sum = 0.0;
    for (int64_t i = 0; i < d->rows.n; i++) {
        int64_t r = pmc_row_at(&d->rows, i);
        if (r < 0 || r >= d->X.n_rows) return pmc_fail(PMC_ERR_VALUE, "row index out of range");
        double label = pmc_get(&d->y, r, 0);
        if (!(label >= 0.0 && label < (double)n_classes && label == floor(label)))
            return pmc_fail(PMC_ERR_VALUE, "y must hold class indices in [0, %lld), got %g",
                            (long long)n_classes, label);
        double w = pmc_weight(&d->weight, r);
        if (!(w >= 0.0 && isfinite(w)))
            return pmc_fail(PMC_ERR_VALUE, "sample_weight must be non-negative and finite");
        sum += w;
    }
    if (!(sum > 0.0) || !isfinite(sum))
        return pmc_fail(PMC_ERR_VALUE, "sample_weight (times class weights) sums to zero: "
                                       "nothing to fit");
    *weight_sum = sum;
    return PMC_OK;
}

/* The penalty terms of prm for summed weight S (zero for C = inf). */
static void penalty_strengths(const pmc_logistic_regression_params *prm, double weight_sum,
                              logistic_problem *pb) {
    pb->l2 = pb->l1 = pb->l2_b = pb->l1_b = 0.0;
    if (!isfinite(prm->C)) return;
    double strength = 1.0 / (prm->C * weight_sum), s = prm->intercept_scaling;
    pb->l2 = (1.0 - prm->l1_ratio) * strength;
    pb->l1 = prm->l1_ratio * strength;
    if (prm->solver == PMC_LOGISTIC_LIBLINEAR) { /* b = s * v, v penalised */
        pb->l2_b = pb->l2 / (s * s);
        pb->l1_b = pb->l1 / s;
    }
}

static void problem_release(logistic_problem *pb) {
    free(pb->partial_grad);
    free(pb->partial_extra);
    free(pb->label);
    free(pb->weight);
    pb->partial_grad = pb->partial_extra = pb->label = pb->weight = NULL;
}

static pmc_status problem_init(const pmc_logistic_regression_params *prm, const pmc_data *data,
                               pmc_ctx *ctx, logistic_problem *pb) {
    pmc_status status = PMC_OK;
    memset(pb, 0, sizeof *pb);
    PMC_TRY(check_params(prm));
    if (data->rows.n < 1) return pmc_fail(PMC_ERR_VALUE, "X has no samples");
    if (data->X.n_cols > INT32_MAX) return pmc_fail(PMC_ERR_VALUE, "X has too many columns");
    double weight_sum = 0.0;
    PMC_TRY(check_targets(data, prm->n_classes, &weight_sum));
    pb->data = data;
    pb->ctx = ctx;
    pb->k = prm->n_classes == 2 ? 1 : prm->n_classes;
    pb->p = data->X.n_cols;
    pb->fit_intercept = prm->fit_intercept;
    pb->weight_sum = weight_sum;
    pb->inv_weight_sum = 1.0 / weight_sum;
    penalty_strengths(prm, weight_sum, pb);
    /* Each chunk keeps a p x k partial gradient: at most ~64 MiB of them.  A chunk
     * is at least 8192 rows and ~2^20 multiply-adds of the pass: smaller ones cost
     * more in thread synchronisation than they save (most of all on a busy
     * machine).  Both bounds depend on the data size only, never on n_threads. */
    int64_t pk = PMC_MAX(pb->p * pb->k, 1);
    int64_t max_chunks = PMC_MAX(1, PMC_MIN(64, (int64_t)(8 << 20) / pk));
    int64_t row_work = pk;
    if (data->X.is_sparse) /* stored values per row, times k */
        row_work = PMC_MAX(1, data->X.data.shape[0] / PMC_MAX(data->X.n_rows, 1)) * pb->k;
    int64_t min_rows = PMC_MAX(8192, ((int64_t)1 << 20) / PMC_MAX(row_work, 1));
    pb->n_chunks = pmc_reduction_chunks(data->rows.n, min_rows, max_chunks);
    pb->block = pass_block_rows(&data->X);
    PMC_ALLOC(pb->partial_grad, pb->n_chunks * pk, "logistic partial gradients");
    PMC_ALLOC(pb->partial_extra, pb->n_chunks * (1 + pb->k), "logistic partial sums");
    /* Labels and weights as contiguous doubles: the pass reads them without the
     * per-element dtype and stride dispatch. */
    PMC_ALLOC(pb->label, data->rows.n, "logistic labels");
    PMC_ALLOC(pb->weight, data->rows.n, "logistic weights");
    for (int64_t i = 0; i < data->rows.n; i++) {
        int64_t r = pmc_row_at(&data->rows, i);
        pb->label[i] = pmc_get(&data->y, r, 0);
        pb->weight[i] = pmc_weight(&data->weight, r);
    }
    return PMC_OK;
error:
    problem_release(pb);
    return status;
}

pmc_status pmc_logistic_objective(const pmc_logistic_regression_params *params,
                                  const pmc_data *data, pmc_ctx *ctx, const double *w, double *f,
                                  double *grad) {
    logistic_problem pb;
    pmc_status status = problem_init(params, data, ctx, &pb);
    if (status != PMC_OK) return status;
    status = problem_fg(w, f, grad, &pb);
    problem_release(&pb);
    return status;
}

/* ---- the estimator table ------------------------------------------------------ */

static pmc_status model_alloc(int64_t k, int64_t p, int64_t n_classes, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "LogisticRegression");
    PMC_TRY(pmc_linear_coefs_alloc(&m->coefs, k, p));
    m->n_classes = n_classes;
    m->coef_dtype = PMC_FLOAT64;
    *out = m;
    return PMC_OK;
error:
    logistic_free(&m);
    return status;
}

/* The model of w = [coef (k x p), intercept (k) if fitted]. */
static pmc_status model_from(const pmc_logistic_regression_params *prm, int64_t k, int64_t p,
                             const double *w, double n_iter, pmc_model **out) {
    pmc_model *m = NULL;
    pmc_status status = model_alloc(k, p, prm->n_classes, &m);
    if (status != PMC_OK) return status;
    memcpy(m->coefs.coef, w, (size_t)(k * p) * sizeof(double));
    for (int64_t t = 0; t < k; t++) m->coefs.intercept[t] = prm->fit_intercept ? w[k * p + t] : 0.0;
    m->n_iter = n_iter;
    *out = m;
    return PMC_OK;
}

static pmc_lbfgs_options lbfgs_options(const pmc_logistic_regression_params *prm) {
    pmc_lbfgs_options opt = pmc_lbfgs_defaults();
    opt.max_iter = prm->max_iter;
    opt.gtol = prm->tol;
    return opt;
}

/* n_iter_ of an L-BFGS fit, warning as scikit-learn does when it did not converge. */
static double lbfgs_outcome(const pmc_logistic_regression_params *prm,
                            const pmc_lbfgs_result *res, pmc_ctx *ctx) {
    double n_iter = (double)PMC_MIN(res->n_iter, prm->max_iter);
    int lbfgs_status = pmc_lbfgs_status(res->stop);
    if (lbfgs_status != 0)
        pmc_warn(ctx,
                 "lbfgs failed to converge after %lld iteration(s) (status=%d): %s. "
                 "Increase the number of iterations (max_iter=%lld) or scale the data "
                 "(https://scikit-learn.org/stable/modules/preprocessing.html).",
                 (long long)n_iter, lbfgs_status, pmc_lbfgs_message(res->stop),
                 (long long)prm->max_iter);
    return n_iter;
}

static pmc_status logistic_fit(const void *params_, const pmc_data *data, const pmc_model *init,
                               pmc_ctx *ctx, pmc_model **out) {
    const pmc_logistic_regression_params *prm = params_;
    pmc_status status = PMC_OK;
    double *w = NULL, *l1 = NULL;
    logistic_problem pb;
    PMC_TRY(problem_init(prm, data, ctx, &pb));
    int64_t k = pb.k, p = pb.p, n_w = k * p + (prm->fit_intercept ? k : 0);
    PMC_ALLOC(w, n_w, "LogisticRegression coefficients");
    if (init) { /* warm start */
        if (init->coefs.n_targets != k || init->coefs.n_features != p) {
            status = pmc_fail(PMC_ERR_VALUE,
                              "Initialization coef is of shape (%lld, %lld), expected shape "
                              "(%lld, %lld)",
                              (long long)init->coefs.n_targets, (long long)init->coefs.n_features,
                              (long long)k, (long long)p);
            goto error;
        }
        memcpy(w, init->coefs.coef, (size_t)(k * p) * sizeof(double));
        if (prm->fit_intercept)
            memcpy(w + k * p, init->coefs.intercept, (size_t)k * sizeof(double));
    }
    double n_iter;
    if (!is_l1_active(prm)) {
        pmc_lbfgs_options opt = lbfgs_options(prm);
        pmc_lbfgs_result res;
        PMC_TRY(pmc_lbfgs_minimize(n_w, w, problem_fg, &pb, &opt, ctx, &res));
        n_iter = lbfgs_outcome(prm, &res, ctx);
    } else {
        /* L1 weights per parameter: coef, then the intercept (liblinear only). */
        PMC_ALLOC(l1, n_w, "LogisticRegression L1 weights");
        for (int64_t i = 0; i < n_w; i++) l1[i] = i < k * p ? pb.l1 : pb.l1_b;
        pmc_lbfgs_options opt = pmc_lbfgs_defaults();
        opt.max_iter = prm->max_iter;
        opt.gtol = prm->tol;
        pmc_lbfgs_result res;
        PMC_TRY(pmc_lbfgs_minimize_l1(n_w, w, l1, problem_fg, &pb, &opt, ctx, &res));
        n_iter = (double)res.n_iter;
        int solver_status = pmc_lbfgs_status(res.stop);
        if (solver_status == 1)
            pmc_warn(ctx,
                     "The max_iter was reached which means the coef_ did not converge "
                     "(proximal quasi-Newton solver, max_iter=%lld: largest subgradient "
                     "%.3g > tol %.3g).",
                     (long long)prm->max_iter, res.grad_max, prm->tol);
        else if (solver_status != 0)
            pmc_warn(ctx,
                     "The proximal quasi-Newton solver stopped after %lld iteration(s) without "
                     "converging: no step decreases the objective (largest subgradient %.3g > "
                     "tol %.3g). You might want to scale the data.",
                     (long long)res.n_iter, res.grad_max, prm->tol);
    }
    PMC_TRY(model_from(prm, k, p, w, n_iter, out));
error:
    problem_release(&pb);
    free(w);
    free(l1);
    return status;
}

/* ---- fitting several C at once ------------------------------------------------ */

/* Candidates that differ only in C (and use no L1 term) minimise objectives that
 * share everything but the penalty: their L-BFGS runs step in lockstep, each
 * with its own iterates and stopping, and every round evaluates all pending
 * points with one pass over X, Z = X W and X^T U as matrix products. */
static int logistic_batchable(const void *a_, const void *b_) {
    const pmc_logistic_regression_params *a = a_, *b = b_;
    return !is_l1_active(a) && !is_l1_active(b) && a->l1_ratio == b->l1_ratio &&
           a->tol == b->tol && a->max_iter == b->max_iter &&
           a->fit_intercept == b->fit_intercept &&
           a->intercept_scaling == b->intercept_scaling && a->solver == b->solver &&
           a->n_classes == b->n_classes;
}

typedef struct {
    const logistic_problem *pb;  /* the shared data, labels, weights and chunking */
    int64_t m;                   /* points evaluated this round */
    const double *W, *B;         /* m k x p coefficient rows, m k intercepts */
    double *partial_grad;        /* n_chunks x (m k x p) */
    double *partial_extra;       /* n_chunks x m (1 + k) */
} batch_pass;

/* Rows [first, first + count) of the pass as a row-major block of doubles with
 * row stride *ld: read in place from a C-contiguous float64 X read as a range,
 * else gathered into buf. */
static const double *block_rows(const pmc_matrix *X, const pmc_rows *rows, int64_t first,
                                int64_t count, double *buf, int64_t *ld) {
    const pmc_view *v = &X->dense;
    if (!X->is_sparse && !rows->index && v->dtype == PMC_FLOAT64 &&
        (X->n_cols == 1 || v->strides[1] == (int64_t)sizeof(double)) &&
        v->strides[0] % (int64_t)sizeof(double) == 0 &&
        v->strides[0] >= X->n_cols * (int64_t)sizeof(double)) {
        *ld = v->strides[0] / (int64_t)sizeof(double);
        return (const double *)pmc_at(v, rows->start + first, 0);
    }
    pmc_gather_rows(X, rows, first, count, buf);
    *ld = X->n_cols;
    return buf;
}

static pmc_status batch_chunk(int64_t c, int thread, void *arg) {
    const batch_pass *bp = arg;
    const logistic_problem *pb = bp->pb;
    const pmc_data *d = pb->data;
    pmc_status status = PMC_OK;
    int64_t p = pb->p, k = pb->k, mk = bp->m * k, first, count;
    pmc_chunk_range(d->rows.n, pb->n_chunks, c, &first, &count);
    double *acc = bp->partial_grad + c * mk * p, *extra = bp->partial_extra + c * bp->m * (1 + k);
    double *Z = NULL, *zc = NULL, *scratch = NULL, *xbuf = NULL;
    memset(acc, 0, (size_t)(mk * p) * sizeof(double));
    memset(extra, 0, (size_t)(bp->m * (1 + k)) * sizeof(double));
    int64_t block = PMC_MIN(pb->block, PMC_MAX(count, 1));
    PMC_ALLOC(Z, block * mk, "logistic decision block");
    PMC_ALLOC(zc, block * k, "logistic decision block");
    PMC_ALLOC(scratch, block, "logistic loss block");
    PMC_ALLOC(xbuf, block * p, "logistic row block");
    for (int64_t b0 = 0; b0 < count; b0 += block) {
        PMC_TRY(pmc_check_interrupt(pb->ctx));
        int64_t nb = PMC_MIN(block, count - b0), ld;
        const double *Xb = block_rows(&d->X, &d->rows, first + b0, nb, xbuf, &ld);
        /* Z (m k x nb) = W X_b^T: point j's decisions are rows j k .. j k + k - 1 */
        pmc_cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (pmc_blas_int)mk,
                        (pmc_blas_int)nb, (pmc_blas_int)p, 1.0, bp->W, (pmc_blas_int)p, Xb,
                        (pmc_blas_int)ld, 0.0, Z, (pmc_blas_int)nb);
        /* Each point's loss and u in place (two classes: its row is contiguous),
         * else through a copy in the row-major layout of pointwise. */
        for (int64_t j = 0; j < bp->m; j++) {
            const double *yb = pb->label + first + b0, *wb = pb->weight + first + b0;
            double *e = extra + j * (1 + k);
            if (k == 1) {
                double *z = Z + j * nb;
                for (int64_t b = 0; b < nb; b++) z[b] += bp->B[j];
                pointwise(1, nb, yb, wb, z, scratch, e);
                continue;
            }
            for (int64_t t = 0; t < k; t++) {
                const double *z = Z + (j * k + t) * nb;
                for (int64_t b = 0; b < nb; b++) zc[b * k + t] = z[b] + bp->B[j * k + t];
            }
            pointwise(k, nb, yb, wb, zc, scratch, e);
            for (int64_t t = 0; t < k; t++) {
                double *z = Z + (j * k + t) * nb;
                for (int64_t b = 0; b < nb; b++) z[b] = zc[b * k + t];
            }
        }
        /* acc (m k x p) += U X_b */
        pmc_cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (pmc_blas_int)mk,
                        (pmc_blas_int)p, (pmc_blas_int)nb, 1.0, Z, (pmc_blas_int)nb, Xb,
                        (pmc_blas_int)ld, 1.0, acc, (pmc_blas_int)p);
    }
error:
    free(Z);
    free(zc);
    free(scratch);
    free(xbuf);
    return status;
}

typedef struct {
    const pmc_logistic_regression_params *prm;
    logistic_problem penalty;  /* only l2, l2_b are used */
    pmc_lbfgs_state *state;
    int done;
} batch_member;

static pmc_status logistic_fit_batch(const void *const *params, int64_t n, const pmc_data *data,
                                     pmc_ctx *ctx, pmc_model **out,
                                     char (*warnings)[PMC_WARNING_SIZE]) {
    pmc_status status = PMC_OK;
    batch_member *mb = NULL;
    int64_t *active = NULL;
    double *W = NULL, *B = NULL, *grad_sum = NULL;
    batch_pass bp;
    memset(&bp, 0, sizeof bp);
    logistic_problem pb;
    memset(&pb, 0, sizeof pb);
    for (int64_t i = 0; i < n; i++) out[i] = NULL;
    if (n < 1) return PMC_OK;
    const pmc_logistic_regression_params *first = params[0];
    for (int64_t i = 0; i < n; i++) {
        PMC_TRY(check_params(params[i]));
        if (!logistic_batchable(first, params[i])) {
            status = pmc_fail(PMC_ERR_VALUE, "params[%lld] cannot be fitted in one batch with "
                              "params[0]", (long long)i);
            goto error;
        }
    }
    PMC_TRY(problem_init(first, data, ctx, &pb));
    int64_t k = pb.k, p = pb.p, kp = k * p, n_w = kp + (pb.fit_intercept ? k : 0);
    /* The per-chunk partial gradients of one round stay within ~64 MiB, as a
     * single fit's: larger batches run as consecutive slices. */
    int64_t per_slice = PMC_MAX(1, ((int64_t)8 << 20) / (pb.n_chunks * PMC_MAX(kp, 1)));
    if (n > per_slice) {
        problem_release(&pb);
        for (int64_t i0 = 0; i0 < n; i0 += per_slice)
            PMC_TRY(logistic_fit_batch(params + i0, PMC_MIN(per_slice, n - i0), data, ctx,
                                       out + i0, warnings + i0));
        return PMC_OK;
    }
    if (n > INT32_MAX / PMC_MAX(k, 1)) {
        status = pmc_fail(PMC_ERR_VALUE, "too many candidates in one batch");
        goto error;
    }
    mb = calloc((size_t)n, sizeof *mb);
    if (!mb) {
        status = pmc_fail(PMC_ERR_MEMORY, "out of memory for a LogisticRegression batch");
        goto error;
    }
    PMC_ALLOC(active, n, "LogisticRegression batch");
    PMC_ALLOC(W, n * kp, "LogisticRegression batch");
    PMC_ALLOC(B, n * k, "LogisticRegression batch");
    PMC_ALLOC(grad_sum, n_w, "LogisticRegression batch");
    PMC_ALLOC(bp.partial_grad, pb.n_chunks * n * kp, "logistic partial gradients");
    PMC_ALLOC(bp.partial_extra, pb.n_chunks * n * (1 + k), "logistic partial sums");
    memset(grad_sum, 0, (size_t)n_w * sizeof(double)); /* the starting point: zeros */
    for (int64_t i = 0; i < n; i++) {
        mb[i].prm = params[i];
        penalty_strengths(mb[i].prm, pb.weight_sum, &mb[i].penalty);
        pmc_lbfgs_options opt = lbfgs_options(mb[i].prm);
        PMC_TRY(pmc_lbfgs_start(n_w, grad_sum, &opt, &mb[i].state));
    }
    bp.pb = &pb;
    bp.W = W;
    bp.B = B;
    for (;;) {
        PMC_TRY(pmc_check_interrupt(ctx));
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++) {
            if (mb[i].done) continue;
            const double *x = pmc_lbfgs_point(mb[i].state);
            memcpy(W + m * kp, x, (size_t)kp * sizeof(double));
            for (int64_t t = 0; t < k; t++) B[m * k + t] = pb.fit_intercept ? x[kp + t] : 0.0;
            active[m++] = i;
        }
        if (m == 0) break;
        bp.m = m;
        PMC_TRY(pmc_parallel_for(pb.n_chunks, ctx->n_threads, ctx, batch_chunk, &bp));
        for (int64_t a = 0; a < m; a++) {
            batch_member *it = &mb[active[a]];
            double *grad = pmc_lbfgs_gradient(it->state), loss = 0.0, f;
            for (int64_t i = 0; i < n_w; i++) grad[i] = 0.0;
            for (int64_t c = 0; c < pb.n_chunks; c++) {
                const double *acc = bp.partial_grad + c * m * kp + a * kp;
                const double *extra = bp.partial_extra + c * m * (1 + k) + a * (1 + k);
                loss += extra[0];
                for (int64_t i = 0; i < kp; i++) grad[i] += acc[i];
                if (pb.fit_intercept)
                    for (int64_t t = 0; t < k; t++) grad[kp + t] += extra[1 + t];
            }
            add_penalty(&pb, it->penalty.l2, it->penalty.l2_b, pmc_lbfgs_point(it->state), loss,
                        grad, &f);
            PMC_TRY(pmc_lbfgs_tell(it->state, f, &it->done));
        }
    }
    for (int64_t i = 0; i < n; i++) {
        pmc_ctx one = *ctx;
        one.warning[0] = '\0';
        double n_iter = lbfgs_outcome(mb[i].prm, pmc_lbfgs_outcome(mb[i].state), &one);
        memcpy(warnings[i], one.warning, PMC_WARNING_SIZE);
        PMC_TRY(model_from(mb[i].prm, k, p, pmc_lbfgs_point(mb[i].state), n_iter, &out[i]));
    }
error:
    if (status != PMC_OK)
        for (int64_t i = 0; i < n; i++) logistic_free(&out[i]);
    if (mb)
        for (int64_t i = 0; i < n; i++) pmc_lbfgs_free(&mb[i].state);
    free(mb);
    free(active);
    free(W);
    free(B);
    free(grad_sum);
    free(bp.partial_grad);
    free(bp.partial_extra);
    problem_release(&pb);
    return status;
}

static pmc_dtype promote(pmc_dtype a, pmc_dtype b) {
    return (a == PMC_FLOAT32 && b == PMC_FLOAT32) ? PMC_FLOAT32 : PMC_FLOAT64;
}

static pmc_status logistic_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                        int64_t *n_cols, pmc_dtype *dtype) {
    switch (method) {
    case PMC_PREDICT: /* class indices, mapped to classes_ in Python */
        *n_cols = 0;
        *dtype = PMC_FLOAT64;
        return PMC_OK;
    case PMC_DECISION_FUNCTION:
        *n_cols = m->coefs.n_targets == 1 ? 0 : m->coefs.n_targets;
        *dtype = promote(X_dtype, m->coef_dtype);
        return PMC_OK;
    case PMC_PREDICT_PROBA:
        *n_cols = m->n_classes;
        *dtype = promote(X_dtype, m->coef_dtype);
        return PMC_OK;
    default:
        return pmc_fail(PMC_ERR_UNSUPPORTED, "LogisticRegression has no %s",
                        pmc_method_name(method));
    }
}

typedef struct {
    const pmc_model *m;
    pmc_method method;
    const pmc_matrix *X;
    pmc_rows rows;
    pmc_view *out;
    int64_t block;
    const volatile int *interrupt;
} apply_job;

static pmc_status apply_block(int64_t task, int thread, void *arg) {
    apply_job *job = arg;
    const pmc_linear_coefs *c = &job->m->coefs;
    pmc_status status = PMC_OK;
    int64_t k = c->n_targets, first = task * job->block;
    int64_t count = PMC_MIN(job->block, job->rows.n - first);
    double *z = NULL;
    pmc_ctx one = pmc_ctx_default();
    one.interrupt = (volatile int *)job->interrupt;
    PMC_ALLOC(z, count * k, "LogisticRegression decision block");
    pmc_view zv = k == 1 ? pmc_view_1d(z, PMC_FLOAT64, count)
                         : pmc_view_2d(z, PMC_FLOAT64, count, k);
    PMC_TRY(pmc_linear_decision(c->coef, c->intercept, k, job->X,
                                sub_rows(&job->rows, first, count), &one, &zv));
    for (int64_t b = 0; b < count; b++) {
        const double *zi = z + b * k;
        if (job->method == PMC_PREDICT) {
            int64_t best = 0;
            if (k == 1) best = zi[0] > 0.0;
            else
                for (int64_t t = 1; t < k; t++)
                    if (zi[t] > zi[best]) best = t;
            pmc_put(job->out, first + b, 0, (double)best);
        } else if (k == 1) { /* [1 - expit(z), expit(z)] */
            double e = exp(-fabs(zi[0])), p1 = zi[0] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            pmc_put(job->out, first + b, 0, 1.0 - p1);
            pmc_put(job->out, first + b, 1, p1);
        } else { /* softmax */
            double zmax = zi[0], sum = 0.0;
            for (int64_t t = 1; t < k; t++) zmax = PMC_MAX(zmax, zi[t]);
            for (int64_t t = 0; t < k; t++) sum += exp(zi[t] - zmax);
            for (int64_t t = 0; t < k; t++)
                pmc_put(job->out, first + b, t, exp(zi[t] - zmax) / sum);
        }
    }
error:
    free(z);
    return status;
}

static pmc_status logistic_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                                 pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (method == PMC_DECISION_FUNCTION)
        return pmc_linear_coefs_decision(&m->coefs, X, rows, ctx, out);
    if (method != PMC_PREDICT && method != PMC_PREDICT_PROBA)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "LogisticRegression has no %s",
                        pmc_method_name(method));
    if (X->n_cols != m->coefs.n_features)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld features, but LogisticRegression is expecting "
                                       "%lld features as input",
                        (long long)X->n_cols, (long long)m->coefs.n_features);
    if (X->n_cols > INT32_MAX) return pmc_fail(PMC_ERR_VALUE, "X has too many columns");
    apply_job job = {m, method, X, rows, out, PMC_MAX(pmc_block_rows(X->n_cols), 256),
                     ctx->interrupt};
    int64_t n_tasks = (rows.n + job.block - 1) / job.block;
    return pmc_parallel_for(n_tasks, ctx->n_threads, ctx, apply_block, &job);
}

static pmc_status logistic_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    PMC_TRY(pmc_linear_coefs_export(&m->coefs, out));
    PMC_TRY(pmc_export(out, "n_iter_", &m->n_iter, 1, 0));
error:
    return status;
}

static pmc_status logistic_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    PMC_ALLOC(m, 1, "LogisticRegression");
    PMC_TRY(pmc_linear_coefs_import(in, &m->coefs));
    if (m->coefs.n_features < 1 || m->coefs.n_targets < 1) {
        status = pmc_fail(PMC_ERR_VALUE, "coef_ must have at least one row and one column");
        goto error;
    }
    m->n_classes = m->coefs.n_targets == 1 ? 2 : m->coefs.n_targets;
    m->coef_dtype = pmc_arrays_find(in, "coef_")->dtype;
    for (int64_t i = 0; i < m->coefs.n_targets * m->coefs.n_features; i++)
        if (!isfinite(m->coefs.coef[i])) {
            status = pmc_fail(PMC_ERR_VALUE, "coef_ must be finite");
            goto error;
        }
    for (int64_t t = 0; t < m->coefs.n_targets; t++)
        if (!isfinite(m->coefs.intercept[t])) {
            status = pmc_fail(PMC_ERR_VALUE, "intercept_ must be finite");
            goto error;
        }
    *out = m;
    return PMC_OK;
error:
    logistic_free(&m);
    return status;
}

static const char *const solver_choices[] = {"lbfgs", "liblinear", "newton-cg",
                                             "newton-cholesky", "sag", "saga", NULL};

#define P_(field) offsetof(pmc_logistic_regression_params, field)
static const pmc_param_spec logistic_params[] = {
    {"C", PMC_PARAM_DOUBLE, P_(C), NULL},
    {"l1_ratio", PMC_PARAM_DOUBLE, P_(l1_ratio), NULL},
    {"tol", PMC_PARAM_DOUBLE, P_(tol), NULL},
    {"max_iter", PMC_PARAM_INT, P_(max_iter), NULL},
    {"fit_intercept", PMC_PARAM_BOOL, P_(fit_intercept), NULL},
    {"intercept_scaling", PMC_PARAM_DOUBLE, P_(intercept_scaling), NULL},
    {"solver", PMC_PARAM_CHOICE, P_(solver), solver_choices},
    {"n_classes", PMC_PARAM_INT, P_(n_classes), NULL},
};
#undef P_

const pmc_estimator pmc_logistic_regression_estimator = {
    "LogisticRegression",
    sizeof(pmc_logistic_regression_params),
    logistic_params,
    (int)(sizeof logistic_params / sizeof logistic_params[0]),
    logistic_fit,
    logistic_output_shape,
    logistic_apply,
    logistic_export,
    logistic_import,
    logistic_free,
    logistic_fit_batch,
    logistic_batchable};
