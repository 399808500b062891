/* Decision trees (scikit-learn's CART: the same criteria, stopping rules, node
 * numbering and thresholds) and forests of them.
 *
 * Growth works on `samples`, the rows of the tree (weight > 0), kept so that
 * every node owns a contiguous segment of it.  To split a node, each candidate
 * feature's values over the segment are gathered (as float32), sorted together
 * with the rows (radix sort for large segments), and scanned once, adding rows
 * to the left child's statistics; the best position over all features wins and
 * the segment is partitioned around it.  With max_bins, features are binned once
 * per tree and a node's split comes from per-bin statistics instead (no sort).
 *
 * A node's statistics S are one small array: S[0] the summed weight, then per
 * output either the weighted class counts (classification) or the weighted sum,
 * sum of squares and sum of y log y (regression).
 *
 * The absolute error has no such summary: a node's rows are ranked by y once
 * (mae_node), and each candidate ordering of the node (a feature's sorted
 * values, its bins, a random split's two sides) is swept forwards and
 * backwards through a Fenwick tree over those ranks holding weights and
 * weighted y, which gives the weighted median and absolute error of every
 * prefix and suffix in O(n log n) (mae_pass). */
#include <float.h>
#include <stdio.h>

#include "binning.h"
#include "internal.h"
#include "pmc/tree.h"

enum { CRIT_GINI, CRIT_ENTROPY, CRIT_LOG_LOSS, CRIT_SQUARED_ERROR, CRIT_POISSON,
       CRIT_ABSOLUTE_ERROR };
enum { SPLIT_BEST, SPLIT_RANDOM };
#define TREE_LEAF (-1)
#define TREE_UNDEFINED (-2)
#define FEATURE_THRESHOLD 1e-7 /* scikit-learn's: closer values are treated as tied */
#define TREE_EPSILON DBL_EPSILON

/* ---- fitted nodes ----------------------------------------------------------- */

/* One grown tree in scikit-learn's layout. */
typedef struct {
    int64_t n_nodes, cap, n_value, max_depth;
    int64_t *left, *right, *feature, *n_samples, *missing_left;
    double *threshold, *impurity, *wn, *value;
} tree_nodes;

static void nodes_free(tree_nodes *t) {
    free(t->left);
    free(t->right);
    free(t->feature);
    free(t->n_samples);
    free(t->missing_left);
    free(t->threshold);
    free(t->impurity);
    free(t->wn);
    free(t->value);
    memset(t, 0, sizeof *t);
}

static pmc_status nodes_reserve(tree_nodes *t, int64_t need) {
    if (need <= t->cap) return PMC_OK;
    int64_t cap = PMC_MAX(need, t->cap + t->cap / 2 + 16); /* 1.5x: a deep tree is large */
#define GROW(field)                                                                        \
    do {                                                                                   \
        void *p = realloc(t->field, (size_t)cap * sizeof(*t->field));                      \
        if (!p) return pmc_fail(PMC_ERR_MEMORY, "could not allocate %lld tree nodes",      \
                                (long long)cap);                                           \
        t->field = p;                                                                      \
    } while (0)
    GROW(left);
    GROW(right);
    GROW(feature);
    GROW(n_samples);
    GROW(missing_left);
    GROW(threshold);
    GROW(impurity);
    GROW(wn);
#undef GROW
    void *p = realloc(t->value, (size_t)(cap * t->n_value) * sizeof(double));
    if (!p) return pmc_fail(PMC_ERR_MEMORY, "could not allocate %lld tree nodes", (long long)cap);
    t->value = p;
    t->cap = cap;
    return PMC_OK;
}

/* One node of the layout every prediction runs on: 16 bytes, so that a visit
 * reads one cache line and a leaf knows its value row.  The two children of a
 * split are adjacent (right = left + 1), so a step is child + !go_left. */
typedef struct {
    double threshold; /* split: x <= threshold goes left */
    int32_t child;    /* split: the left child's index in nodes; leaf: -1 - its value row */
    uint32_t feature; /* split: feature | missing-goes-left << 31; leaf: its exported node id */
} forest_node;

#define NODE_MISSING_LEFT 0x80000000u
/* Features and node ids are < INT32_MAX (checked on import), so bit 31 is free. */
#define NODE_FEATURE(nd) ((int64_t)((nd)->feature & ~NODE_MISSING_LEFT))

/* The prediction form (a single tree is a forest of one); built on fit and
 * import from the exported arrays, never exported itself. */
typedef struct {
    int64_t n_trees, n_nodes, n_features, n_value;
    int64_t *tree_start;   /* n_trees + 1: tree t's root is nodes[tree_start[t]] */
    forest_node *nodes;    /* n_nodes */
    double *value;         /* leaf value rows, n_value each */
} forest_model;

static void forest_model_free(forest_model *m) {
    free(m->tree_start);
    free(m->nodes);
    free(m->value);
    memset(m, 0, sizeof *m);
}

/* Split node `nd` of the prediction form: its left child at `left`. */
static inline void fnode_split(forest_node *nd, int64_t left, int64_t feature, int missing_left,
                              double threshold) {
    nd->threshold = threshold;
    nd->child = (int32_t)left;
    nd->feature = (uint32_t)feature | (missing_left ? NODE_MISSING_LEFT : 0u);
}

static inline void fnode_leaf(forest_node *nd, int64_t value_row, int64_t id) {
    nd->threshold = 0.0;
    nd->child = (int32_t)(-1 - value_row);
    nd->feature = (uint32_t)id;
}

/* The child of split node `nd` that value x goes to (NaN: the missing side). */
static inline int32_t node_next(const forest_node *nd, float x) {
    int go_left = ((double)x <= nd->threshold) |
                  (isnan(x) & (int)(nd->feature >> 31));
    return nd->child + !go_left;
}

typedef struct {
    float v;
    int32_t i;
} pair;

#define PMC_TEMPLATE "../tree/tree_impl.h"
/* Rows a block traversal advances together (tree_block_leaves). */
#define TREE_LANES 8
#include "template.h"


/* ---- sorting (value, row) pairs ------------------------------------------------ */


static inline uint32_t sort_key(float v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

/* SORT_BY(name, type, key): name(a, n) sorts n items of type by their field key.
 * Three-way quicksort (many ties are common in tree data), median-of-three pivot,
 * recursion on the smaller side; insertion sort when small. */
#define SORT_BY(NAME, TYPE, KEY)                                                         \
    static void NAME(TYPE *a, int64_t n) {                                               \
        while (n > 24) {                                                                 \
            __typeof__(a->KEY) x = a[0].KEY, y = a[n / 2].KEY, z = a[n - 1].KEY;         \
            __typeof__(a->KEY) pivot =                                                   \
                x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));   \
            int64_t lt = 0, i = 0, gt = n;                                               \
            while (i < gt) {                                                             \
                if (a[i].KEY < pivot) {                                                  \
                    TYPE t = a[lt]; a[lt] = a[i]; a[i] = t;                              \
                    lt++; i++;                                                           \
                } else if (a[i].KEY > pivot) {                                           \
                    gt--;                                                                \
                    TYPE t = a[gt]; a[gt] = a[i]; a[i] = t;                              \
                } else {                                                                 \
                    i++;                                                                 \
                }                                                                        \
            }                                                                            \
            if (lt < n - gt) {                                                           \
                NAME(a, lt);                                                             \
                a += gt;                                                                 \
                n -= gt;                                                                 \
            } else {                                                                     \
                NAME(a + gt, n - gt);                                                    \
                n = lt;                                                                  \
            }                                                                            \
        }                                                                                \
        for (int64_t i = 1; i < n; i++) {                                                \
            TYPE x = a[i];                                                               \
            int64_t j = i;                                                               \
            while (j > 0 && a[j - 1].KEY > x.KEY) { a[j] = a[j - 1]; j--; }              \
            a[j] = x;                                                                    \
        }                                                                                \
    }

SORT_BY(quick_sort, pair, v)

/* LSD radix sort on the order-preserving bit pattern of the float, 3 passes of
 * 11 bits; `tmp` holds n pairs.  Passes whose digit is the same for every pair
 * are skipped. */
