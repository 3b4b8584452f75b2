/* fuzz_spec.c -- the hpt-tune spec-file and argument parser: arbitrary
 * bytes as a spec file, and the same bytes split at NULs as argv. Usage
 * errors are fine; crashes, leaks and sanitizer reports are not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpt_tune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    char err[512];
    if (!path[0])
        snprintf(path, sizeof path, "%s/hpt-fuzz-spec-%ld",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);

    cli_job job;
    cli_job_init(&job);
    if (cli_load_spec(&job, path, err, sizeof err) == 0 &&
        cli_validate(&job, err, sizeof err) == 0) {
        hpt_space *sp = cli_make_space(&job, err, sizeof err);
        hpt_space_destroy(sp);
    }
    cli_job_free(&job);
    unlink(path);

    /* argv: "hpt-tune" then the input's NUL-separated words (at most 64) */
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *argv[66] = {"hpt-tune"};
    int argc = 1;
    for (size_t i = 0; i < size && argc < 65; i += strlen(copy + i) + 1)
        argv[argc++] = copy + i;
    argv[argc] = NULL;
    cli_job_init(&job);
    if (cli_parse_args(&job, argc, argv, err, sizeof err) == 0)
        cli_validate(&job, err, sizeof err);
    cli_job_free(&job);
    free(copy);
    return 0;
}
