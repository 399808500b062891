/* Tree-structured Parzen estimators: the suggestion step of Hyperopt's
 * tpe.suggest (Bergstra et al. 2011), with a joint kernel over a group of
 * dimensions as Optuna's multivariate TPE.  See pmc/tune.h. */
#include <float.h>

#include "internal.h"
#include "pmc/tune.h"

#define TPE_EPS 1e-12              /* Hyperopt's floor before taking a log */
#define TPE_LOG_SQRT_2PI 0.91893853320467274178
#define TPE_MAX_REJECTIONS 64

pmc_tpe_options pmc_tpe_default_options(void) {
    pmc_tpe_options o = {20, 0.75, 24, 1.0, 25};
    return o;
}

/* ---- validation ------------------------------------------------------------ */

pmc_status pmc_tpe_check_space(const pmc_tpe_dim *dims, int64_t n_dims) {
    if (n_dims < 1 || !dims) return pmc_fail(PMC_ERR_VALUE, "space must have at least one dimension");
    for (int64_t d = 0; d < n_dims; d++) {
        const pmc_tpe_dim *t = &dims[d];
        if (t->group < 0 || t->group >= n_dims)
            return pmc_fail(PMC_ERR_VALUE, "dimension %lld: group %lld is not in [0, %lld)",
                            (long long)d, (long long)t->group, (long long)n_dims);
        if (t->kind == PMC_TPE_NUMERIC) {
            if (!(t->low < t->high) || isnan(t->low) || isnan(t->high))
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: low (%g) must be < high (%g)",
                                (long long)d, t->low, t->high);
            if (t->prior_uniform && !(isfinite(t->low) && isfinite(t->high)))
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: a uniform prior needs finite bounds",
                                (long long)d);
            if (!isfinite(t->prior_mu) || !(t->prior_sigma > 0) || !isfinite(t->prior_sigma))
                return pmc_fail(PMC_ERR_VALUE,
                                "dimension %lld: prior sigma must be finite and > 0 (got %g)",
                                (long long)d, t->prior_sigma);
            if (!(t->q >= 0) || !isfinite(t->q))
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: q must be finite and >= 0 (got %g)",
                                (long long)d, t->q);
            if (t->log != 0 && t->log != 1)
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: log must be 0 or 1", (long long)d);
        } else if (t->kind == PMC_TPE_CATEGORICAL) {
            if (t->n_choices < 1)
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: a categorical needs >= 1 choice",
                                (long long)d);
            if (!isfinite(t->offset))
                return pmc_fail(PMC_ERR_VALUE, "dimension %lld: offset must be finite", (long long)d);
            if (t->p) {
                double sum = 0;
                for (int64_t c = 0; c < t->n_choices; c++) {
                    if (!(t->p[c] >= 0) || !isfinite(t->p[c]))
                        return pmc_fail(PMC_ERR_VALUE,
                                        "dimension %lld: probabilities must be finite and >= 0",
                                        (long long)d);
                    sum += t->p[c];
                }
                if (fabs(sum - 1.0) > 1e-6)
                    return pmc_fail(PMC_ERR_VALUE,
                                    "dimension %lld: probabilities sum to %g, not 1", (long long)d, sum);
            }
        } else {
            return pmc_fail(PMC_ERR_VALUE, "dimension %lld: unknown kind %d", (long long)d, t->kind);
        }
    }
    return PMC_OK;
}

static pmc_status check_options(const pmc_tpe_options *o) {
    if (o->n_startup_jobs < 0)
        return pmc_fail(PMC_ERR_VALUE, "n_startup_jobs must be >= 0 (got %lld)",
                        (long long)o->n_startup_jobs);
    if (!(o->gamma > 0 && o->gamma <= 1))
        return pmc_fail(PMC_ERR_VALUE, "gamma must be in (0, 1] (got %g)", o->gamma);
    if (o->n_ei_candidates < 1)
        return pmc_fail(PMC_ERR_VALUE, "n_ei_candidates must be >= 1 (got %lld)",
                        (long long)o->n_ei_candidates);
    if (!(o->prior_weight > 0) || !isfinite(o->prior_weight))
        return pmc_fail(PMC_ERR_VALUE, "prior_weight must be finite and > 0 (got %g)",
                        o->prior_weight);
    if (o->linear_forgetting < 1)
        return pmc_fail(PMC_ERR_VALUE, "linear_forgetting must be >= 1 (got %lld)",
                        (long long)o->linear_forgetting);
    return PMC_OK;
}

/* ---- small numeric helpers --------------------------------------------------- */

/* P(a <= Z <= b) for Z ~ N(mu, sigma), accurate in both tails. */
static double normal_mass(double a, double b, double mu, double sigma) {
    double za = (a - mu) / (sigma * M_SQRT2), zb = (b - mu) / (sigma * M_SQRT2);
    if (za < -27 && zb > 27) return 1.0; /* both tails below 1e-300: skip erfc */
    if (za > 0) return 0.5 * (erfc(za) - erfc(zb));
    return 0.5 * (erfc(-zb) - erfc(-za));
}

