/* attrs.h -- a set of string key/value pairs (attrs.c). */
#ifndef HPT_ATTRS_H
#define HPT_ATTRS_H

#include "common.h"

/* n keys and values, owned. */
typedef struct {
    size_t n, cap;
    char **key, **value;
} hpti_attrs;

void hpti_attrs_free(hpti_attrs *a);
/* The value of key, or NULL. */
const char *hpti_attrs_get(const hpti_attrs *a, const char *key);
/* Set key = value (both validated by the caller). @return HPT_OK,
 * HPT_E_NOMEM, or HPT_E_RANGE when a already holds HPT_MAX_ATTRS keys. */
int hpti_attrs_set(hpti_attrs *a, const char *key, const char *value);
/* Keys become CSV column names and travel unquoted, like parameter names:
 * 1 when key is one. */
int hpti_attr_key_ok(const char *key);

#endif
