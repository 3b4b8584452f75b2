/* wire_space.c -- a space as bytes, so the coordinator can send its study's
 * space to every rank and each rebuilds it exactly. */
#include <stdio.h>
#include <stdlib.h>

#include "impl.h"

static void put(hptm_blob *b, const void *src, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->nomem = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_str(hptm_blob *b, const char *s) { put(b, s, strlen(s) + 1); }

/* One parameter as bytes: its type, resolved scale, bounds, choice count,
 * name and choices. */
static int pack_param(const hpt_space *sp, size_t i, hptm_blob *b)
{
    int32_t type, scale;
    double lo, hi;
    size_t nc;
    const char *name;
    int rc = hpt_space_param_info(sp, i, &type, &scale, &lo, &hi, &nc);
    if (!rc)
        rc = hpt_space_param_name(sp, i, &name);
    if (rc)
        return rc;
    uint64_t nc64 = nc;
    put(b, &type, sizeof type);
    put(b, &scale, sizeof scale);
    put(b, &lo, sizeof lo);
    put(b, &hi, sizeof hi);
    put(b, &nc64, sizeof nc64);
    put_str(b, name);
    for (size_t j = 0; j < nc; j++) {
        const char *c;
        if ((rc = hpt_space_choice_name(sp, i, j, &c)) != HPT_OK)
            return rc;
        put_str(b, c);
    }
    return b->nomem ? HPT_E_NOMEM : HPT_OK;
}

/* The space as a byte string: its size, then every parameter, enough to
 * rebuild it exactly. */
int hptm_space_pack(const hpt_space *sp, hptm_blob *b)
{
    size_t n = hpt_space_size(sp);
    uint64_t n64 = n;
    put(b, &n64, sizeof n64);
    for (size_t i = 0; i < n; i++) {
        int rc = pack_param(sp, i, b);
        if (rc)
            return rc;
    }
    return b->nomem ? HPT_E_NOMEM : HPT_OK;
}

/* Two parameters are the same when their bytes are: the bytes are all a
 * worker learns of a parameter. */
int hptm_space_compare(const hpt_space *a, const hpt_space *b, int *differ, char *why)
{
    size_t na = hpt_space_size(a), nb = hpt_space_size(b);
    *differ = na != nb;
    if (*differ) {
        snprintf(why, MSG, "it has %zu parameters, the study's space %zu", na, nb);
        return HPT_OK;
    }
    int rc = HPT_OK;
    for (size_t i = 0; i < na && !rc && !*differ; i++) {
        hptm_blob pa = {0}, pb = {0};
        if ((rc = pack_param(a, i, &pa)) == HPT_OK && (rc = pack_param(b, i, &pb)) == HPT_OK &&
            (pa.n != pb.n || memcmp(pa.p, pb.p, pa.n) != 0)) {
            const char *name = "";
            double lo = 0, hi = 0;
            hpt_space_param_name(b, i, &name);
            hpt_space_param_info(b, i, NULL, NULL, &lo, &hi, NULL);
            *differ = 1;
            snprintf(why, MSG, "its parameter %zu differs from the study's '%s' in [%g, %g] "
                     "(name, type, scale, bounds or choices)", i, name, lo, hi);
        }
        free(pa.p);
        free(pb.p);
    }
    return rc;
}

typedef struct {
    const unsigned char *p;
    size_t n, at;
    int bad;
} reader;

static void get(reader *r, void *dst, size_t n)
{
    if (r->bad || r->n - r->at < n) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}

static const char *get_str(reader *r)
{
    if (r->bad)
        return "";
    const void *end = memchr(r->p + r->at, '\0', r->n - r->at);
    if (!end) {
        r->bad = 1;
        return "";
    }
    const char *s = (const char *)(r->p + r->at);
    r->at = (size_t)((const unsigned char *)end - r->p) + 1;
    return s;
}

int hptm_space_unpack(const unsigned char *p, size_t n, hpt_space **out)
{
    reader r = {p, n, 0, 0};
    hpt_space *sp = NULL;
    const char **choices = NULL;
    int rc = hpt_space_create(&sp);
    uint64_t np = 0;
    get(&r, &np, sizeof np);
    for (uint64_t i = 0; !rc && !r.bad && i < np; i++) {
        int32_t type, scale;
        double lo, hi;
        uint64_t nc;
        get(&r, &type, sizeof type);
        get(&r, &scale, sizeof scale);
        get(&r, &lo, sizeof lo);
        get(&r, &hi, sizeof hi);
        get(&r, &nc, sizeof nc);
        const char *name = get_str(&r);
        if (r.bad || nc > HPT_MAX_CHOICES)
            break;
        if (type == HPT_PARAM_CATEGORICAL) {
            free(choices);
            choices = malloc((nc ? nc : 1) * sizeof *choices);
            if (!choices) {
                rc = HPT_E_NOMEM;
                break;
            }
            for (uint64_t j = 0; j < nc; j++)
                choices[j] = get_str(&r);
            if (!r.bad)
                rc = hpt_space_add_categorical(sp, name, choices, (size_t)nc);
        } else if (type == HPT_PARAM_INT)
            rc = hpt_space_add_int(sp, name, (int64_t)lo, (int64_t)hi, scale);
        else
            rc = hpt_space_add_float(sp, name, lo, hi, scale);
    }
    free(choices);
    if (!rc && (r.bad || r.at != r.n))
        rc = HPT_E_CORRUPT;
    if (rc) {
        hpt_space_destroy(sp);
        return rc;
    }
    *out = sp;
    return HPT_OK;
}

