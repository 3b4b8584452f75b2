/* test_conditions.c -- conditional parameters: the API's errors, every
 * strategy on a conditional space, the conditional grid's count, the
 * journal round trip. */
#include <math.h>

#include "space.h"
#include "testutil.h"

static const char *const optimizers[] = {"sgd", "adam"};
static const char *const yes_no[] = {"no", "yes"};

enum { LR, UNITS3, OPT, MOM, NEST, DAMP, BETA1, BETA2, LAYERS, DIM };

/* A network: momentum and nesterov only for sgd, dampening only for sgd
 * without nesterov (nested), the betas only for adam, units of layer 3
 * (declared before its parent) only with at least 3 layers (a conditional
 * integer on a range condition), steps on momentum and units3. */
static hpt_space *net_space(void)
{
    hpt_space *sp = NULL;
    const char *sgd[] = {"sgd"}, *adam[] = {"adam"}, *no[] = {"no"};
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "lr", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(sp, "units3", 16, 128, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "optimizer", optimizers, 2));
    assert_ok(hpt_space_add_float(sp, "momentum", 0.0, 0.75, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(sp, "nesterov", yes_no, 2));
    assert_ok(hpt_space_add_float(sp, "dampening", 0.0, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "beta1", 0.8, 0.99, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(sp, "beta2", 0.9, 0.9999, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_int(sp, "layers", 1, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(sp, "momentum", 0.25));
    assert_ok(hpt_space_set_step(sp, "units3", 16));
    assert_ok(hpt_space_add_condition(sp, "momentum", "optimizer", sgd, 1));
    assert_ok(hpt_space_add_condition(sp, "nesterov", "optimizer", sgd, 1));
    assert_ok(hpt_space_add_condition(sp, "dampening", "nesterov", no, 1));
    assert_ok(hpt_space_add_condition(sp, "beta1", "optimizer", adam, 1));
    assert_ok(hpt_space_add_condition(sp, "beta2", "optimizer", adam, 1));
    assert_ok(hpt_space_add_condition_range(sp, "units3", "layers", 3, INFINITY));
    return sp;
}

/* The activity the rules above give, computed here from the values. */
static void expected_active(const double *x, int *act)
{
    for (int i = 0; i < DIM; i++)
        act[i] = 1;
    int sgd = x[OPT] == 0;
    act[MOM] = act[NEST] = sgd;
    act[DAMP] = sgd && x[NEST] == 0;
    act[BETA1] = act[BETA2] = !sgd;
    act[UNITS3] = x[LAYERS] >= 3;
}

static const char *const names[DIM] = {"lr",        "units3", "optimizer",
                                       "momentum",  "nesterov", "dampening",
                                       "beta1",     "beta2",  "layers"};

/* Check one trial: NaN exactly where inactive, every getter agreeing, the
 * active values in range and on their step. */
static void check_trial(hpt_study *st, int64_t id, const char *who, double *x)
{
    int act[DIM];
    assert_ok(hpt_trial_params(st, id, x, DIM));
    if (isnan(x[OPT]) || isnan(x[LAYERS]) || isnan(x[LR]))
        fail_msg("%s trial %lld: an unconditional parameter is NaN", who, (long long)id);
    expected_active(x, act);
    for (int i = 0; i < DIM; i++) {
        int32_t a = -1;
        assert_ok(hpt_trial_active(st, id, names[i], &a));
        if (a != act[i] || (act[i] != !isnan(x[i])))
            fail_msg("%s trial %lld: '%s' active %d, params %g, expected active %d", who,
                     (long long)id, names[i], (int)a, x[i], act[i]);
    }
    double v = -7;
    int64_t n = -7;
    const char *c = "untouched";
    if (act[MOM]) {
        assert_ok(hpt_trial_float(st, id, "momentum", &v));
        assert_true(v == x[MOM]);
        if (!(v == 0 || v == 0.25 || v == 0.5 || v == 0.75))
            fail_msg("%s trial %lld: momentum %.17g off its step", who, (long long)id, v);
        assert_ok(hpt_trial_categorical(st, id, "nesterov", &c));
        assert_string_equal(c, yes_no[(int)x[NEST]]);
    } else {
        assert_status(hpt_trial_float(st, id, "momentum", &v), HPT_E_INACTIVE);
        assert_status(hpt_trial_categorical(st, id, "nesterov", &c), HPT_E_INACTIVE);
        assert_true(v == -7);
        assert_string_equal(c, "untouched");
    }
    if (act[DAMP])
        assert_true(x[DAMP] >= 0 && x[DAMP] <= 0.5);
    else
        assert_status(hpt_trial_float(st, id, "dampening", &v), HPT_E_INACTIVE);
    if (act[BETA1]) {
        assert_true(x[BETA1] >= 0.8 && x[BETA1] <= 0.99);
        assert_true(x[BETA2] >= 0.9 && x[BETA2] <= 0.9999);
    } else {
        assert_status(hpt_trial_float(st, id, "beta1", &v), HPT_E_INACTIVE);
        assert_status(hpt_trial_float(st, id, "beta2", &v), HPT_E_INACTIVE);
    }
    if (act[UNITS3]) {
        assert_ok(hpt_trial_int(st, id, "units3", &n));
        if (!(n >= 16 && n <= 128 && n % 16 == 0))
            fail_msg("%s trial %lld: units3 %lld off its step", who, (long long)id,
                     (long long)n);
    } else {
        assert_status(hpt_trial_int(st, id, "units3", &n), HPT_E_INACTIVE);
        assert_true(n == -7);
    }
    assert_true(x[LR] >= 1e-4 && x[LR] <= 1e-1);
    assert_true(x[LAYERS] >= 1 && x[LAYERS] <= 4 && x[LAYERS] == floor(x[LAYERS]));
}

/* A loss that depends on the active parameters only. */
static double net_loss(const double *x)
{
    double y = pow(log10(x[LR]) + 2, 2) + 0.1 * x[LAYERS];
    if (x[OPT] == 0)
        y += pow(x[MOM] - 0.5, 2) + (x[NEST] == 0 ? x[DAMP] : 0.2);
    else
        y += pow(x[BETA1] - 0.9, 2) + 10 * pow(x[BETA2] - 0.999, 2) - 0.1;
    if (x[LAYERS] >= 3)
        y += fabs(x[UNITS3] - 64) / 128;
    return y;
}

static void every_strategy(void **state)
{
    (void)state;
    hpt_space *sp = net_space();
    const char *name;
    for (size_t s = 0; hpt_strategy_name(s, &name) == HPT_OK; s++) {
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, name, HPT_MINIMIZE, 21 + s, &st));
        if (strcmp(name, "grid") == 0)
            assert_ok(hpt_study_set(st, "grid.shuffle", 1));
        int branch[2] = {0, 0}, deep = 0, units = 0, n = 0;
        for (int i = 0; i < 60; i++) {
            int64_t id;
            int rc = hpt_study_ask(st, &id);
            if (rc == HPT_DONE)
                break;
            assert_ok(rc);
            double x[DIM];
            check_trial(st, id, name, x);
            branch[(int)x[OPT]]++;
            deep += x[OPT] == 0 && x[NEST] == 0;
            units += x[LAYERS] >= 3;
            n++;
            assert_ok(hpt_study_tell(st, id, net_loss(x)));
        }
        assert_int_equal(n, 60);
        if (!branch[0] || !branch[1] || !deep || !units)
            fail_msg("strategy %s never tried a branch: sgd %d adam %d dampening %d "
                     "units3 %d",
                     name, branch[0], branch[1], deep, units);
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

static int same_config(const double *a, const double *b)
{
    for (int i = 0; i < DIM; i++)
        if (!(a[i] == b[i] || (isnan(a[i]) && isnan(b[i]))))
            return 0;
    return 1;
}

/* grid.points = 2 (lr, dampening, betas), momentum 4 steps, units3 8:
 * sgd = 4 momenta x (nesterov no: 2 dampenings + yes: 1) = 12, adam = 2 x 2
 * betas = 4; layers 1, 2 (no units3) + 3, 4 x 8 units = 18; lr 2. */
static void grid_counts_active_sets(void **state)
{
    (void)state;
    enum { WANT = (12 + 4) * 18 * 2 };
    hpt_space *sp = net_space();
    for (int shuffle = 0; shuffle <= 1; shuffle++) {
        hpt_study *st = NULL;
        assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 3, &st));
        assert_ok(hpt_study_set(st, "grid.points", 2));
        assert_ok(hpt_study_set(st, "grid.shuffle", shuffle));
        double *seen = malloc(sizeof(double) * DIM * (WANT + 1));
        int n = 0, rc;
        int64_t id;
        while ((rc = hpt_study_ask(st, &id)) == HPT_OK) {
            assert_true(n < WANT);
            check_trial(st, id, "grid", seen + (size_t)n * DIM);
            for (int k = 0; k < n; k++)
                if (same_config(seen + (size_t)k * DIM, seen + (size_t)n * DIM))
                    fail_msg("grid (shuffle %d) repeats configuration %d at %d", shuffle,
                             k, n);
            n++;
            assert_ok(hpt_study_tell(st, id, 0.0));
        }
        assert_int_equal(rc, HPT_DONE);
        assert_int_equal(n, WANT);
        free(seen);
        hpt_study_destroy(st);
    }
    hpt_space_destroy(sp);
}

/* A float parent with a range condition: its grid points decide. */
static void grid_float_parent(void **state)
{
    (void)state;
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "wd", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "k", 1, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition_range(sp, "k", "wd", 0.5, 1.0));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 3, &st));
    /* wd in {0, 0.25, 0.5, 0.75, 1}: 2 without k, 3 x 3 with k */
    int n = 0, with_k = 0;
    int64_t id;
    while (hpt_study_ask(st, &id) == HPT_OK) {
        double x[2];
        int32_t a;
        assert_ok(hpt_trial_params(st, id, x, 2));
        assert_ok(hpt_trial_active(st, id, "k", &a));
        assert_int_equal(a, x[0] >= 0.5);
        with_k += a;
        n++;
        assert_ok(hpt_study_tell(st, id, 0.0));
    }
    assert_int_equal(n, 11);
    assert_int_equal(with_k, 9);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A trial that runs the configuration of an earlier one is the same point:
 * the inactive coordinates are canonical. */
