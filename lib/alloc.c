/* alloc.c -- the library's allocation entry points and the optional
 * allocator hooks (hpt_set_allocator).
 *
 * The hooks are the library's only process-wide mutable state. They may only
 * change while no libhpt object exists (a live-object count enforces it), so
 * no allocation can be freed by a different allocator than made it. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void *std_malloc(size_t n, void *ctx) { (void)ctx; return malloc(n); }
static void *std_realloc(void *p, size_t n, void *ctx) { (void)ctx; return realloc(p, n); }
static void std_free(void *p, void *ctx) { (void)ctx; free(p); }

static hpt_malloc_fn a_malloc = std_malloc;
static hpt_realloc_fn a_realloc = std_realloc;
static hpt_free_fn a_free = std_free;
static void *a_ctx;
static atomic_long live_objects;

void hpti_object_born(void) { atomic_fetch_add(&live_objects, 1); }
void hpti_object_died(void) { atomic_fetch_sub(&live_objects, 1); }

int hpt_set_allocator(hpt_malloc_fn malloc_fn, hpt_realloc_fn realloc_fn,
                      hpt_free_fn free_fn, void *ctx)
{
    hpti_clear_error();
    if ((malloc_fn == NULL) != (realloc_fn == NULL) || (malloc_fn == NULL) != (free_fn == NULL))
        return hpti_fail(NULL, HPT_E_INVALID,
                         "hpt_set_allocator: give all three functions, or none to restore "
                         "the C library's");
    if (atomic_load(&live_objects) != 0)
        return hpti_fail(NULL, HPT_E_STAGE,
                         "hpt_set_allocator: %ld libhpt objects still exist",
                         atomic_load(&live_objects));
    a_malloc = malloc_fn ? malloc_fn : std_malloc;
    a_realloc = realloc_fn ? realloc_fn : std_realloc;
    a_free = free_fn ? free_fn : std_free;
    a_ctx = malloc_fn ? ctx : NULL;
    return HPT_OK;
}

void *hpti_malloc(size_t size) { return a_malloc(size ? size : 1, a_ctx); }

void *hpti_calloc(size_t n, size_t size)
{
    if (n == 0 || size == 0)
        n = size = 1;
    if (n > SIZE_MAX / size)
        return NULL;
    void *p = a_malloc(n * size, a_ctx);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *hpti_realloc(void *p, size_t size) { return a_realloc(p, size ? size : 1, a_ctx); }

void hpti_free(void *p)
{
    if (p)
        a_free(p, a_ctx);
}

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
