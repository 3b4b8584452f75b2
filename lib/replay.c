/* replay.c -- hpt_study_open: create a journaled study, or resume the one
 * a journal holds.
 *
 * Resuming applies the journal's records (options, warm start, ask,
 * report, tell, fail, prune) in order to a fresh study made with the
 * journal's space, strategy, direction and seed, through the public calls.
 * An ask record holds the strategy's state after it (strategy.h, snapshot):
 * the replayed ask restores that state instead of proposing, so reopening
 * reads the strategy's generator, counters and model hyperparameters
 * rather than recomputing them, and the next asks are those the process
 * would have made had it never stopped. An ask record without a state (an
 * earlier version's journal, a strategy without the hooks) is re-executed
 * against the state the records before it left. Either way the recorded
 * trial is the truth: where a re-executed ask proposes another
 * configuration (floating point differs across BLAS thread counts and
 * machines) or none, the recorded one replaces it, and a journal always
 * reopens on a machine that runs this version. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "lease.h"
#include "snap.h"
#include "study.h"
#include "tail.h"
#include "warmstart.h"

static const char *type_name(int32_t t)
{
    return t == HPT_PARAM_FLOAT ? "float" : t == HPT_PARAM_INT ? "int" : "categorical";
}

/* Is the journal's space the caller's? Names, types, scales, bounds and
 * choices must all agree. */
static int same_space(const hpt_space *j, const hpt_space *s, const char *path, char *msg)
{
    if (j->n != s->n)
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "journal '%s' holds a study of %zu parameters, this space has %zu",
                         path, j->n, s->n);
    for (size_t i = 0; i < j->n; i++) {
        const hpti_param *a = &j->p[i], *b = &s->p[i];
        const char *what = NULL;
        if (strcmp(a->name, b->name) != 0)
            what = "name";
        else if (a->type != b->type)
            what = "type";
        else if (a->scale != b->scale)
            what = "scale";
        else if (a->lo != b->lo || a->hi != b->hi)
            what = "range";
        else if (a->step != b->step)
            what = "step";
        else if (a->n_choices != b->n_choices)
            what = "number of choices";
        else
            for (size_t k = 0; k < a->n_choices; k++)
                if (strcmp(a->choices[k], b->choices[k]) != 0)
                    return hpti_fail(msg, HPT_E_MISMATCH,
                                     "journal '%s' was written for another space: parameter "
                                     "%zu '%s' differs in choice %zu (journal: \"%s\", here: "
                                     "\"%s\")",
                                     path, i, a->name, k, a->choices[k], b->choices[k]);
        if (what)
            return hpti_fail(msg, HPT_E_MISMATCH,
                             "journal '%s' was written for another space: parameter %zu "
                             "differs in %s (journal: '%s' %s [%g, %g], here: '%s' %s "
                             "[%g, %g])",
                             path, i, what, a->name, type_name(a->type), a->lo, a->hi,
                             b->name, type_name(b->type), b->lo, b->hi);
    }
    if (!hpti_space_same_conditions(j, s))
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "journal '%s' was written for another space: its conditions "
                         "differ",
                         path);
    return HPT_OK;
}

#define MAXF (HPT_MAX_PARAMS + 8)

typedef struct {
    hpt_study *s;
    const char *path;
    const hpti_jline *line;
    char **f;
    size_t nf;
    double seconds; /* active time of the last stamped record */
    unsigned char *sbuf; /* owned: the decoded state of an ask record */
    size_t scap;
} replay_ctx;

static int corrupt(replay_ctx *c, const char *what)
{
    return hpti_fail(c->s->errmsg, HPT_E_CORRUPT, "journal '%s' line %zu: %s", c->path,
                     c->line->lineno, what);
}

/* A replayed call failed although it succeeded when it was recorded. */
static int refused(replay_ctx *c, int rc)
{
    char m[HPTI_MSG];
    snprintf(m, sizeof m, "%s", c->s->errmsg);
    return hpti_fail(c->s->errmsg, rc == HPT_E_NOMEM ? rc : HPT_E_CORRUPT,
                     "journal '%s' line %zu: replaying \"%s\" failed: %s", c->path,
                     c->line->lineno, c->f[0], m);
}