static void radix_sort(pair *a, pair *tmp, int64_t n) {
    static const int shift[3] = {0, 11, 22};
    uint32_t count[3][2048];
    memset(count, 0, sizeof count);
    for (int64_t k = 0; k < n; k++) {
        uint32_t key = sort_key(a[k].v);
        count[0][key & 2047]++;
        count[1][(key >> 11) & 2047]++;
        count[2][key >> 22]++;
    }
    pair *src = a, *dst = tmp;
    for (int p = 0; p < 3; p++) {
        uint32_t *c = count[p];
        uint32_t first = (sort_key(src[0].v) >> shift[p]) & 2047;
        if (c[first] == (uint32_t)n) continue;
        uint32_t sum = 0;
        for (int b = 0; b < 2048; b++) {
            uint32_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (int64_t k = 0; k < n; k++) {
            uint32_t d = (sort_key(src[k].v) >> shift[p]) & 2047;
            dst[c[d]++] = src[k];
        }
        pair *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof(pair));
}

static void sort_pairs(pair *a, pair *tmp, int64_t n) {
    if (n >= 1024) radix_sort(a, tmp, n);
    else quick_sort(a, n);
}

/* ---- the problem every tree of a fit shares -------------------------------------- */

typedef struct {
    const pmc_tree_params *params;
    const pmc_view *X;         /* dense X, or NULL */
    const pmc_matrix *csc;     /* sparse X (CSC arrays, see pmc_tree_params), or NULL */
    int64_t n_rows, n_features, n_outputs, max_classes, n_value, n_stat;
    int is_clf, criterion;
    int has_weight;            /* sample_weight was given */
    const int64_t *mono;       /* n_features monotonic constraints (-1, 0, 1) or NULL */
    const int64_t *n_classes;  /* n_outputs, classification */
    int32_t *label;            /* n_rows x n_outputs class codes (classification) */
    double *y;                 /* n_rows x n_outputs (regression) */
    double *weight;            /* n_rows: sample_weight (1 when absent) */
    /* histogram splitting */
    int n_bins;                /* max_bins, 0 for exact */
    float *bin_edges;          /* n_features x (n_bins - 1): thresholds, increasing */
    int32_t *n_edges;          /* n_features */
    uint8_t *binned;           /* n_features x n_rows, the missing bin is n_bins */
} problem;

/* values[k] = X[samples[k], f]; slot, base: see TREE_CSC_VISIT (NULL allowed). */
static void gather(const problem *pb, const int32_t *slot, int64_t base, const int32_t *samples,
                   int64_t n, int64_t f, float *v) {
    if (pb->csc) {
        if (pb->csc->data.dtype == PMC_FLOAT32) tree_gather_csc_f32(pb->csc, samples, n, f, slot, base, v);
        else tree_gather_csc_f64(pb->csc, samples, n, f, slot, base, v);
    } else if (pb->X->dtype == PMC_FLOAT32) {
        tree_gather_f32(pb->X, samples, n, f, v);
    } else {
        tree_gather_f64(pb->X, samples, n, f, v);
    }
}

/* ---- statistics ------------------------------------------------------------------- */

static inline void stats_add(const problem *pb, double *S, int64_t row, double w) {
    S[0] += w;
    int64_t q = pb->n_outputs;
    if (pb->is_clf) {
        const int32_t *lab = pb->label + row * q;
        for (int64_t o = 0; o < q; o++) S[1 + o * pb->max_classes + lab[o]] += w;
    } else {
        const double *y = pb->y + row * q;
        for (int64_t o = 0; o < q; o++) {
            S[1 + o] += w * y[o];
            S[1 + q + o] += w * y[o] * y[o];
            if (y[o] > 0.0) S[1 + 2 * q + o] += w * y[o] * log(y[o]);
        }
    }
}

static inline double xlog2x(double c) { return c > 0.0 ? c * log2(c) : 0.0; }

static double impurity(const problem *pb, const double *S) {
    double w = S[0], total = 0.0;
    int64_t q = pb->n_outputs, C = pb->max_classes;
    if (w <= 0.0) return 0.0;
    for (int64_t o = 0; o < q; o++) {
        switch (pb->criterion) {
        case CRIT_GINI: {
            double sq = 0.0;
            for (int64_t c = 0; c < C; c++) sq += S[1 + o * C + c] * S[1 + o * C + c];
            total += 1.0 - sq / (w * w);
            break;
        }
        case CRIT_ENTROPY:
        case CRIT_LOG_LOSS: {
            double e = 0.0;
            for (int64_t c = 0; c < C; c++) {
                double p = S[1 + o * C + c] / w;
                if (p > 0.0) e -= p * log2(p);
            }
            total += e;
            break;
        }
        case CRIT_SQUARED_ERROR: {
            double mean = S[1 + o] / w;
            total += S[1 + q + o] / w - mean * mean;
            break;
        }
        default: { /* poisson: half deviance, scikit-learn's INFINITY for sum <= eps */
            if (S[1 + o] <= TREE_EPSILON) return INFINITY;
            double mean = S[1 + o] / w;
            total += (S[1 + 2 * q + o] - S[1 + o] * log(mean)) / w;
            break;
        }
        }
    }
    return total / (double)q;
}

/* A quantity that orders splits as the impurity decrease does (the constant
 * terms dropped), given the left and right statistics. */
static double proxy(const problem *pb, const double *L, const double *R) {
    double wl = L[0], wr = R[0], total = 0.0;
    int64_t q = pb->n_outputs, C = pb->max_classes;
    for (int64_t o = 0; o < q; o++) {
        switch (pb->criterion) {
        case CRIT_GINI: {
            double sl = 0.0, sr = 0.0;
            for (int64_t c = 0; c < C; c++) {
                sl += L[1 + o * C + c] * L[1 + o * C + c];
                sr += R[1 + o * C + c] * R[1 + o * C + c];
            }
            total += sl / wl + sr / wr;
            break;
        }
        case CRIT_ENTROPY:
        case CRIT_LOG_LOSS:
            for (int64_t c = 0; c < C; c++)
                total += xlog2x(L[1 + o * C + c]) + xlog2x(R[1 + o * C + c]);
            total -= xlog2x(wl) + xlog2x(wr);
            break;
        case CRIT_SQUARED_ERROR:
            total += L[1 + o] * L[1 + o] / wl + R[1 + o] * R[1 + o] / wr;
            break;
        default:
            if (L[1 + o] <= TREE_EPSILON || R[1 + o] <= TREE_EPSILON) return -INFINITY;
            total += L[1 + o] * log(L[1 + o] / wl) + R[1 + o] * log(R[1 + o] / wr);
            break;
        }
    }
    return total;
}

static void node_value(const problem *pb, const double *S, double *value) {
    double w = S[0];
    if (pb->is_clf) {
        for (int64_t k = 0; k < pb->n_value; k++) value[k] = w > 0.0 ? S[1 + k] / w : 0.0;
    } else {
        for (int64_t o = 0; o < pb->n_outputs; o++) value[o] = w > 0.0 ? S[1 + o] / w : 0.0;
    }
}

/* ---- one tree's growth -------------------------------------------------------------- */

typedef struct {
    double y;
    int32_t i;
} ypair;

typedef struct {
    int64_t feature, pos; /* pos: end of the left child in the segment */
    double threshold, proxy;
    int missing_left, bin; /* bin: histogram splits go left for bins <= bin */
    double ae_left, ae_right, med_left, med_right; /* absolute error: the children's */
} split_record;

typedef struct {
    const problem *pb;
    const pmc_tree_params *pr;
    pmc_rng rng;
    const double *w;       /* n_rows: this tree's weights */
    int32_t *samples;      /* n_in */
    int64_t n_in;
    double w_total;
    float *values;         /* n_in */
    pair *pairs, *tmp;     /* n_in each */
    int64_t *features, *constant;  /* n_features each */
    double *S_left, *S_right, *S_best_left, *S_miss;  /* n_stat each */
    double *hist;          /* histogram splitting: n_bins + 1 statistics of one feature, */
    int64_t *hist_count;   /* their row counts (both kept zero between uses) */
    int32_t *touched;      /* the bins a node occupies */
    double lower, upper;   /* value bounds of the node being split (monotonic_cst) */
    int32_t *slot;         /* sparse X: n_rows, each row's place in samples (-1: absent) */
    /* absolute error (mae_node, mae_pass) */
    int mae;
    int32_t *y_rank;       /* n_rows x n_outputs: rank of y in the current node */
    double *y_sorted;      /* n_outputs x n_in: the node's y, sorted */
    double *median;        /* n_outputs: the node's weighted medians */
    double *fen_w, *fen_wy;          /* n_in + 1: Fenwick tree over ranks */
    double *ae_left, *ae_right;      /* n_in + 1: of order[:j] and order[j:] */
    double *med_left, *med_right;    /* n_in + 1: their medians (last output) */
    int32_t *order;        /* n_in: an ordering of the node's rows */
    ypair *ypairs;         /* n_in */
    int64_t *bin_next;     /* histogram splitting: n_bins + 1 */
    tree_nodes nodes;
} grower;

static inline double sample_w(const grower *g, int32_t row) { return g->w[row]; }

static void node_stats(const grower *g, int64_t start, int64_t end, double *S) {
    memset(S, 0, (size_t)g->pb->n_stat * sizeof(double));
    for (int64_t k = start; k < end; k++) stats_add(g->pb, S, g->samples[k], sample_w(g, g->samples[k]));
}

/* ---- absolute error ------------------------------------------------------------------ */

SORT_BY(sort_ypairs, ypair, y)

/* Ranks the rows of [start, end) by y (y_rank, y_sorted, per output) and
 * returns the node's impurity, its weighted medians in g->median: the smallest
 * y whose cumulative weight exceeds half the total, or the midpoint with the
 * previous y when the cumulative weight before it is exactly half (scikit-learn's
 * rule). */
static double mae_node(grower *g, int64_t start, int64_t end) {
    ypair *buf = g->ypairs;
    const problem *pb = g->pb;
    int64_t n = end - start, q = pb->n_outputs;
    double total_ae = 0.0, W = 0.0;
    for (int64_t o = 0; o < q; o++) {
        for (int64_t k = 0; k < n; k++) {
            int32_t row = g->samples[start + k];
            buf[k].y = pb->y[row * q + o];
            buf[k].i = row;
        }
        sort_ypairs(buf, n);
        double *ys = g->y_sorted + o * g->n_in;
        W = 0.0;
        for (int64_t r = 0; r < n; r++) {
            ys[r] = buf[r].y;
            g->y_rank[buf[r].i * q + o] = (int32_t)r;
            W += sample_w(g, buf[r].i);
        }
        double half = 0.5 * W, cum = 0.0, m = ys[n - 1];
        for (int64_t r = 0; r < n; r++) {
            double w = sample_w(g, buf[r].i);
            if (cum + w > half) {
                m = (r > 0 && cum == half) ? (ys[r - 1] + ys[r]) / 2 : ys[r];
                break;
            }
            cum += w;
        }
        g->median[o] = m;
        for (int64_t r = 0; r < n; r++) total_ae += sample_w(g, buf[r].i) * fabs(ys[r] - m);
    }
    return W > 0.0 ? total_ae / (W * (double)q) : 0.0;
}

/* Largest Fenwick index (1-based) whose prefix weight is <= t (strict: < t),
 * with the prefix sums of weight and weighted y up to it. */
static int64_t fen_descend(const grower *g, int64_t n, int64_t top, double t, int strict,
                           double *cw, double *cwy) {
    int64_t idx = 0;
    *cw = *cwy = 0.0;
    for (int64_t bit = top; bit; bit >>= 1) {
        int64_t nx = idx + bit;
        if (nx > n) continue;
        double fw = g->fen_w[nx];
        if (strict ? fw < t : fw <= t) {
            idx = nx;
            t -= fw;
            *cw += fw;
            *cwy += g->fen_wy[nx];
        }
    }
    return idx;
}

/* Absolute errors and medians of every prefix (ae_left[j], med_left[j]: rows
 * order[:j]) and suffix (ae_right[j], med_right[j]: rows order[j:]) of an
 * ordering of the n rows of the node last ranked by mae_node; errors summed
 * over the outputs. */
static void mae_pass(grower *g, const int32_t *order, int64_t n) {
    const problem *pb = g->pb;
    int64_t q = pb->n_outputs, top = 1;
    while (top * 2 <= n) top *= 2;
    memset(g->ae_left, 0, (size_t)(n + 1) * sizeof(double));
    memset(g->ae_right, 0, (size_t)(n + 1) * sizeof(double));
    for (int64_t o = 0; o < q; o++) {
        const double *ys = g->y_sorted + o * g->n_in;
        for (int dir = 0; dir < 2; dir++) {
            memset(g->fen_w, 0, (size_t)(n + 1) * sizeof(double));
            memset(g->fen_wy, 0, (size_t)(n + 1) * sizeof(double));
            double W = 0.0, WY = 0.0;
            for (int64_t s = 0; s < n; s++) {
                int64_t j = dir == 0 ? s : n - 1 - s;
                int32_t row = order[j];
                double w = sample_w(g, row), y = pb->y[row * q + o];
                for (int64_t idx = (int64_t)g->y_rank[row * q + o] + 1; idx <= n; idx += idx & -idx) {
                    g->fen_w[idx] += w;
                    g->fen_wy[idx] += w * y;
                }
                W += w;
                WY += w * y;
                double half = 0.5 * W, cw, cwy, m;
                int64_t r = fen_descend(g, n, top, half, 0, &cw, &cwy);
                if (r > n - 1) r = n - 1;
                m = ys[r];
                if (cw == half && cw > 0.0) { /* an active rank ends exactly at half */
                    double pw, pwy;
                    int64_t prev = fen_descend(g, n, top, half, 1, &pw, &pwy);
                    if (prev < r) m = (ys[prev] + ys[r]) / 2;
                }
                double ae = (WY - cwy - m * (W - cw)) + (m * cw - cwy);
                if (dir == 0) {
                    g->ae_left[j + 1] += ae;
                    g->med_left[j + 1] = m;
                } else {
                    g->ae_right[j] += ae;
                    g->med_right[j] = m;
                }
            }
        }
    }
}

/* The split criterion's proxy: for the absolute error, minus the children's
 * summed errors at position n_left of the last mae_pass. */
static inline double split_proxy(const grower *g, const double *L, const double *R,
                                 int64_t n_left) {
    if (g->mae) return -(g->ae_left[n_left] + g->ae_right[n_left]);
    return proxy(g->pb, L, R);
}

static inline void record_mae(const grower *g, split_record *best, int64_t n_left) {
    if (!g->mae) return;
    best->ae_left = g->ae_left[n_left];
    best->ae_right = g->ae_right[n_left];
    best->med_left = g->med_left[n_left];
    best->med_right = g->med_right[n_left];
}

/* Impurity of a child of split s (its statistics S): the absolute error from
 * the split's sweep, otherwise from S. */
static double child_impurity(const grower *g, const split_record *s, const double *S, int left) {
    if (!g->mae) return impurity(g->pb, S);
    return (left ? s->ae_left : s->ae_right) / (S[0] * (double)g->pb->n_outputs);
}

/* The single value a monotonic constraint looks at: the mean (regression) or
 * the fraction of class 0 (binary classification; Python flips the signs of
 * constraints given on the positive class, as scikit-learn does). */
static inline double mono_value(const double *S) { return S[1] / S[0]; }

static inline int accept(const grower *g, int64_t f, int64_t n_left, int64_t n_right,
                         const double *L, const double *R) {
    int64_t msl = g->pr->min_samples_leaf;
    if (n_left < msl || n_right < msl || L[0] < g->pr->min_weight_leaf ||
        R[0] < g->pr->min_weight_leaf)
        return 0;
    int64_t c = g->pb->mono ? g->pb->mono[f] : 0;
    if (c == 0) return 1;
    /* scikit-learn's check: both children inside the node's bounds, ordered */
    double vl = g->mae ? g->med_left[n_left] : mono_value(L);
    double vr = g->mae ? g->med_right[n_left] : mono_value(R);
    return vl >= g->lower && vr >= g->lower && vl <= g->upper && vr <= g->upper &&
           (vl - vr) * (double)c <= 0.0;
}

/* Candidate of the exact splitter: sorted values of feature f over the node, the
 * missing ones (n_missing) after the m = n - n_missing sorted ones.  Returns 1 if
 * the feature is constant on the node. */
static int scan_exact(grower *g, int64_t f, int64_t start, int64_t n, const double *S_node,
                      split_record *best) {
    const problem *pb = g->pb;
    int64_t ns = pb->n_stat;
    float *v = g->values;
    pair *pairs = g->pairs;
    gather(pb, g->slot, start, g->samples + start, n, f, v);
    /* non-missing first, missing after */
    int64_t m = 0;
    for (int64_t k = 0; k < n; k++)
        if (!isnan(v[k])) {
            pairs[m].v = v[k];
            pairs[m].i = g->samples[start + k];
            m++;
        }
    int64_t n_missing = n - m;
    if (m == 0) return 1;
    sort_pairs(pairs, g->tmp, m);
    if (n_missing == 0 && (double)pairs[m - 1].v <= (double)pairs[0].v + FEATURE_THRESHOLD) return 1;
    double *S_miss = g->S_miss;
    memset(S_miss, 0, (size_t)ns * sizeof(double));
    if (n_missing > 0)
        for (int64_t k = 0; k < n; k++)
            if (isnan(v[k])) stats_add(pb, S_miss, g->samples[start + k], sample_w(g, g->samples[start + k]));
    double *L = g->S_left, *R = g->S_right;
    for (int pass = 0; pass < (n_missing > 0 ? 2 : 1); pass++) {
        int miss_left = pass == 1;
        if (miss_left) memcpy(L, S_miss, (size_t)ns * sizeof(double));
        else memset(L, 0, (size_t)ns * sizeof(double));
        int64_t base = miss_left ? n_missing : 0;
        if (g->mae) { /* the rows in this pass's order: missing ones first or last */
            int64_t a = miss_left ? 0 : m, b = miss_left ? n_missing : 0;
            for (int64_t k = 0; k < n; k++)
                if (isnan(v[k])) g->order[a++] = g->samples[start + k];
            for (int64_t k = 0; k < m; k++) g->order[b + k] = pairs[k].i;
            mae_pass(g, g->order, n);
        }
        for (int64_t k = 0; k < m; k++) {
            stats_add(pb, L, pairs[k].i, sample_w(g, pairs[k].i));
            int last = k + 1 == m;
            if (last) {
                if (miss_left || n_missing == 0) break; /* everything on the left */
            } else if ((double)pairs[k + 1].v <= (double)pairs[k].v + FEATURE_THRESHOLD) {
                continue;
            }
            int64_t n_left = base + k + 1, n_right = n - n_left;
            for (int64_t s = 0; s < ns; s++) R[s] = S_node[s] - L[s];
            if (!accept(g, f, n_left, n_right, L, R)) continue;
            double p = split_proxy(g, L, R, n_left);
            if (p > best->proxy) {
                best->proxy = p;
                best->feature = f;
                best->pos = start + n_left;
                best->threshold = last ? INFINITY
                                       : (double)pairs[k].v / 2.0 + (double)pairs[k + 1].v / 2.0;
                best->missing_left = n_missing == 0 ? n_left > n_right : miss_left;
                memcpy(g->S_best_left, L, (size_t)ns * sizeof(double));
                record_mae(g, best, n_left);
            }
        }
    }
    return 0;
}

static int64_t nonzeros(const grower *g, int64_t f, int64_t start, int64_t n, pair *pairs) {
    const pmc_matrix *X = g->pb->csc;
    if (X->data.dtype == PMC_FLOAT32)
        return tree_nonzeros_csc_f32(X, g->samples + start, n, f, g->slot, start, pairs);
    return tree_nonzeros_csc_f64(X, g->samples + start, n, f, g->slot, start, pairs);
}

/* scan_exact on a sparse column, in time of the node's nonzero values: only
 * they are gathered (the column's entries that fall in the node), sorted and
 * visited; the zeros form one block between the negative and the positive
 * values, its statistics the node's minus the nonzeros'.  Same candidates and
 * thresholds as scan_exact, sums in another order (so equal to its tree but
 * for ties and rounding dust).  scan_exact itself below SPARSE_SCAN_MIN rows,
 * where little is saved and small nodes' near-ties are common, when most of
 * the node's values are nonzero, or when one is NaN. */
#define SPARSE_SCAN_MIN 1024
static int scan_exact_sparse(grower *g, int64_t f, int64_t start, int64_t n,
                             const double *S_node, split_record *best) {
    const problem *pb = g->pb;
    int64_t ns = pb->n_stat;
    pair *pairs = g->pairs;
    if (n < SPARSE_SCAN_MIN) return scan_exact(g, f, start, n, S_node, best);
    int64_t m = nonzeros(g, f, start, n, pairs);
    if (m < 0 || 2 * m > n) return scan_exact(g, f, start, n, S_node, best);
    if (m == 0) return 1;
    int64_t n_zero = n - m, n_neg = 0;
    sort_pairs(pairs, g->tmp, m);
    double lo = PMC_MIN((double)pairs[0].v, 0.0), hi = PMC_MAX((double)pairs[m - 1].v, 0.0);
    if (hi <= lo + FEATURE_THRESHOLD) return 1;
    while (n_neg < m && pairs[n_neg].v < 0.0f) n_neg++;
    double *L = g->S_left, *R = g->S_right, *Z = g->S_miss;
    memset(Z, 0, (size_t)ns * sizeof(double));
    for (int64_t k = 0; k < m; k++) stats_add(pb, Z, pairs[k].i, sample_w(g, pairs[k].i));
    for (int64_t s = 0; s < ns; s++) Z[s] = S_node[s] - Z[s];
    memset(L, 0, (size_t)ns * sizeof(double));
    int64_t n_left = 0;
    /* item it: negative value it (it < n_neg), the zeros (it == n_neg), then
     * positive value it - 1 */
    for (int64_t it = 0; it <= m; it++) {
        float cur, next;
        if (it == n_neg) {
            for (int64_t s = 0; s < ns; s++) L[s] += Z[s];
            n_left += n_zero;
            cur = 0.0f;
        } else {
            const pair *q = &pairs[it < n_neg ? it : it - 1];
            stats_add(pb, L, q->i, sample_w(g, q->i));
            n_left++;
            cur = q->v;
        }
        if (it == m) break; /* everything on the left */
        next = it + 1 < n_neg ? pairs[it + 1].v : (it + 1 == n_neg ? 0.0f : pairs[it].v);
        if ((double)next <= (double)cur + FEATURE_THRESHOLD) continue;
        int64_t n_right = n - n_left;
        for (int64_t s = 0; s < ns; s++) R[s] = S_node[s] - L[s];
        if (!accept(g, f, n_left, n_right, L, R)) continue;
        double p = proxy(pb, L, R);
        if (p > best->proxy) {
            best->proxy = p;
            best->feature = f;
            best->pos = start + n_left;
            best->threshold = (double)cur / 2.0 + (double)next / 2.0;
            best->missing_left = n_left > n_right;
            memcpy(g->S_best_left, L, (size_t)ns * sizeof(double));
        }
    }
    return 0;
}

/* Candidate of the random splitter: one threshold drawn uniformly between the
 * node's min and max of f (scikit-learn's ExtraTree). */
static int scan_random(grower *g, int64_t f, int64_t start, int64_t n, const double *S_node,
                       split_record *best) {
    const problem *pb = g->pb;
    int64_t ns = pb->n_stat;
    float *v = g->values;
    gather(pb, g->slot, start, g->samples + start, n, f, v);
    float lo = INFINITY, hi = -INFINITY;
    int64_t n_missing = 0;
    for (int64_t k = 0; k < n; k++) {
        if (isnan(v[k])) { n_missing++; continue; }
        lo = v[k] < lo ? v[k] : lo;
        hi = v[k] > hi ? v[k] : hi;
    }
    if (n_missing == n || ((double)hi <= (double)lo + FEATURE_THRESHOLD && n_missing == 0)) return 1;
    double t = ((double)hi - (double)lo) * pmc_rng_uniform(&g->rng) + (double)lo;
    int miss_left = n_missing > 0 ? (int)pmc_rng_below(&g->rng, 2) : 0;
    if (t == (double)hi) t = lo;
    double *L = g->S_left, *R = g->S_right;
    memset(L, 0, (size_t)ns * sizeof(double));
    int64_t n_left = 0;
    for (int64_t k = 0; k < n; k++) {
        int go_left = isnan(v[k]) ? miss_left : (double)v[k] <= t;
        if (go_left) {
            int32_t row = g->samples[start + k];
            stats_add(pb, L, row, sample_w(g, row));
            n_left++;
        }
    }
    int64_t n_right = n - n_left;
    for (int64_t s = 0; s < ns; s++) R[s] = S_node[s] - L[s];
    if (g->mae) { /* the left rows, then the right ones */
        int64_t a = 0, b = n_left;
        for (int64_t k = 0; k < n; k++) {
            int go_left = isnan(v[k]) ? miss_left : (double)v[k] <= t;
            g->order[go_left ? a++ : b++] = g->samples[start + k];
        }
        mae_pass(g, g->order, n);
    }
    if (!accept(g, f, n_left, n_right, L, R)) return 0;
    double p = split_proxy(g, L, R, n_left);
    if (p > best->proxy) {
        best->proxy = p;
        best->feature = f;
        best->pos = start + n_left;
        best->threshold = t;
        best->missing_left = n_missing > 0 ? miss_left : n_left > n_right;
        memcpy(g->S_best_left, L, (size_t)ns * sizeof(double));
        record_mae(g, best, n_left);
    }
    return 0;
}

/* Candidate of the histogram splitter: statistics per bin of f over the node, then
 * a scan of the boundaries between the bins the node occupies (missing values
 * tried on both sides).  Only the bins the node touches are visited and cleared
 * afterwards, so a small node costs in its size, not in the number of bins. */
static int scan_hist(grower *g, int64_t f, int64_t start, int64_t n, const double *S_node,
                     split_record *best) {
    const problem *pb = g->pb;
    int64_t ns = pb->n_stat, nb = pb->n_bins;
    const uint8_t *bins = pb->binned + f * pb->n_rows;
    double *H = g->hist;
    int64_t *counts = g->hist_count;
    int32_t *touched = g->touched;
    int64_t nt = 0;
    for (int64_t k = start; k < start + n; k++) {
        int32_t row = g->samples[k];
        int b = bins[row];
        if (counts[b]++ == 0) touched[nt++] = b;
        stats_add(pb, H + b * ns, row, sample_w(g, row));
    }
    int64_t n_missing = counts[nb];
    /* the occupied non-missing bins in increasing order */
    int64_t m = 0;
    for (int64_t k = 0; k < nt; k++)
        if (touched[k] != nb) touched[m++] = touched[k];
    if (m * 8 < nb) {
        for (int64_t i = 1; i < m; i++) {
            int32_t x = touched[i];
            int64_t j = i;
            while (j > 0 && touched[j - 1] > x) { touched[j] = touched[j - 1]; j--; }
            touched[j] = x;
        }
    } else {
        m = 0;
        for (int64_t b = 0; b < nb; b++)
            if (counts[b]) touched[m++] = (int32_t)b;
    }
    int is_constant = m == 0 || (m == 1 && n_missing == 0);
    if (!is_constant) {
        const float *edges = pb->bin_edges + f * (nb - 1);
        double *L = g->S_left, *R = g->S_right;
        /* the random splitter tries one boundary, drawn among the node's occupied
         * bins (after the last one: missing values alone on the right), and one
         * side for the missing values */
        int random = g->pr->splitter == SPLIT_RANDOM;
        int64_t chosen = -1;
        int chosen_pass = 0;
        if (random) {
            chosen = (int64_t)pmc_rng_below(&g->rng, (uint64_t)(m - 1 + (n_missing > 0)));
            chosen_pass = n_missing > 0 && chosen < m - 1 ? (int)pmc_rng_below(&g->rng, 2) : 0;
        }
        for (int pass = 0; pass < (n_missing > 0 ? 2 : 1); pass++) {
            if (random && pass != chosen_pass) continue;
            int miss_left = pass == 1;
            if (miss_left) memcpy(L, H + nb * ns, (size_t)ns * sizeof(double));
            else memset(L, 0, (size_t)ns * sizeof(double));
            int64_t n_left = miss_left ? n_missing : 0;
            if (g->mae) { /* the rows ordered by bin (a counting sort), missing first or last */
                int64_t *next = g->bin_next, at = miss_left ? n_missing : 0;
                for (int64_t k = 0; k < m; k++) {
                    next[touched[k]] = at;
                    at += counts[touched[k]];
                }
                next[nb] = miss_left ? 0 : at;
                for (int64_t k = start; k < start + n; k++)
                    g->order[next[bins[g->samples[k]]]++] = g->samples[k];
                mae_pass(g, g->order, n);
            }
            for (int64_t k = 0; k < m; k++) {
                int64_t b = touched[k];
                for (int64_t q = 0; q < ns; q++) L[q] += H[b * ns + q];
                n_left += counts[b];
                int last = k == m - 1;
                if (last && (miss_left || n_missing == 0)) break;
                if (random && k != chosen) continue;
                int64_t n_right = n - n_left;
                for (int64_t q = 0; q < ns; q++) R[q] = S_node[q] - L[q];
                if (!accept(g, f, n_left, n_right, L, R)) continue;
                double p = split_proxy(g, L, R, n_left);
                if (p > best->proxy) {
                    best->proxy = p;
                    best->feature = f;
                    best->pos = start + n_left;
                    best->bin = last ? (int)nb - 1 : (int)b;
                    best->threshold = last ? INFINITY : (double)edges[b];
                    best->missing_left = n_missing == 0 ? n_left > n_right : miss_left;
                    memcpy(g->S_best_left, L, (size_t)ns * sizeof(double));
                    record_mae(g, best, n_left);
                }
            }
        }
    }
    /* clear what this node touched */
    for (int64_t k = 0; k < m; k++) {
        counts[touched[k]] = 0;
        memset(H + touched[k] * ns, 0, (size_t)ns * sizeof(double));
    }
    counts[nb] = 0;
    memset(H + nb * ns, 0, (size_t)ns * sizeof(double));
    return is_constant;
}

/* Moves the rows of [start, end) that go left by `s` to the front. */
static void partition(grower *g, int64_t start, int64_t end, const split_record *s) {
    const problem *pb = g->pb;
    int64_t n = end - start, lo = 0, hi = n;
    int32_t *rows = g->samples + start;
    if (pb->n_bins) {
        const uint8_t *bins = pb->binned + s->feature * pb->n_rows;
        while (lo < hi) {
            int b = bins[rows[lo]];
            int left = b == pb->n_bins ? s->missing_left : b <= s->bin;
            if (left) lo++;
            else { hi--; int32_t t = rows[lo]; rows[lo] = rows[hi]; rows[hi] = t; }
        }
    } else {
        float *v = g->values;
        gather(pb, g->slot, start, rows, n, s->feature, v);
        while (lo < hi) {
            int left = isnan(v[lo]) ? s->missing_left : (double)v[lo] <= s->threshold;
            if (left) lo++;
            else {
                hi--;
                int32_t t = rows[lo]; rows[lo] = rows[hi]; rows[hi] = t;
                float tv = v[lo]; v[lo] = v[hi]; v[hi] = tv;
            }
        }
    }
    if (g->slot) /* sparse X: the rows' new places */
        for (int64_t k = 0; k < n; k++) g->slot[rows[k]] = (int32_t)(start + k);
}

/* scikit-learn's node split: features drawn without replacement (Fisher-Yates)
 * until max_features non-constant ones were evaluated; features found constant
 * are remembered for the descendants (n_constant in, updated out).  Returns 1
 * with the split in *best (children statistics in S_left/S_right) if one is
 * valid. */
static int node_split(grower *g, int64_t start, int64_t end, const double *S_node,
                      int64_t *n_constant, split_record *best) {
    const problem *pb = g->pb;
    int64_t p = pb->n_features, n = end - start;
    int64_t *features = g->features, *constant = g->constant;
    int64_t f_i = p, n_visited = 0, n_found = 0, n_drawn = 0, n_known = *n_constant;
    int64_t n_total = n_known, max_features = g->pr->max_features;
    best->proxy = -INFINITY;
    best->pos = end;
    best->feature = -1;
    while (f_i > n_total && (n_visited < max_features || n_visited <= n_found + n_drawn)) {
        n_visited++;
        int64_t f_j = n_drawn + (int64_t)pmc_rng_below(&g->rng, (uint64_t)(f_i - n_found - n_drawn));
        if (f_j < n_known) {
            int64_t t = features[n_drawn]; features[n_drawn] = features[f_j]; features[f_j] = t;
            n_drawn++;
            continue;
        }
        f_j += n_found;
        int64_t f = features[f_j];
        int is_constant;
        if (pb->n_bins) is_constant = scan_hist(g, f, start, n, S_node, best);
        else if (g->pr->splitter == SPLIT_RANDOM) is_constant = scan_random(g, f, start, n, S_node, best);
        else if (pb->csc && !g->mae) is_constant = scan_exact_sparse(g, f, start, n, S_node, best);
        else is_constant = scan_exact(g, f, start, n, S_node, best);
        if (is_constant) {
            features[f_j] = features[n_total];
            features[n_total] = f;
            n_found++;
            n_total++;
            continue;
        }
        f_i--;
        int64_t t = features[f_i]; features[f_i] = features[f_j]; features[f_j] = t;
    }
    /* keep the known constants in their order for the siblings and children */
    memcpy(features, constant, (size_t)n_known * sizeof(int64_t));
    memcpy(constant + n_known, features + n_known, (size_t)n_found * sizeof(int64_t));
    *n_constant = n_total;
    if (best->pos >= end) return 0;
    partition(g, start, end, best);
    return 1;
}

static pmc_status add_node(grower *g, int64_t parent, int is_left, const double *S, double imp,
                           int64_t n_samples, double lower, double upper, int64_t *id) {
    tree_nodes *t = &g->nodes;
    pmc_status status = nodes_reserve(t, t->n_nodes + 1);
    if (status != PMC_OK) return status;
    int64_t k = t->n_nodes++;
    t->left[k] = t->right[k] = TREE_LEAF;
    t->feature[k] = TREE_UNDEFINED;
    t->threshold[k] = TREE_UNDEFINED;
    t->missing_left[k] = 0;
    t->impurity[k] = imp;
    t->n_samples[k] = n_samples;
    t->wn[k] = S[0];
    double *v = t->value + k * t->n_value;
    if (g->mae) memcpy(v, g->median, (size_t)t->n_value * sizeof(double)); /* from mae_node */
    else node_value(g->pb, S, v);
    if (g->pb->mono) { /* scikit-learn clips every node's value to its bounds */
        v[0] = v[0] < lower ? lower : (v[0] > upper ? upper : v[0]);
        if (g->pb->is_clf) v[1] = 1.0 - v[0];
    }
    if (parent >= 0) {
        if (is_left) t->left[parent] = k;
        else t->right[parent] = k;
    }
    *id = k;
    return PMC_OK;
}

static void set_split(grower *g, int64_t k, const split_record *s) {
    g->nodes.feature[k] = s->feature;
    g->nodes.threshold[k] = s->threshold;
    g->nodes.missing_left[k] = s->missing_left;
}

/* Bounds of the children of a node split on f (scikit-learn's propagation: the
 * mean of the children's values becomes the shared bound on a constrained
 * feature). */
static void child_bounds(const grower *g, const split_record *s, const double *SL,
                         const double *SR, double lower, double upper, double *l_lo,
                         double *l_hi, double *r_lo, double *r_hi) {
    *l_lo = *r_lo = lower;
    *l_hi = *r_hi = upper;
    int64_t c = g->pb->mono ? g->pb->mono[s->feature] : 0;
    if (c == 0) return;
    double middle = g->mae ? s->med_left / 2.0 + s->med_right / 2.0
                           : mono_value(SL) / 2.0 + mono_value(SR) / 2.0;
    if (c > 0) {
        *l_hi = middle;
        *r_lo = middle;
    } else {
        *l_lo = middle;
        *r_hi = middle;
    }
}

/* The rules that make a node a leaf before any split is tried. */
static int leaf_by_rule(const grower *g, int64_t n, double wn, int64_t depth, double imp) {
    const pmc_tree_params *pr = g->pr;
    int64_t max_depth = pr->max_depth < 0 ? INT64_MAX : pr->max_depth;
    return depth >= max_depth || n < pr->min_samples_split || n < 2 * pr->min_samples_leaf ||
           wn < 2 * pr->min_weight_leaf || imp <= TREE_EPSILON;
}

/* scikit-learn's weighted impurity decrease of a split. */
static double improvement(const grower *g, double imp, double wn, double imp_l, double wl,
                          double imp_r, double wr) {
    return wn / g->w_total * (imp - wr / wn * imp_r - wl / wn * imp_l);
}

typedef struct {
    int64_t start, end, depth, parent, n_constant;
    int is_left;
    double imp, lower, upper;
} stack_item;

/* Depth first, as scikit-learn's DepthFirstTreeBuilder: nodes numbered in pre-order. */
static pmc_status grow_depth_first(grower *g, pmc_ctx *ctx) {
    pmc_status status = PMC_OK;
    const problem *pb = g->pb;
    int64_t ns = pb->n_stat, cap = 64, top = 0;
    stack_item *stack = NULL;
    double *S = NULL, *SL = NULL, *SR = NULL;
    PMC_ALLOC(stack, cap, "tree stack");
    PMC_ALLOC(S, ns, "tree statistics");
    PMC_ALLOC(SL, ns, "tree statistics");
    PMC_ALLOC(SR, ns, "tree statistics");
    stack[top++] = (stack_item){0, g->n_in, 0, -1, 0, 0, NAN, -INFINITY, INFINITY};
    int64_t n_nodes_seen = 0;
    while (top > 0) {
        stack_item it = stack[--top];
        if ((++n_nodes_seen & 1023) == 0) PMC_TRY(pmc_check_interrupt(ctx));
        int64_t n = it.end - it.start;
        node_stats(g, it.start, it.end, S);
        double imp = it.imp;
        if (g->mae) { /* ranks y for the split search, the median for the value */
            double own = mae_node(g, it.start, it.end);
            if (it.parent < 0) imp = own;
        } else if (it.parent < 0) {
            imp = impurity(pb, S);
        }
        int is_leaf = leaf_by_rule(g, n, S[0], it.depth, imp);
        split_record s;
        double imp_l = 0, imp_r = 0;
        g->lower = it.lower;
        g->upper = it.upper;
        if (!is_leaf) {
            if (!node_split(g, it.start, it.end, S, &it.n_constant, &s)) {
                is_leaf = 1;
            } else {
                memcpy(SL, g->S_best_left, (size_t)ns * sizeof(double));
                for (int64_t k = 0; k < ns; k++) SR[k] = S[k] - SL[k];
                imp_l = child_impurity(g, &s, SL, 1);
                imp_r = child_impurity(g, &s, SR, 0);
                double gain = improvement(g, imp, S[0], imp_l, SL[0], imp_r, SR[0]);
                if (gain + TREE_EPSILON < g->pr->min_impurity_decrease) is_leaf = 1;
            }
        }
        int64_t id;
        PMC_TRY(add_node(g, it.parent, it.is_left, S, imp, n, it.lower, it.upper, &id));
        if (it.depth > g->nodes.max_depth) g->nodes.max_depth = it.depth;
        if (is_leaf) continue;
        set_split(g, id, &s);
        double l_lo, l_hi, r_lo, r_hi;
        child_bounds(g, &s, SL, SR, it.lower, it.upper, &l_lo, &l_hi, &r_lo, &r_hi);
        if (top + 2 > cap) {
            cap *= 2;
            stack_item *p = realloc(stack, (size_t)cap * sizeof *stack);
            if (!p) { status = pmc_fail(PMC_ERR_MEMORY, "could not allocate the tree stack"); goto error; }
            stack = p;
        }
        stack[top++] = (stack_item){s.pos, it.end, it.depth + 1, id, it.n_constant, 0, imp_r,
                                    r_lo, r_hi};
        stack[top++] = (stack_item){it.start, s.pos, it.depth + 1, id, it.n_constant, 1, imp_l,
                                    l_lo, l_hi};
    }
error:
    free(stack);
    free(S);
    free(SL);
    free(SR);
    return status;
}

/* Best first, as scikit-learn's BestFirstTreeBuilder (max_leaf_nodes): every node's
 * split is found when the node is made; the frontier node with the largest
 * improvement is expanded next, its two children numbered together. */
typedef struct {
    int64_t id, start, end, depth, n_constant, pos;
    double imp, imp_l, imp_r, gain;
    double lower, upper, l_lo, l_hi, r_lo, r_hi; /* bounds: the node's, its children's */
    int is_leaf;
    split_record s;
} frontier_item;

static pmc_status make_frontier(grower *g, int64_t start, int64_t end, int64_t depth,
                                int64_t parent, int is_left, double imp, double lower,
                                double upper, double *S, frontier_item *out) {
    pmc_status status = PMC_OK;
    const problem *pb = g->pb;
    int64_t n = end - start;
    node_stats(g, start, end, S);
    if (g->mae) {
        double own = mae_node(g, start, end);
        if (parent < 0) imp = own;
    } else if (parent < 0) {
        imp = impurity(pb, S);
    }
    frontier_item it = {0};
    it.start = start;
    it.end = end;
    it.depth = depth;
    it.imp = imp;
    it.n_constant = 0; /* constant features are not carried across the frontier */
    it.lower = g->lower = lower;
    it.upper = g->upper = upper;
    it.is_leaf = leaf_by_rule(g, n, S[0], depth, imp);
    if (!it.is_leaf) {
        if (!node_split(g, start, end, S, &it.n_constant, &it.s)) {
            it.is_leaf = 1;
        } else {
            double *SL = g->S_best_left, *SR = g->S_right;
            for (int64_t k = 0; k < pb->n_stat; k++) SR[k] = S[k] - SL[k];
            it.imp_l = child_impurity(g, &it.s, SL, 1);
            it.imp_r = child_impurity(g, &it.s, SR, 0);
            it.gain = improvement(g, imp, S[0], it.imp_l, SL[0], it.imp_r, SR[0]);
            if (it.gain + TREE_EPSILON < g->pr->min_impurity_decrease) it.is_leaf = 1;
            it.pos = it.s.pos;
            child_bounds(g, &it.s, SL, SR, lower, upper, &it.l_lo, &it.l_hi, &it.r_lo,
                         &it.r_hi);
        }
    }
    PMC_TRY(add_node(g, parent, is_left, S, imp, n, lower, upper, &it.id));
    if (!it.is_leaf) set_split(g, it.id, &it.s);
    if (depth > g->nodes.max_depth) g->nodes.max_depth = depth;
    *out = it;
error:
    return status;
}

static pmc_status grow_best_first(grower *g, pmc_ctx *ctx) {
    pmc_status status = PMC_OK;
    int64_t cap = 64, n_front = 0, max_split = g->pr->max_leaf_nodes - 1;
    frontier_item *front = NULL;
    double *S = NULL;
    PMC_ALLOC(front, cap, "tree frontier");
    PMC_ALLOC(S, g->pb->n_stat, "tree statistics");
    frontier_item root;
    PMC_TRY(make_frontier(g, 0, g->n_in, 0, -1, 0, NAN, -INFINITY, INFINITY, S, &root));
    front[n_front++] = root;
    while (n_front > 0) {
        PMC_TRY(pmc_check_interrupt(ctx));
        /* pop the largest gain (the earliest made on ties, as a stable heap would) */
        int64_t b = 0;
        for (int64_t k = 1; k < n_front; k++)
            if (front[k].gain > front[b].gain) b = k;
        frontier_item it = front[b];
        memmove(front + b, front + b + 1, (size_t)(n_front - b - 1) * sizeof *front);
        n_front--;
        tree_nodes *t = &g->nodes;
        if (it.is_leaf || max_split <= 0) {
            t->left[it.id] = t->right[it.id] = TREE_LEAF;
            t->feature[it.id] = TREE_UNDEFINED;
            t->threshold[it.id] = TREE_UNDEFINED;
            t->missing_left[it.id] = 0;
            continue;
        }
        max_split--;
        if (n_front + 2 > cap) {
            cap *= 2;
            frontier_item *p = realloc(front, (size_t)cap * sizeof *front);
            if (!p) { status = pmc_fail(PMC_ERR_MEMORY, "could not allocate the tree frontier"); goto error; }
            front = p;
        }
        frontier_item l, r;
        PMC_TRY(make_frontier(g, it.start, it.pos, it.depth + 1, it.id, 1, it.imp_l, it.l_lo,
                              it.l_hi, S, &l));
        PMC_TRY(make_frontier(g, it.pos, it.end, it.depth + 1, it.id, 0, it.imp_r, it.r_lo,
                              it.r_hi, S, &r));
        front[n_front++] = l;
        front[n_front++] = r;
    }
error:
    free(front);
    free(S);
    return status;
}

/* The largest float32 <= t: for a float32 x, x <= t exactly when x <= it. */
static float round_down_f32(double t) {
    float f = (float)t;
    if ((double)f > t) f = nextafterf(f, -INFINITY);
    return f;
}

/* ---- histogram bins ------------------------------------------------------------------ */

/* Per feature at most n_bins - 1 increasing thresholds from the project's
 * quantile binning (pmc_bin_thresholds: scikit-learn's _BinMapper on at most
 * 200,000 rows), computed on the feature's float32 values (gathered one
 * column at a time, so that float32 and float64 X give the same bins), rounded
 * down to float32 (for a float32 x, x <= t and x <= t rounded down agree),
 * duplicates dropped.  Then
 * every (feature, row) gets the smallest bin b with x <= threshold[b]
 * (n_edges when above all), NaN the missing bin n_bins.  The mapping is done
 * here on the float32 values, so that the bins and the prediction-time
 * comparisons agree exactly. */
static pmc_status bin_features(problem *pb, uint64_t seed, int n_threads) {
    pmc_status status = PMC_OK;
    int64_t n = pb->n_rows, p = pb->n_features, nb = pb->n_bins;
    double *thresholds = NULL;
    int32_t *n_thr = NULL, *all = NULL;
    float *v = NULL, *column = NULL;
    int32_t *idx = NULL;
    PMC_ALLOC(thresholds, p * (nb - 1), "histogram binning");
    PMC_ALLOC(n_thr, p, "histogram binning");
    PMC_ALLOC(column, n, "histogram binning");
    PMC_ALLOC(all, n, "histogram binning");
    for (int64_t i = 0; i < n; i++) all[i] = (int32_t)i;
    PMC_ALLOC(pb->bin_edges, p * (nb - 1), "histogram bins");
    PMC_ALLOC(pb->n_edges, p, "histogram bins");
    PMC_ALLOC(pb->binned, p * n, "binned X");
    const int64_t block = 4096;
    PMC_ALLOC(v, block, "histogram binning");
    PMC_ALLOC(idx, block, "histogram binning");
    for (int64_t f = 0; f < p; f++) {
        /* the same subsample of rows for every feature: same seed, same n */
        gather(pb, all, 0, all, n, f, column); /* `all` is its own slot (identity) */
        pmc_matrix col = pmc_matrix_dense(pmc_view_2d(column, PMC_FLOAT32, n, 1));
        PMC_TRY(pmc_bin_thresholds(&col, pmc_rows_all(n), (int)nb, 200000, seed, n_threads,
                                   thresholds + f * (nb - 1), n_thr + f));
    }
    for (int64_t f = 0; f < p; f++) {
        float *edges = pb->bin_edges + f * (nb - 1);
        int64_t ne = 0;
        for (int64_t k = 0; k < n_thr[f]; k++) {
            float t = round_down_f32(thresholds[f * (nb - 1) + k]);
            if (ne == 0 || t > edges[ne - 1]) edges[ne++] = t;
        }
        pb->n_edges[f] = (int32_t)ne;
        uint8_t *out = pb->binned + f * n;
        for (int64_t i0 = 0; i0 < n; i0 += block) {
            int64_t cnt = PMC_MIN(block, n - i0);
            for (int64_t k = 0; k < cnt; k++) idx[k] = (int32_t)(i0 + k);
            gather(pb, all, i0, idx, cnt, f, v);
            for (int64_t k = 0; k < cnt; k++) {
                float x = v[k];
                if (isnan(x)) {
                    out[i0 + k] = (uint8_t)nb;
                    continue;
                }
                int64_t lo = 0, hi = ne;
                while (lo < hi) {
                    int64_t mid = (lo + hi) / 2;
                    if (x <= edges[mid]) hi = mid;
                    else lo = mid + 1;
                }
                out[i0 + k] = (uint8_t)lo;
            }
        }
    }
error:
    free(thresholds);
    free(n_thr);
    free(column);
    free(all);
    free(v);
    free(idx);
    return status;
}

/* ---- fitting ---------------------------------------------------------------------------- */

static void problem_free(problem *pb) {
    free(pb->label);
    free(pb->y);
    free(pb->weight);
    free(pb->bin_edges);
    free(pb->n_edges);
    free(pb->binned);
}

static pmc_status problem_init(problem *pb, const pmc_tree_params *pr, const pmc_data *data,
                               pmc_ctx *ctx) {
    pmc_status status = PMC_OK;
    memset(pb, 0, sizeof *pb);
    const pmc_matrix *X = &data->X;
    if (X->is_sparse != (pr->sparse_csc != 0))
        return pmc_fail(PMC_ERR_UNSUPPORTED, "X: the trees take sparse X as its CSC arrays "
                        "(sparse_csc) and only so");
    if (data->rows.index || data->rows.start != 0 || data->rows.n != X->n_rows)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "the trees fit on all rows of X");
    /* CSC: the CSR view is of X's transpose (its indptr and indices were checked) */
    int64_t n = X->is_sparse ? X->n_cols : X->n_rows, p = X->is_sparse ? X->n_rows : X->n_cols;
    if (n < 1 || p < 1) return pmc_fail(PMC_ERR_VALUE, "X must have at least one row and column");
    if (n > INT32_MAX - 1) return pmc_fail(PMC_ERR_VALUE, "X has too many rows for a tree (%lld)", (long long)n);
    if (data->y.ndim == 0 || data->y.shape[0] != n)
        return pmc_fail(PMC_ERR_VALUE, "y must have one entry per row of X");
    if (data->weight.ndim != 0 && data->weight.shape[0] != n)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight must have one entry per row of X");
    if (pr->criterion < 0 || pr->criterion > CRIT_ABSOLUTE_ERROR)
        return pmc_fail(PMC_ERR_VALUE, "criterion: unknown value");
    if (pr->max_features < 1 || pr->max_features > p)
        return pmc_fail(PMC_ERR_VALUE, "max_features must be in [1, %lld], got %lld",
                        (long long)p, (long long)pr->max_features);
    if (pr->min_samples_leaf < 1 || pr->min_samples_split < 2)
        return pmc_fail(PMC_ERR_VALUE, "min_samples_leaf must be >= 1 and min_samples_split >= 2");
    if (pr->max_bins != 0 && (pr->max_bins < 2 || pr->max_bins > 255))
        return pmc_fail(PMC_ERR_VALUE, "max_bins must be in [2, 255], got %lld", (long long)pr->max_bins);
    if (X->is_sparse) { /* binary searches need increasing rows within a column */
        PMC_TRY(pmc_matrix_check(X, "X"));
        for (int64_t f = 0; f < p; f++) {
            int64_t lo = pmc_get_index(&X->indptr, f), hi = pmc_get_index(&X->indptr, f + 1);
            for (int64_t e = lo + 1; e < hi; e++)
                if (pmc_get_index(&X->indices, e) <= pmc_get_index(&X->indices, e - 1))
                    return pmc_fail(PMC_ERR_VALUE, "X: the row indices of column %lld are not "
                                    "strictly increasing (sorted, without duplicates)",
                                    (long long)f);
        }
    }
    pb->params = pr;
    pb->X = X->is_sparse ? NULL : &X->dense;
    pb->csc = X->is_sparse ? X : NULL;
    pb->n_rows = n;
    pb->n_features = p;
    pb->n_outputs = data->y.shape[1];
    pb->criterion = pr->criterion;
    pb->is_clf = pr->criterion <= CRIT_LOG_LOSS;
    int64_t q = pb->n_outputs;
    if (pb->is_clf) {
        const pmc_view *nc = &pr->n_classes;
        if (nc->ndim != 1 || nc->shape[0] != q || (nc->dtype != PMC_INT64) || nc->strides[0] != 8)
            return pmc_fail(PMC_ERR_VALUE, "n_classes must be int64 with one entry per output");
        pb->n_classes = nc->data;
        pb->max_classes = 1;
        for (int64_t o = 0; o < q; o++) {
            if (pb->n_classes[o] < 1 || pb->n_classes[o] > (1 << 30))
                return pmc_fail(PMC_ERR_VALUE, "n_classes[%lld] is out of range", (long long)o);
            pb->max_classes = PMC_MAX(pb->max_classes, pb->n_classes[o]);
        }
        pb->n_value = q * pb->max_classes;
        pb->n_stat = 1 + pb->n_value;
        PMC_ALLOC(pb->label, n * q, "tree labels");
        for (int64_t i = 0; i < n; i++)
            for (int64_t o = 0; o < q; o++) {
                double c = pmc_get(&data->y, i, o);
                if (!(c >= 0.0 && c < (double)pb->n_classes[o]) || c != floor(c)) {
                    status = pmc_fail(PMC_ERR_VALUE, "y[%lld] is not a class code below n_classes",
                                      (long long)i);
                    goto error;
                }
                pb->label[i * q + o] = (int32_t)c;
            }
    } else {
        pb->max_classes = 1;
        pb->n_value = q;
        pb->n_stat = 1 + 3 * q;
        PMC_ALLOC(pb->y, n * q, "tree targets");
        for (int64_t i = 0; i < n; i++)
            for (int64_t o = 0; o < q; o++) {
                double v = pmc_get(&data->y, i, o);
                if (!isfinite(v)) {
                    status = pmc_fail(PMC_ERR_VALUE, "y contains NaN or infinity");
                    goto error;
                }
                pb->y[i * q + o] = v;
            }
    }
    pb->has_weight = data->weight.ndim != 0;
    PMC_ALLOC(pb->weight, n, "tree weights");
    for (int64_t i = 0; i < n; i++) {
        double w = pmc_weight(&data->weight, i);
        if (!(w >= 0.0) || !isfinite(w)) {
            status = pmc_fail(PMC_ERR_VALUE, "sample_weight must be finite and non-negative");
            goto error;
        }
        pb->weight[i] = w;
    }
    if (pr->monotonic_cst.ndim != 0) {
        const pmc_view *mc = &pr->monotonic_cst;
        if (mc->ndim != 1 || mc->shape[0] != p || mc->dtype != PMC_INT64 || mc->strides[0] != 8) {
            status = pmc_fail(PMC_ERR_VALUE, "monotonic_cst must be int64 with one entry per "
                              "feature");
            goto error;
        }
        if (q != 1 || (pb->is_clf && pb->n_classes[0] > 2)) {
            status = pmc_fail(PMC_ERR_VALUE, "monotonic_cst needs a single output and, for "
                              "classification, at most two classes");
            goto error;
        }
        pb->mono = mc->data;
        for (int64_t f = 0; f < p; f++)
            if (pb->mono[f] < -1 || pb->mono[f] > 1) {
                status = pmc_fail(PMC_ERR_VALUE, "monotonic_cst must hold -1, 0 or 1");
                goto error;
            }
    }
    pb->n_bins = (int)pr->max_bins;
    if (pb->n_bins) PMC_TRY(bin_features(pb, ctx->seed, ctx->n_threads));
    return PMC_OK;
error:
    problem_free(pb);
    return status;
}