/* Hyperopt's linear forgetting: the oldest of N > LF observations get weights
 * rising linearly from 1/N to 1; the newest LF get 1. */
static double forgetting_weight(int64_t i, int64_t n, int64_t lf) {
    if (n <= lf) return 1.0;
    int64_t ramp = n - lf;
    if (i >= ramp) return 1.0;
    if (ramp == 1) return 1.0 / (double)n;
    if (i == ramp - 1) return 1.0; /* exactly, as np.linspace's end: weights never fall */
    return 1.0 / (double)n + (double)i * (1.0 - 1.0 / (double)n) / (double)(ramp - 1);
}

/* value -> model space (log dims use Hyperopt's floor before the log). */
static double to_model(const pmc_tpe_dim *t, double v) {
    if (!t->log) return v;
    double floor_v = TPE_EPS;
    if (t->q > 0 && isfinite(t->low)) floor_v = PMC_MAX(TPE_EPS, exp(t->low));
    return log(PMC_MAX(v, floor_v));
}

static double quantize(const pmc_tpe_dim *t, double y) {
    double v = t->log ? exp(y) : y;
    return t->q > 0 ? nearbyint(v / t->q) * t->q : v;
}

/* A draw from N(mu, sigma) truncated to [low, high] (rejection; a component is
 * centred inside the bounds with sigma <= the prior's, so a few tries suffice). */
static double sample_truncated(pmc_rng *rng, double mu, double sigma, double low, double high) {
    for (int i = 0; i < TPE_MAX_REJECTIONS; i++) {
        double y = mu + sigma * pmc_rng_normal(rng);
        if (y >= low && y < high) return y;
    }
    return PMC_MIN(PMC_MAX(mu, low), high);
}

static int64_t sample_index(pmc_rng *rng, const double *p, int64_t n) {
    double u = pmc_rng_uniform(rng), acc = 0;
    for (int64_t c = 0; c < n; c++) {
        acc += p ? p[c] : 1.0 / (double)n;
        if (u < acc) return c;
    }
    for (int64_t c = n - 1; c > 0; c--) /* rounding: the last choice with mass */
        if (!p || p[c] > 0) return c;
    return 0;
}

/* ---- the adaptive Parzen estimator ----------------------------------------- */

typedef struct {
    double mu, w;
} parzen_point;

/* Sorts by mu (quicksort, median of three, insertion sort on short runs): qsort's
 * callback per comparison dominated the suggestion time. */
static void sort_points(parzen_point *p, int64_t n) {
    while (n > 16) {
        int64_t mid = n / 2;
        parzen_point t;
#define SWAP_POINTS(i, j) (t = p[i], p[i] = p[j], p[j] = t)
        if (p[mid].mu < p[0].mu) SWAP_POINTS(mid, 0);
        if (p[n - 1].mu < p[0].mu) SWAP_POINTS(n - 1, 0);
        if (p[n - 1].mu < p[mid].mu) SWAP_POINTS(n - 1, mid);
        double pivot = p[mid].mu;
        int64_t i = 0, j = n - 1;
        for (;;) {
            while (p[i].mu < pivot) i++;
            while (p[j].mu > pivot) j--;
            if (i >= j) break;
            SWAP_POINTS(i, j);
            i++;
            j--;
        }
#undef SWAP_POINTS
        /* recurse into the smaller side, loop on the larger: O(log n) stack */
        int64_t left = j + 1;
        if (left < n - left) {
            sort_points(p, left);
            p += left;
            n -= left;
        } else {
            sort_points(p + left, n - left);
            n = left;
        }
    }
    for (int64_t i = 1; i < n; i++) {
        parzen_point v = p[i];
        int64_t j = i;
        for (; j > 0 && p[j - 1].mu > v.mu; j--) p[j] = p[j - 1];
        p[j] = v;
    }
}

/* Puts each run of equal means (quantised values repeat) in trial order, so the
 * mixture does not depend on the sort.  The order matters: the ends of a run get
 * the gaps to its neighbours as bandwidths and the inner members the minimum,
 * so it decides which forgetting weight goes with which bandwidth (Hyperopt's
 * np.argsort leaves that to the sort implementation).  Within a run only the
 * weights differ and they never fall as the trial index rises, so ordering the
 * run by weight is trial order (equal weights are interchangeable). */
static void order_ties(parzen_point *p, int64_t n) {
    for (int64_t start = 0, end; start < n; start = end) {
        for (end = start + 1; end < n && p[end].mu == p[start].mu; end++) {}
        for (int64_t i = start + 1; i < end; i++) {
            parzen_point v = p[i];
            int64_t j = i;
            for (; j > start && p[j - 1].w > v.w; j--) p[j] = p[j - 1];
            p[j] = v;
        }
    }
}