/* id and active milliseconds, the first fields of trial records. */
static int trial_head(replay_ctx *c, size_t nf_min, size_t nf_max, int64_t *id)
{
    int64_t ms;
    if (c->nf < nf_min || c->nf > nf_max || hpti_jparse_i64(c->f[1], id) ||
        hpti_jparse_i64(c->f[2], &ms) || ms < 0)
        return corrupt(c, "malformed trial record");
    c->seconds = (double)ms / 1000.0;
    c->s->replay_ms = ms;
    return HPT_OK;
}

/* The recorded trial is the truth: a strategy that proposes differently
 * here than where the journal was written (another BLAS thread count,
 * CPU or core count changes a model's last bits) gets the recorded
 * configuration, budget and parent, which every later step then builds
 * on. Only values that the space cannot hold are damage. */
static int replay_ask(replay_ctx *c)
{
    hpt_study *s = c->s;
    int64_t id, want, parent;
    double budget, x[HPT_MAX_PARAMS];
    int rc = trial_head(c, 5 + s->dim, 6 + s->dim, &want);
    if (rc)
        return rc;
    /* The strategy's state after its proposal, when recorded (a journal
     * of an earlier version has none: the ask is re-executed). */
    hpti_replay_ask rec = {s->propose_u, 0.0, -1, NULL, 0};
    if (c->nf == 6 + s->dim) {
        const char *f = c->f[5 + s->dim];
        size_t len = strlen(f);
        if (f[0] != '@')
            return corrupt(c, "malformed \"ask\" record");
        if (hpti_grow((void **)&c->sbuf, &c->scap, len, 1))
            return hpti_fail(s->errmsg, HPT_E_NOMEM, "hpt_study_open: out of memory");
        if (hpti_b64_decode(f + 1, c->sbuf, &rec.state_len))
            return corrupt(c, "malformed strategy state in an \"ask\" record");
        rec.state = c->sbuf;
    }
    if (hpti_jparse_double(c->f[3], &budget) || hpti_jparse_i64(c->f[4], &parent) ||
        !(budget >= 0) || !isfinite(budget) || parent < -1 || parent >= want)
        return corrupt(c, "malformed \"ask\" record");
    for (size_t i = 0; i < s->dim; i++)
        if (hpti_jparse_double(c->f[5 + i], &x[i]))
            return corrupt(c, "malformed \"ask\" record");
        else if (!hpti_param_valid(&s->space->p[i], x[i]))
            return corrupt(c, "a parameter value outside the space");
    double ru[HPT_MAX_PARAMS];
    for (size_t i = 0; i < s->dim; i++)
        ru[i] = hpti_param_encode(&s->space->p[i], x[i]);
    rec.u = ru;
    rec.budget = budget;
    rec.parent = parent;
    s->replay_ask = &rec;
    rc = hpt_study_ask(s, &id);
    s->replay_ask = NULL;
    if (rc != HPT_OK)
        return rc < 0 ? refused(c, rc)
                      : hpti_fail(s->errmsg, HPT_E_MISMATCH,
                                  "journal '%s' line %zu: the replayed ask returned %s "
                                  "where the journal holds trial %lld",
                                  c->path, c->line->lineno, hpt_strerror(rc),
                                  (long long)want);
    if (id != want)
        return corrupt(c, "trial ids are out of order");
    hpti_trial *t = &s->trials[id];
    double *u = s->propose_u; /* scratch: the proposal is recorded already */
    for (size_t i = 0; i < s->dim; i++) {
        t->x[i] = x[i];
        u[i] = hpti_param_encode(&s->space->p[i], x[i]);
    }
    hpti_space_canonical(s->space, u, t->x);
    t->budget = budget;
    t->parent = parent;
    hpti_history_set_trial(&s->hist, id, u, budget, parent);
    if (s->horizon.on)
        hpti_history_set_trial(&s->horizon.view, id, u, budget, parent);
    return HPT_OK;
}

