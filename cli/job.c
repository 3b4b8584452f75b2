/* job.c -- the tuning loop: keep up to --parallel trials running, each one
 * asked from the study, run as a process, its output streamed into reports,
 * and its end told to the study (value, failure with its reason, or prune).
 *
 * Single-threaded: one poll() over the trials' output pipes and a self-pipe
 * that the signal handlers (SIGCHLD, SIGINT, SIGTERM, SIGHUP) write to. The
 * study therefore sees its calls in one well-defined order, which keeps a
 * journaled job reproducible.
 *
 * Interruption (a signal to hpt-tune, or a failing library call): running
 * trials get SIGTERM, then SIGKILL after --grace (at once on a second
 * signal), and are NOT told: in a journal they stay "running", and --resume
 * runs them again under the same id. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpt_tune.h"

volatile sig_atomic_t cli_interrupted, cli_signals;
int cli_wake_fd[2] = {-1, -1};

#define TICK_MS 100 /* timers (timeouts, grace periods) are checked this often */

typedef struct {
    const cli_job *job;
    hpt_study *study;
    const char *job_dir;
    cli_metrics metrics;
    cli_measure_re measures; /* --objective, --constraint */
    cli_progress progress;
    cli_trial *slots; /* job->parallel of them */
    int *active;
    size_t running;
    int fatal;        /* a library call failed: wind down, exit 1 */
    int stopping;     /* interrupted or fatal: no new trials */
    double t0;
    /* --retries: failed runs of each trial so far, with their reasons, and
     * the trials waiting to run again (same id, same configuration). */
    struct retry_rec {
        int64_t id, failures;
        char *reasons;
    } *retry;
    size_t n_retry;
    int64_t *retry_queue;
    size_t n_queue;
    /* trials a previous run left running (journal resume): they go first */
    int64_t *rerun;
    size_t n_rerun, next_rerun;
    int done_asking, handled_signals;
    char done_reason[600];
    struct pollfd *pfd; /* parallel + 1: the wake pipe, then the trials' output */
    size_t *pslot;
} run_ctx;

static void fatal(run_ctx *c, const char *what, int rc)
{
    if (!c->fatal)
        fprintf(stderr, "hpt-tune: %s: %s (%s); stopping the job\n", what,
                hpt_study_errmsg(c->study), hpt_strerror(rc));
    c->fatal = 1;
}

/* Library errors that describe the trial's data rather than a broken job. */
static int benign(int rc)
{
    return rc == HPT_E_INVALID || rc == HPT_E_STATE;
}

/* ---- options -------------------------------------------------------------------- */

int cli_apply_options(const cli_job *job, hpt_study *study, int resumed)
{
    if (cli_apply_shape(job, study)) /* before the options: a pruner needs one objective */
        return -1;
    for (size_t i = 0; i < job->n_opts + 1; i++) {
        const char *name, *text;
        char buf[32];
        if (i == job->n_opts) {
            if (!job->max_trials)
                break;
            name = "max_trials";
            snprintf(buf, sizeof buf, "%lld", (long long)job->max_trials);
            text = buf;
        } else {
            name = job->opt_names[i];
            text = job->opt_values[i];
        }
        double v;
        int rc = cli_parse_number(text, &v) == 0 ? hpt_study_set(study, name, v)
                                                 : hpt_study_set_str(study, name, text);
        /* A resumed study keeps the options it was created with (the same
         * value is accepted again; another one is refused with STAGE). */
        if (rc == HPT_E_STAGE && resumed) {
            fprintf(stderr, "hpt-tune: option %s=%s ignored: the resumed job keeps its own\n",
                    name, text);
            continue;
        }
        if (rc) {
            fprintf(stderr, "hpt-tune: option %s=%s: %s\n", name, text, hpt_study_errmsg(study));
            return -1;
        }
    }
    return 0;
}

/* ---- output lines -> metrics ---------------------------------------------------------- */

