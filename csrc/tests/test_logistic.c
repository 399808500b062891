/* LogisticRegression's kernel: the fused objective/gradient pass against naive
 * loops for every layout (C and Fortran order, strided float32, CSR, row subsets),
 * bit-identical across thread counts, against finite differences; fits checked by
 * their optimality conditions; predictions; and the errors. */
#include "check.h"
#include "internal.h"
#include "pmc/linear.h"

/* N spans several reduction chunks (at least 8192 rows and 2^20 / (P k) rows each):
 * 2 for two classes, 7 for K. */
enum { N = 60000, P = 40, K = 4 };
static double Xc[N * P], Xf[N * P], W[N], Ybin[N], Ymul[N];
static float Xs[N * P * 2]; /* float32, every other column: a strided view */
/* CSR copy of Xc with the exact zeros dropped (every third value is zero). */
static double csr_data[N * P];
static int32_t csr_indices[N * P], csr_indptr[N + 1];

static void make_data(void) {
    pmc_rng rng;
    pmc_rng_seed(&rng, 7, 0);
    int32_t nnz = 0;
    csr_indptr[0] = 0;
    for (int i = 0; i < N; i++) {
        double score[K] = {0};
        for (int j = 0; j < P; j++) {
            /* float-representable, so that every layout holds the same numbers */
            double v = ((i + j) % 3 == 0)
                           ? 0.0
                           : (double)(float)((1.0 + 0.02 * j) * pmc_rng_normal(&rng) + 0.1);
            Xc[i * P + j] = v;
            Xf[j * N + i] = v;
            Xs[i * P * 2 + 2 * j] = (float)v;
            for (int t = 0; t < K; t++) score[t] += (((j + t) % 4) - 1.5) * 0.15 * v;
            if (v != 0.0) {
                csr_data[nnz] = v;
                csr_indices[nnz++] = j;
            }
        }
        csr_indptr[i + 1] = nnz;
        /* Labels from noisy scores: informative, not separable. */
        int best = 0;
        for (int t = 0; t < K; t++) {
            score[t] += 1.5 * pmc_rng_normal(&rng);
            if (score[t] > score[best]) best = t;
        }
        Ymul[i] = best;
        Ybin[i] = score[0] > score[1];
        W[i] = 0.25 + 1.5 * pmc_rng_uniform(&rng);
    }
}

static double x_at(int i, int j) { return Xc[i * P + j]; }

/* The objective of linear.h by plain loops, in long double. */
static void reference(const pmc_logistic_regression_params *prm, const int64_t *idx, int64_t n,
                      const double *y, const double *w, double *f, double *grad) {
    int64_t k = prm->n_classes == 2 ? 1 : prm->n_classes, nw = k * P + (prm->fit_intercept ? k : 0);
    long double loss = 0, sw = 0, g[(P + 1) * K] = {0};
    for (int64_t a = 0; a < n; a++) {
        int i = (int)idx[a];
        double z[16] = {0}, s = W[i];
        for (int64_t t = 0; t < k; t++) {
            z[t] = prm->fit_intercept ? w[k * P + t] : 0.0;
            for (int j = 0; j < P; j++) z[t] += w[t * P + j] * x_at(i, j);
        }
        sw += s;
        double u[16] = {0};
        if (k == 1) {
            double mu = 1.0 / (1.0 + exp(-z[0]));
            loss += s * (log1p(exp(-fabs(z[0]))) + PMC_MAX(z[0], 0.0) - y[i] * z[0]);
            u[0] = s * (mu - y[i]);
        } else {
            double zmax = z[0], sum = 0;
            for (int64_t t = 1; t < k; t++) zmax = PMC_MAX(zmax, z[t]);
            for (int64_t t = 0; t < k; t++) sum += exp(z[t] - zmax);
            loss += s * (zmax + log(sum) - z[(int)y[i]]);
            for (int64_t t = 0; t < k; t++)
                u[t] = s * (exp(z[t] - zmax) / sum - (t == (int)y[i] ? 1.0 : 0.0));
        }
        for (int64_t t = 0; t < k; t++) {
            for (int j = 0; j < P; j++) g[t * P + j] += u[t] * x_at(i, j);
            if (prm->fit_intercept) g[k * P + t] += u[t];
        }
    }
    double strength = isfinite(prm->C) ? 1.0 / (prm->C * (double)sw) : 0.0;
    double l2 = (1.0 - prm->l1_ratio) * strength, s2 = prm->intercept_scaling;
    double l2_b = prm->solver == PMC_LOGISTIC_LIBLINEAR ? l2 / (s2 * s2) : 0.0;
    long double pen = 0;
    for (int64_t q = 0; q < nw; q++) {
        double lam = q < k * P ? l2 : l2_b;
        grad[q] = (double)(g[q] / sw) + lam * w[q];
        pen += lam * w[q] * w[q];
    }
    *f = (double)(loss / sw + 0.5 * pen);
}