/* Replay one record. Prior lines are collected until their "warm" line. */
static int replay_one(replay_ctx *c, size_t *pending, size_t k)
{
    hpt_study *s = c->s;
    const char *t = c->f[0];
    int64_t id;
    double a, b;
    int rc;
    if (*pending && strcmp(t, "prior") != 0 && strcmp(t, "warm") != 0)
        return corrupt(c, "a warm start's records are interrupted");
    if (strcmp(t, "ask") == 0)
        return replay_ask(c);
    if (strcmp(t, "report") == 0) {
        if ((rc = trial_head(c, 5, 5, &id)))
            return rc;
        if (hpti_jparse_double(c->f[3], &a) || hpti_jparse_double(c->f[4], &b))
            return corrupt(c, "malformed \"report\" record");
        rc = hpt_study_report(s, id, a, b, NULL);
    } else if (strcmp(t, "tell") == 0) {
        double v[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
        size_t nv = s->hist.n_obj + s->hist.n_con;
        if ((rc = trial_head(c, 3 + nv, 3 + nv, &id)))
            return rc;
        for (size_t q = 0; q < nv; q++)
            if (hpti_jparse_double(c->f[3 + q], &v[q]))
                return corrupt(c, "malformed \"tell\" record");
        rc = hpt_study_tell_constrained(s, id, v, s->hist.n_obj, v + s->hist.n_obj, s->hist.n_con);
    } else if (strcmp(t, "objectives") == 0 || strcmp(t, "constraints") == 0) {
        hpti_jshape sh;
        char why[HPTI_MSG];
        if (hpti_jparse_shape(c->f, c->nf, &sh, why))
            return corrupt(c, why);
        rc = sh.objectives ? hpt_study_set_objectives(s, sh.dir, sh.n)
                           : hpt_study_set_constraints(s, sh.n);
    } else if (strcmp(t, "fail") == 0) {
        if ((rc = trial_head(c, 3, 4, &id)))
            return rc;
        if (c->nf == 4 && hpti_junescape(c->f[3]))
            return corrupt(c, "bad escape in a failure reason");
        rc = hpt_study_tell_failed(s, id, c->nf == 4 ? c->f[3] : NULL);
    } else if (strcmp(t, "prune") == 0) {
        if ((rc = trial_head(c, 3, 3, &id)))
            return rc;
        rc = hpt_study_prune(s, id);
    } else if (strcmp(t, "enqueue") == 0) {
        double v[HPT_MAX_PARAMS];
        if (c->nf != 1 + s->dim)
            return corrupt(c, "malformed \"enqueue\" record");
        for (size_t i = 0; i < s->dim; i++)
            if (strcmp(c->f[1 + i], "nan") == 0)
                v[i] = NAN;
            else if (hpti_jparse_double(c->f[1 + i], &v[i]))
                return corrupt(c, "malformed \"enqueue\" record");
        rc = hpt_study_enqueue(s, v, s->dim);
    } else if (strcmp(t, "attr") == 0) {
        if (c->nf != 4 || hpti_jparse_i64(c->f[1], &id) || hpti_junescape(c->f[2]) ||
            hpti_junescape(c->f[3]))
            return corrupt(c, "malformed \"attr\" record");
        rc = hpt_trial_set_attr(s, id, c->f[2], c->f[3]);
    } else if (strcmp(t, "study_attr") == 0) {
        if (c->nf != 3 || hpti_junescape(c->f[1]) || hpti_junescape(c->f[2]))
            return corrupt(c, "malformed \"study_attr\" record");
        rc = hpt_study_set_attr(s, c->f[1], c->f[2]);
    } else if (strcmp(t, "clock") == 0) {
        int64_t ms, unix_ms;
        if (c->nf != 3 || hpti_jparse_i64(c->f[1], &ms) || ms < 0 ||
            hpti_jparse_i64(c->f[2], &unix_ms))
            return corrupt(c, "malformed \"clock\" record");
        s->wall = (hpti_wallclock){1, ms, unix_ms};
        return HPT_OK;
    } else if (strcmp(t, "option") == 0) {
        if (c->nf != 3 || hpti_junescape(c->f[1]) || hpti_jparse_double(c->f[2], &a))
            return corrupt(c, "malformed \"option\" record");
        rc = hpt_study_set(s, c->f[1], a);
    } else if (strcmp(t, "option_str") == 0) {
        if (c->nf != 3 || hpti_junescape(c->f[1]) || hpti_junescape(c->f[2]))
            return corrupt(c, "malformed \"option_str\" record");
        rc = hpt_study_set_str(s, c->f[1], c->f[2]);
    } else if (strcmp(t, "prior") == 0) {
        if (c->nf != 3 + s->hist.n_values + s->dim)
            return corrupt(c, "malformed \"prior\" record");
        if (!*pending)
            *pending = k + 1; /* 1-based index of the first pending line */
        return HPT_OK;
    } else if (strcmp(t, "warm") == 0)
        return HPT_OK; /* applied by the caller, which sees all its priors */
    else if (hpti_lease_record(t)) {
        char m[HPTI_MSG];
        rc = hpti_lease_replay(hpti_journal_of(&s->sink), c->f, c->nf, (int64_t)s->n_trials, m);
        return rc == HPT_E_CORRUPT ? corrupt(c, m) : rc ? refused(c, rc) : HPT_OK;
    } else
        return corrupt(c, "unknown record type");
    return rc ? refused(c, rc) : HPT_OK;
}

/* A "warm" line closes the block of "prior" lines r->line[first..k). */
static int replay_warm(replay_ctx *c, hpti_jread *r, size_t first, size_t k)
{
    hpt_study *s = c->s;
    int64_t parent, used, skipped;
    int32_t kind;
    double row[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
    size_t nv = s->hist.n_values;
    if (c->nf != 6 || hpti_jparse_i64(c->f[2], &parent) || hpti_jparse_i64(c->f[3], &used) ||
        hpti_jparse_i64(c->f[4], &skipped) || hpti_junescape(c->f[5]) ||
        (strcmp(c->f[1], "identical") != 0 && strcmp(c->f[1], "transfer") != 0) ||
        used != (int64_t)(k - first))
        return corrupt(c, "malformed \"warm\" record");
    kind = strcmp(c->f[1], "transfer") == 0 ? HPT_WARM_TRANSFER : HPT_WARM_IDENTICAL;
    char *summary = hpti_strdup(c->f[5]);
    if (!summary)
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "hpt_study_open: out of memory");
    double *u = hpti_malloc(s->dim * sizeof *u);
    int rc = u ? HPT_OK : HPT_E_NOMEM;
    const hpti_jline *save = c->line;
    for (size_t i = first; !rc && i < k; i++) {
        c->line = &r->line[i];
        char **f = c->f;
        hpti_jsplit(r->line[i].p, f, MAXF);
        int32_t pk = strcmp(f[1], "transfer") == 0 ? HPT_WARM_TRANSFER : HPT_WARM_IDENTICAL;
        int64_t pp;
        int bad = pk != kind || hpti_jparse_i64(f[2], &pp) || pp != parent;
        /* the value row: nan where the parent had no such value (not the
         * first objective of an identical warm start) */
        for (size_t q = 0; q < nv && !bad; q++)
            if (strcmp(f[3 + q], "nan") == 0)
                row[q] = NAN, bad = q == 0 && kind == HPT_WARM_IDENTICAL;
            else
                bad = hpti_jparse_double(f[3 + q], &row[q]);
        if (bad) {
            rc = corrupt(c, "malformed \"prior\" record");
            break;
        }
        for (size_t d = 0; d < s->dim && !rc; d++)
            if (hpti_jparse_double(f[3 + nv + d], &u[d]) || !isfinite(u[d]))
                rc = corrupt(c, "malformed \"prior\" record");
        if (!rc && hpti_warm_add(s, kind, (int32_t)parent, row, u))
            rc = hpti_fail(s->errmsg, HPT_E_NOMEM, "hpt_study_open: out of memory");
    }
    c->line = save;
    if (!rc && hpti_warm_note(s, kind, used, skipped, summary))
        rc = hpti_fail(s->errmsg, HPT_E_NOMEM, "hpt_study_open: out of memory");
    hpti_free(u);
    hpti_free(summary);
    return rc;
}

static int replay(hpt_study *s, hpti_jread *r, size_t next, const char *path,
                  off_t *keep, char *note)
{
    char **f = hpti_malloc(MAXF * sizeof *f);
    if (!f)
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "hpt_study_open: out of memory");
    replay_ctx c = {s, path, NULL, f, 0, 0.0, NULL, 0};
    size_t pending = 0;
    int rc = HPT_OK;
    *keep = next ? r->line[next - 1].end : 0;
    for (size_t k = next; k < r->n_line && !rc; k++) {
        c.line = &r->line[k];
        /* Prior lines stay whole (only counted here): replay_warm splits
         * them when their "warm" line arrives. */
        if (strncmp(r->line[k].p, "prior ", 6) == 0) {
            c.nf = 0;
            for (const char *p = r->line[k].p; p; p = strchr(p + 1, ' '))
                c.nf++;
            c.f[0] = "prior";
            rc = replay_one(&c, &pending, k);
        } else {
            c.nf = hpti_jsplit(r->line[k].p, f, MAXF);
            if (c.nf > MAXF)
                rc = corrupt(&c, "too many fields");
            else if (strcmp(f[0], "warm") == 0) {
                if (!pending) /* a warm start that imported nothing */
                    pending = k + 1;
                rc = replay_warm(&c, r, pending - 1, k);
                pending = 0;
            } else
                rc = replay_one(&c, &pending, k);
        }
        if (!rc && !pending)
            *keep = r->line[k].end;
    }
    hpti_free(f);
    hpti_free(c.sbuf);
    if (!rc && pending)
        snprintf(note, HPTI_MSG,
                 "an interrupted warm start (lines %zu..%zu) was dropped; ",
                 r->line[pending - 1].lineno, r->line[r->n_line - 1].lineno);
    s->done.base = c.seconds;
    return rc;
}

