/* _core.search and _core.search_scorer: the bindings of the search engine
 * (csrc/include/pmc/search.h).  One call runs every (candidate, fold) task with
 * the GIL released; per-task failures come back as data. */
#include "bindings.h"

#include <string.h>

#include "pmc/search.h"

static const char *search_exception_name(pmc_status status) {
    switch (status) {
    case PMC_ERR_VALUE:
    case PMC_ERR_NUMERIC: return "ValueError";
    case PMC_ERR_MEMORY: return "MemoryError";
    case PMC_ERR_UNSUPPORTED: return "TypeError";
    default: return "RuntimeError";
    }
}

/* A list of 1-D int64 C-contiguous index arrays -> pmc_rows (views, no copy). */
static int rows_from_list(PyObject *list, const char *name, Py_ssize_t n, pmc_rows *rows) {
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != n) {
        PyErr_Format(PyExc_ValueError, "%s must be a list of %zd index arrays", name, n);
        return -1;
    }
    for (Py_ssize_t f = 0; f < n; f++) {
        PyObject *a = PyList_GET_ITEM(list, f);
        if (!PyArray_Check(a) || PyArray_TYPE((PyArrayObject *)a) != NPY_INT64 ||
            PyArray_NDIM((PyArrayObject *)a) != 1 ||
            !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)a) ||
            !PyArray_ISALIGNED((PyArrayObject *)a) || !PyArray_ISNOTSWAPPED((PyArrayObject *)a)) {
            PyErr_Format(PyExc_ValueError, "%s[%zd] must be a contiguous 1-D int64 array",
                         name, f);
            return -1;
        }
        rows[f].index = PyArray_DATA((PyArrayObject *)a);
        rows[f].start = 0;
        rows[f].n = PyArray_DIM((PyArrayObject *)a, 0);
    }
    return 0;
}

static const pmc_scorer *find_scorer(PyObject *name) {
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (!s) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "scorer names must be strings");
        return NULL;
    }
    const pmc_scorer *scorer = pmc_find_scorer(s);
    if (!scorer) PyErr_Format(PyExc_ValueError, "unknown C scorer '%s'", s);
    return scorer;
}

static PyObject *py_search_scorer(PyObject *self, PyObject *name) {
    (void)self;
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
    if (!s) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "name must be a string");
        return NULL;
    }
    const pmc_scorer *scorer = pmc_find_scorer(s);
    if (!scorer) Py_RETURN_NONE;
    const char *fallback = scorer->fallback_method >= 0 && scorer->fallback_method < PMC_N_METHODS
        ? pmc_method_name((pmc_method)scorer->fallback_method) : NULL;
    return Py_BuildValue("(szi)", pmc_method_name(scorer->method), fallback,
                         scorer->is_classification);
}

/* (test_scores, train_scores or None, fit_time, score_time, errors, warnings,
 *  test_flags, train_flags or None). */
static PyObject *collect(pmc_search_results *r, int64_t n_tasks, int n_scorers,
                         PyObject *test, PyObject *train, PyObject *fit_time,
                         PyObject *score_time, PyObject *test_flags, PyObject *train_flags) {
    PyObject *errors = PyList_New(0), *warnings = PyList_New(0), *out = NULL;
    if (!errors || !warnings) goto done;
    for (int64_t t = 0; t < n_tasks; t++) {
        PyObject *entry = NULL;
        if (r->message[t])
            entry = Py_BuildValue("(Lssi)", (long long)t, search_exception_name(r->status[t]),
                                  r->message[t], r->failed_in_fit[t]);
        else if (r->warning[t])
            entry = Py_BuildValue("(Ls)", (long long)t, r->warning[t]);
        else
            continue;
        if (!entry) goto done;
        int rc = PyList_Append(r->message[t] ? errors : warnings, entry);
        Py_DECREF(entry);
        if (rc) goto done;
    }
    (void)n_scorers;
    out = Py_BuildValue("(OOOOOOOO)", test, train ? train : Py_None, fit_time, score_time,
                        errors, warnings, test_flags, train_flags ? train_flags : Py_None);
done:
    Py_XDECREF(errors);
    Py_XDECREF(warnings);
    return out;
}