static void grower_free(grower *g) {
    free(g->samples);
    free(g->values);
    free(g->pairs);
    free(g->tmp);
    free(g->features);
    free(g->constant);
    free(g->S_left);
    free(g->S_right);
    free(g->S_best_left);
    free(g->S_miss);
    free(g->hist);
    free(g->hist_count);
    free(g->touched);
    free(g->slot);
    free(g->y_rank);
    free(g->y_sorted);
    free(g->median);
    free(g->fen_w);
    free(g->fen_wy);
    free(g->ae_left);
    free(g->ae_right);
    free(g->med_left);
    free(g->med_right);
    free(g->order);
    free(g->ypairs);
    free(g->bin_next);
    nodes_free(&g->nodes);
}

/* Grows one tree on the rows of weight w > 0. */
static pmc_status grow_tree(const problem *pb, const double *w, pmc_rng rng, pmc_ctx *ctx,
                            tree_nodes *out) {
    pmc_status status = PMC_OK;
    grower g;
    memset(&g, 0, sizeof g);
    g.pb = pb;
    g.pr = pb->params;
    g.rng = rng;
    g.w = w;
    int64_t n = pb->n_rows, p = pb->n_features, ns = pb->n_stat;
    PMC_ALLOC(g.samples, n, "tree samples");
    for (int64_t i = 0; i < n; i++)
        if (w[i] > 0.0) {
            g.samples[g.n_in++] = (int32_t)i;
            g.w_total += w[i];
        }
    if (g.n_in == 0) {
        status = pmc_fail(PMC_ERR_VALUE, "sample_weight: the rows of a tree have no weight");
        goto error;
    }
    PMC_ALLOC(g.values, g.n_in, "tree buffers");
    if (!pb->n_bins) {
        PMC_ALLOC(g.pairs, g.n_in, "tree buffers");
        PMC_ALLOC(g.tmp, g.n_in, "tree buffers");
    } else {
        PMC_ALLOC(g.hist, (pb->n_bins + 1) * ns, "tree histograms");
        PMC_ALLOC(g.hist_count, pb->n_bins + 1, "tree histograms");
        PMC_ALLOC(g.touched, pb->n_bins + 1, "tree histograms");
    }
    PMC_ALLOC(g.features, p, "tree buffers");
    PMC_ALLOC(g.constant, p, "tree buffers");
    for (int64_t f = 0; f < p; f++) g.features[f] = g.constant[f] = f;
    PMC_ALLOC(g.S_left, ns, "tree statistics");
    PMC_ALLOC(g.S_right, ns, "tree statistics");
    PMC_ALLOC(g.S_best_left, ns, "tree statistics");
    PMC_ALLOC(g.S_miss, ns, "tree statistics");
    if (pb->csc) {
        PMC_ALLOC(g.slot, n, "tree buffers");
        for (int64_t i = 0; i < n; i++) g.slot[i] = -1;
        for (int64_t k = 0; k < g.n_in; k++) g.slot[g.samples[k]] = (int32_t)k;
    }
    g.mae = pb->criterion == CRIT_ABSOLUTE_ERROR;
    if (g.mae) {
        int64_t q = pb->n_outputs, m = g.n_in;
        PMC_ALLOC(g.y_rank, n * q, "absolute error buffers");
        PMC_ALLOC(g.y_sorted, q * m, "absolute error buffers");
        PMC_ALLOC(g.median, q, "absolute error buffers");
        PMC_ALLOC(g.fen_w, m + 1, "absolute error buffers");
        PMC_ALLOC(g.fen_wy, m + 1, "absolute error buffers");
        PMC_ALLOC(g.ae_left, m + 1, "absolute error buffers");
        PMC_ALLOC(g.ae_right, m + 1, "absolute error buffers");
        PMC_ALLOC(g.med_left, m + 1, "absolute error buffers");
        PMC_ALLOC(g.med_right, m + 1, "absolute error buffers");
        PMC_ALLOC(g.order, m, "absolute error buffers");
        PMC_ALLOC(g.ypairs, m, "absolute error buffers");
        if (pb->n_bins) PMC_ALLOC(g.bin_next, pb->n_bins + 1, "absolute error buffers");
    }
    g.nodes.n_value = pb->n_value;
    if (g.pr->max_leaf_nodes > 0) PMC_TRY(grow_best_first(&g, ctx));
    else PMC_TRY(grow_depth_first(&g, ctx));
    *out = g.nodes;
    memset(&g.nodes, 0, sizeof g.nodes);
error:
    grower_free(&g);
    return status;
}