pmc_status pmc_tpe_parzen(const double *mus, int64_t n, double prior_weight, double prior_mu,
                          double prior_sigma, int64_t linear_forgetting, double *weights,
                          double *means, double *sigmas) {
    if (n < 0) return pmc_fail(PMC_ERR_VALUE, "n must be >= 0 (got %lld)", (long long)n);
    if (!(prior_sigma > 0) || !isfinite(prior_sigma) || !isfinite(prior_mu))
        return pmc_fail(PMC_ERR_VALUE, "the prior needs a finite mu and a finite sigma > 0 "
                        "(got %g, %g)", prior_mu, prior_sigma);
    if (!(prior_weight > 0) || !isfinite(prior_weight))
        return pmc_fail(PMC_ERR_VALUE, "prior_weight must be finite and > 0 (got %g)", prior_weight);
    if (linear_forgetting < 1)
        return pmc_fail(PMC_ERR_VALUE, "linear_forgetting must be >= 1 (got %lld)",
                        (long long)linear_forgetting);
    pmc_status status = PMC_OK;
    parzen_point *pts = NULL;
    PMC_ALLOC(pts, n + 1, "Parzen components");
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(mus[i])) {
            status = pmc_fail(PMC_ERR_VALUE, "observation %lld is not finite", (long long)i);
            goto error;
        }
        pts[i].mu = mus[i];
        pts[i].w = forgetting_weight(i, n, linear_forgetting);
    }
    sort_points(pts, n);
    order_ties(pts, n);
    /* the prior goes before the observations equal to it (searchsorted, left) */
    int64_t pos = 0;
    while (pos < n && pts[pos].mu < prior_mu) pos++;
    int64_t k = n + 1;
    double total = 0;
    for (int64_t i = 0, j = 0; i < k; i++) {
        if (i == pos) {
            means[i] = prior_mu;
            weights[i] = prior_weight;
        } else {
            means[i] = pts[j].mu;
            weights[i] = pts[j].w;
            j++;
        }
        total += weights[i];
    }
    for (int64_t i = 0; i < k; i++) weights[i] /= total;
    if (n == 0) {
        sigmas[0] = prior_sigma;
    } else if (n == 1) {
        sigmas[0] = sigmas[1] = 0.5 * prior_sigma;
    } else if (n >= 2) {
        /* each component as wide as its larger gap to a neighbour */
        for (int64_t i = 1; i < k - 1; i++)
            sigmas[i] = PMC_MAX(means[i] - means[i - 1], means[i + 1] - means[i]);
        sigmas[0] = means[1] - means[0];
        sigmas[k - 1] = means[k - 1] - means[k - 2];
    }
    double max_sigma = prior_sigma, min_sigma = prior_sigma / PMC_MIN(100.0, 1.0 + (double)k);
    for (int64_t i = 0; i < k; i++) sigmas[i] = PMC_MIN(PMC_MAX(sigmas[i], min_sigma), max_sigma);
    sigmas[pos] = prior_sigma;
error:
    free(pts);
    return status;
}

/* log N(y; mu, sigma) truncated to [low, high]; with q > 0 the log mass of the
 * quantisation bucket of value v (y is then unused). */
static double kernel_logpdf(double y, double v, double mu, double sigma, double log_norm,
                            double log_accept, double low, double high, double q, int log_space) {
    if (q <= 0) {
        double z = (y - mu) / sigma;
        return -0.5 * z * z - log_norm;
    }
    double lo = v - 0.5 * q, hi = v + 0.5 * q;
    double a = log_space ? (lo > 0 ? log(lo) : -INFINITY) : lo;
    double b = log_space ? (hi > 0 ? log(hi) : -INFINITY) : hi;
    a = PMC_MAX(a, low);
    b = PMC_MIN(b, high);
    if (!(a < b)) return -INFINITY;
    /* a bucket more than 30 sigmas away weighs < e^-450 against the nearer
     * components: its log mass is approximated without erfc */
    int far = (a - mu) / sigma > 30 || (mu - b) / sigma > 30;
    double mass = far ? 0 : normal_mass(a, b, mu, sigma);
    if (mass > 1e-300) return log(mass) - log_accept;
    /* far in a tail: the density at the bucket's nearest end times its width */
    double edge = mu < a ? a : (mu > b ? b : mu);
    if (!isfinite(edge)) return -INFINITY;
    double z = (edge - mu) / sigma;
    double width = isfinite(b - a) ? b - a : sigma;
    return -0.5 * z * z - log(sigma) - TPE_LOG_SQRT_2PI + log(width) - log_accept;
}

static double logsumexp(const double *x, int64_t n) {
    double m = -INFINITY;
    for (int64_t i = 0; i < n; i++) m = PMC_MAX(m, x[i]);
    if (!isfinite(m)) return m;
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > m - 40) s += exp(x[i] - m); /* e^-40: below double precision of s */
    return m + log(s);
}

