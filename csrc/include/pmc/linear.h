/* Linear models: least squares, ridge, lasso / elastic net, logistic regression. */
#ifndef PMC_LINEAR_H
#define PMC_LINEAR_H

#include "pmc/pmc.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
