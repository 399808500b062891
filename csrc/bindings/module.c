/* pymlcore._core: the only C that touches Python.  It turns NumPy arrays into
 * pmc views (never copying, never writing), parameter dicts into the C parameter
 * structs described by each estimator's schema, runs the C call with the GIL
 * released, and maps a pmc_status to a Python exception.  Every estimator goes
 * through the same entry points (fit, apply, schema; fit_grouped and apply_grouped
 * in grouped.c), so there is no per-estimator binding code. */
#define PMC_BINDINGS_MAIN /* this file imports NumPy's C-API table */
#include "bindings.h"

#include <string.h>

/* ---- arrays -> views ------------------------------------------------------ */

/* Fills `out` with a view of `obj`, which must be an aligned, native-order
 * ndarray of at most 2 dimensions; float32/float64, or int32/int64 when
 * `allow_int`.  The caller keeps `obj` alive while the view is used. */
int view_from_array(PyObject *obj, const char *name, int allow_int, pmc_view *out) {
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a numpy array, got %s", name,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    int type = PyArray_TYPE(a);
    switch (type) {
    case NPY_FLOAT32: out->dtype = PMC_FLOAT32; break;
    case NPY_FLOAT64: out->dtype = PMC_FLOAT64; break;
    case NPY_INT32: out->dtype = PMC_INT32; break;
    case NPY_INT64: out->dtype = PMC_INT64; break;
    default:
        PyErr_Format(PyExc_ValueError, "%s must have dtype float32 or float64, got %s", name,
                     PyArray_DESCR(a)->typeobj->tp_name);
        return -1;
    }
    if (!allow_int && (out->dtype == PMC_INT32 || out->dtype == PMC_INT64)) {
        PyErr_Format(PyExc_ValueError, "%s must have dtype float32 or float64, got an integer dtype",
                     name);
        return -1;
    }
    if (!PyArray_ISALIGNED(a) || !PyArray_ISNOTSWAPPED(a)) {
        PyErr_Format(PyExc_ValueError, "%s must be aligned and in native byte order", name);
        return -1;
    }
    int ndim = PyArray_NDIM(a);
    if (ndim < 1 || ndim > 2) {
        PyErr_Format(PyExc_ValueError, "%s must be 1- or 2-dimensional, got %d dimensions", name,
                     ndim);
        return -1;
    }
    out->data = PyArray_DATA(a);
    out->ndim = ndim;
    out->shape[0] = PyArray_DIM(a, 0);
    out->strides[0] = PyArray_STRIDE(a, 0);
    out->shape[1] = ndim == 2 ? PyArray_DIM(a, 1) : 1;
    out->strides[1] = ndim == 2 ? PyArray_STRIDE(a, 1) : 0;
    return 0;
}

/* None -> an absent view (ndim 0). */
int optional_view(PyObject *obj, const char *name, int allow_int, pmc_view *out) {
    memset(out, 0, sizeof *out);
    if (obj == Py_None) return 0;
    return view_from_array(obj, name, allow_int, out);
}

/* X is an ndarray, or ("csr", data, indices, indptr, n_rows, n_cols). */
int matrix_from_object(PyObject *obj, pmc_matrix *X) {
    memset(X, 0, sizeof *X);
    if (PyTuple_Check(obj)) {
        PyObject *kind, *data, *indices, *indptr;
        long long n_rows, n_cols;
        if (!PyArg_ParseTuple(obj, "UOOOLL", &kind, &data, &indices, &indptr, &n_rows, &n_cols))
            return -1;
        if (PyUnicode_CompareWithASCIIString(kind, "csr") != 0) {
            PyErr_SetString(PyExc_ValueError, "X: only CSR sparse matrices are supported");
            return -1;
        }
        X->is_sparse = 1;
        X->n_rows = n_rows;
        X->n_cols = n_cols;
        if (view_from_array(data, "X.data", 0, &X->data) ||
            view_from_array(indices, "X.indices", 1, &X->indices) ||
            view_from_array(indptr, "X.indptr", 1, &X->indptr))
            return -1;
    } else {
        pmc_view dense;
        if (view_from_array(obj, "X", 0, &dense)) return -1;
        if (dense.ndim != 2) {
            PyErr_SetString(PyExc_ValueError, "X must be 2-dimensional");
            return -1;
        }
        *X = pmc_matrix_dense(dense);
    }
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = pmc_matrix_check(X, "X");
    Py_END_ALLOW_THREADS
    if (status != PMC_OK) {
        PyErr_SetString(PyExc_ValueError, pmc_last_error());
        return -1;
    }
    return 0;
}