int hpti_replay_lines(hpt_study *s, hpti_jread *r, const char *path, off_t *keep,
                      char *note)
{
    return replay(s, r, 0, path, keep, note);
}

/* The append lock that hpti_journal_open_file took for a writer. */
static void let_go(int fd, int ofd, int writer)
{
    if (writer)
        hpti_journal_release(fd, ofd);
}

static int fresh(int fd, int ofd, const char *path, const hpt_space *space,
                 const char *strategy, int32_t direction, uint64_t seed, hpt_study **out)
{
    const char *fn = "hpt_study_open";
    hpt_study *s = NULL;
    int rc = hpt_study_create(space, strategy, direction, seed, &s);
    if (rc) {
        let_go(fd, ofd, 1);
        close(fd);
        return rc; /* message set by hpt_study_create */
    }
    struct hpti_journal *j = hpti_calloc(1, sizeof *j);
    if (!j) {
        let_go(fd, ofd, 1);
        close(fd);
        hpt_study_destroy(s);
        return hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    }
    j->fd = fd;
    j->ofd = ofd;
    hpti_option_defaults(hpti_journal_options, hpti_journal_n_options, j);
    j->pid = getpid();
    s->sink = hpti_journal_sink(j);
    if (!(j->path = hpti_strdup(path)))
        rc = hpti_fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    else if (ftruncate(fd, 0) != 0)
        rc = hpti_fail(NULL, HPT_E_IO, "%s: cannot truncate '%s' (%s)", fn, path,
                       strerror(errno));
    else if ((rc = hpti_journal_write_create(j, s->space, s->type->name, s->directions[0],
                                              s->seed, s->errmsg)) != HPT_OK)
        hpti_fail(NULL, rc, "%s: %s", fn, s->errmsg);
    let_go(fd, ofd, 1);
    if (rc) {
        hpt_study_destroy(s);
        return rc;
    }
    hpti_sync_dir(path);
    snprintf(j->note, sizeof j->note, "created");
    *out = s;
    return HPT_OK;
}