/* scikit-learn's feature_importances_ of one tree, normalised (zeros if no split). */
static void tree_importances(const tree_nodes *t, int64_t p, double *imp) {
    memset(imp, 0, (size_t)p * sizeof(double));
    for (int64_t k = 0; k < t->n_nodes; k++) {
        int64_t l = t->left[k], r = t->right[k];
        if (l < 0) continue;
        imp[t->feature[k]] += t->wn[k] * t->impurity[k] - t->wn[l] * t->impurity[l] -
                               t->wn[r] * t->impurity[r];
    }
    double sum = 0.0;
    for (int64_t f = 0; f < p; f++) {
        imp[f] /= t->wn[0];
        sum += imp[f];
    }
    if (sum > 0.0)
        for (int64_t f = 0; f < p; f++) imp[f] /= sum;
}

/* ---- the model ------------------------------------------------------------------------------ */

/* scikit-learn's minimal cost-complexity pruning of a grown tree, in place (the
 * mechanism of tree/_prune.py): the weakest link, the inner node of least
 * effective alpha (the first on ties), is cut while its alpha is <= ccp_alpha;
 * the kept nodes are then renumbered in their order, so children stay after
 * their node. */
static pmc_status prune_nodes(tree_nodes *t, double ccp_alpha) {
    pmc_status status = PMC_OK;
    int64_t n = t->n_nodes, nv = t->n_value;
    double *r_node = NULL, *r_branch = NULL;
    int64_t *parent = NULL, *n_leaves = NULL, *stack = NULL;
    uint8_t *leaf = NULL, *kept = NULL;
    if (n <= 1) return PMC_OK;
    PMC_ALLOC(r_node, n, "pruning");
    PMC_ALLOC(r_branch, n, "pruning");
    PMC_ALLOC(parent, n, "pruning");
    PMC_ALLOC(n_leaves, n, "pruning");
    PMC_ALLOC(stack, n, "pruning");
    PMC_ALLOC(leaf, n, "pruning");
    PMC_ALLOC(kept, n, "pruning");
    for (int64_t k = 0; k < n; k++) {
        r_node[k] = t->wn[k] * t->impurity[k] / t->wn[0];
        leaf[k] = t->left[k] < 0;
        r_branch[k] = leaf[k] ? r_node[k] : 0.0;
        kept[k] = 1;
        parent[k] = -1;
        n_leaves[k] = 0;
    }
    for (int64_t k = 0; k < n; k++)
        if (!leaf[k]) parent[t->left[k]] = parent[t->right[k]] = k;
    for (int64_t k = n - 1; k > 0; k--) { /* leaves and impurity below every node */
        int64_t p = parent[k];
        n_leaves[p] += leaf[k] ? 1 : n_leaves[k];
        r_branch[p] += leaf[k] ? r_node[k] : r_branch[k];
    }
    while (!leaf[0]) {
        double best = INFINITY;
        int64_t node = -1;
        for (int64_t k = 0; k < n; k++) {
            if (!kept[k] || leaf[k]) continue;
            double alpha = (r_node[k] - r_branch[k]) / (double)(n_leaves[k] - 1);
            if (alpha < best) {
                best = alpha;
                node = k;
            }
        }
        if (node < 0 || ccp_alpha < best) break;
        int64_t top = 0; /* drop the branch below `node` */
        stack[top++] = t->left[node];
        stack[top++] = t->right[node];
        while (top) {
            int64_t k = stack[--top];
            kept[k] = 0;
            if (!leaf[k]) {
                stack[top++] = t->left[k];
                stack[top++] = t->right[k];
            }
        }
        leaf[node] = 1;
        int64_t pruned = n_leaves[node] - 1;
        double diff = r_node[node] - r_branch[node];
        n_leaves[node] = 0;
        r_branch[node] = r_node[node];
        for (int64_t k = parent[node]; k >= 0; k = parent[k]) {
            n_leaves[k] -= pruned;
            r_branch[k] += diff;
        }
    }
    /* renumber: stack[k] is the new id of kept node k */
    int64_t m = 0;
    for (int64_t k = 0; k < n; k++) stack[k] = kept[k] ? m++ : -1;
    for (int64_t k = 0; k < n; k++) { /* new ids are <= old ones: in place */
        if (!kept[k]) continue;
        int64_t j = stack[k];
        if (leaf[k]) {
            t->left[j] = t->right[j] = TREE_LEAF;
            t->feature[j] = TREE_UNDEFINED;
            t->threshold[j] = TREE_UNDEFINED;
            t->missing_left[j] = 0;
        } else {
            t->left[j] = stack[t->left[k]];
            t->right[j] = stack[t->right[k]];
            t->feature[j] = t->feature[k];
            t->threshold[j] = t->threshold[k];
            t->missing_left[j] = t->missing_left[k];
        }
        t->n_samples[j] = t->n_samples[k];
        t->impurity[j] = t->impurity[k];
        t->wn[j] = t->wn[k];
        memmove(t->value + j * nv, t->value + k * nv, (size_t)nv * sizeof(double));
    }
    t->n_nodes = m;
error:
    free(r_node);
    free(r_branch);
    free(parent);
    free(n_leaves);
    free(stack);
    free(leaf);
    free(kept);
    return status;
}

