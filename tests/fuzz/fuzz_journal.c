/* fuzz_journal.c -- journal replay fuzzer: arbitrary bytes as a journal
 * file, read as a snapshot (hpt_study_load) and opened for appending
 * (hpt_study_open, which may cut a torn end). Either a clean status or a
 * study that works; never a crash, a leak or a sanitizer report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpt.h"

static void exercise(hpt_study *st)
{
    int64_t n = 0, id;
    double v;
    hpt_study_trial_count(st, &n);
    for (int64_t i = 0; i < n && i < 64; i++) {
        int32_t state;
        hpt_trial_state(st, i, &state);
        hpt_trial_value(st, i, &v);
    }
    hpt_study_best(st, &id, &v);
    hpt_study_export_csv(st, "/dev/null");
    if (hpt_study_ask(st, &id) == HPT_OK)
        hpt_study_tell(st, id, 1.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "%s/hpt-fuzz-journal-%ld",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    hpt_study *st = NULL;
    if (hpt_study_load(path, &st) == HPT_OK)
        exercise(st);
    hpt_study_destroy(st);
    st = NULL;
    if (hpt_study_open(path, NULL, NULL, 0, 0, &st) == HPT_OK) {
        hpt_study_set(st, "journal.fsync", 0);
        exercise(st);
    }
    hpt_study_destroy(st);
    unlink(path);
    /* A format-1 input is converted, its original kept beside it. */
    char backup[80];
    snprintf(backup, sizeof backup, "%s.v1", path);
    unlink(backup);
    return 0;
}
