/* space.c -- search spaces: parameters, validation and the unit-cube codec.
 *
 * Each parameter maps to one coordinate u in [0, 1] through a monotone
 * transform t (identity, log x, or -log(1 - x) for reverse-log). Floats map
 * [t(lo), t(hi)] linearly onto [0, 1]. Integers map the cells
 * [t(k - 1/2), t(k + 1/2)] onto consecutive pieces of [0, 1], so each integer
 * gets the share of the unit interval that its cell has under the scale
 * (uniform for linear, log-uniform for log). Categoricals get n equal cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"

#define MAX_INT_MAG 2251799813685248.0 /* 2^51: a range of 2^52 cells still
                                          * resolves every cell in [0, 1] */
#define MIN_CELL_SHARE 8.881784197001252e-16 /* 2^-50: 8 ulps of u near 1 */

static double tf(int32_t scale, double x)
{
    switch (scale) {
    case HPT_SCALE_LOG: return log(x);
    case HPT_SCALE_REVERSE_LOG: return -log1p(-x);
    case HPT_SCALE_LOGIT: return log(x) - log1p(-x); /* keeps x near 1 exact */
    default: return x;
    }
}

static double tinv(int32_t scale, double t)
{
    switch (scale) {
    case HPT_SCALE_LOG: return exp(t);
    case HPT_SCALE_REVERSE_LOG: return -expm1(-t);
    case HPT_SCALE_LOGIT: return 1.0 / (1.0 + exp(-t));
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
    for (size_t c = 0; c < s->n_cond; c++)
        hpti_free(s->cond[c].in);
    hpti_free(s->cond);
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
    if (p->type == HPT_PARAM_INT && p->scale == HPT_SCALE_LOG) {
        p->ra = p->lo - 0.5; /* exact: |lo| <= 2^51 leaves room for halves */
        p->rspan = log1p((p->hi + 0.5 - p->ra) / p->ra);
    }
}

/* log(y / ra) for integer LOG, see hpti_param.ra */
static double rel_log(const hpti_param *p, double y) { return log1p((y - p->ra) / p->ra); }

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
    if (scale == HPT_SCALE_LOGIT && !(lo > 0 && hi < 1))
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' uses a logit scale, which needs 0 < lo <= hi < 1", fn,
                         name);
    if (scale < HPT_SCALE_LINEAR || scale > HPT_SCALE_LOGIT || scale == HPT_SCALE_AUTO)
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
    if (scale == HPT_SCALE_REVERSE_LOG || scale == HPT_SCALE_LOGIT)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s': %s is for floats inside (0, 1), not integers", fn,
                         name, scale == HPT_SCALE_LOGIT ? "logit" : "reverse-log");
    if (scale == HPT_SCALE_LOG && lo < 1)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' uses a log scale, which needs lo >= 1 (lo = %lld)", fn,
                         name, (long long)lo);
    if (scale < HPT_SCALE_LINEAR || scale > HPT_SCALE_LOG)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has unknown scale %d", fn, name,
                         (int)scale);
    hpti_param p = {0};
    p.type = HPT_PARAM_INT;
    p.scale = scale;
    p.lo = dlo;
    p.hi = dhi;
    p.step = 1;
    p.n_steps = dhi - dlo + 1;
    set_cells(&p);
    /* A coordinate near 1 has ulps of 2^-53; the top integer's cell must span
     * several of them for encode and decode to round-trip it. */
    if (scale == HPT_SCALE_LOG && lo < hi &&
        log1p(1.0 / (dhi - 0.5)) / p.rspan < MIN_CELL_SHARE)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s': a log scale on [%lld, %lld] makes the cells of the "
                         "largest integers too narrow to resolve in [0, 1]; raise lo, "
                         "lower hi or use a linear scale",
                         fn, name, (long long)lo, (long long)hi);
    p.name = hpti_strdup(name);
    if (!p.name)
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
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
    p.n_steps = (double)n;
    s->p[s->n++] = p;
    return HPT_OK;
nomem:
    param_clear(&p);
    return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
}

/* Points of a stepped range: floor((hi - lo) / step) + 1, with a relative
 * slack of 1e-9 so that [0, 1] in steps of 0.1 ends at 1, not 0.9, although
 * 1 / 0.1 may round below 10. */
static double count_steps(double lo, double hi, double step, int integer)
{
    double q = (hi - lo) / step;
    if (!isfinite(q)) /* hi - lo overflowed */
        q = (0.5 * hi - 0.5 * lo) / (0.5 * step);
    return floor(integer ? q : q * (1 + 1e-9)) + 1;
}

