/* options.c -- the generic option validator, setter and getter (options.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "options.h"

const hpti_option *hpti_option_find(const hpti_option *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

static void *at(void *owner, const hpti_option *o) { return (char *)owner + o->off; }

static void store(const hpti_option *o, void *owner, double v)
{
    void *p = at(owner, o);
    if (o->kind == HPT_OPTION_STRING || o->store == HPTI_STORE_INT)
        *(int *)p = (int)v;
    else if (o->store == HPTI_STORE_I64)
        *(int64_t *)p = (int64_t)v;
    else
        *(double *)p = v;
}

double hpti_option_get(const hpti_option *o, const void *owner)
{
    const void *p = (const char *)owner + o->off;
    if (o->kind == HPT_OPTION_STRING || o->store == HPTI_STORE_INT)
        return *(const int *)p;
    if (o->store == HPTI_STORE_I64)
        return (double)*(const int64_t *)p;
    return *(const double *)p;
}

const char *hpti_option_get_str(const hpti_option *o, const void *owner)
{
    return o->choice((size_t)hpti_option_get(o, owner));
}

void hpti_option_defaults(const hpti_option *t, size_t n, void *owner)
{
    for (size_t i = 0; i < n; i++)
        store(&t[i], owner, t[i].def);
}

double hpti_option_lo(const hpti_option *o)
{
    return o->flags & HPTI_OPT_ABOVE_LO ? nextafter(o->lo, INFINITY) : o->lo;
}

/* "an integer in 0..1e+06", "a number in (0, 1e+15]", "finite": the
 * accepted set in words, for messages. */
static void describe(const hpti_option *o, char *buf, size_t n)
{
    int open = (o->flags & HPTI_OPT_ABOVE_LO) != 0;
    if (o->kind == HPT_OPTION_BOOL)
        snprintf(buf, n, "0 or 1");
    else if (o->kind == HPT_OPTION_INT)
        snprintf(buf, n, "an integer in %.16g..%.16g", o->lo, o->hi);
    else if (o->lo == -DBL_MAX && o->hi == DBL_MAX)
        snprintf(buf, n, "finite");
    else if (o->hi == DBL_MAX)
        snprintf(buf, n, "finite and %s %.16g", open ? ">" : ">=", o->lo);
    else
        snprintf(buf, n, "in %c%.16g, %.16g]", open ? '(' : '[', o->lo, o->hi);
}

static int check(const hpti_option *o, double v, char *msg)
{
    int ok = v >= hpti_option_lo(o) && v <= o->hi;
    if (o->kind != HPT_OPTION_REAL && v != floor(v))
        ok = 0;
    if (ok)
        return HPT_OK;
    char what[96];
    describe(o, what, sizeof what);
    return hpti_fail(msg, HPT_E_INVALID, "%s must be %s, not %.16g", o->name, what, v);
}

int hpti_option_set(const hpti_option *o, void *owner, double value, char *msg)
{
    if (o->kind == HPT_OPTION_STRING)
        return hpti_fail(msg, HPT_E_TYPE, "%s is a string option (hpt_study_set_str)",
                         o->name);
    int rc = check(o, value, msg);
    if (!rc && o->on_set)
        rc = o->on_set(owner, value, msg);
    if (!rc)
        store(o, owner, value);
    return rc;
}

int hpti_option_set_str(const hpti_option *o, void *owner, const char *value, char *msg)
{
    if (o->kind != HPT_OPTION_STRING)
        return hpti_fail(msg, HPT_E_TYPE, "%s is a numeric option (hpt_study_set)", o->name);
    size_t i = 0;
    const char *c;
    while ((c = o->choice(i)) && strcmp(c, value) != 0)
        i++;
    if (!c) {
        char list[256] = "";
        size_t len = 0;
        for (size_t k = 0; (c = o->choice(k)) && len < sizeof list; k++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s\"%s\"", k ? ", " : "", c);
        if (o->flags & HPTI_OPT_NAMES)
            return hpti_fail(msg, HPT_E_NAME, "unknown %s '%.64s' (%s)", o->name, value, list);
        return hpti_fail(msg, HPT_E_INVALID, "%s must be one of %s, not '%.64s'", o->name,
                         list, value);
    }
    int rc = o->on_set ? o->on_set(owner, (double)i, msg) : HPT_OK;
    if (!rc)
        store(o, owner, (double)i);
    return rc;
}