/* ---- status -> exception ---------------------------------------------------- */

PyObject *raise_status(pmc_status status) {
    const char *msg = pmc_last_error();
    switch (status) {
    case PMC_ERR_VALUE:
    case PMC_ERR_NUMERIC: PyErr_SetString(PyExc_ValueError, msg); break;
    case PMC_ERR_MEMORY: PyErr_SetString(PyExc_MemoryError, msg); break;
    case PMC_ERR_UNSUPPORTED: PyErr_SetString(PyExc_TypeError, msg); break;
    case PMC_ERR_INTERRUPTED: PyErr_SetNone(PyExc_KeyboardInterrupt); break;
    default: PyErr_Format(PyExc_RuntimeError, "pymlcore internal error: %s", msg); break;
    }
    return NULL;
}

int warn_convergence(const char *message) {
    PyObject *module = PyImport_ImportModule("sklearn.exceptions");
    if (!module) return -1;
    PyObject *category = PyObject_GetAttrString(module, "ConvergenceWarning");
    Py_DECREF(module);
    if (!category) return -1;
    int rc = PyErr_WarnEx(category, message, 2);
    Py_DECREF(category);
    return rc;
}

/* ---- Ctrl-C --------------------------------------------------------------- */

/* While C runs without the GIL, Python's own handler cannot act, so the main
 * thread swaps in one that only raises this flag; long loops poll it through
 * pmc_ctx.interrupt and stop at their next safe point. */
static volatile int interrupt_flag;
static unsigned long main_thread_ident;

static void on_sigint(int signum) {
    (void)signum;
    interrupt_flag = 1;
}

void guard_enter(interrupt_guard *g, pmc_ctx *ctx) {
    g->active = 0;
    if (PyThread_get_thread_ident() != main_thread_ident) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    interrupt_flag = 0;
    if (sigaction(SIGINT, &action, &g->previous) == 0) {
        g->active = 1;
        ctx->interrupt = &interrupt_flag;
    }
}

/* Restores Python's handler; -1 with KeyboardInterrupt set if Ctrl-C came. */
int guard_exit(interrupt_guard *g) {
    if (!g->active) return 0;
    sigaction(SIGINT, &g->previous, NULL);
    if (interrupt_flag) {
        interrupt_flag = 0;
        PyErr_SetNone(PyExc_KeyboardInterrupt);
        return -1;
    }
    return 0;
}

/* ---- parameters ----------------------------------------------------------- */

const pmc_estimator *find_estimator(const char *name) {
    const pmc_estimator *est = pmc_find_estimator(name);
    if (!est) PyErr_Format(PyExc_ValueError, "unknown estimator '%s'", name);
    return est;
}

/* Fills the estimator's parameter struct from a dict holding exactly its schema. */
int parse_params(const pmc_estimator *est, PyObject *dict, void *params) {
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "params must be a dict");
        return -1;
    }
    if (PyDict_Size(dict) != est->n_params) {
        PyErr_Format(PyExc_ValueError, "%s takes %d parameters, got %zd", est->name,
                     est->n_params, PyDict_Size(dict));
        return -1;
    }
    for (int i = 0; i < est->n_params; i++) {
        const pmc_param_spec *spec = &est->params[i];
        PyObject *value = PyDict_GetItemString(dict, spec->name);
        if (!value) {
            PyErr_Format(PyExc_ValueError, "%s: missing parameter '%s'", est->name, spec->name);
            return -1;
        }
        char *field = (char *)params + spec->offset;
        switch (spec->kind) {
        case PMC_PARAM_DOUBLE: {
            double v = PyFloat_AsDouble(value);
            if (v == -1.0 && PyErr_Occurred()) return -1;
            memcpy(field, &v, sizeof v);
            break;
        }
        case PMC_PARAM_INT: {
            long long v = PyLong_AsLongLong(value);
            if (v == -1 && PyErr_Occurred()) return -1;
            int64_t v64 = v;
            memcpy(field, &v64, sizeof v64);
            break;
        }
        case PMC_PARAM_BOOL: {
            int v = PyObject_IsTrue(value);
            if (v < 0) return -1;
            memcpy(field, &v, sizeof v);
            break;
        }
        case PMC_PARAM_CHOICE: {
            const char *s = PyUnicode_Check(value) ? PyUnicode_AsUTF8(value) : NULL;
            int index = -1;
            for (int c = 0; s && spec->choices[c]; c++)
                if (strcmp(spec->choices[c], s) == 0) index = c;
            if (index < 0) {
                PyErr_Format(PyExc_ValueError, "%s: invalid value %R for parameter '%s'",
                             est->name, value, spec->name);
                return -1;
            }
            memcpy(field, &index, sizeof index);
            break;
        }
        case PMC_PARAM_VIEW: {
            pmc_view v;
            if (optional_view(value, spec->name, 1, &v)) return -1;
            memcpy(field, &v, sizeof v);
            break;
        }
        }
    }
    return 0;
}

