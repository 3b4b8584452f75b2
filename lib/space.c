/* space.c -- search spaces: parameters, validation and the unit-cube codec.
 *
 * Each parameter maps to one coordinate u in [0, 1] through a monotone
 * transform t (identity, log x, or -log(1 - x) for reverse-log). Floats map
 * [t(lo), t(hi)] linearly onto [0, 1]. Integers map the cells
 * [t(k - 1/2), t(k + 1/2)] onto consecutive pieces of [0, 1], so each integer
 * gets the share of the unit interval that its cell has under the scale
 * (uniform for linear, log-uniform for log). Categoricals get n equal cells. */
#include <math.h>
#include <string.h>

#include "space.h"

#define MAX_INT_MAG 2251799813685248.0 /* 2^51: a range of 2^52 cells still
                                          * resolves every cell in [0, 1] */

static double tf(int32_t scale, double x)
{
    switch (scale) {
    case HPT_SCALE_LOG: return log(x);
    case HPT_SCALE_REVERSE_LOG: return -log1p(-x);
    default: return x;
    }
}

static double tinv(int32_t scale, double t)
{
    switch (scale) {
    case HPT_SCALE_LOG: return exp(t);
    case HPT_SCALE_REVERSE_LOG: return -expm1(-t);
    default: return t;
    }
}

int hpt_space_create(hpt_space **out)
{
    hpti_clear_error();
    if (!out)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_create: out is NULL");
    *out = hpti_calloc(1, sizeof **out);
    if (!*out)
        return hpti_fail(NULL, HPT_E_NOMEM, "hpt_space_create: out of memory");
    hpti_object_born();
    return HPT_OK;
}

static void param_clear(hpti_param *p)
{
    hpti_free(p->name);
    for (size_t j = 0; j < p->n_choices; j++)
        hpti_free(p->choices[j]);
    hpti_free(p->choices);
}

void hpt_space_destroy(hpt_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        param_clear(&s->p[i]);
    hpti_free(s->p);
    hpti_free(s);
    hpti_object_died();
}

/* Names appear in journals, CSV headers and command-line placeholders, so
 * they are kept to a character set that needs no quoting anywhere. */
static int name_ok(const char *name, const char **why)
{
    size_t n = strlen(name);
    if (n == 0) {
        *why = "is empty";
        return 0;
    }
    if (n > HPT_MAX_NAME) {
        *why = "is longer than HPT_MAX_NAME bytes";
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
              c == '/' || c == ':')) {
            *why = "has a character outside [A-Za-z0-9_.:/-]";
            return 0;
        }
    }
    return 1;
}

static int find(const hpt_space *s, const char *name, size_t *index)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->p[i].name, name) == 0) {
            if (index)
                *index = i;
            return 1;
        }
    return 0;
}

/* Checks shared by every add: handle, name, capacity. */
static int check_new(hpt_space *s, const char *fn, const char *name)
{
    const char *why;
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: space is NULL", fn);
    if (!name)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: name is NULL", fn);
    if (!name_ok(name, &why))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: parameter name '%.64s' %s", fn,
                         name, why);
    if (find(s, name, NULL))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: parameter '%s' already exists", fn,
                         name);
    if (s->n >= HPT_MAX_PARAMS)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: a space holds at most %d parameters", fn, HPT_MAX_PARAMS);
    if (hpti_grow((void **)&s->p, &s->cap, s->n + 1, sizeof *s->p))
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    return HPT_OK;
}

static void set_cells(hpti_param *p)
{
    double half = p->type == HPT_PARAM_INT ? 0.5 : 0.0;
    p->t_lo = tf(p->scale, p->lo - half);
    p->t_hi = tf(p->scale, p->hi + half);
}

static int32_t resolve_auto(double lo, double hi)
{
    return (lo > 0 && hi / lo >= 100.0) ? HPT_SCALE_LOG : HPT_SCALE_LINEAR;
}

