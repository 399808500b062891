/* The sorted-score curve and the areas from it, checked against definitions that
 * need no sorting: ROC AUC = P(score of a positive > score of a negative) + half
 * the ties (weighted Mann-Whitney over all pairs), the curve's counts = weights
 * of rows scoring at least each threshold.  Also: trapezoid auc, average
 * precision on a hand-computable case, row selections, float32 views, the
 * scorer table, and crafted indices rejected. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/metrics.h"

enum { N = 301 };

/* Weighted pair-counting AUC over rows `rows` (positions into score). */
static double pair_auc(const double *y, const double *w, const double *s, const int64_t *rows,
                       int64_t n) {
    long double num = 0, den = 0;
    for (int64_t a = 0; a < n; a++) {
        for (int64_t b = 0; b < n; b++) {
            const int64_t ia = rows ? rows[a] : a, ib = rows ? rows[b] : b;
            if (y[ia] != 1.0 || y[ib] != 0.0) continue;
            const double sa = s[a], sb = s[b];
            const long double ww = (long double)(w ? w[ia] : 1.0) * (w ? w[ib] : 1.0);
            den += ww;
            num += ww * (sa > sb ? 1.0L : (sa == sb ? 0.5L : 0.0L));
        }
    }
    return (double)(num / den);
}

static void make(double *y, double *w, double *s, uint64_t seed) {
    pmc_rng rng;
    pmc_rng_seed(&rng, seed, 0);
    for (int i = 0; i < N; i++) {
        y[i] = (double)pmc_rng_below(&rng, 2);
        w[i] = pmc_rng_uniform(&rng) < 0.1 ? 0.0 : pmc_rng_uniform(&rng);
        /* Few distinct values: many ties, and -0.0 next to 0.0. */
        s[i] = (double)((int64_t)pmc_rng_below(&rng, 9) - 4) * 0.25 + 0.2 * y[i];
        if (s[i] == 0.0 && i % 2) s[i] = -0.0;
    }
}

static void test_roc_auc_against_pairs(void) {
    double y[N], w[N], s[N];
    make(y, w, s, 1);
    pmc_view vy = pmc_view_1d(y, PMC_FLOAT64, N), vw = pmc_view_1d(w, PMC_FLOAT64, N);
    pmc_view vs = pmc_view_1d(s, PMC_FLOAT64, N), none = {0};
    double auc;
    CHECK_OK(pmc_metrics_roc_auc(&vy, &none, pmc_rows_all(N), &vs, 1.0, &auc));
    CHECK_CLOSE(auc, pair_auc(y, NULL, s, NULL, N), 1e-12, 0);
    CHECK_OK(pmc_metrics_roc_auc(&vy, &vw, pmc_rows_all(N), &vs, 1.0, &auc));
    CHECK_CLOSE(auc, pair_auc(y, w, s, NULL, N), 1e-12, 0);

    /* float32 scores read in place give the same area (the values are exact). */
    float s32[N];
    for (int i = 0; i < N; i++) s32[i] = (float)s[i];
    pmc_view v32 = pmc_view_1d(s32, PMC_FLOAT32, N);
    double auc32;
    CHECK_OK(pmc_metrics_roc_auc(&vy, &vw, pmc_rows_all(N), &v32, 1.0, &auc32));
    CHECK(auc32 == auc);

    /* A row selection: y and w read at rows, the score compact. */
    int64_t rows[N / 3];
    double compact[N / 3];
    for (int i = 0; i < N / 3; i++) {
        rows[i] = 3 * i + 1;
        compact[i] = s[3 * i + 1];
    }
    pmc_rows sel = {rows, 0, N / 3};
    pmc_view vc = pmc_view_1d(compact, PMC_FLOAT64, N / 3);
    CHECK_OK(pmc_metrics_roc_auc(&vy, &vw, sel, &vc, 1.0, &auc));
    CHECK_CLOSE(auc, pair_auc(y, w, compact, rows, N / 3), 1e-12, 0);

    /* One class only: NaN (Python warns). */
    double ones[N];
    for (int i = 0; i < N; i++) ones[i] = 1.0;
    pmc_view v1 = pmc_view_1d(ones, PMC_FLOAT64, N);
    CHECK_OK(pmc_metrics_roc_auc(&v1, &none, pmc_rows_all(N), &vs, 1.0, &auc));
    CHECK(isnan(auc));
}