static void inactive_coordinates_are_canonical(void **state)
{
    (void)state;
    static const char *const ab[] = {"a", "b"};
    const char *a[] = {"a"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "c", ab, 2));
    assert_ok(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "x", "c", a, 1));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 9, &st));
    int bs = 0;
    for (int i = 0; i < 50; i++) {
        int64_t id;
        double x[2];
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_trial_params(st, id, x, 2));
        if (x[0] == 1) {
            assert_true(isnan(x[1]));
            bs++;
        } else
            assert_true(x[1] >= 0 && x[1] <= 1);
        assert_ok(hpt_study_tell(st, id, x[0]));
    }
    assert_true(bs > 10 && bs < 40);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* A fully discrete conditional space has (a, 1..3) and (b): four
 * configurations, not 2 x 3. bayes proposes each once, then says done. */
static void bayes_exhausts_active_sets(void **state)
{
    (void)state;
    static const char *const ab[] = {"a", "b"};
    const char *a[] = {"a"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "c", ab, 2));
    assert_ok(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "n", "c", a, 1));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 5, &st));
    double seen[8][2];
    int n = 0, rc;
    int64_t id;
    while ((rc = hpt_study_ask(st, &id)) == HPT_OK && n < 8) {
        assert_ok(hpt_trial_params(st, id, seen[n], 2));
        for (int k = 0; k < n; k++)
            assert_false(seen[k][0] == seen[n][0] &&
                         (seen[k][1] == seen[n][1] || isnan(seen[n][1])));
        n++;
        assert_ok(hpt_study_tell(st, id, seen[n - 1][0]));
    }
    assert_int_equal(rc, HPT_DONE);
    assert_int_equal(n, 4);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

