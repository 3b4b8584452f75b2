/* study_options.c -- the public set/get/list calls of a study's options:
 * they resolve a name in the tables of the study's owners (the study's own
 * in study.c, its strategy's, its pruner's, its journal's) and apply the
 * rules of when an option may change.
 *
 * Rules: an option is fixed at the first ask unless its descriptor says
 * HPTI_OPT_ANY_TIME (or HPTI_OPT_RAISE: a limit, which may still grow); on a started journaled study, setting an option to the
 * value its journal holds is a no-op that succeeds (host code that resumes
 * runs its set-up again); options not marked HPTI_OPT_LOCAL are journaled. */
#include <math.h>
#include <string.h>

#include "durable.h"
#include "options.h"

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }

/* Error in a const accessor: the message buffer is the one mutable part. */
#define FAIL(s, st, ...) hpti_fail(((hpt_study *)(s))->errmsg, st, __VA_ARGS__)

/* ---- resolving a name -------------------------------------------------------- */

typedef struct {
    const hpti_option *t;
    size_t n;
    void *base; /* the struct the values live in */
} owner;

/* The study's owners of options, in listing order. */
static size_t owners(const hpt_study *s, owner o[4])
{
    size_t k = 0;
    o[k++] = (owner){hpti_study_options, hpti_study_n_options, (void *)s};
    o[k++] = (owner){s->type->options, s->type->n_options, s->sstate};
    if (s->ptype)
        o[k++] = (owner){s->ptype->options, s->ptype->n_options, s->pstate};
    if (s->sink.ops)
        o[k++] = (owner){s->sink.ops->options, s->sink.ops->n_options, s->sink.ctx};
    return k;
}

static const hpti_option *find(const hpt_study *s, const char *name, void **base)
{
    owner o[4];
    size_t n = owners(s, o);
    for (size_t k = 0; k < n; k++) {
        const hpti_option *d = hpti_option_find(o[k].t, o[k].n, name);
        if (d) {
            *base = o[k].base;
            return d;
        }
    }
    return NULL;
}

/* Option i of the listing, or NULL past the end. */
static const hpti_option *nth(const hpt_study *s, size_t i, void **base)
{
    owner o[4];
    size_t n = owners(s, o);
    for (size_t k = 0; k < n; i -= o[k++].n)
        if (i < o[k].n) {
            *base = o[k].base;
            return &o[k].t[i];
        }
    return NULL;
}

static const char *after_prefix(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] == '.' ? name + n + 1 : NULL;
}

/* An option of another strategy, of a pruner not chosen or of a journal the
 * study does not have gets a message that says so, not a bare "unknown". */
static int unknown(const hpt_study *s, const char *fn, const char *option)
{
    const char *key;
    if ((key = after_prefix(option, s->type->name)))
        return FAIL(s, HPT_E_NAME, "%s: strategy '%s' has no option '%.64s'", fn, s->type->name,
                    key);
    for (size_t i = 0; hpti_strategy_at(i); i++)
        if (after_prefix(option, hpti_strategy_at(i)->name))
            return FAIL(s, HPT_E_NAME,
                        "%s: option '%.64s' belongs to strategy '%s', this study uses '%s'", fn,
                        option, hpti_strategy_at(i)->name, s->type->name);
    if ((key = after_prefix(option, "pruner")) && s->ptype)
        return FAIL(s, HPT_E_NAME, "%s: pruner '%s' has no option '%.64s'", fn, s->ptype->name,
                    key);
    if (key)
        return FAIL(s, HPT_E_NAME,
                    "%s: option '%.64s' needs a pruner that has it (set \"pruner\" first)", fn,
                    option);
    if (after_prefix(option, "journal") && !s->sink.ops)
        return FAIL(s, HPT_E_NAME, "%s: option '%.64s' needs a journaled study (hpt_study_open)",
                    fn, option);
    return FAIL(s, HPT_E_NAME, "%s: unknown option '%.64s'", fn, option);
}

/* The resume rule: a started journaled study already holds this value. */
static int journal_holds(const hpt_study *s, const char *option, const double *num,
                         const char *str)
{
    const hpti_sink_ops *o = s->sink.ops;
    return o && o->holds(s->sink.ctx, option, num ? *num : 0.0, str);
}

static int set_checked(hpt_study *s, const char *fn, const char *option, const double *num,
                       const char *str, const hpti_option *o, void *base);

/* Exactly one of num and str is non-NULL. */
static int set_locked(hpt_study *s, const char *fn, const char *option, const double *num,
                      const char *str)
{
    void *base;
    const hpti_option *o = find(s, option, &base);
    if (!o)
        return unknown(s, fn, option);
    int rc = o->flags & HPTI_OPT_LOCAL ? HPT_OK : hpti_change_begin(s, fn);
    if (!rc)
        rc = set_checked(s, fn, option, num, str, o, base);
    hpti_change_end(s);
    return rc;
}

/* set_locked, the option found and (journaled options) the journal's
 * other writers' records taken in. */
