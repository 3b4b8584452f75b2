/* common.h -- internal helpers shared by every module: allocation, error
 * messages, checked arithmetic. Nothing here is exported. */
#ifndef HPT_COMMON_H
#define HPT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "hpt.h"

#define HPTI_MSG 512 /* bytes of an error message buffer, NUL included */

/* All library allocations go through these, so that allocation hooks and
 * the allocation-failure tests see every one. */
void *hpti_malloc(size_t size);
void *hpti_calloc(size_t n, size_t size);
void *hpti_realloc(void *p, size_t size);
void hpti_free(void *p);
char *hpti_strdup(const char *s);
/* Count live handles (spaces, studies), so that hpt_set_allocator can refuse
 * to swap allocators under existing objects. */
void hpti_object_born(void);
void hpti_object_died(void);
/* Grow *p (an array of elem-sized items with capacity *cap) to hold at
 * least `need` items, doubling. @return HPT_OK or HPT_E_NOMEM (unchanged). */
int hpti_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Format a message into buf (HPTI_MSG bytes, may be NULL) and into this
 * thread's last-error slot; return status unchanged, so that error paths
 * read `return hpti_fail(buf, HPT_E_INVALID, "...", ...);`. */
int hpti_fail(char *buf, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clear this thread's last-error message (at the start of a public call). */
void hpti_clear_error(void);

#define HPTI_UNUSED(x) ((void)(x))

#endif
