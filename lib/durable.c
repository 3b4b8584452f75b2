/* durable.c -- release of a durable study's state (journal, warm start,
 * transfer data). Its options are described in study_options.c (completion
 * criteria) and journal.c ("journal.fsync"). */
#include "durable.h"
#include "journal.h"

void hpti_durable_free(hpt_study *s)
{
    hpti_journal_close(s->journal);
    s->journal = NULL;
    hpti_warm_free(s->warm);
    s->warm = NULL;
    hpti_free(s->transfer_u);
    hpti_free(s->transfer_loss);
    hpti_free(s->transfer_parent);
}
