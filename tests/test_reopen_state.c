/* test_reopen_state.c -- reopen = read, not recompute: a journaled ask
 * records its strategy's state and a reopen restores it instead of
 * proposing again. For every strategy (and hyperband's samplers, a
 * pruner, batched asks, failed trials) a job's journal cut at several
 * points reopens to the state of the uninterrupted run: the next asks are
 * the same bit for bit, and the models are not refitted by the reopen. A
 * journal without recorded states (written by an earlier version) or with
 * an unreadable one reopens by re-execution, to the same trials. */
#include <math.h>
#include <sys/stat.h>

#include "testutil.h"
#include "crc32.h"
#include "strategy.h"

#define NEXT 10 /* steps compared after a reopen */

typedef struct {
    const char *strategy;
    const char *opt[4]; /* "name=value" (value numeric, or a string) */
    int steps;
    int cuts[3];
    int model; /* 1: the strategy fits a model in this job */
    const char *transfer; /* parent journal of a transfer warm start, or NULL:
                           * its model is refitted when the study starts
                           * (hpt.h), one fit that a reopen repeats */
} job;

static void set_options(hpt_study *st, const job *j)
{
    for (int i = 0; i < 4 && j->opt[i]; i++) {
        char name[64];
        const char *eq = strchr(j->opt[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - j->opt[i]), j->opt[i]);
        char *end;
        double v = strtod(eq + 1, &end);
        if (*end)
            assert_ok(hpt_study_set_str(st, name, eq + 1));
        else
            assert_ok(hpt_study_set(st, name, v));
    }
}

static hpt_study *open_job(const char *path, const job *j)
{
    hpt_space *sp = tu_mixed_space();
    hpt_study *st = NULL;
    int rc = hpt_study_open(path, sp, j->strategy, HPT_MINIMIZE, 7, &st);
    hpt_space_destroy(sp);
    if (rc)
        fail_msg("open %s: %s", path, hpt_last_errmsg());
    assert_ok(hpt_study_set(st, "journal.fsync", 0));
    return st;
}

/* A deterministic loss of a trial's configuration and budget. */
static double loss(const hpt_study *st, int64_t id)
{
    double x[3], budget;
    int64_t from;
    assert_ok(hpt_trial_params(st, id, x, 3));
    assert_ok(hpt_trial_budget(st, id, &budget, &from));
    double b = budget > 0 ? budget : 81;
    return pow(log10(x[0]) + 3, 2) + 0.1 * x[1] + 0.05 * x[2] + 1.0 / b;
}

/* Step k of the job: one ask, or two in a row (a batch: the second is
 * asked with the first running); every 7th fails, every 11th reports and
 * is pruned, every 5th stays running until a later step tells it. */
static int step(hpt_study *st, int k)
{
    int64_t id[2];
    int n = k % 4 == 1 ? 2 : 1;
    for (int i = 0; i < n; i++) {
        int rc = hpt_study_ask(st, &id[i]);
        if (rc == HPT_DONE)
            return rc;
        if (rc == HPT_WAIT) { /* synchronous hyperband: finish the oldest */
            int64_t run[512];
            size_t needed;
            assert_ok(hpt_study_running(st, run, 512, &needed));
            assert_true(needed > 0);
            assert_ok(hpt_study_tell(st, run[0], loss(st, run[0])));
            n = i;
            break;
        }
        assert_status(rc, HPT_OK);
    }
    if (n == 0)
        return HPT_OK;
    for (int i = 0; i < n; i++) {
        int32_t stop;
        int c = k + 3 * i;
        if (c % 7 == 3)
            assert_ok(hpt_study_tell_failed(st, id[i], "diverged"));
        else if (c % 11 == 5) {
            assert_ok(hpt_study_report(st, id[i], 1, loss(st, id[i]) + 1, &stop));
            assert_ok(hpt_study_prune(st, id[i]));
        } else if (c % 5 != 4) {
            assert_ok(hpt_study_report(st, id[i], 1, loss(st, id[i]) + 0.5, &stop));
            assert_ok(hpt_study_tell(st, id[i], loss(st, id[i])));
        }
    }
    if (id[0] >= 6) { /* the one left running a few steps ago */
        int rc = hpt_study_tell(st, id[0] - 6, loss(st, id[0] - 6));
        if (rc != HPT_OK)
            assert_int_equal(rc, HPT_E_STATE);
    }
    return HPT_OK;
}

static int64_t records(const hpt_study *st)
{
    int64_t n;
    assert_ok(hpt_study_journal_info(st, &n, NULL, NULL));
    return n;
}

/* Copy the first `lines` records of journal src to dst: the journal an
 * interrupted run would have left. With strip = 1, the strategy states
 * are left out of the ask records (checksums made again), as a journal of
 * an earlier version has them; strip = 2 leaves out those of odd trials
 * (re-executed asks between restored ones: a live model then takes in a
 * state, as when another process wrote it); with spoil = id, that ask's
 * state is replaced by bytes no version reads. */
