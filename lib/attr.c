/* attr.c -- user attributes: string key/value pairs on a trial or on the
 * study (the git commit that ran a trial, the dataset version), journaled
 * and exported; the pairs themselves are attrs.c's. */
#include <string.h>

#include "durable.h"
#include "study.h"

static int check(const hpt_study *s, const char *fn, const char *key, const char *value)
{
    if (!hpti_attr_key_ok(key))
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_INVALID,
                         "%s: attribute key '%.64s' must be 1..HPT_MAX_NAME bytes of "
                         "[A-Za-z0-9_.:/-]",
                         fn, key);
    size_t n = value ? strlen(value) : 0;
    if (value && (n == 0 || n > HPT_MAX_ATTR_VALUE))
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_INVALID,
                         "%s: the value of '%s' must be 1..HPT_MAX_ATTR_VALUE bytes", fn,
                         key);
    return HPT_OK;
}

static int set_locked(hpt_study *s, const char *fn, int64_t id, const char *key,
                      const char *value)
{
    int rc = check(s, fn, key, value);
    if (rc)
        return rc;
    if (id >= 0 && (uint64_t)id >= s->n_trials)
        return hpti_fail(s->errmsg, HPT_E_TRIAL, "%s: no trial %lld (the study has %zu)",
                         fn, (long long)id, s->n_trials);
    hpti_attrs *a = id >= 0 ? &s->trials[id].attrs : &s->attrs;
    rc = hpti_attrs_set(a, key, value);
    if (rc == HPT_E_RANGE)
        return hpti_fail(s->errmsg, HPT_E_INVALID, "%s: at most %d attributes each", fn,
                         HPT_MAX_ATTRS);
    if (rc)
        return hpti_fail(s->errmsg, rc, "%s: out of memory", fn);
    return hpti_journal_attr(s, id, key, value);
}

static int get_locked(const hpt_study *s, const char *fn, int64_t id, const char *key,
                      const char **value)
{
    if (id >= 0 && (uint64_t)id >= s->n_trials)
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_TRIAL,
                         "%s: no trial %lld (the study has %zu)", fn, (long long)id,
                         s->n_trials);
    const char *v = hpti_attrs_get(id >= 0 ? &s->trials[id].attrs : &s->attrs, key);
    if (!v)
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_NAME,
                         "%s: no attribute '%.64s'", fn, key);
    *value = v;
    return HPT_OK;
}

static int at_locked(const hpt_study *s, const char *fn, int64_t id, size_t i,
                     const char **key, const char **value)
{
    if (id >= 0 && (uint64_t)id >= s->n_trials)
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_TRIAL,
                         "%s: no trial %lld (the study has %zu)", fn, (long long)id,
                         s->n_trials);
    const hpti_attrs *a = id >= 0 ? &s->trials[id].attrs : &s->attrs;
    if (i >= a->n)
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_RANGE,
                         "%s: attribute %zu of %zu", fn, i, a->n);
    *key = a->key[i];
    if (value)
        *value = a->value[i];
    return HPT_OK;
}

#define LOCK(s) pthread_mutex_lock(&((hpt_study *)(s))->lock)
#define UNLOCK(s) pthread_mutex_unlock(&((hpt_study *)(s))->lock)

int hpt_trial_set_attr(hpt_study *s, int64_t id, const char *key, const char *value)
{
    hpti_clear_error();
    if (!s || !key || !value)
        return hpti_study_fail(s, HPT_E_INVALID, "hpt_trial_set_attr: NULL argument");
    if (id < 0)
        return hpti_study_fail(s, HPT_E_TRIAL, "hpt_trial_set_attr: no trial %lld",
                               (long long)id);
    LOCK(s);
    int rc = hpti_change_begin(s, "hpt_trial_set_attr");
    if (!rc)
        rc = set_locked(s, "hpt_trial_set_attr", id, key, value);
    hpti_change_end(s);
    UNLOCK(s);
    return rc;
}

int hpt_study_set_attr(hpt_study *s, const char *key, const char *value)
{
    hpti_clear_error();
    if (!s || !key || !value)
        return hpti_study_fail(s, HPT_E_INVALID, "hpt_study_set_attr: NULL argument");
    LOCK(s);
    int rc = hpti_change_begin(s, "hpt_study_set_attr");
    if (!rc)
        rc = set_locked(s, "hpt_study_set_attr", -1, key, value);
    hpti_change_end(s);
    UNLOCK(s);
    return rc;
}

int hpt_trial_attr(const hpt_study *s, int64_t id, const char *key, const char **value)
{
    hpti_clear_error();
    if (!s || !key || !value)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_attr: NULL argument");
    if (id < 0)
        return hpti_study_fail(s, HPT_E_TRIAL, "hpt_trial_attr: no trial %lld",
                               (long long)id);
    LOCK(s);
    int rc = get_locked(s, "hpt_trial_attr", id, key, value);
    UNLOCK(s);
    return rc;
}

int hpt_study_attr(const hpt_study *s, const char *key, const char **value)
{
    hpti_clear_error();
    if (!s || !key || !value)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_attr: NULL argument");
    LOCK(s);
    int rc = get_locked(s, "hpt_study_attr", -1, key, value);
    UNLOCK(s);
    return rc;
}

int hpt_trial_attr_at(const hpt_study *s, int64_t id, size_t i, const char **key,
                      const char **value)
{
    hpti_clear_error();
    if (!s || !key)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_trial_attr_at: NULL argument");
    if (id < 0)
        return hpti_fail(((hpt_study *)s)->errmsg, HPT_E_TRIAL,
                         "hpt_trial_attr_at: no trial %lld", (long long)id);
    LOCK(s);
    int rc = at_locked(s, "hpt_trial_attr_at", id, i, key, value);
    UNLOCK(s);
    return rc;
}

int hpt_study_attr_at(const hpt_study *s, size_t i, const char **key, const char **value)
{
    hpti_clear_error();
    if (!s || !key)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_attr_at: NULL argument");
    LOCK(s);
    int rc = at_locked(s, "hpt_study_attr_at", -1, i, key, value);
    UNLOCK(s);
    return rc;
}