static pmc_logistic_regression_params params(int64_t n_classes, double C, double l1_ratio,
                                             int solver, int fit_intercept) {
    pmc_logistic_regression_params p = {C, l1_ratio, 1e-10, 2000, fit_intercept, 1.0, solver,
                                        n_classes};
    return p;
}

static pmc_data make(pmc_matrix X, const double *y, const int64_t *idx, int64_t n) {
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = X;
    d.y = pmc_view_1d((void *)y, PMC_FLOAT64, N);
    d.weight = pmc_view_1d(W, PMC_FLOAT64, N);
    d.rows = idx ? (pmc_rows){idx, 0, n} : pmc_rows_all(N);
    return d;
}

static pmc_matrix csr_matrix(void) {
    pmc_matrix m;
    memset(&m, 0, sizeof m);
    m.is_sparse = 1;
    m.n_rows = N;
    m.n_cols = P;
    m.data = pmc_view_1d(csr_data, PMC_FLOAT64, csr_indptr[N]);
    m.indices = pmc_view_1d(csr_indices, PMC_INT32, csr_indptr[N]);
    m.indptr = pmc_view_1d(csr_indptr, PMC_INT32, N + 1);
    return m;
}

static void test_objective_layouts(void) {
    static int64_t idx[N], all[N];
    int64_t n_sub = 0;
    for (int64_t i = 0; i < N; i++) {
        all[i] = i;
        if (i % 3 != 1) idx[n_sub++] = i;
    }
    pmc_view strided = {Xs, PMC_FLOAT32, 2, {N, P},
                        {(int64_t)sizeof(float) * P * 2, 2 * sizeof(float)}};
    pmc_matrix layouts[4] = {pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)),
                             pmc_matrix_dense((pmc_view){Xf, PMC_FLOAT64, 2, {N, P},
                                                         {sizeof(double), sizeof(double) * N}}),
                             pmc_matrix_dense(strided), csr_matrix()};
    const char *names[4] = {"C order", "F order", "float32 strided", "CSR"};
    for (int cls = 0; cls < 2; cls++) {
        int64_t n_classes = cls ? K : 2, k = cls ? K : 1;
        const double *y = cls ? Ymul : Ybin;
        for (int liblinear = 0; liblinear < 2; liblinear++) {
            if (liblinear && cls) continue;
            pmc_logistic_regression_params prm =
                params(n_classes, 0.05, 0.0, liblinear ? PMC_LOGISTIC_LIBLINEAR : 0, 1);
            prm.intercept_scaling = liblinear ? 2.5 : 1.0;
            double w[(P + 1) * K], ref_f, ref_g[(P + 1) * K], f1, g1[(P + 1) * K], f3,
                g3[(P + 1) * K];
            int64_t nw = k * P + k;
            for (int64_t q = 0; q < nw; q++) w[q] = 0.1 * (double)((q * 7) % 11) - 0.5;
            for (int subset = 0; subset < 2; subset++) {
                reference(&prm, subset ? idx : all, subset ? n_sub : N, y, w, &ref_f, ref_g);
                for (int l = 0; l < 4; l++) {
                    pmc_data d = make(layouts[l], y, subset ? idx : NULL, n_sub);
                    pmc_ctx ctx = pmc_ctx_default();
                    CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &f1, g1));
                    ctx.n_threads = 3;
                    CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &f3, g3));
                    /* float32 data are exact in double; only summation order differs. */
                    CHECK_CLOSE(f1, ref_f, 1e-11, 0.0);
                    for (int64_t q = 0; q < nw; q++) CHECK_CLOSE(g1[q], ref_g[q], 1e-9, 1e-12);
                    if (f1 != f3 || memcmp(g1, g3, (size_t)nw * sizeof(double)) != 0) {
                        fprintf(stderr, "%s: result depends on the thread count\n", names[l]);
                        check_failures++;
                    }
                }
            }
        }
    }
}

