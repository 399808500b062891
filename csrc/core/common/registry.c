#include <stdio.h>

#include "internal.h"
#include "pmc/boosting.h"
#include "pmc/linear.h"
#include "pmc/preprocessing.h"
#include "pmc/timeseries.h"
#include "pmc/tree.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#include "blas.h"

static const pmc_estimator *const registry[] = {
#define PMC_ESTIMATOR(symbol) &symbol,
#include "estimators.def"
#undef PMC_ESTIMATOR
};

const pmc_estimator *const *pmc_estimators(int *n) {
    *n = (int)(sizeof registry / sizeof registry[0]);
    return registry;
}

const pmc_estimator *pmc_find_estimator(const char *name) {
    int n;
    const pmc_estimator *const *all = pmc_estimators(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0) return all[i];
    return NULL;
}

const char *pmc_build_info(void) {
    static const char info[] =
        "compiler: "
#if defined(__clang__)
        "clang " __clang_version__
#elif defined(__GNUC__)
        "gcc " __VERSION__
#else
        "unknown"
#endif
        "; openmp: "
#ifdef _OPENMP
#define PMC_STR_(x) #x
#define PMC_STR(x) PMC_STR_(x)
        PMC_STR(_OPENMP)
#else
        "off"
#endif
        "; blas: scipy-openblas32";
    return info;
}
