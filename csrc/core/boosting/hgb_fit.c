/* Histogram gradient boosting: the fit (see pmc/boosting.h).
 *
 * The training rows are binned once (uint8, in blocks of features, row-major
 * within a block: see hist_block).  Each iteration
 * computes gradients and hessians of the loss at the current raw predictions,
 * then grows one tree per class leaf-wise: the splittable leaf with the largest
 * gain is split next until max_leaf_nodes.  A node's histogram (per feature
 * and bin: sum of gradients, of hessians, count) is built over its rows for
 * the smaller child only; the larger child's is the parent's minus it.
 * Each split is one parallel step over the blocks of features: the smaller
 * child's histogram, the subtraction, and both children's split search (each
 * feature's best, then the first best feature in feature order).  Each
 * feature's bins are summed by one thread in row order, and large nodes are
 * partitioned in fixed chunks, so the fit does not depend on the number of
 * threads.  The training predictions are updated from the leaves' row ranges.
 * A node's rows and their (g, h) pairs are kept together in node order, so the
 * pairs are read in sequence; the rows' bins are scattered and are prefetched
 * ahead (the histogram and the partition are bound by memory latency). */
#include "binning.h"
#include "hgb_internal.h"

#define HGB_MIN_CAT_SUPPORT 10.0 /* scikit-learn's (LightGBM's cat_smooth) */
/* Work sizes from which a step runs in parallel (fixed: results never depend on
 * the thread count, only the time does). */
#define HGB_PARALLEL_WORK (1 << 18) /* a growth step: rows x features + 8 x bins searched */
#define HGB_PARTITION_CHUNK 16384   /* partition: rows per task */
#define HGB_BIN_SLICE 65536         /* rows binned at a time */
/* A deep node's rows are scattered over the binned data: their bins are
 * prefetched this many rows ahead (the loads would otherwise wait on memory
 * one row at a time; the hardware cannot guess rows read through idx). */
#define HGB_AHEAD 32
#if defined(__GNUC__) || defined(__clang__)
#define HGB_PREFETCH(p) __builtin_prefetch(p)
#else
#define HGB_PREFETCH(p) ((void)(p))
#endif

typedef struct {
    double g, h;
    int64_t n;
} hgb_bin;

typedef struct {
    float g, h;
} hgb_gh;

/* ---- the fit's shared state ------------------------------------------------ */

typedef struct {
    const pmc_hgb_params *P;
    pmc_ctx *ctx;
    int loss, K, const_hess, max_bins;
    int64_t n, p, nv;       /* training rows, features, validation rows */
    int64_t *off;           /* p + 1: feature j's bins start at off[j] in a histogram; its
                               last bin, nt[j] + 1, holds the missing values */
    uint8_t *rowbin;        /* training bins, block-row-major (see hist_block): feature j
                               of row i at rowbin[fbase[j] + i * fstride[j]] */
    int64_t *fbase, *fstride;
    uint8_t *binned_val;    /* validation bins, feature-major */
    int64_t *block_start;   /* n_blocks + 1: first feature of each block */
    int64_t n_blocks;
    double *thr;            /* p x (max_bins - 1) */
    int32_t *nt;            /* thresholds per feature */
    int64_t *n_cat;         /* categories per feature (0: numeric) */
    int8_t *mono;
    uint8_t *groups;        /* n_groups x p interaction groups, NULL without */
    int64_t n_groups, n_words;
    uint8_t *has_missing;
    double *y, *w, *yv, *wv; /* w, wv NULL without weights */
    double *raw, *raw_val;   /* K x n and K x nv (class-major) */
    hgb_gh *gh;              /* K x n gradient and hessian pairs; a tree reorders its
                                class's pairs (see grower.gh), they are remade each iteration */
    pmc_model *m;
} hgb_state;

/* ---- losses -------------------------------------------------------------------- */

static double log1pexp(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }

/* Loss of one sample with raw predictions f[0..K) (stride `stride`). */
static double sample_loss(const hgb_state *S, double y, const double *f, int64_t stride) {
    double r = f[0], q = S->P->quantile;
    switch (S->loss) {
    case PMC_HGB_SQUARED_ERROR: return 0.5 * (y - r) * (y - r);
    case PMC_HGB_ABSOLUTE_ERROR: return fabs(y - r);
    case PMC_HGB_QUANTILE: return y >= r ? q * (y - r) : (1.0 - q) * (r - y);
    case PMC_HGB_POISSON: return exp(r) - y * r;
    case PMC_HGB_GAMMA: return r + y * exp(-r);
    default:
        if (S->K == 1) return log1pexp(r) - y * r;
        {
            double mx = f[0], sum = 0.0;
            for (int k = 1; k < S->K; k++) mx = PMC_MAX(mx, f[k * stride]);
            for (int k = 0; k < S->K; k++) sum += exp(f[k * stride] - mx);
            return mx + log(sum) - f[(int64_t)y * stride];
        }
    }
}

/* Negative weighted mean loss (scikit-learn's score for scoring='loss'), summed
 * in fixed chunks so that it does not depend on threads (it runs serially). */
static double mean_score(const hgb_state *S, const double *y, const double *w, const double *raw,
                         int64_t n) {
    if (n == 0) return NAN;
    double total = 0.0, wsum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        total += wi * sample_loss(S, y[i], raw + i, n);
        wsum += wi;
    }
    return -total / wsum;
}

typedef struct {
    hgb_state *S;
} grad_job;

static pmc_status grad_block(int64_t task, int thread, void *arg) {
    (void)thread;
    hgb_state *S = ((grad_job *)arg)->S;
    int64_t n = S->n, first = task * HGB_ROW_BLOCK, last = PMC_MIN(n, first + HGB_ROW_BLOCK);
    double q = S->P->quantile;
    for (int64_t i = first; i < last; i++) {
        double y = S->y[i], w = S->w ? S->w[i] : 1.0, r = S->raw[i], g, h = 1.0;
        switch (S->loss) {
        case PMC_HGB_SQUARED_ERROR: g = r - y; break;
        case PMC_HGB_ABSOLUTE_ERROR: g = r > y ? 1.0 : -1.0; break;
        case PMC_HGB_QUANTILE: g = y >= r ? -q : 1.0 - q; break;
        case PMC_HGB_POISSON: h = exp(r); g = h - y; break;
        case PMC_HGB_GAMMA: h = y * exp(-r); g = 1.0 - h; break;
        default:
            if (S->K == 1) {
                double pr = 1.0 / (1.0 + exp(-r));
                g = pr - y;
                h = pr * (1.0 - pr);
            } else {
                double mx = r, sum = 0.0;
                for (int k = 1; k < S->K; k++) mx = PMC_MAX(mx, S->raw[k * n + i]);
                for (int k = 0; k < S->K; k++) sum += exp(S->raw[k * n + i] - mx);
                for (int k = 0; k < S->K; k++) {
                    double pk = exp(S->raw[k * n + i] - mx) / sum;
                    S->gh[k * n + i].g = (float)(w * (pk - (y == k)));
                    S->gh[k * n + i].h = (float)(w * pk * (1.0 - pk));
                }
                continue;
            }
        }
        S->gh[i].g = (float)(w * g);
        S->gh[i].h = (float)(w * h);
    }
    return PMC_OK;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double v, w;
} wv_pair;

static int cmp_pair(const void *a, const void *b) {
    double x = ((const wv_pair *)a)->v, y = ((const wv_pair *)b)->v;
    return (x > y) - (x < y);
}

/* The q-quantile of v[0..n) as scikit-learn's intercept of the absolute and
 * pinball losses: NumPy's linear percentile without weights, the weighted
 * inverted CDF with them (_weighted_percentile).  Reorders v / pairs. */
static double quantile_of(double *v, wv_pair *pairs, int64_t n, double q) {
    if (n == 0) return 0.0;
    if (!pairs) {
        qsort(v, (size_t)n, sizeof(double), cmp_double);
        double pos = q * (double)(n - 1), lo = floor(pos);
        int64_t i = (int64_t)lo;
        if (i + 1 >= n) return v[n - 1];
        return v[i] + (pos - lo) * (v[i + 1] - v[i]);
    }
    qsort(pairs, (size_t)n, sizeof(wv_pair), cmp_pair);
    double total = 0.0, cum = 0.0;
    for (int64_t i = 0; i < n; i++) total += pairs[i].w;
    for (int64_t i = 0; i < n; i++) {
        cum += pairs[i].w;
        if (cum >= q * total) return pairs[i].v;
    }
    return pairs[n - 1].v;
}