/* Step 2: the journal's study is the caller's (same space, strategy,
 * direction and seed), or HPT_E_MISMATCH saying which differs. */
static int same_study(const hpt_space *jspace, const char *jstrategy, int32_t jdir,
                      uint64_t jseed, const hpt_space *space, const char *strategy,
                      int32_t direction, uint64_t seed, const char *path, char *msg)
{
    int rc;
    if ((rc = same_space(jspace, space, path, msg)))
        return rc;
    if (strcmp(jstrategy, strategy) != 0)
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "journal '%s' belongs to a study with strategy '%.64s', not "
                         "'%.64s'",
                         path, jstrategy, strategy);
    if (jdir != direction || jseed != seed)
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "journal '%s' belongs to a study with direction %s and seed %llu, "
                         "not %s and %llu",
                         path, jdir == HPT_MAXIMIZE ? "maximize" : "minimize",
                         (unsigned long long)jseed,
                         direction == HPT_MAXIMIZE ? "maximize" : "minimize",
                         (unsigned long long)seed);
    return HPT_OK;
}

/* Step 3: the study's sink is the journal on fd (the study owns fd from
 * here on, also on failure). */
static int attach(hpt_study *s, int fd, int ofd, const char *path, struct hpti_journal **out,
                  char *msg)
{
    struct hpti_journal *j = hpti_calloc(1, sizeof *j);
    if (!j || !(j->path = hpti_strdup(path))) {
        hpti_free(j);
        close(fd);
        return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    }
    j->fd = fd;
    j->ofd = ofd;
    hpti_option_defaults(hpti_journal_options, hpti_journal_n_options, j);
    j->pid = getpid();
    s->sink = hpti_journal_sink(j);
    *out = j;
    return HPT_OK;
}

