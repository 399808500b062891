/* _core.fit_grouped and _core.apply_grouped: the bindings of the grouped engine
 * (csrc/include/pmc/grouped.h).  One call fits or applies every group with the GIL
 * released; per-group failures come back as data, not exceptions. */
#include "bindings.h"

#include <string.h>

#include "pmc/grouped.h"

/* An optional 1-element writeable array of `type` whose data C reads or writes
 * while the GIL is released (the progress counter, the cancel flag). */
static int control_cell(PyObject *obj, const char *name, int type, void **out) {
    *out = NULL;
    if (obj == Py_None) return 0;
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != type ||
        PyArray_SIZE((PyArrayObject *)obj) < 1 || !PyArray_ISWRITEABLE((PyArrayObject *)obj) ||
        !PyArray_ISALIGNED((PyArrayObject *)obj)) {
        PyErr_Format(PyExc_ValueError, "%s must be a writeable, aligned 1-element %s array", name,
                     type == NPY_INT64 ? "int64" : "int32");
        return -1;
    }
    *out = PyArray_DATA((PyArrayObject *)obj);
    return 0;
}

/* The codes as a view, checked, and the group index built from them. */
static int build_groups(PyObject *codes_obj, int64_t n_rows, int64_t n_groups, pmc_view *codes,
                        pmc_groups *groups) {
    if (view_from_array(codes_obj, "codes", 1, codes)) return -1;
    if (codes->ndim != 1 || (codes->dtype != PMC_INT64 && codes->dtype != PMC_INT32) ||
        codes->shape[0] != n_rows) {
        PyErr_Format(PyExc_ValueError, "codes must be a 1-D integer array of %lld values",
                     (long long)n_rows);
        return -1;
    }
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    status = pmc_grouped_index(codes, n_groups, groups);
    Py_END_ALLOW_THREADS
    if (status != PMC_OK) {
        raise_status(status);
        return -1;
    }
    return 0;
}

static const char *exception_name(pmc_status status) {
    switch (status) {
    case PMC_ERR_VALUE:
    case PMC_ERR_NUMERIC: return "ValueError";
    case PMC_ERR_MEMORY: return "MemoryError";
    case PMC_ERR_UNSUPPORTED: return "TypeError";
    default: return "RuntimeError";
    }
}

/* Cancellation: a caller running this in a worker thread passes `cancel` (the
 * main thread sets it on Ctrl-C); otherwise, in the main thread, the SIGINT guard. */
static void start_run(interrupt_guard *guard, pmc_ctx *ctx, int *cancel) {
    guard->active = 0;
    if (cancel) ctx->interrupt = cancel;
    else guard_enter(guard, ctx);
}

/* Builds (states, errors, warnings) from the per-group results. */
static PyObject *collect_results(const pmc_estimator *est, pmc_group_result *results,
                                 int64_t n_groups) {
    PyObject *states = PyList_New((Py_ssize_t)n_groups);
    PyObject *errors = PyList_New(0), *warnings = PyList_New(0), *out = NULL;
    if (!states || !errors || !warnings) goto done;
    for (int64_t g = 0; g < n_groups; g++) {
        pmc_group_result *r = &results[g];
        PyObject *item;
        if (r->model) {
            pmc_arrays exported;
            memset(&exported, 0, sizeof exported);
            pmc_status status = est->export_arrays(r->model, &exported);
            if (status != PMC_OK) {
                raise_status(status);
                goto done;
            }
            item = arrays_to_dict(&exported);
            if (!item) goto done;
        } else {
            item = Py_NewRef(Py_None);
        }
        PyList_SET_ITEM(states, (Py_ssize_t)g, item);
        if (r->message) {
            PyObject *entry = r->warned
                ? Py_BuildValue("(Ls)", (long long)g, r->message)
                : Py_BuildValue("(Lss)", (long long)g, exception_name(r->status), r->message);
            if (!entry) goto done;
            int rc = PyList_Append(r->warned ? warnings : errors, entry);
            Py_DECREF(entry);
            if (rc) goto done;
        }
    }
    out = PyTuple_Pack(3, states, errors, warnings);
done:
    Py_XDECREF(states);
    Py_XDECREF(errors);
    Py_XDECREF(warnings);
    return out;
}

