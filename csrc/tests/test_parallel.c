/* pmc_parallel_for: every task runs exactly once on any thread count, thread
 * ids are in range, the failure of the lowest failing task is reported with its
 * own message whatever the timing, and the interrupt flag stops the loop. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const int thread_counts[] = {1, 2, 3, 4, 8};
#define N_THREAD_COUNTS (int)(sizeof thread_counts / sizeof thread_counts[0])

typedef struct {
    int *runs;        /* per task: how many times it ran */
    int *thread_of;   /* per task: the thread that ran it */
    int64_t fail_from;/* tasks in fail_at[] fail; see failing_body */
    const int64_t *fail_at;
    int n_fail;
    volatile int *raise_interrupt_at_task; /* serial interrupt test */
    volatile int *flag;
} job;

static pmc_status counting_body(int64_t task, int thread, void *arg) {
    job *j = arg;
    j->runs[task]++; /* own slot: no race */
    j->thread_of[task] = thread;
    /* A little work, so that tasks overlap in time. */
    volatile double x = 0;
    for (int i = 0; i < 200; i++) x += i * 0.5;
    return PMC_OK;
}

static void test_all_tasks_once(void) {
    const int64_t task_counts[] = {0, 1, 3, 64, 1000};
    for (size_t c = 0; c < sizeof task_counts / sizeof task_counts[0]; c++) {
        int64_t n = task_counts[c];
        for (int t = 0; t < N_THREAD_COUNTS; t++) {
            int threads = thread_counts[t];
            job j;
            memset(&j, 0, sizeof j);
            j.runs = calloc((size_t)n + 1, sizeof(int));
            j.thread_of = calloc((size_t)n + 1, sizeof(int));
            CHECK_OK(pmc_parallel_for(n, threads, NULL, counting_body, &j));
            int once = 1, ids_ok = 1;
            for (int64_t k = 0; k < n; k++) {
                once &= j.runs[k] == 1;
                ids_ok &= j.thread_of[k] >= 0 && j.thread_of[k] < threads;
            }
            CHECK(once);
            CHECK(ids_ok);
            free(j.runs);
            free(j.thread_of);
        }
    }
    /* A thread count below 1 means one thread. */
    int runs[5] = {0}, thread_of[5] = {0};
    job j;
    memset(&j, 0, sizeof j);
    j.runs = runs;
    j.thread_of = thread_of;
    CHECK_OK(pmc_parallel_for(5, 0, NULL, counting_body, &j));
    CHECK_OK(pmc_parallel_for(5, -3, NULL, counting_body, &j));
    for (int k = 0; k < 5; k++) CHECK(runs[k] == 2 && thread_of[k] == 0);
}

/* Fails for the tasks listed in fail_at, each with its own status and message. */
static pmc_status failing_body(int64_t task, int thread, void *arg) {
    job *j = arg;
    j->runs[task]++;
    for (int f = 0; f < j->n_fail; f++)
        if (j->fail_at[f] == task)
            return pmc_fail(f % 2 ? PMC_ERR_NUMERIC : PMC_ERR_VALUE, "task %lld failed on thread %d",
                            (long long)task, thread);
    volatile double x = 0;
    for (int i = 0; i < 500; i++) x += i;
    return PMC_OK;
}

static void test_lowest_error_reported(void) {
    /* The highest failing task is listed first: the lowest (17) must win even
     * when a later task fails earlier in time. */
    const int64_t fail_at[] = {99, 41, 40, 17};
    const int64_t n = 200;
    for (int t = 0; t < N_THREAD_COUNTS; t++) {
        for (int repeat = 0; repeat < 20; repeat++) {
            job j;
            memset(&j, 0, sizeof j);
            j.runs = calloc((size_t)n, sizeof(int));
            j.fail_at = fail_at;
            j.n_fail = 4;
            pmc_clear_error();
            pmc_status s = pmc_parallel_for(n, thread_counts[t], NULL, failing_body, &j);
            /* fail_at[3] = 17 has an odd index: PMC_ERR_NUMERIC. */
            CHECK(s == PMC_ERR_NUMERIC);
            CHECK(strncmp(pmc_last_error(), "task 17 failed", 14) == 0);
            /* Tasks before the failure all ran, and no task ran twice. */
            int before = 1, at_most_once = 1;
            for (int64_t k = 0; k < n; k++) {
                if (k <= 17) before &= j.runs[k] == 1;
                at_most_once &= j.runs[k] <= 1;
            }
            CHECK(before);
            CHECK(at_most_once);
            free(j.runs);
        }
    }
    /* Serially the loop stops at the failure. */
    job j;
    memset(&j, 0, sizeof j);
    j.runs = calloc((size_t)n, sizeof(int));
    j.fail_at = fail_at;
    j.n_fail = 4;
    CHECK_FAILS(pmc_parallel_for(n, 1, NULL, failing_body, &j), PMC_ERR_NUMERIC, "task 17 failed");
    CHECK(j.runs[17] == 1 && j.runs[18] == 0);
    free(j.runs);
}

