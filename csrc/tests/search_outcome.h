/* What a pmc_search_run of the search C tests writes: result buffers for up to
 * SEARCH_MAX_TASKS tasks of two scorers each, wired into `r`. */
#ifndef PMC_TEST_SEARCH_OUTCOME_H
#define PMC_TEST_SEARCH_OUTCOME_H

#include <string.h>

#include "pmc/search.h"

#define SEARCH_MAX_TASKS 64

typedef struct {
    double test[2 * SEARCH_MAX_TASKS], train[2 * SEARCH_MAX_TASKS], fit_time[SEARCH_MAX_TASKS],
        score_time[SEARCH_MAX_TASKS];
    pmc_status status[SEARCH_MAX_TASKS];
    int in_fit[SEARCH_MAX_TASKS];
    char *message[SEARCH_MAX_TASKS], *warning[SEARCH_MAX_TASKS];
    pmc_search_results r;
} outcome;

static void outcome_init(outcome *o) {
    memset(o, 0, sizeof *o);
    o->r.test_scores = o->test;
    o->r.train_scores = o->train;
    o->r.fit_time = o->fit_time;
    o->r.score_time = o->score_time;
    o->r.status = o->status;
    o->r.failed_in_fit = o->in_fit;
    o->r.message = o->message;
    o->r.warning = o->warning;
}

#endif
