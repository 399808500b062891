/* _core.tpe_suggest and _core.tpe_sample_prior: the bindings of the TPE sampler
 * (csrc/include/pmc/tune.h).  The space crosses as a float64 table of one row per
 * dimension (columns: SPEC_COLUMNS below) plus the concatenated probabilities of
 * the categorical dimensions, both built by pymlcore/tune/_space.py. */
#include "bindings.h"

#include <math.h>
#include <string.h>

#include "pmc/tune.h"

enum {
    COL_KIND, COL_LOG, COL_PRIOR_UNIFORM, COL_LOW, COL_HIGH, COL_PRIOR_MU, COL_PRIOR_SIGMA,
    COL_Q, COL_N_CHOICES, COL_OFFSET, COL_GROUP, SPEC_COLUMNS
};

/* A 1-D C-contiguous array of `type`, or -1 with a ValueError naming it. */
static int contiguous_1d(PyObject *obj, const char *name, int type, void **data, int64_t *n) {
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != type ||
        PyArray_NDIM((PyArrayObject *)obj) != 1 ||
        !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)obj) || !PyArray_ISALIGNED((PyArrayObject *)obj) ||
        !PyArray_ISNOTSWAPPED((PyArrayObject *)obj)) {
        PyErr_Format(PyExc_ValueError, "%s must be a contiguous 1-D %s array", name,
                     type == NPY_INT64 ? "int64" : "float64");
        return -1;
    }
    *data = PyArray_DATA((PyArrayObject *)obj);
    *n = PyArray_DIM((PyArrayObject *)obj, 0);
    return 0;
}

static int whole(double v, double lo, double hi) { return v == floor(v) && v >= lo && v <= hi; }

/* The dimension table; *dims is PyMem-allocated (NULL and -1 on error). */
static int parse_space(PyObject *spec_obj, PyObject *p_obj, pmc_tpe_dim **dims, int64_t *n_dims) {
    *dims = NULL;
    pmc_view spec;
    double *p;
    int64_t n_p;
    if (view_from_array(spec_obj, "spec", 0, &spec) || contiguous_1d(p_obj, "p", NPY_FLOAT64, (void **)&p, &n_p))
        return -1;
    if (spec.ndim != 2 || spec.shape[1] != SPEC_COLUMNS || spec.shape[0] < 1) {
        PyErr_Format(PyExc_ValueError, "spec must have shape (n_dims >= 1, %d)", SPEC_COLUMNS);
        return -1;
    }
    int64_t n = spec.shape[0], used = 0;
    pmc_tpe_dim *d = PyMem_Calloc((size_t)n, sizeof *d);
    if (!d) {
        PyErr_NoMemory();
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        double v[SPEC_COLUMNS];
        for (int c = 0; c < SPEC_COLUMNS; c++) v[c] = pmc_view_get(&spec, i, c);
        if (!whole(v[COL_KIND], 0, 1) || !whole(v[COL_LOG], 0, 1) ||
            !whole(v[COL_PRIOR_UNIFORM], 0, 1) || !whole(v[COL_GROUP], 0, (double)(n - 1)) ||
            !whole(v[COL_N_CHOICES], 0, 1e15)) {
            PyErr_Format(PyExc_ValueError,
                         "spec row %lld: kind, log, prior_uniform, n_choices and group must be "
                         "integers in range", (long long)i);
            goto error;
        }
        d[i].kind = (int)v[COL_KIND];
        d[i].log = (int)v[COL_LOG];
        d[i].prior_uniform = (int)v[COL_PRIOR_UNIFORM];
        d[i].low = v[COL_LOW];
        d[i].high = v[COL_HIGH];
        d[i].prior_mu = v[COL_PRIOR_MU];
        d[i].prior_sigma = v[COL_PRIOR_SIGMA];
        d[i].q = v[COL_Q];
        d[i].n_choices = (int64_t)v[COL_N_CHOICES];
        d[i].offset = v[COL_OFFSET];
        d[i].group = (int64_t)v[COL_GROUP];
        if (d[i].kind == PMC_TPE_CATEGORICAL) {
            if (d[i].n_choices > n_p - used) {
                PyErr_Format(PyExc_ValueError, "p holds %lld probabilities, fewer than the "
                             "categorical dimensions need", (long long)n_p);
                goto error;
            }
            d[i].p = p + used;
            used += d[i].n_choices;
        }
    }
    if (used != n_p) {
        PyErr_Format(PyExc_ValueError, "p holds %lld probabilities, the categorical dimensions "
                     "need %lld", (long long)n_p, (long long)used);
        goto error;
    }
    pmc_status status = pmc_tpe_check_space(d, n);
    if (status != PMC_OK) {
        raise_status(status);
        goto error;
    }
    *dims = d;
    *n_dims = n;
    return 0;
error:
    PyMem_Free(d);
    return -1;
}

