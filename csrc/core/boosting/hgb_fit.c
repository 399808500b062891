/* Histogram gradient boosting: the fit (see pmc/boosting.h).
 *
 * The training rows are binned once (uint8, feature-major).  Each iteration
 * computes gradients and hessians of the loss at the current raw predictions,
 * then grows one tree per class leaf-wise: the splittable leaf with the largest
 * gain is split next until max_leaf_nodes.  A node's histogram (per feature
 * and bin: sum of gradients, of hessians, count) is built over its rows for
 * the smaller child only; the larger child's is the parent's minus it.
 * Histograms are built in parallel over features, each feature's by one thread
 * in row order, so the fit does not depend on the number of threads. */
#include "binning.h"
#include "hgb_internal.h"

#define HGB_MIN_CAT_SUPPORT 10.0 /* scikit-learn's (LightGBM's cat_smooth) */

typedef struct {
    double g, h;
    int64_t n;
} hgb_bin;

/* ---- the fit's shared state ------------------------------------------------ */

typedef struct {
    const pmc_hgb_params *P;
    pmc_ctx *ctx;
    int loss, K, const_hess, max_bins;
    int64_t n, p, nv;       /* training rows, features, validation rows */
    int64_t *off;           /* p + 1: feature j's bins start at off[j] in a histogram; its
                               last bin, nt[j] + 1, holds the missing values */
    uint8_t *binned, *binned_val;
    double *thr;            /* p x (max_bins - 1) */
    int32_t *nt;            /* thresholds per feature */
    int64_t *n_cat;         /* categories per feature (0: numeric) */
    int8_t *mono;
    uint8_t *groups;        /* n_groups x p interaction groups, NULL without */
    int64_t n_groups, n_words;
    uint8_t *has_missing;
    double *y, *w, *yv, *wv; /* w, wv NULL without weights */
    double *raw, *raw_val;   /* K x n and K x nv (class-major) */
    float *g, *h;            /* K x n */
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
                    S->g[k * n + i] = (float)(w * (pk - (y == k)));
                    S->h[k * n + i] = (float)(w * pk * (1.0 - pk));
                }
                continue;
            }
        }
        S->g[i] = (float)(w * g);
        S->h[i] = (float)(w * h);
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
    hgb_state *S;
    int k;               /* class of this tree */
    const float *g, *h;  /* this class's gradients (n) */
    int32_t *idx, *tmp;  /* rows of the tree, partitioned by node */
    int64_t n_idx;
    int contiguous;      /* idx is 0..n-1 (no row subsampling) */
    float *go, *ho;      /* gradients in idx order */
    gnode *nodes;
    int64_t n_nodes, cap_nodes;
    int32_t *heap;
    int64_t n_heap;
    hgb_bin **pool;
    int64_t n_pool, cap_pool;
    int32_t *features;   /* the tree's features (colsample_bytree), ascending */
    int64_t n_features;
    int32_t *pick;       /* scratch for max_features */
    int32_t *allowed;    /* scratch for interaction constraints */
    pmc_rng rng;         /* max_features draws */
    uint64_t *node_groups; /* cap_nodes x n_words: interaction groups still open */
    int64_t tree_base;   /* first node of this tree in the model */
    wv_pair *cat_scratch;
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

typedef struct {
    grower *T;
    const gnode *node;
    hgb_bin *hist;
} hist_job;

static pmc_status hist_feature(int64_t task, int thread, void *arg) {
    (void)thread;
    hist_job *job = arg;
    grower *T = job->T;
    const hgb_state *S = T->S;
    int64_t j = T->features[task];
    hgb_bin *hj = job->hist + S->off[j];
    memset(hj, 0, (size_t)(S->off[j + 1] - S->off[j]) * sizeof(hgb_bin));
    const uint8_t *col = S->binned + j * S->n;
    int64_t b0 = job->node->begin, cnt = job->node->end - b0;
    const float *go = T->go + b0, *ho = T->ho + b0;
    if (T->contiguous && cnt == S->n) { /* the root without subsampling: rows in order */
        if (S->const_hess)
            for (int64_t k = 0; k < cnt; k++) {
                hj[col[k]].g += go[k];
                hj[col[k]].n++;
            }
        else
            for (int64_t k = 0; k < cnt; k++) {
                hgb_bin *b = hj + col[k];
                b->g += go[k];
                b->h += ho[k];
                b->n++;
            }
        return PMC_OK;
    }
    const int32_t *idx = T->idx + b0;
    if (S->const_hess)
        for (int64_t k = 0; k < cnt; k++) {
            hgb_bin *b = hj + col[idx[k]];
            b->g += go[k];
            b->n++;
        }
    else
        for (int64_t k = 0; k < cnt; k++) {
            hgb_bin *b = hj + col[idx[k]];
            b->g += go[k];
            b->h += ho[k];
            b->n++;
        }
    return PMC_OK;
}