/* The raw prediction of the best constant model (scikit-learn's fit_intercept_only). */
static pmc_status baseline(const hgb_state *S, double *out) {
    pmc_status status = PMC_OK;
    int64_t n = S->n;
    double *v = NULL;
    wv_pair *pairs = NULL;
    double wsum = 0.0, ysum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = S->w ? S->w[i] : 1.0;
        wsum += wi;
        ysum += wi * S->y[i];
    }
    double mean = ysum / wsum, eps = 2.220446049250313e-16;
    switch (S->loss) {
    case PMC_HGB_ABSOLUTE_ERROR:
    case PMC_HGB_QUANTILE: {
        double q = S->loss == PMC_HGB_QUANTILE ? S->P->quantile : 0.5;
        if (S->w) {
            PMC_ALLOC(pairs, n, "baseline");
            for (int64_t i = 0; i < n; i++) pairs[i] = (wv_pair){S->y[i], S->w[i]};
        } else {
            PMC_ALLOC(v, n, "baseline");
            memcpy(v, S->y, (size_t)n * sizeof(double));
        }
        out[0] = quantile_of(v, pairs, n, q);
        break;
    }
    case PMC_HGB_POISSON:
    case PMC_HGB_GAMMA: out[0] = log(PMC_MAX(mean, 10 * eps)); break;
    case PMC_HGB_LOG_LOSS:
        if (S->K == 1) {
            double pr = PMC_MIN(PMC_MAX(mean, 10 * eps), 1.0 - 10 * eps);
            out[0] = log(pr / (1.0 - pr));
        } else {
            double mean_log = 0.0;
            for (int k = 0; k < S->K; k++) {
                double wk = 0.0;
                for (int64_t i = 0; i < n; i++)
                    if (S->y[i] == k) wk += S->w ? S->w[i] : 1.0;
                double pk = PMC_MIN(PMC_MAX(wk / wsum, eps), 1.0 - eps);
                out[k] = log(pk);
                mean_log += out[k];
            }
            for (int k = 0; k < S->K; k++) out[k] -= mean_log / S->K;
        }
        break;
    default: out[0] = mean;
    }
error:
    free(v);
    free(pairs);
    return status;
}

/* ---- one tree -------------------------------------------------------------------- */

typedef struct {
    int64_t begin, end; /* slice of the grower's idx */
    double G, H;
    int64_t n;
    int depth;
    double value, lower, upper;
    hgb_bin *hist;
    int32_t out; /* node index in the tree */
    int has_split;
    double gain;
    int32_t feature, bin;
    int missing_left, is_cat;
    uint32_t bits[HGB_WORDS];
    double GL, HL, vL, vR;
    int64_t nL;
} gnode;

typedef struct {
    double gain, GL, HL, vL, vR;
    int64_t nL;
    int32_t feature, bin;
    int missing_left, is_cat;
    uint32_t bits[HGB_WORDS];
} split_best;

typedef struct {
    hgb_state *S;
    int k;               /* class of this tree */
    int32_t *idx, *tmp;  /* rows of the tree, partitioned by node */
    hgb_gh *gh, *tmp_gh; /* gradient and hessian of idx's rows (in S->gh), moved along
                            with idx: a histogram reads them in sequence, not scattered */
    int64_t n_idx;
    int contiguous;      /* idx is 0..n-1 (no row subsampling) */
    uint8_t *use;        /* p: 1 for the tree's features */
    gnode *search[2];    /* nodes whose split the current step searches (or NULL) */
    const int32_t *search_feats[2];
    int64_t search_nf[2];
    split_best *split_of; /* 2 x p: best split per searched feature of each slot */
    wv_pair *cat_scratch; /* 257 per thread */
    int32_t *tmp_count;  /* partition: left rows per chunk */
    gnode *nodes;
    int64_t n_nodes, cap_nodes;
    int32_t *heap;
    int64_t n_heap;
    hgb_bin **pool;
    int64_t n_pool, cap_pool;
    int32_t *features;   /* the tree's features (colsample_bytree), ascending */
    int64_t n_features;
    int32_t *pick;       /* 2 x p: scratch for max_features */
    int32_t *allowed;    /* 2 x p: scratch for interaction constraints */
    pmc_rng rng;         /* max_features draws */
    uint64_t *node_groups; /* cap_nodes x n_words: interaction groups still open */
    int64_t tree_base;   /* first node of this tree in the model */
} grower;

static pmc_status hist_get(grower *T, hgb_bin **out) {
    if (T->n_pool > 0) {
        *out = T->pool[--T->n_pool];
        return PMC_OK;
    }
    *out = calloc((size_t)T->S->off[T->S->p], sizeof(hgb_bin));
    if (!*out) return pmc_fail(PMC_ERR_MEMORY, "could not allocate a histogram");
    return PMC_OK;
}

static void hist_put(grower *T, hgb_bin **h) {
    if (*h) T->pool[T->n_pool++] = *h; /* the pool holds every buffer ever made */
    *h = NULL;
}

/* A node's histogram is built in parallel over blocks of features.  The rows
 * are also stored block-row-major (S->rowbin: block b holds, for every row, the
 * bins of its features side by side), so a task reads one short run of bytes
 * per row rather than one byte from each of its features' columns: far fewer
 * cache lines for the scattered rows of a deep node.  Each feature's bins are
 * still summed by one task in row order, so the histogram does not depend on
 * how features are grouped into blocks or on the number of threads. */
typedef struct {
    grower *T;
    const gnode *node;
    hgb_bin *hist;
} hist_job;

static pmc_status hist_block(int64_t task, int thread, void *arg) {
    (void)thread;
    hist_job *job = arg;
    grower *T = job->T;
    const hgb_state *S = T->S;
    int64_t f0 = S->block_start[task], w = S->block_start[task + 1] - f0;
    /* this tree's features in the block: their column in the block and histogram */
    int32_t col[64];
    hgb_bin *hj[64];
    int nu = 0;
    for (int64_t c = 0; c < w; c++) {
        if (!T->use[f0 + c]) continue;
        col[nu] = (int32_t)c;
        hj[nu] = job->hist + S->off[f0 + c];
        memset(hj[nu], 0, (size_t)(S->off[f0 + c + 1] - S->off[f0 + c]) * sizeof(hgb_bin));
        nu++;
    }
    if (nu == 0) return PMC_OK;
    const uint8_t *base = S->rowbin + S->fbase[f0];
    int64_t b0 = job->node->begin, cnt = job->node->end - b0;
    const int32_t *idx = T->idx + b0;
    const hgb_gh *gh = T->gh + b0;
    int rows_in_order = T->contiguous && cnt == S->n; /* the root without subsampling */
    if (nu == w && S->const_hess) {
        for (int64_t k = 0; k < cnt; k++) {
            int64_t i = rows_in_order ? k : idx[k];
            if (!rows_in_order && k + HGB_AHEAD < cnt) HGB_PREFETCH(base + idx[k + HGB_AHEAD] * w);
            const uint8_t *r = base + i * w;
            double gi = gh[k].g;
            for (int u = 0; u < nu; u++) {
                hgb_bin *b = hj[u] + r[u];
                b->g += gi;
                b->n++;
            }
        }
    } else if (nu == w) {
        for (int64_t k = 0; k < cnt; k++) {
            int64_t i = rows_in_order ? k : idx[k];
            if (!rows_in_order && k + HGB_AHEAD < cnt) HGB_PREFETCH(base + idx[k + HGB_AHEAD] * w);
            const uint8_t *r = base + i * w;
            double gi = gh[k].g, hi = gh[k].h;
            for (int u = 0; u < nu; u++) {
                hgb_bin *b = hj[u] + r[u];
                b->g += gi;
                b->h += hi;
                b->n++;
            }
        }
    } else { /* colsample_bytree left some of the block's features out */
        int hess = !S->const_hess;
        for (int64_t k = 0; k < cnt; k++) {
            int64_t i = rows_in_order ? k : idx[k];
            if (!rows_in_order && k + HGB_AHEAD < cnt) HGB_PREFETCH(base + idx[k + HGB_AHEAD] * w);
            const uint8_t *r = base + i * w;
            double gi = gh[k].g, hi = hess ? gh[k].h : 0.0;
            for (int u = 0; u < nu; u++) {
                hgb_bin *b = hj[u] + r[col[u]];
                b->g += gi;
                b->h += hi;
                b->n++;
            }
        }
    }
    return PMC_OK;
}

static double node_value(double G, double H, double lower, double upper, double l2) {
    double v = -G / (H + l2 + 1e-15);
    return v < lower ? lower : (v > upper ? upper : v);
}

/* scikit-learn's split gain (XGBoost eq. 7 without the 1/2), -1 when the
 * monotonic constraint is broken. */
static double split_gain(const hgb_state *S, const gnode *nd, int mono, double GL, double HL,
                         double *vL, double *vR) {
    double l2 = S->P->l2_regularization;
    double GR = nd->G - GL, HR = nd->H - HL;
    *vL = node_value(GL, HL, nd->lower, nd->upper, l2);
    *vR = node_value(GR, HR, nd->lower, nd->upper, l2);
    if ((mono > 0 && *vL > *vR) || (mono < 0 && *vL < *vR)) return -1.0;
    return nd->G * nd->value - GL * *vL - GR * *vR;
}

static void consider(split_best *best, double gain, double min_gain, int32_t j, int32_t b,
                     int missing_left, double GL, double HL, int64_t nL, double vL, double vR) {
    if (gain > best->gain && gain > min_gain) {
        best->gain = gain;
        best->feature = j;
        best->bin = b;
        best->missing_left = missing_left;
        best->is_cat = 0;
        best->GL = GL;
        best->HL = HL;
        best->nL = nL;
        best->vL = vL;
        best->vR = vR;
    }
}