static int set_checked(hpt_study *s, const char *fn, const char *option, const double *num,
                       const char *str, const hpti_option *o, void *base)
{
    int limit = s->started && num && (o->flags & HPTI_OPT_RAISE);
    if (s->started && !(o->flags & HPTI_OPT_ANY_TIME) && !limit) {
        if (journal_holds(s, option, num, str))
            return HPT_OK;
        return hpti_fail(s->errmsg, HPT_E_STAGE,
                         "%s: options are fixed once the first trial was asked ('%.64s')", fn,
                         option);
    }
    double old = limit ? hpti_option_get(o, base) : 0;
    if (limit && *num == old)
        return HPT_OK; /* unchanged: nothing to record */
    int rc = num ? hpti_option_set(o, base, *num, s->errmsg)
                 : hpti_option_set_str(o, base, str, s->errmsg);
    if (rc)
        return hpti_fail(s->errmsg, rc, "%s: %s", fn, s->errmsg);
    if (limit && !hpti_limit_raised(old, *num)) { /* valid, but lower: undone */
        hpti_option_set(o, base, old, s->errmsg);
        return hpti_fail(s->errmsg, HPT_E_STAGE,
                         "%s: options are fixed once the first trial was asked, but for "
                         "limits raised ('%.64s' lowered)",
                         fn, option);
    }
    if (o->flags & HPTI_OPT_LOCAL)
        return HPT_OK;
    return num ? hpti_journal_set(s, option, *num) : hpti_journal_set_str(s, option, str);
}

/* ---- public calls ---------------------------------------------------------------- */

int hpt_study_set(hpt_study *s, const char *option, double value)
{
    const char *fn = "hpt_study_set";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = option ? set_locked(s, fn, option, &value, NULL)
                    : hpti_fail(s->errmsg, HPT_E_INVALID, "%s: option is NULL", fn);
    unlock(s);
    return rc;
}

int hpt_study_set_str(hpt_study *s, const char *option, const char *value)
{
    const char *fn = "hpt_study_set_str";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = option && value ? set_locked(s, fn, option, NULL, value)
                             : hpti_fail(s->errmsg, HPT_E_INVALID, "%s: NULL argument", fn);
    unlock(s);
    return rc;
}

/* Shared by both getters: resolve, check the kind. */
static const hpti_option *get_locked(const hpt_study *s, const char *fn, const char *option,
                                     int want_str, void **base, int *rc)
{
    const hpti_option *o = find(s, option, base);
    if (!o)
        *rc = unknown(s, fn, option);
    else if ((o->kind == HPT_OPTION_STRING) != want_str)
        *rc = FAIL(s, HPT_E_TYPE, "%s: '%.64s' is a %s option (%s)", fn, option,
                   want_str ? "numeric" : "string",
                   want_str ? "hpt_study_get" : "hpt_study_get_str");
    else
        return o;
    return NULL;
}

int hpt_study_get(const hpt_study *s, const char *option, double *value)
{
    const char *fn = "hpt_study_get";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = HPT_OK;
    void *base;
    const hpti_option *o = NULL;
    if (!option || !value)
        rc = FAIL(s, HPT_E_INVALID, "%s: NULL argument", fn);
    else if ((o = get_locked(s, fn, option, 0, &base, &rc)))
        *value = hpti_option_get(o, base);
    unlock(s);
    return rc;
}

int hpt_study_get_str(const hpt_study *s, const char *option, const char **value)
{
    const char *fn = "hpt_study_get_str";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = HPT_OK;
    void *base;
    const hpti_option *o = NULL;
    if (!option || !value)
        rc = FAIL(s, HPT_E_INVALID, "%s: NULL argument", fn);
    else if ((o = get_locked(s, fn, option, 1, &base, &rc)))
        *value = hpti_option_get_str(o, base);
    unlock(s);
    return rc;
}

int hpt_study_option_count(const hpt_study *s, size_t *n)
{
    const char *fn = "hpt_study_option_count";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = HPT_OK;
    if (!n)
        rc = FAIL(s, HPT_E_INVALID, "%s: n is NULL", fn);
    else {
        owner o[4];
        size_t k = owners(s, o);
        *n = 0;
        while (k--)
            *n += o[k].n;
    }
    unlock(s);
    return rc;
}

int hpt_study_option_info(const hpt_study *s, size_t i, const char **name, int32_t *kind,
                          double *lo, double *hi, double *def)
{
    const char *fn = "hpt_study_option_info";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = HPT_OK;
    void *base;
    const hpti_option *o = nth(s, i, &base);
    if (!o)
        rc = FAIL(s, HPT_E_RANGE, "%s: no option %zu", fn, i);
    else {
        int str = o->kind == HPT_OPTION_STRING;
        if (name)
            *name = o->name;
        if (kind)
            *kind = o->kind;
        if (lo)
            *lo = str ? NAN : hpti_option_lo(o);
        if (hi)
            *hi = str ? NAN : o->hi;
        if (def)
            *def = str ? NAN : o->def;
    }
    unlock(s);
    return rc;
}

int hpt_study_option_choice(const hpt_study *s, size_t i, size_t j, const char **value)
{
    const char *fn = "hpt_study_option_choice";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    lock(s);
    int rc = HPT_OK;
    void *base;
    const hpti_option *o = nth(s, i, &base);
    const char *c = NULL;
    if (!value)
        rc = FAIL(s, HPT_E_INVALID, "%s: value is NULL", fn);
    else if (!o || (o->kind == HPT_OPTION_STRING && !(c = o->choice(j))))
        rc = FAIL(s, HPT_E_RANGE, "%s: no option %zu or no choice %zu of it", fn, i, j);
    else if (!c)
        rc = FAIL(s, HPT_E_TYPE, "%s: option '%s' is not a string option", fn, o->name);
    else
        *value = c;
    unlock(s);
    return rc;
}
