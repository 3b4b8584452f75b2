/* export_json.c -- the trials as one JSON document, for tools that do not
 * read CSV: {"direction", "attrs", "trials": [{"id", "state", "params",
 * "value", "budget", "parent", "reports", "fail_reason", "asked",
 * "finished", "duration", "attrs"}, ...]}, times as hpt_trial_times gives
 * them.
 * Numbers round-trip exactly; what JSON cannot hold (a non-finite value, a
 * value a trial does not have, an inactive parameter) is null. Strings are
 * UTF-8 as given, with the escapes RFC 8259 requires. */
#include <math.h>
#include <stdio.h>

#include "export.h"
#include "journal.h"
#include "study.h"

static void json_string(FILE *f, const char *v)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_number(FILE *f, double x)
{
    if (!isfinite(x)) {
        fputs("null", f);
        return;
    }
    char b[32];
    hpti_fmt_double(b, x);
    fputs(b, f);
}

static void json_attrs(FILE *f, const hpti_attrs *a)
{
    fputc('{', f);
    for (size_t j = 0; j < a->n; j++) {
        if (j)
            fputs(", ", f);
        json_string(f, a->key[j]);
        fputs(": ", f);
        json_string(f, a->value[j]);
    }
    fputc('}', f);
}

/* Several objectives or constraints: "values" (every objective, null
 * where a pruned trial has none), "constraints", "feasible" and "pareto". */
static void json_values(const hpt_study *s, FILE *f, size_t k, const unsigned char *front)
{
    const hpti_trial *t = &s->trials[k];
    int told = t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED;
    for (size_t q = 0; q < s->hist.n_obj + s->hist.n_con; q++) {
        fputs(q == 0 ? ", \"values\": [" : q == s->hist.n_obj ? "], \"constraints\": [" : ", ", f);
        json_number(f, told && (q < s->hist.n_obj || t->state == HPT_TRIAL_COMPLETE) ? t->v[q] : NAN);
    }
    fputs(s->hist.n_con ? "]" : "], \"constraints\": []", f);
    fputs(", \"feasible\": ", f);
    fputs(t->state == HPT_TRIAL_RUNNING                   ? "null"
          : hpti_study_finished_feasible(s, (int64_t)k) ? "true"
                                                          : "false",
          f);
    fprintf(f, ", \"pareto\": %s", front[k] ? "true" : "false");
}

static int write_json(const hpt_study *s, FILE *f)
{
    unsigned char *front = hpti_malloc(s->n_trials ? s->n_trials : 1);
    if (!front || (hpti_study_shaped(s) && hpti_study_front(s, front))) {
        hpti_free(front);
        return -1;
    }
    fputs("{\"direction\": ", f);
    json_string(f, s->directions[0] == HPT_MAXIMIZE ? "maximize" : "minimize");
    if (hpti_study_shaped(s)) {
        fputs(", \"directions\": [", f);
        for (size_t k = 0; k < s->hist.n_obj; k++) {
            fputs(k ? ", " : "", f);
            json_string(f, s->directions[k] == HPT_MAXIMIZE ? "maximize" : "minimize");
        }
        fprintf(f, "], \"n_constraints\": %zu", s->hist.n_con);
    }
    fputs(", \"attrs\": ", f);
    json_attrs(f, &s->attrs);
    fputs(", \"trials\": [", f);
    for (size_t k = 0; k < s->n_trials; k++) {
        const hpti_trial *t = &s->trials[k];
        unsigned char active[HPT_MAX_PARAMS];
        hpti_space_active(s->space, t->x, active);
        fprintf(f, "%s\n  {\"id\": %zu, \"state\": \"%s\", \"params\": {", k ? "," : "", k,
                hpti_trial_state_name(t->state));
        for (size_t i = 0; i < s->dim; i++) {
            const hpti_param *p = &s->space->p[i];
            if (i)
                fputs(", ", f);
            json_string(f, p->name);
            fputs(": ", f);
            if (!active[i])
                fputs("null", f);
            else if (p->type == HPT_PARAM_CATEGORICAL)
                json_string(f, p->choices[(size_t)t->x[i]]);
            else if (p->type == HPT_PARAM_INT)
                fprintf(f, "%.0f", t->x[i]);
            else
                json_number(f, t->x[i]);
        }
        fputs("}, \"value\": ", f);
        if (t->state == HPT_TRIAL_COMPLETE || t->state == HPT_TRIAL_PRUNED)
            json_number(f, t->v[0]);
        else
            fputs("null", f);
        if (hpti_study_shaped(s))
            json_values(s, f, k, front);
        fputs(", \"budget\": ", f);
        json_number(f, t->budget);
        fprintf(f, ", \"parent\": %lld, \"reports\": [", (long long)t->parent);
        const hpti_curve *c = &s->hist.curve[k];
        for (size_t r = 0; r < c->n; r++) {
            fputs(r ? ", [" : "[", f);
            json_number(f, c->step[r]);
            fputs(", ", f);
            /* Reports are kept as losses; the user's direction is shown. */
            json_number(f, s->directions[0] == HPT_MAXIMIZE ? -c->loss[r] : c->loss[r]);
            fputc(']', f);
        }
        fputs("], \"fail_reason\": ", f);
        if (t->fail_reason)
            json_string(f, t->fail_reason);
        else
            fputs("null", f);
        double end = t->state == HPT_TRIAL_RUNNING ? NAN : t->finished;
        fputs(", \"asked\": ", f);
        json_number(f, t->asked);
        fputs(", \"finished\": ", f);
        json_number(f, end);
        fputs(", \"duration\": ", f);
        json_number(f, hpti_duration(t->asked, end));
        fputs(", \"attrs\": ", f);
        json_attrs(f, &t->attrs);
        fputc('}', f);
    }
    fputs("\n]}\n", f);
    hpti_free(front);
    return 0;
}

int hpt_study_export_json(const hpt_study *s, const char *path)
{
    return hpti_export_file(s, path, "hpt_study_export_json", write_json);
}
