/* reader.c -- reading journals: verify every line's checksum, set a torn
 * last line aside, split records into fields, parse numbers, and read the
 * creation block (shared by resume, replay.c, and warm start). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The trailing " xxxxxxxx" of a line: 1 when it matches the bytes before. */
static int checksum_ok(const char *p, size_t n)
{
    if (n < 10 || p[n - 9] != ' ')
        return 0;
    uint32_t want = 0;
    for (size_t i = n - 8; i < n; i++) {
        int v = hexval((unsigned char)p[i]);
        if (v < 0)
            return 0;
        want = want << 4 | (uint32_t)v;
    }
    return hpti_crc32(p, n - 9) == want;
}

/* The format number of a verified header line, 0 when it has none. */
static int header_version(const char *p)
{
    size_t m = strlen(HPTI_JOURNAL_MAGIC);
    if (strncmp(p, HPTI_JOURNAL_MAGIC " ", m + 1) != 0)
        return 0;
    char *end;
    long v = strtol(p + m + 1, &end, 10);
    return *end == ' ' && v > 0 && v < 1000 ? (int)v : 0;
}

/* Cut the sequence number off a record (the field before its checksum).
 * @return 0 when it is the line's number, else -1 with why filled. */
static int strip_seq(char *p, size_t lineno, char *why, size_t cap)
{
    char *sp = strrchr(p, ' ');
    int64_t seq;
    if (!sp || hpti_jparse_i64(sp + 1, &seq) != 0) {
        snprintf(why, cap, "no sequence number");
        return -1;
    }
    if (seq != (int64_t)lineno) {
        snprintf(why, cap, "sequence number %lld, expected %zu", (long long)seq, lineno);
        return -1;
    }
    *sp = '\0';
    return 0;
}

void hpti_jread_free(hpti_jread *r)
{
    hpti_free(r->data);
    hpti_free(r->line);
    memset(r, 0, sizeof *r);
}

int hpti_journal_read(int fd, const char *name, hpti_jread *r, char *msg)
{
    return hpti_journal_read_from(fd, name, 0, 0, r, msg);
}

int hpti_journal_read_from(int fd, const char *name, off_t start, size_t lines,
                           hpti_jread *r, char *msg)
{
    memset(r, 0, sizeof *r);
    r->good = start;
    if (start > 0)
        r->version = HPTI_JOURNAL_VERSION; /* the writer's: a format 1 was converted */
    size_t cap = 0, cap_line = 0;
    for (;;) {
        if (hpti_grow((void **)&r->data, &cap, r->size + 65536 + 1, 1))
            goto nomem;
        ssize_t n = pread(fd, r->data + r->size, cap - r->size - 1, start + (off_t)r->size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            hpti_jread_free(r);
            return hpti_fail(msg, HPT_E_IO, "journal '%s': cannot read (%s)", name,
                             strerror(e));
        }
        if (n == 0)
            break;
        r->size += (size_t)n;
    }
    if (!r->data && hpti_grow((void **)&r->data, &cap, 1, 1))
        goto nomem;
    r->data[r->size] = '\0';
    size_t pos = 0, lineno = lines;
    while (pos < r->size) {
        lineno++;
        char *p = r->data + pos;
        char *nl = memchr(p, '\n', r->size - pos);
        size_t n = nl ? (size_t)(nl - p) : r->size - pos;
        int last = !nl || pos + n + 1 == r->size;
        if (!nl || !checksum_ok(p, n)) {
            if (lineno == 1 && strncmp(p, HPTI_JOURNAL_MAGIC, n < 11 ? n : 11) != 0) {
                hpti_jread_free(r);
                return hpti_fail(msg, HPT_E_CORRUPT,
                                 "journal '%s': not a libhpt journal (line 1 does not "
                                 "start with \"" HPTI_JOURNAL_MAGIC "\")",
                                 name);
            }
            if (!last) {
                hpti_jread_free(r);
                return hpti_fail(msg, HPT_E_CORRUPT,
                                 "journal '%s' line %zu: checksum does not match (the "
                                 "record is damaged)",
                                 name, lineno);
            }
            r->torn = 1;
            snprintf(r->torn_why, sizeof r->torn_why,
                     "line %zu (%zu bytes) was torn (%s) and dropped", lineno,
                     r->size - pos, nl ? "bad checksum" : "no newline");
            break;
        }
        if (hpti_grow((void **)&r->line, &cap_line, r->n_line + 1, sizeof *r->line))
            goto nomem;
        p[n - 9] = '\0';
        if (lineno == 1)
            r->version = header_version(p);
        char why[96];
        if (r->version >= 2 && strip_seq(p, lineno, why, sizeof why) != 0) {
            int rc = hpti_fail(msg, HPT_E_CORRUPT,
                               "journal '%s' line %zu: %s (a record before it was deleted, "
                               "or lines were moved)",
                               name, lineno, why);
            hpti_jread_free(r);
            return rc;
        }
        r->line[r->n_line].p = p;
        r->line[r->n_line].lineno = lineno;
        r->line[r->n_line].end = start + (off_t)(pos + n + 1);
        r->n_line++;
        pos += n + 1;
        r->good = start + (off_t)pos;
    }
    return HPT_OK;
nomem:
    hpti_jread_free(r);
    return hpti_fail(msg, HPT_E_NOMEM, "journal '%s': out of memory reading it", name);
}

