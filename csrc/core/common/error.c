#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* One message buffer per thread: a failure in one fit never garbles another's. */
static _Thread_local char last_error[512];

pmc_status pmc_fail(pmc_status status, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return status;
}

const char *pmc_last_error(void) { return last_error; }

void pmc_clear_error(void) { last_error[0] = '\0'; }

void *pmc_calloc(size_t count, size_t size, const char *what) {
    void *p = (count == 0 || size == 0) ? calloc(1, 1) : calloc(count, size);
    if (!p)
        pmc_fail(PMC_ERR_MEMORY, "could not allocate %zu x %zu bytes for %s", count, size, what);
    return p;
}

pmc_ctx pmc_ctx_default(void) {
    pmc_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.n_threads = 1;
    return ctx;
}

pmc_status pmc_check_interrupt(const pmc_ctx *ctx) {
    if (ctx && ctx->interrupt && *ctx->interrupt)
        return pmc_fail(PMC_ERR_INTERRUPTED, "interrupted");
    return PMC_OK;
}

void pmc_warn(pmc_ctx *ctx, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(ctx->warning, sizeof ctx->warning, fmt, args);
    va_end(args);
}

const char *pmc_method_name(pmc_method m) {
    static const char *const names[PMC_N_METHODS] = {
        "predict", "decision_function", "predict_proba", "transform", "inverse_transform"};
    return (m >= 0 && m < PMC_N_METHODS) ? names[m] : "?";
}