int hpt_space_add_float(hpt_space *s, const char *name, double lo, double hi,
                        int32_t scale)
{
    const char *fn = "hpt_space_add_float";
    hpti_clear_error();
    int rc = check_new(s, fn, name);
    if (rc)
        return rc;
    if (!isfinite(lo) || !isfinite(hi))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' bounds must be finite", fn, name);
    if (lo > hi)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has lo %g > hi %g", fn, name, lo,
                         hi);
    if (scale == HPT_SCALE_AUTO)
        scale = resolve_auto(lo, hi);
    if (scale == HPT_SCALE_LOG && lo <= 0)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' uses a log scale, which needs lo > 0 (lo = %g)", fn,
                         name, lo);
    if (scale == HPT_SCALE_REVERSE_LOG && !(lo >= 0 && hi < 1))
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' uses a reverse-log scale, which needs 0 <= lo <= hi < 1",
                         fn, name);
    if (scale < HPT_SCALE_LINEAR || scale > HPT_SCALE_REVERSE_LOG)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has unknown scale %d", fn, name,
                         (int)scale);
    hpti_param p = {0};
    p.name = hpti_strdup(name);
    if (!p.name)
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    p.type = HPT_PARAM_FLOAT;
    p.scale = scale;
    p.lo = lo;
    p.hi = hi;
    set_cells(&p);
    s->p[s->n++] = p;
    return HPT_OK;
}

int hpt_space_add_int(hpt_space *s, const char *name, int64_t lo, int64_t hi,
                      int32_t scale)
{
    const char *fn = "hpt_space_add_int";
    hpti_clear_error();
    int rc = check_new(s, fn, name);
    if (rc)
        return rc;
    if (lo > hi)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has lo %lld > hi %lld", fn, name,
                         (long long)lo, (long long)hi);
    double dlo = (double)lo, dhi = (double)hi;
    if (fabs(dlo) > MAX_INT_MAG || fabs(dhi) > MAX_INT_MAG)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' bounds must lie within +-2^51",
                         fn, name);
    if (scale == HPT_SCALE_AUTO)
        scale = resolve_auto(dlo, dhi);
    if (scale == HPT_SCALE_REVERSE_LOG)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s': reverse-log is for floats in [0, 1), not integers",
                         fn, name);
    if (scale == HPT_SCALE_LOG && lo < 1)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' uses a log scale, which needs lo >= 1 (lo = %lld)", fn,
                         name, (long long)lo);
    if (scale < HPT_SCALE_LINEAR || scale > HPT_SCALE_LOG)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has unknown scale %d", fn, name,
                         (int)scale);
    hpti_param p = {0};
    p.name = hpti_strdup(name);
    if (!p.name)
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    p.type = HPT_PARAM_INT;
    p.scale = scale;
    p.lo = dlo;
    p.hi = dhi;
    set_cells(&p);
    s->p[s->n++] = p;
    return HPT_OK;
}

int hpt_space_add_categorical(hpt_space *s, const char *name,
                              const char *const *choices, size_t n)
{
    const char *fn = "hpt_space_add_categorical";
    hpti_clear_error();
    int rc = check_new(s, fn, name);
    if (rc)
        return rc;
    if (!choices || n == 0)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' needs at least one choice", fn,
                         name);
    if (n > HPT_MAX_CHOICES)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has more than %d choices", fn,
                         name, HPT_MAX_CHOICES);
    for (size_t j = 0; j < n; j++) {
        if (!choices[j] || !choices[j][0])
            return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' choice %zu is NULL or empty",
                             fn, name, j);
        size_t len = strlen(choices[j]);
        if (len > HPT_MAX_NAME)
            return hpti_fail(NULL, HPT_E_INVALID,
                             "%s: '%s' choice %zu is longer than HPT_MAX_NAME bytes", fn,
                             name, j);
        for (size_t c = 0; c < len; c++)
            if ((unsigned char)choices[j][c] < 0x20 || choices[j][c] == 0x7f)
                return hpti_fail(NULL, HPT_E_INVALID,
                                 "%s: '%s' choice %zu has a control character", fn, name,
                                 j);
        for (size_t k = 0; k < j; k++)
            if (strcmp(choices[k], choices[j]) == 0)
                return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has choice '%.64s' twice",
                                 fn, name, choices[j]);
    }
    hpti_param p = {0};
    p.name = hpti_strdup(name);
    p.choices = hpti_calloc(n, sizeof *p.choices);
    if (!p.name || !p.choices)
        goto nomem;
    for (size_t j = 0; j < n; j++) {
        p.choices[j] = hpti_strdup(choices[j]);
        if (!p.choices[j])
            goto nomem;
        p.n_choices = j + 1;
    }
    p.type = HPT_PARAM_CATEGORICAL;
    p.scale = HPT_SCALE_LINEAR;
    p.lo = 0;
    p.hi = (double)(n - 1);
    s->p[s->n++] = p;
    return HPT_OK;