/* A tree in the forest's exported form (breadth-first numbering; see tree.h). */
typedef struct {
    int64_t n_nodes, n_leaves;
    int32_t *child, *feature;
    float *threshold, *leaf_value, *leaf_impurity;
} compact_tree;

static void compact_free(compact_tree *c) {
    free(c->child);
    free(c->feature);
    free(c->threshold);
    free(c->leaf_value);
    free(c->leaf_impurity);
    memset(c, 0, sizeof *c);
}

static pmc_status compact_from_nodes(const tree_nodes *t, compact_tree *c) {
    pmc_status status = PMC_OK;
    int64_t n = t->n_nodes, nv = t->n_value;
    int64_t *order = NULL;
    memset(c, 0, sizeof *c);
    PMC_ALLOC(order, n, "compact tree");
    PMC_ALLOC(c->child, n, "compact tree");
    PMC_ALLOC(c->feature, n, "compact tree");
    PMC_ALLOC(c->threshold, n, "compact tree");
    int64_t n_leaves = 0;
    for (int64_t k = 0; k < n; k++) n_leaves += t->left[k] < 0;
    PMC_ALLOC(c->leaf_value, n_leaves * nv, "compact tree");
    PMC_ALLOC(c->leaf_impurity, n_leaves, "compact tree");
    c->n_nodes = n;
    c->n_leaves = n_leaves;
    int64_t next = 1, leaf = 0;
    order[0] = 0;
    for (int64_t q = 0; q < n; q++) {
        int64_t old = order[q];
        if (t->left[old] < 0) { /* the split's slots carry the leaf's counts */
            c->child[q] = (int32_t)-t->n_samples[old];
            c->feature[q] = -1;
            c->threshold[q] = (float)t->wn[old];
            for (int64_t j = 0; j < nv; j++)
                c->leaf_value[leaf * nv + j] = (float)t->value[old * nv + j];
            c->leaf_impurity[leaf] = (float)t->impurity[old];
            leaf++;
            continue;
        }
        c->child[q] = (int32_t)next;
        c->feature[q] = (int32_t)(2 * t->feature[old] + (t->missing_left[old] ? 1 : 0));
        c->threshold[q] = round_down_f32(t->threshold[old]);
        order[next++] = t->left[old];
        order[next++] = t->right[old];
    }
error:
    free(order);
    if (status != PMC_OK) compact_free(c);
    return status;
}

struct pmc_model {
    int is_forest;
    int64_t n_features, n_rows;
    forest_model fm;               /* what apply runs on */
    tree_nodes tree;               /* DecisionTree fit result */
    int64_t scalars[2];            /* n_features, max_depth */
    compact_tree all;              /* Forest fit result, all trees concatenated */
    int64_t *tree_start;
    double *importances;           /* n_features */
    double *oob_sum, *oob_count;   /* n_rows x n_value, n_rows */
    int32_t *draw_counts;          /* n_trees x n_rows (draw_only) */
};

static void tree_model_free(pmc_model **mp) {
    pmc_model *m = *mp;
    if (!m) return;
    forest_model_free(&m->fm);
    nodes_free(&m->tree);
    compact_free(&m->all);
    free(m->tree_start);
    free(m->importances);
    free(m->oob_sum);
    free(m->oob_count);
    free(m->draw_counts);
    free(m);
    *mp = NULL;
}

/* ---- fit: one tree --------------------------------------------------------------------------- */

