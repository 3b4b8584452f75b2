/* space_parse.c -- hpt_space_parse: a search space from text, the grammar
 * of hpt-tune's spec files (documented in include/hpt.h), so that a C
 * host, Python and the CLI share one parser.
 *
 * Two passes: every declaration is read and added first, then the
 * conditions, so that a condition may name a parent declared further down
 * (as hpt_space_add_condition allows). Each error names the line and the
 * column (1-based, in bytes) of the text it is about. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"

#define FN "hpt_space_parse"

typedef struct {
    const char *p;  /* start */
    size_t n;       /* bytes */
} span;

/* A condition waiting for the second pass. */
typedef struct {
    span child, parent, value;
    char op;        /* '=', '>' (>=) or '<' (<=) */
    size_t line;
    const char *line_start;
} pending;

typedef struct {
    hpt_space *sp;
    const char *line_start;
    size_t line;
    pending *cond;
    size_t n_cond, cap_cond;
    char **owned;    /* NUL-terminated copies of spans, freed at the end */
    size_t n_owned, cap_owned;
} parser;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static size_t column(const parser *ps, const char *at)
{
    return (size_t)(at - ps->line_start) + 1;
}

/* The error of the text at `at` on the current line: HPT_E_INVALID. */
static int pfail(const parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int pfail(const parser *ps, const char *at, const char *fmt, ...)
{
    char tmp[HPTI_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return hpti_fail(NULL, HPT_E_INVALID, FN ": line %zu, column %zu: %s", ps->line,
                     column(ps, at), tmp);
}
#define PFAIL pfail

/* The message of a failed hpt_space_* call, without its function name. */
static const char *reason(void)
{
    const char *m = hpt_last_errmsg(), *c = strstr(m, ": ");
    return c ? c + 2 : m;
}

/* Where a refused add points: the name for a bad or duplicate one, else
 * the domain. */
static const char *add_at(const char *why, const char *name_at, const char *domain_at)
{
    return strstr(why, "parameter name '") || strstr(why, "already exists") ? name_at
                                                                             : domain_at;
}

/* A NUL-terminated copy of s that lives until the parse ends. */
static char *str(parser *ps, span s)
{
    if (hpti_grow((void **)&ps->owned, &ps->cap_owned, ps->n_owned + 1, sizeof *ps->owned))
        return NULL;
    char *c = hpti_malloc(s.n + 1);
    if (!c)
        return NULL;
    memcpy(c, s.p, s.n);
    c[s.n] = '\0';
    ps->owned[ps->n_owned++] = c;
    return c;
}

static int nomem(void) { return hpti_fail(NULL, HPT_E_NOMEM, FN ": out of memory"); }

/* A whole span as a number (strtod: "inf" and "1e-3" included). */
static int number(parser *ps, span s, double *v)
{
    char *c = str(ps, s), *end;
    if (!c)
        return -1;
    errno = 0;
    *v = strtod(c, &end);
    return s.n == 0 || *end || is_blank(c[0]) || errno == ERANGE ? 1 : 0;
}

static int integer(parser *ps, span s, int64_t *v)
{
    char *c = str(ps, s), *end;
    if (!c)
        return -1;
    errno = 0;
    long long x = strtoll(c, &end, 10);
    *v = x;
    return s.n == 0 || *end || is_blank(c[0]) || errno == ERANGE ? 1 : 0;
}

static const struct {
    const char *name;
    int32_t scale;
} scales[] = {{"linear", HPT_SCALE_LINEAR},
              {"lin", HPT_SCALE_LINEAR},
              {"log", HPT_SCALE_LOG},
              {"reverse-log", HPT_SCALE_REVERSE_LOG},
              {"reverse_log", HPT_SCALE_REVERSE_LOG},
              {"rlog", HPT_SCALE_REVERSE_LOG},
              {"logit", HPT_SCALE_LOGIT},
              {"auto", HPT_SCALE_AUTO}};

static int span_is(span s, const char *w) { return s.n == strlen(w) && !memcmp(s.p, w, s.n); }

/* Where the declaration's clauses start: the first word "if" between
 * blanks at or after `from` (cat: choices may hold blanks), or end. */
static const char *clauses_at(const char *from, const char *end)
{
    for (const char *q = from; q + 3 < end; q++)
        if (is_blank(q[0]) && q[1] == 'i' && q[2] == 'f' && is_blank(q[3])) {
            while (q > from && is_blank(q[-1]))
                q--;
            return q;
        }
    return end;
}

/* lo:hi{:scale|:step=S} of a float or int (name at name_at): add it. */
static int numeric(parser *ps, int32_t type, const char *name, const char *name_at, span d)
{
    span f[4];
    size_t nf = 0;
    const char *end = d.p + d.n, *q = d.p;
    for (;;) {
        const char *c = memchr(q, ':', (size_t)(end - q));
        if (nf == 4)
            return PFAIL(ps, q, "too many ':' fields (want LO:HI[:SCALE][:step=S])");
        f[nf++] = (span){q, (size_t)((c ? c : end) - q)};
        if (!c)
            break;
        q = c + 1;
    }
    if (nf < 2)
        return PFAIL(ps, d.p, "'%s' wants LO:HI[:SCALE][:step=S]", name);
    int32_t scale = HPT_SCALE_LINEAR;
    int have_scale = 0;
    double step = 0;
    span step_at = {NULL, 0};
    for (size_t k = 2; k < nf; k++) {
        if (f[k].n > 5 && !memcmp(f[k].p, "step=", 5)) {
            span v = {f[k].p + 5, f[k].n - 5};
            int r = step_at.p ? 2 : number(ps, v, &step);
            if (r < 0)
                return nomem();
            if (r)
                return PFAIL(ps, f[k].p, r == 2 ? "step given twice" : "bad step '%.*s'",
                             (int)v.n, v.p);
            step_at = f[k];
            continue;
        }
        size_t i = 0;
        while (i < sizeof scales / sizeof *scales && !span_is(f[k], scales[i].name))
            i++;
        if (i == sizeof scales / sizeof *scales || have_scale)
            return PFAIL(ps, f[k].p,
                         have_scale ? "scale given twice"
                                    : "unknown scale '%.*s' (linear, log, reverse-log, "
                                      "logit, auto, or step=S)",
                         (int)f[k].n, f[k].p);
        scale = scales[i].scale;
        have_scale = 1;
    }
    int rc;
    if (type == HPT_PARAM_FLOAT) {
        double lo, hi;
        for (int k = 0; k < 2; k++) {
            int r = number(ps, f[k], k ? &hi : &lo);
            if (r < 0)
                return nomem();
            if (r || !isfinite(k ? hi : lo))
                return PFAIL(ps, f[k].p, "'%s': bound '%.*s' is not a finite number", name,
                             (int)f[k].n, f[k].p);
        }
        rc = hpt_space_add_float(ps->sp, name, lo, hi, scale);
    } else {
        int64_t lo, hi;
        for (int k = 0; k < 2; k++) {
            int r = integer(ps, f[k], k ? &hi : &lo);
            if (r < 0)
                return nomem();
            if (r)
                return PFAIL(ps, f[k].p, "'%s': bound '%.*s' is not an integer", name,
                             (int)f[k].n, f[k].p);
        }
        rc = hpt_space_add_int(ps->sp, name, lo, hi, scale);
    }
    if (rc == HPT_E_NOMEM)
        return rc;
    if (rc)
        return PFAIL(ps, add_at(reason(), name_at, d.p), "%s", reason());
    if (step_at.p && (rc = hpt_space_set_step(ps->sp, name, step)) != HPT_OK)
        return rc == HPT_E_NOMEM ? rc : PFAIL(ps, step_at.p, "%s", reason());
    return HPT_OK;
}

/* Split s at commas into copies (choices). */
static int choices(parser *ps, span s, char ***out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    const char *end = s.p + s.n, *q = s.p;
    for (;;) {
        const char *c = memchr(q, ',', (size_t)(end - q));
        span one = {q, (size_t)((c ? c : end) - q)};
        char *x = str(ps, one);
        if (!x || hpti_grow((void **)out, &cap, *n + 1, sizeof **out))
            return -1;
        (*out)[(*n)++] = x;
        if (!c)
            return 0;
        q = c + 1;
    }
}

static int categorical(parser *ps, const char *name, const char *name_at, span d)
{
    char **c;
    size_t n;
    if (choices(ps, d, &c, &n)) {
        hpti_free(c);
        return nomem();
    }
    for (size_t k = 0; k < n; k++)
        if (!c[k][0]) {
            const char *at = d.p;
            for (size_t j = 0; j < k; j++)
                at += strlen(c[j]) + 1;
            hpti_free(c);
            return PFAIL(ps, at, "'%s': choice %zu is empty", name, k + 1);
        }
    int rc = hpt_space_add_categorical(ps->sp, name, (const char *const *)c, n);
    hpti_free(c);
    if (rc == HPT_E_NOMEM)
        return rc;
    return rc ? PFAIL(ps, add_at(reason(), name_at, d.p), "%s", reason()) : HPT_OK;
}

/* "if" clauses from q to end: queued for the second pass. */
static int clauses(parser *ps, span child, const char *q, const char *end)
{
    while (q < end) {
        while (q < end && is_blank(*q))
            q++;
        if (q == end)
            break;
        if (end - q < 3 || q[0] != 'i' || q[1] != 'f' || !is_blank(q[2]))
            return PFAIL(ps, q, "expected 'if PARENT=...' or the end of the line, not "
                                "'%.*s'",
                         (int)(end - q > 20 ? 20 : end - q), q);
        q += 3;
        while (q < end && is_blank(*q))
            q++;
        const char *stop = clauses_at(q, end);
        /* one condition: PARENT=VALUE, PARENT>=V, PARENT<=V */
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        if (!eq)
            return PFAIL(ps, q, "a condition wants PARENT=..., PARENT>=V or PARENT<=V");
        char op = '=';
        const char *name_end = eq;
        if (eq > q && (eq[-1] == '>' || eq[-1] == '<')) {
            op = eq[-1];
            name_end--;
        }
        if (name_end == q)
            return PFAIL(ps, q, "a condition names no parent");
        if (hpti_grow((void **)&ps->cond, &ps->cap_cond, ps->n_cond + 1, sizeof *ps->cond))
            return nomem();
        pending *p = &ps->cond[ps->n_cond++];
        p->child = child;
        p->parent = (span){q, (size_t)(name_end - q)};
        p->value = (span){eq + 1, (size_t)(stop - eq - 1)};
        p->op = op;
        p->line = ps->line;
        p->line_start = ps->line_start;
        q = stop;
    }
    return HPT_OK;
}

/* One non-blank, non-comment line [q, end). */
static int declaration(parser *ps, const char *q, const char *end)
{
    const char *w = q;
    while (q < end && !is_blank(*q))
        q++;
    span kind = {w, (size_t)(q - w)};
    int32_t type = span_is(kind, "float") ? HPT_PARAM_FLOAT
                   : span_is(kind, "int")  ? HPT_PARAM_INT
                   : span_is(kind, "cat")  ? HPT_PARAM_CATEGORICAL
                                           : -1;
    if (type < 0)
        return PFAIL(ps, w, "expected float, int or cat, not '%.*s'",
                     (int)(kind.n > 20 ? 20 : kind.n), kind.p);
    while (q < end && is_blank(*q))
        q++;
    const char *eq = q;
    while (eq < end && *eq != '=' && !is_blank(*eq))
        eq++;
    if (eq == q || eq == end || *eq != '=')
        return PFAIL(ps, q, "expected NAME=... after '%.*s'", (int)kind.n, kind.p);
    span name = {q, (size_t)(eq - q)};
    char *nm = str(ps, name);
    if (!nm)
        return nomem();
    const char *d = eq + 1, *dend;
    if (type == HPT_PARAM_CATEGORICAL)
        dend = clauses_at(d, end);
    else
        for (dend = d; dend < end && !is_blank(*dend); dend++)
            ;
    if (dend == d)
        return PFAIL(ps, d, "'%s' has no %s", nm,
                     type == HPT_PARAM_CATEGORICAL ? "choices" : "range");
    span dom = {d, (size_t)(dend - d)};
    int rc = type == HPT_PARAM_CATEGORICAL ? categorical(ps, nm, name.p, dom)
                                           : numeric(ps, type, nm, name.p, dom);
    return rc ? rc : clauses(ps, name, dend, end);
}

static int add_condition(parser *ps, const pending *c)
{
    ps->line = c->line;
    ps->line_start = c->line_start;
    char *child = str(ps, c->child), *parent = str(ps, c->parent);
    if (!child || !parent)
        return nomem();
    size_t pi;
    if (hpt_space_index(ps->sp, parent, &pi))
        return PFAIL(ps, c->parent.p, "'%s': no parameter '%s'", child, parent);
    int32_t type;
    double plo, phi;
    hpt_space_param_info(ps->sp, pi, &type, NULL, &plo, &phi, NULL);
    int rc;
    if (type == HPT_PARAM_CATEGORICAL) {
        if (c->op != '=')
            return PFAIL(ps, c->parent.p, "'%s' is categorical: write %s=CHOICE,...",
                         parent, parent);
        char **v;
        size_t n;
        if (choices(ps, c->value, &v, &n)) {
            hpti_free(v);
            return nomem();
        }
        rc = hpt_space_add_condition(ps->sp, child, parent, (const char *const *)v, n);
        hpti_free(v);
    } else {
        double lo = -INFINITY, hi = INFINITY, v;
        span val = c->value; /* a number may have blanks after it */
        while (val.n && is_blank(val.p[val.n - 1]))
            val.n--;
        const char *colon = c->op == '=' ? memchr(val.p, ':', val.n) : NULL;
        span a = val, b = {NULL, 0};
        if (colon) {
            a.n = (size_t)(colon - a.p);
            b = (span){colon + 1, (size_t)(val.p + val.n - colon - 1)};
        }
        for (int k = 0; k < (colon ? 2 : 1); k++) {
            span s = k ? b : a;
            int r = number(ps, s, &v);
            if (r < 0)
                return nomem();
            if (r || isnan(v))
                return PFAIL(ps, s.p, "'%s' is numeric: '%.*s' is not a number (write "
                                      "%s=LO:HI, %s>=V or %s<=V)",
                             parent, (int)s.n, s.p, parent, parent, parent);
            if (c->op == '>' || (colon && k == 0))
                lo = v;
            else if (c->op == '<' || colon)
                hi = v;
            else
                lo = hi = v;
        }
        rc = hpt_space_add_condition_range(ps->sp, child, parent, lo, hi);
    }
    if (rc == HPT_E_NOMEM)
        return rc;
    /* an unknown choice is the value's fault, the rest the parent's */
    return rc ? PFAIL(ps, rc == HPT_E_NAME ? c->value.p : c->parent.p, "%s", reason())
              : HPT_OK;
}

static int parse(parser *ps, const char *spec)
{
    int rc = HPT_OK;
    for (const char *q = spec; !rc && *q;) {
        const char *nl = strchr(q, '\n');
        const char *end = nl ? nl : q + strlen(q);
        const char *next = nl ? nl + 1 : end;
        if (end > q && end[-1] == '\r')
            end--;
        ps->line++;
        ps->line_start = q;
        while (q < end && is_blank(*q))
            q++;
        if (q < end && *q != '#')
            rc = declaration(ps, q, end);
        q = next;
    }
    for (size_t k = 0; !rc && k < ps->n_cond; k++)
        rc = add_condition(ps, &ps->cond[k]);
    return rc;
}

int hpt_space_parse(const char *spec, hpt_space **out)
{
    hpti_clear_error();
    if (!out)
        return hpti_fail(NULL, HPT_E_INVALID, FN ": out is NULL");
    *out = NULL;
    if (!spec)
        return hpti_fail(NULL, HPT_E_INVALID, FN ": spec is NULL");
    parser ps = {0};
    int rc = hpt_space_create(&ps.sp);
    if (rc)
        return rc;
    rc = parse(&ps, spec);
    for (size_t k = 0; k < ps.n_owned; k++)
        hpti_free(ps.owned[k]);
    hpti_free(ps.owned);
    hpti_free(ps.cond);
    if (rc) {
        hpt_space_destroy(ps.sp);
        return rc == HPT_E_NOMEM ? hpti_fail(NULL, rc, FN ": out of memory") : rc;
    }
    *out = ps.sp;
    return HPT_OK;
}
