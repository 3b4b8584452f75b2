/* test_options.c -- the option table as a host sees it: for every strategy,
 * with no pruner and with each pruner, every listed option is read back at
 * its default, accepts its bounds, refuses the doubles just outside them
 * (and non-integers where it wants integers), and string options accept
 * each listed value and read it back; names are unique, options of other
 * strategies are refused, and the first ask freezes all but the journal's
 * per-process switch. */
#include <float.h>
#include <math.h>

#include "testutil.h"

#define MAX_OPTIONS 64

static hpt_study *make(const char *strategy)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, strategy, HPT_MINIMIZE, 3, &st));
    hpt_space_destroy(sp);
    return st;
}

static const char *strategy(size_t i)
{
    const char *name = NULL;
    return hpt_strategy_name(i, &name) == HPT_OK ? name : NULL;
}

/* Index of option `name` in the listing, or (size_t)-1. */
static size_t index_of(const hpt_study *st, const char *name)
{
    size_t n;
    assert_ok(hpt_study_option_count(st, &n));
    for (size_t i = 0; i < n; i++) {
        const char *nm;
        assert_ok(hpt_study_option_info(st, i, &nm, NULL, NULL, NULL, NULL));
        if (strcmp(nm, name) == 0)
            return i;
    }
    return (size_t)-1;
}

/* Pruner choice j (the values of the "pruner" option), or NULL. */
static const char *pruner(size_t j)
{
    hpt_study *st = make("random");
    const char *v = NULL;
    int rc = hpt_study_option_choice(st, index_of(st, "pruner"), j, &v);
    hpt_study_destroy(st);
    return rc == HPT_OK ? v : NULL;
}

