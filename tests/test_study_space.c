/* test_study_space.c -- hpt_study_space: a copy of the study's space,
 * parameter for parameter (names, types, scales, bounds, choices), owned
 * by the caller and independent of the study and of the space the study
 * was made from; NULL arguments and a failed allocation are statuses. */
#include "testutil.h"

/* Two spaces agree on every parameter's name, type, scale, bounds and
 * choice names. */
static void assert_same_space(const hpt_space *a, const hpt_space *b)
{
    assert_int_equal(hpt_space_size(a), hpt_space_size(b));
    for (size_t i = 0; i < hpt_space_size(a); i++) {
        int32_t ta, tb, sa, sb;
        double la, lb, ha, hb;
        size_t ca, cb;
        const char *na, *nb;
        assert_ok(hpt_space_param_info(a, i, &ta, &sa, &la, &ha, &ca));
        assert_ok(hpt_space_param_info(b, i, &tb, &sb, &lb, &hb, &cb));
        assert_ok(hpt_space_param_name(a, i, &na));
        assert_ok(hpt_space_param_name(b, i, &nb));
        assert_string_equal(na, nb);
        assert_int_equal(ta, tb);
        assert_int_equal(sa, sb);
        assert_true(la == lb && ha == hb);
        assert_int_equal(ca, cb);
        for (size_t j = 0; j < ca; j++) {
            const char *xa, *xb;
            assert_ok(hpt_space_choice_name(a, i, j, &xa));
            assert_ok(hpt_space_choice_name(b, i, j, &xb));
            assert_string_equal(xa, xb);
        }
    }
}

static void copy_is_the_studys_space(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space(), *copy = NULL, *again = NULL;
    assert_ok(hpt_space_add_float(sp, "momentum", 0.5, 0.99, HPT_SCALE_LINEAR));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_space(st, &copy));
    assert_non_null(copy);
    assert_true(copy != sp);
    assert_same_space(sp, copy);
    int64_t id;
    /* The copy is the caller's: changing it or the original space leaves
     * the study's own space as it was made. */
    assert_ok(hpt_space_add_int(copy, "extra", 0, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "extra2", 0, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_study_space(st, &again));
    assert_int_equal(hpt_space_size(again), 4);
    assert_ok(hpt_study_ask(st, &id));
    double x[4];
    assert_ok(hpt_trial_params(st, id, x, 4));
    hpt_space_destroy(copy);
    hpt_space_destroy(sp);
    hpt_study_destroy(st);
    /* ... and outlives the study. */
    size_t k = 99;
    assert_ok(hpt_space_index(again, "momentum", &k));
    assert_int_equal(k, 3);
    hpt_space_destroy(again);
}

static void null_arguments(void **state)
{
    (void)state;
    hpt_space *sp = tu_mixed_space(), *copy = sp;
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_status(hpt_study_space(NULL, &copy), HPT_E_INVALID);
    assert_status(hpt_study_space(st, NULL), HPT_E_INVALID);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static long fail_at, count;

static void *t_malloc(size_t n, void *ctx)
{
    (void)ctx;
    return ++count == fail_at ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return ++count == fail_at ? NULL : realloc(p, n);
}

static void t_free(void *p, void *ctx)
{
    (void)ctx;
    free(p);
}

/* Every allocation of the copy failed in turn: HPT_E_NOMEM with *copy_out
 * NULL and the study's message set, and a retry then succeeds. */
static void out_of_memory(void **state)
{
    (void)state;
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    int failures = 0;
    for (long k = 1;; k++) {
        hpt_space *copy = sp;
        count = 0;
        fail_at = k;
        int rc = hpt_study_space(st, &copy);
        fail_at = 0;
        if (rc == HPT_OK) {
            assert_same_space(sp, copy);
            hpt_space_destroy(copy);
            break;
        }
        assert_int_equal(rc, HPT_E_NOMEM);
        assert_null(copy);
        assert_non_null(strstr(hpt_study_errmsg(st), "out of memory"));
        failures++;
    }
    assert_true(failures >= 3); /* the space, its parameters, a name at least */
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_is_the_studys_space),
        cmocka_unit_test(null_arguments),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
