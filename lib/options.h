/* options.h -- option descriptors, and the one validator, setter and getter.
 *
 * Each owner of options (the study, its journal, every strategy, every
 * pruner) describes them in one static const table; the values live in the
 * owner's own struct. The tables are the single source of what can be set:
 * hpt_study_set/_set_str/_get/_get_str dispatch through them, and
 * hpt_study_option_count/_info list them, so the bounds a host can query are
 * by construction the bounds the setter enforces. */
#ifndef HPT_OPTIONS_H
#define HPT_OPTIONS_H

#include <float.h>

#include "common.h"

/* Flags. Without HPTI_OPT_ANY_TIME an option is fixed at the first ask;
 * without HPTI_OPT_LOCAL it is part of the study and journaled. */
#define HPTI_OPT_ANY_TIME 1u /* may change after the first ask */
#define HPTI_OPT_LOCAL 2u    /* a setting of this process, not recorded */
#define HPTI_OPT_ABOVE_LO 4u /* lo itself is excluded (an open range) */
#define HPTI_OPT_RAISE 16u   /* a limit (0 = none, the largest): after the
                                first ask it may still be raised, never
                                lowered (a finished job extended) */
#define HPTI_OPT_NAMES 8u    /* a string's values name things: another
                                value is HPT_E_NAME, not HPT_E_INVALID */

#define HPTI_MAX_INT53 9007199254740992.0 /* 2^53: doubles stay exact */

/* How a value is stored at `off` in the owner's struct. Strings (enums)
 * are stored as the int index of their choice. */
enum { HPTI_STORE_DOUBLE, HPTI_STORE_INT, HPTI_STORE_I64 };

typedef struct hpti_option {
    const char *name;   /* full name, e.g. "bayes.candidates"            */
    int32_t kind;       /* HPT_OPTION_*                                  */
    int32_t store;      /* HPTI_STORE_* (numeric kinds)                  */
    size_t off;         /* where the value lives in the owner's struct   */
    double def, lo, hi; /* numeric: inclusive bounds (unless ABOVE_LO);
                           strings: def is the index of the default choice */
    unsigned flags;     /* HPTI_OPT_*                                    */
    /* STRING: allowed value i (0, 1, ...), NULL past the last. */
    const char *(*choice)(size_t i);
    /* Optional: runs after validation with the new value (a string's
     * choice index) and before it is stored; a failure stores nothing.
     * For options whose change is more than a store (the pruner). */
    int (*on_set)(void *owner, double value, char *msg);
} hpti_option;

/* An owner's table, as a strategy or pruner type object carries it. */
#define HPTI_OPTIONS(table) .options = (table), .n_options = sizeof(table) / sizeof((table)[0])

/* The option called `name` in t[0..n-1], or NULL. */
const hpti_option *hpti_option_find(const hpti_option *t, size_t n, const char *name);
/* Store every default of t into owner (once, when the owner is made). */
void hpti_option_defaults(const hpti_option *t, size_t n, void *owner);
/* Smallest value the setter accepts (lo, or the double above it). */
double hpti_option_lo(const hpti_option *o);
/* Validate, run on_set, store. Numeric kinds only (HPT_E_TYPE for a
 * string option), and the reverse for _str. Messages name the option and
 * its bounds. @return HPT_OK, HPT_E_INVALID, HPT_E_TYPE or on_set's. */
int hpti_option_set(const hpti_option *o, void *owner, double value, char *msg);
int hpti_option_set_str(const hpti_option *o, void *owner, const char *value, char *msg);
/* The current value: a number, or a static string for string options. */
double hpti_option_get(const hpti_option *o, const void *owner);
const char *hpti_option_get_str(const hpti_option *o, const void *owner);

#endif
