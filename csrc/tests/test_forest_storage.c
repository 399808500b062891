/* The forest's compact storage of counts, its pruning and its replayed draws:
 * per tree, the leaves' weighted counts add up to the bootstrap's draws and
 * their sample counts to the rows drawn (as the draw_only fit replays them);
 * ccp_alpha prunes (an infinite one down to the root); negative or NaN fails. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "pmc/tree.h"

enum { N = 400, P = 3, T = 6 };

static const pmc_view *find(const pmc_arrays *a, const char *name) {
    const pmc_view *v = pmc_arrays_find(a, name);
    CHECK(v != NULL);
    return v;
}

/* Per tree of an exported forest: the sums of its leaves' n_node_samples and
 * weighted_n_node_samples (the child and threshold slots of leaves). */
static void leaf_sums(const pmc_arrays *a, int64_t *n_sum, double *w_sum, int64_t *n_nodes) {
    const pmc_view *start = find(a, "tree_start"), *child = find(a, "child");
    const pmc_view *thr = find(a, "threshold");
    const int64_t *s = start->data;
    const int32_t *c = child->data;
    const float *t = thr->data;
    *n_nodes = s[T];
    for (int64_t k = 0; k < T; k++) {
        n_sum[k] = 0;
        w_sum[k] = 0.0;
        for (int64_t g = s[k]; g < s[k + 1]; g++)
            if (c[g] < 0) {
                n_sum[k] += -c[g];
                w_sum[k] += t[g];
            }
    }
}

int main(void) {
    const pmc_estimator *est = pmc_find_estimator("Forest");
    CHECK(est != NULL);
    if (!est) return check_report("test_forest_storage");
    double *X = malloc(N * P * sizeof(double)), y[N];
    pmc_rng rng;
    pmc_rng_seed(&rng, 3, 0);
    for (int64_t i = 0; i < N; i++) {
        for (int64_t j = 0; j < P; j++) X[i * P + j] = pmc_rng_normal(&rng);
        y[i] = X[i * P] + 0.3 * pmc_rng_normal(&rng) > 0; /* noisy: deep trees */
    }
    int64_t n_classes[1] = {2};
    pmc_tree_params pr;
    memset(&pr, 0, sizeof pr);
    pr.max_depth = -1;
    pr.min_samples_split = 2;
    pr.min_samples_leaf = 1;
    pr.max_features = P;
    pr.max_leaf_nodes = -1;
    pr.n_classes = pmc_view_1d(n_classes, PMC_INT64, 1);
    pr.n_estimators = T;
    pr.bootstrap = 1;
    pr.max_samples = 300;
    pmc_data d;
    memset(&d, 0, sizeof d);
    d.X = pmc_matrix_dense(pmc_view_2d(X, PMC_FLOAT64, N, P));
    d.y = pmc_view_1d(y, PMC_FLOAT64, N);
    d.rows = pmc_rows_all(N);
    pmc_ctx ctx = pmc_ctx_default();
    ctx.seed = 11;

    /* the draws, replayed */
    pmc_model *draws = NULL;
    pr.draw_only = 1;
    CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &draws));
    pr.draw_only = 0;
    int64_t drawn_rows[T];
    if (draws) {
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(est->export_arrays(draws, &a));
        const pmc_view *counts = find(&a, "draw_counts");
        CHECK(counts->shape[0] == T && counts->shape[1] == N);
        const int32_t *c = counts->data;
        for (int64_t t = 0; t < T; t++) {
            int64_t total = 0;
            drawn_rows[t] = 0;
            for (int64_t i = 0; i < N; i++) {
                total += c[t * N + i];
                drawn_rows[t] += c[t * N + i] > 0;
            }
            CHECK(total == 300);
        }
        est->free(&draws);
    }

    /* unpruned, pruned, pruned to the root: the same draws and leaf totals */
    double alphas[3] = {0.0, 0.01, INFINITY};
    int64_t nodes[3];
    for (int r = 0; r < 3; r++) {
        pr.ccp_alpha = alphas[r];
        pmc_model *m = NULL;
        CHECK_OK(est->fit(&pr, &d, NULL, &ctx, &m));
        if (!m) continue;
        pmc_arrays a;
        memset(&a, 0, sizeof a);
        CHECK_OK(est->export_arrays(m, &a));
        int64_t n_sum[T];
        double w_sum[T];
        leaf_sums(&a, n_sum, w_sum, &nodes[r]);
        for (int64_t t = 0; t < T; t++) {
            CHECK(n_sum[t] == drawn_rows[t]);
            CHECK_CLOSE(w_sum[t], 300.0, 0.0, 1e-9);
        }
        /* the leaf impurities of a root-only forest: gini of the drawn classes */
        if (r == 2) {
            const pmc_view *imp = find(&a, "leaf_impurity"), *val = find(&a, "leaf_value");
            CHECK(imp->shape[0] == T);
            const float *v = val->data, *g = imp->data;
            for (int64_t t = 0; t < T; t++)
                CHECK_CLOSE(g[t], 1.0 - v[2 * t] * v[2 * t] - v[2 * t + 1] * v[2 * t + 1], 1e-6,
                            1e-7);
        }
        est->free(&m);
    }
    CHECK(nodes[1] < nodes[0] / 2 && nodes[2] == T);
    pmc_model *m = NULL;
    pr.ccp_alpha = -1.0;
    CHECK_FAILS(est->fit(&pr, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "ccp_alpha");
    pr.ccp_alpha = NAN;
    CHECK_FAILS(est->fit(&pr, &d, NULL, &ctx, &m), PMC_ERR_VALUE, "ccp_alpha");
    free(X);
    return check_report("test_forest_storage");
}