static void numeric_split(const grower *T, const gnode *nd, int32_t j, split_best *best) {
    const hgb_state *S = T->S;
    const hgb_bin *hj = nd->hist + S->off[j];
    int ch = S->const_hess;
    int64_t msl = S->P->min_samples_leaf;
    double mcw = S->P->min_child_weight, min_gain = 2.0 * S->P->min_split_gain;
    int mono = S->mono ? S->mono[j] : 0;
    int32_t nbm = S->nt[j] + 1; /* non-missing bins */
    int miss = S->has_missing[j];
    const hgb_bin *mb = hj + nbm;
    /* missing values to the right; with missing values the last bin is a
     * candidate too (all values left, missing right: threshold +inf) */
    double GL = 0.0, HL = 0.0, vL, vR;
    int64_t nL = 0;
    int32_t end = miss ? nbm : nbm - 1;
    for (int32_t b = 0; b < end; b++) {
        GL += hj[b].g;
        HL += ch ? (double)hj[b].n : hj[b].h;
        nL += hj[b].n;
        int64_t nR = nd->n - nL;
        double HR = nd->H - HL;
        if (nL < msl || HL < mcw) continue;
        if (nR < msl || HR < mcw) break;
        double gain = split_gain(S, nd, mono, GL, HL, &vL, &vR);
        consider(best, gain, min_gain, j, b, 0, GL, HL, nL, vL, vR);
    }
    if (!miss) return;
    /* missing values to the left */
    GL = mb->g;
    HL = ch ? (double)mb->n : mb->h;
    nL = mb->n;
    for (int32_t b = 0; b < nbm - 1; b++) {
        GL += hj[b].g;
        HL += ch ? (double)hj[b].n : hj[b].h;
        nL += hj[b].n;
        int64_t nR = nd->n - nL;
        double HR = nd->H - HL;
        if (nL < msl || HL < mcw) continue;
        if (nR < msl || HR < mcw) break;
        double gain = split_gain(S, nd, mono, GL, HL, &vL, &vR);
        consider(best, gain, min_gain, j, b, 1, GL, HL, nL, vL, vR);
    }
}

/* Categories sorted by gradient / (hessian + smoothing), low-support ones left
 * out (always right), scanned from both ends up to the middle: scikit-learn's
 * and LightGBM's many-vs-many categorical split. */
static void categorical_split(const grower *T, const gnode *nd, int32_t j, wv_pair *cats,
                              split_best *best) {
    const hgb_state *S = T->S;
    const hgb_bin *hj = nd->hist + S->off[j];
    int ch = S->const_hess;
    int64_t msl = S->P->min_samples_leaf;
    double mcw = S->P->min_child_weight, min_gain = 2.0 * S->P->min_split_gain;
    double support_factor = (double)nd->n / nd->H;
    /* cats (257 entries) v: sort key, w: bin */
    int n_used = 0;
    int32_t nbm = S->nt[j] + 1;
    for (int32_t b = 0; b <= nbm; b++) {
        int32_t bin = b;
        if (b == nbm && !S->has_missing[j]) break;
        const hgb_bin *x = hj + bin;
        double hb = ch ? (double)x->n : x->h;
        if (hb * support_factor >= HGB_MIN_CAT_SUPPORT)
            cats[n_used++] = (wv_pair){x->g / (hb + HGB_MIN_CAT_SUPPORT), (double)bin};
    }
    if (n_used <= 1) return;
    /* stable order for ties: the bin breaks them */
    for (int a = 1; a < n_used; a++) { /* insertion sort: at most 256 entries */
        wv_pair c = cats[a];
        int i = a - 1;
        while (i >= 0 && (cats[i].v > c.v || (cats[i].v == c.v && cats[i].w > c.w))) {
            cats[i + 1] = cats[i];
            i--;
        }
        cats[i + 1] = c;
    }
    double best_gain_before = best->gain;
    int best_dir = 0, best_end = -1;
    split_best local = *best;
    for (int dir = 1; dir >= -1; dir -= 2) {
        int middle = dir == 1 ? (n_used + 1) / 2 : (n_used + 1) / 2 - 1;
        double GL = 0.0, HL = 0.0, vL, vR;
        int64_t nL = 0;
        for (int i = 0; i < middle; i++) {
            int s = dir == 1 ? i : n_used - 1 - i;
            const hgb_bin *x = hj + (int32_t)cats[s].w;
            nL += x->n;
            HL += ch ? (double)x->n : x->h;
            GL += x->g;
            int64_t nR = nd->n - nL;
            double HR = nd->H - HL;
            if (nL < msl || HL < mcw) continue;
            if (nR < msl || HR < mcw) break;
            double gain = split_gain(S, nd, 0, GL, HL, &vL, &vR);
            if (gain > local.gain && gain > min_gain) {
                local.gain = gain;
                local.GL = GL;
                local.HL = HL;
                local.nL = nL;
                local.vL = vL;
                local.vR = vR;
                best_dir = dir;
                best_end = s;
            }
        }
    }
    if (local.gain <= best_gain_before || best_dir == 0) return;
    *best = local;
    best->feature = j;
    best->bin = 0;
    best->is_cat = 1;
    best->missing_left = 0;
    memset(best->bits, 0, sizeof best->bits);
    int from = best_dir == 1 ? 0 : best_end, to = best_dir == 1 ? best_end : n_used - 1;
    for (int s = from; s <= to; s++) {
        int32_t bin = (int32_t)cats[s].w;
        if (bin == nbm) best->missing_left = 1;
        else best->bits[bin >> 5] |= 1u << (bin & 31);
    }
}

/* The features a node's split is searched over (into slot `slot` of the
 * grower's buffers): the tree's, minus those its interaction groups exclude, then
 * a random max_features share of them, drawn at every node.  Serial: the draws
 * follow the order of the nodes. */
static void select_features(grower *T, const gnode *nd, int slot) {
    const hgb_state *S = T->S;
    const int32_t *feats = T->features;
    int64_t nf = T->n_features;
    int32_t *allowed = T->allowed + slot * S->p, *pick = T->pick + slot * S->p;
    if (S->groups) { /* only the features of the groups still open on this branch */
        const uint64_t *open = T->node_groups + (nd - T->nodes) * S->n_words;
        int64_t kept = 0;
        for (int64_t a = 0; a < nf; a++) {
            int32_t j = feats[a];
            int ok = 0;
            for (int64_t g = 0; g < S->n_groups && !ok; g++)
                ok = ((open[g >> 6] >> (g & 63)) & 1u) && S->groups[g * S->p + j];
            if (ok) allowed[kept++] = j;
        }
        feats = allowed;
        nf = kept;
    }
    if (nf > 0 && S->P->max_features < 1.0) {
        int64_t m = (int64_t)ceil(S->P->max_features * (double)nf);
        m = PMC_MAX(1, PMC_MIN(m, nf));
        /* selection sampling keeps them ascending */
        int64_t chosen = 0;
        for (int64_t i = 0; i < nf && chosen < m; i++)
            if ((double)pmc_rng_below(&T->rng, (uint64_t)(nf - i)) < (double)(m - chosen))
                pick[chosen++] = feats[i];
        feats = pick;
        nf = m;
    }
    T->search[slot] = (gnode *)nd;
    T->search_feats[slot] = feats;
    T->search_nf[slot] = nf;
}

/* The node's split from its features' best ones: the first feature with the
 * largest gain, as a serial scan would pick. */
static void finish_split(grower *T, int slot) {
    gnode *nd = T->search[slot];
    const split_best *of = T->split_of + slot * T->S->p;
    split_best best;
    memset(&best, 0, sizeof best);
    best.gain = -1.0;
    for (int64_t a = 0; a < T->search_nf[slot]; a++)
        if (of[a].gain > best.gain) best = of[a];
    nd->has_split = best.gain > -1.0 && best.gain > 2.0 * T->S->P->min_split_gain;
    if (!nd->has_split) return;
    nd->gain = best.gain;
    nd->feature = best.feature;
    nd->bin = best.bin;
    nd->missing_left = best.missing_left;
    nd->is_cat = best.is_cat;
    memcpy(nd->bits, best.bits, sizeof best.bits);
    nd->GL = best.GL;
    nd->HL = best.HL;
    nd->nL = best.nL;
    nd->vL = best.vL;
    nd->vR = best.vR;
}

/* One step of the growth, per block of features (one task each, so a single
 * parallel region per split): the histogram of `small` from its rows, the one of
 * `large` (if any) as its parent's minus it, then the best split of each feature
 * of the block for the nodes in the search slots. */
typedef struct {
    grower *T;
    gnode *small, *large;
} step_job;

static pmc_status step_block(int64_t task, int thread, void *arg) {
    step_job *job = arg;
    grower *T = job->T;
    const hgb_state *S = T->S;
    hist_job hj = {T, job->small, job->small->hist};
    pmc_status status = hist_block(task, thread, &hj);
    if (status != PMC_OK) return status;
    int64_t f0 = S->block_start[task], f1 = S->block_start[task + 1];
    if (job->large) {
        hgb_bin *big = job->large->hist;
        const hgb_bin *sm = job->small->hist;
        for (int64_t b = S->off[f0]; b < S->off[f1]; b++) {
            big[b].g -= sm[b].g;
            big[b].h -= sm[b].h;
            big[b].n -= sm[b].n;
        }
    }
    for (int slot = 0; slot < 2; slot++) {
        if (!T->search[slot]) continue;
        const int32_t *feats = T->search_feats[slot];
        split_best *of = T->split_of + slot * S->p;
        for (int64_t a = 0; a < T->search_nf[slot]; a++) {
            int32_t j = feats[a];
            if (j < f0 || j >= f1) continue;
            memset(&of[a], 0, sizeof of[a]);
            of[a].gain = -1.0;
            if (S->n_cat[j] > 0)
                categorical_split(T, T->search[slot], j, T->cat_scratch + (int64_t)thread * 257,
                                  &of[a]);
            else numeric_split(T, T->search[slot], j, &of[a]);
        }
    }
    return PMC_OK;
}