size_t hpti_jsplit(char *p, char **field, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        field[n++] = p;
        char *sp = strchr(p, ' ');
        if (!sp)
            return n;
        *sp = '\0';
        p = sp + 1;
    }
}

int hpti_junescape(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if (*p == '%') {
            int a = hexval((unsigned char)p[1]), b = a < 0 ? -1 : hexval((unsigned char)p[2]);
            if (a < 0 || b < 0 || (a == 0 && b == 0))
                return -1;
            *w++ = (char)(a << 4 | b);
            p += 2;
        } else
            *w++ = *p;
    }
    *w = '\0';
    return 0;
}

int hpti_jparse_double(const char *f, double *v)
{
    char *end;
    if (!*f || *f == ' ')
        return -1;
    errno = 0;
    *v = strtod(f, &end);
    return *end || isnan(*v) ? -1 : 0;
}

int hpti_jparse_i64(const char *f, int64_t *v)
{
    char *end;
    if (!*f)
        return -1;
    errno = 0;
    long long x = strtoll(f, &end, 10);
    if (*end || errno)
        return -1;
    *v = (int64_t)x;
    return 0;
}

int hpti_jparse_u64(const char *f, uint64_t *v)
{
    char *end;
    if (!*f || *f == '-')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(f, &end, 10);
    if (*end || errno)
        return -1;
    *v = (uint64_t)x;
    return 0;
}

int hpti_jparse_shape(char **f, size_t nf, hpti_jshape *sh, char *why)
{
    uint64_t n;
    sh->objectives = strcmp(f[0], "objectives") == 0;
    size_t max = sh->objectives ? HPT_MAX_OBJECTIVES : HPT_MAX_CONSTRAINTS;
    if (nf < 2 || hpti_jparse_u64(f[1], &n)) {
        snprintf(why, HPTI_MSG, "malformed \"%s\" record: no count", f[0]);
        return -1;
    }
    if (n > max || (sh->objectives && n < 1)) {
        snprintf(why, HPTI_MSG, "malformed \"%s\" record: count %llu is not in %d .. %zu",
                 f[0], (unsigned long long)n, sh->objectives, max);
        return -1;
    }
    if (nf != 2 + (sh->objectives ? n : 0)) {
        snprintf(why, HPTI_MSG, "malformed \"%s\" record: %zu fields", f[0], nf);
        return -1;
    }
    for (size_t k = 0; sh->objectives && k < n; k++) {
        if (strcmp(f[2 + k], "minimize") == 0)
            sh->dir[k] = HPT_MINIMIZE;
        else if (strcmp(f[2 + k], "maximize") == 0)
            sh->dir[k] = HPT_MAXIMIZE;
        else {
            snprintf(why, HPTI_MSG, "malformed \"objectives\" record: direction %zu", k + 1);
            return -1;
        }
    }
    sh->n = (size_t)n;
    return 0;
}

