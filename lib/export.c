/* export.c -- a study's trials as a CSV file, and the file writing that
 * the other exports (export_json.c) share. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "journal.h"
#include "study.h"

static void lock(const hpt_study *s) { pthread_mutex_lock(&((hpt_study *)s)->lock); }
static void unlock(const hpt_study *s) { pthread_mutex_unlock(&((hpt_study *)s)->lock); }
#define FAIL(s, st, ...) hpti_fail(((hpt_study *)(s))->errmsg, st, __VA_ARGS__)

/* RFC 4180: a field with a comma, quote, CR, LF or outer blank is quoted,
 * quotes doubled. */
static void csv_field(FILE *f, const char *v)
{
    size_t n = strlen(v);
    int q = strpbrk(v, ",\"\r\n") != NULL || (n && (v[0] == ' ' || v[n - 1] == ' '));
    if (!q) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', f);
        fputc(*v, f);
    }
    fputc('"', f);
}

static void csv_double(FILE *f, double x)
{
    char b[32];
    hpti_fmt_double(b, x);
    fputs(b, f);
}

/* A time in seconds (Unix time, or a duration; hpt_trial_times), empty
 * when unknown or still running. */
static void csv_time(FILE *f, double x)
{
    fputc(',', f);
    if (!isnan(x))
        csv_double(f, x);
}

/* The distinct trial attribute keys in the order first set (trial by
 * trial): *keys (owned, the strings are the trials'). @return 0 or -1
 * (out of memory). */
static int attr_keys(const hpt_study *s, const char ***keys, size_t *n)
{
    size_t cap = 0;
    *keys = NULL;
    *n = 0;
    for (size_t k = 0; k < s->n_trials; k++) {
        const hpti_attrs *a = &s->trials[k].attrs;
        for (size_t j = 0; j < a->n; j++) {
            size_t q = 0;
            while (q < *n && strcmp((*keys)[q], a->key[j]) != 0)
                q++;
            if (q < *n)
                continue;
            if (hpti_grow((void **)keys, &cap, *n + 1, sizeof **keys))
                return -1;
            (*keys)[(*n)++] = a->key[j];
        }
    }
    return 0;
}

/* The value columns: "value" for one objective and no constraint; else
 * "value" (one objective) or "value_0" ... "value_<n-1>", then
 * "constraint_0" ..., "feasible" and "pareto" (1 on the front). */
static void csv_values_header(const hpt_study *s, FILE *f)
{
    if (s->hist.n_obj == 1)
        fputs(",value", f);
    else
        for (size_t k = 0; k < s->hist.n_obj; k++)
            fprintf(f, ",value_%zu", k);
    if (!hpti_study_shaped(s))
        return;
    for (size_t j = 0; j < s->hist.n_con; j++)
        fprintf(f, ",constraint_%zu", j);
    fputs(",feasible,pareto", f);
}

static void csv_values(const hpt_study *s, FILE *f, size_t k, const unsigned char *front)
{
    const hpti_trial *t = &s->trials[k];
    int told = t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED;
    for (size_t q = 0; q < s->hist.n_obj + s->hist.n_con; q++) {
        fputc(',', f);
        if (told && (q < s->hist.n_obj || t->state == HPT_TRIAL_COMPLETE) && !isnan(t->v[q]))
            csv_double(f, t->v[q]);
    }
    if (hpti_study_shaped(s))
        fprintf(f, ",%s,%d",
                t->state == HPT_TRIAL_RUNNING ? ""
                : hpti_study_finished_feasible(s, (int64_t)k) ? "1"
                                                             : "0",
                front[k]);
}