/* ---- model state <-> dict ------------------------------------------------- */

int npy_type(pmc_dtype dtype) {
    switch (dtype) {
    case PMC_FLOAT32: return NPY_FLOAT32;
    case PMC_FLOAT64: return NPY_FLOAT64;
    case PMC_INT32: return NPY_INT32;
    default: return NPY_INT64;
    }
}

/* Copies exported views (owned by the model) into new NumPy arrays. */
PyObject *arrays_to_dict(const pmc_arrays *arrays) {
    PyObject *dict = PyDict_New();
    if (!dict) return NULL;
    for (int i = 0; i < arrays->n; i++) {
        const pmc_view *v = &arrays->items[i].view;
        npy_intp dims[2] = {(npy_intp)v->shape[0], (npy_intp)v->shape[1]};
        PyObject *a = PyArray_SimpleNew(v->ndim, dims, npy_type(v->dtype));
        if (!a) goto error;
        size_t item = pmc_dtype_size(v->dtype);
        char *dst = PyArray_DATA((PyArrayObject *)a);
        int64_t cols = v->ndim == 2 ? v->shape[1] : 1;
        for (int64_t r = 0; r < v->shape[0]; r++)
            for (int64_t c = 0; c < cols; c++, dst += item)
                memcpy(dst, (const char *)v->data + r * v->strides[0] + c * v->strides[1], item);
        int rc = PyDict_SetItemString(dict, arrays->items[i].name, a);
        Py_DECREF(a);
        if (rc) goto error;
    }
    return dict;
error:
    Py_DECREF(dict);
    return NULL;
}

/* Views of the dict's arrays; keys and arrays stay alive with the dict. */
int dict_to_arrays(PyObject *dict, pmc_arrays *arrays) {
    memset(arrays, 0, sizeof *arrays);
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "model state must be a dict of arrays");
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        const char *name = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (!name) {
            PyErr_SetString(PyExc_TypeError, "model state keys must be strings");
            return -1;
        }
        pmc_view v;
        if (view_from_array(value, name, 1, &v)) return -1;
        if (pmc_arrays_add(arrays, name, v) != PMC_OK) {
            raise_status(PMC_ERR_VALUE);
            return -1;
        }
    }
    return 0;
}

/* Rebuilds a model from state; validation runs in C (shapes, index ranges). */
int import_model(const pmc_estimator *est, PyObject *state, pmc_model **model) {
    pmc_arrays arrays;
    if (dict_to_arrays(state, &arrays)) return -1;
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = est->import_arrays(&arrays, model);
    Py_END_ALLOW_THREADS
    if (status != PMC_OK) {
        raise_status(status);
        return -1;
    }
    return 0;
}

/* ---- entry points --------------------------------------------------------- */

int resolve_threads(int n_threads) { return n_threads < 1 ? 1 : n_threads; }