static void test_gradient_finite_differences(void) {
    /* Central differences of f on a 400-row subset, every parameter. */
    static int64_t idx[400];
    for (int i = 0; i < 400; i++) idx[i] = 37 * i;
    for (int cls = 0; cls < 2; cls++) {
        int64_t k = cls ? K : 1, nw = k * P + k;
        pmc_logistic_regression_params prm = params(cls ? K : 2, 0.3, 0.0, 0, 1);
        pmc_data d = make(pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)),
                          cls ? Ymul : Ybin, idx, 400);
        pmc_ctx ctx = pmc_ctx_default();
        double w[(P + 1) * K], g[(P + 1) * K], gd[(P + 1) * K], fp, fm, f;
        for (int64_t q = 0; q < nw; q++) w[q] = 0.05 * (double)(q % 5) - 0.1;
        CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &f, g));
        for (int64_t q = 0; q < nw; q++) {
            double h = 1e-6, keep = w[q];
            w[q] = keep + h;
            CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &fp, gd));
            w[q] = keep - h;
            CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &fm, gd));
            w[q] = keep;
            CHECK_CLOSE(g[q], (fp - fm) / (2 * h), 1e-5, 1e-8);
        }
    }
}

/* Fits through the table on a subset and checks the optimality conditions of
 * the objective, with the L1 term's subgradient. */
static void check_fit(int64_t n_classes, double C, double l1_ratio, int solver, int fit_intercept) {
    static int64_t idx[3000];
    for (int i = 0; i < 3000; i++) idx[i] = 13 * i;
    const double *y = n_classes == 2 ? Ybin : Ymul;
    pmc_logistic_regression_params prm = params(n_classes, C, l1_ratio, solver, fit_intercept);
    prm.tol = 1e-9;
    pmc_data d = make(pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)), y, idx, 3000);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = 2;
    const pmc_estimator *est = pmc_find_estimator("LogisticRegression");
    CHECK(est != NULL);
    if (!est) return;
    pmc_model *m = NULL, *m2 = NULL;
    CHECK_OK(est->fit(&prm, &d, NULL, &ctx, &m));
    CHECK(ctx.warning[0] == '\0');
    pmc_arrays a;
    memset(&a, 0, sizeof a);
    CHECK_OK(est->export_arrays(m, &a));
    const pmc_view *coef = pmc_arrays_find(&a, "coef_"), *icpt = pmc_arrays_find(&a, "intercept_");
    const pmc_view *n_iter = pmc_arrays_find(&a, "n_iter_");
    CHECK(coef && icpt && n_iter);
    if (!coef || !icpt || !n_iter) goto done;
    int64_t k = n_classes == 2 ? 1 : n_classes, nw = k * P + (fit_intercept ? k : 0);
    CHECK(coef->shape[0] == k && coef->shape[1] == P && icpt->shape[0] == k);
    double w[(P + 1) * K], g[(P + 1) * K], f;
    for (int64_t t = 0; t < k; t++) {
        for (int j = 0; j < P; j++) w[t * P + j] = pmc_get(coef, t, j);
        if (fit_intercept) w[k * P + t] = pmc_get(icpt, t, 0);
        else CHECK(pmc_get(icpt, t, 0) == 0.0);
    }
    CHECK_OK(pmc_logistic_objective(&prm, &d, &ctx, w, &f, g));
    double sw = 0;
    for (int i = 0; i < 3000; i++) sw += W[idx[i]];
    double l1 = isfinite(C) ? l1_ratio / (C * sw) : 0.0;
    int zeros = 0;
    for (int64_t q = 0; q < nw; q++) {
        /* liblinear penalises the intercept as intercept / intercept_scaling */
        double a_q = q < k * P ? l1
                     : (solver == PMC_LOGISTIC_LIBLINEAR ? l1 / prm.intercept_scaling : 0.0);
        double v;
        if (w[q] != 0.0) v = fabs(g[q] + (w[q] > 0 ? a_q : -a_q));
        else {
            v = PMC_MAX(fabs(g[q]) - a_q, 0.0);
            zeros++;
        }
        /* L-BFGS may stop on the relative decrease of f (64 eps) a little above tol */
        CHECK(v <= 1e-7);
    }
    if (l1_ratio == 1.0 && C <= 0.01) CHECK(zeros > 0 && zeros < nw); /* strong L1: a sparse solution */
    CHECK(pmc_get(n_iter, 0, 0) >= 1 || zeros == nw); /* iterated, unless 0 is optimal */
    /* A warm start at the optimum needs (almost) no iteration: a few when the first
     * fit stopped on the decrease of f (64 eps) a little above tol, as the restart
     * has no curvature pairs yet. */
    CHECK_OK(est->fit(&prm, &d, m, &ctx, &m2));
    pmc_arrays a2;
    memset(&a2, 0, sizeof a2);
    CHECK_OK(est->export_arrays(m2, &a2));
    CHECK(pmc_get(pmc_arrays_find(&a2, "n_iter_"), 0, 0) <= 2);