/* -1 when out of memory (nothing written) */
static int write_csv(const hpt_study *s, FILE *f)
{
    const char **keys;
    size_t n_keys;
    if (attr_keys(s, &keys, &n_keys))
        return -1;
    unsigned char *front = hpti_malloc(s->n_trials ? s->n_trials : 1);
    if (!front || (hpti_study_shaped(s) && hpti_study_front(s, front))) {
        hpti_free(keys);
        hpti_free(front);
        return -1;
    }
    fputs("id,state", f);
    for (size_t i = 0; i < s->dim; i++) {
        fputc(',', f);
        csv_field(f, s->space->p[i].name);
    }
    fputs(",budget", f);
    csv_values_header(s, f);
    fputs(",reports,fail_reason", f);
    fputs(",asked,finished,duration", f);
    for (size_t q = 0; q < n_keys; q++) {
        fputs(",attr.", f);
        fputs(keys[q], f); /* keys need no quoting (attr.c) */
    }
    fputs("\r\n", f);
    for (size_t k = 0; k < s->n_trials; k++) {
        const hpti_trial *t = &s->trials[k];
        unsigned char active[HPT_MAX_PARAMS];
        hpti_space_active(s->space, t->x, active);
        fprintf(f, "%zu,%s", k, hpti_trial_state_name(t->state));
        for (size_t i = 0; i < s->dim; i++) {
            const hpti_param *p = &s->space->p[i];
            fputc(',', f);
            if (!active[i])
                continue; /* an inactive parameter has no value */
            if (p->type == HPT_PARAM_CATEGORICAL)
                csv_field(f, p->choices[(size_t)t->x[i]]);
            else if (p->type == HPT_PARAM_INT)
                fprintf(f, "%.0f", t->x[i]);
            else
                csv_double(f, t->x[i]);
        }
        fputc(',', f);
        csv_double(f, t->budget);
        csv_values(s, f, k, front);
        fprintf(f, ",%zu,", s->hist.curve[k].n);
        csv_field(f, t->fail_reason ? t->fail_reason : "");
        csv_time(f, t->asked);
        csv_time(f, t->state == HPT_TRIAL_RUNNING ? NAN : t->finished);
        csv_time(f, hpti_duration(t->asked, t->finished));
        for (size_t q = 0; q < n_keys; q++) {
            const char *v = hpti_attrs_get(&t->attrs, keys[q]);
            fputc(',', f);
            csv_field(f, v ? v : "");
        }
        fputs("\r\n", f);
    }
    hpti_free(keys);
    hpti_free(front);
    return 0;
}

/* The temporary file beside path: a name no other export uses at the same
 * time (pid, a per-process counter, the clock), created exclusively and
 * never through a symbolic link, so a file planted at a guessable name is
 * neither followed nor shared. tmp receives the name. */
static FILE *open_temp(const char *path, char *tmp, size_t cap)
{
    static unsigned long counter;
    for (int attempt = 0; attempt < 16; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        snprintf(tmp, cap, "%s.tmp%ld.%lu.%lx", path, (long)getpid(), k,
                 (unsigned long)ts.tv_nsec);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) {
            FILE *f = fdopen(fd, "wb");
            if (!f) {
                int e = errno;
                close(fd);
                remove(tmp);
                errno = e;
            }
            return f;
        }
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

/* A regular file (or a new one) is written beside the target and renamed
 * over it, so a reader never sees half a file. Anything else that exists
 * (a pipe, /dev/stdout, a terminal) is written in place: renaming over it
 * would replace the device node itself. Takes the study's lock. */
int hpti_export_file(const hpt_study *s, const char *path, const char *fn,
                     int (*write)(const hpt_study *, FILE *))
{
    hpti_clear_error();
    if (!s || !path)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    struct stat sb;
    int in_place = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
    size_t n = strlen(path);
    char *tmp = hpti_malloc(n + 64);
    if (!tmp)
        return hpti_study_fail(s, HPT_E_NOMEM, "%s: out of memory", fn);
    lock(s);
    int rc = HPT_OK;
    FILE *f = in_place ? fopen(path, "w") : open_temp(path, tmp, n + 64);
    if (!f)
        rc = FAIL(s, HPT_E_IO, "%s: cannot create '%s' (%s)", fn, in_place ? path : tmp,
                  strerror(errno));
    else {
        int oom = write(s, f);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad || oom || (!in_place && rename(tmp, path) != 0)) {
            rc = oom ? FAIL(s, HPT_E_NOMEM, "%s: out of memory", fn)
                     : FAIL(s, HPT_E_IO, "%s: cannot write '%s' (%s)", fn, path, strerror(errno));
            if (!in_place)
                remove(tmp);
        }
    }
    unlock(s);
    hpti_free(tmp);
    return rc;
}

int hpt_study_export_csv(const hpt_study *s, const char *path)
{
    return hpti_export_file(s, path, "hpt_study_export_csv", write_csv);
}