static PyObject *py_fit(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"estimator", "params", "X", "y", "sample_weight", "init",
                               "n_threads", "seed", NULL};
    const char *name;
    PyObject *params_dict, *X_obj, *y_obj = Py_None, *w_obj = Py_None, *init_obj = Py_None;
    int n_threads = 1;
    unsigned long long seed = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sOO|OOOiK", keywords, &name, &params_dict,
                                     &X_obj, &y_obj, &w_obj, &init_obj, &n_threads, &seed))
        return NULL;
    const pmc_estimator *est = find_estimator(name);
    if (!est) return NULL;

    PyObject *result = NULL;
    pmc_model *init = NULL, *model = NULL;
    void *params = PyMem_Calloc(1, est->params_size ? est->params_size : 1);
    if (!params) return PyErr_NoMemory();
    pmc_data data;
    memset(&data, 0, sizeof data);
    if (parse_params(est, params_dict, params) || matrix_from_object(X_obj, &data.X) ||
        optional_view(y_obj, "y", 1, &data.y) ||
        optional_view(w_obj, "sample_weight", 0, &data.weight))
        goto done;
    if (init_obj != Py_None && import_model(est, init_obj, &init)) goto done;
    data.rows = pmc_rows_all(data.X.n_rows);

    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = resolve_threads(n_threads);
    ctx.seed = seed;
    interrupt_guard guard;
    guard_enter(&guard, &ctx);
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    pmc_clear_error();
    status = est->fit(params, &data, init, &ctx, &model);
    Py_END_ALLOW_THREADS
    if (guard_exit(&guard)) goto done;
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    pmc_arrays exported;
    memset(&exported, 0, sizeof exported);
    status = est->export_arrays(model, &exported);
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    PyObject *state = arrays_to_dict(&exported);
    if (!state) goto done;
    if (ctx.warning[0] && warn_convergence(ctx.warning)) {
        Py_DECREF(state);
        goto done;
    }
    result = state;
done:
    if (model) est->free(&model);
    if (init) est->free(&init);
    PyMem_Free(params);
    return result;
}

int method_from_name(const char *s, pmc_method *out) {
    for (int m = 0; m < PMC_N_METHODS; m++)
        if (strcmp(pmc_method_name((pmc_method)m), s) == 0) {
            *out = (pmc_method)m;
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "unknown method '%s'", s);
    return -1;
}

/* A caller-supplied output must be exactly what output_shape asks for, and
 * writeable; any strides.  It may be X itself only for estimators whose header
 * says their apply works in place. */
static int check_out(PyObject *obj, int ndim, const npy_intp *dims, int type) {
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "out must be a numpy array, got %s", Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (PyArray_NDIM(a) != ndim || PyArray_DIM(a, 0) != dims[0] ||
        (ndim == 2 && PyArray_DIM(a, 1) != dims[1])) {
        PyErr_SetString(PyExc_ValueError, "out has the wrong shape for this output");
        return -1;
    }
    if (PyArray_TYPE(a) != type) {
        PyErr_SetString(PyExc_ValueError, "out has the wrong dtype for this output");
        return -1;
    }
    if (!PyArray_ISWRITEABLE(a)) {
        PyErr_SetString(PyExc_ValueError, "out must be writeable");
        return -1;
    }
    return 0;
}

static PyObject *py_apply(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"estimator", "method", "state", "X", "n_threads", "out", NULL};
    const char *name, *method_name;
    PyObject *state, *X_obj, *out_obj = Py_None;
    int n_threads = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssOO|iO", keywords, &name, &method_name,
                                     &state, &X_obj, &n_threads, &out_obj))
        return NULL;
    const pmc_estimator *est = find_estimator(name);
    pmc_method method;
    if (!est || method_from_name(method_name, &method)) return NULL;
    pmc_matrix X;
    if (matrix_from_object(X_obj, &X)) return NULL;
    pmc_model *model = NULL;
    if (import_model(est, state, &model)) return NULL;

    PyObject *result = NULL;
    int64_t n_cols;
    pmc_dtype dtype;
    pmc_status status = est->output_shape(model, method, pmc_matrix_dtype(&X), &n_cols, &dtype);
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    npy_intp dims[2] = {(npy_intp)X.n_rows, (npy_intp)n_cols};
    if (out_obj == Py_None) {
        result = PyArray_SimpleNew(n_cols > 0 ? 2 : 1, dims, npy_type(dtype));
        if (!result) goto done;
    } else if (check_out(out_obj, n_cols > 0 ? 2 : 1, dims, npy_type(dtype))) {
        goto done;
    } else {
        result = out_obj;
        Py_INCREF(result);
    }
    pmc_view out;
    if (view_from_array(result, "out", 0, &out)) goto fail;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = resolve_threads(n_threads);
    interrupt_guard guard;
    guard_enter(&guard, &ctx);
    Py_BEGIN_ALLOW_THREADS
    pmc_clear_error();
    status = est->apply(model, method, &X, pmc_rows_all(X.n_rows), &ctx, &out);
    Py_END_ALLOW_THREADS
    if (guard_exit(&guard)) goto fail;
    if (status != PMC_OK) {
        raise_status(status);
        goto fail;
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    est->free(&model);
    return result;
}

