/* testutil.h -- shared by the C tests: cmocka plus a few helpers. */
#ifndef HPT_TESTUTIL_H
#define HPT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

#endif