static PyObject *new_output(int64_t n_suggest, int64_t n_dims) {
    npy_intp shape[2] = {(npy_intp)n_suggest, (npy_intp)n_dims};
    return PyArray_SimpleNew(2, shape, NPY_FLOAT64);
}

static PyObject *py_tpe_sample_prior(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"spec", "p", "trial_ids", "seed", NULL};
    PyObject *spec_obj, *p_obj, *ids_obj;
    unsigned long long seed;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOK", keywords, &spec_obj, &p_obj, &ids_obj,
                                     &seed))
        return NULL;
    pmc_tpe_dim *dims;
    int64_t n_dims, n_ids;
    int64_t *ids;
    if (contiguous_1d(ids_obj, "trial_ids", NPY_INT64, (void **)&ids, &n_ids) ||
        parse_space(spec_obj, p_obj, &dims, &n_dims))
        return NULL;
    PyObject *out = new_output(n_ids, n_dims);
    if (out) {
        pmc_status status = pmc_tpe_sample_prior(dims, n_dims, seed, ids, n_ids,
                                                 PyArray_DATA((PyArrayObject *)out));
        if (status != PMC_OK) {
            Py_CLEAR(out);
            raise_status(status);
        }
    }
    PyMem_Free(dims);
    return out;
}

static PyObject *py_tpe_suggest(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"spec", "p", "X", "loss", "trial_ids", "seed", "n_startup_jobs",
                               "gamma", "n_ei_candidates", "prior_weight", "linear_forgetting",
                               "n_threads", NULL};
    PyObject *spec_obj, *p_obj, *X_obj, *loss_obj, *ids_obj;
    unsigned long long seed;
    pmc_tpe_options o = pmc_tpe_default_options();
    long long startup = o.n_startup_jobs, n_ei = o.n_ei_candidates, lf = o.linear_forgetting;
    int n_threads = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOK|LdLdLi", keywords, &spec_obj, &p_obj,
                                     &X_obj, &loss_obj, &ids_obj, &seed, &startup, &o.gamma, &n_ei,
                                     &o.prior_weight, &lf, &n_threads))
        return NULL;
    o.n_startup_jobs = startup;
    o.n_ei_candidates = n_ei;
    o.linear_forgetting = lf;
    pmc_tpe_dim *dims;
    int64_t n_dims, n_ids;
    int64_t *ids;
    pmc_view X, loss;
    if (contiguous_1d(ids_obj, "trial_ids", NPY_INT64, (void **)&ids, &n_ids) ||
        view_from_array(X_obj, "X", 0, &X) || view_from_array(loss_obj, "loss", 0, &loss) ||
        parse_space(spec_obj, p_obj, &dims, &n_dims))
        return NULL;
    PyObject *out = new_output(n_ids, n_dims);
    if (out) {
        double *data = PyArray_DATA((PyArrayObject *)out);
        pmc_status status;
        Py_BEGIN_ALLOW_THREADS
        status = pmc_tpe_suggest(dims, n_dims, &X, &loss, &o, seed, ids, n_ids,
                                 resolve_threads(n_threads), data);
        Py_END_ALLOW_THREADS
        if (status != PMC_OK) {
            Py_CLEAR(out);
            raise_status(status);
        }
    }
    PyMem_Free(dims);
    return out;
}

/* The Parzen estimator and the mixture density on their own, for the oracle
 * tests against Hyperopt's adaptive_parzen_normal and GMM1_lpdf/LGMM1_lpdf. */