static pmc_status dt_fit(const void *params, const pmc_data *data, const pmc_model *init,
                         pmc_ctx *ctx, pmc_model **out) {
    (void)init;
    pmc_status status = PMC_OK;
    const pmc_tree_params *pr = params;
    problem pb;
    pmc_model *m = NULL;
    PMC_TRY(problem_init(&pb, pr, data, ctx));
    PMC_ALLOC(m, 1, "DecisionTree");
    m->n_features = pb.n_features;
    pmc_rng rng;
    pmc_rng_seed(&rng, ctx->seed, 0);
    status = grow_tree(&pb, pb.weight, rng, ctx, &m->tree);
    if (status != PMC_OK) goto error_pb;
    PMC_ALLOC(m->importances, pb.n_features, "DecisionTree");
    tree_importances(&m->tree, pb.n_features, m->importances);
    m->scalars[0] = pb.n_features;
    m->scalars[1] = m->tree.max_depth;
    problem_free(&pb);
    *out = m;
    return PMC_OK;
error_pb:
    problem_free(&pb);
error:
    tree_model_free(&m);
    return status;
}

static pmc_status dt_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    const tree_nodes *t = &m->tree;
    int64_t n = t->n_nodes;
    PMC_TRY(pmc_arrays_add(out, "children_left", pmc_view_1d(t->left, PMC_INT64, n)));
    PMC_TRY(pmc_arrays_add(out, "children_right", pmc_view_1d(t->right, PMC_INT64, n)));
    PMC_TRY(pmc_arrays_add(out, "feature", pmc_view_1d(t->feature, PMC_INT64, n)));
    PMC_TRY(pmc_arrays_add(out, "threshold", pmc_view_1d(t->threshold, PMC_FLOAT64, n)));
    PMC_TRY(pmc_arrays_add(out, "impurity", pmc_view_1d(t->impurity, PMC_FLOAT64, n)));
    PMC_TRY(pmc_arrays_add(out, "n_node_samples", pmc_view_1d(t->n_samples, PMC_INT64, n)));
    PMC_TRY(pmc_arrays_add(out, "weighted_n_node_samples", pmc_view_1d(t->wn, PMC_FLOAT64, n)));
    PMC_TRY(pmc_arrays_add(out, "missing_go_to_left", pmc_view_1d(t->missing_left, PMC_INT64, n)));
    PMC_TRY(pmc_arrays_add(out, "value", pmc_view_2d(t->value, PMC_FLOAT64, n, t->n_value)));
    PMC_TRY(pmc_arrays_add(out, "feature_importances",
                           pmc_view_1d(m->importances, PMC_FLOAT64, m->n_features)));
    PMC_TRY(pmc_arrays_add(out, "n_features", pmc_view_1d((void *)&m->scalars[0], PMC_INT64, 1)));
    PMC_TRY(pmc_arrays_add(out, "max_depth", pmc_view_1d((void *)&m->scalars[1], PMC_INT64, 1)));
error:
    return status;
}

/* ---- import (untrusted arrays) ------------------------------------------------------------- */

static pmc_status get_int_array(const pmc_arrays *in, const char *name, int64_t n, const pmc_view **v) {
    pmc_status status = pmc_arrays_get(in, name, 1, n, -1, v);
    if (status != PMC_OK) return status;
    if ((*v)->dtype != PMC_INT32 && (*v)->dtype != PMC_INT64)
        return pmc_fail(PMC_ERR_VALUE, "%s must be an integer array", name);
    return PMC_OK;
}

static pmc_status get_scalar(const pmc_arrays *in, const char *name, int64_t lo, int64_t hi,
                             int64_t *out) {
    const pmc_view *v;
    pmc_status status = get_int_array(in, name, 1, &v);
    if (status != PMC_OK) return status;
    *out = pmc_get_index(v, 0);
    if (*out < lo || *out > hi)
        return pmc_fail(PMC_ERR_VALUE, "%s = %lld is out of range", name, (long long)*out);
    return PMC_OK;
}

static pmc_status forest_model_alloc(forest_model *fm, int64_t n_trees, int64_t n_nodes,
                                     int64_t n_value_rows, int64_t n_value) {
    pmc_status status = PMC_OK;
    fm->n_trees = n_trees;
    fm->n_nodes = n_nodes;
    fm->n_value = n_value;
    PMC_ALLOC(fm->tree_start, n_trees + 1, "tree model");
    PMC_ALLOC(fm->nodes, PMC_MAX(n_nodes, 1), "tree model");
    PMC_ALLOC(fm->value, PMC_MAX(n_value_rows * n_value, 1), "tree model");
error:
    return status;
}

/* scikit-learn's tree_ arrays.  Children must come after their node (both
 * builders number them so), which rules out cycles; every node but the root
 * must have exactly one parent.  The prediction form numbers the nodes breadth
 * first from the root (siblings adjacent); leaves keep their scikit-learn id
 * and value row. */
static pmc_status dt_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    uint8_t *seen = NULL;
    int64_t *order = NULL;
    const pmc_view *left, *right, *feature, *threshold, *missing, *value;
    int64_t p;
    PMC_TRY(get_scalar(in, "n_features", 1, INT32_MAX, &p));
    PMC_TRY(get_int_array(in, "children_left", -1, &left));
    int64_t n = left->shape[0];
    if (n < 1 || n > INT32_MAX) return pmc_fail(PMC_ERR_VALUE, "children_left: bad node count");
    PMC_TRY(get_int_array(in, "children_right", n, &right));
    PMC_TRY(get_int_array(in, "feature", n, &feature));
    PMC_TRY(pmc_arrays_get(in, "threshold", 1, n, -1, &threshold));
    PMC_TRY(get_int_array(in, "missing_go_to_left", n, &missing));
    PMC_TRY(pmc_arrays_get(in, "value", 2, n, -1, &value));
    if (threshold->dtype != PMC_FLOAT64 && threshold->dtype != PMC_FLOAT32)
        return pmc_fail(PMC_ERR_VALUE, "threshold must be a float array");
    if (value->dtype != PMC_FLOAT64 && value->dtype != PMC_FLOAT32)
        return pmc_fail(PMC_ERR_VALUE, "value must be a float array");
    int64_t nv = value->shape[1];
    if (nv < 1) return pmc_fail(PMC_ERR_VALUE, "value must have at least one column");
    PMC_ALLOC(m, 1, "DecisionTree");
    m->n_features = p;
    PMC_ALLOC(seen, n, "tree check");
    for (int64_t k = 0; k < n; k++) {
        int64_t l = pmc_get_index(left, k), r = pmc_get_index(right, k);
        if (l == TREE_LEAF && r == TREE_LEAF) continue;
        if (l <= k || l >= n || r <= k || r >= n || l == r) {
            status = pmc_fail(PMC_ERR_VALUE, "children_left/children_right of node %lld "
                              "(%lld, %lld) are not nodes after it", (long long)k,
                              (long long)l, (long long)r);
            goto error;
        }
        if (seen[l]++ || seen[r]++) {
            status = pmc_fail(PMC_ERR_VALUE, "node %lld has two parents",
                              (long long)(seen[l] > 1 ? l : r));
            goto error;
        }
        int64_t f = pmc_get_index(feature, k);
        if (f < 0 || f >= p) {
            status = pmc_fail(PMC_ERR_VALUE, "feature[%lld] = %lld is not in [0, %lld)",
                              (long long)k, (long long)f, (long long)p);
            goto error;
        }
    }
    /* breadth first from the root: nodes no split reaches are left out */
    PMC_ALLOC(order, n, "tree model");
    int64_t next = 1;
    order[0] = 0;
    for (int64_t q = 0; q < next; q++) {
        int64_t k = order[q];
        if (pmc_get_index(left, k) == TREE_LEAF) continue;
        order[next++] = pmc_get_index(left, k);
        order[next++] = pmc_get_index(right, k);
    }
    PMC_TRY(forest_model_alloc(&m->fm, 1, next, n, nv));
    m->fm.n_features = p;
    m->fm.tree_start[1] = next;
    next = 1;
    for (int64_t q = 0; q < m->fm.n_nodes; q++) {
        int64_t k = order[q];
        if (pmc_get_index(left, k) == TREE_LEAF) {
            fnode_leaf(&m->fm.nodes[q], k, k);
            continue;
        }
        fnode_split(&m->fm.nodes[q], next, pmc_get_index(feature, k),
                   pmc_get_index(missing, k) != 0, pmc_get(threshold, k, 0));
        next += 2; /* where the first pass put l and its sibling */
    }
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < nv; j++) m->fm.value[k * nv + j] = pmc_get(value, k, j);
    free(seen);
    free(order);
    *out = m;
    return PMC_OK;
error:
    free(seen);
    free(order);
    tree_model_free(&m);
    return status;
}

/* The forest's compact arrays (see tree.h). */
static pmc_status forest_import(const pmc_arrays *in, pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    const pmc_view *starts, *child, *feature, *threshold, *leaf_value;
    int64_t p;
    PMC_TRY(get_scalar(in, "n_features", 1, INT32_MAX, &p));
    PMC_TRY(get_int_array(in, "tree_start", -1, &starts));
    int64_t n_trees = starts->shape[0] - 1;
    if (n_trees < 1) return pmc_fail(PMC_ERR_VALUE, "tree_start must hold at least two entries");
    PMC_TRY(get_int_array(in, "child", -1, &child));
    int64_t n = child->shape[0];
    if (n > INT32_MAX) return pmc_fail(PMC_ERR_VALUE, "child: too many nodes");
    PMC_TRY(get_int_array(in, "feature", n, &feature));
    PMC_TRY(pmc_arrays_get(in, "threshold", 1, n, -1, &threshold));
    PMC_TRY(pmc_arrays_get(in, "leaf_value", 2, -1, -1, &leaf_value));
    if (threshold->dtype != PMC_FLOAT64 && threshold->dtype != PMC_FLOAT32)
        return pmc_fail(PMC_ERR_VALUE, "threshold must be a float array");
    if (leaf_value->dtype != PMC_FLOAT64 && leaf_value->dtype != PMC_FLOAT32)
        return pmc_fail(PMC_ERR_VALUE, "leaf_value must be a float array");
    int64_t nv = leaf_value->shape[1], n_leaves = leaf_value->shape[0];
    if (nv < 1) return pmc_fail(PMC_ERR_VALUE, "leaf_value must have at least one column");
    PMC_ALLOC(m, 1, "Forest");
    m->is_forest = 1;
    m->n_features = p;
    PMC_TRY(forest_model_alloc(&m->fm, n_trees, n, n_leaves, nv));
    m->fm.n_features = p;
    int64_t leaf = 0;
    if (pmc_get_index(starts, 0) != 0 || pmc_get_index(starts, n_trees) != n) {
        status = pmc_fail(PMC_ERR_VALUE, "tree_start must run from 0 to the number of nodes");
        goto error;
    }
    for (int64_t t = 0; t < n_trees; t++) {
        int64_t s0 = pmc_get_index(starts, t), s1 = pmc_get_index(starts, t + 1);
        if (s1 <= s0 || s1 > n) {
            status = pmc_fail(PMC_ERR_VALUE, "tree_start must increase strictly (tree %lld)",
                              (long long)t);
            goto error;
        }
        m->fm.tree_start[t] = s0;
        int64_t size = s1 - s0;
        for (int64_t k = 0; k < size; k++) {
            int64_t g = s0 + k, c = pmc_get_index(child, g);
            if (c < 0) { /* a leaf: -n_node_samples */
                if (leaf >= n_leaves) {
                    status = pmc_fail(PMC_ERR_VALUE, "leaf_value has fewer rows than leaves");
                    goto error;
                }
                fnode_leaf(&m->fm.nodes[g], leaf++, k);
                continue;
            }
            int64_t f = pmc_get_index(feature, g);
            /* breadth-first numbering: children come after the node, and every
             * node but the root is the child of exactly one node (checked by
             * the children being handed out in order) */
            if (c <= k || c + 1 >= size || f < 0 || f / 2 >= p) {
                status = pmc_fail(PMC_ERR_VALUE, "node %lld of tree %lld has child %lld or "
                                  "feature %lld out of range", (long long)k, (long long)t,
                                  (long long)c, (long long)f);
                goto error;
            }
            fnode_split(&m->fm.nodes[g], s0 + c, f / 2, (int)(f & 1), pmc_get(threshold, g, 0));
        }
        /* children handed out in increasing order, two by two, from 1 */
        int64_t expect = 1;
        for (int64_t k = 0; k < size; k++) {
            int64_t c = m->fm.nodes[s0 + k].child - s0;
            if (m->fm.nodes[s0 + k].child < 0) continue;
            if (c != expect) {
                status = pmc_fail(PMC_ERR_VALUE, "tree %lld is not numbered breadth first",
                                  (long long)t);
                goto error;
            }
            expect += 2;
        }
        if (expect != size) {
            status = pmc_fail(PMC_ERR_VALUE, "tree %lld has nodes without a parent", (long long)t);
            goto error;
        }
    }
    m->fm.tree_start[n_trees] = n;
    if (leaf != n_leaves) {
        status = pmc_fail(PMC_ERR_VALUE, "leaf_value has %lld rows for %lld leaves",
                          (long long)n_leaves, (long long)leaf);
        goto error;
    }
    for (int64_t k = 0; k < n_leaves; k++)
        for (int64_t j = 0; j < nv; j++) m->fm.value[k * nv + j] = pmc_get(leaf_value, k, j);
    *out = m;
    return PMC_OK;
error:
    tree_model_free(&m);
    return status;
}

/* ---- apply ---------------------------------------------------------------------------------- */

static pmc_status tree_output_shape(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                                    int64_t *n_cols, pmc_dtype *dtype) {
    (void)X_dtype;
    if (method == PMC_PREDICT_PROBA) {
        *n_cols = m->fm.n_value;
        *dtype = PMC_FLOAT64;
        return PMC_OK;
    }
    if (method == PMC_TRANSFORM) {
        *n_cols = m->is_forest ? m->fm.n_trees : 0;
        *dtype = PMC_FLOAT64;
        return PMC_OK;
    }
    return pmc_fail(PMC_ERR_UNSUPPORTED, "trees compute predict_proba (leaf values) and "
                                         "transform (leaf ids) only");
}

typedef struct {
    const forest_model *m;
    pmc_method method;
    const pmc_view *X;
    const pmc_rows *rows;
    pmc_view *out;
    const pmc_matrix *csr;  /* sparse X (then X is NULL) */
    int64_t block;          /* rows per block */
} apply_job;

#define APPLY_BLOCK 256

/* Rows per prediction block.  Every block reads every tree, and on a forest
 * larger than the caches that sweep dominates small blocks (measured: 4 blocks
 * per thread took 1.5x the time of 1 below 5,000 rows), so a thread gets one
 * block of its share of the rows, or a few equal ones when the share exceeds
 * 16384 rows or 4 MB of scratch (n_value + 2 values a row).  Each row's result
 * is the same whatever the blocks. */
static int64_t predict_block_rows(int64_t n_rows, int n_threads, int64_t n_value) {
    int64_t cap = PMC_MAX(256, PMC_MIN(16384, (INT64_C(1) << 19) / (n_value + 2)));
    int64_t share = (n_rows + n_threads - 1) / n_threads;
    int64_t blocks = PMC_MAX(1, (share + cap - 1) / cap) * n_threads;
    return PMC_MAX(256, (n_rows + blocks - 1) / blocks);
}
/* A sparse block is scattered into dense float32 rows holding at most this many values. */
#define SCATTER_VALUES (1 << 16)