double pmc_tpe_mixture_logpdf(double x, int64_t n, const double *weights, const double *means,
                              const double *sigmas, double low, double high, double q,
                              int log_space) {
    double y = log_space ? (x > 0 ? log(x) : -INFINITY) : x;
    double m = -INFINITY, s = 0, p_accept = 0;
    int bounded = isfinite(low) || isfinite(high);
    for (int64_t pass = 0; pass < 2; pass++) {
        for (int64_t k = 0; k < n; k++) {
            double term = log(weights[k]) +
                          kernel_logpdf(y, x, means[k], sigmas[k], log(sigmas[k]) + TPE_LOG_SQRT_2PI,
                                        0.0, low, high, q, log_space);
            if (pass == 0) {
                m = PMC_MAX(m, term);
                p_accept += weights[k] * (bounded ? normal_mass(low, high, means[k], sigmas[k]) : 1);
            } else {
                s += exp(term - m);
            }
        }
        if (!isfinite(m)) return m;
    }
    return m + log(s) - log(PMC_MAX(p_accept, 1e-300));
}

/* ---- a mixture over the dimensions of one group ---------------------------- */

/* Component k of dimension j (j-th dimension of the group) is mu/sigma (numeric)
 * or a category (-1: the prior) at [j * n_comp + k]. */
typedef struct {
    int64_t n_comp, n_dims;
    const pmc_tpe_dim *const *dims; /* the group's dimensions */
    double *log_w;                  /* n_comp */
    double *cum_w;                  /* n_comp: cumulative weights, for sampling */
    double *mu, *sigma, *log_norm, *log_accept; /* n_dims * n_comp */
    int64_t *cat;                   /* n_dims * n_comp */
    double *smooth;                 /* n_dims: categorical kernel smoothing */
    /* A group of one numeric dimension is truncated as Hyperopt's GMM: a draw
     * outside the bounds is redrawn from a fresh component, so the density is
     * sum_k w_k N_k / sum_k w_k accept_k (log_p_accept); larger groups truncate
     * each kernel (log_accept), as Optuna's. */
    int redraw;
    double log_p_accept;
} mixture;

static void mixture_free(mixture *m) {
    free(m->log_w);
    free(m->cum_w);
    free(m->mu);
    free(m->sigma);
    free(m->log_norm);
    free(m->log_accept);
    free(m->cat);
    free(m->smooth);
    memset(m, 0, sizeof *m);
}

/* Builds the mixture of the observation rows `rows` (n, trial order) of X over
 * the group's dimensions (`cols`).  A group of one dimension is Hyperopt's
 * estimator; a larger group gets a joint kernel with Scott-like bandwidths and
 * smoothed categorical kernels, as Optuna's multivariate TPE. */
