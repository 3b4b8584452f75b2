/* journal_glue.c -- hpt-tune's use of the journal API (issue 5), written
 * against the API sketched in /work/shared/DESIGN.md:
 *
 *   hpt_study_open(path, space, strategy, direction, seed, &study)
 *   hpt_study_warm_start(study, parent_journal, HPT_WARM_IDENTICAL|TRANSFER)
 *   hpt_study_export_csv(study, path)
 *
 * and the details the journal branch added: hpt_study_warm_default,
 * hpt_study_warm_info, hpt_study_done_reason.
 *
 * Everything that depends on the journal's exact API is here. */
#include <string.h>

#include "hpt_tune.h"

/* space == NULL and strategy == NULL: whatever study the journal holds. */
int cli_journal_open(const char *path, const hpt_space *space, const char *strategy,
                     int32_t direction, uint64_t seed, hpt_study **out)
{
#define ALONE " (hpt-tune runs a job alone; --status and --export read it while it runs)"
    int rc = hpt_study_open(path, space, strategy, direction, seed, out);
    if (rc) {
        fprintf(stderr, "hpt-tune: journal %s: %s%s\n", path, hpt_last_errmsg(),
                rc == HPT_E_LOCKED ? ALONE : "");
        return rc;
    }
    /* A job is one hpt-tune's: its trials' processes, pid files and
     * folders (<journal>.d) are its own, and a resume kills what a killed
     * run left behind, so a second hpt-tune on the journal must not run
     * beside it. Other programs that share a study use the library. */
    rc = hpt_study_set(*out, "journal.exclusive", 1);
    if (rc) {
        fprintf(stderr, "hpt-tune: journal %s: %s%s\n", path, hpt_study_errmsg(*out),
                rc == HPT_E_LOCKED ? ALONE : "");
        hpt_study_destroy(*out);
        *out = NULL;
    }
    return rc;
}

/* --status and --export read a job that may be running: a snapshot taken
 * without the lock, so they neither wait for the job nor stop it. */
int cli_journal_load(const char *path, hpt_study **out)
{
    int rc = hpt_study_load(path, out);
    if (rc)
        fprintf(stderr, "hpt-tune: journal %s: %s\n", path, hpt_last_errmsg());
    return rc;
}

int cli_journal_warm_start(hpt_study *study, const char *parent, int32_t kind)
{
    int rc = hpt_study_warm_start(study, parent, kind);
    if (rc)
        fprintf(stderr, "hpt-tune: warm start from %s: %s%s\n", parent, hpt_study_errmsg(study),
                rc == HPT_E_NAME ? " (hpt-tune: --warm-default NAME=VALUE)" : "");
    return rc;
}

int cli_journal_export_csv(const hpt_study *study, const char *path)
{
    int rc = hpt_study_export_csv(study, path);
    if (rc)
        fprintf(stderr, "hpt-tune: export to %s: %s\n", path, hpt_study_errmsg(study));
    return rc;
}

int cli_journal_export(const hpt_study *study, const char *format, const char *path)
{
    int json = format && !strcmp(format, "json");
    int rc = json ? hpt_study_export_json(study, path) : hpt_study_export_csv(study, path);
    if (rc)
        fprintf(stderr, "hpt-tune: export to %s: %s\n", path, hpt_study_errmsg(study));
    return rc;
}

int cli_journal_warm_default(hpt_study *study, const char *name, double value)
{
    int rc = hpt_study_warm_default(study, name, value);
    if (rc)
        fprintf(stderr, "hpt-tune: --warm-default %s: %s\n", name, hpt_study_errmsg(study));
    return rc;
}

void cli_journal_warm_report(const hpt_study *study, int resumed)
{
    int64_t used = 0, skipped = 0;
    const char *summary = "";
    if (hpt_study_warm_info(study, &used, &skipped, &summary) == HPT_OK)
        fprintf(stderr, "hpt-tune: warm start%s: %lld parent trials used, %lld skipped%s%s\n",
                resumed ? " (kept in the journal)" : "", (long long)used, (long long)skipped,
                *summary ? "; " : "", summary);
}

const char *cli_journal_done_reason(const hpt_study *study)
{
    const char *r = hpt_study_done_reason(study);
    return r && *r ? r : NULL;
}

int cli_journal_rerun(hpt_study *study, int64_t id)
{
    /* Issue 5: "Trials that were running when the process died are reported
     * as such, and the host decides: re-run them (same trial id, same
     * configuration) or tell them failed". The job holds the journal alone,
     * so the trials a killed run left are stale, and claiming one makes it
     * this run's (issue 14). */
    int rc = hpt_study_claim(study, id);
    if (rc)
        fprintf(stderr, "hpt-tune: re-running trial %lld: %s\n", (long long)id,
                hpt_study_errmsg(study));
    return rc;
}
