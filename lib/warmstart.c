/* warmstart.c -- warm start from parent journals (hpt_study_warm_start).
 *
 * Parent trials are read from the parent's journal alone (no replay: only
 * the asked configurations and the told values are needed) and mapped onto
 * this study's space by parameter name:
 *  - a changed range is fine: the parent value is encoded with this study's
 *    codec WITHOUT clamping, so a point outside the new range keeps a
 *    coordinate outside [0, 1] and still informs a model about the trend
 *    beyond the edge;
 *  - a parameter made fixed (lo == hi here) gets coordinate 0.5 for every
 *    parent point, as its own trials have (a fixed float has no scale to
 *    extrapolate on; integers are treated alike for consistency);
 *  - a parameter new in this space takes the value given with
 *    hpt_study_warm_default in every parent trial (without one the call
 *    fails with HPT_E_NAME);
 *  - a parameter of the parent missing here is ignored (reported);
 *  - a type change is refused (HPT_E_TYPE);
 *  - a parent trial is skipped (reported) when a categorical value is not
 *    among this study's choices or a value lies outside the domain of this
 *    study's scale (x <= 0 on a log scale, x >= 1 on reverse-log).
 * Only complete trials at the parent's largest budget among complete trials
 * are used (all of them for single-fidelity studies, whose budget is 0):
 * results at a partial budget are not the objective. The parent's own
 * warm-start data is not inherited. The imported points are written to
 * this study's journal, so a resume needs no parent file.
 *
 * Several objectives and constraints (the shape is set before any warm
 * start). Objectives and constraints are matched by position: the
 * parent's objective k is this study's objective k, its constraint j this
 * study's constraint j; a value becomes a loss under this study's
 * direction of that objective. HPT_WARM_IDENTICAL (the same objectives)
 * needs the parent's shape to be this study's (HPT_E_MISMATCH otherwise).
 * HPT_WARM_TRANSFER (related objectives) takes whatever the parent has:
 * the first min(n_parent, n) objectives and min(m_parent, m) constraints,
 * NaN in the columns the parent lacks; a model fits each column's prior on
 * the rows where it is finite. Infeasible parent trials are used too
 * (they are what constraint models learn from); failed and pruned ones are
 * not. */
#include <fcntl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "journal.h"
#include "warmstart.h"

#define MAX_PARENTS 5

struct hpti_warm {
    int n_parents;
    double *def;          /* owned, dim: values for parameters new here */
    unsigned char *has_def;
    int64_t used, skipped;
    char *summary;        /* owned, "" or "; "-joined per parent */
};

static void warm_free(struct hpti_warm *w)
{
    if (!w)
        return;
    hpti_free(w->def);
    hpti_free(w->has_def);
    hpti_free(w->summary);
    hpti_free(w);
}

static struct hpti_warm *warm_of(hpt_study *s)
{
    if (s->warm)
        return s->warm;
    struct hpti_warm *w = hpti_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->def = hpti_calloc(s->dim, sizeof *w->def);
    w->has_def = hpti_calloc(s->dim, 1);
    w->summary = hpti_strdup("");
    if (!w->def || !w->has_def || !w->summary) {
        warm_free(w);
        return NULL;
    }
    s->warm = w;
    s->warm_free = warm_free; /* the study releases it without knowing it */
    return w;
}

int hpti_warm_add(hpt_study *s, int32_t kind, int32_t parent, const double *row,
                  const double *u)
{
    if (kind == HPT_WARM_IDENTICAL)
        return hpti_history_add_prior_row(&s->hist, u, row);
    return hpti_history_add_transfer_row(&s->hist, u, row, parent);
}

int hpti_warm_note(hpt_study *s, int32_t kind, int64_t used, int64_t skipped,
                   const char *summary)
{
    HPTI_UNUSED(kind);
    struct hpti_warm *w = warm_of(s);
    if (!w)
        return HPT_E_NOMEM;
    size_t a = strlen(w->summary), b = strlen(summary);
    char *m = hpti_realloc(w->summary, a + b + 3);
    if (!m)
        return HPT_E_NOMEM;
    if (a)
        memcpy(m + a, "; ", 2), a += 2;
    memcpy(m + a, summary, b + 1);
    w->summary = m;
    w->n_parents++;
    w->used += used;
    w->skipped += skipped;
    return HPT_OK;
}