nomem:
    param_clear(&p);
    return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
}

size_t hpt_space_size(const hpt_space *s) { return s ? s->n : 0; }

int hpt_space_param_info(const hpt_space *s, size_t i, int32_t *type, int32_t *scale,
                         double *lo, double *hi, size_t *n_choices)
{
    hpti_clear_error();
    if (!s || i >= s->n)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_param_info: no parameter %zu", i);
    const hpti_param *p = &s->p[i];
    if (type)
        *type = p->type;
    if (scale)
        *scale = p->scale;
    if (lo)
        *lo = p->lo;
    if (hi)
        *hi = p->hi;
    if (n_choices)
        *n_choices = p->n_choices;
    return HPT_OK;
}

int hpt_space_param_name(const hpt_space *s, size_t i, const char **name)
{
    hpti_clear_error();
    if (!s || !name || i >= s->n)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_param_name: no parameter %zu", i);
    *name = s->p[i].name;
    return HPT_OK;
}

int hpt_space_choice_name(const hpt_space *s, size_t i, size_t j, const char **name)
{
    hpti_clear_error();
    if (!s || !name || i >= s->n || j >= s->p[i].n_choices)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "hpt_space_choice_name: no choice %zu of parameter %zu", j, i);
    *name = s->p[i].choices[j];
    return HPT_OK;
}

int hpt_space_index(const hpt_space *s, const char *name, size_t *index)
{
    hpti_clear_error();
    if (!s || !name || !index)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_index: NULL argument");
    if (!find(s, name, index))
        return hpti_fail(NULL, HPT_E_NAME, "hpt_space_index: no parameter '%.64s'", name);
    return HPT_OK;
}

int hpti_param_valid(const hpti_param *p, double x)
{
    if (!isfinite(x) || x < p->lo || x > p->hi)
        return 0;
    if (p->type != HPT_PARAM_FLOAT && x != floor(x))
        return 0;
    return 1;
}

static double clamp01(double u) { return u < 0 ? 0 : (u > 1 ? 1 : u); }

int hpti_param_encode_free(const hpti_param *p, double x, double *u)
{
    *u = NAN;
    if (p->type == HPT_PARAM_CATEGORICAL)
        *u = (x + 0.5) / (double)p->n_choices;
    else if (p->lo == p->hi || p->t_hi == p->t_lo) /* fixed: no scale */
        *u = 0.5;
    else if (p->type == HPT_PARAM_INT && p->scale == HPT_SCALE_LINEAR)
        *u = (x - p->lo + 0.5) / (p->hi - p->lo + 1.0);
    else if (p->type == HPT_PARAM_INT) { /* centre of the cell in transformed space */
        if (p->scale == HPT_SCALE_LOG && x - 0.5 <= 0)
            return -1;
        *u = (0.5 * (tf(p->scale, x - 0.5) + tf(p->scale, x + 0.5)) - p->t_lo) /
             (p->t_hi - p->t_lo);
    } else {
        if ((p->scale == HPT_SCALE_LOG && x <= 0) ||
            (p->scale == HPT_SCALE_REVERSE_LOG && x >= 1))
            return -1;
        *u = (tf(p->scale, x) - p->t_lo) / (p->t_hi - p->t_lo);
    }
    return isfinite(*u) ? 0 : -1;
}

double hpti_param_encode(const hpti_param *p, double x)
{
    double u;
    hpti_param_encode_free(p, x, &u);
    return clamp01(u);
}