/* Builds small's histogram (large's by subtraction when given) and finds the
 * splits of the nodes selected into the search slots. */
static pmc_status grow_step(grower *T, gnode *small, gnode *large) {
    const hgb_state *S = T->S;
    pmc_status status = hist_get(T, &small->hist);
    if (status != PMC_OK) return status;
    /* small work: a parallel region (and threads spinning at its barrier on a busy
     * machine) would cost more than it saves */
    int64_t work = (small->end - small->begin) * T->n_features;
    for (int slot = 0; slot < 2; slot++)
        if (T->search[slot]) work += 8 * T->search_nf[slot] * S->max_bins;
    step_job job = {T, small, large};
    status = pmc_parallel_for(S->n_blocks, work < HGB_PARALLEL_WORK ? 1 : S->ctx->n_threads,
                              S->ctx, step_block, &job);
    if (status != PMC_OK) return status;
    for (int slot = 0; slot < 2; slot++)
        if (T->search[slot]) finish_split(T, slot);
    return PMC_OK;
}

/* max-heap of splittable nodes by gain; ties: the older node first */
static int heap_before(const grower *T, int32_t a, int32_t b) {
    double ga = T->nodes[a].gain, gb = T->nodes[b].gain;
    return ga > gb || (ga == gb && a < b);
}

static void heap_push(grower *T, int32_t v) {
    int64_t i = T->n_heap++;
    T->heap[i] = v;
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!heap_before(T, T->heap[i], T->heap[parent])) break;
        int32_t t = T->heap[i];
        T->heap[i] = T->heap[parent];
        T->heap[parent] = t;
        i = parent;
    }
}

static int32_t heap_pop(grower *T) {
    int32_t top = T->heap[0];
    T->heap[0] = T->heap[--T->n_heap];
    int64_t i = 0;
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < T->n_heap && heap_before(T, T->heap[l], T->heap[m])) m = l;
        if (r < T->n_heap && heap_before(T, T->heap[r], T->heap[m])) m = r;
        if (m == i) break;
        int32_t t = T->heap[i];
        T->heap[i] = T->heap[m];
        T->heap[m] = t;
        i = m;
    }
    return top;
}