static PyObject *py_search(PyObject *self, PyObject *args, PyObject *kwargs) {
    (void)self;
    static char *keywords[] = {"steps", "params", "seeds", "X", "y", "sample_weight", "train",
                               "test", "scorers", "n_classes", "return_train_score",
                               "stop_on_error", "n_threads", "weighted_scores", NULL};
    PyObject *steps_obj, *params_obj, *seeds_obj, *X_obj, *y_obj, *w_obj, *train_obj, *test_obj,
        *scorers_obj;
    long long n_classes = 0;
    int return_train = 0, stop_on_error = 0, n_threads = 1, weighted_scores = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOOOOO|Lppip", keywords, &steps_obj,
                                     &params_obj, &seeds_obj, &X_obj, &y_obj, &w_obj,
                                     &train_obj, &test_obj, &scorers_obj, &n_classes,
                                     &return_train, &stop_on_error, &n_threads,
                                     &weighted_scores))
        return NULL;
    if (!PyList_Check(steps_obj) || PyList_GET_SIZE(steps_obj) < 1 || !PyList_Check(params_obj) ||
        !PyList_Check(train_obj) || !PyList_Check(scorers_obj) ||
        PyList_GET_SIZE(scorers_obj) < 1) {
        PyErr_SetString(PyExc_TypeError, "steps, params, train and scorers must be nonempty "
                        "lists (params may be empty)");
        return NULL;
    }
    Py_ssize_t n_steps = PyList_GET_SIZE(steps_obj), n_cand = PyList_GET_SIZE(params_obj);
    Py_ssize_t n_folds = PyList_GET_SIZE(train_obj), n_scorers = PyList_GET_SIZE(scorers_obj);
    int64_t n_tasks = (int64_t)n_cand * (int64_t)n_folds;
    PyObject *result = NULL, *test = NULL, *train = NULL, *fit_time = NULL, *score_time = NULL;
    PyObject *test_flags = NULL, *train_flags = NULL;
    const pmc_estimator **steps = PyMem_Calloc((size_t)n_steps, sizeof *steps);
    const pmc_scorer **scorers = PyMem_Calloc((size_t)n_scorers, sizeof *scorers);
    void **params = PyMem_Calloc((size_t)(n_cand * n_steps + 1), sizeof *params);
    pmc_rows *train_rows = PyMem_Calloc((size_t)n_folds + 1, sizeof *train_rows);
    pmc_rows *test_rows = PyMem_Calloc((size_t)n_folds + 1, sizeof *test_rows);
    size_t n_slots = (size_t)(n_tasks > 0 ? n_tasks : 1);
    pmc_status *status_arr = PyMem_Calloc(n_slots, sizeof *status_arr);
    int *in_fit = PyMem_Calloc(n_slots, sizeof *in_fit);
    char **messages = PyMem_Calloc(n_slots, sizeof *messages);
    char **warnings = PyMem_Calloc(n_slots, sizeof *warnings);
    pmc_search_results res;
    memset(&res, 0, sizeof res);
    if (!steps || !scorers || !params || !train_rows || !test_rows || !status_arr || !in_fit ||
        !messages || !warnings) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t s = 0; s < n_steps; s++) {
        PyObject *name = PyList_GET_ITEM(steps_obj, s);
        const char *str = PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
        if (!str) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "steps must be names");
            goto done;
        }
        if (!(steps[s] = find_estimator(str))) goto done;
    }
    for (Py_ssize_t k = 0; k < n_scorers; k++)
        if (!(scorers[k] = find_scorer(PyList_GET_ITEM(scorers_obj, k)))) goto done;
    /* Each candidate's parameter structs; view parameters borrow from the dicts,
     * which `params_obj` keeps alive for the whole call. */
    for (Py_ssize_t c = 0; c < n_cand; c++) {
        PyObject *blocks = PyList_GET_ITEM(params_obj, c);
        if (!PyList_Check(blocks) || PyList_GET_SIZE(blocks) != n_steps) {
            PyErr_Format(PyExc_ValueError, "params[%zd] must be a list of %zd dicts", c, n_steps);
            goto done;
        }
        for (Py_ssize_t s = 0; s < n_steps; s++) {
            void *p = PyMem_Calloc(1, steps[s]->params_size ? steps[s]->params_size : 1);
            if (!p) {
                PyErr_NoMemory();
                goto done;
            }
            params[c * n_steps + s] = p;
            if (parse_params(steps[s], PyList_GET_ITEM(blocks, s), p)) goto done;
        }
    }
    if (!PyArray_Check(seeds_obj) || PyArray_TYPE((PyArrayObject *)seeds_obj) != NPY_UINT64 ||
        !PyArray_IS_C_CONTIGUOUS((PyArrayObject *)seeds_obj) ||
        PyArray_SIZE((PyArrayObject *)seeds_obj) != n_cand * n_steps) {
        PyErr_Format(PyExc_ValueError, "seeds must be a contiguous uint64 array of %zd values",
                     n_cand * n_steps);
        goto done;
    }
    pmc_data data;
    memset(&data, 0, sizeof data);
    if (matrix_from_object(X_obj, &data.X) || optional_view(y_obj, "y", 1, &data.y) ||
        optional_view(w_obj, "sample_weight", 0, &data.weight) ||
        rows_from_list(train_obj, "train", n_folds, train_rows) ||
        rows_from_list(test_obj, "test", n_folds, test_rows))
        goto done;
    npy_intp dims[2] = {(npy_intp)n_tasks, (npy_intp)n_scorers};
    test = PyArray_SimpleNew(2, dims, NPY_FLOAT64);
    train = return_train ? PyArray_SimpleNew(2, dims, NPY_FLOAT64) : NULL;
    fit_time = PyArray_SimpleNew(1, dims, NPY_FLOAT64);
    score_time = PyArray_SimpleNew(1, dims, NPY_FLOAT64);
    test_flags = PyArray_SimpleNew(2, dims, NPY_UINT);
    train_flags = return_train ? PyArray_SimpleNew(2, dims, NPY_UINT) : NULL;
    if (!test || (return_train && !train) || !fit_time || !score_time || !test_flags ||
        (return_train && !train_flags))
        goto done;
    res.test_scores = PyArray_DATA((PyArrayObject *)test);
    res.train_scores = train ? PyArray_DATA((PyArrayObject *)train) : NULL;
    res.test_warnings = PyArray_DATA((PyArrayObject *)test_flags);
    res.train_warnings = train_flags ? PyArray_DATA((PyArrayObject *)train_flags) : NULL;
    res.fit_time = PyArray_DATA((PyArrayObject *)fit_time);
    res.score_time = PyArray_DATA((PyArrayObject *)score_time);
    res.status = status_arr;
    res.failed_in_fit = in_fit;
    res.message = messages;
    res.warning = warnings;
    pmc_search_spec spec = {
        .n_steps = (int)n_steps, .steps = steps, .n_candidates = n_cand,
        .params = (const void *const *)params, .seeds = PyArray_DATA((PyArrayObject *)seeds_obj),
        .n_folds = n_folds, .train = train_rows, .test = test_rows, .n_scorers = (int)n_scorers,
        .scorers = scorers, .n_classes = n_classes, .return_train_score = return_train,
        .stop_on_error = stop_on_error, .weighted_scores = weighted_scores};
    pmc_ctx ctx = pmc_ctx_default();
    ctx.n_threads = resolve_threads(n_threads);
    interrupt_guard guard;
    guard_enter(&guard, &ctx);
    pmc_status status;
    Py_BEGIN_ALLOW_THREADS
    pmc_clear_error();
    status = pmc_search_run(&spec, &data, &ctx, &res);
    Py_END_ALLOW_THREADS
    if (guard_exit(&guard)) goto done;
    if (status != PMC_OK) {
        raise_status(status);
        goto done;
    }
    result = collect(&res, n_tasks, (int)n_scorers, test, train, fit_time, score_time,
                     test_flags, train_flags);