int hpt_space_set_step(hpt_space *s, const char *name, double step)
{
    const char *fn = "hpt_space_set_step";
    size_t i;
    hpti_clear_error();
    if (!s || !name)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: space or name is NULL", fn);
    if (!find(s, name, &i))
        return hpti_fail(NULL, HPT_E_NAME, "%s: no parameter '%.64s'", fn, name);
    hpti_param *p = &s->p[i];
    int integer = p->type == HPT_PARAM_INT;
    if (p->type == HPT_PARAM_CATEGORICAL)
        return hpti_fail(NULL, HPT_E_TYPE, "%s: '%s' is categorical; steps are for "
                         "integers and floats", fn, name);
    if (!(isfinite(step) && step > 0))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s': step must be finite and > 0, "
                         "not %g", fn, name, step);
    if (integer && (step != floor(step) || step > 4503599627370496.0))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' is an integer: its step must be "
                         "a whole number, not %g", fn, name, step);
    /* A step on a log-type scale would need cells of unequal width around
     * each point; integers already are step 1 under any scale. */
    if (p->scale != HPT_SCALE_LINEAR && !(integer && step == 1))
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has a %s scale; steps need a "
                         "linear one", fn, name,
                         p->scale == HPT_SCALE_LOG ? "log"
                         : p->scale == HPT_SCALE_LOGIT ? "logit" : "reverse-log");
    double n = count_steps(p->lo, p->hi, step, integer);
    if (n > 4503599627370496.0)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s': more than 2^52 steps of %g",
                         fn, name, step);
    p->step = step;
    p->n_steps = n;
    return HPT_OK;
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