static pmc_status mixture_build(mixture *m, const pmc_tpe_dim *const *dims, const int64_t *cols,
                                int64_t n_dims, const pmc_view *X, const int64_t *rows, int64_t n,
                                const pmc_tpe_options *o, double *scratch) {
    pmc_status status = PMC_OK;
    memset(m, 0, sizeof *m);
    int64_t k = n + 1;
    if (n_dims == 1 && dims[0]->kind == PMC_TPE_CATEGORICAL) k = PMC_MAX(k, dims[0]->n_choices + 1);
    m->n_comp = k;
    m->n_dims = n_dims;
    m->dims = dims;
    PMC_ALLOC(m->log_w, k, "TPE mixture");
    PMC_ALLOC(m->cum_w, k, "TPE mixture");
    PMC_ALLOC(m->mu, n_dims * k, "TPE mixture");
    PMC_ALLOC(m->sigma, n_dims * k, "TPE mixture");
    PMC_ALLOC(m->log_norm, n_dims * k, "TPE mixture");
    PMC_ALLOC(m->log_accept, n_dims * k, "TPE mixture");
    PMC_ALLOC(m->cat, n_dims * k, "TPE mixture");
    PMC_ALLOC(m->smooth, n_dims, "TPE mixture");
    double *w = m->cum_w; /* weights first, made cumulative at the end */
    if (n_dims == 1 && dims[0]->kind == PMC_TPE_NUMERIC) {
        const pmc_tpe_dim *t = dims[0];
        for (int64_t i = 0; i < n; i++) scratch[i] = to_model(t, pmc_get(X, rows[i], cols[0]));
        PMC_TRY(pmc_tpe_parzen(scratch, n, o->prior_weight, t->prior_mu, t->prior_sigma,
                               o->linear_forgetting, w, m->mu, m->sigma));
        /* equal neighbours (quantised values repeat) become one component holding
         * their summed weight: the same mixture, fewer terms per candidate */
        int64_t kept = 0;
        for (int64_t c = 0; c < k; c++) {
            if (kept > 0 && m->mu[c] == m->mu[kept - 1] && m->sigma[c] == m->sigma[kept - 1]) {
                w[kept - 1] += w[c];
                continue;
            }
            m->mu[kept] = m->mu[c];
            m->sigma[kept] = m->sigma[c];
            w[kept++] = w[c];
        }
        k = m->n_comp = kept;
    } else if (n_dims == 1) {
        /* one categorical: Hyperopt's pseudo-counts, the prior (component 0,
         * weight n_choices * prior_weight) plus one delta per category holding
         * the forgetting weights of its observations */
        const pmc_tpe_dim *t = dims[0];
        k = m->n_comp = t->n_choices + 1;
        w[0] = o->prior_weight * (double)t->n_choices;
        m->cat[0] = -1;
        for (int64_t c = 1; c < k; c++) {
            w[c] = 0;
            m->cat[c] = c - 1;
        }
        for (int64_t i = 0; i < n; i++)
            w[1 + (int64_t)(pmc_get(X, rows[i], cols[0]) - t->offset)] +=
                forgetting_weight(i, n, o->linear_forgetting);
        double total = 0;
        for (int64_t c = 0; c < k; c++) total += w[c];
        for (int64_t c = 0; c < k; c++) w[c] /= total;
    } else {
        /* the prior is component 0, observations follow in trial order */
        w[0] = o->prior_weight;
        for (int64_t i = 0; i < n; i++) w[i + 1] = forgetting_weight(i, n, o->linear_forgetting);
        double total = 0;
        for (int64_t c = 0; c < k; c++) total += w[c];
        for (int64_t c = 0; c < k; c++) w[c] /= total;
        for (int64_t j = 0; j < n_dims; j++) {
            const pmc_tpe_dim *t = dims[j];
            double *mu = m->mu + j * k, *sg = m->sigma + j * k;
            int64_t *cat = m->cat + j * k;
            if (t->kind == PMC_TPE_NUMERIC) {
                double bw = 0.2 * pow((double)PMC_MAX(n, 1), -1.0 / ((double)n_dims + 4.0)) *
                            t->prior_sigma;
                bw = PMC_MIN(PMC_MAX(bw, t->prior_sigma / PMC_MIN(100.0, 1.0 + (double)k)),
                             t->prior_sigma);
                mu[0] = t->prior_mu;
                sg[0] = t->prior_sigma;
                for (int64_t i = 0; i < n; i++) {
                    mu[i + 1] = to_model(t, pmc_get(X, rows[i], cols[j]));
                    sg[i + 1] = bw;
                }
            } else {
                m->smooth[j] = (double)t->n_choices * o->prior_weight / (double)k;
                cat[0] = -1;
                for (int64_t i = 0; i < n; i++)
                    cat[i + 1] = (int64_t)(pmc_get(X, rows[i], cols[j]) - t->offset);
            }
        }
    }
    m->redraw = n_dims == 1 && dims[0]->kind == PMC_TPE_NUMERIC;
    for (int64_t j = 0; j < n_dims; j++) {
        const pmc_tpe_dim *t = dims[j];
        if (t->kind != PMC_TPE_NUMERIC) continue;
        int bounded = isfinite(t->low) || isfinite(t->high);
        double last_sigma = -1, log_sigma = 0; /* bandwidths repeat: log each once */
        double p_accept = 0;
        for (int64_t c = 0; c < k; c++) {
            double mu = m->mu[j * k + c], sg = m->sigma[j * k + c];
            double acc = bounded ? normal_mass(t->low, t->high, mu, sg) : 1.0;
            if (sg != last_sigma) log_sigma = log(last_sigma = sg);
            p_accept += w[c] * acc;
            double la = m->redraw || acc >= 1 ? 0.0 : log(PMC_MAX(acc, 1e-300));
            m->log_accept[j * k + c] = la;
            m->log_norm[j * k + c] = la + log_sigma + TPE_LOG_SQRT_2PI;
        }
        if (m->redraw) m->log_p_accept = log(PMC_MAX(p_accept, 1e-300));
    }
    double acc = 0, last_w = -1, log_w = 0; /* most weights are equal: log each once */
    for (int64_t c = 0; c < k; c++) {
        if (w[c] != last_w) log_w = (last_w = w[c]) > 0 ? log(w[c]) : -INFINITY;
        m->log_w[c] = log_w;
        acc += w[c];
        w[c] = acc;
    }
    return PMC_OK;
error:
    mixture_free(m);
    return status;
}

/* One joint draw: a component, then each dimension from its kernel.  `out`
 * holds values (Hyperopt's convention). */