/* ---- the creation block -------------------------------------------------- */

static int parse_scale(const char *f, int32_t *scale)
{
    if (strcmp(f, "linear") == 0)
        *scale = HPT_SCALE_LINEAR;
    else if (strcmp(f, "log") == 0)
        *scale = HPT_SCALE_LOG;
    else if (strcmp(f, "reverse_log") == 0)
        *scale = HPT_SCALE_REVERSE_LOG;
    else if (strcmp(f, "logit") == 0)
        *scale = HPT_SCALE_LOGIT;
    else
        return -1;
    return 0;
}

#define BAD(...) hpti_fail(msg, HPT_E_CORRUPT, __VA_ARGS__)

static int parse_param(hpt_space *sp, char *rec, const char *name, size_t lineno,
                       char *msg)
{
    char *f[HPT_MAX_CHOICES + 8];
    size_t n = hpti_jsplit(rec, f, HPT_MAX_CHOICES + 6);
    int32_t scale;
    double lo, hi;
    uint64_t k;
    int rc;
    if (n < 4 || strcmp(f[0], "param") != 0 || hpti_junescape(f[1]))
        return BAD("journal '%s' line %zu: expected a \"param\" record", name, lineno);
    if (strcmp(f[2], "categorical") == 0) {
        if (hpti_jparse_u64(f[3], &k) || k == 0 || k > HPT_MAX_CHOICES || n != 4 + k)
            return BAD("journal '%s' line %zu: bad categorical parameter", name, lineno);
        for (size_t i = 0; i < k; i++)
            if (hpti_junescape(f[4 + i]))
                return BAD("journal '%s' line %zu: bad escape in a choice", name, lineno);
        rc = hpt_space_add_categorical(sp, f[1], (const char *const *)(f + 4), k);
    } else {
        if (n != 6 || parse_scale(f[3], &scale) || hpti_jparse_double(f[4], &lo) ||
            hpti_jparse_double(f[5], &hi))
            return BAD("journal '%s' line %zu: bad parameter record", name, lineno);
        if (strcmp(f[2], "float") == 0)
            rc = hpt_space_add_float(sp, f[1], lo, hi, scale);
        else if (strcmp(f[2], "int") == 0 && lo == floor(lo) && hi == floor(hi) &&
                 fabs(lo) <= 4503599627370496.0 && fabs(hi) <= 4503599627370496.0)
            rc = hpt_space_add_int(sp, f[1], (int64_t)lo, (int64_t)hi, scale);
        else
            return BAD("journal '%s' line %zu: bad parameter type '%.32s'", name, lineno,
                       f[2]);
    }
    if (rc == HPT_E_NOMEM)
        return hpti_fail(msg, rc, "journal '%s': out of memory", name);
    if (rc)
        return BAD("journal '%s' line %zu: invalid parameter: %s", name, lineno,
                   hpt_last_errmsg());
    return HPT_OK;
}

/* A refinement of the space after the parameters: "step <name> <step>",
 * "cond <child> <parent> in <n> <choice>..." or
 * "cond <child> <parent> range <lo> <hi>". */
