/* export.c -- a study's trials as a CSV file, and the file writing that
 * the other exports (export_json.c) share. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static const char *state_name(int32_t st)
{
    switch (st) {
    case HPT_TRIAL_RUNNING: return "running";
    case HPT_TRIAL_COMPLETE: return "complete";
    case HPT_TRIAL_FAILED: return "failed";
    default: return "pruned";
    }
}

static void write_csv(const hpt_study *s, FILE *f)
{
    fputs("id,state", f);
    for (size_t i = 0; i < s->dim; i++) {
        fputc(',', f);
        csv_field(f, s->space->p[i].name);
    }
    fputs(",budget,value,reports,fail_reason\r\n", f);
    for (size_t k = 0; k < s->n_trials; k++) {
        const hpti_trial *t = &s->trials[k];
        fprintf(f, "%zu,%s", k, state_name(t->state));
        for (size_t i = 0; i < s->dim; i++) {
            const hpti_param *p = &s->space->p[i];
            fputc(',', f);
            if (p->type == HPT_PARAM_CATEGORICAL)
                csv_field(f, p->choices[(size_t)t->x[i]]);
            else if (p->type == HPT_PARAM_INT)
                fprintf(f, "%.0f", t->x[i]);
            else
                csv_double(f, t->x[i]);
        }
        fputc(',', f);
        csv_double(f, t->budget);
        fputc(',', f);
        if (t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED)
            csv_double(f, t->value);
        fprintf(f, ",%zu,", s->hist.curve[k].n);
        csv_field(f, t->fail_reason ? t->fail_reason : "");
        fputs("\r\n", f);
    }
}

/* A regular file (or a new one) is written beside the target and renamed
 * over it, so a reader never sees half a file. Anything else that exists
 * (a pipe, /dev/stdout, a terminal) is written in place: renaming over it
 * would replace the device node itself. Takes the study's lock. */
int hpti_export_file(const hpt_study *s, const char *path, const char *fn,
                     void (*write)(const hpt_study *, FILE *))
{
    hpti_clear_error();
    if (!s || !path)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    struct stat sb;
    int in_place = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
    size_t n = strlen(path);
    char *tmp = hpti_malloc(n + 32);
    if (!tmp)
        return hpti_study_fail(s, HPT_E_NOMEM, "%s: out of memory", fn);
    if (in_place)
        snprintf(tmp, n + 32, "%s", path);
    else
        snprintf(tmp, n + 32, "%s.tmp%ld", path, (long)getpid());
    lock(s);
    int rc = HPT_OK;
    FILE *f = fopen(tmp, in_place ? "w" : "wb");
    if (!f)
        rc = FAIL(s, HPT_E_IO, "%s: cannot create '%s' (%s)", fn, tmp, strerror(errno));
    else {
        write(s, f);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad || (!in_place && rename(tmp, path) != 0)) {
            rc = FAIL(s, HPT_E_IO, "%s: cannot write '%s' (%s)", fn, path, strerror(errno));
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