static PyObject *py_estimators(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    static const char *const kinds[] = {"double", "int", "bool", "choice", "array"};
    int n;
    const pmc_estimator *const *all = pmc_estimators(&n);
    PyObject *out = PyDict_New();
    for (int i = 0; out && i < n; i++) {
        PyObject *params = PyDict_New();
        if (!params) goto error;
        for (int p = 0; p < all[i]->n_params; p++) {
            const pmc_param_spec *spec = &all[i]->params[p];
            PyObject *entry = Py_BuildValue("(s)", kinds[spec->kind]);
            if (spec->kind == PMC_PARAM_CHOICE && entry) {
                Py_DECREF(entry);
                PyObject *choices = PyTuple_New(0);
                for (int c = 0; choices && spec->choices[c]; c++) {
                    PyObject *s = PyUnicode_FromString(spec->choices[c]);
                    if (!s || _PyTuple_Resize(&choices, c + 1)) { Py_XDECREF(s); Py_CLEAR(choices); break; }
                    PyTuple_SET_ITEM(choices, c, s);
                }
                entry = choices ? Py_BuildValue("(sN)", kinds[spec->kind], choices) : NULL;
            }
            if (!entry || PyDict_SetItemString(params, spec->name, entry)) {
                Py_XDECREF(entry);
                Py_DECREF(params);
                goto error;
            }
            Py_DECREF(entry);
        }
        int rc = PyDict_SetItemString(out, all[i]->name, params);
        Py_DECREF(params);
        if (rc) goto error;
    }
    return out;
error:
    Py_XDECREF(out);
    return NULL;
}

static PyObject *py_build_info(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyUnicode_FromString(pmc_build_info());
}

static PyMethodDef methods[] = {
    {"fit", (PyCFunction)(void (*)(void))py_fit, METH_VARARGS | METH_KEYWORDS,
     "fit(estimator, params, X, y=None, sample_weight=None, init=None, n_threads=1, seed=0)"
     " -> dict of fitted arrays"},
    {"apply", (PyCFunction)(void (*)(void))py_apply, METH_VARARGS | METH_KEYWORDS,
     "apply(estimator, method, state, X, n_threads=1, out=None) -> ndarray (out if given)"},
    {"estimators", py_estimators, METH_NOARGS,
     "estimators() -> {name: {param: (kind, [choices])}}"},
    {"build_info", py_build_info, METH_NOARGS, "compiler, OpenMP and BLAS of this build"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core",
                                    "pymlcore's C core (see csrc/include/pmc/pmc.h)", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__core(void) {
    import_array();
    PyObject *threading = PyImport_ImportModule("threading");
    if (!threading) return NULL;
    PyObject *main_thread = PyObject_CallMethod(threading, "main_thread", NULL);
    Py_DECREF(threading);
    if (!main_thread) return NULL;
    PyObject *ident = PyObject_GetAttrString(main_thread, "ident");
    Py_DECREF(main_thread);
    if (!ident) return NULL;
    main_thread_ident = PyLong_AsUnsignedLong(ident);
    Py_DECREF(ident);
    if (PyErr_Occurred()) return NULL;
    PyObject *m = PyModule_Create(&module);
    /* Each family's bindings file contributes its own method table. */
    PyMethodDef *family_methods[] = {pmc_grouped_methods, pmc_metrics_methods,
                                     pmc_tune_methods, pmc_search_methods};
    for (size_t i = 0; m && i < sizeof family_methods / sizeof *family_methods; i++)
        if (PyModule_AddFunctions(m, family_methods[i])) Py_CLEAR(m);
    return m;
}