static void cut_journal(const char *src, const char *dst, int64_t lines, int strip,
                        int64_t spoil)
{
    char *b = tu_slurp(src, NULL);
    FILE *out = fopen(dst, "wb");
    assert_non_null(out);
    int64_t k = 0;
    for (char *p = b; *p && k < lines; k++) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        char *at = strstr(p, " @");
        long long id = -1;
        int is_ask = sscanf(p, "ask %lld ", &id) == 1;
        if (is_ask && at && (strip == 1 || (strip == 2 && id % 2) || id == spoil)) {
            char *seq = strchr(at + 1, ' ');
            char rec[1024];
            int len = snprintf(rec, sizeof rec, "%.*s%s", (int)(at - p), p,
                               id == spoil ? " @AAAA" : "");
            char *crc = strrchr(seq, ' ');
            len += snprintf(rec + len, sizeof rec - (size_t)len, "%.*s", (int)(crc - seq), seq);
            fprintf(out, "%s %08x\n", rec, (unsigned)hpti_crc32(rec, (size_t)len));
        } else
            fprintf(out, "%s\n", p);
        p = nl + 1;
    }
    fclose(out);
    free(b);
}

static void assert_same_prefix(const hpt_study *a, const hpt_study *b, const char *what,
                               int cut)
{
    int64_t na, nb;
    assert_ok(hpt_study_trial_count(a, &na));
    assert_ok(hpt_study_trial_count(b, &nb));
    assert_true(nb <= na);
    for (int64_t id = 0; id < nb; id++) {
        double xa[3], xb[3], ba, bb;
        int64_t pa, pb;
        assert_ok(hpt_trial_params(a, id, xa, 3));
        assert_ok(hpt_trial_params(b, id, xb, 3));
        assert_ok(hpt_trial_budget(a, id, &ba, &pa));
        assert_ok(hpt_trial_budget(b, id, &bb, &pb));
        if (memcmp(xa, xb, sizeof xa) || memcmp(&ba, &bb, sizeof ba) || pa != pb)
            fail_msg("%s cut at step %d: trial %lld is (%a %a %a, budget %a, parent %lld), "
                     "uninterrupted (%a %a %a, budget %a, parent %lld)",
                     what, cut, (long long)id, xb[0], xb[1], xb[2], bb, (long long)pb, xa[0],
                     xa[1], xa[2], ba, (long long)pa);
    }
}

/* Run the job straight, then reopen its journal cut after each cut step
 * and take the next NEXT steps: the same trials as straight, and no model
 * fit beyond those the straight run made in the same steps. */
static void check_job(const job *j)
{
    char straight[512], cut[512];
    snprintf(straight, sizeof straight, "%s", tmp("straight.jnl"));
    snprintf(cut, sizeof cut, "%s", tmp("cut.jnl"));
    unlink(straight);
    int total = j->steps + NEXT;
    int64_t *rec = calloc((size_t)total + 1, sizeof *rec);
    unsigned long *fits = calloc((size_t)total + 1, sizeof *fits);
    hpt_study *a = open_job(straight, j);
    set_options(a, j);
    if (j->transfer) /* journaled: the reopened studies have it from the journal */
        assert_ok(hpt_study_warm_start(a, j->transfer, HPT_WARM_TRANSFER));
    rec[0] = records(a);
    int last = total;
    for (int k = 0; k < total; k++) {
        if (step(a, k) == HPT_DONE) {
            last = k;
            break;
        }
        rec[k + 1] = records(a);
        fits[k + 1] = hpti_study_model_fits(a);
    }
    if (j->model && !(fits[last] > fits[j->cuts[0]]))
        fail_msg("%s: the job fitted no model after step %d", j->strategy, j->cuts[0]);
    for (int c = 0; c < 3; c++) {
        int at = j->cuts[c];
        assert_true(at + NEXT <= last);
        for (int mode = 0; mode < 4; mode++) { /* states, none, one spoilt, half */
            if (mode && c != 1)
                continue;
            cut_journal(straight, cut, rec[at], mode == 1 ? 1 : mode == 3 ? 2 : 0,
                        mode == 2 ? at / 2 : -1);
            hpt_study *b = open_job(cut, j);
            set_options(b, j); /* as the host repeats its set-up: no-op */
            unsigned long at_open = j->transfer && at > 0 ? 1 : 0;
            if (mode == 0)
                assert_int_equal(hpti_study_model_fits(b), at_open);
            for (int k = at; k < at + NEXT; k++)
                assert_int_equal(step(b, k), HPT_OK);
            assert_same_prefix(a, b, j->strategy, at);
            if (mode == 0 && hpti_study_model_fits(b) != fits[at + NEXT] - fits[at] + at_open)
                fail_msg("%s cut at step %d: %lu model fits after the reopen, the straight "
                         "run made %lu in those steps",
                         j->strategy, at, hpti_study_model_fits(b),
                         fits[at + NEXT] - fits[at]);
            hpt_study_destroy(b);
        }
    }
    hpt_study_destroy(a);
    free(rec);
    free(fits);
}

static void test_random(void **state)
{
    (void)state;
    job j = {"random", {"pruner=median", NULL}, 300, {3, 150, 290}, 0, NULL};
    check_job(&j);
}

