/*
 * functions.h -- the benchmark's test functions, with a plain C ABI.
 *
 * The same definitions are used by the C harness (build/hpt-bench) and, via
 * ctypes on build/libhpt_bench.so, by the Python side (Optuna comparison):
 * both sides evaluate exactly the same code. Only int32_t, uint64_t, double
 * and pointers cross the interface.
 *
 * A function is addressed by its index 0 .. hptb_function_count()-1. A point
 * x is a dense array of hptb_function_dim() doubles in parameter order:
 * floats as they are, integers as exact integral doubles, categoricals as
 * the choice index 0..n-1 (the layout of hpt_trial_params). Every function is
 * to be minimized; f* (hptb_function_optimum) is its known global minimum,
 * so regret = f(best) - f* >= 0.
 */
#ifndef HPTB_FUNCTIONS_H
#define HPTB_FUNCTIONS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HPTB_BUILDING) && defined(__GNUC__)
#define HPTB_API __attribute__((visibility("default")))
#else
#define HPTB_API
#endif

/* Status of hptb_function_eval*. */
#define HPTB_OK 0
#define HPTB_FAILED 1        /* x lies in the function's failure region     */
#define HPTB_E_INVALID (-1)  /* bad index, NULL, x outside the bounds       */

/* Parameter types: the same values as HPT_PARAM_* in hpt.h. */
#define HPTB_FLOAT 0
#define HPTB_INT 1
#define HPTB_CATEGORICAL 2

/* Number of functions. */
HPTB_API int32_t hptb_function_count(void);
/* Name of function idx ("branin", ...), a static string; NULL when idx is
 * out of range. */
HPTB_API const char *hptb_function_name(int32_t idx);
/* Index of the function called name, or -1. */
HPTB_API int32_t hptb_function_find(const char *name);
/* Dimension (number of parameters); 0 when idx is out of range. */
HPTB_API int32_t hptb_function_dim(int32_t idx);
/* Lower and upper bounds of every parameter, into caller arrays of dim
 * doubles (categoricals: 0 and n-1). @return HPTB_OK or HPTB_E_INVALID. */
HPTB_API int32_t hptb_function_bounds(int32_t idx, double *lo, double *hi);
/* Parameter j: type (HPTB_*), log scale (1) or linear (0), bounds. Any
 * out-pointer may be NULL. @return HPTB_OK or HPTB_E_INVALID. */
HPTB_API int32_t hptb_function_param(int32_t idx, int32_t j, int32_t *type,
                                     int32_t *log_scale, double *lo, double *hi);
/* Name of parameter j ("x1", ..., "lr"), a static string, or NULL. */
HPTB_API const char *hptb_function_param_name(int32_t idx, int32_t j);
/* Name of choice k of categorical parameter j, a static string, or NULL. */
HPTB_API const char *hptb_function_choice_name(int32_t idx, int32_t j, int32_t k);
/* The known global minimum f* (NaN when idx is out of range). */
HPTB_API double hptb_function_optimum(int32_t idx);
/* A minimizer x* (dim doubles), f(x*) = f* up to rounding.
 * @return HPTB_OK or HPTB_E_INVALID. */
HPTB_API int32_t hptb_function_argmin(int32_t idx, double *x);
/* Standard deviation of the additive Gaussian noise (0 for exact ones). */
HPTB_API double hptb_function_noise_sd(int32_t idx);

/* The exact (noise-free) value f(x) into *out.
 * @return HPTB_OK; HPTB_FAILED when x is in the failure region (*out is NaN);
 * HPTB_E_INVALID (bad index, NULL, non-finite x or x outside the bounds, a
 * non-integral integer or categorical). */
HPTB_API int32_t hptb_function_eval(int32_t idx, const double *x, double *out);
/* An observed value: f(x) plus noise_sd * N(0,1), the normal deviate drawn
 * from `noise_key` alone (splitmix64 -> Box-Muller), so both the C and the
 * Python side observe the same value for the same key. The harnesses use
 * key = seed * 1000003 + evaluation index. Same status as
 * hptb_function_eval. */
HPTB_API int32_t hptb_function_eval_noisy(int32_t idx, const double *x,
                                          uint64_t noise_key, double *out);

/* Hartmann6 at fidelity z in (0, 1] (z = 1: the function itself): alpha_i
 * becomes alpha_i - 0.1 (1 - z), the multi-fidelity Hartmann of Kandasamy
 * et al., "Multi-fidelity Bayesian optimisation with continuous
 * approximations" (ICML 2017): a low-fidelity value is biased but ranks
 * points much like the real one. x: 6 doubles in [0, 1]. */
HPTB_API double hptb_hartmann6_fidelity(const double *x, double z);

#ifdef __cplusplus
}
#endif

#endif
