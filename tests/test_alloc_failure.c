/* test_alloc_failure.c -- fail the k-th allocation, for every k, in a
 * representative scenario per strategy (bayes past its initial design,
 * with several model fits; hyperband also in the reproducible mode), and
 * in a journaled bayes study (create, asks/tells, reopen by replay,
 * export, importance): every call returns
 * HPT_OK or HPT_E_NOMEM, the objects stay usable (a retry succeeds) or
 * destroyable, and no allocation is leaked. Allocations made inside GSL
 * (the BFGS minimizer, the Sobol generators) and OpenBLAS do not go
 * through the hooks and are not failed here. */
#include <math.h>
#include <unistd.h>

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

/* strategy: a strategy's name, or "name:reproducible" for that strategy
 * in the reproducible mode (q = 2: its masked history and pruner view);
 * "bayes-mo": bayes with two objectives and one constraint (its
 * multi-model engine); "bayes-warp", "bayes-mo-warp": the same with input
 * warping */
static void scenario(const char *strategy_mode)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    char strategy[32];
    snprintf(strategy, sizeof strategy, "%s", strategy_mode);
    char *mode = strchr(strategy, ':');
    if (mode)
        *mode++ = '\0';
    int mo = strcmp(strategy, "bayes-mo") == 0;
    int warp = strcmp(strategy, "bayes-warp") == 0 || strcmp(strategy, "bayes-mo-warp") == 0;
    mo |= strcmp(strategy, "bayes-mo-warp") == 0;
    if (mo || warp)
        snprintf(strategy, sizeof strategy, "bayes");
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
    /* a conditional space: bayes's conditional kernel allocates too */
    CALL(hpt_space_add_condition_range(sp, "act", "layers", 2, 4));
    assert_int_equal(hpt_space_size(sp), 3);
    rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    if (rc == HPT_E_NOMEM) {
        assert_null(st);
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    }
    assert_int_equal(rc, HPT_OK);
    hpt_space_destroy(sp);
    CALL(hpt_study_set(st, "max_trials", 12));
    if (mode)
        CALL(hpt_study_set(st, "parallel.reproducible", 2));
    if (mo) {
        int32_t dir[2] = {HPT_MINIMIZE, HPT_MAXIMIZE};
        CALL(hpt_study_set_objectives(st, dir, 2));
        CALL(hpt_study_set_constraints(st, 1));
    }
    if (strcmp(strategy, "bayes") == 0) {
        /* cheap proposals: the k-loop runs the scenario hundreds of times */
        CALL(hpt_study_set(st, "bayes.candidates", 32));
        CALL(hpt_study_set(st, "bayes.local_starts", 2));
        CALL(hpt_study_set(st, "bayes.initial_trials", 5));
        if (warp)
            CALL(hpt_study_set(st, "bayes.warp", 1));
    }
    if (strcmp(strategy, "hyperband") == 0) {
        CALL(hpt_study_set(st, "hyperband.max_resource", 9));
        CALL(hpt_study_set_str(st, "pruner", "median"));
        CALL(hpt_study_set(st, "pruner.warmup_trials", 2));
    }
    int64_t id;
    const double partial[3] = {NAN, 3, NAN}; /* partial fixing: a slice search */
    for (int k = 0; k < 12; k++) {
        if (k == 9)
            CALL(hpt_study_enqueue(st, partial, 3));
        CALL(hpt_study_ask(st, &id));
        assert_int_equal(id, k);
        double p[3];
        int32_t stop;
        CALL(hpt_trial_params(st, id, p, 3));
        for (int e = 1; e <= 3 && !mo; e++)
            CALL(hpt_study_report(st, id, e, p[0] / e, &stop));
        double v[2] = {p[0] * p[1], isnan(p[2]) ? -1.0 : p[2]}, c = p[1] - 2.5;
        if (k % 5 == 4)
            CALL(hpt_study_tell_failed(st, id, "out of memory on the GPU"));
        else if (mo)
            CALL(hpt_study_tell_constrained(st, id, v, 2, &c, 1));
        else
            CALL(hpt_study_tell(st, id, p[0] * p[1]));
    }
    assert_int_equal(hpt_study_ask(st, &id), HPT_DONE);
    if (!mo)
        CALL(hpt_study_best(st, &id, NULL));
    if (strcmp(strategy, "bayes") == 0) {
        double w[3];
        CALL(hpt_study_importance_lengthscale(st, w, 3));
    }
    hpt_study_destroy(st);
}