double hpti_param_decode(const hpti_param *p, double u)
{
    u = clamp01(u);
    if (p->type == HPT_PARAM_CATEGORICAL) {
        double k = floor(u * (double)p->n_choices);
        return k > p->hi ? p->hi : k;
    }
    if (p->lo == p->hi)
        return p->lo;
    if (p->type == HPT_PARAM_INT) {
        double k;
        if (p->scale == HPT_SCALE_LINEAR)
            k = p->lo + floor(u * (p->hi - p->lo + 1.0));
        else
            k = floor(tinv(p->scale, p->t_lo + u * (p->t_hi - p->t_lo)) + 0.5);
        return k < p->lo ? p->lo : (k > p->hi ? p->hi : k);
    }
    if (u == 0)
        return p->lo;
    if (u == 1)
        return p->hi;
    double x = tinv(p->scale, p->t_lo + u * (p->t_hi - p->t_lo));
    return x < p->lo ? p->lo : (x > p->hi ? p->hi : x);
}

double hpti_param_cardinality(const hpti_param *p)
{
    if (p->type == HPT_PARAM_CATEGORICAL)
        return (double)p->n_choices;
    if (p->type == HPT_PARAM_INT)
        return p->hi - p->lo + 1.0;
    return p->lo == p->hi ? 1.0 : INFINITY;
}

void hpti_space_snap(const hpt_space *s, double *u, double *x)
{
    for (size_t i = 0; i < s->n; i++) {
        double v = hpti_param_decode(&s->p[i], u[i]);
        if (x)
            x[i] = v;
        if (s->p[i].type != HPT_PARAM_FLOAT)
            u[i] = hpti_param_encode(&s->p[i], v);
    }
}

int hpt_space_encode(const hpt_space *s, const double *values, double *unit, size_t n)
{
    hpti_clear_error();
    if (!s || !values || !unit)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_encode: NULL argument");
    if (n != s->n)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "hpt_space_encode: n is %zu, the space has %zu parameters", n,
                         s->n);
    for (size_t i = 0; i < n; i++)
        if (!hpti_param_valid(&s->p[i], values[i]))
            return hpti_fail(NULL, HPT_E_INVALID,
                             "hpt_space_encode: value %g is not valid for '%s'", values[i],
                             s->p[i].name);
    for (size_t i = 0; i < n; i++)
        unit[i] = hpti_param_encode(&s->p[i], values[i]);
    return HPT_OK;
}

int hpt_space_decode(const hpt_space *s, const double *unit, double *values, size_t n)
{
    hpti_clear_error();
    if (!s || !values || !unit)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_space_decode: NULL argument");
    if (n != s->n)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "hpt_space_decode: n is %zu, the space has %zu parameters", n,
                         s->n);
    for (size_t i = 0; i < n; i++)
        if (!(unit[i] >= 0 && unit[i] <= 1))
            return hpti_fail(NULL, HPT_E_INVALID,
                             "hpt_space_decode: coordinate %zu (%g) is outside [0, 1]", i,
                             unit[i]);
    for (size_t i = 0; i < n; i++)
        values[i] = hpti_param_decode(&s->p[i], unit[i]);
    return HPT_OK;
}

int hpti_space_copy(const hpt_space *src, hpt_space **out)
{
    hpt_space *s = hpti_calloc(1, sizeof *s);
    if (!s)
        return HPT_E_NOMEM;
    hpti_object_born();
    s->p = hpti_calloc(src->n ? src->n : 1, sizeof *s->p);
    if (!s->p)
        goto fail;
    s->cap = src->n ? src->n : 1;
    for (size_t i = 0; i < src->n; i++) {
        const hpti_param *a = &src->p[i];
        hpti_param *b = &s->p[i];
        *b = *a;
        b->name = NULL;
        b->choices = NULL;
        b->n_choices = 0;
        s->n = i + 1;
        b->name = hpti_strdup(a->name);
        if (!b->name)
            goto fail;
        if (a->n_choices) {
            b->choices = hpti_calloc(a->n_choices, sizeof *b->choices);
            if (!b->choices)
                goto fail;
            for (size_t j = 0; j < a->n_choices; j++) {
                b->choices[j] = hpti_strdup(a->choices[j]);
                if (!b->choices[j])
                    goto fail;
                b->n_choices = j + 1;
            }
        }
    }
    *out = s;
    return HPT_OK;
fail:
    hpt_space_destroy(s);
    return HPT_E_NOMEM;
}