done:
    est->free(&m);
    est->free(&m2);
    CHECK(m == NULL);
}

static void test_fits(void) {
    check_fit(2, 1.0, 0.0, PMC_LOGISTIC_LBFGS, 1);
    check_fit(2, INFINITY, 0.0, PMC_LOGISTIC_NEWTON_CG, 1);
    check_fit(2, 0.5, 0.0, PMC_LOGISTIC_LIBLINEAR, 1); /* penalised intercept */
    check_fit(2, 0.01, 1.0, PMC_LOGISTIC_LIBLINEAR, 1);
    check_fit(2, 0.01, 1.0, PMC_LOGISTIC_SAGA, 0);
    check_fit(K, 1.0, 0.0, PMC_LOGISTIC_LBFGS, 1);
    check_fit(K, 0.01, 0.5, PMC_LOGISTIC_SAGA, 1);
    check_fit(K, 0.001, 1.0, PMC_LOGISTIC_SAGA, 1);
}

static void test_apply(void) {
    const pmc_estimator *est = pmc_find_estimator("LogisticRegression");
    double coef[K * P], icpt[K];
    for (int q = 0; q < K * P; q++) coef[q] = 0.3 * (double)(q % 5) - 0.6;
    for (int t = 0; t < K; t++) icpt[t] = 0.1 * t;
    pmc_matrix X = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P));
    for (int k = 1; k <= K; k += K - 1) {
        pmc_arrays in;
        memset(&in, 0, sizeof in);
        pmc_arrays_add(&in, "coef_", pmc_view_2d(coef, PMC_FLOAT64, k, P));
        pmc_arrays_add(&in, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, k));
        pmc_model *m = NULL;
        CHECK_OK(est->import_arrays(&in, &m));
        if (!m) continue;
        int64_t cols;
        pmc_dtype dt;
        int64_t n_classes = k == 1 ? 2 : k;
        CHECK_OK(est->output_shape(m, PMC_PREDICT_PROBA, PMC_FLOAT32, &cols, &dt));
        CHECK(cols == n_classes && dt == PMC_FLOAT64); /* coef_ float64 promotes */
        CHECK_OK(est->output_shape(m, PMC_DECISION_FUNCTION, PMC_FLOAT64, &cols, &dt));
        CHECK(cols == (k == 1 ? 0 : k));
        CHECK_STATUS(est->output_shape(m, PMC_TRANSFORM, PMC_FLOAT64, &cols, &dt),
                     PMC_ERR_UNSUPPORTED);
        static double proba[N * K], dec[N * K], pred[N];
        pmc_view pv = pmc_view_2d(proba, PMC_FLOAT64, N, n_classes);
        pmc_view dv = k == 1 ? pmc_view_1d(dec, PMC_FLOAT64, N)
                             : pmc_view_2d(dec, PMC_FLOAT64, N, k);
        pmc_view yv = pmc_view_1d(pred, PMC_FLOAT64, N);
        pmc_ctx ctx = pmc_ctx_default();
        ctx.n_threads = 2;
        CHECK_OK(est->apply(m, PMC_PREDICT_PROBA, &X, pmc_rows_all(N), &ctx, &pv));
        CHECK_OK(est->apply(m, PMC_DECISION_FUNCTION, &X, pmc_rows_all(N), &ctx, &dv));
        CHECK_OK(est->apply(m, PMC_PREDICT, &X, pmc_rows_all(N), &ctx, &yv));
        for (int i = 0; i < N; i += 97) {
            double sum = 0, best = -1;
            int arg = 0;
            for (int t = 0; t < n_classes; t++) {
                sum += proba[i * n_classes + t];
                if (proba[i * n_classes + t] > best) {
                    best = proba[i * n_classes + t];
                    arg = t;
                }
            }
            CHECK_CLOSE(sum, 1.0, 1e-14, 0.0);
            CHECK(pred[i] == arg);
            double z0 = icpt[0];
            for (int j = 0; j < P; j++) z0 += coef[j] * x_at(i, j);
            CHECK_CLOSE(dec[i * k], z0, 1e-13, 1e-13);
            if (k == 1) CHECK_CLOSE(proba[i * 2 + 1], 1.0 / (1.0 + exp(-z0)), 1e-14, 1e-300);
        }
        pmc_matrix narrow = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N / P, P - 1));
        CHECK_FAILS(est->apply(m, PMC_PREDICT_PROBA, &narrow, pmc_rows_all(N / P), &ctx, &pv),
                    PMC_ERR_VALUE, "features");
        est->free(&m);
    }
}