static char jpath[512], cpath[512];

/* Several objectives and a constraint: tells, the front, its hypervolume
 * (three objectives: the slicing's scratch), the exports; under hyperband
 * the promotions' order (ranks and contributions). */
static void scenario_mo(const char *strategy)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hpt_space_create(&sp);
    if (rc == HPT_E_NOMEM)
        return;
    CALL(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    CALL(hpt_space_add_float(sp, "y", 0, 1, HPT_SCALE_LINEAR));
    rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    if (rc == HPT_E_NOMEM)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 5, &st);
    assert_int_equal(rc, HPT_OK);
    hpt_space_destroy(sp);
    int32_t dir[3] = {HPT_MINIMIZE, HPT_MAXIMIZE, HPT_MINIMIZE};
    int hb = strcmp(strategy, "hyperband") == 0;
    size_t n = hb ? 2 : 3;
    CALL(hpt_study_set_objectives(st, dir, n));
    CALL(hpt_study_set_constraints(st, 1));
    if (hb) {
        CALL(hpt_study_set(st, "hyperband.max_resource", 9));
        CALL(hpt_study_set_str(st, "hyperband.sampler", "random"));
    }
    for (int k = 0; k < 14; k++) {
        int64_t id;
        double p[2];
        CALL(hpt_study_ask(st, &id));
        CALL(hpt_trial_params(st, id, p, 2));
        double v[3] = {p[0], 1 - p[1] * p[1], p[0] * p[1]}, c = p[0] + p[1] - 1.5;
        if (k % 6 == 5)
            CALL(hpt_study_tell_failed(st, id, "out of memory"));
        else
            CALL(hpt_study_tell_constrained(st, id, v, n, &c, 1));
    }
    int64_t ids[16];
    size_t k;
    double ref[3] = {2, -1, 2}, hv;
    CALL(hpt_study_pareto(st, ids, 16, &k));
    CALL(hpt_study_hypervolume(st, ref, n, &hv));
    CALL(hpt_study_export_csv(st, cpath));
    CALL(hpt_study_export_json(st, cpath));
    hpt_study_destroy(st);
}

/* A host call on a journaled study: OK, or a failure the test injected --
 * HPT_E_NOMEM, or HPT_E_IO when the failed allocation was a journal
 * record's (the journal then refuses further changes; the host reopens
 * it, as hpt.h says). @return 1 when OK, 0 when the host must reopen. */
static int jok(int rc, const char *what)
{
    if (rc == HPT_OK)
        return 1;
    if (rc == HPT_E_NOMEM || (rc == HPT_E_IO && injected))
        return 0;
    fail_msg("journal, k=%ld: %s returned %d (%s)", fail_at, what, rc, hpt_last_errmsg());
    return 0;
}

static double jf(const double *p) { return pow(p[0] - 0.3, 2) + p[1]; }

/* Train the trial: trial 4 fails, the others are told. */
static int jfinish(hpt_study *st, int64_t id)
{
    double p[2];
    if (!jok(hpt_trial_params(st, id, p, 2), "hpt_trial_params"))
        return 0;
    if (id == 4)
        return jok(hpt_study_tell_failed(st, id, "crashed"), "hpt_study_tell_failed");
    return jok(hpt_study_tell(st, id, jf(p)), "hpt_study_tell");
}

/* A journaled bayes study, as a host runs one: 8 trials, then reopen
 * (the replay refits the model), export, importance, one more trial. On
 * any failure the host destroys the study and reopens the journal, which
 * must then hold a consistent study (a replay that diverged would be
 * HPT_E_MISMATCH), and carries on from there. */
