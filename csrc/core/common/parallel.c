#include <omp.h>
#include <stdio.h>

#include "internal.h"

/* BLAS inside a task runs with the BLAS thread count the caller set: Python limits
 * it to one (threadpoolctl, see pymlcore/_engine.py) when n_threads > 1, so
 * OpenBLAS's own threads never multiply ours. */
pmc_status pmc_parallel_for(int64_t n_tasks, int n_threads, const pmc_ctx *ctx,
                            pmc_task_fn body, void *arg) {
    if (n_tasks <= 0) return PMC_OK;
    if (n_threads < 1) n_threads = 1;
    if (n_threads > n_tasks) n_threads = (int)n_tasks;
    if (n_threads == 1) {
        for (int64_t t = 0; t < n_tasks; t++) {
            pmc_status s = pmc_check_interrupt(ctx);
            if (s == PMC_OK) s = body(t, 0, arg);
            if (s != PMC_OK) return s;
        }
        return PMC_OK;
    }
    /* Keep the failure of the lowest task so the message does not depend on timing. */
    int64_t failed_task = n_tasks;
    pmc_status failed_status = PMC_OK;
    char failed_message[512] = "";
#pragma omp parallel num_threads(n_threads)
    {
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < n_tasks; t++) {
            int64_t seen;
#pragma omp atomic read
            seen = failed_task;
            if (seen < t) continue; /* drain: an earlier task already failed */
            pmc_status s = pmc_check_interrupt(ctx);
            if (s == PMC_OK) s = body(t, omp_get_thread_num(), arg);
            if (s != PMC_OK) {
#pragma omp critical(pmc_parallel_error)
                if (t < failed_task) {
                    failed_task = t;
                    failed_status = s;
                    snprintf(failed_message, sizeof failed_message, "%s", pmc_last_error());
                }
            }
        }
    }
    if (failed_status != PMC_OK) return pmc_fail(failed_status, "%s", failed_message);
    return PMC_OK;
}