static PyObject *py_tpe_parzen(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"mus", "prior_weight", "prior_mu", "prior_sigma",
                               "linear_forgetting", NULL};
    PyObject *mus_obj;
    double prior_weight, prior_mu, prior_sigma;
    long long lf = 25;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Oddd|L", keywords, &mus_obj, &prior_weight,
                                     &prior_mu, &prior_sigma, &lf))
        return NULL;
    double *mus;
    int64_t n;
    if (contiguous_1d(mus_obj, "mus", NPY_FLOAT64, (void **)&mus, &n)) return NULL;
    npy_intp k = (npy_intp)(n + 1);
    PyObject *w = PyArray_SimpleNew(1, &k, NPY_FLOAT64), *m = PyArray_SimpleNew(1, &k, NPY_FLOAT64);
    PyObject *s = PyArray_SimpleNew(1, &k, NPY_FLOAT64), *out = NULL;
    if (w && m && s) {
        pmc_status status = pmc_tpe_parzen(mus, n, prior_weight, prior_mu, prior_sigma, lf,
                                           PyArray_DATA((PyArrayObject *)w),
                                           PyArray_DATA((PyArrayObject *)m),
                                           PyArray_DATA((PyArrayObject *)s));
        if (status != PMC_OK) raise_status(status);
        else out = PyTuple_Pack(3, w, m, s);
    }
    Py_XDECREF(w);
    Py_XDECREF(m);
    Py_XDECREF(s);
    return out;
}

static PyObject *py_tpe_mixture_logpdf(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"x", "weights", "means", "sigmas", "low", "high", "q", "log",
                               NULL};
    PyObject *x_obj, *w_obj, *m_obj, *s_obj;
    double low, high, q;
    int log_space;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOdddp", keywords, &x_obj, &w_obj, &m_obj,
                                     &s_obj, &low, &high, &q, &log_space))
        return NULL;
    double *x, *w, *m, *s;
    int64_t nx, nw, nm, ns;
    if (contiguous_1d(x_obj, "x", NPY_FLOAT64, (void **)&x, &nx) ||
        contiguous_1d(w_obj, "weights", NPY_FLOAT64, (void **)&w, &nw) ||
        contiguous_1d(m_obj, "means", NPY_FLOAT64, (void **)&m, &nm) ||
        contiguous_1d(s_obj, "sigmas", NPY_FLOAT64, (void **)&s, &ns))
        return NULL;
    if (nw != nm || nw != ns || nw < 1) {
        PyErr_SetString(PyExc_ValueError, "weights, means and sigmas must have one equal length >= 1");
        return NULL;
    }
    for (int64_t k = 0; k < nw; k++) {
        if (!(w[k] > 0) || !(s[k] > 0)) {
            PyErr_SetString(PyExc_ValueError, "weights and sigmas must be > 0");
            return NULL;
        }
    }
    npy_intp dim = (npy_intp)nx;
    PyObject *out = PyArray_SimpleNew(1, &dim, NPY_FLOAT64);
    if (!out) return NULL;
    double *o = PyArray_DATA((PyArrayObject *)out);
    for (int64_t i = 0; i < nx; i++)
        o[i] = pmc_tpe_mixture_logpdf(x[i], nw, w, m, s, low, high, q, log_space);
    return out;
}

PyMethodDef pmc_tune_methods[] = {
    {"tpe_suggest", (PyCFunction)(void (*)(void))py_tpe_suggest, METH_VARARGS | METH_KEYWORDS,
     "tpe_suggest(spec, p, X, loss, trial_ids, seed, n_startup_jobs=20, gamma=0.25,"
     " n_ei_candidates=24, prior_weight=1.0, linear_forgetting=25, n_threads=1) -> ndarray"},
    {"tpe_sample_prior", (PyCFunction)(void (*)(void))py_tpe_sample_prior,
     METH_VARARGS | METH_KEYWORDS, "tpe_sample_prior(spec, p, trial_ids, seed) -> ndarray"},
    {"tpe_parzen", (PyCFunction)(void (*)(void))py_tpe_parzen, METH_VARARGS | METH_KEYWORDS,
     "tpe_parzen(mus, prior_weight, prior_mu, prior_sigma, linear_forgetting=25)"
     " -> (weights, means, sigmas)"},
    {"tpe_mixture_logpdf", (PyCFunction)(void (*)(void))py_tpe_mixture_logpdf,
     METH_VARARGS | METH_KEYWORDS,
     "tpe_mixture_logpdf(x, weights, means, sigmas, low, high, q, log) -> ndarray"},
    {NULL, NULL, 0, NULL}};