/* Step 5: after the replay -- cut a torn end (writers only), count the
 * records kept, convert a format-1 journal (writers only), and write the
 * journal's note. note holds what the replay found. */
static int after_replay(hpt_study *s, struct hpti_journal *j, const hpti_jread *r, off_t keep,
                        int readonly, char *note, size_t cap, char *msg)
{
    const char *path = j->path;
    if (r->torn)
        snprintf(note + strlen(note), cap - strlen(note), "%s; ", r->torn_why);
    j->dropped = (int64_t)((off_t)r->size - keep);
    /* Not synced here: should the cut be lost in a crash, the next open
     * cuts again, and the next durable append syncs it with its data. */
    if (keep != (off_t)r->size && !readonly && ftruncate(j->fd, keep) != 0)
        return hpti_fail(msg, HPT_E_IO, "cannot cut the torn end off '%s' (%s)", path,
                         strerror(errno));
    j->size = keep;
    for (size_t k = 0; k < r->n_line && r->line[k].end <= keep; k++)
        j->records++;
    if (r->version == HPTI_JOURNAL_V1 && !readonly) {
        char backup[4200];
        int rc = hpti_journal_upgrade(j, backup, sizeof backup, msg);
        if (rc != HPT_OK)
            return rc;
        snprintf(note + strlen(note), cap - strlen(note),
                 "converted from format 1 (the original is kept as '%.200s'); ", backup);
    }
    size_t nn = strlen(note);
    if (nn >= 2)
        note[nn - 2] = '\0'; /* the last "; " */
    snprintf(j->note, sizeof j->note,
             "resumed: %lld records replayed, %zu trials (%lld running)%s%.400s",
             (long long)j->records, s->n_trials, (long long)s->n_running,
             note[0] ? "; " : "", note);
    return HPT_OK;
}

/* hpt_study_open, or with readonly = 1 hpt_study_load: (1) read the
 * journal, (2) check it holds the caller's study, (3) make the study and
 * attach the journal, (4) replay the records, (5) finish. */