double hpt_space_param_step(const hpt_space *s, size_t i)
{
    return s && i < s->n ? s->p[i].step : 0.0;
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

/* Stepped floats round lo + k step to 15 significant digits, so that steps
 * such as 0.1 give 0.3 and not 0.30000000000000004, the value a host types
 * and prints; the result is kept inside [lo, hi]. */
double hpti_param_point(const hpti_param *p, double k)
{
    if (p->type == HPT_PARAM_CATEGORICAL)
        return k;
    double x = p->lo + k * p->step;
    if (!isfinite(x)) /* k step overflowed on a range wider than DBL_MAX */
        x = 2.0 * (0.5 * p->lo + k * (0.5 * p->step));
    if (p->type == HPT_PARAM_FLOAT && k > 0) {
        char b[32];
        snprintf(b, sizeof b, "%.15g", x);
        x = strtod(b, NULL);
    }
    return x < p->lo ? p->lo : (x > p->hi ? p->hi : x);
}

/* Index of the discrete value nearest to x (x inside [lo, hi]). */
static double step_index(const hpti_param *p, double x)
{
    double q = (x - p->lo) / p->step;
    if (!isfinite(q))
        q = (0.5 * x - 0.5 * p->lo) / (0.5 * p->step);
    double k = floor(q + 0.5);
    return k < 0 ? 0 : (k > p->n_steps - 1 ? p->n_steps - 1 : k);
}

int hpti_param_valid(const hpti_param *p, double x)
{
    if (!isfinite(x) || x < p->lo || x > p->hi)
        return 0;
    if (p->type != HPT_PARAM_FLOAT && x != floor(x))
        return 0;
    if (p->n_steps > 0 && p->type != HPT_PARAM_CATEGORICAL &&
        (p->type == HPT_PARAM_FLOAT || p->step != 1) &&
        hpti_param_point(p, step_index(p, x)) != x)
        return 0;
    return 1;
}

static double clamp01(double u) { return u < 0 ? 0 : (u > 1 ? 1 : u); }

int hpti_param_encode_free(const hpti_param *p, double x, double *u)
{
    *u = NAN;
    if (p->type == HPT_PARAM_CATEGORICAL)
        *u = (x + 0.5) / (double)p->n_choices;
    else if (p->lo == p->hi || (p->type == HPT_PARAM_FLOAT && p->t_hi == p->t_lo))
        *u = 0.5; /* fixed: no scale */
    else if (p->n_steps > 0 && p->scale == HPT_SCALE_LINEAR) { /* equal cells */
        /* the nearest step point, not clamped: a parent's value outside a
         * narrowed range stays outside [0, 1] */
        double q = (x - p->lo) / p->step;
        if (!isfinite(q))
            q = (0.5 * x - 0.5 * p->lo) / (0.5 * p->step);
        *u = (floor(q + 0.5) + 0.5) / p->n_steps;
    } else if (p->type == HPT_PARAM_INT) { /* centre of the cell in transformed space */
        if (x - 0.5 <= 0)
            return -1;
        *u = 0.5 * (rel_log(p, x - 0.5) + rel_log(p, x + 0.5)) / p->rspan;
    } else if (p->scale == HPT_SCALE_LINEAR && !isfinite(p->hi - p->lo)) {
        /* a range wider than DBL_MAX: halves cannot overflow */
        *u = (0.5 * x - 0.5 * p->lo) / (0.5 * p->hi - 0.5 * p->lo);
    } else {
        if ((p->scale == HPT_SCALE_LOG && x <= 0) ||
            (p->scale == HPT_SCALE_REVERSE_LOG && x >= 1) ||
            (p->scale == HPT_SCALE_LOGIT && (x <= 0 || x >= 1)))
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
    if (p->n_steps > 0 && p->scale == HPT_SCALE_LINEAR) {
        double k = floor(u * p->n_steps);
        return hpti_param_point(p, k > p->n_steps - 1 ? p->n_steps - 1 : k);
    }
    if (p->type == HPT_PARAM_INT) { /* LOG */
        /* round(ra + d) = lo + floor(d), with d measured from ra */
        double k = p->lo + floor(p->ra * expm1(u * p->rspan));
        return k < p->lo ? p->lo : (k > p->hi ? p->hi : k);
    }
    if (u == 0)
        return p->lo;
    if (u == 1)
        return p->hi;
    double x;
    if (p->scale == HPT_SCALE_LINEAR && !isfinite(p->hi - p->lo))
        x = 2.0 * (0.5 * p->lo + u * (0.5 * p->hi - 0.5 * p->lo));
    else
        x = tinv(p->scale, p->t_lo + u * (p->t_hi - p->t_lo));
    return x < p->lo ? p->lo : (x > p->hi ? p->hi : x);
}

double hpti_param_cardinality(const hpti_param *p)
{
    if (p->n_steps > 0)
        return p->n_steps;
    return p->lo == p->hi ? 1.0 : INFINITY;
}

void hpti_space_snap(const hpt_space *s, double *u, double *x)
{
    double own[HPT_MAX_PARAMS];
    if (!x && s->n_cond)
        x = own;
    for (size_t i = 0; i < s->n; i++) {
        double v = hpti_param_decode(&s->p[i], u[i]);
        if (x)
            x[i] = v;
        if (s->p[i].n_steps > 0)
            u[i] = hpti_param_encode(&s->p[i], v);
    }
    if (x)
        hpti_space_canonical(s, u, x);
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
    if (src->n_cond) {
        s->cond = hpti_calloc(src->n_cond, sizeof *s->cond);
        if (!s->cond)
            goto fail;
        s->cap_cond = src->n_cond;
        for (size_t c = 0; c < src->n_cond; c++) {
            s->cond[c] = src->cond[c];
            s->cond[c].in = NULL;
            s->n_cond = c + 1;
            if (src->cond[c].n_in) {
                s->cond[c].in = hpti_malloc(src->cond[c].n_in * sizeof *s->cond[c].in);
                if (!s->cond[c].in)
                    goto fail;
                memcpy(s->cond[c].in, src->cond[c].in,
                       src->cond[c].n_in * sizeof *s->cond[c].in);
            }
        }
    }
    *out = s;
    return HPT_OK;
fail:
    hpt_space_destroy(s);
    return HPT_E_NOMEM;
}

/* ---- conditions ------------------------------------------------------------ */

static int cond_holds(const hpti_cond *c, double v)
{
    if (c->n_in == 0)
        return v >= c->lo && v <= c->hi;
    for (size_t k = 0; k < c->n_in; k++)
        if (c->in[k] == (size_t)v)
            return 1;
    return 0;
}

/* st[i]: 0 not yet known, 1 active, 2 inactive. The conditions form a DAG
 * (add refuses cycles), so the recursion ends; memoised, so every
 * parameter is resolved once. */
static unsigned char resolve(const hpt_space *s, const double *x, unsigned char *st,
                             size_t i)
{
    if (st[i])
        return st[i];
    unsigned char r = 1;
    for (size_t c = 0; c < s->n_cond && r == 1; c++) {
        const hpti_cond *k = &s->cond[c];
        if (k->child == i &&
            (resolve(s, x, st, k->parent) != 1 || !cond_holds(k, x[k->parent])))
            r = 2;
    }
    return st[i] = r;
}

/* As resolve, with 3 = unknown: a condition on an undecided (NaN) active
 * parent, or on a parent whose activity is unknown, is unknown; a parameter
 * is inactive as soon as one of its conditions surely fails. */
static unsigned char resolve3(const hpt_space *s, const double *x, unsigned char *st,
                              size_t i)
{
    if (st[i])
        return st[i];
    unsigned char r = 1;
    for (size_t c = 0; c < s->n_cond && r != 2; c++) {
        const hpti_cond *k = &s->cond[c];
        if (k->child != i)
            continue;
        unsigned char p = resolve3(s, x, st, k->parent);
        if (p == 2)
            r = 2;
        else if (p == 3 || isnan(x[k->parent]))
            r = 3;
        else if (!cond_holds(k, x[k->parent]))
            r = 2;
    }
    return st[i] = r;
}

void hpti_space_active_partial(const hpt_space *s, const double *x, unsigned char *state)
{
    memset(state, 0, s->n);
    for (size_t i = 0; i < s->n; i++)
        resolve3(s, x, state, i);
}

void hpti_space_active(const hpt_space *s, const double *x, unsigned char *active)
{
    memset(active, 0, s->n);
    for (size_t i = 0; i < s->n; i++)
        resolve(s, x, active, i);
    for (size_t i = 0; i < s->n; i++)
        active[i] = active[i] == 1;
}

int hpti_space_is_parent(const hpt_space *s, size_t i)
{
    for (size_t c = 0; c < s->n_cond; c++)
        if (s->cond[c].parent == i)
            return 1;
    return 0;
}

int hpti_space_same_conditions(const hpt_space *a, const hpt_space *b)
{
    if (a->n_cond != b->n_cond)
        return 0;
    for (size_t c = 0; c < a->n_cond; c++) {
        const hpti_cond *x = &a->cond[c], *y = &b->cond[c];
        if (x->child != y->child || x->parent != y->parent || x->n_in != y->n_in ||
            (x->n_in == 0 && (x->lo != y->lo || x->hi != y->hi)) ||
            (x->n_in && memcmp(x->in, y->in, x->n_in * sizeof *x->in) != 0))
            return 0;
    }
    return 1;
}

void hpti_space_canonical(const hpt_space *s, double *u, double *x)
{
    unsigned char active[HPT_MAX_PARAMS];
    if (!s->n_cond)
        return;
    hpti_space_active(s, x, active);
    for (size_t i = 0; i < s->n; i++)
        if (!active[i]) {
            x[i] = hpti_param_decode(&s->p[i], 0.5);
            u[i] = hpti_param_encode(&s->p[i], x[i]);
        }
}

/* Is `target` among `from` and its ancestors? seen[] marks visited ones. */
static int reaches(const hpt_space *s, size_t from, size_t target, unsigned char *seen)
{
    if (from == target)
        return 1;
    seen[from] = 1;
    for (size_t c = 0; c < s->n_cond; c++)
        if (s->cond[c].child == from && !seen[s->cond[c].parent] &&
            reaches(s, s->cond[c].parent, target, seen))
            return 1;
    return 0;
}

/* Checks shared by both kinds; *ci, *pi get the indices. */
static int check_cond(hpt_space *s, const char *fn, const char *child, const char *parent,
                      size_t *ci, size_t *pi)
{
    if (!s || !child || !parent)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: NULL argument", fn);
    if (!find(s, child, ci))
        return hpti_fail(NULL, HPT_E_NAME, "%s: no parameter '%.64s'", fn, child);
    if (!find(s, parent, pi))
        return hpti_fail(NULL, HPT_E_NAME, "%s: no parameter '%.64s'", fn, parent);
    if (*ci == *pi)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' cannot be conditional on itself",
                         fn, child);
    unsigned char seen[HPT_MAX_PARAMS] = {0};
    if (reaches(s, *pi, *ci, seen))
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' already decides whether '%s' is active: a condition "
                         "of '%s' on '%s' would make a cycle",
                         fn, child, parent, child, parent);
    if (hpti_grow((void **)&s->cond, &s->cap_cond, s->n_cond + 1, sizeof *s->cond))
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    return HPT_OK;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int hpt_space_add_condition(hpt_space *s, const char *child, const char *parent,
                            const char *const *choices, size_t n)
{
    const char *fn = "hpt_space_add_condition";
    size_t ci, pi;
    hpti_clear_error();
    int rc = check_cond(s, fn, child, parent, &ci, &pi);
    if (rc)
        return rc;
    const hpti_param *p = &s->p[pi];
    if (p->type != HPT_PARAM_CATEGORICAL)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' is not categorical; use "
                         "hpt_space_add_condition_range for a numeric parent",
                         fn, parent);
    if (!choices || n == 0)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' needs at least one choice of '%s'",
                         fn, child, parent);
    if (n > p->n_choices)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s' has %zu choices, not %zu", fn,
                         parent, p->n_choices, n);
    size_t *in = hpti_malloc(n * sizeof *in);
    if (!in)
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    for (size_t k = 0; k < n; k++) {
        size_t j = 0;
        while (j < p->n_choices && choices[k] && strcmp(p->choices[j], choices[k]) != 0)
            j++;
        if (!choices[k] || j == p->n_choices) {
            hpti_free(in);
            if (!choices[k])
                return hpti_fail(NULL, HPT_E_INVALID, "%s: choice %zu is NULL", fn, k);
            return hpti_fail(NULL, HPT_E_NAME, "%s: '%s' has no choice '%.64s'", fn,
                             parent, choices[k]);
        }
        in[k] = j;
    }
    qsort(in, n, sizeof *in, cmp_size);
    for (size_t k = 1; k < n; k++)
        if (in[k] == in[k - 1]) {
            const char *twice = p->choices[in[k]];
            hpti_free(in);
            return hpti_fail(NULL, HPT_E_INVALID, "%s: choice '%s' of '%s' is given twice",
                             fn, twice, parent);
        }
    hpti_cond c = {ci, pi, n, in, 0, 0};
    s->cond[s->n_cond++] = c;
    return HPT_OK;
}