static pmc_status new_node(grower *T, int64_t begin, int64_t end, double G, double H, int64_t n,
                           int depth, double value, double lower, double upper, int32_t *out) {
    pmc_status status = PMC_OK;
    if (T->n_nodes == T->cap_nodes) {
        int64_t c = PMC_MAX(64, T->cap_nodes * 2);
        gnode *p = realloc(T->nodes, (size_t)c * sizeof(gnode));
        int32_t *hp = realloc(T->heap, (size_t)c * sizeof(int32_t));
        if (p) T->nodes = p;
        if (hp) T->heap = hp;
        if (!p || !hp) return pmc_fail(PMC_ERR_MEMORY, "could not grow a tree");
        if (T->S->groups) {
            uint64_t *g = realloc(T->node_groups, (size_t)(c * T->S->n_words) * sizeof(uint64_t));
            if (!g) return pmc_fail(PMC_ERR_MEMORY, "could not grow a tree");
            T->node_groups = g;
        }
        T->cap_nodes = c;
    }
    PMC_TRY(hgb_reserve_nodes(T->S->m, 1));
    gnode *nd = &T->nodes[T->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->begin = begin;
    nd->end = end;
    nd->G = G;
    nd->H = H;
    nd->n = n;
    nd->depth = depth;
    nd->value = value;
    nd->lower = lower;
    nd->upper = upper;
    nd->out = (int32_t)(T->S->m->n_nodes - T->tree_base);
    if (T->S->groups)
        memset(T->node_groups + T->n_nodes * T->S->n_words, 0,
               (size_t)T->S->n_words * sizeof(uint64_t));
    int64_t o = T->S->m->n_nodes++;
    pmc_model *m = T->S->m;
    m->feature[o] = -1;
    m->left[o] = m->right[o] = -1;
    m->flags[o] = 0;
    m->bin[o] = 0;
    m->cat[o] = -1;
    m->threshold[o] = 0.0;
    m->value[o] = value;
    *out = (int32_t)T->n_nodes++;
error:
    return status;
}

static inline int goes_left(const hgb_state *S, const gnode *nd, int bin) {
    if (bin == S->nt[nd->feature] + 1) return nd->missing_left;
    if (nd->is_cat) return (int)((nd->bits[bin >> 5] >> (bin & 31)) & 1u);
    return bin <= nd->bin;
}

/* Stable partition of the node's rows (left ones first, each side in row
 * order), without branches: a table gives the side of every bin.  Large nodes
 * in fixed chunks, in two parallel passes: each chunk splits its rows into the
 * scratch (left ones forward from its start, right ones backward from its end:
 * one read of the scattered bins), then copies both runs to their places given
 * by the prefix sums of the chunks' counts.  A stable partition is unique, so
 * the result is the serial one whatever the thread count. */
typedef struct {
    grower *T;
    const gnode *nd;
    int64_t n_left;
    uint8_t left[256];
} part_job;

static pmc_status part_split(int64_t task, int thread, void *arg) {
    (void)thread;
    part_job *job = arg;
    grower *T = job->T;
    const gnode *nd = job->nd;
    const uint8_t *col = T->S->rowbin + T->S->fbase[nd->feature];
    int64_t st = T->S->fstride[nd->feature];
    int64_t from = nd->begin + task * HGB_PARTITION_CHUNK;
    int64_t to = PMC_MIN(nd->end, from + HGB_PARTITION_CHUNK);
    int64_t wl = from, wr = to - 1;
    for (int64_t k = from; k < to; k++) {
        int32_t i = T->idx[k];
        if (k + HGB_AHEAD < to) HGB_PREFETCH(col + T->idx[k + HGB_AHEAD] * st);
        int l = job->left[col[i * st]];
        /* one write only: a spare one could overwrite a left row when wl meets wr */
        int64_t at = l ? wl : wr;
        T->tmp[at] = i;
        T->tmp_gh[at] = T->gh[k];
        wl += l;
        wr -= 1 - l;
    }
    T->tmp_count[task] = (int32_t)(wl - from);
    return PMC_OK;
}

static pmc_status part_place(int64_t task, int thread, void *arg) {
    (void)thread;
    part_job *job = arg;
    grower *T = job->T;
    const gnode *nd = job->nd;
    int64_t from = nd->begin + task * HGB_PARTITION_CHUNK;
    int64_t to = PMC_MIN(nd->end, from + HGB_PARTITION_CHUNK);
    /* tmp_count holds the exclusive prefix sums of the left counts by now */
    int64_t left_before = T->tmp_count[task];
    int64_t nl = (task + 1 < (nd->end - nd->begin + HGB_PARTITION_CHUNK - 1) / HGB_PARTITION_CHUNK
                      ? T->tmp_count[task + 1]
                      : job->n_left) - left_before;
    int64_t wl = nd->begin + left_before;
    int64_t wr = nd->begin + job->n_left + (from - nd->begin) - left_before;
    memcpy(T->idx + wl, T->tmp + from, (size_t)nl * sizeof(int32_t));
    memcpy(T->gh + wl, T->tmp_gh + from, (size_t)nl * sizeof(hgb_gh));
    for (int64_t q = to - 1; q >= from + nl; q--, wr++) { /* the right run, reversed */
        T->idx[wr] = T->tmp[q];
        T->gh[wr] = T->tmp_gh[q];
    }
    return PMC_OK;
}

static pmc_status partition(grower *T, const gnode *nd) {
    int64_t cnt = nd->end - nd->begin;
    part_job job = {T, nd, 0, {0}};
    for (int b = 0; b <= T->S->nt[nd->feature] + 1; b++) job.left[b] = (uint8_t)goes_left(T->S, nd, b);
    if (cnt < 2 * HGB_PARTITION_CHUNK) {
        const uint8_t *col = T->S->rowbin + T->S->fbase[nd->feature];
        int64_t st = T->S->fstride[nd->feature];
        int64_t wl = nd->begin, nr = 0;
        for (int64_t k = nd->begin; k < nd->end; k++) { /* wl <= k: in place */
            int32_t i = T->idx[k];
            if (k + HGB_AHEAD < nd->end) HGB_PREFETCH(col + T->idx[k + HGB_AHEAD] * st);
            hgb_gh gk = T->gh[k];
            int l = job.left[col[i * st]];
            T->idx[wl] = i;
            T->gh[wl] = gk;
            T->tmp[nr] = i;
            T->tmp_gh[nr] = gk;
            wl += l;
            nr += 1 - l;
        }
        memcpy(T->idx + wl, T->tmp, (size_t)nr * sizeof(int32_t));
        memcpy(T->gh + wl, T->tmp_gh, (size_t)nr * sizeof(hgb_gh));
        return PMC_OK;
    }
    int64_t n_chunks = (cnt + HGB_PARTITION_CHUNK - 1) / HGB_PARTITION_CHUNK;
    int n_threads = T->S->ctx->n_threads;
    pmc_status status = pmc_parallel_for(n_chunks, n_threads, T->S->ctx, part_split, &job);
    if (status != PMC_OK) return status;
    for (int64_t c = 0; c < n_chunks; c++) {
        int32_t left = T->tmp_count[c];
        T->tmp_count[c] = (int32_t)job.n_left;
        job.n_left += left;
    }
    return pmc_parallel_for(n_chunks, n_threads, T->S->ctx, part_place, &job);
}

static int splittable(const grower *T, const gnode *nd) {
    const pmc_hgb_params *P = T->S->P;
    if (P->max_depth > 0 && nd->depth >= P->max_depth) return 0;
    if (nd->n < 2 * P->min_samples_leaf) return 0;
    return 1;
}

/* Grows one tree on the grower's rows, appending its nodes to the model. */
static pmc_status grow_tree(grower *T) {
    pmc_status status = PMC_OK;
    hgb_state *S = T->S;
    const pmc_hgb_params *P = S->P;
    double G = 0.0, H = 0.0;
    for (int64_t k = 0; k < T->n_idx; k++) {
        G += T->gh[k].g;
        H += S->const_hess ? 1.0 : T->gh[k].h;
    }
    int32_t root;
    double l2 = P->l2_regularization;
    PMC_TRY(new_node(T, 0, T->n_idx, G, H, T->n_idx, 0, node_value(G, H, -INFINITY, INFINITY, l2),
                     -INFINITY, INFINITY, &root));
    if (S->groups)
        for (int64_t g = 0; g < S->n_groups; g++)
            T->node_groups[(int64_t)root * S->n_words + (g >> 6)] |= (uint64_t)1 << (g & 63);
    int64_t n_leaves = 1;
    if (splittable(T, &T->nodes[root]) && (P->max_leaf_nodes == 0 || P->max_leaf_nodes > 1)) {
        select_features(T, &T->nodes[root], 0);
        T->search[1] = NULL;
        if (T->search_nf[0] == 0) T->search[0] = NULL;
        PMC_TRY(grow_step(T, &T->nodes[root], NULL));
        if (T->nodes[root].has_split) heap_push(T, root);
    }
    while (T->n_heap > 0 && (P->max_leaf_nodes == 0 || n_leaves < P->max_leaf_nodes)) {
        int32_t id = heap_pop(T);
        gnode *nd = &T->nodes[id];
        PMC_TRY(partition(T, nd));
        int64_t mid = nd->begin + nd->nL;
        /* write the split into the model */
        pmc_model *m = S->m;
        int64_t o = T->tree_base + nd->out;
        m->feature[o] = nd->feature;
        m->bin[o] = nd->bin;
        int missing_left = nd->missing_left;
        if (!S->has_missing[nd->feature]) /* unseen at fit: NaN follows the majority */
            missing_left = nd->nL > nd->n - nd->nL;
        m->flags[o] = (missing_left ? HGB_MISSING_LEFT : 0) | (nd->is_cat ? HGB_CATEGORICAL : 0);
        if (nd->is_cat) {
            int32_t row;
            PMC_TRY(hgb_new_bitset(m, &row));
            for (int w = 0; w < HGB_WORDS; w++)
                m->bitsets[(int64_t)row * HGB_WORDS + w] = (int32_t)nd->bits[w];
            m->cat[o] = row;
            m->threshold[o] = NAN;
        } else {
            m->threshold[o] = nd->bin >= S->nt[nd->feature]
                                  ? INFINITY
                                  : S->thr[(int64_t)nd->feature * (S->max_bins - 1) + nd->bin];
        }
        /* children: monotonic constraints bound their values by the midpoint */
        double lo_l = nd->lower, hi_l = nd->upper, lo_r = nd->lower, hi_r = nd->upper;
        int mono = S->mono ? S->mono[nd->feature] : 0;
        if (mono != 0 && !nd->is_cat) {
            double midv = 0.5 * (nd->vL + nd->vR);
            if (mono > 0) { hi_l = midv; lo_r = midv; }
            else { lo_l = midv; hi_r = midv; }
        }
        double GL = nd->GL, HL = nd->HL, GR = nd->G - nd->GL, HR = nd->H - nd->HL;
        int64_t nL = nd->nL, nR = nd->n - nd->nL, begin = nd->begin, end = nd->end;
        int depth = nd->depth + 1;
        double vL = nd->vL, vR = nd->vR;
        int32_t left, right;
        PMC_TRY(new_node(T, begin, mid, GL, HL, nL, depth, vL, lo_l, hi_l, &left));
        PMC_TRY(new_node(T, mid, end, GR, HR, nR, depth, vR, lo_r, hi_r, &right));
        nd = &T->nodes[id]; /* new_node may have moved the array */
        if (S->groups) { /* children keep the parent's groups that hold its feature */
            const uint64_t *open = T->node_groups + (int64_t)id * S->n_words;
            uint64_t *gl = T->node_groups + (int64_t)left * S->n_words;
            uint64_t *gr = T->node_groups + (int64_t)right * S->n_words;
            for (int64_t g = 0; g < S->n_groups; g++) {
                uint64_t bit = (uint64_t)1 << (g & 63);
                if ((open[g >> 6] & bit) && S->groups[g * S->p + nd->feature]) {
                    gl[g >> 6] |= bit;
                    gr[g >> 6] |= bit;
                }
            }
        }
        m->left[o] = T->nodes[left].out;
        m->right[o] = T->nodes[right].out;
        n_leaves++;
        gnode *L = &T->nodes[left], *R = &T->nodes[right];
        int full = P->max_leaf_nodes > 0 && n_leaves >= P->max_leaf_nodes;
        int sl = !full && splittable(T, L), sr = !full && splittable(T, R);
        if (sl || sr) {
            /* the smaller child's histogram from its rows, the larger's by subtraction */
            gnode *small = L->n <= R->n ? L : R, *large = small == L ? R : L;
            int need_large = small == L ? sr : sl;
            if (need_large) {
                large->hist = nd->hist;
                nd->hist = NULL;
            }
            gnode *kids[2] = {L, R};
            int want[2] = {sl, sr};
            for (int slot = 0; slot < 2; slot++) {
                T->search[slot] = NULL;
                kids[slot]->has_split = 0;
                if (!want[slot]) continue;
                select_features(T, kids[slot], slot);
                if (T->search_nf[slot] == 0) T->search[slot] = NULL;
            }
            PMC_TRY(grow_step(T, small, need_large ? large : NULL));
            if (sl && L->has_split) heap_push(T, left);
            if (sr && R->has_split) heap_push(T, right);
            if (!(sl && L->has_split)) hist_put(T, &L->hist);
            if (!(sr && R->has_split)) hist_put(T, &R->hist);
        }
        hist_put(T, &T->nodes[id].hist);
    }
    /* whatever is left in the heap stays a leaf */
    for (int64_t a = 0; a < T->n_heap; a++) hist_put(T, &T->nodes[T->heap[a]].hist);
    T->n_heap = 0;
error:
    return status;
}

/* Leaf values (shrunk): Newton steps, or for the absolute and pinball losses the
 * (weighted) quantile of the residuals of the leaf's rows, as scikit-learn. */
static pmc_status set_leaf_values(grower *T) {
    pmc_status status = PMC_OK;
    hgb_state *S = T->S;
    double lr = S->P->learning_rate;
    int line_search = S->loss == PMC_HGB_ABSOLUTE_ERROR || S->loss == PMC_HGB_QUANTILE;
    double q = S->loss == PMC_HGB_QUANTILE ? S->P->quantile : 0.5;
    double *v = NULL;
    wv_pair *pairs = NULL;
    if (line_search) {
        if (S->w) PMC_ALLOC(pairs, PMC_MAX(T->n_idx, 1), "leaf values");
        else PMC_ALLOC(v, PMC_MAX(T->n_idx, 1), "leaf values");
    }
    for (int64_t a = 0; a < T->n_nodes; a++) {
        gnode *nd = &T->nodes[a];
        int64_t o = T->tree_base + nd->out;
        if (S->m->left[o] >= 0) continue;
        double value = nd->value;
        if (line_search) {
            int64_t c = 0;
            for (int64_t k = nd->begin; k < nd->end; k++, c++) {
                int32_t i = T->idx[k];
                double r = S->y[i] - S->raw[i];
                if (pairs) pairs[c] = (wv_pair){r, S->w[i]};
                else v[c] = r;
            }
            value = quantile_of(v, pairs, c, q);
        }
        S->m->value[o] = lr * value;
    }
error:
    free(v);
    free(pairs);
    return status;
}

/* Adds a tree (its first node at `base`) to raw predictions of binned rows. */
static void add_tree_binned(const hgb_state *S, int64_t base, const uint8_t *binned,
                            const int64_t *fbase, const int64_t *fstride, int64_t n, double *raw) {
    const pmc_model *m = S->m;
    for (int64_t i = 0; i < n; i++) {
        int32_t node = 0;
        while (m->left[base + node] >= 0) {
            int64_t o = base + node;
            int32_t j = m->feature[o];
            int bin = fbase ? binned[fbase[j] + i * fstride[j]] : binned[(int64_t)j * n + i];
            int left;
            if (bin == S->nt[m->feature[o]] + 1) left = m->flags[o] & HGB_MISSING_LEFT;
            else if (m->flags[o] & HGB_CATEGORICAL)
                left = hgb_in_set(m->bitsets + (int64_t)m->cat[o] * HGB_WORDS, bin);
            else left = bin <= m->bin[o];
            node = left ? m->left[o] : m->right[o];
        }
        raw[i] += m->value[base + node];
    }
}

/* Chooses m of n items in ascending order (selection sampling). */
static int64_t choose_sorted(pmc_rng *rng, int64_t n, int64_t m, int32_t *out) {
    int64_t chosen = 0;
    for (int64_t i = 0; i < n && chosen < m; i++)
        if (pmc_rng_below(rng, (uint64_t)(n - i)) < (uint64_t)(m - chosen))
            out[chosen++] = (int32_t)i;
    return chosen;
}

/* scikit-learn's _should_stop: none of the last n_iter_no_change scores beats
 * the one before them by more than tol. */
static int should_stop(const double *scores, int64_t m, int64_t n_iter_no_change, double tol) {
    int64_t ref = n_iter_no_change + 1;
    if (m < ref) return 0;
    double reference = scores[m - ref] + tol;
    for (int64_t i = m - ref + 1; i < m; i++)
        if (scores[i] > reference) return 0;
    return 1;
}

/* ---- the fit ------------------------------------------------------------------ */


static pmc_status check_rows_view(const pmc_view *v, const char *name, int64_t n_rows) {
    if (v->ndim == 0) return PMC_OK;
    if (v->ndim != 1 || (v->dtype != PMC_INT64 && v->dtype != PMC_INT32))
        return pmc_fail(PMC_ERR_VALUE, "%s must be a 1-D integer array", name);
    for (int64_t i = 0; i < v->shape[0]; i++) {
        int64_t r = pmc_get_index(v, i);
        if (r < 0 || r >= n_rows)
            return pmc_fail(PMC_ERR_VALUE, "%s[%lld] = %lld is outside X's %lld rows", name,
                            (long long)i, (long long)r, (long long)n_rows);
    }
    return PMC_OK;
}

static pmc_status check_params(const pmc_hgb_params *P, const pmc_data *d, const pmc_model *init) {
    int64_t p = d->X.n_cols;
    if (P->loss < 0 || P->loss > PMC_HGB_LOG_LOSS)
        return pmc_fail(PMC_ERR_VALUE, "loss is invalid");
    if (P->loss == PMC_HGB_LOG_LOSS && (P->n_classes < 2 || P->n_classes > 100000))
        return pmc_fail(PMC_ERR_VALUE, "n_classes must be >= 2 for log_loss, got %lld",
                        (long long)P->n_classes);
    if (!(P->learning_rate > 0.0)) return pmc_fail(PMC_ERR_VALUE, "learning_rate must be > 0");
    if (P->max_iter < 1) return pmc_fail(PMC_ERR_VALUE, "max_iter must be >= 1");
    if (P->max_leaf_nodes < 0 || P->max_leaf_nodes == 1)
        return pmc_fail(PMC_ERR_VALUE, "max_leaf_nodes must be >= 2 or 0 (no limit)");
    if (P->max_depth < 0) return pmc_fail(PMC_ERR_VALUE, "max_depth must be >= 0");
    if (P->min_samples_leaf < 1) return pmc_fail(PMC_ERR_VALUE, "min_samples_leaf must be >= 1");
    if (!(P->l2_regularization >= 0.0))
        return pmc_fail(PMC_ERR_VALUE, "l2_regularization must be >= 0");
    if (!(P->min_child_weight >= 0.0))
        return pmc_fail(PMC_ERR_VALUE, "min_child_weight must be >= 0");
    if (!(P->min_split_gain >= 0.0)) return pmc_fail(PMC_ERR_VALUE, "min_split_gain must be >= 0");
    if (!(P->max_features > 0.0 && P->max_features <= 1.0))
        return pmc_fail(PMC_ERR_VALUE, "max_features must be in (0, 1]");
    if (!(P->subsample > 0.0 && P->subsample <= 1.0))
        return pmc_fail(PMC_ERR_VALUE, "subsample must be in (0, 1]");
    if (!(P->colsample_bytree > 0.0 && P->colsample_bytree <= 1.0))
        return pmc_fail(PMC_ERR_VALUE, "colsample_bytree must be in (0, 1]");
    if (P->max_bins < 2 || P->max_bins > 255)
        return pmc_fail(PMC_ERR_VALUE, "max_bins must be in [2, 255], got %lld",
                        (long long)P->max_bins);
    if (P->loss == PMC_HGB_QUANTILE && !(P->quantile > 0.0 && P->quantile < 1.0))
        return pmc_fail(PMC_ERR_VALUE, "quantile must be in (0, 1)");
    if (P->early_stopping && P->n_iter_no_change < 1)
        return pmc_fail(PMC_ERR_VALUE, "n_iter_no_change must be >= 1");
    if (d->X.is_sparse)
        return pmc_fail(PMC_ERR_UNSUPPORTED, "HistGradientBoosting needs a dense X");
    if (d->y.ndim == 0) return pmc_fail(PMC_ERR_VALUE, "y is required");
    if (d->y.shape[0] != d->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "y has %lld entries, but X has %lld rows",
                        (long long)d->y.shape[0], (long long)d->X.n_rows);
    if (d->weight.ndim != 0 && d->weight.shape[0] != d->X.n_rows)
        return pmc_fail(PMC_ERR_VALUE, "sample_weight has %lld entries, but X has %lld rows",
                        (long long)d->weight.shape[0], (long long)d->X.n_rows);
    pmc_status s = check_rows_view(&P->train_rows, "train_rows", d->X.n_rows);
    if (s == PMC_OK) s = check_rows_view(&P->validation_rows, "validation_rows", d->X.n_rows);
    if (s != PMC_OK) return s;
    const pmc_view *per_feature[2] = {&P->n_categories, &P->monotonic_cst};
    const char *names[2] = {"n_categories", "monotonic_cst"};
    for (int a = 0; a < 2; a++) {
        const pmc_view *v = per_feature[a];
        if (v->ndim == 0) continue;
        if (v->ndim != 1 || v->shape[0] != p || (v->dtype != PMC_INT32 && v->dtype != PMC_INT64))
            return pmc_fail(PMC_ERR_VALUE, "%s must be an integer array of %lld entries",
                            names[a], (long long)p);
        for (int64_t j = 0; j < p; j++) {
            int64_t x = pmc_get_index(v, j);
            if (a == 0 && (x < 0 || x > P->max_bins))
                return pmc_fail(PMC_ERR_VALUE,
                                "categorical feature %lld has %lld categories; at most max_bins "
                                "= %lld are supported", (long long)j, (long long)x,
                                (long long)P->max_bins);
            if (a == 1 && (x < -1 || x > 1))
                return pmc_fail(PMC_ERR_VALUE, "monotonic_cst must be -1, 0 or 1, got %lld",
                                (long long)x);
        }
    }
    const pmc_view *ic = &P->interaction_cst;
    if (ic->ndim != 0 && (ic->ndim != 2 || ic->shape[1] != p || ic->shape[0] < 1 ||
                          (ic->dtype != PMC_INT32 && ic->dtype != PMC_INT64)))
        return pmc_fail(PMC_ERR_VALUE, "interaction_cst must be an integer array of shape "
                                       "(n_groups, %lld)", (long long)p);
    if (init) {
        int K = P->loss == PMC_HGB_LOG_LOSS && P->n_classes > 2 ? (int)P->n_classes : 1;
        if (init->n_features != p || init->K != K || init->loss != P->loss)
            return pmc_fail(PMC_ERR_VALUE, "the model to continue from (warm start) has a "
                                           "different number of features, classes or loss");
    }
    return PMC_OK;
}

static void free_state(hgb_state *S) {
    free(S->fbase);
    free(S->fstride);
    free(S->binned_val);
    free(S->rowbin);
    free(S->block_start);
    free(S->thr);
    free(S->off);
    free(S->nt);
    free(S->n_cat);
    free(S->mono);
    free(S->groups);
    free(S->has_missing);
    free(S->y);
    free(S->w);
    free(S->yv);
    free(S->wv);
    free(S->raw);
    free(S->raw_val);
    free(S->gh);
}

static void free_grower(grower *T) {
    for (int64_t i = 0; i < T->n_pool; i++) free(T->pool[i]);
    free(T->pool);
    free(T->idx);
    free(T->tmp);
    free(T->tmp_gh);
    free(T->use);
    free(T->split_of);
    free(T->tmp_count);
    free(T->nodes);
    free(T->heap);
    free(T->features);
    free(T->pick);
    free(T->allowed);
    free(T->node_groups);
    free(T->cat_scratch);
}

pmc_status hgb_fit(const void *params, const pmc_data *data, const pmc_model *init, pmc_ctx *ctx,
                   pmc_model **out) {
    const pmc_hgb_params *P = params;
    pmc_status status = PMC_OK;
    hgb_state S;
    grower T;
    memset(&S, 0, sizeof S);
    memset(&T, 0, sizeof T);
    int64_t *train = NULL, *val = NULL;
    double *tmp_raw = NULL;
    int32_t *rows_pick = NULL;
    uint8_t *bin_slice = NULL;
    PMC_TRY(check_params(P, data, init));
    PMC_TRY(pmc_matrix_check(&data->X, "X"));
    S.P = P;
    S.ctx = ctx;
    S.loss = P->loss;
    S.K = P->loss == PMC_HGB_LOG_LOSS && P->n_classes > 2 ? (int)P->n_classes : 1;
    S.max_bins = (int)P->max_bins;
    S.p = data->X.n_cols;
    const pmc_matrix *X = &data->X;
    int64_t n = P->train_rows.ndim ? P->train_rows.shape[0] : data->rows.n;
    int64_t nv = P->validation_rows.ndim ? P->validation_rows.shape[0] : 0;
    int64_t p = S.p;
    if (n < 1) {
        status = pmc_fail(PMC_ERR_VALUE, "HistGradientBoosting needs at least one training row");
        goto error;
    }
    if (n > INT32_MAX) {
        status = pmc_fail(PMC_ERR_VALUE, "at most %d training rows are supported", INT32_MAX);
        goto error;
    }
    S.n = n;
    S.nv = nv;
    PMC_ALLOC(train, n, "training rows");
    for (int64_t i = 0; i < n; i++)
        train[i] = P->train_rows.ndim ? pmc_get_index(&P->train_rows, i)
                                      : pmc_row_at(&data->rows, i);
    if (nv) {
        PMC_ALLOC(val, nv, "validation rows");
        for (int64_t i = 0; i < nv; i++) val[i] = pmc_get_index(&P->validation_rows, i);
    }
    pmc_rows train_rows = {train, 0, n}, val_rows = {val, 0, nv};

    /* targets and weights of the rows used */
    PMC_ALLOC(S.y, n, "y");
    for (int64_t i = 0; i < n; i++) {
        S.y[i] = pmc_get(&data->y, train[i], 0);
        if (!isfinite(S.y[i])) {
            status = pmc_fail(PMC_ERR_VALUE, "y contains NaN or infinity");
            goto error;
        }
        if (S.loss == PMC_HGB_LOG_LOSS && (S.y[i] < 0 || S.y[i] >= P->n_classes ||
                                           S.y[i] != floor(S.y[i]))) {
            status = pmc_fail(PMC_ERR_VALUE, "y must hold class indices in [0, %lld) for log_loss",
                              (long long)P->n_classes);
            goto error;
        }
    }
    if (data->weight.ndim) {
        PMC_ALLOC(S.w, n, "sample_weight");
        for (int64_t i = 0; i < n; i++) S.w[i] = pmc_get(&data->weight, train[i], 0);
    }
    if (nv) {
        PMC_ALLOC(S.yv, nv, "y");
        for (int64_t i = 0; i < nv; i++) S.yv[i] = pmc_get(&data->y, val[i], 0);
        if (data->weight.ndim) {
            PMC_ALLOC(S.wv, nv, "sample_weight");
            for (int64_t i = 0; i < nv; i++) S.wv[i] = pmc_get(&data->weight, val[i], 0);
        }
    }
    S.const_hess = !S.w && (S.loss == PMC_HGB_SQUARED_ERROR || S.loss == PMC_HGB_ABSOLUTE_ERROR ||
                            S.loss == PMC_HGB_QUANTILE);

    /* bins: quantiles for numeric features, one bin per code for categorical ones */
    PMC_ALLOC(S.thr, p * (S.max_bins - 1), "bin thresholds");
    PMC_ALLOC(S.nt, p, "bin thresholds");
    PMC_ALLOC(S.n_cat, p, "categories");
    PMC_ALLOC(S.mono, p, "monotonic_cst");
    PMC_ALLOC(S.has_missing, p, "missing values");
    PMC_TRY(pmc_bin_thresholds(X, train_rows, S.max_bins, 200000, ctx->seed, ctx->n_threads, S.thr,
                               S.nt));
    for (int64_t j = 0; j < p; j++) {
        S.n_cat[j] = P->n_categories.ndim ? pmc_get_index(&P->n_categories, j) : 0;
        S.mono[j] = P->monotonic_cst.ndim ? (int8_t)pmc_get_index(&P->monotonic_cst, j) : 0;
        if (S.n_cat[j] > 0) {
            S.nt[j] = (int32_t)(S.n_cat[j] - 1);
            for (int32_t b = 0; b < S.nt[j]; b++)
                S.thr[j * (S.max_bins - 1) + b] = (double)b + 0.5;
        }
    }
    /* training bins, block-row-major (see hist_block): one block per thread, at
     * most 64 features each.  Mapped a slice of rows at a time so that only one
     * full copy of the bins exists. */
    S.n_blocks = PMC_MAX(PMC_MIN(p, (int64_t)ctx->n_threads), (p + 63) / 64);
    PMC_ALLOC(S.block_start, S.n_blocks + 1, "histogram blocks");
    for (int64_t b = 0; b <= S.n_blocks; b++) S.block_start[b] = b * p / S.n_blocks;
    PMC_ALLOC(S.fbase, p, "histogram blocks");
    PMC_ALLOC(S.fstride, p, "histogram blocks");
    for (int64_t b = 0; b < S.n_blocks; b++)
        for (int64_t j = S.block_start[b]; j < S.block_start[b + 1]; j++) {
            S.fstride[j] = S.block_start[b + 1] - S.block_start[b];
            S.fbase[j] = S.block_start[b] * n + (j - S.block_start[b]);
        }
    /* compact bins: the missing bin of feature j becomes nt[j] + 1, so that a
     * histogram holds only the bins a feature uses */
    PMC_ALLOC(S.off, p + 1, "histogram layout");
    for (int64_t j = 0; j < p; j++) S.off[j + 1] = S.off[j] + S.nt[j] + 2;
    PMC_ALLOC(S.rowbin, n * p, "binned X");
    {
        int64_t slice = PMC_MIN(n, HGB_BIN_SLICE);
        PMC_ALLOC(bin_slice, slice * p, "binned X");
        for (int64_t r0 = 0; r0 < n; r0 += slice) {
            int64_t len = PMC_MIN(slice, n - r0);
            pmc_rows part = {train + r0, 0, len};
            PMC_TRY(pmc_bin_map(X, part, S.thr, S.nt, S.max_bins, ctx->n_threads, bin_slice));
            for (int64_t j = 0; j < p; j++) {
                uint8_t miss = (uint8_t)(S.nt[j] + 1);
                const uint8_t *src = bin_slice + j * len;
                uint8_t *dst = S.rowbin + S.fbase[j];
                int64_t st = S.fstride[j];
                for (int64_t i = 0; i < len; i++) {
                    uint8_t b = src[i];
                    if (b == S.max_bins) {
                        b = miss;
                        S.has_missing[j] = 1;
                    }
                    dst[(r0 + i) * st] = b;
                }
            }
        }
        free(bin_slice);
        bin_slice = NULL;
    }
    if (nv) {
        PMC_ALLOC(S.binned_val, nv * p, "binned validation X");
        PMC_TRY(pmc_bin_map(X, val_rows, S.thr, S.nt, S.max_bins, ctx->n_threads, S.binned_val));
        for (int64_t j = 0; j < p; j++)
            for (int64_t i = 0; i < nv; i++)
                if (S.binned_val[j * nv + i] == S.max_bins)
                    S.binned_val[j * nv + i] = (uint8_t)(S.nt[j] + 1);
    }

    /* the model: a fresh one from the baseline, or a copy of `init` */
    int K = S.K;
    PMC_TRY(hgb_model_new(p, K, S.loss, S.max_bins, &S.m));
    pmc_model *m = S.m;
    PMC_ALLOC(S.raw, K * n, "raw predictions");
    if (nv) PMC_ALLOC(S.raw_val, K * nv, "raw predictions");
    if (init) {
        memcpy(m->baseline, init->baseline, (size_t)K * sizeof(double));
        PMC_TRY(hgb_reserve_trees(m, init->n_trees));
        PMC_TRY(hgb_reserve_nodes(m, init->n_nodes));
        memcpy(m->tree_offsets, init->tree_offsets, (size_t)(init->n_trees + 1) * sizeof(int64_t));
        m->n_trees = init->n_trees;
        m->n_nodes = init->n_nodes;
        m->n_iter = init->n_iter;
#define COPY(f) memcpy(m->f, init->f, (size_t)init->n_nodes * sizeof(*m->f))
        COPY(feature); COPY(left); COPY(right); COPY(flags); COPY(bin); COPY(cat);
        COPY(threshold); COPY(value);
#undef COPY
        for (int64_t c = 0; c < init->n_cat; c++) {
            int32_t row;
            PMC_TRY(hgb_new_bitset(m, &row));
            memcpy(m->bitsets + (int64_t)row * HGB_WORDS, init->bitsets + c * HGB_WORDS,
                   HGB_WORDS * sizeof(int32_t));
        }
        for (int64_t i = 0; i < init->n_train; i++)
            PMC_TRY(hgb_push_score(m, init->train_score[i],
                                   i < init->n_val ? init->val_score[i] : NAN));
        if (P->init_raw.ndim) { /* the caller's raw predictions of these rows */
            const pmc_view *r = &P->init_raw;
            if (r->ndim != 2 || r->dtype != PMC_FLOAT64 || r->shape[0] != K ||
                r->shape[1] != n + nv) {
                status = pmc_fail(PMC_ERR_VALUE, "init_raw must be float64 of shape (%d, %lld)",
                                  K, (long long)(n + nv));
                goto error;
            }
            for (int k = 0; k < K; k++) {
                for (int64_t i = 0; i < n; i++) S.raw[k * n + i] = pmc_get(r, k, i);
                for (int64_t i = 0; i < nv; i++) S.raw_val[k * nv + i] = pmc_get(r, k, n + i);
            }
        } else { /* raw predictions of the trees so far, class-major */
            PMC_ALLOC(tmp_raw, K * PMC_MAX(n, nv), "raw predictions");
            PMC_TRY(hgb_raw_predict(m, X, train_rows, 0, m->n_trees, 1, ctx, tmp_raw));
            for (int64_t i = 0; i < n; i++)
                for (int k = 0; k < K; k++) S.raw[k * n + i] = tmp_raw[i * K + k];
            if (nv) {
                PMC_TRY(hgb_raw_predict(m, X, val_rows, 0, m->n_trees, 1, ctx, tmp_raw));
                for (int64_t i = 0; i < nv; i++)
                    for (int k = 0; k < K; k++) S.raw_val[k * nv + i] = tmp_raw[i * K + k];
            }
        }
    } else {
        PMC_TRY(baseline(&S, m->baseline));
        for (int k = 0; k < K; k++) {
            for (int64_t i = 0; i < n; i++) S.raw[k * n + i] = m->baseline[k];
            for (int64_t i = 0; i < nv; i++) S.raw_val[k * nv + i] = m->baseline[k];
        }
        if (P->early_stopping)
            PMC_TRY(hgb_push_score(m, mean_score(&S, S.y, S.w, S.raw, n),
                                   nv ? mean_score(&S, S.yv, S.wv, S.raw_val, nv) : NAN));
    }
    int64_t n_staged = P->staged_rows.ndim ? P->staged_rows.shape[0] : 0;
    if (P->staged_rows.ndim) {
        PMC_TRY(check_rows_view(&P->staged_rows, "staged_rows", n));
        m->staged_width = (n_staged + nv) * K;
        m->raw_cols = n + nv;
        PMC_ALLOC(m->raw, K * (n + nv), "raw predictions");
        PMC_ALLOC(m->staged_raw, PMC_MAX(1, (P->max_iter - m->n_iter) * m->staged_width),
                  "staged raw predictions");
    }

    /* the grower's buffers, reused by every tree */
    PMC_ALLOC(S.gh, K * n, "gradients");
    PMC_ALLOC(T.idx, n, "tree rows");
    PMC_ALLOC(T.tmp, n, "tree rows");
    PMC_ALLOC(T.tmp_gh, n, "tree gradients");
    PMC_ALLOC(T.features, p, "features");
    PMC_ALLOC(T.pick, 2 * p, "features");
    PMC_ALLOC(T.allowed, 2 * p, "features");
    if (P->interaction_cst.ndim) {
        S.n_groups = P->interaction_cst.shape[0];
        S.n_words = (S.n_groups + 63) / 64;
        PMC_ALLOC(S.groups, S.n_groups * p, "interaction_cst");
        for (int64_t g = 0; g < S.n_groups; g++)
            for (int64_t j = 0; j < p; j++)
                S.groups[g * p + j] = pmc_get(&P->interaction_cst, g, j) != 0.0;
    }
    PMC_ALLOC(T.cat_scratch, 257 * (int64_t)ctx->n_threads, "categories");
    PMC_ALLOC(T.use, p, "features");
    PMC_ALLOC(T.split_of, 2 * p, "split search");
    PMC_ALLOC(T.tmp_count, n / HGB_PARTITION_CHUNK + 1, "partition");
    PMC_ALLOC(rows_pick, n, "row sample");
    int64_t max_live = (P->max_leaf_nodes > 0 ? P->max_leaf_nodes : n) + 2;
    T.cap_pool = max_live;
    PMC_ALLOC(T.pool, max_live * 2 + 4, "histograms");
    T.S = &S;

    grad_job gj = {&S};
    int64_t n_blocks = (n + HGB_ROW_BLOCK - 1) / HGB_ROW_BLOCK;
    for (int64_t it = m->n_iter; it < P->max_iter; it++) {
        PMC_TRY(pmc_check_interrupt(ctx));
        PMC_TRY(pmc_parallel_for(n_blocks, ctx->n_threads, ctx, grad_block, &gj));
        /* rows of this iteration (subsample) */
        pmc_rng rng;
        pmc_rng_seed(&rng, ctx->seed, 1 + (uint64_t)it);
        int64_t n_rows = n;
        if (P->subsample < 1.0) {
            int64_t want = PMC_MAX(1, (int64_t)llround(P->subsample * (double)n));
            n_rows = choose_sorted(&rng, n, want, rows_pick);
        }
        for (int k = 0; k < K; k++) {
            int64_t tree = m->n_trees;
            /* features of this tree (colsample_bytree) */
            pmc_rng frng;
            pmc_rng_seed(&frng, ctx->seed, ((uint64_t)1 << 40) + (uint64_t)tree);
            if (P->colsample_bytree < 1.0) {
                int64_t want = PMC_MAX(1, (int64_t)llround(P->colsample_bytree * (double)p));
                T.n_features = choose_sorted(&frng, p, want, T.features);
            } else {
                for (int64_t j = 0; j < p; j++) T.features[j] = (int32_t)j;
                T.n_features = p;
            }
            pmc_rng_seed(&T.rng, ctx->seed, ((uint64_t)2 << 40) + (uint64_t)tree);
            T.k = k;
            T.gh = S.gh + (int64_t)k * n;
            T.n_idx = n_rows;
            T.contiguous = n_rows == n;
            for (int64_t q = 0; q < n_rows; q++) {
                int32_t i = n_rows == n ? (int32_t)q : rows_pick[q];
                T.idx[q] = i;
                T.gh[q] = T.gh[i]; /* in place: rows_pick is ascending, i >= q */
            }
            memset(T.use, 0, (size_t)p);
            for (int64_t a = 0; a < T.n_features; a++) T.use[T.features[a]] = 1;
            T.n_nodes = 0;
            T.tree_base = m->n_nodes;
            PMC_TRY(hgb_reserve_trees(m, 1));
            double *raw_k = S.raw + (int64_t)k * n;
            hgb_state *Sk = &S;
            double *saved_raw = Sk->raw;
            Sk->raw = raw_k; /* leaf values of the pinball losses read this class's raw */
            status = grow_tree(&T);
            if (status == PMC_OK) status = set_leaf_values(&T);
            Sk->raw = saved_raw;
            if (status != PMC_OK) goto error;
            m->tree_offsets[tree + 1] = m->n_nodes;
            m->n_trees++;
            if (T.contiguous) {
                for (int64_t a = 0; a < T.n_nodes; a++) {
                    const gnode *nd = &T.nodes[a];
                    int64_t o = T.tree_base + nd->out;
                    if (m->left[o] >= 0) continue;
                    double v = m->value[o];
                    for (int64_t q = nd->begin; q < nd->end; q++) raw_k[T.idx[q]] += v;
                }
            } else {
                add_tree_binned(&S, T.tree_base, S.rowbin, S.fbase, S.fstride, n, raw_k);
            }
            if (nv)
                add_tree_binned(&S, T.tree_base, S.binned_val, NULL, NULL, nv,
                                S.raw_val + (int64_t)k * nv);
        }
        m->n_iter++;
        if (m->raw) { /* this iteration's raw predictions of the staged and validation rows */
            double *row = m->staged_raw + m->n_staged_iter++ * m->staged_width;
            for (int64_t s = 0; s < n_staged; s++)
                for (int k = 0; k < K; k++)
                    *row++ = S.raw[k * n + pmc_get_index(&P->staged_rows, s)];
            for (int64_t i = 0; i < nv; i++)
                for (int k = 0; k < K; k++) *row++ = S.raw_val[k * nv + i];
        }
        if (P->early_stopping) {
            PMC_TRY(hgb_push_score(m, mean_score(&S, S.y, S.w, S.raw, n),
                                   nv ? mean_score(&S, S.yv, S.wv, S.raw_val, nv) : NAN));
            const double *scores = nv ? m->val_score : m->train_score;
            int64_t n_scores = nv ? m->n_val : m->n_train;
            if (should_stop(scores, n_scores, P->n_iter_no_change, P->tol)) break;
        }
    }
    if (m->raw)
        for (int k = 0; k < K; k++) {
            memcpy(m->raw + k * (n + nv), S.raw + k * n, (size_t)n * sizeof(double));
            if (nv)
                memcpy(m->raw + k * (n + nv) + n, S.raw_val + k * nv, (size_t)nv * sizeof(double));
        }
    *out = S.m;
    S.m = NULL;
error:
    hgb_model_free(&S.m);
    free_state(&S);
    free_grower(&T);
    free(train);
    free(val);
    free(tmp_raw);
    free(rows_pick);
    free(bin_slice);
    return status;
}
