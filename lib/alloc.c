/* alloc.c -- the library's allocation entry points. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

void *hpti_malloc(size_t size) { return malloc(size ? size : 1); }

void *hpti_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size ? size : 1);
}

void *hpti_realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }

void hpti_free(void *p) { free(p); }

char *hpti_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = hpti_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int hpti_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return HPT_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return HPT_E_NOMEM;
        ncap *= 2;
    }
    void *q = hpti_realloc(*p, ncap * elem);
    if (!q)
        return HPT_E_NOMEM;
    *p = q;
    *cap = ncap;
    return HPT_OK;
}