/* ---- the codec without clamping ------------------------------------------ */

/* ---- public API --------------------------------------------------------------- */

static const char *ptype(int32_t t)
{
    return t == HPT_PARAM_FLOAT ? "a float" : t == HPT_PARAM_INT ? "an integer" : "categorical";
}

int hpt_study_warm_default(hpt_study *s, const char *name, double value)
{
    const char *fn = "hpt_study_warm_default";
    hpti_clear_error();
    if (!s || !name)
        return hpti_study_fail(s, HPT_E_INVALID, "%s: NULL argument", fn);
    pthread_mutex_lock(&s->lock);
    int rc = HPT_OK;
    size_t i;
    for (i = 0; i < s->dim && strcmp(s->space->p[i].name, name) != 0; i++)
        ;
    if (s->started)
        rc = hpti_fail(s->errmsg, HPT_E_STAGE, "%s: warm start is only before the first ask",
                       fn);
    else if (i == s->dim)
        rc = hpti_fail(s->errmsg, HPT_E_NAME, "%s: no parameter '%.64s'", fn, name);
    else if (!hpti_param_valid(&s->space->p[i], value))
        rc = hpti_fail(s->errmsg, HPT_E_INVALID, "%s: %g is not a valid value of '%s'", fn,
                       value, name);
    else if (!warm_of(s))
        rc = hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    else {
        s->warm->def[i] = value;
        s->warm->has_def[i] = 1;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

typedef struct {
    double *x;       /* parent dim values, into one array */
    double budget;
    int32_t state;
    double value[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS]; /* objectives, constraints */
} ptrial;

/* The parent's shape: its "objectives" and "constraints" records (the
 * creation's direction until then). */
typedef struct {
    size_t n, m;
    int32_t dir[HPT_MAX_OBJECTIVES];
} pshape;

/* A parent "objectives" or "constraints" record into *p (journal.h's
 * parser, as replay's). @return 0, or -1 with why when malformed. */
static int parent_shape(char **f, size_t nf, pshape *p, char *why)
{
    hpti_jshape sh;
    if (hpti_jparse_shape(f, nf, &sh, why))
        return -1;
    if (!sh.objectives)
        p->m = sh.n;
    else {
        p->n = sh.n;
        memcpy(p->dir, sh.dir, sh.n * sizeof *sh.dir);
    }
    return 0;
}

/* Read the parent's trials: "ask" gives the configuration (its
 * strategy's state, a last field when recorded, is not needed here),
 * "tell" the values, "fail"/"prune" the end, "objectives"/"constraints"
 * the shape of the tells; everything else is skipped. */
static int parent_trials(hpti_jread *r, size_t next, size_t pdim, const char *path,
                         pshape *shape, ptrial **out, double **xs, size_t *n_out, char *msg)
{
    char **f = hpti_malloc((HPT_MAX_PARAMS + 8) * sizeof *f);
    ptrial *t = NULL;
    double *x = NULL;
    size_t n = 0, cap = 0, capx = 0;
    int rc = f ? HPT_OK : HPT_E_NOMEM;
    for (size_t k = next; k < r->n_line && !rc; k++) {
        size_t nf = hpti_jsplit(r->line[k].p, f, HPT_MAX_PARAMS + 6);
        int64_t id;
        int is_ask = strcmp(f[0], "ask") == 0;
        if (strcmp(f[0], "objectives") == 0 || strcmp(f[0], "constraints") == 0) {
            char why[HPTI_MSG];
            if (parent_shape(f, nf, shape, why))
                rc = hpti_fail(msg, HPT_E_CORRUPT, "parent journal '%s' line %zu: %s", path,
                               r->line[k].lineno, why);
            continue;
        }
        if (!is_ask && strcmp(f[0], "tell") && strcmp(f[0], "fail") && strcmp(f[0], "prune"))
            continue;
        if (nf < 3 || hpti_jparse_i64(f[1], &id) || id < 0 ||
            (is_ask ? (id != (int64_t)n || (nf != 5 + pdim && nf != 6 + pdim))
                    : id >= (int64_t)n)) {
            rc = hpti_fail(msg, HPT_E_CORRUPT, "parent journal '%s' line %zu: bad \"%s\" record",
                           path, r->line[k].lineno, f[0]);
            break;
        }
        if (is_ask) {
            if (hpti_grow((void **)&t, &cap, n + 1, sizeof *t) ||
                hpti_grow((void **)&x, &capx, (n + 1) * pdim, sizeof *x)) {
                rc = HPT_E_NOMEM;
                break;
            }
            t[n].state = HPT_TRIAL_RUNNING;
            int bad = hpti_jparse_double(f[3], &t[n].budget);
            for (size_t i = 0; i < pdim; i++)
                bad |= hpti_jparse_double(f[5 + i], &x[n * pdim + i]);
            if (bad)
                rc = hpti_fail(msg, HPT_E_CORRUPT,
                               "parent journal '%s' line %zu: bad \"ask\" record", path,
                               r->line[k].lineno);
            n++;
        } else if (f[0][0] == 't') {
            size_t nv = shape->n + shape->m;
            int bad = nf != 3 + nv;
            for (size_t q = 0; q < nv && !bad; q++)
                bad = hpti_jparse_double(f[3 + q], &t[id].value[q]);
            if (bad)
                rc = hpti_fail(msg, HPT_E_CORRUPT,
                               "parent journal '%s' line %zu: bad \"tell\" record", path,
                               r->line[k].lineno);
            t[id].state = HPT_TRIAL_COMPLETE;
        } else
            t[id].state = HPT_TRIAL_FAILED; /* pruned ones are not used either */
    }
    hpti_free(f);
    if (rc == HPT_E_NOMEM)
        hpti_fail(msg, rc, "out of memory");
    if (rc) {
        hpti_free(t);
        hpti_free(x);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        t[i].x = x + i * pdim;
    *out = t;
    *xs = x;
    *n_out = n;
    return HPT_OK;
}

#define SUMMARY 1024

/* Append a, b, c to the summary (truncating at SUMMARY bytes). */
static void add_text(char *buf, const char *a, const char *b, const char *c)
{
    size_t n = strlen(buf);
    if (n < SUMMARY - 1)
        snprintf(buf + n, SUMMARY - n, "%s%s%s", a, b, c);
}

/* One warm start in progress: the parent's study and trials, how this
 * study's parameters map onto the parent's, and the counts for the
 * summary. */
typedef struct {
    hpt_study *s;
    const char *path;
    int32_t kind;
    int32_t parent;     /* this parent's index: 0, 1, ... in call order */
    hpti_jread r;
    hpt_space *ps;      /* the parent's space (owned) */
    size_t next;        /* first journal line after the parent's creation */
    size_t *map;        /* per parameter here: its index in ps, ps->n = new */
    double *u;          /* dim: one mapped point */
    ptrial *t;          /* the parent's trials, n */
    double *xs;
    size_t n;
    pshape shape;       /* the parent's objectives and constraints */
    int64_t used, n_choice, n_domain, n_budget;
    size_t old_prior, old_transfer; /* history counts before: rows past them are new */
    char extra[SUMMARY]; /* notes on parameters, appended to the summary */
} warm_job;

/* Step 0: may this study take a warm start of this kind now? */
static int warm_allowed(hpt_study *s, int32_t kind, const char *fn)
{
    if (kind != HPT_WARM_IDENTICAL && kind != HPT_WARM_TRANSFER)
        return hpti_fail(s->errmsg, HPT_E_INVALID, "%s: kind must be HPT_WARM_IDENTICAL or "
                         "HPT_WARM_TRANSFER, not %d", fn, (int)kind);
    if (s->started)
        return hpti_fail(s->errmsg, HPT_E_STAGE, "%s: warm start is only before the first ask",
                         fn);
    if (s->warm && s->warm->n_parents >= MAX_PARENTS)
        return hpti_fail(s->errmsg, HPT_E_INVALID, "%s: at most %d parent journals", fn,
                         MAX_PARENTS);
    int rc;
    if (s->sink.ops && (rc = s->sink.ops->ready(s->sink.ctx, fn, s->errmsg)) != HPT_OK)
        return rc;
    return HPT_OK;
}

/* Step 1: open and read the parent journal into w->r. Failures go to the
 * study's message directly (nothing to release yet). */
static int warm_read(warm_job *w, const char *fn)
{
    hpt_study *s = w->s;
    char msg[HPTI_MSG];
    const char *why = NULL;
    int fd = hpti_open_regular(w->path, O_RDONLY, 0, &why);
    if (fd < 0)
        return hpti_fail(s->errmsg, HPT_E_IO, "%s: cannot open parent journal '%s' (%s)", fn,
                         w->path, why);
    int rc = hpti_journal_read(fd, w->path, &w->r, msg);
    close(fd);
    return rc ? hpti_fail(s->errmsg, rc, "%s: %s", fn, msg) : HPT_OK;
}

/* Step 2: the parent's study, and this study's parameters mapped onto its
 * own by name (types may not change; a parameter new here needs its
 * default). */
static int warm_map(warm_job *w, char *summary, char *msg)
{
    hpt_study *s = w->s;
    const char *pstrat;
    int32_t pdir;
    uint64_t pseed;
    int rc = hpti_journal_parse_create(&w->r, w->path, &w->ps, &pstrat, &pdir, &pseed,
                                       &w->next, msg);
    if (rc == 1)
        rc = hpti_fail(msg, HPT_E_CORRUPT, "parent journal '%s' holds no study", w->path);
    if (rc)
        return rc;
    w->shape.n = 1;
    w->shape.m = 0;
    w->shape.dir[0] = pdir;
    const hpt_space *ps = w->ps;
    w->map = hpti_malloc(s->dim * sizeof *w->map);
    w->u = hpti_malloc(s->dim * sizeof *w->u);
    if (!w->map || !w->u)
        return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    snprintf(summary, SUMMARY, "parent '%.200s' (%s): ", w->path,
             w->kind == HPT_WARM_IDENTICAL ? "identical" : "transfer");
    for (size_t i = 0; i < s->dim; i++) {
        const hpti_param *p = &s->space->p[i];
        size_t j;
        for (j = 0; j < ps->n && strcmp(ps->p[j].name, p->name) != 0; j++)
            ;
        w->map[i] = j;
        if (j < ps->n && ps->p[j].type != p->type)
            return hpti_fail(msg, HPT_E_TYPE,
                             "parameter '%s' is %s in parent '%s' and %s here: types may not "
                             "change",
                             p->name, ptype(ps->p[j].type), w->path, ptype(p->type));
        if (j == ps->n) {
            if (!s->warm || !s->warm->has_def[i])
                return hpti_fail(msg, HPT_E_NAME,
                                 "parameter '%s' is not in parent '%s': give the value its "
                                 "trials had with hpt_study_warm_default",
                                 p->name, w->path);
            add_text(w->extra, "; '", p->name, "' set to its default");
        }
    }
    for (size_t j = 0; j < ps->n; j++) {
        size_t i;
        for (i = 0; i < s->dim && strcmp(s->space->p[i].name, ps->p[j].name) != 0; i++)
            ;
        if (i == s->dim)
            add_text(w->extra, "; parent parameter '", ps->p[j].name, "' is not here (ignored)");
    }
    return HPT_OK;
}

/* Step 3a: parent trial k in this study's unit cube, into w->u. @return 0,
 * or 1 when it is skipped (a choice not here, a value outside the domain
 * of a scale here; counted). */
static int warm_point(warm_job *w, const ptrial *t)
{
    hpt_study *s = w->s;
    const hpt_space *ps = w->ps;
    for (size_t i = 0; i < s->dim; i++) {
        const hpti_param *p = &s->space->p[i];
        size_t m = w->map[i];
        double x;
        if (m == ps->n)
            x = s->warm->def[i];
        else if (p->type == HPT_PARAM_CATEGORICAL) {
            const char *c = ps->p[m].choices[(size_t)t->x[m]];
            size_t q;
            for (q = 0; q < p->n_choices && strcmp(p->choices[q], c) != 0; q++)
                ;
            if (q == p->n_choices) {
                w->n_choice++;
                return 1;
            }
            x = (double)q;
        } else
            x = t->x[m];
        if (hpti_param_encode_free(p, x, &w->u[i])) {
            w->n_domain++;
            return 1;
        }
    }
    return 0;
}

/* Step 3: the parent's complete trials (read into w->t) at its largest
 * budget become this study's warm-start data (history rows). */
static int warm_collect(warm_job *w, char *msg)
{
    hpt_study *s = w->s;
    double top = -INFINITY;
    for (size_t k = 0; k < w->n; k++)
        if (w->t[k].state == HPT_TRIAL_COMPLETE && w->t[k].budget > top)
            top = w->t[k].budget;
    int32_t parent = w->parent;
    size_t n = s->hist.n_obj, m = s->hist.n_con;
    if (w->kind == HPT_WARM_IDENTICAL && (w->shape.n != n || w->shape.m != m))
        return hpti_fail(msg, HPT_E_MISMATCH,
                         "parent journal '%s' has %zu objective%s and %zu constraint%s, this "
                         "study %zu and %zu: an identical warm start needs the same (a "
                         "transfer takes what matches by position)",
                         w->path, w->shape.n, w->shape.n == 1 ? "" : "s", w->shape.m,
                         w->shape.m == 1 ? "" : "s", n, m);
    for (size_t k = 0; k < w->n; k++) {
        if (w->t[k].state != HPT_TRIAL_COMPLETE)
            continue;
        if (w->t[k].budget != top) {
            w->n_budget++;
            continue;
        }
        if (warm_point(w, &w->t[k]))
            continue;
        double row[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
        const double *v = w->t[k].value;
        for (size_t q = 0; q < n; q++)
            row[q] = q < w->shape.n ? hpti_study_sign_k(s, q) * v[q] : NAN;
        for (size_t j = 0; j < m; j++)
            row[n + j] = j < w->shape.m ? v[w->shape.n + j] : NAN;
        if (hpti_warm_add(s, w->kind, parent, row, w->u))
            return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
        w->used++;
    }
    return HPT_OK;
}

/* Step 4: the summary's counts. */
static void warm_summary(const warm_job *w, char *summary)
{
    int64_t skipped = w->n_choice + w->n_domain;
    char counts[256];
    snprintf(counts, sizeof counts, "%lld of %lld complete trials used", (long long)w->used,
             (long long)(w->used + skipped + w->n_budget));
    add_text(summary, counts, "", "");
    if (w->n_choice) {
        snprintf(counts, sizeof counts, "; %lld skipped: a choice not in this space",
                 (long long)w->n_choice);
        add_text(summary, counts, "", "");
    }
    if (w->n_domain) {
        snprintf(counts, sizeof counts,
                 "; %lld skipped: a value outside the domain of this space's scale",
                 (long long)w->n_domain);
        add_text(summary, counts, "", "");
    }
    if (w->n_budget) {
        snprintf(counts, sizeof counts, "; %lld at a partial budget not used",
                 (long long)w->n_budget);
        add_text(summary, counts, "", "");
    }
    add_text(summary, w->extra, "", "");
}

/* Step 5: commit -- one event per history row this warm start added, then
 * the closing one: the sink records the block as a whole or not at all;
 * then the note. Nothing is sent after a failure (rc != 0 on entry).
 * @return rc or the sink's failure. */
static int warm_commit(warm_job *w, int rc, const char *summary, char *msg)
{
    hpt_study *s = w->s;
    const hpti_history *h = &s->hist;
    int identical = w->kind == HPT_WARM_IDENTICAL;
    int64_t skipped = w->n_choice + w->n_domain;
    const hpti_sink_ops *o = s->sink.ops;
    if (!rc && o) {
        size_t from = identical ? w->old_prior : w->old_transfer;
        size_t to = identical ? h->n_prior : h->n_transfer;
        hpti_event ev = {.name = identical ? "identical" : "transfer", .id = w->parent,
                         .dim = h->dim, .replayed = s->replaying};
        for (size_t k = from; k < to; k++) {
            ev.kind = HPTI_EV_PRIOR;
            ev.values = (identical ? h->obs_value : h->transfer_value) + k * h->n_values;
            ev.n_values = h->n_values;
            ev.value = ev.values[0];
            ev.x = (identical ? h->obs_u : h->transfer_u) + k * h->dim;
            o->emit(s->sink.ctx, &ev, msg); /* buffered: failures show at the close */
        }
        ev.kind = HPTI_EV_WARM;
        ev.used = w->used;
        ev.skipped = skipped;
        ev.str = summary;
        ev.x = NULL;
        rc = o->emit(s->sink.ctx, &ev, msg);
    }
    if (!rc && hpti_warm_note(s, w->kind, w->used, skipped, summary))
        rc = hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    return rc;
}

static void warm_job_free(warm_job *w)
{
    hpti_free(w->map);
    hpti_free(w->u);
    hpti_free(w->t);
    hpti_free(w->xs);
    hpt_space_destroy(w->ps);
    hpti_jread_free(&w->r);
}

/* A warm start, all or nothing: steps 0-5 above. */
static int warm_locked(hpt_study *s, const char *path, int32_t kind, char *summary)
{
    const char *fn = "hpt_study_warm_start";
    char msg[HPTI_MSG];
    int rc;
    if ((rc = warm_allowed(s, kind, fn)) != HPT_OK)
        return rc;
    warm_job w = {.s = s, .path = path, .kind = kind,
                  .parent = s->warm ? s->warm->n_parents : 0,
                  .old_prior = s->hist.n_prior, .old_transfer = s->hist.n_transfer};
    if ((rc = warm_read(&w, fn)) != HPT_OK)
        return rc;
    rc = warm_map(&w, summary, msg);
    if (!rc)
        rc = parent_trials(&w.r, w.next, w.ps->n, path, &w.shape, &w.t, &w.xs, &w.n, msg);
    if (!rc) {
        rc = warm_collect(&w, msg);
        warm_summary(&w, summary);
        rc = warm_commit(&w, rc, summary, msg);
        if (rc)
            hpti_history_truncate_warm(&s->hist, w.old_prior, w.old_transfer);
    }
    warm_job_free(&w);
    return rc ? hpti_fail(s->errmsg, rc, "%s: %s", fn, msg) : HPT_OK;
}

int hpt_study_warm_start(hpt_study *s, const char *parent_journal, int32_t kind)
{
    hpti_clear_error();
    if (!s || !parent_journal)
        return hpti_study_fail(s, HPT_E_INVALID,
                         "hpt_study_warm_start: NULL argument");
    char summary[SUMMARY];
    pthread_mutex_lock(&s->lock);
    int rc = hpti_change_begin(s, "hpt_study_warm_start");
    if (!rc)
        rc = warm_locked(s, parent_journal, kind, summary);
    hpti_change_end(s);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int hpt_study_warm_info(const hpt_study *s, int64_t *used, int64_t *skipped,
                        const char **summary)
{
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "hpt_study_warm_info: study is NULL");
    pthread_mutex_lock(&((hpt_study *)s)->lock);
    const struct hpti_warm *w = s->warm;
    if (used)
        *used = w ? w->used : 0;
    if (skipped)
        *skipped = w ? w->skipped : 0;
    if (summary)
        *summary = w ? w->summary : "";
    pthread_mutex_unlock(&((hpt_study *)s)->lock);
    return HPT_OK;
}