/* Results that depend only on the task index: per-task slots reduced in task
 * order give the same bits on every thread count. */
static pmc_status partial_sum_body(int64_t task, int thread, void *arg) {
    double *slots = arg;
    double s = 0;
    for (int i = 1; i <= 1000; i++) s += 1.0 / (double)(task * 1000 + i);
    slots[task] = s;
    return PMC_OK;
}

static void test_independent_of_threads(void) {
    double reference = 0;
    for (int t = 0; t < N_THREAD_COUNTS; t++) {
        double slots[500];
        CHECK_OK(pmc_parallel_for(500, thread_counts[t], NULL, partial_sum_body, slots));
        double total = 0;
        for (int k = 0; k < 500; k++) total += slots[k];
        if (t == 0) reference = total;
        CHECK(memcmp(&total, &reference, sizeof total) == 0);
    }
}

static pmc_status interrupting_body(int64_t task, int thread, void *arg) {
    job *j = arg;
    j->runs[task]++;
    if (task == 5) *j->flag = 1; /* as the SIGINT handler would */
    /* Later tasks wait (boundedly) for the flag, so that some task is sure to
     * start after it is raised even if task 5's thread is descheduled. */
    for (long spin = 0; task > 5 && !*j->flag && spin < 2000000000L; spin++) {
    }
    return PMC_OK;
}

static void test_interrupt(void) {
    volatile int flag = 1;
    pmc_ctx ctx = pmc_ctx_default();
    ctx.interrupt = &flag;
    int runs[100] = {0}, thread_of[100] = {0};
    job j;
    memset(&j, 0, sizeof j);
    j.runs = runs;
    j.thread_of = thread_of;
    /* Raised before the call: nothing runs, on any thread count. */
    for (int t = 0; t < N_THREAD_COUNTS; t++)
        CHECK_FAILS(pmc_parallel_for(100, thread_counts[t], &ctx, counting_body, &j),
                    PMC_ERR_INTERRUPTED, "interrupted");
    int none = 1;
    for (int k = 0; k < 100; k++) none &= runs[k] == 0;
    CHECK(none);
    CHECK_STATUS(pmc_check_interrupt(&ctx), PMC_ERR_INTERRUPTED);

    /* Raised by task 5 of a serial loop: task 6 never starts. */
    flag = 0;
    j.flag = &flag;
    CHECK_FAILS(pmc_parallel_for(100, 1, &ctx, interrupting_body, &j), PMC_ERR_INTERRUPTED,
                "interrupted");
    CHECK(runs[5] == 1 && runs[6] == 0);
    /* In parallel the loop drains: it stops early and reports the interrupt. */
    memset(runs, 0, sizeof runs);
    flag = 0;
    CHECK_STATUS(pmc_parallel_for(100, 4, &ctx, interrupting_body, &j), PMC_ERR_INTERRUPTED);
    int at_most_once = 1;
    for (int k = 0; k < 100; k++) at_most_once &= runs[k] <= 1;
    CHECK(at_most_once);
    CHECK_OK(pmc_check_interrupt(NULL));
}

static void test_error_buffer_is_per_thread(void) {
    pmc_fail(PMC_ERR_VALUE, "caller's message %d", 1);
    CHECK(strcmp(pmc_last_error(), "caller's message 1") == 0);
    pmc_clear_error();
    CHECK(pmc_last_error()[0] == '\0');
    /* A long message is cut, not overflowed. */
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pmc_fail(PMC_ERR_VALUE, "%s", big);
    CHECK(strlen(pmc_last_error()) < sizeof big - 1);
    pmc_ctx ctx = pmc_ctx_default();
    CHECK(ctx.n_threads == 1 && ctx.interrupt == NULL && ctx.warning[0] == '\0');
    pmc_warn(&ctx, "did not converge after %d iterations", 10);
    CHECK(strcmp(ctx.warning, "did not converge after 10 iterations") == 0);
    CHECK(strcmp(pmc_method_name(PMC_TRANSFORM), "transform") == 0);
    CHECK(strcmp(pmc_method_name((pmc_method)99), "?") == 0);
}

int main(void) {
    test_all_tasks_once();
    test_lowest_error_reported();
    test_independent_of_threads();
    test_interrupt();
    test_error_buffer_is_per_thread();
    return check_report("test_parallel");
}
