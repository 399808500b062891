/* The search engine: every (candidate, fold) fit of a grid, random or TPE search
 * driven through the estimator tables in C threads, with the data shared by all
 * tasks and scored by the C scorers of pmc/metrics.h.  A fold's rows that are one
 * consecutive run are read in place; other selections of a dense X are copied
 * once per fold into compact buffers that all the fold's candidates share, made
 * by the fold's first task and freed by its last, so that the copies of at most
 * n_threads + 1 folds exist at once (up to 2 GiB of them; beyond that, and for
 * CSR, folds are row selections).
 *
 * An estimator chain is n_steps tables: transformers (PMC_TRANSFORM) followed by a
 * final estimator, as a scikit-learn Pipeline.  Results are stored for task t =
 * candidate * n_folds + fold (scikit-learn's order); the tasks run fold by fold.
 * Each task fits the chain on its train rows (one thread per fit), transforms the
 * train and test rows into a per-task buffer freed at the end of the task,
 * predicts and scores; failures are recorded per task.
 *
 * Candidates of a single-step chain whose table has fit_batch are grouped by the
 * table's `batchable` (e.g. LogisticRegression candidates that differ only in C):
 * each group is fitted on a fold by one fit_batch call (one thread), which shares
 * the passes over the fold's rows; each candidate is then scored on its own, its
 * fit_time being its share of the batch's time.  The groups follow from the grid
 * alone, so results do not depend on the thread count; a batch that fails is
 * fitted again candidate by candidate, so that failures stay per task. */
#ifndef PMC_SEARCH_H
#define PMC_SEARCH_H

#include "pmc/metrics.h"
#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int n_steps;
    const pmc_estimator *const *steps;  /* n_steps tables; all but the last transform */
    int64_t n_candidates;
    /* params[c * n_steps + s]: step s's parameter struct for candidate c, and its
     * seed (the random_state the step's fit uses). */
    const void *const *params;
    const uint64_t *seeds;
    int64_t n_folds;
    const pmc_rows *train, *test;       /* n_folds each, rows of data->X */
    int n_scorers;
    const pmc_scorer *const *scorers;
    int64_t n_classes;                  /* classification scorers: y holds 0..n_classes-1 */
    int return_train_score;
    /* 1: the first failing task stops the run and its status is returned (with the
     * candidate and fold in the message); 0: failures are recorded and the run goes on. */
    int stop_on_error;
    /* 1: the scorers weight samples by data->weight (read at the fold's rows), as
     * the fits do; 0: fits are weighted, scores are not. */
    int weighted_scores;
} pmc_search_spec;

/* Per-task outcome; arrays allocated by the caller with n_tasks = n_candidates *
 * n_folds entries (scores: n_tasks * n_scorers, task-major).  A failed task's
 * scores are NaN and its status/message say why; `warning` holds a convergence
 * warning of a task that fitted.  Messages are malloc'ed: release them with
 * pmc_search_free_messages. */
typedef struct {
    double *test_scores;
    double *train_scores;   /* NULL unless return_train_score */
    /* The scorers' PMC_SCORE_WARN_* bits, laid out as the scores (NULL: not
     * recorded): the caller raises scikit-learn's warnings from them. */
    unsigned *test_warnings, *train_warnings;
    double *fit_time, *score_time; /* seconds */
    pmc_status *status;
    int *failed_in_fit;     /* 1 when the failure came from a fit, 0 from scoring */
    char **message;
    char **warning;
} pmc_search_results;

/* Checks the spec (steps can transform, folds are in range of X, the last step
 * has every scorer's method or fallback...) then runs the tasks on ctx->n_threads
 * threads.  Returns PMC_OK unless the spec is invalid, the run was interrupted, or
 * stop_on_error and a task failed.  Deterministic for any thread count. */
pmc_status pmc_search_run(const pmc_search_spec *spec, const pmc_data *data, pmc_ctx *ctx,
                          pmc_search_results *results);
void pmc_search_free_messages(pmc_search_results *results, int64_t n_tasks);

/* The method a scorer reads from a fitted final model: its preferred method, or
 * its fallback when the model lacks it (PMC_ERR_UNSUPPORTED if neither). */
pmc_status pmc_search_scorer_method(const pmc_estimator *est, const pmc_model *model,
                                    const pmc_scorer *scorer, pmc_dtype X_dtype,
                                    pmc_method *out);

#ifdef __cplusplus
}
#endif
#endif