static void on_line(cli_trial *t, const char *line, void *vctx)
{
    run_ctx *c = vctx;
    char text[sizeof t->objective];
    cli_match_measures(&c->measures, t, line);
    if (cli_match_objective(&c->metrics, line, text, sizeof text)) {
        memcpy(t->objective, text, sizeof text);
        t->has_objective = 1;
    }
    double step, value;
    int m = cli_match_report(&c->metrics, line, &step, &value);
    if (m == 0 || t->stop != CLI_STOP_NONE || c->stopping)
        return; /* after a stop decision, late reports would move the pruned value */
    if (m < 0) {
        if (!t->bad_reports++)
            cli_trial_note(t, "a line matched --report-metric without numbers; ignored: %.200s",
                           line);
        return;
    }
    t->run_reports++;
    if (isnan(step)) /* numbered from 1 in each run, so a re-run repeats steps */
        step = (double)t->run_reports;
    if (t->n_reports > 0 && !(step > t->last_step)) {
        /* Steps must increase; a re-run after --resume repeats the steps its
         * first run already reported, which the study keeps. */
        return;
    }
    int32_t stop = 0;
    int rc = hpt_study_report(c->study, t->id, step, value, &stop);
    if (rc) {
        if (!benign(rc))
            fatal(c, "report", rc);
        else
            cli_trial_note(t, "report refused: %s", hpt_study_errmsg(c->study));
        return;
    }
    t->last_step = step;
    t->n_reports++;
    if (stop) {
        cli_trial_note(t, "stopped by the study at step %g (SIGTERM)", step);
        cli_trial_stop(t, CLI_STOP_PRUNE, c->job->grace);
    }
}

/* ---- finishing a trial ------------------------------------------------------------------ */

/* --retries K: a failure may be transient (a preempted node, a full disk),
 * so a failed run is started again under the same trial id, up to K times,
 * before the study is told. The trial stays running in the study meanwhile;
 * the reasons of the earlier runs are kept and told with the last one.
 * Returns 1 when the trial was queued to run again; otherwise appends the
 * earlier reasons to reason (n = sizeof the caller's buffer). */
static int retry_later(run_ctx *c, cli_trial *t, char *reason)
{
    const size_t n = 1024;
    struct retry_rec *r = NULL;
    for (size_t i = 0; i < c->n_retry; i++)
        if (c->retry[i].id == t->id)
            r = &c->retry[i];
    if (c->job->retries <= 0 && !r)
        return 0;
    if (!r) {
        c->retry = cli_xrealloc(c->retry, (c->n_retry + 1) * sizeof *c->retry);
        r = &c->retry[c->n_retry++];
        r->id = t->id;
        r->failures = 0;
        r->reasons = cli_xstrdup("");
    }
    r->failures++;
    if (r->failures <= c->job->retries && !c->stopping) {
        char *all = cli_xasprintf("%s%s%s", r->reasons, *r->reasons ? "; " : "", reason);
        free(r->reasons);
        r->reasons = all;
        cli_trial_note(t, "run %lld failed: %s; retrying (--retries %lld)",
                       (long long)r->failures, reason, (long long)c->job->retries);
        if (!c->job->quiet) {
            cli_progress_clear(&c->progress);
            fprintf(stderr, "hpt-tune: trial %lld failed (%s); running it again (%lld of %lld)\n",
                    (long long)t->id, reason, (long long)r->failures,
                    (long long)c->job->retries);
        }
        c->retry_queue = cli_xrealloc(c->retry_queue, (c->n_queue + 1) * sizeof(int64_t));
        c->retry_queue[c->n_queue++] = t->id;
        return 1;
    }
    if (*r->reasons) {
        size_t len = strlen(reason);
        snprintf(reason + len, n - len, " (after %lld runs; earlier: %s)",
                 (long long)r->failures, r->reasons);
    }
    return 0;
}

