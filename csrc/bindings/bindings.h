/* Helpers shared by the binding sources (module.c defines them): arrays -> views,
 * parameter dicts -> C structs, model state <-> dicts, status -> exception, and
 * the Ctrl-C guard.  Only binding code includes this (it needs Python.h). */
#ifndef PMC_BINDINGS_H
#define PMC_BINDINGS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifndef NPY_NO_DEPRECATED_API
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#endif
/* One NumPy C-API table for the whole extension, imported in module.c. */
#define PY_ARRAY_UNIQUE_SYMBOL pymlcore_ARRAY_API
#ifndef PMC_BINDINGS_MAIN
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <signal.h>

#include "pmc/pmc.h"

int view_from_array(PyObject *obj, const char *name, int allow_int, pmc_view *out);
int optional_view(PyObject *obj, const char *name, int allow_int, pmc_view *out);
int matrix_from_object(PyObject *obj, pmc_matrix *X);
PyObject *raise_status(pmc_status status);
int warn_convergence(const char *message);

typedef struct {
    int active;
    struct sigaction previous;
} interrupt_guard;
void guard_enter(interrupt_guard *g, pmc_ctx *ctx);
int guard_exit(interrupt_guard *g);

const pmc_estimator *find_estimator(const char *name);
int parse_params(const pmc_estimator *est, PyObject *dict, void *params);
int npy_type(pmc_dtype dtype);
PyObject *arrays_to_dict(const pmc_arrays *arrays);
int dict_to_arrays(PyObject *dict, pmc_arrays *arrays);
int import_model(const pmc_estimator *est, PyObject *state, pmc_model **model);
int resolve_threads(int n_threads);
int method_from_name(const char *s, pmc_method *out);

/* Each family's bindings file exports its methods as one table, which module.c
 * adds to _core at import. */
extern PyMethodDef pmc_grouped_methods[]; /* grouped.c: _core.fit_grouped, apply_grouped */
extern PyMethodDef pmc_metrics_methods[]; /* metrics.c: _core.metric_*, score, scorers */
extern PyMethodDef pmc_tune_methods[];    /* tune.c: _core.tpe_* */
extern PyMethodDef pmc_search_methods[];  /* search.c: _core.search, search_scorer */

#endif