static int parse_extra(hpt_space *sp, char *rec, const char *name, size_t lineno,
                       char *msg)
{
    char *f[HPT_MAX_CHOICES + 8];
    size_t n = hpti_jsplit(rec, f, HPT_MAX_CHOICES + 6);
    double v, w;
    uint64_t k;
    int rc, esc = 0;
    for (size_t i = 1; i < n && i < HPT_MAX_CHOICES + 6; i++)
        if (i != 3 || strcmp(f[0], "cond") != 0) /* the kind word needs none */
            esc |= hpti_junescape(f[i]);
    if (esc)
        return BAD("journal '%s' line %zu: bad escape", name, lineno);
    if (n == 3 && strcmp(f[0], "step") == 0 && !hpti_jparse_double(f[2], &v))
        rc = hpt_space_set_step(sp, f[1], v);
    else if (n >= 6 && strcmp(f[0], "cond") == 0 && strcmp(f[3], "in") == 0 &&
             !hpti_jparse_u64(f[4], &k) && k >= 1 && k <= HPT_MAX_CHOICES && n == 5 + k)
        rc = hpt_space_add_condition(sp, f[1], f[2], (const char *const *)(f + 5), k);
    else if (n == 6 && strcmp(f[0], "cond") == 0 && strcmp(f[3], "range") == 0 &&
             !hpti_jparse_double(f[4], &v) && !hpti_jparse_double(f[5], &w))
        rc = hpt_space_add_condition_range(sp, f[1], f[2], v, w);
    else
        return BAD("journal '%s' line %zu: expected \"begin\"", name, lineno);
    if (rc == HPT_E_NOMEM)
        return hpti_fail(msg, rc, "journal '%s': out of memory", name);
    if (rc)
        return BAD("journal '%s' line %zu: invalid %s record: %s", name, lineno, f[0],
                   hpt_last_errmsg());
    return HPT_OK;
}

int hpti_journal_parse_create(hpti_jread *r, const char *name, hpt_space **space,
                              const char **strategy, int32_t *direction, uint64_t *seed,
                              size_t *next, char *msg)
{
    char *f[8];
    uint64_t n_params, version;
    int rc;
    *space = NULL;
    if (r->n_line == 0)
        return 1; /* empty, or a header torn while being created */
    size_t n = hpti_jsplit(r->line[0].p, f, 4);
    if (n != 3 || strcmp(f[0], HPTI_JOURNAL_MAGIC) != 0 || hpti_jparse_u64(f[1], &version))
        return BAD("journal '%s' line 1: bad header", name);
    if (version != HPTI_JOURNAL_VERSION && version != HPTI_JOURNAL_V1)
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "journal '%s' has format version %llu; this library (%s) reads "
                         "versions %d and %d",
                         name, (unsigned long long)version, hpt_version_string(),
                         HPTI_JOURNAL_V1, HPTI_JOURNAL_VERSION);
    if (r->n_line < 2)
        return 1;
    n = hpti_jsplit(r->line[1].p, f, 6);
    if (n != 5 || strcmp(f[0], "create") != 0 || hpti_junescape(f[1]) ||
        (strcmp(f[2], "minimize") != 0 && strcmp(f[2], "maximize") != 0) ||
        hpti_jparse_u64(f[3], seed) || hpti_jparse_u64(f[4], &n_params) || n_params == 0 ||
        n_params > HPT_MAX_PARAMS)
        return BAD("journal '%s' line 2: bad \"create\" record", name);
    *strategy = f[1];
    *direction = strcmp(f[2], "maximize") == 0 ? HPT_MAXIMIZE : HPT_MINIMIZE;
    if (r->n_line < 3 + n_params)
        return 1;
    if (hpt_space_create(space))
        return hpti_fail(msg, HPT_E_NOMEM, "journal '%s': out of memory", name);
    for (size_t i = 0; i < n_params; i++)
        if ((rc = parse_param(*space, r->line[2 + i].p, name, r->line[2 + i].lineno, msg)))
            goto fail;
    size_t at = 2 + n_params;
    for (; at < r->n_line && strcmp(r->line[at].p, "begin") != 0; at++)
        if ((rc = parse_extra(*space, r->line[at].p, name, r->line[at].lineno, msg)))
            goto fail;
    if (at == r->n_line) { /* torn before "begin" */
        hpt_space_destroy(*space);
        *space = NULL;
        return 1;
    }
    *next = at + 1;
    return HPT_OK;
fail:
    hpt_space_destroy(*space);
    *space = NULL;
    return rc;
}