static int open_study(const char *fn, const char *path, const hpt_space *space,
                      const char *strategy, int32_t direction, uint64_t seed, int readonly,
                      hpt_study **out)
{
    hpti_clear_error();
    if (!out)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    if (!path || !path[0] || (!space) != (!strategy))
        return hpti_fail(NULL, HPT_E_INVALID,
                         "%s: path is NULL/empty, or only one of space and strategy is "
                         "NULL",
                         fn);
    /* A writer holds the append lock from here to the end (jfile.c), so
     * that no other writer appends while the records are read, the
     * study made, a torn end cut or a format-1 journal converted. */
    int fd = -1, ofd = 0, writer = !readonly;
    int rc = hpti_journal_open_file(fn, path, readonly, space != NULL, &fd, &ofd);
    if (rc)
        return rc;
    hpti_jread r;
    char msg[HPTI_MSG];
    rc = hpti_journal_read(fd, path, &r, msg);
    if (rc) {
        let_go(fd, ofd, writer);
        close(fd);
        return hpti_fail(NULL, rc, "%s: %s", fn, msg);
    }
    hpt_space *jspace = NULL;
    const char *jstrategy = NULL;
    int32_t jdir = 0;
    uint64_t jseed = 0;
    size_t next = 0;
    rc = hpti_journal_parse_create(&r, path, &jspace, &jstrategy, &jdir, &jseed, &next, msg);
    if (rc == 1) { /* no study yet: empty, or its creation never finished */
        hpti_jread_free(&r);
        if (!space || readonly) {
            let_go(fd, ofd, writer);
            close(fd);
            return hpti_fail(NULL, HPT_E_CORRUPT, "%s: journal '%s' holds no study", fn,
                             path);
        }
        return fresh(fd, ofd, path, space, strategy, direction, seed, out);
    }
    hpt_study *s = NULL;
    struct hpti_journal *j = NULL;
    if (rc || (space && (rc = same_study(jspace, jstrategy, jdir, jseed, space, strategy,
                                         direction, seed, path, msg))))
        goto fail_msg;
    rc = hpt_study_create(jspace, jstrategy, jdir, jseed, &s);
    if (rc) {
        rc = hpti_fail(msg, rc == HPT_E_NAME ? HPT_E_MISMATCH : rc,
                       "journal '%s': cannot make its study: %s", path, hpt_last_errmsg());
        goto fail_msg;
    }
    rc = attach(s, fd, ofd, path, &j, msg);
    fd = -1; /* the study owns it now */
    if (rc)
        goto fail_msg;
    s->replaying = 1;
    off_t keep = 0;
    char note[HPTI_MSG] = "";
    rc = replay(s, &r, next, path, &keep, note);
    if (rc) {
        snprintf(msg, sizeof msg, "%s", s->errmsg);
        goto fail_msg;
    }
    s->replaying = 0;
    s->file_wall = s->wall;
    s->wall.set = 0; /* this session reads the wall clock anew */
    if ((rc = after_replay(s, j, &r, keep, readonly, note, sizeof note, msg)) != HPT_OK)
        goto fail_msg;
    let_go(j->fd, ofd, writer);
    writer = 0;
    if (s->started)
        hpti_clock_start(&s->done, s->done.base);
    if (readonly) { /* a snapshot: detach the journal */
        hpti_journal_close(j);
        s->sink.ops = NULL;
        s->sink.ctx = NULL;
    }
    hpt_space_destroy(jspace);
    hpti_jread_free(&r);
    *out = s;
    return HPT_OK;
fail_msg:
    let_go(j ? j->fd : fd, ofd, writer);
    if (!j && fd >= 0)
        close(fd);
    hpt_study_destroy(s);
    hpt_space_destroy(jspace);
    hpti_jread_free(&r);
    return hpti_fail(NULL, rc, "%s: %s", fn, msg);
}

int hpt_study_open(const char *path, const hpt_space *space, const char *strategy,
                   int32_t direction, uint64_t seed, hpt_study **out)
{
    return open_study("hpt_study_open", path, space, strategy, direction, seed, 0, out);
}

int hpt_study_load(const char *path, hpt_study **out)
{
    return open_study("hpt_study_load", path, NULL, NULL, 0, 0, 1, out);
}

int hpt_study_journal_info(const hpt_study *s, int64_t *records, int64_t *dropped_bytes,
                           const char **note)
{
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_journal_info: study is NULL");
    pthread_mutex_lock(&((hpt_study *)s)->lock);
    const struct hpti_journal *j = hpti_journal_of(&s->sink);
    if (records)
        *records = j ? j->records : 0;
    if (dropped_bytes)
        *dropped_bytes = j ? j->dropped : 0;
    if (note)
        *note = j ? j->note : "";
    int rc = j ? HPT_OK
               : hpti_fail(((hpt_study *)s)->errmsg, HPT_E_STATE,
                           "hpt_study_journal_info: the study has no journal");
    pthread_mutex_unlock(&((hpt_study *)s)->lock);
    return rc;
}

unsigned long hpti_study_model_fits(hpt_study *s)
{
    pthread_mutex_lock(&s->lock);
    unsigned long n = s->type->model_fits ? s->type->model_fits(s->sstate) : 0;
    pthread_mutex_unlock(&s->lock);
    return n;
}