static void test_errors(void) {
    const pmc_estimator *est = pmc_find_estimator("LogisticRegression");
    pmc_data d = make(pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)), Ybin, NULL, N);
    pmc_ctx ctx = pmc_ctx_default();
    pmc_model *m = NULL;
    pmc_logistic_regression_params prm = params(2, 0.0, 0.0, 0, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "C must be positive");
    prm = params(2, 1.0, 0.5, PMC_LOGISTIC_LBFGS, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "l1_ratio");
    prm = params(2, 1.0, 0.5, PMC_LOGISTIC_LIBLINEAR, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "liblinear");
    prm = params(2, INFINITY, 0.0, PMC_LOGISTIC_LIBLINEAR, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "C=np.inf");
    prm = params(1, 1.0, 0.0, 0, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "2 classes");
    prm = params(2, 1.0, 1.5, PMC_LOGISTIC_SAGA, 1);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "l1_ratio");
    prm = params(2, 1.0, 0.0, 0, 1);
    prm.intercept_scaling = 0.0;
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "intercept_scaling");
    /* Labels must be class indices below n_classes. */
    prm = params(2, 1.0, 0.0, 0, 1);
    pmc_data dm = make(d.X, Ymul, NULL, N);
    CHECK_FAILS(est->fit(&prm, &dm, NULL, &ctx, &m), PMC_ERR_VALUE, "class indices");
    prm = params(K, 1.0, 0.0, PMC_LOGISTIC_LIBLINEAR, 1);
    CHECK_FAILS(est->fit(&prm, &dm, NULL, &ctx, &m), PMC_ERR_VALUE, "multiclass");
    /* Weights: negative, or all zero. */
    static double bad_w[N];
    for (int i = 0; i < N; i++) bad_w[i] = W[i];
    bad_w[5] = -1.0;
    prm = params(2, 1.0, 0.0, 0, 1);
    d.weight = pmc_view_1d(bad_w, PMC_FLOAT64, N);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "non-negative");
    memset(bad_w, 0, sizeof bad_w);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "sums to zero");
    d.weight = pmc_view_1d(W, PMC_FLOAT64, 10);
    CHECK_FAILS(est->fit(&prm, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "sample_weight");
    CHECK(m == NULL);

    /* A warm start of the wrong shape. */
    double coef[P + 1] = {0}, icpt[2] = {0};
    pmc_arrays in;
    memset(&in, 0, sizeof in);
    pmc_arrays_add(&in, "coef_", pmc_view_2d(coef, PMC_FLOAT64, 1, P + 1));
    pmc_arrays_add(&in, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, 1));
    pmc_model *init = NULL;
    CHECK_OK(est->import_arrays(&in, &init));
    d = make(d.X, Ybin, NULL, N);
    CHECK_FAILS(est->fit(&prm, &d, init, &ctx, &m), PMC_ERR_VALUE, "Initialization coef");
    est->free(&init);

    /* Crafted states: non-finite values, missing or mis-shaped arrays. */
    coef[2] = NAN;
    CHECK_FAILS(est->import_arrays(&in, &init), PMC_ERR_VALUE, "finite");
    coef[2] = 0.0;
    memset(&in, 0, sizeof in);
    pmc_arrays_add(&in, "coef_", pmc_view_2d(coef, PMC_FLOAT64, 1, P));
    CHECK_FAILS(est->import_arrays(&in, &init), PMC_ERR_VALUE, "intercept_");
    pmc_arrays_add(&in, "intercept_", pmc_view_1d(icpt, PMC_FLOAT64, 2));
    CHECK_FAILS(est->import_arrays(&in, &init), PMC_ERR_VALUE, "intercept_");
    CHECK(init == NULL);

    /* Not converging within max_iter warns and still returns a model. */
    prm = params(K, 1.0, 0.0, 0, 1);
    prm.max_iter = 2;
    dm = make(d.X, Ymul, NULL, N);
    CHECK_OK(est->fit(&prm, &dm, NULL, &ctx, &m));
    CHECK(strstr(ctx.warning, "failed to converge") != NULL);
    est->free(&m);
    ctx.warning[0] = '\0';
    prm = params(K, 0.01, 0.5, PMC_LOGISTIC_SAGA, 1);
    prm.max_iter = 2;
    CHECK_OK(est->fit(&prm, &dm, NULL, &ctx, &m));
    CHECK(strstr(ctx.warning, "max_iter was reached") != NULL);
    est->free(&m);
}