static void test_curve_counts(void) {
    double y[N], w[N], s[N], fps[N], tps[N], thr[N];
    make(y, w, s, 2);
    pmc_view vy = pmc_view_1d(y, PMC_FLOAT64, N), vw = pmc_view_1d(w, PMC_FLOAT64, N);
    pmc_view vs = pmc_view_1d(s, PMC_FLOAT64, N);
    int64_t n = 0;
    CHECK_OK(pmc_metrics_binary_curve(&vy, &vw, pmc_rows_all(N), &vs, 1.0, fps, tps, thr, &n));
    /* One point per distinct score among nonzero weights (-0.0 == 0.0). */
    int64_t distinct = 0;
    for (int i = 0; i < N; i++) {
        int seen = w[i] == 0.0;
        for (int j = 0; j < i && !seen; j++) seen = w[j] != 0.0 && s[j] == s[i];
        distinct += !seen;
    }
    CHECK(n == distinct);
    for (int64_t k = 0; k < n; k++) {
        if (k) CHECK(thr[k] < thr[k - 1]);
        long double tp = 0, fp = 0;
        for (int i = 0; i < N; i++) {
            if (s[i] < thr[k]) continue;
            if (y[i] == 1.0) tp += w[i];
            else fp += w[i];
        }
        CHECK_CLOSE(tps[k], (double)tp, 1e-12, 1e-12);
        CHECK_CLOSE(fps[k], (double)fp, 1e-12, 1e-12);
    }
    s[5] = NAN;
    CHECK_FAILS(pmc_metrics_binary_curve(&vy, &vw, pmc_rows_all(N), &vs, 1.0, fps, tps, thr, &n),
                PMC_ERR_VALUE, "NaN");
}

static void test_auc_and_average_precision(void) {
    /* Trapezoids: y = x^2 sampled at 0, 0.5, 1 -> (0.5*(0+0.25) + 0.5*(0.25+1)) / 2. */
    double x[3] = {0, 0.5, 1}, yy[3] = {0, 0.25, 1}, xr[3] = {1, 0.5, 0}, yr[3] = {1, 0.25, 0};
    pmc_view vx = pmc_view_1d(x, PMC_FLOAT64, 3), vyy = pmc_view_1d(yy, PMC_FLOAT64, 3);
    pmc_view vxr = pmc_view_1d(xr, PMC_FLOAT64, 3), vyr = pmc_view_1d(yr, PMC_FLOAT64, 3);
    double a;
    CHECK_OK(pmc_metrics_auc(&vx, &vyy, &a));
    CHECK_CLOSE(a, 0.375, 1e-15, 0);
    CHECK_OK(pmc_metrics_auc(&vxr, &vyr, &a)); /* decreasing x: same positive area */
    CHECK_CLOSE(a, 0.375, 1e-15, 0);
    double bad[3] = {0, 1, 0.5};
    pmc_view vb = pmc_view_1d(bad, PMC_FLOAT64, 3);
    CHECK_FAILS(pmc_metrics_auc(&vb, &vyy, &a), PMC_ERR_VALUE, "neither increasing");

    /* Scores 0.9 (pos), 0.8 (neg), 0.7 (pos): AP = 1/2 * 1 + 1/2 * 2/3. */
    double y[3] = {1, 0, 1}, s[3] = {0.9, 0.8, 0.7};
    pmc_view vy = pmc_view_1d(y, PMC_FLOAT64, 3), vs = pmc_view_1d(s, PMC_FLOAT64, 3), none = {0};
    CHECK_OK(pmc_metrics_average_precision(&vy, &none, pmc_rows_all(3), &vs, 1.0, &a));
    CHECK_CLOSE(a, 0.5 + 1.0 / 3.0, 1e-15, 0);
}

static void test_multiclass_and_scorers(void) {
    /* Three classes; ovr macro equals the mean of the per-class binary AUCs. */
    enum { M = 90, K = 3 };
    double y[M], p[M * K];
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int i = 0; i < M; i++) {
        y[i] = (double)(i % K);
        double sum = 0;
        for (int c = 0; c < K; c++) {
            p[i * K + c] = pmc_rng_uniform(&rng) + (c == i % K ? 0.3 : 0.0);
            sum += p[i * K + c];
        }
        for (int c = 0; c < K; c++) p[i * K + c] /= sum;
    }
    pmc_view vy = pmc_view_1d(y, PMC_FLOAT64, M), vp = pmc_view_2d(p, PMC_FLOAT64, M, K);
    pmc_view none = {0};
    double ovr, mean = 0;
    CHECK_OK(pmc_metrics_roc_auc_multiclass(&vy, &none, pmc_rows_all(M), &vp, K, 0, 0, &ovr));
    for (int c = 0; c < K; c++) {
        double col[M], a;
        for (int i = 0; i < M; i++) col[i] = p[i * K + c];
        pmc_view vc = pmc_view_1d(col, PMC_FLOAT64, M);
        CHECK_OK(pmc_metrics_roc_auc(&vy, &none, pmc_rows_all(M), &vc, (double)c, &a));
        mean += a / K;
    }
    CHECK_CLOSE(ovr, mean, 1e-12, 0);

    const pmc_scorer *s = pmc_find_scorer("roc_auc_ovr");
    CHECK(s && s->method == PMC_PREDICT_PROBA && s->is_classification);
    double v;
    unsigned flags = 0;
    CHECK_OK(s->score(&vy, &none, pmc_rows_all(M), &vp, K, &v, &flags));
    CHECK(v == ovr && flags == 0);
    CHECK(pmc_find_scorer("roc_auc")->fallback_method == PMC_PREDICT_PROBA);
    CHECK(pmc_find_scorer("no_such_scorer") == NULL);
    int n = 0;
    const pmc_scorer *const *all = pmc_scorers(&n);
    CHECK(n >= 27);
    for (int i = 0; i < n; i++) CHECK(pmc_find_scorer(all[i]->name) == all[i]);

    /* Crafted inputs: out-of-range rows and class indices are refused. */
    int64_t rows[2] = {0, M + 3};
    pmc_rows sel = {rows, 0, 2};
    double out2[2 * K] = {0};
    pmc_view vo = pmc_view_2d(out2, PMC_FLOAT64, 2, K);
    CHECK_FAILS(s->score(&vy, &none, sel, &vo, K, &v, &flags), PMC_ERR_VALUE, "row index");
    double ybad[M];
    for (int i = 0; i < M; i++) ybad[i] = y[i] + 5;
    pmc_view vbad = pmc_view_1d(ybad, PMC_FLOAT64, M);
    CHECK_FAILS(pmc_find_scorer("neg_log_loss")->score(&vbad, &none, pmc_rows_all(M), &vp, K, &v, &flags),
                PMC_ERR_VALUE, "class index");
    CHECK_FAILS(pmc_find_scorer("f1_macro")->score(&vbad, &none, pmc_rows_all(M), &vy, K, &v, &flags),
                PMC_ERR_VALUE, "class index");
}