/* Rows [first, first + count) given by pointers (see tree_block_leaves):
 * predict_proba (mean of the trees' leaf values, added tree by tree in tree
 * order) or transform (leaf ids, as float64: exact, and the output dtype the
 * bindings allocate).  leaf and acc: scratch of count (x n_value) entries. */
static void apply_rows(const apply_job *job, int64_t first, int64_t count,
                       const char *const *row, int64_t cs, int f32, const forest_node **leaf,
                       double *acc) {
    const forest_model *m = job->m;
    int64_t nv = m->n_value;
    int proba = job->method == PMC_PREDICT_PROBA;
    if (proba) memset(acc, 0, (size_t)(count * nv) * sizeof(double));
    for (int64_t t = 0; t < m->n_trees; t++) {
        if (f32) tree_block_leaves_f32(m->nodes, m->tree_start[t], row, cs, count, leaf);
        else tree_block_leaves_f64(m->nodes, m->tree_start[t], row, cs, count, leaf);
        if (!proba) {
            for (int64_t k = 0; k < count; k++)
                pmc_put(job->out, first + k, t, (double)leaf[k]->feature);
            continue;
        }
        for (int64_t k = 0; k < count; k++) {
            const double *v = m->value + (int64_t)(-1 - leaf[k]->child) * nv;
            double *a = acc + k * nv;
            for (int64_t j = 0; j < nv; j++) a[j] += v[j];
        }
    }
    if (!proba) return;
    double scale = 1.0 / (double)m->n_trees;
    for (int64_t k = 0; k < count; k++)
        for (int64_t j = 0; j < nv; j++) pmc_put(job->out, first + k, j, acc[k * nv + j] * scale);
}

static pmc_status apply_block(int64_t b, int thread, void *arg) {
    (void)thread;
    apply_job *job = arg;
    pmc_status status = PMC_OK;
    int64_t first = b * job->block, count = PMC_MIN(job->block, job->rows->n - first);
    const char **row = NULL;
    const forest_node **leaf = NULL;
    double *acc = NULL;
    float *x = NULL;
    PMC_ALLOC(row, count, "a prediction block");
    PMC_ALLOC(leaf, count, "a prediction block");
    if (job->method == PMC_PREDICT_PROBA)
        PMC_ALLOC(acc, count * job->m->n_value, "a prediction block");
    if (!job->csr) {
        const pmc_view *X = job->X;
        for (int64_t k = 0; k < count; k++)
            row[k] = (const char *)X->data + pmc_row_at(job->rows, first + k) * X->strides[0];
        apply_rows(job, first, count, row, X->strides[1], X->dtype == PMC_FLOAT32, leaf, acc);
    } else {
        /* CSR: rows scattered into zeroed float32 rows, run through the trees,
         * and zeroed again (a sparse row costs its entries, not n_features) */
        int64_t p = PMC_MAX(job->m->n_features, 1);
        int64_t batch = PMC_MAX(1, PMC_MIN(count, SCATTER_VALUES / p));
        PMC_ALLOC(x, batch * p, "prediction rows");
        int f32 = job->csr->data.dtype == PMC_FLOAT32;
        for (int64_t k0 = 0; k0 < count; k0 += batch) {
            int64_t nb = PMC_MIN(batch, count - k0);
            for (int set = 1; set >= 0; set--) {
                for (int64_t k = 0; k < nb; k++) {
                    int64_t i = pmc_row_at(job->rows, first + k0 + k);
                    if (f32) tree_scatter_row_f32(job->csr, i, x + k * p, set);
                    else tree_scatter_row_f64(job->csr, i, x + k * p, set);
                    row[k] = (const char *)(x + k * p);
                }
                if (set) apply_rows(job, first + k0, nb, row, sizeof(float), 1, leaf, acc);
            }
        }
    }
error: /* also the way out on success */
    free(row);
    free(leaf);
    free(acc);
    free(x);
    return status;
}

/* ---- depth-first copy of the nodes, for large batches ---- */

typedef struct {
    const forest_model *m;
    forest_node *out;
} relayout_job;

/* Tree t of job->m renumbered depth first by sibling pairs into job->out: a
 * split's two children, then the left child's subtree, then the right one's.
 * A row going left finds the next pair next to the last one, so deep visits
 * share cache lines (breadth-first numbering scatters them).  Leaves keep
 * their value row and id; every node is reachable from the root (checked on
 * import, true of fitted trees). */
static pmc_status relayout_tree(int64_t t, int thread, void *arg) {
    (void)thread;
    relayout_job *job = arg;
    const forest_node *in = job->m->nodes;
    int64_t s0 = job->m->tree_start[t], size = job->m->tree_start[t + 1] - s0;
    int64_t next = s0 + 1, top = 1;
    int64_t *stack = malloc((size_t)(2 * size) * sizeof(int64_t)); /* (old, new) still to copy */
    if (!stack) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a tree copy");
    stack[0] = stack[1] = s0;
    while (top > 0) {
        top--;
        int64_t old = stack[2 * top], now = stack[2 * top + 1], left = in[old].child;
        job->out[now] = in[old];
        if (left < 0) continue;
        job->out[now].child = (int32_t)next;
        int64_t *push = stack + 2 * top; /* the left child on top: its pair comes next */
        push[0] = left + 1;
        push[1] = next + 1;
        push[2] = left;
        push[3] = next;
        top += 2;
        next += 2;
    }
    free(stack);
    return PMC_OK;
}

static pmc_status tree_apply(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                             pmc_rows rows, pmc_ctx *ctx, pmc_view *out) {
    if (method != PMC_PREDICT_PROBA && method != PMC_TRANSFORM)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "trees compute predict_proba and transform only");
    if (X->n_cols != m->fm.n_features)
        return pmc_fail(PMC_ERR_VALUE, "X has %lld features, but the tree was fitted with %lld",
                        (long long)X->n_cols, (long long)m->fm.n_features);
    if (X->is_sparse) { /* CSR: indptr and indices in range */
        pmc_status status = pmc_matrix_check(X, "X");
        if (status != PMC_OK) return status;
    }
    /* The depth-first copy costs about a pass over the nodes, and pays once
     * the rows outnumber the nodes of a tree (~10% faster on deep trees). */
    forest_model dfs = m->fm;
    dfs.nodes = NULL;
    if (rows.n * m->fm.n_trees >= m->fm.n_nodes) {
        dfs.nodes = malloc((size_t)m->fm.n_nodes * sizeof(forest_node));
        if (!dfs.nodes) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a tree copy");
        relayout_job rj = {&m->fm, dfs.nodes};
        pmc_status status = pmc_parallel_for(m->fm.n_trees, ctx->n_threads, ctx, relayout_tree, &rj);
        if (status != PMC_OK) {
            free(dfs.nodes);
            return status;
        }
    }
    apply_job job = {dfs.nodes ? &dfs : &m->fm, method, X->is_sparse ? NULL : &X->dense, &rows,
                     out, X->is_sparse ? X : NULL,
                     predict_block_rows(rows.n, ctx->n_threads, m->fm.n_value)};
    int64_t n_blocks = (rows.n + job.block - 1) / job.block;
    pmc_status status = pmc_parallel_for(n_blocks, ctx->n_threads, ctx, apply_block, &job);
    free(dfs.nodes);
    return status;
}

/* ---- fit: a forest ------------------------------------------------------------------------------ */

typedef struct {
    const problem *pb;
    pmc_ctx *ctx;
    compact_tree *trees;
    double *importances; /* n_trees x n_features */
    uint8_t *inbag;      /* n_trees x n_rows when oob, else NULL */
} forest_job;

/* The bootstrap of one tree: how many of the n_draws draws with replacement hit
 * each row, with probability proportional to `weight` when given (scikit-learn
 * 1.9: the weight then enters the tree only through the counts).  `cumulative`
 * is scratch of n entries, used with weights only. */
