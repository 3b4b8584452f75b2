/* durable.c -- options of durable studies and release of their state.
 *
 *   "max_seconds"   completion: active seconds (see completion.c); 0 = none
 *   "target_value"  completion: stop once the best reaches it
 *   "patience"      completion: stop after this many complete trials in a
 *                   row without improvement; 0 = off
 *   "journal.fsync" 1 = fdatasync every record (default), 0 = write only;
 *                   a setting of this process, not recorded, settable at
 *                   any time.
 * The first three follow the study's rule: only before the first ask. */
#include <math.h>
#include <string.h>

#include "durable.h"
#include "journal.h"

#define MAX_INT53 9007199254740992.0

static int stage(hpt_study *s, const char *option)
{
    return hpti_fail(s->errmsg, HPT_E_STAGE,
                     "hpt_study_set: options are fixed once the first trial was asked "
                     "('%.64s')",
                     option);
}

int hpti_durable_set(hpt_study *s, const char *option, double value)
{
    const char *fn = "hpt_study_set";
    hpti_completion *c = &s->done;
    if (strcmp(option, "journal.fsync") == 0) {
        if (value != 0 && value != 1)
            return hpti_fail(s->errmsg, HPT_E_INVALID, "%s: journal.fsync must be 0 or 1",
                             fn);
        if (!s->journal)
            return hpti_fail(s->errmsg, HPT_E_NAME,
                             "%s: journal.fsync needs a journaled study (hpt_study_open)",
                             fn);
        s->journal->fsync = (int)value;
        return HPT_OK;
    }
    if (s->started && s->journal) {
        const hpti_jopt *o = hpti_journal_option(s->journal, option);
        if (o && !o->str && memcmp(&o->value, &value, sizeof value) == 0)
            return HPT_OK; /* resumed host code setting what the journal holds */
    }
    if (strcmp(option, "max_seconds") == 0) {
        if (s->started)
            return stage(s, option);
        if (!(value >= 0) || !isfinite(value))
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: max_seconds must be finite and >= 0, not %g", fn, value);
        c->max_seconds = value;
        return HPT_OK;
    }
    if (strcmp(option, "target_value") == 0) {
        if (s->started)
            return stage(s, option);
        if (!isfinite(value))
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: target_value must be finite, not %g", fn, value);
        c->target = value;
        c->has_target = 1;
        return HPT_OK;
    }
    if (strcmp(option, "patience") == 0) {
        if (s->started)
            return stage(s, option);
        if (!(value >= 0 && value <= MAX_INT53) || value != floor(value))
            return hpti_fail(s->errmsg, HPT_E_INVALID,
                             "%s: patience must be an integer in 0..2^53, not %g", fn,
                             value);
        c->patience = (int64_t)value;
        return HPT_OK;
    }
    return HPT_E_NAME;
}

int hpti_durable_same_str(const hpt_study *s, const char *option, const char *value)
{
    if (!s->started || !s->journal)
        return 0;
    const hpti_jopt *o = hpti_journal_option(s->journal, option);
    return o && o->str && strcmp(o->str, value) == 0;
}

int hpti_durable_get(const hpt_study *s, const char *option, double *value)
{
    const hpti_completion *c = &s->done;
    if (strcmp(option, "max_seconds") == 0)
        *value = c->max_seconds;
    else if (strcmp(option, "target_value") == 0)
        *value = c->has_target ? c->target : NAN;
    else if (strcmp(option, "patience") == 0)
        *value = (double)c->patience;
    else if (strcmp(option, "journal.fsync") == 0 && s->journal)
        *value = s->journal->fsync;
    else
        return HPT_E_NAME;
    return HPT_OK;
}

void hpti_durable_free(hpt_study *s)
{
    hpti_journal_close(s->journal);
    s->journal = NULL;
    hpti_warm_free(s->warm);
    s->warm = NULL;
}
