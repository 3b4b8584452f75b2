/* testutil.h -- shared by the C tests: cmocka plus a few helpers. */
#ifndef HPT_TESTUTIL_H
#define HPT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "hpt.h"

/* Assert a status and show the library's message when it differs. */
#define assert_status(expr, want)                                                   \
    do {                                                                            \
        int rc_ = (expr);                                                           \
        if (rc_ != (want))                                                          \
            fail_msg("%s returned %d (%s), want %d; message: %s", #expr, rc_,      \
                     hpt_strerror(rc_), (int)(want), hpt_last_errmsg());            \
    } while (0)

#define assert_ok(expr) assert_status(expr, HPT_OK)

/* A mixed three-parameter space: lr (log float), layers (int), act (cat). */
static inline hpt_space *tu_mixed_space(void)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "act", acts, 3));
    return sp;
}

/* A uniform number in [0, 1) from a 64-bit LCG state: the tests' fixed
 * point clouds, the same on every machine. */
static inline double tu_frand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* The unit cube [0,1]^d as floats x0, x1, ... (linear); the caller
 * destroys it. */
static inline hpt_space *tu_cube_space(int d)
{
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    for (int j = 0; j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", j);
        assert_ok(hpt_space_add_float(sp, name, 0, 1, HPT_SCALE_LINEAR));
    }
    return sp;
}

/* The whole file at path, NUL-terminated, malloc'd (the caller frees);
 * *n (may be NULL) = its size in bytes. */
static inline char *tu_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = '\0';
    fclose(f);
    if (n)
        *n = (size_t)len;
    return b;
}

/* ---- scratch files -------------------------------------------------------- */

/* Scratch files go to $TMPDIR, else /dev/shm (tmpfs: the many fsyncs of the
 * journal tests cost nothing there), else /tmp. */
static inline const char *tu_tmpdir(void)
{
    if (getenv("TMPDIR"))
        return getenv("TMPDIR");
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* This test program's scratch directory (made by tu_scratch_make). */
static inline char *tu_scratch_dir(void)
{
    static char dir[256];
    return dir;
}

/* cmocka group setup/teardown: a fresh directory per program, removed after. */
static inline int tu_scratch_make(void **state)
{
    (void)state;
    snprintf(tu_scratch_dir(), 256, "%s/hpt-test-XXXXXX", tu_tmpdir());
    return mkdtemp(tu_scratch_dir()) ? 0 : -1;
}

static inline int tu_scratch_remove(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_scratch_dir());
    return system(cmd) == 0 ? 0 : -1;
}

/* Trial id's times (hpt_trial_times) as the exports write them: CSV
 * ",<asked>,<finished>,<duration>" (empty when unknown or running), or
 * JSON ", \"asked\": ..., \"duration\": ..." (null); numbers in their
 * shortest round-trip form, the duration in whole milliseconds. Four
 * results may be in use at once. */
static inline void tu_shortest(char *out, size_t cap, double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

static inline const char *tu_times(const hpt_study *st, int64_t id, int json)
{
    static char out[4][200];
    static int k;
    k = (k + 1) % 4;
    double t[3];
    if (hpt_trial_times(st, id, &t[0], &t[1]) != HPT_OK)
        return "(no times)";
    t[2] = round((t[1] - t[0]) * 1000.0) / 1000.0;
    static const char *const key[] = {"asked", "finished", "duration"};
    size_t n = 0;
    out[k][0] = '\0';
    for (int i = 0; i < 3; i++) {
        char v[40] = "";
        if (t[i] == t[i]) /* not NaN */
            tu_shortest(v, sizeof v, t[i]);
        else if (json)
            snprintf(v, sizeof v, "null");
        if (json)
            n += (size_t)snprintf(out[k] + n, sizeof out[k] - n, ", \"%s\": %s", key[i], v);
        else
            n += (size_t)snprintf(out[k] + n, sizeof out[k] - n, ",%s", v);
    }
    return out[k];
}

/* A path in the scratch directory; four results may be in use at once. */
static inline const char *tmp(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", tu_scratch_dir(), name);
    return p[k];
}

#endif
