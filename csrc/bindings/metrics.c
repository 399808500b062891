/* _core.metric_* and _core.score: the bindings of pmc/metrics.h.  Python
 * (pymlcore.metrics) validates and encodes; these only make views, release the
 * GIL, call C and map the status. */
#include "bindings.h"

#include <string.h>

#include "pmc/metrics.h"

/* y_true, y_pred/y_score and sample_weight (None allowed) as views. */
static int pair_views(PyObject *t, PyObject *p, PyObject *w, const char *pname, pmc_view *vt,
                      pmc_view *vp, pmc_view *vw) {
    if (view_from_array(t, "y_true", 1, vt) || view_from_array(p, pname, 1, vp) ||
        optional_view(w, "sample_weight", 1, vw))
        return -1;
    if (vp->shape[0] != vt->shape[0]) {
        PyErr_Format(PyExc_ValueError, "%s has %lld rows, y_true %lld", pname,
                     (long long)vp->shape[0], (long long)vt->shape[0]);
        return -1;
    }
    return 0;
}

static PyObject *new_vector(int64_t n) {
    npy_intp dims[1] = {(npy_intp)n};
    return PyArray_SimpleNew(1, dims, NPY_FLOAT64);
}
#define DATA(a) ((double *)PyArray_DATA((PyArrayObject *)(a)))

#define CALL(expr)                      \
    do {                                \
        Py_BEGIN_ALLOW_THREADS          \
        status = (expr);                \
        Py_END_ALLOW_THREADS            \
    } while (0)

