/* space.h -- search-space internals: parameters and the unit-cube codec.
 * Strategies and models see only unit-cube coordinates; the codec is the one
 * place that knows about scales, rounding and choices. */
#ifndef HPT_SPACE_H
#define HPT_SPACE_H

#include "common.h"

typedef struct {
    char *name;      /* owned */
    int32_t type;    /* HPT_PARAM_* */
    int32_t scale;   /* resolved: LINEAR, LOG, REVERSE_LOG or LOGIT */
    double lo, hi;   /* categorical: 0, n-1 */
    size_t n_choices;
    char **choices;  /* owned, categorical only */
    /* cached transform of the cell edges: t(lo'), t(hi') where lo', hi' are
     * lo, hi for floats and lo - 1/2, hi + 1/2 for integers */
    double t_lo, t_hi;
    /* integer LOG only: the cells measured from ra = lo - 1/2 as
     * log(y / ra) = log1p((y - ra) / ra), exact however close lo and hi are
     * (t_hi - t_lo cancels near 2^51); rspan = log((hi + 1/2) / ra) */
    double ra, rspan;
    /* Discrete values: the k-th is lo + k * step, k = 0 .. n_steps - 1.
     * step is 1 for integers unless set, 0 for floats without a step (then
     * n_steps is 0) and for categoricals (n_steps = n_choices there). */
    double step, n_steps;
} hpti_param;

/* "child is active only if parent ..." (hpt_space_add_condition*). */
typedef struct {
    size_t child, parent; /* parameter indices */
    size_t n_in;          /* > 0: parent's choice index is one of in[] */
    size_t *in;           /* owned, n_in sorted distinct indices      */
    double lo, hi;        /* n_in == 0: lo <= parent's value <= hi     */
} hpti_cond;

struct hpt_space {
    size_t n, cap;
    hpti_param *p;
    size_t n_cond, cap_cond; /* a parameter is active when all its      */
    hpti_cond *cond;         /* conditions hold and their parents are   */
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
 * u <- encode(decode(u)), dimension by dimension, inactive coordinates
 * made canonical (hpti_space_canonical), also filling x (may be NULL) with
 * the decoded configuration. Used by models so that they score
 * the configuration that would actually run. */
void hpti_space_snap(const hpt_space *s, double *u, double *x);

/* The k-th discrete value of an integer, stepped float or categorical
 * (its index), 0 <= k < hpti_param_cardinality(p). */
double hpti_param_point(const hpti_param *p, double k);

/* Number of distinct values of an integer or categorical parameter (as a
 * double: integer ranges can exceed 2^32); +inf for a float with lo < hi,
 * 1 for a fixed float. */
double hpti_param_cardinality(const hpti_param *p);

/* Which parameters configuration x (all dim values, in space order)
 * activates: active[i] = 1 when every condition on i holds and names an
 * active parent, else 0. Values of inactive parameters are not read. */
void hpti_space_active(const hpt_space *s, const double *x, unsigned char *active);

/* Like hpti_space_active for a partial configuration, NaN = not decided:
 * state[i] = 1 active, 2 inactive, 3 depends on an undecided value. */
void hpti_space_active_partial(const hpt_space *s, const double *x, unsigned char *state);

/* 1 when parameter i is the parent of some condition. */
int hpti_space_is_parent(const hpt_space *s, size_t i);

/* 1 when a and b (same parameters) have the same conditions in the same
 * order. */
int hpti_space_same_conditions(const hpt_space *a, const hpt_space *b);

/* Number of distinct configurations of a space whose parameters all take
 * finitely many values, counting each active set's sub-product once (the
 * plain product without conditions); +inf when a float has no step. When
 * the parents of conditions take more than 2^20 combinations of values the
 * plain product is returned, an upper bound. */
double hpti_space_configurations(const hpt_space *s);

/* Give the inactive parameters of (u, x) one canonical value: u = 1/2 and
 * its decoding, so that trials running the same configuration are the same
 * point to every model. No-op without conditions. */
void hpti_space_canonical(const hpt_space *s, double *u, double *x);

#endif