static int64_t pick_component(const mixture *m, pmc_rng *rng) {
    int64_t k = m->n_comp;
    double u = pmc_rng_uniform(rng) * m->cum_w[k - 1];
    int64_t lo = 0, hi = k - 1; /* first c with cum_w[c] > u */
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (m->cum_w[mid] > u) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void mixture_sample(const mixture *m, pmc_rng *rng, double *out) {
    int64_t k = m->n_comp, lo = pick_component(m, rng);
    if (m->redraw) {
        const pmc_tpe_dim *t = m->dims[0];
        for (int i = 0; i < TPE_MAX_REJECTIONS; i++, lo = pick_component(m, rng)) {
            double y = m->mu[lo] + m->sigma[lo] * pmc_rng_normal(rng);
            if (y >= t->low && y < t->high) {
                out[0] = quantize(t, y);
                return;
            }
        }
        out[0] = quantize(t, PMC_MIN(PMC_MAX(m->mu[lo], t->low), t->high));
        return;
    }
    for (int64_t j = 0; j < m->n_dims; j++) {
        const pmc_tpe_dim *t = m->dims[j];
        if (t->kind == PMC_TPE_NUMERIC) {
            double y = sample_truncated(rng, m->mu[j * k + lo], m->sigma[j * k + lo], t->low, t->high);
            out[j] = quantize(t, y);
        } else {
            int64_t c = m->cat[j * k + lo];
            double s = m->smooth[j];
            if (c < 0 || pmc_rng_uniform(rng) * (1.0 + s) >= 1.0)
                c = sample_index(rng, t->p, t->n_choices);
            out[j] = t->offset + (double)c;
        }
    }
}

/* The bucket of quantised value v in model space, clipped to the bounds. */
static void bucket(const pmc_tpe_dim *t, double v, double *a, double *b) {
    double lo = v - 0.5 * t->q, hi = v + 0.5 * t->q;
    *a = PMC_MAX(t->log ? (lo > 0 ? log(lo) : -INFINITY) : lo, t->low);
    *b = PMC_MIN(t->log ? (hi > 0 ? log(hi) : -INFINITY) : hi, t->high);
}

/* Component c's exact log weight plus log kernels at x. */
static double component_exact(const mixture *m, const double *x, int64_t c) {
    int64_t k = m->n_comp;
    double term = m->log_w[c];
    for (int64_t j = 0; j < m->n_dims; j++) {
        const pmc_tpe_dim *t = m->dims[j];
        int64_t i = j * k + c;
        if (t->kind == PMC_TPE_NUMERIC)
            term += kernel_logpdf(t->log ? log(x[j]) : x[j], x[j], m->mu[i], m->sigma[i],
                                  m->log_norm[i], m->log_accept[i], t->low, t->high, t->q, t->log);
        else {
            int64_t v = (int64_t)(x[j] - t->offset), cat = m->cat[i];
            double prior_p = t->p ? t->p[v] : 1.0 / (double)t->n_choices, s = m->smooth[j];
            double p = cat < 0 ? prior_p : ((cat == v ? 1.0 : 0.0) + s * prior_p) / (1.0 + s);
            term += p > 0 ? log(p) : -INFINITY;
        }
    }
    return term;
}

/* log of the mixture density at the joint value x; `terms` has n_comp slots.
 * Quantised dimensions first get a cheap upper bound of each bucket's mass (the
 * density at the bucket's point nearest the mean times its width); only the
 * components whose bound comes within e^-30 of the best exact term are then
 * computed exactly, with erfc. */
static double mixture_logpdf(const mixture *m, const double *x, double *terms) {
    int64_t k = m->n_comp;
    int quantised = 0;
    for (int64_t c = 0; c < k; c++) terms[c] = m->log_w[c];
    for (int64_t j = 0; j < m->n_dims; j++) {
        const pmc_tpe_dim *t = m->dims[j];
        if (t->kind == PMC_TPE_NUMERIC) {
            const double *mu = m->mu + j * k, *sg = m->sigma + j * k;
            const double *ln = m->log_norm + j * k, *la = m->log_accept + j * k;
            if (t->q <= 0) {
                double y = t->log ? log(x[j]) : x[j];
                for (int64_t c = 0; c < k; c++) {
                    double z = (y - mu[c]) / sg[c];
                    terms[c] += -0.5 * z * z - ln[c];
                }
                continue;
            }
            quantised = 1;
            double a, b;
            bucket(t, x[j], &a, &b);
            if (!(a < b)) {
                for (int64_t c = 0; c < k; c++) terms[c] = -INFINITY;
                continue;
            }
            double log_width = log(b - a);
            for (int64_t c = 0; c < k; c++) {
                double edge = mu[c] < a ? a : (mu[c] > b ? b : mu[c]);
                double z = (edge - mu[c]) / sg[c];
                double bound = -0.5 * z * z - (ln[c] - la[c]) + log_width;
                terms[c] += PMC_MIN(bound, 0.0) - la[c];
            }
        } else {
            int64_t v = (int64_t)(x[j] - t->offset);
            double prior_p = t->p ? t->p[v] : 1.0 / (double)t->n_choices;
            double s = m->smooth[j];
            double log_hit = log((1.0 + s * prior_p) / (1.0 + s));
            double log_miss = s > 0 && prior_p > 0 ? log(s * prior_p / (1.0 + s)) : -INFINITY;
            double log_prior = prior_p > 0 ? log(prior_p) : -INFINITY;
            const int64_t *cat = m->cat + j * k;
            for (int64_t c = 0; c < k; c++)
                terms[c] += cat[c] < 0 ? log_prior : (cat[c] == v ? log_hit : log_miss);
        }
    }
    if (quantised) {
        int64_t best = 0;
        for (int64_t c = 1; c < k; c++)
            if (terms[c] > terms[best]) best = c;
        /* e^-30: far below what can change the ranking of candidates */
        double exact_best = component_exact(m, x, best), limit = exact_best - 30;
        for (int64_t c = 0; c < k; c++)
            terms[c] = c == best ? exact_best
                                 : (terms[c] > limit ? component_exact(m, x, c) : -INFINITY);
    }
    return logsumexp(terms, k) - m->log_p_accept;
}

/* ---- suggestions --------------------------------------------------------------- */

/* The random stream of (trial id, part): part 0 draws the prior sample, part
 * g + 1 the TPE candidates of group g. */
static void trial_rng(pmc_rng *rng, uint64_t seed, int64_t trial_id, uint64_t part) {
    pmc_rng base;
    pmc_rng_seed(&base, seed, (uint64_t)trial_id);
    pmc_rng_seed(rng, pmc_rng_next(&base), part);
}

static double sample_prior_dim(const pmc_tpe_dim *t, pmc_rng *rng) {
    if (t->kind == PMC_TPE_CATEGORICAL) return t->offset + (double)sample_index(rng, t->p, t->n_choices);
    double y = t->prior_uniform ? t->low + (t->high - t->low) * pmc_rng_uniform(rng)
                                : t->prior_mu + t->prior_sigma * pmc_rng_normal(rng);
    return quantize(t, y);
}

pmc_status pmc_tpe_sample_prior(const pmc_tpe_dim *dims, int64_t n_dims, uint64_t seed,
                                const int64_t *trial_ids, int64_t n_suggest, double *out) {
    pmc_status status = pmc_tpe_check_space(dims, n_dims);
    if (status != PMC_OK) return status;
    if (n_suggest < 0) return pmc_fail(PMC_ERR_VALUE, "n_suggest must be >= 0");
    for (int64_t s = 0; s < n_suggest; s++) {
        pmc_rng rng;
        trial_rng(&rng, seed, trial_ids[s], 0);
        for (int64_t d = 0; d < n_dims; d++) out[s * n_dims + d] = sample_prior_dim(&dims[d], &rng);
    }
    return PMC_OK;
}

typedef struct {
    const pmc_tpe_dim *dims;
    int64_t n_dims;
    const pmc_view *X;
    const pmc_tpe_options *o;
    uint64_t seed;
    const int64_t *trial_ids;
    int64_t n_suggest;
    const int64_t *group_start, *group_cols; /* dims of group g: group_cols[group_start[g]..] */
    const int64_t *below, *above;            /* rows, trial order */
    int64_t n_below, n_above;
    double *out;
} suggest_job;

/* Rows of `rows` where every dimension of the group is active. */
static int64_t active_rows(const pmc_view *X, const int64_t *cols, int64_t n_cols,
                           const int64_t *rows, int64_t n, int64_t *out) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int active = 1;
        for (int64_t j = 0; j < n_cols && active; j++) active = !isnan(pmc_get(X, rows[i], cols[j]));
        if (active) out[m++] = rows[i];
    }
    return m;
}