static void finish(run_ctx *c, size_t slot)
{
    cli_trial *t = &c->slots[slot];
    char reason[1024] = "";
    int rc = HPT_OK;
    int32_t state = HPT_TRIAL_FAILED;
    double v;

    if (t->stop == CLI_STOP_INTERRUPT || c->fatal) {
        cli_trial_note(t, "interrupted; not told%s",
                       c->job->journal ? " (it runs again on --resume)" : "");
        cli_progress_clear(&c->progress);
        fprintf(stderr, "hpt-tune: trial %lld interrupted%s\n", (long long)t->id,
                c->job->journal ? " (runs again on --resume)" : "");
        goto out;
    }
    if (t->stop == CLI_STOP_PRUNE) {
        rc = hpt_study_prune(c->study, t->id);
        if (!rc)
            hpt_trial_state(c->study, t->id, &state);
    } else {
        if (t->stop == CLI_STOP_TIMEOUT)
            snprintf(reason, sizeof reason, "timeout after %g s", c->job->trial_timeout);
        else if (t->end == CLI_END_SPAWN)
            snprintf(reason, sizeof reason, "cannot start '%s': %s",
                     c->job->n_launcher ? c->job->launcher[0] : c->job->command[0],
                     strerror(t->code));
        else if (t->end == CLI_END_SIGNAL)
            cli_signal_reason(c->job, t, reason, sizeof reason);
        else if (t->code != 0)
            snprintf(reason, sizeof reason, "exit status %d", t->code);
        else if (cli_job_shaped(c->job)) {
            rc = cli_tell_measures(c->job, c->study, t, reason, sizeof reason);
            if (!rc && !reason[0])
                state = HPT_TRIAL_COMPLETE;
        } else if (!t->has_objective)
            snprintf(reason, sizeof reason, "no output line matched --metric '%.180s'",
                     c->job->metric);
        else if (cli_parse_number(t->objective, &v))
            snprintf(reason, sizeof reason, "metric '%.100s' is not a finite number",
                     t->objective);
        if (rc)
            ; /* the study refused the values: a broken job */
        else if (state == HPT_TRIAL_COMPLETE)
            ; /* told by cli_tell_measures */
        else if (!reason[0]) {
            rc = hpt_study_tell(c->study, t->id, v);
            state = HPT_TRIAL_COMPLETE;
        } else if (retry_later(c, t, reason))
            goto out;
        else
            rc = hpt_study_tell_failed(c->study, t->id, reason);
    }
    if (rc) {
        fatal(c, "telling a result", rc);
        goto out;
    }
    cli_trial_note(t, "trial %lld %s%s%s", (long long)t->id,
                   state == HPT_TRIAL_COMPLETE ? "complete"
                   : state == HPT_TRIAL_PRUNED ? "pruned"
                                               : "failed",
                   reason[0] ? ": " : "", reason);
    cli_progress_trial(&c->progress, c->job, c->study, t->id, state, reason,
                       cli_now() - t->started);
out:
    cli_trial_close(t);
    c->active[slot] = 0;
    c->running--;
}

/* ---- starting a trial ---------------------------------------------------------------------- */

static void launch(run_ctx *c, size_t slot, int64_t id, int rerun)
{
    const cli_job *job = c->job;
    cli_trial *t = &c->slots[slot];
    char err[512];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->pid = -1;
    t->fd = t->log_fd = -1;
    t->last_step = -INFINITY;
    c->active[slot] = 1;
    c->running++;

    char *dir = cli_xasprintf("%s/trial-%lld", c->job_dir, (long long)id);
    char *log = cli_xasprintf("%s/trial-%lld.log", c->job_dir, (long long)id);
    if (mkdir(dir, 0777) && errno != EEXIST)
        fprintf(stderr, "hpt-tune: cannot make %s: %s\n", dir, strerror(errno));
    t->pidfile = cli_xasprintf("%s/trial-%lld.pid", c->job_dir, (long long)id);
    if (rerun && cli_kill_stale(t->pidfile, dir) && !job->quiet)
        fprintf(stderr, "hpt-tune: stopped trial %lld's processes left by the killed run\n",
                (long long)id);
    if (rerun) {
        int64_t k = 0;
        double step, value;
        if (hpt_trial_report_count(c->study, id, &k) == HPT_OK && k > 0 &&
            hpt_trial_report(c->study, id, k - 1, &step, &value) == HPT_OK) {
            t->n_reports = k;
            t->last_step = step;
        }
    }
    cli_subst s;
    if (cli_subst_fill(&s, job, c->study, id, dir, slot, err, sizeof err)) {
        fprintf(stderr, "hpt-tune: %s\n", err);
        c->fatal = 1;
        free(t->pidfile);
        t->pidfile = NULL;
        c->active[slot] = 0;
        c->running--;
        free(dir);
        free(log);
        return;
    }
    char **argv = NULL;
    size_t argc = 0;
    for (size_t i = 0; i < job->n_launcher; i++)
        cli_push(&argv, &argc, cli_expand(job->launcher[i], &s));
    for (size_t i = 0; i < job->n_command; i++)
        cli_push(&argv, &argc, cli_expand(job->command[i], &s));
    char **env = cli_trial_env(job, &s);
    int rc = cli_trial_start(t, argv, env, log, err, sizeof err);
    cli_trial_pidfile(t);
    if (rc == 0 && rerun)
        cli_trial_note(t, rerun == 2 ? "re-run of a failed trial (--retries)"
                                     : "re-run of a trial cut off by an interruption (--resume)");
    if (rc == 0 && t->end != CLI_END_SPAWN && job->trial_timeout > 0)
        t->deadline = t->started + job->trial_timeout;
    cli_free_strv(argv, argc);
    cli_free_env(env);
    cli_subst_free(&s);
    free(dir);
    free(log);
    if (rc) {
        /* hpt-tune could not set the trial up (log file, pipe): the trial
         * fails with the reason; the job goes on. */
        t->started = cli_now();
        int trc = hpt_study_tell_failed(c->study, id, err);
        if (trc)
            fatal(c, "telling a failure", trc);
        else
            cli_progress_trial(&c->progress, job, c->study, id, HPT_TRIAL_FAILED, err, 0);
        cli_trial_close(t);
        c->active[slot] = 0;
        c->running--;
        return;
    }
    if (t->end == CLI_END_SPAWN)
        finish(c, slot);
}

