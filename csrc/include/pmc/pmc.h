/* pymlcore's public C API: status codes, views, random streams, threads and the
 * estimator table that every C estimator registers.  Nothing here includes Python. */
#ifndef PMC_PMC_H
#define PMC_PMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status and errors ------------------------------------------------- */

typedef enum {
    PMC_OK = 0,
    PMC_ERR_VALUE = 1,       /* invalid input or parameter -> ValueError */
    PMC_ERR_MEMORY = 2,      /* allocation failed -> MemoryError */
    PMC_ERR_UNSUPPORTED = 3, /* method or input kind the estimator lacks -> TypeError */
    PMC_ERR_INTERRUPTED = 4, /* the interrupt flag was raised -> KeyboardInterrupt */
    PMC_ERR_NUMERIC = 5,     /* numerical breakdown (singular system...) -> ValueError */
    PMC_ERR_INTERNAL = 6     /* a bug -> RuntimeError */
} pmc_status;

/* Records `status` with a printf-style message in the calling thread's buffer and
 * returns `status`, so that `return pmc_fail(PMC_ERR_VALUE, "...")` reads naturally. */
pmc_status pmc_fail(pmc_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The message of the last failure in this thread ("" if none). */
const char *pmc_last_error(void);
void pmc_clear_error(void);

/* ---- views ---------------------------------------------------------------- */

typedef enum { PMC_FLOAT32 = 0, PMC_FLOAT64 = 1, PMC_INT32 = 2, PMC_INT64 = 3 } pmc_dtype;

/* A borrowed, strided, at most 2-D array.  Strides are in bytes and may be any
 * value (C order, Fortran order, slices).  A 1-D view has shape[1] == 1 and
 * strides[1] == 0 so that element (i, 0) addresses it uniformly.  Functions that
 * take a `const pmc_view *` never write through `data`. */
typedef struct {
    void *data;
    pmc_dtype dtype;
    int ndim;
    int64_t shape[2];
    int64_t strides[2];
} pmc_view;

size_t pmc_dtype_size(pmc_dtype dtype);
const char *pmc_dtype_name(pmc_dtype dtype);
pmc_view pmc_view_1d(void *data, pmc_dtype dtype, int64_t n);
pmc_view pmc_view_2d(void *data, pmc_dtype dtype, int64_t n_rows, int64_t n_cols); /* C order */
int pmc_view_is_c_contiguous(const pmc_view *v);
int pmc_view_is_f_contiguous(const pmc_view *v);
/* Element (i, j) converted to double; the slow but general accessor. */
double pmc_view_get(const pmc_view *v, int64_t i, int64_t j);
/* Checks dtype/ndim/shape; `name` is used in the message.  Pass -1 to skip a dim. */
pmc_status pmc_view_check(const pmc_view *v, const char *name, int float_only, int ndim,
                          int64_t rows, int64_t cols);

/* A feature matrix: dense, or CSR made of three 1-D views (data float, indices and
 * indptr int32 or int64). */
typedef struct {
    int is_sparse;
    int64_t n_rows, n_cols;
    pmc_view dense;
    pmc_view data, indices, indptr;
} pmc_matrix;

pmc_matrix pmc_matrix_dense(pmc_view X);
pmc_dtype pmc_matrix_dtype(const pmc_matrix *X);
/* Validates shapes and, for CSR, that indptr is monotone and every index is in range. */
pmc_status pmc_matrix_check(const pmc_matrix *X, const char *name);

/* The rows a fit or a prediction sees: a CV fold, a group, or everything. */
typedef struct {
    const int64_t *index; /* NULL: the contiguous range [start, start + n) */
    int64_t start, n;
} pmc_rows;

static inline pmc_rows pmc_rows_all(int64_t n) { pmc_rows r = {NULL, 0, n}; return r; }
static inline int64_t pmc_row_at(const pmc_rows *r, int64_t i) {
    return r->index ? r->index[i] : r->start + i;
}

/* ---- random numbers --------------------------------------------------------- */

/* xoshiro256** state.  There is no global generator: every consumer owns one,
 * derived from a seed and a stream number, so results never depend on threads. */
typedef struct { uint64_t s[4]; } pmc_rng;

void pmc_rng_seed(pmc_rng *rng, uint64_t seed, uint64_t stream);
uint64_t pmc_rng_next(pmc_rng *rng);
double pmc_rng_uniform(pmc_rng *rng);           /* [0, 1) */
uint64_t pmc_rng_below(pmc_rng *rng, uint64_t n); /* [0, n), unbiased */
double pmc_rng_normal(pmc_rng *rng);
void pmc_rng_permutation(pmc_rng *rng, int64_t *out, int64_t n);

/* Fast standard normals (ziggurat): the tables are computed once by the caller
 * (pmc_ziggurat_init, ~130 exp/log) and then read-only, shareable by threads. */
#define PMC_ZIGGURAT_LAYERS 128
typedef struct {
    double x[PMC_ZIGGURAT_LAYERS + 1], ratio[PMC_ZIGGURAT_LAYERS];
} pmc_ziggurat;
void pmc_ziggurat_init(pmc_ziggurat *z);
void pmc_rng_normal_fill(pmc_rng *rng, const pmc_ziggurat *z, double *out, int64_t n);

/* ---- calls ------------------------------------------------------------------ */

#define PMC_WARNING_SIZE 256
typedef struct {
    int n_threads;          /* >= 1, resolved from n_jobs by the caller */
    uint64_t seed;          /* from random_state */
    volatile int *interrupt;/* may be NULL; nonzero means stop at the next safe point */
    char warning[PMC_WARNING_SIZE]; /* set by a fit that ends without converging */
} pmc_ctx;

pmc_ctx pmc_ctx_default(void);
/* PMC_ERR_INTERRUPTED (with a message) if the interrupt flag is raised. */
pmc_status pmc_check_interrupt(const pmc_ctx *ctx);
void pmc_warn(pmc_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Runs body(task, thread, arg) for task in [0, n_tasks) on n_threads OpenMP threads.
 * The first failure (lowest task index) is kept with its message, the other tasks
 * are skipped, and it is returned in the calling thread.  Results must not depend
 * on which thread runs a task: give each task its own output slot. */
typedef pmc_status (*pmc_task_fn)(int64_t task, int thread, void *arg);
pmc_status pmc_parallel_for(int64_t n_tasks, int n_threads, const pmc_ctx *ctx,
                            pmc_task_fn body, void *arg);

/* ---- the estimator table -------------------------------------------------- */

typedef enum {
    PMC_PARAM_DOUBLE,   /* double */
    PMC_PARAM_INT,      /* int64_t */
    PMC_PARAM_BOOL,     /* int */
    PMC_PARAM_CHOICE,   /* int: index into `choices` (NULL-terminated) */
    PMC_PARAM_VIEW      /* pmc_view, ndim 0 (absent) allowed */
} pmc_param_kind;

typedef struct {
    const char *name;
    pmc_param_kind kind;
    size_t offset;                  /* offsetof(params struct, field) */
    const char *const *choices;     /* PMC_PARAM_CHOICE only */
} pmc_param_spec;

/* What one fit sees. */
typedef struct {
    pmc_matrix X;
    pmc_view y;         /* ndim 0 when the estimator is unsupervised */
    pmc_view weight;    /* ndim 0 when absent */
    pmc_rows rows;
} pmc_data;

typedef enum {
    PMC_PREDICT = 0,
    PMC_DECISION_FUNCTION = 1,
    PMC_PREDICT_PROBA = 2,
    PMC_TRANSFORM = 3,
    PMC_INVERSE_TRANSFORM = 4,
    PMC_N_METHODS = 5
} pmc_method;

const char *pmc_method_name(pmc_method m);

#define PMC_MAX_ARRAYS 16
typedef struct {
    const char *name;
    pmc_view view;
} pmc_named_view;

/* Named arrays: a model's exported state.  Export points into the model (valid
 * while it lives); import reads views the caller keeps alive. */
typedef struct {
    int n;
    pmc_named_view items[PMC_MAX_ARRAYS];
} pmc_arrays;

pmc_status pmc_arrays_add(pmc_arrays *a, const char *name, pmc_view v);
/* NULL if absent. */
const pmc_view *pmc_arrays_find(const pmc_arrays *a, const char *name);
/* Finds `name` and checks it like pmc_view_check; PMC_ERR_VALUE if missing. */
pmc_status pmc_arrays_get(const pmc_arrays *a, const char *name, int ndim, int64_t rows,
                          int64_t cols, const pmc_view **out);

typedef struct pmc_model pmc_model; /* each estimator defines its own */

typedef struct {
    const char *name;
    size_t params_size;
    const pmc_param_spec *params;
    int n_params;
    /* `init` is a previous model of the same estimator for warm starts and
     * partial fits, or NULL. */
    pmc_status (*fit)(const void *params, const pmc_data *data, const pmc_model *init,
                      pmc_ctx *ctx, pmc_model **out);
    /* Output of `method` on X: number of columns (0 means 1-D) and dtype.
     * PMC_ERR_UNSUPPORTED if the estimator does not have the method. */
    pmc_status (*output_shape)(const pmc_model *m, pmc_method method, pmc_dtype X_dtype,
                               int64_t *n_cols, pmc_dtype *dtype);
    pmc_status (*apply)(const pmc_model *m, pmc_method method, const pmc_matrix *X,
                        pmc_rows rows, pmc_ctx *ctx, pmc_view *out);
    pmc_status (*export_arrays)(const pmc_model *m, pmc_arrays *out);
    pmc_status (*import_arrays)(const pmc_arrays *in, pmc_model **out); /* validates */
    void (*free)(pmc_model **m);
    /* Optional (NULL when absent; tables list them last and may omit them).
     * fit_batch fits n models on the same data at once, out[i] for params[i], as
     * n calls of fit without init would (equal to rounding), warnings[i] getting
     * fit i's warning ("" if none); params are sets that `batchable` accepts
     * pairwise.  Candidates of a search that differ in one regularisation
     * strength share each pass over the data this way. */
    pmc_status (*fit_batch)(const void *const *params, int64_t n, const pmc_data *data,
                            pmc_ctx *ctx, pmc_model **out, char (*warnings)[PMC_WARNING_SIZE]);
    int (*batchable)(const void *params_a, const void *params_b);
} pmc_estimator;

/* Every registered estimator, and lookup by name (NULL if unknown). */
const pmc_estimator *const *pmc_estimators(int *n);
const pmc_estimator *pmc_find_estimator(const char *name);

/* Library facts for bug reports. */
const char *pmc_build_info(void);

#ifdef __cplusplus
}
#endif
#endif