/* The warnings scikit-learn's scorers raise come back as bits. */
static void test_scorer_warnings(void) {
    double y[6] = {0, 0, 1, 1, 2, 2}, none_pred[6] = {0, 0, 0, 0, 0, 0};
    double pred3[6] = {0, 0, 1, 1, 1, 1}, extra[4] = {0, 2, 1, 1};
    pmc_view vy = pmc_view_1d(y, PMC_FLOAT64, 6), none = {0};
        pmc_view v3 = pmc_view_1d(pred3, PMC_FLOAT64, 6), vx = pmc_view_1d(extra, PMC_FLOAT64, 4);
    pmc_view vnone4 = pmc_view_1d(none_pred, PMC_FLOAT64, 4);
    double v;
    unsigned flags = 0;
    /* binary precision, nothing predicted positive: 0, "due to" */
    pmc_view vb = pmc_view_1d(y, PMC_FLOAT64, 4);
    CHECK_OK(pmc_find_scorer("precision")->score(&vb, &none, pmc_rows_all(4), &vnone4, 2, &v,
                                                &flags));
    CHECK(v == 0.0 && flags == (PMC_SCORE_WARN_ZERO_DIVISION | PMC_SCORE_WARN_SINGLE_RESULT));
    flags = 0; /* recall is defined there */
    CHECK_OK(pmc_find_scorer("recall")->score(&vb, &none, pmc_rows_all(4), &vnone4, 2, &v,
                                             &flags));
    CHECK(v == 0.0 && flags == 0);
    flags = 0; /* macro precision, class 2 never predicted: "in labels with" */
    CHECK_OK(pmc_find_scorer("precision_macro")->score(&vy, &none, pmc_rows_all(6), &v3, 3, &v,
                                                      &flags));
    CHECK(flags == PMC_SCORE_WARN_ZERO_DIVISION);
    flags = 0; /* balanced accuracy, class 2 predicted but absent from y_true */
    CHECK_OK(pmc_find_scorer("balanced_accuracy")->score(&vb, &none, pmc_rows_all(4), &vx, 3,
                                                        &v, &flags));
    CHECK(flags == PMC_SCORE_WARN_PRED_CLASSES);
    flags = 0; /* balanced accuracy, one label in y_true and y_pred */
    pmc_view vb2 = pmc_view_1d(y, PMC_FLOAT64, 2), vn2 = pmc_view_1d(none_pred, PMC_FLOAT64, 2);
    CHECK_OK(pmc_find_scorer("balanced_accuracy")->score(&vb2, &none, pmc_rows_all(2), &vn2, 3,
                                                        &v, &flags));
    CHECK(flags == PMC_SCORE_WARN_SINGLE_LABEL);
    flags = 0; /* r2 of one sample */
    pmc_view vy1 = pmc_view_1d(y, PMC_FLOAT64, 1);
    CHECK_OK(pmc_find_scorer("r2")->score(&vy1, &none, pmc_rows_all(1), &vy1, 0, &v, &flags));
    CHECK(isnan(v) && flags == PMC_SCORE_WARN_FEW_SAMPLES);
}

static void test_pairwise_sum(void) {
    /* Exact on integers whatever the split points (n below, at and above 128). */
    double a[1000];
    for (int i = 0; i < 1000; i++) a[i] = (double)i;
    CHECK(pmc_pairwise_sum(a, 1000) == 499500.0);
    CHECK(pmc_pairwise_sum(a, 0) == 0.0);
    CHECK(pmc_pairwise_sum(a, 7) == 21.0);
}

int main(void) {
    test_roc_auc_against_pairs();
    test_curve_counts();
    test_auc_and_average_precision();
    test_multiclass_and_scorers();
    test_pairwise_sum();
    test_scorer_warnings();
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
    return check_failures != 0;
}