static pmc_status suggest_group(int64_t g, int thread, void *arg) {
    const suggest_job *job = arg;
    const int64_t *cols = job->group_cols + job->group_start[g];
    int64_t n_cols = job->group_start[g + 1] - job->group_start[g];
    if (n_cols == 0) return PMC_OK;
    pmc_status status = PMC_OK;
    mixture below, above;
    memset(&below, 0, sizeof below);
    memset(&above, 0, sizeof above);
    const pmc_tpe_dim **dims = NULL;
    int64_t *rows = NULL;
    double *scratch = NULL, *terms = NULL, *cand = NULL;
    int64_t n_rows = PMC_MAX(job->n_below, job->n_above);
    int64_t n_ei = job->o->n_ei_candidates;
    PMC_ALLOC(dims, n_cols, "TPE group");
    PMC_ALLOC(rows, n_rows + 1, "TPE group");
    PMC_ALLOC(scratch, n_rows + 1, "TPE group");
    PMC_ALLOC(cand, n_cols * (n_ei + 1), "TPE group");
    for (int64_t j = 0; j < n_cols; j++) dims[j] = &job->dims[cols[j]];
    int64_t nb = active_rows(job->X, cols, n_cols, job->below, job->n_below, rows);
    PMC_TRY(mixture_build(&below, dims, cols, n_cols, job->X, rows, nb, job->o, scratch));
    int64_t na = active_rows(job->X, cols, n_cols, job->above, job->n_above, rows);
    PMC_TRY(mixture_build(&above, dims, cols, n_cols, job->X, rows, na, job->o, scratch));
    PMC_ALLOC(terms, PMC_MAX(below.n_comp, above.n_comp), "TPE group");
    for (int64_t s = 0; s < job->n_suggest; s++) {
        pmc_rng rng;
        trial_rng(&rng, job->seed, job->trial_ids[s], (uint64_t)g + 1);
        int64_t best = 0;
        double best_score = -INFINITY;
        for (int64_t i = 0; i < n_ei; i++) {
            double *x = cand + i * n_cols;
            mixture_sample(&below, &rng, x);
            /* quantised and categorical draws repeat: score each value once */
            int64_t same = 0;
            while (same < i && memcmp(cand + same * n_cols, x, (size_t)n_cols * sizeof *x)) same++;
            if (same < i) continue; /* an earlier equal candidate has the same score */
            double score = mixture_logpdf(&below, x, terms) - mixture_logpdf(&above, x, terms);
            if (score > best_score) { /* NaN never wins; ties keep the first */
                best_score = score;
                best = i;
            }
        }
        for (int64_t j = 0; j < n_cols; j++)
            job->out[s * job->n_dims + cols[j]] = cand[best * n_cols + j];
    }
error:
    mixture_free(&below);
    mixture_free(&above);
    free(dims);
    free(rows);
    free(scratch);
    free(terms);
    free(cand);
    return status;
}

