/* journal_none.c -- built when include/hpt.h has no journal API (the
 * journal issue is not merged yet): every journal feature reports that it
 * is missing from this build. cli.mk picks this file or journal_glue.c. */
#include "hpt_tune.h"

static int missing(void)
{
    fputs("hpt-tune: this build has no journal support (libhpt without "
          "hpt_study_open): --journal, --resume, --status, --export and warm "
          "starts are unavailable\n",
          stderr);
    return HPT_E_NAME;
}

int cli_journal_available(void) { return 0; }

int cli_journal_open(const char *path, const hpt_space *space, const char *strategy,
                     int32_t direction, uint64_t seed, hpt_study **out)
{
    (void)path, (void)space, (void)strategy, (void)direction, (void)seed;
    *out = NULL;
    return missing();
}

int cli_journal_warm_start(hpt_study *study, const char *parent, int32_t kind)
{
    (void)study, (void)parent, (void)kind;
    return missing();
}

int cli_journal_export_csv(const hpt_study *study, const char *path)
{
    (void)study, (void)path;
    return missing();
}

int cli_journal_warm_default(hpt_study *study, const char *name, double value)
{
    (void)study, (void)name, (void)value;
    return missing();
}

void cli_journal_warm_report(const hpt_study *study) { (void)study; }

const char *cli_journal_done_reason(const hpt_study *study)
{
    (void)study;
    return NULL;
}

int cli_journal_rerun(hpt_study *study, int64_t id)
{
    /* Without a journal no study starts with running trials. */
    (void)study, (void)id;
    return 0;
}