static PyObject *py_metric_accuracy(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    if (!PyArg_ParseTuple(args, "OOO", &t, &p, &w)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    double correct = 0, total = 0;
    pmc_status status;
    CALL(pmc_metrics_accuracy(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, &correct, &total));
    if (status != PMC_OK) return raise_status(status);
    return Py_BuildValue("(dd)", correct, total);
}

static PyObject *py_metric_class_counts(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    long long n_classes;
    if (!PyArg_ParseTuple(args, "OOOL", &t, &p, &w, &n_classes)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    if (n_classes < 1) {
        PyErr_SetString(PyExc_ValueError, "n_classes must be >= 1");
        return NULL;
    }
    PyObject *tp = new_vector(n_classes), *ts = new_vector(n_classes),
             *ps = new_vector(n_classes), *out = NULL;
    if (tp && ts && ps) {
        pmc_status status;
        CALL(pmc_metrics_class_counts(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, n_classes,
                                      DATA(tp), DATA(ts), DATA(ps)));
        if (status != PMC_OK) raise_status(status);
        else out = PyTuple_Pack(3, tp, ts, ps);
    }
    Py_XDECREF(tp);
    Py_XDECREF(ts);
    Py_XDECREF(ps);
    return out;
}

static PyObject *py_metric_multilabel_counts(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    if (!PyArg_ParseTuple(args, "OOO", &t, &p, &w)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    const int64_t k = vt.ndim == 2 ? vt.shape[1] : 1;
    PyObject *tp = new_vector(k), *ts = new_vector(k), *ps = new_vector(k), *out = NULL;
    if (tp && ts && ps) {
        pmc_status status;
        CALL(pmc_metrics_multilabel_counts(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, DATA(tp),
                                           DATA(ts), DATA(ps)));
        if (status != PMC_OK) raise_status(status);
        else out = PyTuple_Pack(3, tp, ts, ps);
    }
    Py_XDECREF(tp);
    Py_XDECREF(ts);
    Py_XDECREF(ps);
    return out;
}

static PyObject *py_metric_confusion_matrix(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    long long n_classes;
    if (!PyArg_ParseTuple(args, "OOOL", &t, &p, &w, &n_classes)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    if (n_classes < 1) {
        PyErr_SetString(PyExc_ValueError, "n_classes must be >= 1");
        return NULL;
    }
    npy_intp dims[2] = {(npy_intp)n_classes, (npy_intp)n_classes};
    PyObject *cm = PyArray_SimpleNew(2, dims, NPY_FLOAT64);
    if (!cm) return NULL;
    pmc_status status;
    CALL(pmc_metrics_confusion_matrix(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, n_classes,
                                      DATA(cm)));
    if (status != PMC_OK) {
        Py_DECREF(cm);
        return raise_status(status);
    }
    return cm;
}

static PyObject *py_metric_binary_curve(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *s, *w;
    double pos_label;
    if (!PyArg_ParseTuple(args, "OOOd", &t, &s, &w, &pos_label)) return NULL;
    pmc_view vt, vs, vw;
    if (pair_views(t, s, w, "y_score", &vt, &vs, &vw)) return NULL;
    const int64_t n = vt.shape[0];
    PyObject *fps = new_vector(n), *tps = new_vector(n), *thr = new_vector(n), *out = NULL;
    if (fps && tps && thr) {
        pmc_status status;
        int64_t n_points = 0;
        CALL(pmc_metrics_binary_curve(&vt, &vw, pmc_rows_all(n), &vs, pos_label, DATA(fps),
                                      DATA(tps), DATA(thr), &n_points));
        if (status != PMC_OK) {
            raise_status(status);
        } else {
            /* Trimmed to the points written: slices of the buffers, no copy. */
            PyObject *stop = PyLong_FromLongLong(n_points);
            PyObject *slice = stop ? PySlice_New(NULL, stop, NULL) : NULL;
            Py_XDECREF(stop);
            if (slice) {
                PyObject *a = PyObject_GetItem(fps, slice), *b = PyObject_GetItem(tps, slice),
                         *c = PyObject_GetItem(thr, slice);
                if (a && b && c) out = PyTuple_Pack(3, a, b, c);
                Py_XDECREF(a);
                Py_XDECREF(b);
                Py_XDECREF(c);
                Py_DECREF(slice);
            }
        }
    }
    Py_XDECREF(fps);
    Py_XDECREF(tps);
    Py_XDECREF(thr);
    return out;
}

/* f(y_true, y_score, sample_weight, pos_label) -> float */
static PyObject *binary_score(PyObject *args,
                              pmc_status (*fn)(const pmc_view *, const pmc_view *, pmc_rows,
                                               const pmc_view *, double, double *)) {
    PyObject *t, *s, *w;
    double pos_label;
    if (!PyArg_ParseTuple(args, "OOOd", &t, &s, &w, &pos_label)) return NULL;
    pmc_view vt, vs, vw;
    if (pair_views(t, s, w, "y_score", &vt, &vs, &vw)) return NULL;
    double out = 0;
    pmc_status status;
    CALL(fn(&vt, &vw, pmc_rows_all(vt.shape[0]), &vs, pos_label, &out));
    if (status != PMC_OK) return raise_status(status);
    return PyFloat_FromDouble(out);
}

static PyObject *py_metric_roc_auc(PyObject *self, PyObject *args) {
    (void)self;
    return binary_score(args, pmc_metrics_roc_auc);
}
static PyObject *py_metric_average_precision(PyObject *self, PyObject *args) {
    (void)self;
    return binary_score(args, pmc_metrics_average_precision);
}
static PyObject *py_metric_brier(PyObject *self, PyObject *args) {
    (void)self;
    return binary_score(args, pmc_metrics_brier);
}

static PyObject *py_metric_roc_auc_multiclass(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *s, *w;
    long long n_classes;
    int ovo, weighted;
    if (!PyArg_ParseTuple(args, "OOOLpp", &t, &s, &w, &n_classes, &ovo, &weighted)) return NULL;
    pmc_view vt, vs, vw;
    if (pair_views(t, s, w, "y_score", &vt, &vs, &vw)) return NULL;
    double out = 0;
    pmc_status status;
    CALL(pmc_metrics_roc_auc_multiclass(&vt, &vw, pmc_rows_all(vt.shape[0]), &vs, n_classes,
                                        ovo, weighted, &out));
    if (status != PMC_OK) return raise_status(status);
    return PyFloat_FromDouble(out);
}

static PyObject *py_metric_auc(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *x, *y;
    if (!PyArg_ParseTuple(args, "OO", &x, &y)) return NULL;
    pmc_view vx, vy;
    if (view_from_array(x, "x", 1, &vx) || view_from_array(y, "y", 1, &vy)) return NULL;
    double out = 0;
    pmc_status status;
    CALL(pmc_metrics_auc(&vx, &vy, &out));
    if (status != PMC_OK) return raise_status(status);
    return PyFloat_FromDouble(out);
}

static PyObject *py_metric_log_loss(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    double eps;
    int normalize;
    if (!PyArg_ParseTuple(args, "OOOdp", &t, &p, &w, &eps, &normalize)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_proba", &vt, &vp, &vw)) return NULL;
    double out = 0;
    pmc_status status;
    CALL(pmc_metrics_log_loss(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, eps, normalize, &out));
    if (status != PMC_OK) return raise_status(status);
    return PyFloat_FromDouble(out);
}

static PyObject *py_metric_regression(PyObject *self, PyObject *args) {
    (void)self;
    int loss;
    PyObject *t, *p, *w;
    if (!PyArg_ParseTuple(args, "iOOO", &loss, &t, &p, &w)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    PyObject *out = new_vector(vt.ndim == 2 ? vt.shape[1] : 1);
    if (!out) return NULL;
    pmc_status status;
    CALL(pmc_metrics_regression((pmc_regression_loss)loss, &vt, &vw, pmc_rows_all(vt.shape[0]),
                                &vp, DATA(out)));
    if (status != PMC_OK) {
        Py_DECREF(out);
        return raise_status(status);
    }
    return out;
}

static PyObject *py_metric_r2_parts(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *t, *p, *w;
    if (!PyArg_ParseTuple(args, "OOO", &t, &p, &w)) return NULL;
    pmc_view vt, vp, vw;
    if (pair_views(t, p, w, "y_pred", &vt, &vp, &vw)) return NULL;
    const int64_t k = vt.ndim == 2 ? vt.shape[1] : 1;
    PyObject *num = new_vector(k), *den = new_vector(k), *out = NULL;
    if (num && den) {
        pmc_status status;
        CALL(pmc_metrics_r2_parts(&vt, &vw, pmc_rows_all(vt.shape[0]), &vp, DATA(num),
                                  DATA(den)));
        if (status != PMC_OK) raise_status(status);
        else out = PyTuple_Pack(2, num, den);
    }
    Py_XDECREF(num);
    Py_XDECREF(den);
    return out;
}

/* score(name, y_true, sample_weight, rows, output, n_classes): one C scorer call as
 * a C driver makes it (rows: None for all rows of y_true, or an int64 index array). */
static PyObject *py_score(PyObject *self, PyObject *args) {
    (void)self;
    const char *name;
    PyObject *t, *w, *r, *o;
    long long n_classes;
    if (!PyArg_ParseTuple(args, "sOOOOL", &name, &t, &w, &r, &o, &n_classes)) return NULL;
    const pmc_scorer *scorer = pmc_find_scorer(name);
    if (!scorer) {
        PyErr_Format(PyExc_ValueError, "unknown scorer %R", PyTuple_GET_ITEM(args, 0));
        return NULL;
    }
    pmc_view vt, vw, vo, vr;
    if (view_from_array(t, "y_true", 1, &vt) || optional_view(w, "sample_weight", 1, &vw) ||
        view_from_array(o, "output", 1, &vo) || optional_view(r, "rows", 1, &vr))
        return NULL;
    pmc_rows rows = pmc_rows_all(vt.shape[0]);
    if (vr.ndim != 0) {
        if (vr.ndim != 1 || vr.dtype != PMC_INT64 || vr.strides[0] != (int64_t)sizeof(int64_t)) {
            PyErr_SetString(PyExc_ValueError, "rows must be a contiguous 1-D int64 array");
            return NULL;
        }
        rows.index = (const int64_t *)vr.data;
        rows.n = vr.shape[0];
    }
    if (vo.shape[0] != rows.n) {
        PyErr_Format(PyExc_ValueError, "output has %lld rows, rows selects %lld",
                     (long long)vo.shape[0], (long long)rows.n);
        return NULL;
    }
    double out = 0;
    unsigned warnings = 0; /* raised by the search engine's caller, not here */
    pmc_status status;
    CALL(scorer->score(&vt, &vw, rows, &vo, n_classes, &out, &warnings));
    if (status != PMC_OK) return raise_status(status);
    return PyFloat_FromDouble(out);
}

/* scorers() -> [(name, method, fallback_method or None, is_classification)] */
static PyObject *py_scorers(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    int n;
    const pmc_scorer *const *all = pmc_scorers(&n);
    PyObject *out = PyList_New(n);
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        const pmc_scorer *s = all[i];
        PyObject *fallback = s->fallback_method < 0
            ? Py_NewRef(Py_None)
            : PyUnicode_FromString(pmc_method_name((pmc_method)s->fallback_method));
        PyObject *item = fallback ? Py_BuildValue("(ssNO)", s->name, pmc_method_name(s->method),
                                                  fallback, s->is_classification ? Py_True
                                                                                 : Py_False)
                                  : NULL;
        if (!item) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, item);
    }
    return out;
}

PyMethodDef pmc_metrics_methods[] = {
    {"metric_accuracy", py_metric_accuracy, METH_VARARGS,
     "metric_accuracy(y_true, y_pred, sample_weight) -> (correct, total)"},
    {"metric_class_counts", py_metric_class_counts, METH_VARARGS,
     "metric_class_counts(y_true, y_pred, sample_weight, n_classes) -> (tp, true_sum, pred_sum)"},
    {"metric_multilabel_counts", py_metric_multilabel_counts, METH_VARARGS,
     "metric_multilabel_counts(y_true, y_pred, sample_weight) -> (tp, true_sum, pred_sum)"},
    {"metric_confusion_matrix", py_metric_confusion_matrix, METH_VARARGS,
     "metric_confusion_matrix(y_true, y_pred, sample_weight, n_classes) -> float64 matrix"},
    {"metric_binary_curve", py_metric_binary_curve, METH_VARARGS,
     "metric_binary_curve(y_true, y_score, sample_weight, pos_label) -> (fps, tps, thresholds)"},
    {"metric_roc_auc", py_metric_roc_auc, METH_VARARGS,
     "metric_roc_auc(y_true, y_score, sample_weight, pos_label) -> float (nan: one class)"},
    {"metric_roc_auc_multiclass", py_metric_roc_auc_multiclass, METH_VARARGS,
     "metric_roc_auc_multiclass(y_true, proba, sample_weight, n_classes, ovo, weighted) -> float"},
    {"metric_average_precision", py_metric_average_precision, METH_VARARGS,
     "metric_average_precision(y_true, y_score, sample_weight, pos_label) -> float"},
    {"metric_brier", py_metric_brier, METH_VARARGS,
     "metric_brier(y_true, proba, sample_weight, pos_label) -> float (not halved)"},
    {"metric_auc", py_metric_auc, METH_VARARGS, "metric_auc(x, y) -> float"},
    {"metric_log_loss", py_metric_log_loss, METH_VARARGS,
     "metric_log_loss(y_true, proba, sample_weight, eps, normalize) -> float"},
    {"metric_regression", py_metric_regression, METH_VARARGS,
     "metric_regression(loss, y_true, y_pred, sample_weight) -> per-output means"},
    {"metric_r2_parts", py_metric_r2_parts, METH_VARARGS,
     "metric_r2_parts(y_true, y_pred, sample_weight) -> (numerator, denominator)"},
    {"score", py_score, METH_VARARGS,
     "score(name, y_true, sample_weight, rows, output, n_classes) -> float (a C scorer)"},
    {"scorers", py_scorers, METH_NOARGS,
     "scorers() -> [(name, method, fallback_method, is_classification)]"},
    {NULL, NULL, 0, NULL}};