static pmc_status build_hist(grower *T, gnode *node) {
    pmc_status status = hist_get(T, &node->hist);
    if (status != PMC_OK) return status;
    int64_t b0 = node->begin, cnt = node->end - b0;
    if (!(T->contiguous && cnt == T->S->n)) {
        for (int64_t k = 0; k < cnt; k++) {
            int32_t i = T->idx[b0 + k];
            T->go[b0 + k] = T->g[i];
            if (!T->S->const_hess) T->ho[b0 + k] = T->h[i];
        }
    }
    hist_job job = {T, node, node->hist};
    /* small nodes: a parallel region (and threads spinning at its barrier on
     * a busy machine) would cost more than it saves */
    int threads = cnt * T->n_features < (1 << 18) ? 1 : T->S->ctx->n_threads;
    return pmc_parallel_for(T->n_features, threads, T->S->ctx, hist_feature, &job);
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

typedef struct {
    double gain, GL, HL, vL, vR;
    int64_t nL;
    int32_t feature, bin;
    int missing_left, is_cat;
    uint32_t bits[HGB_WORDS];
} split_best;

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
static void categorical_split(const grower *T, const gnode *nd, int32_t j, split_best *best) {
    const hgb_state *S = T->S;
    const hgb_bin *hj = nd->hist + S->off[j];
    int ch = S->const_hess;
    int64_t msl = S->P->min_samples_leaf;
    double mcw = S->P->min_child_weight, min_gain = 2.0 * S->P->min_split_gain;
    double support_factor = (double)nd->n / nd->H;
    wv_pair *cats = T->cat_scratch; /* v: sort key, w: bin */
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

/* The best split of a node over its allowed features (a random max_features
 * share of them, drawn at every node). */
static void find_split(grower *T, gnode *nd) {
    const hgb_state *S = T->S;
    split_best best;
    memset(&best, 0, sizeof best);
    best.gain = -1.0;
    const int32_t *feats = T->features;
    int64_t nf = T->n_features;
    if (S->groups) { /* only the features of the groups still open on this branch */
        const uint64_t *open = T->node_groups + (nd - T->nodes) * S->n_words;
        int64_t kept = 0;
        for (int64_t a = 0; a < nf; a++) {
            int32_t j = feats[a];
            int ok = 0;
            for (int64_t g = 0; g < S->n_groups && !ok; g++)
                ok = ((open[g >> 6] >> (g & 63)) & 1u) && S->groups[g * S->p + j];
            if (ok) T->allowed[kept++] = j;
        }
        feats = T->allowed;
        nf = kept;
        if (nf == 0) {
            nd->has_split = 0;
            return;
        }
    }
    if (S->P->max_features < 1.0) {
        int64_t m = (int64_t)ceil(S->P->max_features * (double)nf);
        m = PMC_MAX(1, PMC_MIN(m, nf));
        /* selection sampling keeps them ascending */
        int64_t chosen = 0;
        for (int64_t i = 0; i < nf && chosen < m; i++)
            if ((double)pmc_rng_below(&T->rng, (uint64_t)(nf - i)) < (double)(m - chosen))
                T->pick[chosen++] = feats[i];
        feats = T->pick;
        nf = m;
    }
    for (int64_t a = 0; a < nf; a++) {
        int32_t j = feats[a];
        if (S->n_cat[j] > 0) categorical_split(T, nd, j, &best);
        else numeric_split(T, nd, j, &best);
    }
    nd->has_split = best.gain > -1.0 && best.gain > 2.0 * S->P->min_split_gain;
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

/* Stable partition of the node's rows: left ones in place, right ones through tmp. */
static void partition(grower *T, const gnode *nd) {
    const uint8_t *col = T->S->binned + (int64_t)nd->feature * T->S->n;
    int64_t wl = nd->begin, nr = 0;
    for (int64_t k = nd->begin; k < nd->end; k++) {
        int32_t i = T->idx[k];
        if (goes_left(T->S, nd, col[i])) T->idx[wl++] = i;
        else T->tmp[nr++] = i;
    }
    memcpy(T->idx + wl, T->tmp, (size_t)nr * sizeof(int32_t));
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
        int32_t i = T->idx[k];
        G += T->g[i];
        H += S->const_hess ? 1.0 : T->h[i];
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
        PMC_TRY(build_hist(T, &T->nodes[root]));
        find_split(T, &T->nodes[root]);
        if (T->nodes[root].has_split) heap_push(T, root);
    }
    while (T->n_heap > 0 && (P->max_leaf_nodes == 0 || n_leaves < P->max_leaf_nodes)) {
        int32_t id = heap_pop(T);
        gnode *nd = &T->nodes[id];
        partition(T, nd);
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
            PMC_TRY(build_hist(T, small));
            if (small == L ? sr : sl) {
                large->hist = nd->hist;
                nd->hist = NULL;
                int64_t total = S->off[S->p];
                for (int64_t b = 0; b < total; b++) {
                    large->hist[b].g -= small->hist[b].g;
                    large->hist[b].h -= small->hist[b].h;
                    large->hist[b].n -= small->hist[b].n;
                }
            }
            if (sl) find_split(T, L);
            if (sr) find_split(T, R);
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
static void add_tree_binned(const hgb_state *S, int64_t base, const uint8_t *binned, int64_t n,
                            double *raw) {
    const pmc_model *m = S->m;
    for (int64_t i = 0; i < n; i++) {
        int32_t node = 0;
        while (m->left[base + node] >= 0) {
            int64_t o = base + node;
            int bin = binned[(int64_t)m->feature[o] * n + i];
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
    free(S->binned);
    free(S->binned_val);
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
    free(S->g);
    free(S->h);
}

static void free_grower(grower *T) {
    for (int64_t i = 0; i < T->n_pool; i++) free(T->pool[i]);
    free(T->pool);
    free(T->idx);
    free(T->tmp);
    free(T->go);
    free(T->ho);
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
    PMC_ALLOC(S.binned, n * p, "binned X");
    PMC_TRY(pmc_bin_map(X, train_rows, S.thr, S.nt, S.max_bins, ctx->n_threads, S.binned));
    /* compact bins: the missing bin of feature j becomes nt[j] + 1, so that a
     * histogram holds only the bins a feature uses */
    PMC_ALLOC(S.off, p + 1, "histogram layout");
    for (int64_t j = 0; j < p; j++) {
        S.off[j + 1] = S.off[j] + S.nt[j] + 2;
        uint8_t miss = (uint8_t)(S.nt[j] + 1);
        for (int64_t i = 0; i < n; i++) {
            uint8_t *b = S.binned + j * n + i;
            if (*b == S.max_bins) {
                *b = miss;
                S.has_missing[j] = 1;
            }
        }
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
    PMC_ALLOC(S.g, K * n, "gradients");
    PMC_ALLOC(S.h, K * n, "hessians");
    PMC_ALLOC(T.idx, n, "tree rows");
    PMC_ALLOC(T.tmp, n, "tree rows");
    PMC_ALLOC(T.go, n, "ordered gradients");
    PMC_ALLOC(T.ho, n, "ordered gradients");
    PMC_ALLOC(T.features, p, "features");
    PMC_ALLOC(T.pick, p, "features");
    PMC_ALLOC(T.allowed, p, "features");
    if (P->interaction_cst.ndim) {
        S.n_groups = P->interaction_cst.shape[0];
        S.n_words = (S.n_groups + 63) / 64;
        PMC_ALLOC(S.groups, S.n_groups * p, "interaction_cst");
        for (int64_t g = 0; g < S.n_groups; g++)
            for (int64_t j = 0; j < p; j++)
                S.groups[g * p + j] = pmc_get(&P->interaction_cst, g, j) != 0.0;
    }
    PMC_ALLOC(T.cat_scratch, 257, "categories");
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
            T.g = S.g + (int64_t)k * n;
            T.h = S.h + (int64_t)k * n;
            T.n_idx = n_rows;
            T.contiguous = n_rows == n;
            for (int64_t i = 0; i < n_rows; i++) T.idx[i] = n_rows == n ? (int32_t)i : rows_pick[i];
            if (T.contiguous) { /* the root reads gradients in place */
                memcpy(T.go, T.g, (size_t)n * sizeof(float));
                if (!S.const_hess) memcpy(T.ho, T.h, (size_t)n * sizeof(float));
            }
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
                add_tree_binned(&S, T.tree_base, S.binned, n, raw_k);
            }
            if (nv) add_tree_binned(&S, T.tree_base, S.binned_val, nv, S.raw_val + (int64_t)k * nv);
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
    return status;
}