/* Finite-loss rows sorted by (loss, row): the stable order of the split. */
typedef struct {
    double loss;
    int64_t row;
} ranked;

static int compare_ranked(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->loss != y->loss) return x->loss < y->loss ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static pmc_status check_observations(const pmc_tpe_dim *dims, int64_t n_dims, const pmc_view *X,
                                     const pmc_view *loss) {
    pmc_status status = pmc_view_check(X, "X", 1, 2, -1, n_dims);
    if (status != PMC_OK) return status;
    int64_t n = X->shape[0];
    status = pmc_view_check(loss, "loss", 1, 1, n, -1);
    if (status != PMC_OK) return status;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t d = 0; d < n_dims; d++) {
            double v = pmc_get(X, i, d);
            if (isnan(v)) continue;
            if (!isfinite(v))
                return pmc_fail(PMC_ERR_VALUE, "X[%lld, %lld] is infinite", (long long)i, (long long)d);
            if (dims[d].kind == PMC_TPE_CATEGORICAL) {
                double c = v - dims[d].offset;
                if (c != floor(c) || c < 0 || c >= (double)dims[d].n_choices)
                    return pmc_fail(PMC_ERR_VALUE,
                                    "X[%lld, %lld] = %g is not one of the %lld choices of dimension %lld",
                                    (long long)i, (long long)d, v, (long long)dims[d].n_choices,
                                    (long long)d);
            }
        }
    }
    return PMC_OK;
}

pmc_status pmc_tpe_suggest(const pmc_tpe_dim *dims, int64_t n_dims, const pmc_view *X,
                           const pmc_view *loss, const pmc_tpe_options *options, uint64_t seed,
                           const int64_t *trial_ids, int64_t n_suggest, int n_threads,
                           double *out) {
    pmc_status status;
    ranked *order = NULL;
    int64_t *below = NULL, *above = NULL, *group_start = NULL, *group_cols = NULL;
    char *side = NULL;
    PMC_TRY(pmc_tpe_check_space(dims, n_dims));
    PMC_TRY(check_options(options));
    PMC_TRY(check_observations(dims, n_dims, X, loss));
    if (n_suggest < 0) {
        status = pmc_fail(PMC_ERR_VALUE, "n_suggest must be >= 0");
        goto error;
    }
    int64_t n = X->shape[0], n_ok = 0;
    PMC_ALLOC(order, n + 1, "TPE ranking");
    for (int64_t i = 0; i < n; i++) {
        double l = pmc_get(loss, i, 0);
        if (isnan(l)) continue;
        order[n_ok].loss = l;
        order[n_ok].row = i;
        n_ok++;
    }
    if (n_ok < options->n_startup_jobs) {
        free(order);
        return pmc_tpe_sample_prior(dims, n_dims, seed, trial_ids, n_suggest, out);
    }
    qsort(order, (size_t)n_ok, sizeof *order, compare_ranked);
    int64_t n_below = (int64_t)ceil(options->gamma * sqrt((double)n_ok));
    n_below = PMC_MIN(n_below, options->linear_forgetting);
    n_below = PMC_MIN(n_below, n_ok);
    PMC_ALLOC(below, n_below + 1, "TPE split");
    PMC_ALLOC(above, n_ok - n_below + 1, "TPE split");
    PMC_ALLOC(side, n, "TPE split");
    for (int64_t i = 0; i < n_ok; i++) side[order[i].row] = i < n_below ? 1 : 2;
    /* each side in trial order, as linear forgetting needs */
    for (int64_t i = 0, nb = 0, na = 0; i < n; i++) {
        if (side[i] == 1) below[nb++] = i;
        else if (side[i] == 2) above[na++] = i;
    }
    /* dimensions by group (counting sort keeps them in dimension order) */
    PMC_ALLOC(group_start, n_dims + 1, "TPE groups");
    PMC_ALLOC(group_cols, n_dims, "TPE groups");
    for (int64_t d = 0; d < n_dims; d++) group_start[dims[d].group + 1]++;
    for (int64_t g = 0; g < n_dims; g++) group_start[g + 1] += group_start[g];
    {
        int64_t *fill = NULL;
        PMC_ALLOC(fill, n_dims, "TPE groups");
        for (int64_t d = 0; d < n_dims; d++) {
            int64_t g = dims[d].group;
            group_cols[group_start[g] + fill[g]++] = d;
        }
        free(fill);
    }
    suggest_job job = {dims, n_dims, X, options, seed, trial_ids, n_suggest, group_start,
                       group_cols, below, above, n_below, n_ok - n_below, out};
    pmc_ctx ctx = pmc_ctx_default();
    PMC_TRY(pmc_parallel_for(n_dims, n_threads, &ctx, suggest_group, &job));
error:
    free(order);
    free(side);
    free(below);
    free(above);
    free(group_start);
    free(group_cols);
    return status;
}