static void test_sobol(void **state)
{
    (void)state;
    job j = {"sobol", {NULL}, 300, {1, 151, 290}, 0, NULL};
    check_job(&j);
}

static void test_grid(void **state)
{
    (void)state;
    job j = {"grid", {"grid.points=30", "grid.shuffle=1", NULL}, 250, {2, 120, 240}, 0, NULL};
    check_job(&j);
}

static void test_bayes(void **state)
{
    (void)state;
    job j = {"bayes", {NULL}, 170, {12, 90, 160}, 1, NULL};
    check_job(&j);
}

/* A transfer warm start: its parent's model stack is refitted at start,
 * the study's own model restored. */
static void test_bayes_transfer(void **state)
{
    (void)state;
    char parent[512];
    snprintf(parent, sizeof parent, "%s", tmp("transfer-parent.jnl"));
    unlink(parent);
    job pj = {"random", {NULL}, 40, {0}, 0, NULL};
    hpt_study *p = open_job(parent, &pj);
    for (int k = 0; k < 40; k++)
        step(p, k);
    hpt_study_destroy(p);
    job j = {"bayes", {NULL}, 60, {0, 20, 50}, 1, parent};
    check_job(&j);
}

static void test_hyperband_bayes(void **state)
{
    (void)state;
    job j = {"hyperband", {"hyperband.max_resource=27", "pruner=asha", NULL}, 300,
             {30, 160, 290}, 1, NULL};
    check_job(&j);
}

static void test_hyperband_sobol_sync(void **state)
{
    (void)state;
    job j = {"hyperband", {"hyperband.sampler=sobol", "hyperband.async=0", NULL}, 200,
             {5, 100, 190}, 0, NULL};
    check_job(&j);
}

/* Where a replayed strategy has no trial to give (here a grid of two
 * configurations whose journal holds a third trial, as another machine's
 * run could have made), the recorded trial is taken: the journal is the
 * truth, not HPT_E_MISMATCH. */
static void test_done_where_the_journal_holds_a_trial(void **state)
{
    (void)state;
    const char *path = tmp("grid2.jnl");
    unlink(path);
    hpt_space *sp = NULL;
    assert_ok(hpt_space_create(&sp));
    assert_ok(hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR));
    hpt_study *st = NULL;
    assert_ok(hpt_study_open(path, sp, "grid", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_set(st, "grid.points", 2));
    int64_t id;
    for (int i = 0; i < 2; i++) {
        assert_ok(hpt_study_ask(st, &id));
        assert_ok(hpt_study_tell(st, id, i));
    }
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
    int64_t n = 0; /* lines in the file: the next record's sequence number - 1 */
    char *text = tu_slurp(path, NULL);
    for (const char *q = text; (q = strchr(q, '\n')); q++)
        n++;
    free(text);
    FILE *f = fopen(path, "ab");
    char rec[128];
    int len = snprintf(rec, sizeof rec, "ask 2 0 0 -1 0.25 %lld", (long long)n + 1);
    fprintf(f, "%s %08x\n", rec, (unsigned)hpti_crc32(rec, (size_t)len));
    fclose(f);
    assert_ok(hpt_study_open(path, sp, "grid", HPT_MINIMIZE, 1, &st));
    double x;
    assert_ok(hpt_trial_params(st, 2, &x, 1));
    assert_true(x == 0.25);
    assert_ok(hpt_study_tell(st, 2, 0.5));
    assert_status(hpt_study_ask(st, &id), HPT_DONE);
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

/* The state is a last field of the ask record that hpt_study_load and a
 * warm start from the journal read past. */
static void test_load_and_warm_start_read_past_it(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s", tmp("parent.jnl"));
    unlink(path);
    job j = {"bayes", {NULL}, 0, {0}, 0, NULL};
    hpt_study *st = open_job(path, &j);
    for (int k = 0; k < 30; k++)
        step(st, k);
    int64_t n;
    assert_ok(hpt_study_trial_count(st, &n));
    hpt_study_destroy(st);
    char *text = tu_slurp(path, NULL);
    assert_non_null(strstr(text, " @"));
    free(text);
    assert_ok(hpt_study_load(path, &st));
    int64_t m;
    assert_ok(hpt_study_trial_count(st, &m));
    assert_int_equal(m, n);
    hpt_study_destroy(st);
    hpt_space *sp = tu_mixed_space();
    assert_ok(hpt_study_create(sp, "bayes", HPT_MINIMIZE, 1, &st));
    assert_ok(hpt_study_warm_start(st, path, HPT_WARM_IDENTICAL));
    int64_t id;
    assert_ok(hpt_study_ask(st, &id));
    hpt_study_destroy(st);
    hpt_space_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_sobol),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_bayes),
        cmocka_unit_test(test_bayes_transfer),
        cmocka_unit_test(test_hyperband_bayes),
        cmocka_unit_test(test_hyperband_sobol_sync),
        cmocka_unit_test(test_done_where_the_journal_holds_a_trial),
        cmocka_unit_test(test_load_and_warm_start_read_past_it),
    };
    return cmocka_run_group_tests(tests, tu_scratch_make, tu_scratch_remove);
}