static void same_double(const char *what, double got, double want)
{
    if (!(got == want || (isnan(got) && isnan(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void walk_numeric(hpt_study *st, const char *name, int32_t kind, double lo, double hi,
                         double def)
{
    double v;
    assert_ok(hpt_study_get(st, name, &v));
    same_double(name, v, def);
    const char *s;
    assert_status(hpt_study_get_str(st, name, &s), HPT_E_TYPE);
    assert_status(hpt_study_set_str(st, name, "1"), HPT_E_TYPE);
    assert_true(lo <= hi);
    if (kind == HPT_OPTION_BOOL) {
        same_double(name, lo, 0);
        same_double(name, hi, 1);
    }
    double edge[2] = {lo, hi}, out[2] = {nextafter(lo, -INFINITY), nextafter(hi, INFINITY)};
    for (int e = 0; e < 2; e++) {
        if (hpt_study_set(st, name, edge[e]) != HPT_OK)
            fail_msg("%s = %.17g (a bound) refused: %s", name, edge[e], hpt_last_errmsg());
        assert_ok(hpt_study_get(st, name, &v));
        same_double(name, v, edge[e]);
        if (hpt_study_set(st, name, out[e]) != HPT_E_INVALID)
            fail_msg("%s = %.17g (just outside) not refused", name, out[e]);
        assert_ok(hpt_study_get(st, name, &v)); /* a refused set changes nothing */
        same_double(name, v, edge[e]);
    }
    assert_status(hpt_study_set(st, name, NAN), HPT_E_INVALID);
    if (kind != HPT_OPTION_REAL && lo + 0.5 < hi)
        assert_status(hpt_study_set(st, name, lo + 0.5), HPT_E_INVALID);
}

static void walk_string(hpt_study *st, size_t i, const char *name)
{
    const char *was, *v, *c;
    double d;
    assert_ok(hpt_study_get_str(st, name, &was));
    assert_status(hpt_study_get(st, name, &d), HPT_E_TYPE);
    assert_status(hpt_study_set(st, name, 0), HPT_E_TYPE);
    size_t j = 0, found = 0;
    while (hpt_study_option_choice(st, i, j, &c) == HPT_OK) {
        found += strcmp(c, was) == 0;
        assert_ok(hpt_study_set_str(st, name, c));
        assert_ok(hpt_study_get_str(st, name, &v));
        assert_string_equal(v, c);
        j++;
    }
    assert_true(j >= 2);
    assert_int_equal(found, 1); /* the default is one of the values */
    int rc = hpt_study_set_str(st, name, "no-such-value");
    assert_true(rc == HPT_E_INVALID || rc == HPT_E_NAME);
    assert_ok(hpt_study_set_str(st, name, was));
}

/* Every option of st, walked; `names` collects them. */
static size_t walk(hpt_study *st, const char **names)
{
    size_t n;
    assert_ok(hpt_study_option_count(st, &n));
    assert_true(n <= MAX_OPTIONS);
    for (size_t i = 0; i < n; i++) {
        const char *name;
        int32_t kind;
        double lo, hi, def;
        assert_ok(hpt_study_option_info(st, i, &name, &kind, &lo, &hi, &def));
        for (size_t k = 0; k < i; k++)
            if (strcmp(names[k], name) == 0)
                fail_msg("option %s listed twice", name);
        names[i] = name;
        if (kind == HPT_OPTION_STRING) {
            assert_true(isnan(lo) && isnan(hi) && isnan(def));
            assert_status(hpt_study_option_choice(st, i, 0, &name), HPT_OK);
            walk_string(st, i, names[i]);
        } else {
            assert_true(kind == HPT_OPTION_INT || kind == HPT_OPTION_REAL ||
                        kind == HPT_OPTION_BOOL);
            const char *c;
            assert_status(hpt_study_option_choice(st, i, 0, &c), HPT_E_TYPE);
            walk_numeric(st, name, kind, lo, hi, def);
        }
    }
    const char *name;
    assert_status(hpt_study_option_info(st, n, &name, NULL, NULL, NULL, NULL), HPT_E_RANGE);
    return n;
}

static void every_option_of_every_strategy_and_pruner(void **state)
{
    (void)state;
    for (size_t si = 0; strategy(si); si++)
        for (size_t pj = 0; pruner(pj); pj++) {
            hpt_study *st = make(strategy(si));
            assert_ok(hpt_study_set_str(st, "pruner", pruner(pj)));
            const char *names[MAX_OPTIONS];
            size_t n = walk(st, names);
            size_t pruner_opts = 0;
            for (size_t i = 0; i < n; i++)
                pruner_opts += strncmp(names[i], "pruner.", 7) == 0;
            /* "none" has no options; the others do */
            assert_true(pj == 0 ? pruner_opts == 0 : pruner_opts > 0);
            /* the options of another strategy are not accepted */
            for (size_t sk = 0; strategy(sk); sk++) {
                if (sk == si)
                    continue;
                hpt_study *other = make(strategy(sk));
                size_t m;
                assert_ok(hpt_study_option_count(other, &m));
                for (size_t i = 0; i < m; i++) {
                    const char *nm;
                    assert_ok(hpt_study_option_info(other, i, &nm, NULL, NULL, NULL, NULL));
                    if (strncmp(nm, strategy(sk), strlen(strategy(sk))) == 0)
                        assert_status(hpt_study_set(st, nm, 1), HPT_E_NAME);
                }
                hpt_study_destroy(other);
            }
            hpt_study_destroy(st);
        }
}

static void known_tables(void **state)
{
    (void)state;
    /* a few descriptors against the manual (include/hpt.h) */
    hpt_study *st = make("hyperband");
    int32_t kind;
    double lo, hi, def;
    assert_ok(hpt_study_option_info(st, index_of(st, "hyperband.eta"), NULL, &kind, &lo, &hi,
                                    &def));
    assert_int_equal(kind, HPT_OPTION_REAL);
    same_double("eta lo", lo, 1 + DBL_EPSILON); /* (1, 1e6] */
    same_double("eta hi", hi, 1e6);
    same_double("eta def", def, 3);
    const char *v;
    assert_ok(hpt_study_get_str(st, "hyperband.sampler", &v));
    assert_string_equal(v, "bayes");
    assert_ok(hpt_study_get_str(st, "pruner", &v));
    assert_string_equal(v, "none");
    assert_ok(hpt_study_option_info(st, index_of(st, "target_value"), NULL, &kind, &lo, &hi,
                                    &def));
    assert_true(kind == HPT_OPTION_REAL && isnan(def) && lo == -DBL_MAX && hi == DBL_MAX);
    assert_int_equal(index_of(st, "journal.fsync"), (size_t)-1); /* not journaled */
    assert_status(hpt_study_set(st, "journal.fsync", 0), HPT_E_NAME);
    hpt_study_destroy(st);

    /* choosing a pruner adds its options to the listing, and resets them */
    st = make("random");
    size_t n0, n1;
    assert_ok(hpt_study_option_count(st, &n0));
    assert_int_equal(index_of(st, "pruner.eta"), (size_t)-1);
    assert_ok(hpt_study_set_str(st, "pruner", "asha"));
    assert_ok(hpt_study_option_count(st, &n1));
    assert_int_equal(n1, n0 + 2);
    assert_ok(hpt_study_set(st, "pruner.eta", 2));
    assert_ok(hpt_study_set_str(st, "pruner", "asha"));
    double d;
    assert_ok(hpt_study_get(st, "pruner.eta", &d));
    same_double("pruner.eta after reset", d, 3);
    assert_ok(hpt_study_set_str(st, "pruner", "none"));
    assert_status(hpt_study_get(st, "pruner.eta", &d), HPT_E_NAME);
    hpt_study_destroy(st);

    /* bad arguments */
    size_t n;
    assert_status(hpt_study_option_count(NULL, &n), HPT_E_INVALID);
    assert_status(hpt_study_option_info(NULL, 0, &v, NULL, NULL, NULL, NULL), HPT_E_INVALID);
    assert_status(hpt_study_get_str(NULL, "pruner", &v), HPT_E_INVALID);
    st = make("grid");
    assert_status(hpt_study_option_count(st, NULL), HPT_E_INVALID);
    assert_status(hpt_study_get_str(st, "pruner", NULL), HPT_E_INVALID);
    assert_status(hpt_study_get_str(st, "nope", &v), HPT_E_NAME);
    assert_status(hpt_study_option_choice(st, 0, 0, NULL), HPT_E_INVALID);
    assert_status(hpt_study_option_choice(st, 1000, 0, &v), HPT_E_RANGE);
    hpt_study_destroy(st);
}

static void first_ask_freezes_all_but_any_time_options(void **state)
{
    (void)state;
    for (size_t si = 0; strategy(si); si++) {
        hpt_study *st = make(strategy(si));
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        size_t n;
        assert_ok(hpt_study_option_count(st, &n));
        for (size_t i = 0; i < n; i++) {
            const char *name;
            int32_t kind;
            double def;
            assert_ok(hpt_study_option_info(st, i, &name, &kind, NULL, NULL, &def));
            if (kind == HPT_OPTION_STRING) {
                const char *v;
                assert_ok(hpt_study_get_str(st, name, &v));
                assert_status(hpt_study_set_str(st, name, v), HPT_E_STAGE);
            } else if (!strcmp(name, "max_trials") || !strcmp(name, "max_seconds") ||
                       !strcmp(name, "max_resource_total")) {
                /* limits may still be raised (0 = no limit is the largest),
                 * never lowered */
                assert_status(hpt_study_set(st, name, 1e6), HPT_E_STAGE);
                assert_ok(hpt_study_set(st, name, def));
            } else
                assert_status(hpt_study_set(st, name, def), HPT_E_STAGE);
        }
        hpt_study_destroy(st);
    }
}

static void journal_options_listed_and_resumed(void **state)
{
    (void)state;
    const char *path = tmp("opts.jnl");
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 5, &st));
    size_t i = index_of(st, "journal.fsync");
    assert_true(i != (size_t)-1);
    int32_t kind;
    double def, v;
    assert_ok(hpt_study_option_info(st, i, NULL, &kind, NULL, NULL, &def));
    assert_int_equal(kind, HPT_OPTION_BOOL);
    assert_ok(hpt_study_get(st, "journal.fsync", &v));
    same_double("fsync", v, def);
    assert_ok(hpt_study_set_str(st, "pruner", "asha"));
    assert_ok(hpt_study_set(st, "pruner.eta", 2));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    assert_ok(hpt_study_set(st, "journal.fsync", 0)); /* any time */
    hpt_study_destroy(st);

    assert_ok(hpt_study_open(path, sp, "random", HPT_MINIMIZE, 5, &st));
    const char *p;
    assert_ok(hpt_study_get_str(st, "pruner", &p));
    assert_string_equal(p, "asha");
    assert_ok(hpt_study_get(st, "pruner.eta", &v));
    same_double("pruner.eta resumed", v, 2);
    assert_ok(hpt_study_get(st, "journal.fsync", &v)); /* per process: back to the default */
    same_double("fsync resumed", v, def);
    /* the resume rule: the journal's own values are accepted again */
    assert_ok(hpt_study_set_str(st, "pruner", "asha"));
    assert_ok(hpt_study_set(st, "pruner.eta", 2));
    assert_status(hpt_study_set_str(st, "pruner", "median"), HPT_E_STAGE);
    assert_status(hpt_study_set(st, "pruner.eta", 4), HPT_E_STAGE);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_option_of_every_strategy_and_pruner),
        cmocka_unit_test(known_tables),
        cmocka_unit_test(first_ask_freezes_all_but_any_time_options),
        cmocka_unit_test(journal_options_listed_and_resumed),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