done:
    if (messages && warnings) pmc_search_free_messages(&res, res.message ? n_tasks : 0);
    if (params)
        for (Py_ssize_t i = 0; i < n_cand * n_steps; i++) PyMem_Free(params[i]);
    PyMem_Free(params);
    PyMem_Free(steps);
    PyMem_Free(scorers);
    PyMem_Free(train_rows);
    PyMem_Free(test_rows);
    PyMem_Free(status_arr);
    PyMem_Free(in_fit);
    PyMem_Free(messages);
    PyMem_Free(warnings);
    Py_XDECREF(test);
    Py_XDECREF(train);
    Py_XDECREF(fit_time);
    Py_XDECREF(score_time);
    Py_XDECREF(test_flags);
    Py_XDECREF(train_flags);
    return result;
}

PyMethodDef pmc_search_methods[] = {
    {"search", (PyCFunction)(void (*)(void))py_search, METH_VARARGS | METH_KEYWORDS,
     "search(steps, params, seeds, X, y, sample_weight, train, test, scorers, n_classes=0,"
     " return_train_score=False, stop_on_error=False, n_threads=1, weighted_scores=False)"
     " -> (test_scores, train_scores, fit_time, score_time, errors, warnings, test_flags,"
     " train_flags): flags are the scorers' PMC_SCORE_WARN_* bits"},
    {"search_scorer", py_search_scorer, METH_O,
     "search_scorer(name) -> (method, fallback method or None, is_classification) or None"},
    {NULL, NULL, 0, NULL}};
