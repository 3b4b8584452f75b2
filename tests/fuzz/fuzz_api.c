/* fuzz_api.c -- API-sequence fuzzer: the input drives random interleavings
 * of space and study calls with arbitrary arguments (NaN, huge, negative
 * values, wrong ids, unknown names). The library must never crash, leak or
 * trip a sanitizer, and every status must be a documented one. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hpt.h"

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t byte(input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t u64(input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | byte(in);
    return v;
}

/* Doubles that matter: specials, boundaries, and raw bit patterns. */
static double num(input *in)
{
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, -1e300,
                                     NAN, INFINITY, -INFINITY, 1e-5, 1e-1, 0.999, 100.0,
                                     4503599627370496.0};
    uint8_t k = byte(in);
    if (k < 16 * 12)
        return special[k % 16];
    uint64_t bits = u64(in);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static const char *name(input *in)
{
    static const char *const names[] = {"a", "b", "lr", "", "x y", "c", "layers", "a"};
    return names[byte(in) % 8];
}

static void check_status(int rc)
{
    if (rc > HPT_WAIT || rc < HPT_E_NOMODEL) /* the lowest code hpt.h defines */
        abort(); /* undocumented status: a bug worth a crash report */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const strategies[] = {"grid", "random", "sobol", "bayes",
                                             "hyperband", "nope"};
    static const char *const options[] = {"max_trials", "grid.points", "grid.shuffle",
                                          "bayes.candidates", "hyperband.eta", "pruner",
                                          "nope", "hyperband.max_resource"};
    static const char *const choices[] = {"u", "v", "w", "u", ""};
    input in = {data, size};
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int64_t ids[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    if (hpt_space_create(&sp) != HPT_OK)
        return 0;
    while (in.n) {
        int rc = HPT_OK;
        int64_t id = ids[byte(&in) % 8];
        if (byte(&in) % 4 == 0)
            id = (int64_t)u64(&in);
        switch (byte(&in) % 16) {
        case 0:
            rc = hpt_space_add_float(sp, name(&in), num(&in), num(&in), (int32_t)(byte(&in) % 5));
            break;
        case 1:
            rc = hpt_space_add_int(sp, name(&in), (int64_t)u64(&in) >> (byte(&in) % 64),
                                   (int64_t)u64(&in) >> (byte(&in) % 64),
                                   (int32_t)(byte(&in) % 5));
            break;
        case 2:
            rc = hpt_space_add_categorical(sp, name(&in), choices + byte(&in) % 2,
                                           byte(&in) % 4);
            break;
        case 3:
            if (!st)
                rc = hpt_study_create(sp, strategies[byte(&in) % 6],
                                      (int32_t)(byte(&in) % 3), u64(&in), &st);
            break;
        case 4:
            rc = hpt_study_set(st, options[byte(&in) % 8], num(&in));
            break;
        case 5:
            rc = hpt_study_set_str(st, options[byte(&in) % 8],
                                   strategies[byte(&in) % 6]);
            break;
        case 6:
        case 7: {
            int64_t nid;
            rc = hpt_study_ask(st, &nid);
            if (rc == HPT_OK)
                ids[byte(&in) % 8] = nid;
            break;
        }
        case 8:
            rc = hpt_study_tell(st, id, num(&in));
            break;
        case 9:
            rc = hpt_study_tell_failed(st, id, byte(&in) % 2 ? "oom" : NULL);
            break;
        case 10: {
            int32_t stop;
            rc = hpt_study_report(st, id, num(&in), num(&in), &stop);
            break;
        }
        case 11:
            rc = hpt_study_prune(st, id);
            break;
        case 12: {
            double v[8];
            rc = hpt_trial_params(st, id, v, byte(&in) % 8);
            break;
        }
        case 13: {
            double v, b;
            int64_t r;
            const char *s;
            rc = hpt_trial_float(st, id, name(&in), &v);
            check_status(rc);
            rc = hpt_trial_categorical(st, id, name(&in), &s);
            check_status(rc);
            rc = hpt_trial_budget(st, id, &b, &r);
            break;
        }
        case 14: {
            double u[8], x[8];
            size_t n = byte(&in) % 8;
            for (size_t i = 0; i < n; i++)
                u[i] = num(&in);
            rc = hpt_space_decode(sp, u, x, n);
            check_status(rc);
            rc = hpt_space_encode(sp, u, x, n);
            break;
        }
        case 15: {
            int64_t b;
            double v;
            rc = hpt_study_best(st, &b, &v);
            break;
        }
        }
        check_status(rc);
    }
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    return 0;
}