static size_t free_slot(const run_ctx *c)
{
    for (size_t i = 0; i < (size_t)c->job->parallel; i++)
        if (!c->active[i])
            return i;
    return (size_t)-1;
}

static void drain_wake(void)
{
    char buf[64];
    while (read(cli_wake_fd[0], buf, sizeof buf) > 0)
        ;
}

/* ---- the loop ------------------------------------------------------------------------------- */

/* Interruptions: stop everything, tell nothing; a second signal: no grace. */
static void on_signals(run_ctx *c)
{
    size_t np = (size_t)c->job->parallel;
    if ((cli_interrupted || c->fatal) && !c->stopping) {
        c->stopping = 1;
        for (size_t i = 0; i < np; i++)
            if (c->active[i])
                cli_trial_stop(&c->slots[i], CLI_STOP_INTERRUPT, c->job->grace);
    }
    if (cli_signals > 1 && c->handled_signals < 2) {
        c->handled_signals = 2;
        for (size_t i = 0; i < np; i++)
            if (c->active[i] && !c->slots[i].killed)
                c->slots[i].kill_at = cli_now();
    }
}

/* Fill free slots: retries first, then cut-off trials, then asks. */
static void fill_slots(run_ctx *c)
{
    const cli_job *job = c->job;
    size_t np = (size_t)job->parallel;
    while (!c->stopping && c->running < np && c->n_queue) {
        int64_t id = c->retry_queue[0];
        memmove(c->retry_queue, c->retry_queue + 1, --c->n_queue * sizeof *c->retry_queue);
        launch(c, free_slot(c), id, 2);
    }
    while (!c->stopping && !c->done_asking && c->running < np) {
        size_t slot = free_slot(c);
        int64_t id, count = 0;
        if (c->next_rerun < c->n_rerun) {
            id = c->rerun[c->next_rerun++];
            if (cli_journal_rerun(c->study, id)) {
                fatal(c, "re-running a cut-off trial", HPT_E_STATE);
                break;
            }
            launch(c, slot, id, 1);
            continue;
        }
        hpt_study_trial_count(c->study, &count);
        if (job->max_trials && count >= job->max_trials) {
            c->done_asking = 1;
            snprintf(c->done_reason, sizeof c->done_reason, "max trials (%lld) reached",
                     (long long)job->max_trials);
            break;
        }
        int rc = hpt_study_ask(c->study, &id);
        if (rc == HPT_OK) {
            launch(c, slot, id, 0);
            continue;
        }
        if (rc == HPT_DONE) {
            const char *why = cli_journal_done_reason(c->study);
            c->done_asking = 1;
            if (why)
                snprintf(c->done_reason, sizeof c->done_reason, "done: %s", why);
            else
                snprintf(c->done_reason, sizeof c->done_reason, "%s",
                         hpt_study_errmsg(c->study));
        } else if (rc == HPT_WAIT) {
            if (c->running == 0)
                fatal(c, "the strategy waits for running trials but none is running", rc);
        } else
            fatal(c, "ask", rc);
        break;
    }
}

/* Wait for output, exits, signals or the next tick; then move every
 * running trial on (read, reap, timers) and finish those that are done. */
static void step(run_ctx *c)
{
    size_t np = (size_t)c->job->parallel, n = 0;
    c->pfd[n].fd = cli_wake_fd[0];
    c->pfd[n].events = POLLIN;
    c->pslot[n++] = (size_t)-1;
    for (size_t i = 0; i < np; i++)
        if (c->active[i] && c->slots[i].fd >= 0) {
            c->pfd[n].fd = c->slots[i].fd;
            c->pfd[n].events = POLLIN;
            c->pslot[n++] = i;
        }
    int timeout = c->progress.live ? 250 : TICK_MS;
    if (poll(c->pfd, n, timeout) < 0 && errno != EINTR) {
        fprintf(stderr, "hpt-tune: poll: %s\n", strerror(errno));
        c->fatal = 1;
    }
    drain_wake();
    double now = cli_now();
    if (c->job->max_memory > 0) /* before the reaps: a leader that exited has no memory */
        cli_memory_poll(c->slots, c->active, np);
    for (size_t i = 0; i < np; i++) {
        if (!c->active[i])
            continue;
        cli_trial *t = &c->slots[i];
        cli_trial_read(t, on_line, c);
        cli_trial_reap(t);
        cli_trial_tick(t, now, c->job->grace);
        if (cli_trial_done(t))
            finish(c, i);
    }
    cli_progress_status(&c->progress, c->study, c->running, 0);
}