static void api_errors(void **state)
{
    (void)state;
    static const char *const abc[] = {"a", "b", "c"};
    const char *a[] = {"a"}, *aa[] = {"a", "a"}, *zz[] = {"zz"}, *null[] = {NULL};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "c", abc, 3));
    assert_ok(hpt_space_add_categorical(sp, "d", abc, 3));
    assert_ok(hpt_space_add_float(sp, "x", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_int(sp, "n", 1, 10, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(sp, "y", 0.0, 1.0, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "d", "c", a, 1));
    assert_ok(hpt_space_add_condition_range(sp, "x", "n", 2, 5));
    assert_ok(hpt_space_add_condition(sp, "n", "d", a, 1));
    size_t before = sp->n_cond;
    assert_int_equal(before, 3);

    assert_status(hpt_space_add_condition(NULL, "x", "c", a, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, NULL, "c", a, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "x", NULL, a, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "x", "c", NULL, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "x", "c", a, 0), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "x", "c", null, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "x", "c", aa, 2), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "nope", "c", a, 1), HPT_E_NAME);
    assert_status(hpt_space_add_condition(sp, "x", "nope", a, 1), HPT_E_NAME);
    assert_status(hpt_space_add_condition(sp, "x", "c", zz, 1), HPT_E_NAME);
    assert_true(strstr(hpt_last_errmsg(), "zz") != NULL);
    assert_status(hpt_space_add_condition(sp, "c", "c", a, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition(sp, "y", "x", a, 1), HPT_E_INVALID); /* kind */
    /* cycles: c -> d -> n -> x; any condition back up the chain is refused */
    assert_status(hpt_space_add_condition(sp, "c", "d", a, 1), HPT_E_INVALID);
    assert_true(strstr(hpt_last_errmsg(), "cycle") != NULL);
    assert_status(hpt_space_add_condition_range(sp, "d", "x", 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "d", "n", 0, 10), HPT_E_INVALID);

    assert_status(hpt_space_add_condition_range(NULL, "y", "x", 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, NULL, "x", 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", NULL, 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "nope", "x", 0, 1), HPT_E_NAME);
    assert_status(hpt_space_add_condition_range(sp, "y", "nope", 0, 1), HPT_E_NAME);
    assert_status(hpt_space_add_condition_range(sp, "y", "y", 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "c", 0, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "x", NAN, 1), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "x", 0, NAN), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "x", 0.7, 0.6), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "x", 2, 3), HPT_E_INVALID);
    assert_status(hpt_space_add_condition_range(sp, "y", "n", -INFINITY, 0.5),
                  HPT_E_INVALID);
    assert_int_equal(sp->n_cond, before);

    /* several conditions on one parameter all have to hold */
    assert_ok(hpt_space_add_condition_range(sp, "y", "x", 0.5, INFINITY));
    assert_ok(hpt_space_add_condition_range(sp, "y", "n", -INFINITY, 3));
    unsigned char act[5];
    double v[5] = {0, 0, 0.75, 3, 0.5};
    hpti_space_active(sp, v, act);
    assert_true(act[0] && act[1] && act[2] && act[3] && act[4]);
    v[3] = 4;
    hpti_space_active(sp, v, act);
    assert_true(act[2] && !act[4]);
    v[3] = 3;
    v[2] = 0.25;
    hpti_space_active(sp, v, act);
    assert_true(act[2] && !act[4]);
    v[1] = 1; /* d = b: n, hence x, hence y inactive */
    hpti_space_active(sp, v, act);
    assert_true(act[1] && !act[3] && !act[2] && !act[4]);

    /* the trial accessors */
    hpt_study *st = NULL;
    int64_t id;
    int32_t on;
    assert_ok(hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_ask(st, &id));
    assert_status(hpt_trial_active(NULL, id, "x", &on), HPT_E_INVALID);
    assert_status(hpt_trial_active(st, id, NULL, &on), HPT_E_INVALID);
    assert_status(hpt_trial_active(st, id, "x", NULL), HPT_E_INVALID);
    assert_status(hpt_trial_active(st, id + 1, "x", &on), HPT_E_TRIAL);
    assert_status(hpt_trial_active(st, -1, "x", &on), HPT_E_TRIAL);
    assert_status(hpt_trial_active(st, id, "nope", &on), HPT_E_NAME);
    assert_ok(hpt_trial_active(st, id, "c", &on));
    assert_int_equal(on, 1);
    assert_string_equal(hpt_strerror(HPT_E_INACTIVE),
                        "parameter is not active in this trial");
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* The journal keeps the conditions (and the logit scale and steps): a
 * reload gives the same trials with the same activity and goes on drawing
 * on the same rules; a space without one of the conditions is another. */
