/* space.h -- search-space internals: parameters and the unit-cube codec.
 * Strategies and models see only unit-cube coordinates; the codec is the one
 * place that knows about scales, rounding and choices. */
#ifndef HPT_SPACE_H
#define HPT_SPACE_H

#include "common.h"

typedef struct {
    char *name;      /* owned */
    int32_t type;    /* HPT_PARAM_* */
    int32_t scale;   /* resolved: LINEAR, LOG or REVERSE_LOG */
    double lo, hi;   /* categorical: 0, n-1 */
    size_t n_choices;
    char **choices;  /* owned, categorical only */
    /* cached transform of the cell edges: t(lo'), t(hi') where lo', hi' are
     * lo, hi for floats and lo - 1/2, hi + 1/2 for integers */
    double t_lo, t_hi;
} hpti_param;

struct hpt_space {
    size_t n, cap;
    hpti_param *p;
};

/* Deep copy. @return HPT_OK or HPT_E_NOMEM (*out untouched). */
int hpti_space_copy(const hpt_space *src, hpt_space **out);

/* Per-parameter codec; x must be valid for the parameter, u in [0, 1]. */
double hpti_param_encode(const hpti_param *p, double x);
/* The same coordinate without clamping, extrapolated for x outside p's
 * range (warm starts from a parent with a wider range). @return 0, or -1
 * (*u NaN) when x is outside the domain of p's scale (<= 0 for log). */
int hpti_param_encode_free(const hpti_param *p, double x, double *u);
double hpti_param_decode(const hpti_param *p, double u);
/* 1 when x is a valid value of p (finite, in range, integral where needed). */
int hpti_param_valid(const hpti_param *p, double x);

/* Snap a unit point to the centre of the cell its configuration occupies:
 * u <- encode(decode(u)), dimension by dimension, also filling x (may be
 * NULL) with the decoded configuration. Used by models so that they score
 * the configuration that would actually run. */
void hpti_space_snap(const hpt_space *s, double *u, double *x);

/* Number of distinct values of an integer or categorical parameter (as a
 * double: integer ranges can exceed 2^32); +inf for a float with lo < hi,
 * 1 for a fixed float. */
double hpti_param_cardinality(const hpti_param *p);

#endif