static void scenario_journal(const char *strategy)
{
    hpt_space *sp = NULL;
    unlink(jpath);
    int rc = hpt_space_create(&sp);
    if (rc == HPT_E_NOMEM)
        return;
    CALL(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    CALL(hpt_space_add_int(sp, "n", 1, 5, HPT_SCALE_LINEAR));
    int phase = 0, opens = 0;
    while (phase < 2) {
        hpt_study *st = NULL;
        rc = hpt_study_open(jpath, sp, strategy, HPT_MINIMIZE, 3, &st);
        if (rc == HPT_E_NOMEM) {
            assert_null(st);
            rc = hpt_study_open(jpath, sp, strategy, HPT_MINIMIZE, 3, &st);
        }
        if (rc != HPT_OK)
            fail_msg("journal, k=%ld: hpt_study_open returned %d (%s)", fail_at, rc,
                     hpt_last_errmsg());
        if (++opens > 6)
            fail_msg("journal, k=%ld: no progress after %d reopens", fail_at, opens);
        int ok = jok(hpt_study_set(st, "journal.fsync", 0), "set fsync") &&
                 jok(hpt_study_set(st, "bayes.candidates", 32), "set candidates") &&
                 jok(hpt_study_set(st, "bayes.local_starts", 2), "set local_starts") &&
                 jok(hpt_study_set(st, "bayes.initial_trials", 3), "set initial_trials");
        /* trials left running by a failure: train them again */
        int64_t run[16], n;
        size_t nr = 0;
        ok = ok && jok(hpt_study_running(st, run, 16, &nr), "hpt_study_running");
        for (size_t r = 0; ok && r < nr; r++)
            ok = jfinish(st, run[r]);
        ok = ok && jok(hpt_study_trial_count(st, &n), "hpt_study_trial_count");
        if (ok && phase == 1) {
            double w[2];
            int64_t id;
            ok = jok(hpt_study_export_csv(st, cpath), "hpt_study_export_csv") &&
                 jok(hpt_study_importance_lengthscale(st, w, 2), "hpt_study_importance_lengthscale") &&
                 (n > 8 || (jok(hpt_study_ask(st, &id), "hpt_study_ask") && jfinish(st, id)));
            phase += ok;
        }
        while (ok && phase == 0 && n < 8) {
            int64_t id;
            ok = jok(hpt_study_ask(st, &id), "hpt_study_ask") && jfinish(st, id);
            n += ok;
        }
        if (ok && phase == 0)
            phase = 1;
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

/* Under valgrind (make valgrind) the bayes scenarios, whose every run
 * fits GPs, would take minutes: there they fail every 10th allocation
 * only. ASan (make sanitize) and plain runs fail every one. Valgrind is
 * recognized by the preload library it puts into the environment. */
static int under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p && strstr(p, "vgpreload") != NULL;
}

static void every_allocation(void **state)
{
    (void)state;
    const char *strategies[] = {"grid",  "random", "sobol", "hyperband", "hyperband:reproducible",
                                "bayes", "bayes-warp", "bayes-mo", "bayes-mo-warp", "bayes"};
    const size_t n_strategies = sizeof strategies / sizeof strategies[0];
    snprintf(jpath, sizeof jpath, "%s/hpt-alloc-%d.jnl", tu_tmpdir(), (int)getpid());
    snprintf(cpath, sizeof cpath, "%s/hpt-alloc-%d.csv", tu_tmpdir(), (int)getpid());
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    for (size_t s = 0; s < n_strategies; s++) {
        long k;
        int journaled = s == n_strategies - 1;
        long stride = strncmp(strategies[s], "bayes", 5) == 0 && under_valgrind() ? 10 : 1;
        for (k = 1;; k += stride) {
            fail_at = k;
            count = live = injected = 0;
            (journaled ? scenario_journal : scenario)(strategies[s]);
            if (live != 0)
                fail_msg("%s: failing allocation %ld leaked %ld blocks", strategies[s], k,
                         live);
            if (injected == 0)
                break; /* the scenario needed fewer than k allocations */
        }
        print_message("%s%s: %ld allocation failure points exercised\n", strategies[s],
                      journaled ? " (journaled, reopened, exported)" : "", (k - 1) / stride);
        assert_true(k > 20);
    }
    const char *mo[] = {"random", "hyperband"};
    for (size_t s = 0; s < 2; s++) {
        long k;
        for (k = 1;; k++) {
            fail_at = k;
            count = live = injected = 0;
            scenario_mo(mo[s]);
            if (live != 0)
                fail_msg("%s (several objectives): failing allocation %ld leaked %ld blocks",
                         mo[s], k, live);
            if (injected == 0)
                break;
        }
        print_message("%s, several objectives: %ld allocation failure points exercised\n",
                      mo[s], k - 1);
        assert_true(k > 20);
    }
    unlink(jpath);
    unlink(cpath);
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

/* hpt_space_parse with conditions and steps: HPT_OK or HPT_E_NOMEM (never
 * an HPT_E_INVALID made of a failed allocation), nothing leaked. */
static void space_parse_every_allocation(void **state)
{
    (void)state;
    static const char *text = "float momentum=0.5:0.99:step=0.01 if opt=sgd\n"
                              "cat opt=sgd,adam,rmsprop\n"
                              "int layers=1:4\n"
                              "int units=16:256:log if layers>=3 if opt=adam,rmsprop\n";
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    long k;
    for (k = 1;; k++) {
        fail_at = k;
        count = live = injected = 0;
        hpt_space *sp = NULL;
        int rc = hpt_space_parse(text, &sp);
        if (rc == HPT_OK)
            assert_int_equal(hpt_space_size(sp), 4);
        else if (rc != HPT_E_NOMEM || sp)
            fail_msg("k=%ld: hpt_space_parse returned %d (%s)", k, rc, hpt_last_errmsg());
        hpt_space_destroy(sp);
        if (live != 0)
            fail_msg("hpt_space_parse: failing allocation %ld leaked %ld blocks", k, live);
        if (injected == 0)
            break;
    }
    print_message("hpt_space_parse: %ld allocation failure points exercised\n", k - 1);
    assert_true(k > 20);
    assert_ok(hpt_set_allocator(NULL, NULL, NULL, NULL));
}

/* bayes on a fully discrete space (3 x 2) with "bayes.repeats" 2, asked
 * two at a time to exhaustion: the exhaustion count and the enumeration of
 * untaken configurations allocate; every failure is a status, the retry
 * succeeds, and the run still asks each configuration twice, then done. */
static void scenario_discrete(const char *strategy)
{
    static const char *const xy[] = {"x", "y"};
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hpt_space_create(&sp);
    if (rc == HPT_E_NOMEM)
        return;
    assert_int_equal(rc, HPT_OK);
    CALL(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
    CALL(hpt_space_add_categorical(sp, "c", xy, 2));
    rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 3, &st);
    if (rc == HPT_E_NOMEM)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, 3, &st);
    assert_int_equal(rc, HPT_OK);
    hpt_space_destroy(sp);
    CALL(hpt_study_set(st, "bayes.repeats", 2));
    CALL(hpt_study_set(st, "bayes.candidates", 32));
    CALL(hpt_study_set(st, "bayes.initial_trials", 3));
    int uses[3][2] = {{0}};
    for (int k = 0; k < 12; k += 2) {
        int64_t id[2];
        double p[2][2];
        for (int j = 0; j < 2; j++) {
            CALL(hpt_study_ask(st, &id[j]));
            CALL(hpt_trial_params(st, id[j], p[j], 2));
            assert_in_range(++uses[(int)p[j][0] - 1][(int)p[j][1]], 1, 2);
        }
        for (int j = 0; j < 2; j++)
            CALL(hpt_study_tell(st, id[j], p[j][0] + p[j][1]));
    }
    int64_t id;
    int last = hpt_study_ask(st, &id);
    if (last == HPT_E_NOMEM)
        last = hpt_study_ask(st, &id);
    assert_int_equal(last, HPT_DONE);
    hpt_study_destroy(st);
}

static void bayes_discrete_every_allocation(void **state)
{
    (void)state;
    assert_ok(hpt_set_allocator(t_malloc, t_realloc, t_free, NULL));
    long k, stride = under_valgrind() ? 10 : 1;
    for (k = 1;; k += stride) {
        fail_at = k;
        count = live = injected = 0;
        scenario_discrete("bayes");
        if (live != 0)
            fail_msg("bayes (discrete): failing allocation %ld leaked %ld blocks", k, live);
        if (injected == 0)
            break;
    }
    assert_true(k > 20);
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
        cmocka_unit_test(space_parse_every_allocation),
        cmocka_unit_test(bayes_discrete_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