static void journal_round_trip(void **state)
{
    (void)state;
    const char *path = tmp("cond.journal");
    hpt_space *sp = net_space();
    hpt_study *st = NULL;
    double first[10 * DIM];
    assert_ok(hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 4, &st));
    for (int i = 0; i < 10; i++) {
        int64_t id;
        assert_ok(hpt_study_ask(st, &id));
        check_trial(st, id, "sobol", first + i * DIM);
        assert_ok(hpt_study_tell(st, id, net_loss(first + i * DIM)));
    }
    hpt_study_destroy(st);

    assert_ok(hpt_study_load(path, &st));
    for (int i = 0; i < 10; i++) {
        double x[DIM];
        check_trial(st, i, "reloaded", x);
        assert_true(same_config(x, first + i * DIM));
    }
    hpt_study_destroy(st);

    assert_ok(hpt_study_open(path, sp, "sobol", HPT_MINIMIZE, 4, &st));
    for (int i = 0; i < 10; i++) {
        int64_t id;
        double x[DIM];
        assert_ok(hpt_study_ask(st, &id));
        check_trial(st, id, "resumed", x);
        assert_ok(hpt_study_tell(st, id, net_loss(x)));
    }
    hpt_study_destroy(st);

    /* the same parameters without the units3 condition */
    hpt_space *other = NULL;
    const char *sgd[] = {"sgd"}, *adam[] = {"adam"}, *no[] = {"no"};
    assert_ok(hpt_space_create(&other));
    assert_ok(hpt_space_add_float(other, "lr", 1e-4, 1e-1, HPT_SCALE_LOG));
    assert_ok(hpt_space_add_int(other, "units3", 16, 128, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(other, "optimizer", optimizers, 2));
    assert_ok(hpt_space_add_float(other, "momentum", 0.0, 0.75, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_categorical(other, "nesterov", yes_no, 2));
    assert_ok(hpt_space_add_float(other, "dampening", 0.0, 0.5, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_float(other, "beta1", 0.8, 0.99, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_float(other, "beta2", 0.9, 0.9999, HPT_SCALE_LOGIT));
    assert_ok(hpt_space_add_int(other, "layers", 1, 4, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_set_step(other, "momentum", 0.25));
    assert_ok(hpt_space_set_step(other, "units3", 16));
    assert_ok(hpt_space_add_condition(other, "momentum", "optimizer", sgd, 1));
    assert_ok(hpt_space_add_condition(other, "nesterov", "optimizer", sgd, 1));
    assert_ok(hpt_space_add_condition(other, "dampening", "nesterov", no, 1));
    assert_ok(hpt_space_add_condition(other, "beta1", "optimizer", adam, 1));
    assert_ok(hpt_space_add_condition(other, "beta2", "optimizer", adam, 1));
    st = NULL;
    assert_status(hpt_study_open(path, other, "sobol", HPT_MINIMIZE, 4, &st),
                  HPT_E_MISMATCH);
    assert_true(strstr(hpt_last_errmsg(), "condition") != NULL);
    hpt_space_destroy(other);
    hpt_space_destroy(sp);
}

/* The CSV export leaves inactive parameters empty. */
static void csv_leaves_inactive_empty(void **state)
{
    (void)state;
    static const char *const ab[] = {"a", "b"};
    const char *a[] = {"a"};
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_categorical(sp, "c", ab, 2));
    assert_ok(hpt_space_add_int(sp, "n", 1, 3, HPT_SCALE_LINEAR));
    assert_ok(hpt_space_add_condition(sp, "n", "c", a, 1));
    hpt_study *st = NULL;
    assert_ok(hpt_study_create(sp, "grid", HPT_MINIMIZE, 1, &st));
    int64_t id;
    while (hpt_study_ask(st, &id) == HPT_OK)
        assert_ok(hpt_study_tell(st, id, (double)id));
    const char *path = tmp("cond.csv");
    assert_ok(hpt_study_export_csv(st, path));
    char *csv = tu_slurp(path, NULL), want[1024];
    snprintf(want, sizeof want,
             "id,state,c,n,budget,value,reports,fail_reason,asked,finished,duration\r\n"
             "0,complete,a,1,0,0,0,%s\r\n"
             "1,complete,a,2,0,1,0,%s\r\n"
             "2,complete,a,3,0,2,0,%s\r\n"
             "3,complete,b,,0,3,0,%s\r\n",
             tu_times(st, 0, 0), tu_times(st, 1, 0), tu_times(st, 2, 0), tu_times(st, 3, 0));
    assert_string_equal(csv, want);
    free(csv);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_errors),
        cmocka_unit_test(every_strategy),
        cmocka_unit_test(grid_counts_active_sets),
        cmocka_unit_test(grid_float_parent),
        cmocka_unit_test(inactive_coordinates_are_canonical),
        cmocka_unit_test(journal_round_trip),
        cmocka_unit_test(csv_leaves_inactive_empty),
        cmocka_unit_test(bayes_exhausts_active_sets),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
