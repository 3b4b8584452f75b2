/* attrs.c -- a set of string key/value pairs (user attributes of a trial
 * or a study, attr.c): few per object, so a small array searched
 * linearly. */
#include <string.h>

#include "attrs.h"

/* Keys become CSV column names and travel unquoted, like parameter names. */
int hpti_attr_key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > HPT_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '/' || c == ':'))
            return 0;
    }
    return 1;
}

void hpti_attrs_free(hpti_attrs *a)
{
    for (size_t i = 0; i < a->n; i++) {
        hpti_free(a->key[i]);
        hpti_free(a->value[i]);
    }
    hpti_free(a->key);
    hpti_free(a->value);
    memset(a, 0, sizeof *a);
}

const char *hpti_attrs_get(const hpti_attrs *a, const char *key)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->key[i], key) == 0)
            return a->value[i];
    return NULL;
}

/* Set key = value in a (both validated). @return HPT_OK, HPT_E_NOMEM, or
 * HPT_E_RANGE when a already holds HPT_MAX_ATTRS keys. */
int hpti_attrs_set(hpti_attrs *a, const char *key, const char *value)
{
    size_t i = 0;
    while (i < a->n && strcmp(a->key[i], key) != 0)
        i++;
    if (i == a->n && a->n == HPT_MAX_ATTRS)
        return HPT_E_RANGE;
    char *v = hpti_strdup(value), *k = i < a->n ? NULL : hpti_strdup(key);
    size_t cap = a->cap;
    if (!v || (i == a->n && (!k || hpti_grow((void **)&a->key, &cap, a->n + 1,
                                                   sizeof *a->key) ||
                               hpti_grow((void **)&a->value, &a->cap, a->n + 1,
                                         sizeof *a->value)))) {
        hpti_free(v);
        hpti_free(k);
        return HPT_E_NOMEM;
    }
    if (i == a->n) {
        a->key[i] = k;
        a->value[i] = NULL;
        a->n++;
    }
    hpti_free(a->value[i]);
    a->value[i] = v;
    return HPT_OK;
}