static void bootstrap_counts(const double *weight, int64_t n, int64_t n_draws, pmc_rng *rng,
                             double *cumulative, int32_t *counts) {
    memset(counts, 0, (size_t)n * sizeof(int32_t));
    if (!weight) {
        for (int64_t k = 0; k < n_draws; k++) counts[pmc_rng_below(rng, (uint64_t)n)]++;
        return;
    }
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) cumulative[i] = total += weight[i];
    for (int64_t k = 0; k < n_draws; k++) {
        double u = pmc_rng_uniform(rng) * total;
        int64_t lo = 0, hi = n - 1;
        while (lo < hi) {
            int64_t mid = (lo + hi) / 2;
            if (cumulative[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        counts[lo]++;
    }
}

/* Tree t: its bootstrap draw (max_samples rows with replacement, weights times
 * the counts, 'balanced_subsample' class weights from the draw), its growth,
 * pruning and compact form, all from the rng stream (seed, first_tree + t). */
static pmc_status forest_task(int64_t t, int thread, void *arg) {
    (void)thread;
    forest_job *job = arg;
    const problem *pb = job->pb;
    const pmc_tree_params *pr = pb->params;
    pmc_status status = PMC_OK;
    int64_t n = pb->n_rows, q = pb->n_outputs, C = pb->max_classes;
    double *w = NULL, *class_count = NULL, *cumulative = NULL;
    int32_t *counts = NULL;
    tree_nodes nodes;
    memset(&nodes, 0, sizeof nodes);
    pmc_rng rng;
    pmc_rng_seed(&rng, job->ctx->seed, (uint64_t)(pr->first_tree + t));
    PMC_ALLOC(w, n, "forest weights");
    if (pr->bootstrap) {
        PMC_ALLOC(counts, n, "forest bootstrap");
        if (pb->has_weight) PMC_ALLOC(cumulative, n, "forest bootstrap");
        bootstrap_counts(pb->has_weight ? pb->weight : NULL, n, pr->max_samples, &rng, cumulative,
                         counts);
        for (int64_t i = 0; i < n; i++) w[i] = counts[i];
        if (pr->balanced_subsample && pb->is_clf) {
            /* scikit-learn's compute_sample_weight('balanced', y, indices=draw):
             * draws / (classes present * draws of the class), per output, multiplied */
            PMC_ALLOC(class_count, q * C, "forest class weights");
            for (int64_t i = 0; i < n; i++)
                for (int64_t o = 0; o < q; o++) class_count[o * C + pb->label[i * q + o]] += counts[i];
            for (int64_t o = 0; o < q; o++) {
                int64_t present = 0;
                for (int64_t c = 0; c < C; c++) present += class_count[o * C + c] > 0;
                for (int64_t c = 0; c < C; c++)
                    class_count[o * C + c] = class_count[o * C + c] > 0
                        ? (double)pr->max_samples / ((double)present * class_count[o * C + c]) : 0.0;
            }
            for (int64_t i = 0; i < n; i++)
                for (int64_t o = 0; o < q; o++) w[i] *= class_count[o * C + pb->label[i * q + o]];
        }
        if (job->inbag)
            for (int64_t i = 0; i < n; i++) job->inbag[t * n + i] = counts[i] > 0;
    } else {
        memcpy(w, pb->weight, (size_t)n * sizeof(double));
    }
    PMC_TRY(grow_tree(pb, w, rng, job->ctx, &nodes));
    if (pr->ccp_alpha > 0.0) PMC_TRY(prune_nodes(&nodes, pr->ccp_alpha));
    tree_importances(&nodes, pb->n_features, job->importances + t * pb->n_features);
    PMC_TRY(compact_from_nodes(&nodes, &job->trees[t]));
error:
    nodes_free(&nodes);
    free(w);
    free(counts);
    free(class_count);
    free(cumulative);
    return status;
}

/* Builds the prediction form from the concatenated compact trees. */
static pmc_status fm_from_compact(pmc_model *m, int64_t n_trees, int64_t nv) {
    pmc_status status = PMC_OK;
    const compact_tree *c = &m->all;
    PMC_TRY(forest_model_alloc(&m->fm, n_trees, c->n_nodes, c->n_leaves, nv));
    m->fm.n_features = m->n_features;
    memcpy(m->fm.tree_start, m->tree_start, (size_t)(n_trees + 1) * sizeof(int64_t));
    int64_t leaf = 0;
    for (int64_t t = 0; t < n_trees; t++) {
        int64_t s0 = m->tree_start[t];
        for (int64_t g = s0; g < m->tree_start[t + 1]; g++) {
            if (c->child[g] < 0) fnode_leaf(&m->fm.nodes[g], leaf++, g - s0);
            else fnode_split(&m->fm.nodes[g], s0 + c->child[g], c->feature[g] / 2,
                            c->feature[g] & 1, c->threshold[g]);
        }
    }
    for (int64_t k = 0; k < c->n_leaves * nv; k++) m->fm.value[k] = c->leaf_value[k];
error:
    return status;
}

typedef struct {
    const pmc_model *m;
    const pmc_view *X;      /* dense X, or NULL */
    const pmc_matrix *csr;  /* sparse X as CSR (rows), or NULL */
    const uint8_t *inbag;
    int64_t n_rows;
} oob_job;

/* The CSR form of a CSC X (given as the CSR arrays of its transpose, p x n):
 * int64 indptr and indices, float64 data (float32 values convert exactly), so
 * that the out-of-bag pass can scatter whole rows.  Row i's columns come out
 * increasing.  The arrays are freed with free(out->indptr.data) and so on. */
static pmc_status csr_of_csc(const pmc_matrix *csc, pmc_matrix *out) {
    pmc_status status = PMC_OK;
    int64_t p = csc->n_rows, n = csc->n_cols, nnz = pmc_get_index(&csc->indptr, p);
    int64_t *ptr = NULL, *ind = NULL;
    double *val = NULL;
    PMC_ALLOC(ptr, n + 1, "X's rows (out-of-bag pass)");
    PMC_ALLOC(ind, PMC_MAX(nnz, 1), "X's rows (out-of-bag pass)");
    PMC_ALLOC(val, PMC_MAX(nnz, 1), "X's rows (out-of-bag pass)");
    for (int64_t e = 0; e < nnz; e++) ptr[pmc_get_index(&csc->indices, e) + 1]++;
    for (int64_t i = 0; i < n; i++) ptr[i + 1] += ptr[i];
    /* ptr[i] walks through row i while filling, then is moved back */
    for (int64_t f = 0; f < p; f++) {
        int64_t lo = pmc_get_index(&csc->indptr, f), hi = pmc_get_index(&csc->indptr, f + 1);
        for (int64_t e = lo; e < hi; e++) {
            int64_t at = ptr[pmc_get_index(&csc->indices, e)]++;
            ind[at] = f;
            val[at] = pmc_view_get(&csc->data, e, 0);
        }
    }
    for (int64_t i = n; i > 0; i--) ptr[i] = ptr[i - 1];
    ptr[0] = 0;
    memset(out, 0, sizeof *out);
    out->is_sparse = 1;
    out->n_rows = n;
    out->n_cols = p;
    out->indptr = pmc_view_1d(ptr, PMC_INT64, n + 1);
    out->indices = pmc_view_1d(ind, PMC_INT64, nnz);
    out->data = pmc_view_1d(val, PMC_FLOAT64, nnz);
    return PMC_OK;
error:
    free(ptr);
    free(ind);
    free(val);
    return status;
}

/* Out-of-bag sums of rows of one block, trees in order (thread-count independent). */
static pmc_status oob_block(int64_t b, int thread, void *arg) {
    (void)thread;
    oob_job *job = arg;
    const pmc_model *m = job->m;
    const forest_model *fm = &m->fm;
    int64_t nv = fm->n_value, first = b * APPLY_BLOCK;
    int64_t last = PMC_MIN(first + APPLY_BLOCK, job->n_rows);
    float *x = NULL; /* sparse X: the current row, scattered (zero elsewhere) */
    if (job->csr && !(x = calloc((size_t)PMC_MAX(fm->n_features, 1), sizeof(float))))
        return pmc_fail(PMC_ERR_MEMORY, "could not allocate an out-of-bag row");
    const char *xrow = (const char *)x;
    for (int64_t i = first; i < last; i++) {
        if (x) tree_scatter_row_f64(job->csr, i, x, 1);
        for (int64_t t = 0; t < fm->n_trees; t++) {
            if (job->inbag[t * job->n_rows + i]) continue;
            const forest_node *leaf;
            if (x) tree_block_leaves_f32(fm->nodes, fm->tree_start[t], &xrow, sizeof(float), 1, &leaf);
            else if (job->X->dtype == PMC_FLOAT32) leaf = tree_leaf_f32(fm->nodes, fm->tree_start[t], job->X, i);
            else leaf = tree_leaf_f64(fm->nodes, fm->tree_start[t], job->X, i);
            const double *v = fm->value + (int64_t)(-1 - leaf->child) * nv;
            for (int64_t j = 0; j < nv; j++) m->oob_sum[i * nv + j] += v[j];
            m->oob_count[i] += 1.0;
        }
        if (x) tree_scatter_row_f64(job->csr, i, x, 0);
    }
    free(x);
    return PMC_OK;
}

/* draw_only: the bootstrap counts of trees first_tree.., without growing them. */
static pmc_status forest_draws(const pmc_tree_params *pr, const pmc_data *data, pmc_ctx *ctx,
                               pmc_model **out) {
    pmc_status status = PMC_OK;
    pmc_model *m = NULL;
    double *weight = NULL, *cumulative = NULL;
    int64_t n = data->rows.n, T = pr->n_estimators;
    if (!pr->bootstrap) return pmc_fail(PMC_ERR_VALUE, "draw_only needs bootstrap=True");
    if (n < 1 || n > INT32_MAX - 1) return pmc_fail(PMC_ERR_VALUE, "X: bad number of rows");
    if (data->weight.ndim != 0 && data->weight.shape[0] != data->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight must have one entry per row of X");
    PMC_ALLOC(m, 1, "Forest draws");
    m->is_forest = 1;
    m->n_rows = n;
    m->fm.n_trees = T;
    PMC_ALLOC(m->draw_counts, T * n, "Forest draws");
    if (data->weight.ndim != 0) {
        PMC_ALLOC(weight, n, "Forest draws");
        PMC_ALLOC(cumulative, n, "Forest draws");
        for (int64_t i = 0; i < n; i++) {
            weight[i] = pmc_weight(&data->weight, pmc_row_at(&data->rows, i));
            if (!(weight[i] >= 0.0) || !isfinite(weight[i])) {
                status = pmc_fail(PMC_ERR_VALUE, "sample_weight must be finite and non-negative");
                goto error;
            }
        }
    }
    for (int64_t t = 0; t < T; t++) {
        pmc_rng rng;
        pmc_rng_seed(&rng, ctx->seed, (uint64_t)(pr->first_tree + t));
        bootstrap_counts(weight, n, pr->max_samples, &rng, cumulative, m->draw_counts + t * n);
    }
    *out = m;
    m = NULL;
error:
    free(weight);
    free(cumulative);
    tree_model_free(&m);
    return status;
}

static pmc_status forest_fit(const void *params, const pmc_data *data, const pmc_model *init,
                             pmc_ctx *ctx, pmc_model **out) {
    (void)init;
    pmc_status status = PMC_OK;
    const pmc_tree_params *pr = params;
    problem pb;
    pmc_model *m = NULL;
    forest_job job;
    memset(&job, 0, sizeof job);
    int64_t T = pr->n_estimators;
    if (T < 1) return pmc_fail(PMC_ERR_VALUE, "n_estimators must be >= 1, got %lld", (long long)T);
    if (pr->bootstrap && pr->max_samples < 1)
        return pmc_fail(PMC_ERR_VALUE, "max_samples must be >= 1");
    if (pr->oob && !pr->bootstrap)
        return pmc_fail(PMC_ERR_VALUE, "Out of bag estimation only available if bootstrap=True");
    if (!(pr->ccp_alpha >= 0.0)) /* +inf allowed: every tree pruned to its root */
        return pmc_fail(PMC_ERR_VALUE, "ccp_alpha must be >= 0, got %g", pr->ccp_alpha);
    if (pr->draw_only) return forest_draws(pr, data, ctx, out);
    PMC_TRY(problem_init(&pb, pr, data, ctx));
    int64_t n = pb.n_rows, p = pb.n_features, nv = pb.n_value;
    status = PMC_OK;
    m = pmc_calloc(1, sizeof *m, "Forest");
    job.trees = pmc_calloc((size_t)T, sizeof(compact_tree), "Forest");
    job.importances = pmc_calloc((size_t)(T * p), sizeof(double), "Forest");
    if (pr->oob) job.inbag = pmc_calloc((size_t)(T * n), 1, "Forest out-of-bag rows");
    if (!m || !job.trees || !job.importances || (pr->oob && !job.inbag)) {
        status = PMC_ERR_MEMORY;
        goto done;
    }
    m->is_forest = 1;
    m->n_features = p;
    m->n_rows = n;
    job.pb = &pb;
    job.ctx = ctx;
    status = pmc_parallel_for(T, ctx->n_threads, ctx, forest_task, &job);
    if (status != PMC_OK) goto done;
    /* concatenate */
    int64_t n_nodes = 0, n_leaves = 0;
    for (int64_t t = 0; t < T; t++) {
        n_nodes += job.trees[t].n_nodes;
        n_leaves += job.trees[t].n_leaves;
    }
    compact_tree *all = &m->all;
    all->n_nodes = n_nodes;
    all->n_leaves = n_leaves;
    m->tree_start = pmc_calloc((size_t)(T + 1), sizeof(int64_t), "Forest");
    all->child = pmc_calloc((size_t)n_nodes, sizeof(int32_t), "Forest");
    all->feature = pmc_calloc((size_t)n_nodes, sizeof(int32_t), "Forest");
    all->threshold = pmc_calloc((size_t)n_nodes, sizeof(float), "Forest");
    all->leaf_value = pmc_calloc((size_t)PMC_MAX(n_leaves * nv, 1), sizeof(float), "Forest");
    all->leaf_impurity = pmc_calloc((size_t)PMC_MAX(n_leaves, 1), sizeof(float), "Forest");
    m->importances = pmc_calloc((size_t)p, sizeof(double), "Forest");
    if (!m->tree_start || !all->child || !all->feature || !all->threshold || !all->leaf_value ||
        !all->leaf_impurity || !m->importances) {
        status = PMC_ERR_MEMORY;
        goto done;
    }
    int64_t node0 = 0, leaf0 = 0, n_split_trees = 0;
    for (int64_t t = 0; t < T; t++) {
        compact_tree *c = &job.trees[t];
        m->tree_start[t] = node0;
        memcpy(all->child + node0, c->child, (size_t)c->n_nodes * sizeof(int32_t));
        memcpy(all->feature + node0, c->feature, (size_t)c->n_nodes * sizeof(int32_t));
        memcpy(all->threshold + node0, c->threshold, (size_t)c->n_nodes * sizeof(float));
        memcpy(all->leaf_value + leaf0 * nv, c->leaf_value, (size_t)(c->n_leaves * nv) * sizeof(float));
        memcpy(all->leaf_impurity + leaf0, c->leaf_impurity, (size_t)c->n_leaves * sizeof(float));
        node0 += c->n_nodes;
        leaf0 += c->n_leaves;
        if (c->n_nodes > 1) {
            n_split_trees++;
            for (int64_t f = 0; f < p; f++) m->importances[f] += job.importances[t * p + f];
        }
        compact_free(c);
    }
    m->tree_start[T] = node0;
    double sum = 0.0;
    for (int64_t f = 0; f < p; f++) {
        if (n_split_trees) m->importances[f] /= (double)n_split_trees;
        sum += m->importances[f];
    }
    if (sum > 0.0)
        for (int64_t f = 0; f < p; f++) m->importances[f] /= sum;
    m->scalars[0] = p;
    status = fm_from_compact(m, T, nv);
    if (status != PMC_OK) goto done;
    if (pr->oob) {
        m->oob_sum = pmc_calloc((size_t)(n * nv), sizeof(double), "Forest out-of-bag");
        m->oob_count = pmc_calloc((size_t)n, sizeof(double), "Forest out-of-bag");
        if (!m->oob_sum || !m->oob_count) {
            status = PMC_ERR_MEMORY;
            goto done;
        }
        pmc_matrix csr;
        if (pb.csc) {
            status = csr_of_csc(pb.csc, &csr);
            if (status != PMC_OK) goto done;
        }
        oob_job oj = {m, pb.X, pb.csc ? &csr : NULL, job.inbag, n};
        status = pmc_parallel_for((n + APPLY_BLOCK - 1) / APPLY_BLOCK, ctx->n_threads, ctx,
                                  oob_block, &oj);
        if (pb.csc) {
            free(csr.indptr.data);
            free(csr.indices.data);
            free(csr.data.data);
        }
    }
done:
    if (job.trees)
        for (int64_t t = 0; t < T; t++) compact_free(&job.trees[t]);
    free(job.trees);
    free(job.importances);
    free(job.inbag);
    problem_free(&pb);
    if (status != PMC_OK) tree_model_free(&m);
    *out = m;
    return status;
error:
    return status;
}

static pmc_status forest_export(const pmc_model *m, pmc_arrays *out) {
    pmc_status status = PMC_OK;
    const compact_tree *c = &m->all;
    int64_t T = m->fm.n_trees, nv = m->fm.n_value;
    if (m->draw_counts)
        return pmc_arrays_add(out, "draw_counts",
                              pmc_view_2d(m->draw_counts, PMC_INT32, T, m->n_rows));
    PMC_TRY(pmc_arrays_add(out, "tree_start", pmc_view_1d(m->tree_start, PMC_INT64, T + 1)));
    PMC_TRY(pmc_arrays_add(out, "child", pmc_view_1d(c->child, PMC_INT32, c->n_nodes)));
    PMC_TRY(pmc_arrays_add(out, "feature", pmc_view_1d(c->feature, PMC_INT32, c->n_nodes)));
    PMC_TRY(pmc_arrays_add(out, "threshold", pmc_view_1d(c->threshold, PMC_FLOAT32, c->n_nodes)));
    PMC_TRY(pmc_arrays_add(out, "leaf_value", pmc_view_2d(c->leaf_value, PMC_FLOAT32, c->n_leaves, nv)));
    PMC_TRY(pmc_arrays_add(out, "leaf_impurity",
                           pmc_view_1d(c->leaf_impurity, PMC_FLOAT32, c->n_leaves)));
    PMC_TRY(pmc_arrays_add(out, "n_features", pmc_view_1d((void *)&m->scalars[0], PMC_INT64, 1)));
    PMC_TRY(pmc_arrays_add(out, "feature_importances",
                           pmc_view_1d(m->importances, PMC_FLOAT64, m->n_features)));
    if (m->oob_sum) {
        PMC_TRY(pmc_arrays_add(out, "oob_sum", pmc_view_2d(m->oob_sum, PMC_FLOAT64, m->n_rows, nv)));
        PMC_TRY(pmc_arrays_add(out, "oob_count", pmc_view_1d(m->oob_count, PMC_FLOAT64, m->n_rows)));
    }
error:
    return status;
}

/* ---- the tables ---------------------------------------------------------------------------------- */

static const char *const criterion_choices[] = {"gini", "entropy", "log_loss", "squared_error",
                                                "poisson", "absolute_error", NULL};
static const char *const splitter_choices[] = {"best", "random", NULL};

#define TREE_PARAMS                                                                          \
    {"criterion", PMC_PARAM_CHOICE, offsetof(pmc_tree_params, criterion), criterion_choices}, \
    {"splitter", PMC_PARAM_CHOICE, offsetof(pmc_tree_params, splitter), splitter_choices},    \
    {"max_depth", PMC_PARAM_INT, offsetof(pmc_tree_params, max_depth), NULL},                 \
    {"min_samples_split", PMC_PARAM_INT, offsetof(pmc_tree_params, min_samples_split), NULL}, \
    {"min_samples_leaf", PMC_PARAM_INT, offsetof(pmc_tree_params, min_samples_leaf), NULL},   \
    {"max_features", PMC_PARAM_INT, offsetof(pmc_tree_params, max_features), NULL},           \
    {"max_leaf_nodes", PMC_PARAM_INT, offsetof(pmc_tree_params, max_leaf_nodes), NULL},       \
    {"max_bins", PMC_PARAM_INT, offsetof(pmc_tree_params, max_bins), NULL},                   \
    {"min_weight_leaf", PMC_PARAM_DOUBLE, offsetof(pmc_tree_params, min_weight_leaf), NULL},  \
    {"min_impurity_decrease", PMC_PARAM_DOUBLE,                                               \
     offsetof(pmc_tree_params, min_impurity_decrease), NULL},                                 \
    {"n_classes", PMC_PARAM_VIEW, offsetof(pmc_tree_params, n_classes), NULL},                \
    {"monotonic_cst", PMC_PARAM_VIEW, offsetof(pmc_tree_params, monotonic_cst), NULL}

static const pmc_param_spec dt_params[] = {
    TREE_PARAMS,
    {"sparse_csc", PMC_PARAM_BOOL, offsetof(pmc_tree_params, sparse_csc), NULL},
};
static const pmc_param_spec forest_params[] = {
    TREE_PARAMS,
    {"n_estimators", PMC_PARAM_INT, offsetof(pmc_tree_params, n_estimators), NULL},
    {"max_samples", PMC_PARAM_INT, offsetof(pmc_tree_params, max_samples), NULL},
    {"first_tree", PMC_PARAM_INT, offsetof(pmc_tree_params, first_tree), NULL},
    {"bootstrap", PMC_PARAM_BOOL, offsetof(pmc_tree_params, bootstrap), NULL},
    {"oob", PMC_PARAM_BOOL, offsetof(pmc_tree_params, oob), NULL},
    {"balanced_subsample", PMC_PARAM_BOOL, offsetof(pmc_tree_params, balanced_subsample), NULL},
    {"ccp_alpha", PMC_PARAM_DOUBLE, offsetof(pmc_tree_params, ccp_alpha), NULL},
    {"draw_only", PMC_PARAM_BOOL, offsetof(pmc_tree_params, draw_only), NULL},
    {"sparse_csc", PMC_PARAM_BOOL, offsetof(pmc_tree_params, sparse_csc), NULL},
};

const pmc_estimator pmc_decision_tree_estimator = {
    "DecisionTree", sizeof(pmc_tree_params), dt_params,
    (int)(sizeof dt_params / sizeof dt_params[0]),
    dt_fit, tree_output_shape, tree_apply, dt_export, dt_import, tree_model_free,
};

const pmc_estimator pmc_forest_estimator = {
    "Forest", sizeof(pmc_tree_params), forest_params,
    (int)(sizeof forest_params / sizeof forest_params[0]),
    forest_fit, tree_output_shape, tree_apply, forest_export, forest_import, tree_model_free,
};