/* fit_batch (several C in lockstep, one pass over X per round for all of them)
 * against one fit per C: the same iterates up to the rounding of the matrix
 * products (dgemm instead of dgemv sums in another order), so the same n_iter_
 * and coefficients equal to 1e-12 relative; bit-identical across thread counts;
 * for every layout the pass reads (C-order range in place, Fortran order and CSR
 * gathered, a row subset). */
static double max_abs_of(const pmc_view *v) {
    double m = 0.0;
    for (int64_t i = 0; i < v->shape[0]; i++)
        for (int64_t j = 0; j < (v->ndim == 2 ? v->shape[1] : 1); j++)
            m = PMC_MAX(m, fabs(pmc_get(v, i, j)));
    return m;
}

static void check_batch(pmc_matrix X, const int64_t *idx, int64_t n, int64_t n_classes,
                        int solver, int fit_intercept) {
    enum { M = 5 };
    /* liblinear refuses C = inf */
    const double Cs[M] = {1e-4, 1e-2, 1.0, 100.0, solver == PMC_LOGISTIC_LIBLINEAR ? 1e4 : INFINITY};
    const pmc_estimator *est = pmc_find_estimator("LogisticRegression");
    if (!est || !est->fit_batch || !est->batchable) {
        CHECK(!"LogisticRegression has fit_batch and batchable");
        return;
    }
    pmc_logistic_regression_params prm[M];
    const void *ptrs[M];
    for (int i = 0; i < M; i++) {
        prm[i] = params(n_classes, Cs[i], 0.0, solver, fit_intercept);
        prm[i].tol = 1e-6;
        prm[i].max_iter = i == 1 ? 3 : 300; /* differing max_iter: separate batches */
        ptrs[i] = &prm[i];
    }
    CHECK(!est->batchable(&prm[0], &prm[1]));
    for (int i = 1; i < M; i++) prm[i].max_iter = 300;
    for (int i = 1; i < M; i++) CHECK(est->batchable(&prm[0], &prm[i]));
    pmc_data d = make(X, n_classes == 2 ? Ybin : Ymul, idx, n);
    pmc_model *batch[M] = {NULL}, *batch1[M] = {NULL}, *one = NULL;
    char warnings[M][PMC_WARNING_SIZE], warnings1[M][PMC_WARNING_SIZE];
    pmc_ctx ctx = pmc_ctx_default(), ctx1 = pmc_ctx_default();
    ctx.n_threads = 2;
    CHECK_OK(est->fit_batch(ptrs, M, &d, &ctx, batch, warnings));
    CHECK_OK(est->fit_batch(ptrs, M, &d, &ctx1, batch1, warnings1));
    for (int i = 0; i < M; i++) {
        if (!batch[i] || !batch1[i]) continue;
        pmc_ctx single = pmc_ctx_default();
        CHECK_OK(est->fit(&prm[i], &d, NULL, &single, &one));
        if (!one) continue;
        CHECK(strcmp(warnings[i], single.warning) == 0);
        CHECK(strcmp(warnings[i], warnings1[i]) == 0);
        pmc_arrays a, b, c;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        memset(&c, 0, sizeof c);
        CHECK_OK(est->export_arrays(batch[i], &a));
        CHECK_OK(est->export_arrays(batch1[i], &b));
        CHECK_OK(est->export_arrays(one, &c));
        const char *names[3] = {"coef_", "intercept_", "n_iter_"};
        for (int q = 0; q < 3; q++) {
            const pmc_view *va = pmc_arrays_find(&a, names[q]), *vb = pmc_arrays_find(&b, names[q]);
            const pmc_view *vc = pmc_arrays_find(&c, names[q]);
            CHECK(va && vb && vc);
            if (!va || !vb || !vc) continue;
            double scale = max_abs_of(vc);
            for (int64_t r = 0; r < va->shape[0]; r++)
                for (int64_t j = 0; j < (va->ndim == 2 ? va->shape[1] : 1); j++) {
                    CHECK(pmc_get(va, r, j) == pmc_get(vb, r, j)); /* any thread count */
                    CHECK_CLOSE(pmc_get(va, r, j), pmc_get(vc, r, j), 0.0, 1e-12 * scale);
                }
        }
        est->free(&one);
    }
    for (int i = 0; i < M; i++) {
        est->free(&batch[i]);
        est->free(&batch1[i]);
    }
}