int hpt_space_add_condition_range(hpt_space *s, const char *child, const char *parent,
                                  double lo, double hi)
{
    const char *fn = "hpt_space_add_condition_range";
    size_t ci, pi;
    hpti_clear_error();
    int rc = check_cond(s, fn, child, parent, &ci, &pi);
    if (rc)
        return rc;
    const hpti_param *p = &s->p[pi];
    if (p->type == HPT_PARAM_CATEGORICAL)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' is categorical; use hpt_space_add_condition", fn, parent);
    if (isnan(lo) || isnan(hi) || lo > hi)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: '%s': bad range [%g, %g]", fn, child,
                         lo, hi);
    if (hi < p->lo || lo > p->hi)
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: '%s' would never be active: [%g, %g] misses '%s' range "
                         "[%g, %g]",
                         fn, child, lo, hi, parent, p->lo, p->hi);
    hpti_cond c = {ci, pi, 0, NULL, lo, hi};
    s->cond[s->n_cond++] = c;
    return HPT_OK;
}

double hpti_space_configurations(const hpt_space *s)
{
    double product = 1, combos = 1;
    for (size_t i = 0; i < s->n; i++) {
        double c = hpti_param_cardinality(&s->p[i]);
        product *= c;
        if (hpti_space_is_parent(s, i))
            combos *= c;
    }
    if (isinf(product) || !s->n_cond || combos > 1048576.0)
        return product;
    /* as grid.c numbers them: one sub-product per combination of the
     * parents' values, none for a combination that only differs from
     * another in an inactive parent */
    double x[HPT_MAX_PARAMS] = {0}, total = 0;
    unsigned char active[HPT_MAX_PARAMS], first[HPT_MAX_PARAMS];
    for (double c = 0; c < combos; c++) {
        double rest = c;
        for (size_t i = s->n; i-- > 0;) {
            if (!hpti_space_is_parent(s, i))
                continue;
            double n = hpti_param_cardinality(&s->p[i]), k = fmod(rest, n);
            rest = floor(rest / n);
            x[i] = hpti_param_point(&s->p[i], k);
            first[i] = k == 0;
        }
        hpti_space_active(s, x, active);
        double w = 1;
        for (size_t i = 0; i < s->n && w > 0; i++) {
            int parent = hpti_space_is_parent(s, i);
            if (parent && !active[i] && !first[i])
                w = 0;
            else if (!parent && active[i])
                w *= hpti_param_cardinality(&s->p[i]);
        }
        total += w;
    }
    return total;
}