/* The closing lines; the exit status. */
static int closing(run_ctx *c)
{
    const cli_job *job = c->job;
    int rc;
    int64_t total = 0;
    hpt_study_trial_count(c->study, &total);
    double secs = cli_now() - c->t0;
    if (cli_interrupted) {
        if (job->journal) {
            char *q = cli_quote_word(job->journal);
            fprintf(stderr,
                    "hpt-tune: interrupted by signal %d after %.1f s; continue with: "
                    "hpt-tune --resume %s\n",
                    (int)cli_interrupted, secs, q);
            free(q);
        } else
            fprintf(stderr,
                    "hpt-tune: interrupted by signal %d after %.1f s; no --journal, so the "
                    "job cannot be resumed\n",
                    (int)cli_interrupted, secs);
        rc = CLI_EXIT_SIGNAL + (int)cli_interrupted;
    } else if (c->fatal)
        rc = CLI_EXIT_FAIL;
    else {
        if (!job->quiet)
            fprintf(cli_human(),
                    "finished: %lld trials (%lld complete, %lld failed, %lld pruned here) in "
                    "%.1f s; %s\n",
                    (long long)total, (long long)c->progress.n_complete,
                    (long long)c->progress.n_failed, (long long)c->progress.n_pruned, secs,
                    c->done_reason);
        /* success: a (feasible) trial completed; several objectives: the
         * front is not empty */
        size_t front = 0;
        int b = hpt_study_best(c->study, NULL, NULL);
        if (b == HPT_E_MULTI)
            hpt_study_pareto(c->study, NULL, 0, &front);
        rc = b == HPT_OK || front > 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    cli_print_best(cli_human(), job, c->study);
    fflush(cli_human());
    return rc;
}

int cli_run_job(const cli_job *job, hpt_study *study, const char *job_dir)
{
    run_ctx c;
    char err[512];
    memset(&c, 0, sizeof c);
    c.job = job;
    c.study = study;
    c.job_dir = job_dir;
    c.t0 = cli_now();
    if (cli_metrics_compile(&c.metrics, job->metric, job->report_metric, err, sizeof err)) {
        fprintf(stderr, "hpt-tune: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (cli_measures_compile(&c.measures, job, err, sizeof err)) {
        fprintf(stderr, "hpt-tune: %s\n", err);
        cli_metrics_free(&c.metrics);
        return CLI_EXIT_USAGE;
    }
    cli_progress_init(&c.progress, job->status_line, job->quiet);
    size_t np = (size_t)job->parallel;
    c.slots = cli_xmalloc(np * sizeof *c.slots);
    c.active = cli_xmalloc(np * sizeof *c.active);
    memset(c.active, 0, np * sizeof *c.active);
    c.pfd = cli_xmalloc((np + 1) * sizeof *c.pfd);
    c.pslot = cli_xmalloc((np + 1) * sizeof *c.pslot);

    int64_t count = 0;
    hpt_study_trial_count(study, &count);
    for (int64_t id = 0; id < count; id++) {
        int32_t st;
        if (hpt_trial_state(study, id, &st) == HPT_OK && st == HPT_TRIAL_RUNNING) {
            c.rerun = cli_xrealloc(c.rerun, (c.n_rerun + 1) * sizeof *c.rerun);
            c.rerun[c.n_rerun++] = id;
        }
    }
    if (c.n_rerun && !job->quiet)
        fprintf(stderr, "hpt-tune: %zu trial(s) were cut off; running them again\n",
                c.n_rerun);

    for (;;) {
        on_signals(&c);
        fill_slots(&c);
        if (c.running == 0 && (c.stopping || c.fatal || (c.done_asking && !c.n_queue)))
            break;
        step(&c);
    }
    cli_progress_clear(&c.progress);
    int rc = closing(&c);
    free(c.pfd);
    free(c.pslot);
    free(c.rerun);
    for (size_t i = 0; i < c.n_retry; i++)
        free(c.retry[i].reasons);
    free(c.retry);
    free(c.retry_queue);
    free(c.slots);
    free(c.active);
    cli_metrics_free(&c.metrics);
    cli_measures_free_re(&c.measures);
    return rc;
}