static PyObject *py_fit_grouped(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"estimator", "params", "X", "y", "sample_weight", "codes",
                               "n_groups", "key_hash", "n_threads", "seed", "progress",
                               "cancel", NULL};
    const char *name;
    PyObject *params_dict, *X_obj, *y_obj, *w_obj, *codes_obj, *hash_obj;
    PyObject *progress_obj = Py_None, *cancel_obj = Py_None;
    long long n_groups;
    int n_threads = 1;
    unsigned long long seed = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sOOOOOLO|iKOO", keywords, &name,
                                     &params_dict, &X_obj, &y_obj, &w_obj, &codes_obj,
                                     &n_groups, &hash_obj, &n_threads, &seed, &progress_obj,
                                     &cancel_obj))
        return NULL;
    const pmc_estimator *est = find_estimator(name);
    if (!est) return NULL;
    if (n_groups < 0) {
        PyErr_SetString(PyExc_ValueError, "n_groups must be >= 0");
        return NULL;
    }
    PyObject *result = NULL;
    pmc_group_result *results = NULL;
    pmc_groups groups;
    memset(&groups, 0, sizeof groups);
    void *params = PyMem_Calloc(1, est->params_size ? est->params_size : 1);
    if (!params) return PyErr_NoMemory();
    pmc_data data;
    memset(&data, 0, sizeof data);
    pmc_view codes, key_hash;
    int64_t *progress;
    int *cancel;
    if (parse_params(est, params_dict, params) || matrix_from_object(X_obj, &data.X) ||
        optional_view(y_obj, "y", 1, &data.y) ||
        optional_view(w_obj, "sample_weight", 0, &data.weight) ||
        optional_view(hash_obj, "key_hash", 1, &key_hash) ||
        control_cell(progress_obj, "progress", NPY_INT64, (void **)&progress) ||
        control_cell(cancel_obj, "cancel", NPY_INT32, (void **)&cancel) ||
        build_groups(codes_obj, data.X.n_rows, n_groups, &codes, &groups))
        goto done;
    results = PyMem_Calloc((size_t)(n_groups > 0 ? n_groups : 1), sizeof *results);
    if (!results) {
        PyErr_NoMemory();
        goto done;
    }
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = resolve_threads(n_threads);
    ctx.seed = seed;
    interrupt_guard guard;
    start_run(&guard, &ctx, cancel);
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    pmc_clear_error();
    status = pmc_grouped_fit(est, params, &data, &groups, &key_hash, &ctx, progress, results);
    Py_END_ALLOW_THREADS
    if (guard_exit(&guard)) goto done;
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    result = collect_results(est, results, n_groups);
done:
    pmc_grouped_free_results(est, results, n_groups);
    PyMem_Free(results);
    pmc_grouped_free_index(&groups);
    PyMem_Free(params);
    return result;
}

static PyObject *py_apply_grouped(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"estimator", "method", "states", "X", "codes", "n_threads",
                               "progress", "cancel", "fortran", NULL};
    const char *name, *method_name;
    PyObject *states, *X_obj, *codes_obj, *progress_obj = Py_None, *cancel_obj = Py_None;
    int n_threads = 1, fortran = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ssOOO|iOOp", keywords, &name, &method_name,
                                     &states, &X_obj, &codes_obj, &n_threads, &progress_obj,
                                     &cancel_obj, &fortran))
        return NULL;
    const pmc_estimator *est = find_estimator(name);
    pmc_method method;
    if (!est || method_from_name(method_name, &method)) return NULL;
    if (!PyList_Check(states)) {
        PyErr_SetString(PyExc_TypeError, "states must be a list of state dicts or None");
        return NULL;
    }
    Py_ssize_t n_groups = PyList_GET_SIZE(states);
    PyObject *result = NULL;
    pmc_model **models = PyMem_Calloc((size_t)(n_groups > 0 ? n_groups : 1), sizeof *models);
    if (!models) return PyErr_NoMemory();
    pmc_groups groups;
    memset(&groups, 0, sizeof groups);
    pmc_matrix X;
    pmc_view codes, out;
    int64_t *progress;
    int *cancel;
    if (matrix_from_object(X_obj, &X) ||
        control_cell(progress_obj, "progress", NPY_INT64, (void **)&progress) ||
        control_cell(cancel_obj, "cancel", NPY_INT32, (void **)&cancel) ||
        build_groups(codes_obj, X.n_rows, n_groups, &codes, &groups))
        goto done;
    /* Each group's model is imported (and validated) once. */
    Py_ssize_t first = -1;
    for (Py_ssize_t g = 0; g < n_groups; g++) {
        PyObject *state = PyList_GET_ITEM(states, g);
        if (state == Py_None) continue;
        if (import_model(est, state, &models[g])) goto done;
        if (first < 0) first = g;
    }
    if (first < 0) {
        PyErr_SetString(PyExc_ValueError, "states holds no fitted model");
        goto done;
    }
    int64_t n_cols;
    pmc_dtype dtype;
    pmc_status status = est->output_shape(models[first], method, pmc_matrix_dtype(&X), &n_cols,
                                          &dtype);
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    npy_intp dims[2] = {(npy_intp)X.n_rows, (npy_intp)n_cols};
    /* fortran: column-major output, so that each output column is contiguous (a
     * DataFrame can then hold the columns without copying them). */
    result = PyArray_EMPTY(n_cols > 0 ? 2 : 1, dims, npy_type(dtype), fortran);
    if (!result || view_from_array(result, "out", 0, &out)) goto fail;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = resolve_threads(n_threads);
    interrupt_guard guard;
    start_run(&guard, &ctx, cancel);
    Py_BEGIN_ALLOW_THREADS
    pmc_clear_error();
    status = pmc_grouped_apply(est, models, method, &X, &groups, &codes, &ctx, progress, &out);
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
    for (Py_ssize_t g = 0; g < n_groups; g++)
        if (models[g]) est->free(&models[g]);
    PyMem_Free(models);
    pmc_grouped_free_index(&groups);
    return result;
}

PyMethodDef pmc_grouped_methods[] = {
    {"fit_grouped", (PyCFunction)(void (*)(void))py_fit_grouped, METH_VARARGS | METH_KEYWORDS,
     "fit_grouped(estimator, params, X, y, sample_weight, codes, n_groups, key_hash, n_threads=1,"
     " seed=0, progress=None, cancel=None) -> (states, errors, warnings)"},
    {"apply_grouped", (PyCFunction)(void (*)(void))py_apply_grouped, METH_VARARGS | METH_KEYWORDS,
     "apply_grouped(estimator, method, states, X, codes, n_threads=1, progress=None, cancel=None)"
     " -> ndarray"},
    {NULL, NULL, 0, NULL}};