static void test_fit_batch(void) {
    static int64_t idx[5000];
    for (int i = 0; i < 5000; i++) idx[i] = 11 * i + 3;
    pmc_matrix Xcm = pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P));
    pmc_view fv = pmc_view_2d(Xf, PMC_FLOAT64, N, P);
    fv.strides[0] = sizeof(double);
    fv.strides[1] = (int64_t)sizeof(double) * N;
    pmc_matrix Xfm = pmc_matrix_dense(fv);
    check_batch(Xcm, NULL, N, 2, PMC_LOGISTIC_LBFGS, 1);
    check_batch(Xcm, NULL, N, 2, PMC_LOGISTIC_LBFGS, 0);
    check_batch(Xcm, NULL, N, K, PMC_LOGISTIC_LBFGS, 1);
    check_batch(Xfm, idx, 5000, 2, PMC_LOGISTIC_LBFGS, 1);
    check_batch(csr_matrix(), idx, 5000, K, PMC_LOGISTIC_LBFGS, 0);
    check_batch(Xcm, idx, 5000, 2, PMC_LOGISTIC_LIBLINEAR, 1);
    /* L1 terms are not batched: a batch that holds one is refused. */
    const pmc_estimator *est = pmc_find_estimator("LogisticRegression");
    pmc_logistic_regression_params a = params(2, 1.0, 0.0, PMC_LOGISTIC_SAGA, 1);
    pmc_logistic_regression_params b = params(2, 1.0, 0.5, PMC_LOGISTIC_SAGA, 1);
    CHECK(!est->batchable(&a, &b));
    const void *ptrs[2] = {&a, &b};
    pmc_model *out[2] = {NULL, NULL};
    char warnings[2][PMC_WARNING_SIZE];
    pmc_ctx ctx = pmc_ctx_default();
    pmc_data d = make(pmc_matrix_dense(pmc_view_2d(Xc, PMC_FLOAT64, N, P)), Ybin, idx, 5000);
    CHECK_FAILS(est->fit_batch(ptrs, 2, &d, &ctx, out, warnings), PMC_ERR_VALUE,
                "cannot be fitted in one batch");
    CHECK(out[0] == NULL && out[1] == NULL);
}

int main(void) {
    make_data();
    test_objective_layouts();
    test_gradient_finite_differences();
    test_fits();
    test_apply();
    test_errors();
    test_fit_batch();
    return check_report("test_logistic");
}
