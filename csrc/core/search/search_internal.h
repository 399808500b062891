/* The search engine's fold copies, seen from inside: what pmc_search_run fixes
 * (the copy budget, the allocator) and what it does not report (how many bytes of
 * copies were held at once).  Not part of the public API: the C tests use it to
 * check that the copies held at once stay bounded, and to make a copy fail. */
#ifndef PMC_SEARCH_INTERNAL_H
#define PMC_SEARCH_INTERNAL_H

#include <stddef.h>

#include "pmc/search.h"

typedef struct {
    /* in */
    int64_t copy_budget;              /* bytes of fold copies that may be live at once */
    void *(*copy_alloc)(size_t bytes); /* allocates the fold copies; NULL: malloc */
    /* out */
    int64_t folds_copied;             /* folds whose rows were copied (each at most once) */
    int64_t peak_copy_bytes;          /* most bytes of fold copies held at one time */
    int64_t left_copy_bytes;          /* still held when the tasks ended (their last task
                                       * frees them; the run frees what a failure left) */
} pmc_search_memory;

/* pmc_search_run with its fold copies set and reported by *memory. */
pmc_status pmc_search_run_with(const pmc_search_spec *spec, const pmc_data *data, pmc_ctx *ctx,
                               pmc_search_results *results, pmc_search_memory *memory);

#endif
