/* test_alloc_failure.c -- fail the k-th allocation, for every k, in a
 * representative scenario per strategy: every call returns HPT_OK or
 * HPT_E_NOMEM, the objects stay usable (a retry succeeds) or destroyable,
 * and no allocation is leaked. */
#include <math.h>

#include "testutil.h"

static long fail_at;  /* the allocation number to fail (1-based), 0 = never */
static long count;    /* allocations so far */
static long live;     /* outstanding allocations */
static long injected; /* failures injected */

static void *t_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (++count == fail_at) {
        injected++;
        return NULL;
    }
    void *p = malloc(n);
    if (p)
        live++;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (++count == fail_at) {
        injected++;
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && !p)
        live++;
    return q;
}

static void t_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        live--;
    free(p);
}

/* Run a call; on HPT_E_NOMEM run it again (the injected failure is spent),
 * which must then succeed: the object stayed usable. */
#define CALL(expr)                                                                  \
    do {                                                                            \
        int rc_ = (expr);                                                           \
        if (rc_ == HPT_E_NOMEM)                                                     \
            rc_ = (expr);                                                           \
        if (rc_ != HPT_OK)                                                          \
            fail_msg("%s, k=%ld: %s returned %d (%s)", strategy, fail_at, #expr,   \
                     rc_, hpt_last_errmsg());                                       \
    } while (0)

static void scenario(const char *strategy)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hpt_space_create(&sp);
    if (rc == HPT_E_NOMEM) {
        assert_null(sp);
        return; /* nothing exists: nothing to leak */
    }
    assert_int_equal(rc, HPT_OK);
    CALL(hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG));
    CALL(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR));
    CALL(hpt_space_add_categorical(sp, "act", acts, 3));
    assert_int_equal(hpt_space_size(sp), 3);
    rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    if (rc == HPT_E_NOMEM) {
        assert_null(st);
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    }
    assert_int_equal(rc, HPT_OK);
    hpt_space_destroy(sp);
    CALL(hpt_study_set(st, "max_trials", 12));
    if (strcmp(strategy, "hyperband") == 0) {
        CALL(hpt_study_set(st, "hyperband.max_resource", 9));
        CALL(hpt_study_set_str(st, "pruner", "median"));
        CALL(hpt_study_set(st, "pruner.warmup_trials", 2));
    }
    int64_t id;
    for (int k = 0; k < 12; k++) {
        CALL(hpt_study_ask(st, &id));
        assert_int_equal(id, k);
        double p[3];
        int32_t stop;
        CALL(hpt_trial_params(st, id, p, 3));
        for (int e = 1; e <= 3; e++)
            CALL(hpt_study_report(st, id, e, p[0] / e, &stop));
        if (k % 5 == 4)
            CALL(hpt_study_tell_failed(st, id, "out of memory on the GPU"));
        else
            CALL(hpt_study_tell(st, id, p[0] * p[1]));
    }
    assert_int_equal(hpt_study_ask(st, &id), HPT_DONE);
    CALL(hpt_study_best(st, &id, NULL));
    hpt_study_destroy(st);
}

static void every_allocation(void **state)
{
    (void)state;
    const char *strategies[] = {"grid", "random", "sobol", "hyperband"};
    const size_t n_strategies = sizeof strategies / sizeof strategies[0];
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    for (size_t s = 0; s < n_strategies; s++) {
        long k;
        for (k = 1;; k++) {
            fail_at = k;
            count = live = injected = 0;
            scenario(strategies[s]);
            if (live != 0)
                fail_msg("%s: failing allocation %ld leaked %ld blocks", strategies[s], k,
                         live);
            if (injected == 0)
                break; /* the scenario needed fewer than k allocations */
        }
        print_message("%s: %ld allocation failure points exercised\n", strategies[s], k - 1);
        assert_true(k > 20);
    }
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

static void allocator_only_without_objects(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_status(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL), HPT_E_STAGE);
    hpt_space_destroy(sp);
    assert_status(hpt_set_allocator(t_malloc, NULL, t_free, NULL), HPT_E_INVALID);
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_allocation),
        cmocka_unit_test(allocator_only_without_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
