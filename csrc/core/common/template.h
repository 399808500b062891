/* Two precisions, one source.  A family's `*_impl.h` is written once in terms of
 * PMC_T (the element type) and PMC_FN(name) (name_f32 / name_f64), and its .c file
 * instantiates it for both by
 *     #define PMC_TEMPLATE "../preprocessing/scaler_impl.h"
 *     #include "template.h"
 * The path is relative to core/common/, where the #include of it happens.
 */
#ifndef PMC_TEMPLATE
#error "define PMC_TEMPLATE before including template.h"
#endif

#define PMC_CAT2_(a, b) a##_##b
#define PMC_CAT2(a, b) PMC_CAT2_(a, b)
#define PMC_FN(name) PMC_CAT2(name, PMC_SUFFIX)

#define PMC_T float
#define PMC_SUFFIX f32
#define PMC_DTYPE PMC_FLOAT32
#include PMC_TEMPLATE
#undef PMC_T
#undef PMC_SUFFIX
#undef PMC_DTYPE

#define PMC_T double
#define PMC_SUFFIX f64
#define PMC_DTYPE PMC_FLOAT64
#include PMC_TEMPLATE
#undef PMC_T
#undef PMC_SUFFIX
#undef PMC_DTYPE

#undef PMC_TEMPLATE
