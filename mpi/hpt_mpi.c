/* hpt_mpi.c -- libhpt_mpi: a libhpt study served to the ranks of an MPI job.
 *
 * Protocol, on the library's own duplicate of the user's communicator:
 *   worker -> coordinator, tag TAG_REQ: one fixed-size request (req_msg);
 *   coordinator -> worker, tag TAG_REP: a reply header (rep_hdr), followed
 *   for a granted ask by the trial's `dim` parameter values.
 * The worker posts its receive before it sends, so a reply never waits for
 * a matching receive, whatever its size. The coordinator answers requests
 * one at a time in arrival order; a request that meets HPT_WAIT is held and
 * answered after a later tell or leave. LEAVE has no reply. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpt_mpi.h"

#define MSG 256
enum { TAG_REQ = 7301, TAG_REP = 7302 };
enum { OP_ASK = 1, OP_REPORT, OP_TELL, OP_FAIL, OP_PRUNE, OP_LEAVE };
enum { CLIENT_NONE = 0, CLIENT_ACTIVE, CLIENT_DONE };

typedef struct {
    int32_t op;
    int32_t reserved;
    int64_t trial;
    double step, value;
    char text[MSG]; /* OP_FAIL: the reason */
} req_msg;

typedef struct {
    int32_t status;
    int32_t should_stop;
    int64_t trial;
    int64_t resume_from;
    double budget;
    char msg[MSG]; /* the study's message when status != HPT_OK */
} rep_hdr;

struct hpt_mpi {
    MPI_Comm comm;      /* owned duplicate, MPI_ERRORS_RETURN */
    int rank, size, coordinator;
    int32_t role;
    hpt_space *space;   /* owned copy of the coordinator's space */
    size_t dim;
    double max_sleep;   /* idle nap cap, seconds; 0 = block in MPI */
    unsigned char *buf; /* rep_hdr + dim doubles */
    size_t buf_size;
    int got_done, left; /* worker: HPT_DONE received / left */
    int64_t held;       /* worker: trials asked minus trials it finished */
    /* coordinator */
    hpt_study *study;   /* borrowed */
    int32_t *roles;     /* size entries */
    int served;
    char errmsg[MSG];
};

/* Message of the last failed create of this thread (no handle to hold it). */
static _Thread_local char create_msg[MSG];

static int failv(char *buf, int status, const char *fmt, va_list ap)
{
    vsnprintf(buf, MSG, fmt, ap);
    return status;
}

static int fail(hpt_mpi *h, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(hpt_mpi *h, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    failv(h ? h->errmsg : create_msg, status, fmt, ap);
    va_end(ap);
    return status;
}

static int mpi_fail(hpt_mpi *h, int err, const char *what)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(err, s, &len) != MPI_SUCCESS)
        snprintf(s, sizeof s, "MPI error %d", err);
    return fail(h, HPT_E_MPI, "%s failed: %s", what, s);
}

static void copy_text(char *dst, const char *src)
{
    snprintf(dst, MSG, "%s", src ? src : "");
}

/* Wait for a request. With max_sleep > 0: poll without sleeping for the
 * first SPIN seconds (a reply, or the next request of a busy worker, comes
 * within microseconds, and a sleeping process may take milliseconds to be
 * scheduled again), then with naps that start at 20 us and double up to
 * max_sleep: a rank that waits long (a coordinator between requests, a
 * worker held by HPT_WAIT) leaves its core to the training ranks. */
#define SPIN 5e-5
static int wait_req(hpt_mpi *h, MPI_Request *r, MPI_Status *st)
{
    if (h->max_sleep <= 0)
        return MPI_Wait(r, st);
    double nap = 20e-6, t0 = MPI_Wtime();
    for (unsigned spins = 0;; spins++) {
        int flag = 0, e = MPI_Test(r, &flag, st);
        if (e != MPI_SUCCESS || flag)
            return e;
        if (spins % 16 != 15 || MPI_Wtime() - t0 < SPIN)
            continue;
        struct timespec ts = {0, (long)(nap * 1e9)};
        nanosleep(&ts, NULL);
        nap = fmin(2 * nap, h->max_sleep);
    }
}

/* ---- space transfer ----------------------------------------------------- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int nomem;
} blob;

static void put(blob *b, const void *src, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->nomem = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_str(blob *b, const char *s) { put(b, s, strlen(s) + 1); }

/* The space as a byte string: per parameter its type, resolved scale,
 * bounds, choice count, name and choices, enough to rebuild it exactly. */
static int space_pack(const hpt_space *sp, blob *b)
{
    size_t n = hpt_space_size(sp);
    uint64_t n64 = n;
    put(b, &n64, sizeof n64);
    for (size_t i = 0; i < n; i++) {
        int32_t type, scale;
        double lo, hi;
        size_t nc;
        const char *name;
        int rc = hpt_space_param_info(sp, i, &type, &scale, &lo, &hi, &nc);
        if (!rc)
            rc = hpt_space_param_name(sp, i, &name);
        if (rc)
            return rc;
        uint64_t nc64 = nc;
        put(b, &type, sizeof type);
        put(b, &scale, sizeof scale);
        put(b, &lo, sizeof lo);
        put(b, &hi, sizeof hi);
        put(b, &nc64, sizeof nc64);
        put_str(b, name);
        for (size_t j = 0; j < nc; j++) {
            const char *c;
            if ((rc = hpt_space_choice_name(sp, i, j, &c)) != HPT_OK)
                return rc;
            put_str(b, c);
        }
    }
    return b->nomem ? HPT_E_NOMEM : HPT_OK;
}

typedef struct {
    const unsigned char *p;
    size_t n, at;
    int bad;
} reader;

static void get(reader *r, void *dst, size_t n)
{
    if (r->bad || r->n - r->at < n) {
        r->bad = 1;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}

static const char *get_str(reader *r)
{
    if (r->bad)
        return "";
    const void *end = memchr(r->p + r->at, '\0', r->n - r->at);
    if (!end) {
        r->bad = 1;
        return "";
    }
    const char *s = (const char *)(r->p + r->at);
    r->at = (size_t)((const unsigned char *)end - r->p) + 1;
    return s;
}

static int space_unpack(const unsigned char *p, size_t n, hpt_space **out)
{
    reader r = {p, n, 0, 0};
    hpt_space *sp = NULL;
    const char **choices = NULL;
    int rc = hpt_space_create(&sp);
    uint64_t np = 0;
    get(&r, &np, sizeof np);
    for (uint64_t i = 0; !rc && !r.bad && i < np; i++) {
        int32_t type, scale;
        double lo, hi;
        uint64_t nc;
        get(&r, &type, sizeof type);
        get(&r, &scale, sizeof scale);
        get(&r, &lo, sizeof lo);
        get(&r, &hi, sizeof hi);
        get(&r, &nc, sizeof nc);
        const char *name = get_str(&r);
        if (r.bad || nc > HPT_MAX_CHOICES)
            break;
        if (type == HPT_PARAM_CATEGORICAL) {
            free(choices);
            choices = malloc((nc ? nc : 1) * sizeof *choices);
            if (!choices) {
                rc = HPT_E_NOMEM;
                break;
            }
            for (uint64_t j = 0; j < nc; j++)
                choices[j] = get_str(&r);
            if (!r.bad)
                rc = hpt_space_add_categorical(sp, name, choices, (size_t)nc);
        } else if (type == HPT_PARAM_INT)
            rc = hpt_space_add_int(sp, name, (int64_t)lo, (int64_t)hi, scale);
        else
            rc = hpt_space_add_float(sp, name, lo, hi, scale);
    }
    free(choices);
    if (!rc && (r.bad || r.at != r.n))
        rc = HPT_E_CORRUPT;
    if (rc) {
        hpt_space_destroy(sp);
        return rc;
    }
    *out = sp;
    return HPT_OK;
}

/* ---- lifecycle -------------------------------------------------------------- */

static void release(hpt_mpi *h)
{
    if (h->comm != MPI_COMM_NULL)
        MPI_Comm_free(&h->comm);
    hpt_space_destroy(h->space);
    free(h->buf);
    free(h->roles);
    free(h);
}

/* Agree on a status over the handle's communicator: every rank gets the
 * lowest (the worst) one. */
static int agree(hpt_mpi *h, int local, int *all)
{
    int e = MPI_Allreduce(&local, all, 1, MPI_INT, MPI_MIN, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : mpi_fail(h, e, "MPI_Allreduce");
}

int hpt_mpi_create(MPI_Comm comm, int coordinator, int32_t role, hpt_study *study,
                   const hpt_space *space, hpt_mpi **out)
{
    const char *fn = "hpt_mpi_create";
    create_msg[0] = '\0';
    if (!out)
        return fail(NULL, HPT_E_INVALID, "%s: out is NULL", fn);
    *out = NULL;
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (!init || fin)
        return fail(NULL, HPT_E_INVALID, "%s: MPI is not initialized (or finalized)", fn);
    if (comm == MPI_COMM_NULL)
        return fail(NULL, HPT_E_INVALID, "%s: comm is MPI_COMM_NULL", fn);
    int rank, size;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &size) != MPI_SUCCESS)
        return fail(NULL, HPT_E_INVALID, "%s: comm is not a valid communicator", fn);
    if (coordinator < 0 || coordinator >= size)
        return fail(NULL, HPT_E_INVALID, "%s: coordinator %d is not a rank of comm (size %d)",
                    fn, coordinator, size);

    hpt_mpi *h = calloc(1, sizeof *h);
    if (!h)
        return fail(NULL, HPT_E_NOMEM, "%s: out of memory", fn);
    h->comm = MPI_COMM_NULL;
    h->rank = rank;
    h->size = size;
    h->coordinator = coordinator;
    h->max_sleep = 1e-3;
    int e = MPI_Comm_dup(comm, &h->comm);
    if (e != MPI_SUCCESS) {
        h->comm = MPI_COMM_NULL;
        mpi_fail(h, e, "MPI_Comm_dup");
        fail(NULL, HPT_E_MPI, "%s: %s", fn, h->errmsg);
        release(h);
        return HPT_E_MPI;
    }
    MPI_Comm_set_errhandler(h->comm, MPI_ERRORS_RETURN);

    int is_coord = rank == coordinator, local = HPT_OK, all, rc;
    blob b = {0};
    h->role = is_coord ? HPT_MPI_MEMBER : role;
    if (is_coord) {
        h->study = study;
        if (!study || !space)
            local = fail(h, HPT_E_INVALID, "%s: the coordinator needs its study and space",
                         fn);
        else if (hpt_space_size(space) == 0)
            local = fail(h, HPT_E_INVALID, "%s: the space has no parameters", fn);
        else if ((local = space_pack(space, &b)) != HPT_OK)
            fail(h, local, "%s: cannot describe the space (%s)", fn, hpt_strerror(local));
        else if (!(h->roles = calloc((size_t)size, sizeof *h->roles)))
            local = fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    } else if (role != HPT_MPI_WORKER && role != HPT_MPI_MEMBER)
        local = fail(h, HPT_E_INVALID, "%s: role must be HPT_MPI_WORKER or HPT_MPI_MEMBER, "
                     "not %d", fn, (int)role);

    if ((rc = agree(h, local, &all)) != HPT_OK)
        goto fail;
    if (all != HPT_OK) {
        rc = all;
        if (local == HPT_OK)
            fail(h, all, "%s: failed on another rank (%s)", fn, hpt_strerror(all));
        goto fail;
    }
    /* Roles to the coordinator; the space description from it. */
    if ((e = MPI_Gather(&h->role, 1, MPI_INT32_T, h->roles, 1, MPI_INT32_T, coordinator,
                        h->comm)) != MPI_SUCCESS) {
        rc = mpi_fail(h, e, "MPI_Gather");
        goto fail;
    }
    uint64_t len = b.n;
    if ((e = MPI_Bcast(&len, 1, MPI_UINT64_T, coordinator, h->comm)) != MPI_SUCCESS) {
        rc = mpi_fail(h, e, "MPI_Bcast");
        goto fail;
    }
    if (!is_coord && len > 0 && !(b.p = malloc((size_t)len)))
        local = fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    if ((rc = agree(h, local, &all)) != HPT_OK)
        goto fail;
    if (all != HPT_OK) {
        rc = all;
        goto fail;
    }
    if ((e = MPI_Bcast(b.p, (int)len, MPI_BYTE, coordinator, h->comm)) != MPI_SUCCESS) {
        rc = mpi_fail(h, e, "MPI_Bcast");
        goto fail;
    }
    if ((local = space_unpack(b.p, (size_t)len, &h->space)) != HPT_OK)
        fail(h, local, "%s: cannot rebuild the space (%s)", fn, hpt_strerror(local));
    if (!local) {
        h->dim = hpt_space_size(h->space);
        h->buf_size = sizeof(rep_hdr) + h->dim * sizeof(double);
        if (!(h->buf = calloc(1, h->buf_size)))
            local = fail(h, HPT_E_NOMEM, "%s: out of memory", fn);
    }
    if ((rc = agree(h, local, &all)) != HPT_OK)
        goto fail;
    if (all != HPT_OK) {
        rc = all;
        goto fail;
    }
    free(b.p);
    *out = h;
    return HPT_OK;
fail:
    free(b.p);
    copy_text(create_msg, h->errmsg[0] ? h->errmsg : "hpt_mpi_create failed");
    release(h);
    return rc;
}

void hpt_mpi_destroy(hpt_mpi *h)
{
    if (!h)
        return;
    hpt_mpi_leave(h);
    release(h);
}

int hpt_mpi_space(const hpt_mpi *h, const hpt_space **space)
{
    if (!h || !space)
        return h ? fail((hpt_mpi *)h, HPT_E_INVALID, "hpt_mpi_space: space is NULL")
                 : HPT_E_INVALID;
    *space = h->space;
    return HPT_OK;
}

int hpt_mpi_set_idle(hpt_mpi *h, double max_sleep)
{
    if (!h)
        return HPT_E_INVALID;
    if (!(max_sleep >= 0 && max_sleep <= 1))
        return fail(h, HPT_E_INVALID, "hpt_mpi_set_idle: %g is not in [0, 1] seconds",
                    max_sleep);
    h->max_sleep = max_sleep;
    return HPT_OK;
}

const char *hpt_mpi_errmsg(const hpt_mpi *h) { return h ? h->errmsg : create_msg; }

const char *hpt_mpi_strerror(int status)
{
    return status == HPT_E_MPI ? "an MPI communication call failed" : hpt_strerror(status);
}

/* ---- coordinator ---------------------------------------------------------- */

typedef struct {
    hpt_mpi *h;
    signed char *client;  /* per rank: CLIENT_* */
    int active;           /* clients that may still ask */
    int32_t *owner;       /* per trial id: the rank running it, or -1 */
    size_t n_owner;
    int64_t outstanding;  /* trials handed out and not yet finished */
    int *waiting;         /* ranks held by HPT_WAIT, FIFO */
    int n_waiting;
    int64_t *orphans;     /* trials RUNNING when serving started */
    size_t n_orphans, next_orphan;
    int done;             /* the study answered HPT_DONE */
} server;

static int send_reply(hpt_mpi *h, int dst, const rep_hdr *r, int with_values)
{
    memcpy(h->buf, r, sizeof *r);
    size_t n = sizeof *r + (with_values ? h->dim * sizeof(double) : 0);
    int e = MPI_Send(h->buf, (int)n, MPI_BYTE, dst, TAG_REP, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : mpi_fail(h, e, "MPI_Send (reply)");
}

static void reply_init(rep_hdr *r, int status)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->trial = -1;
    r->resume_from = -1;
}

static int own(server *sv, int64_t id, int32_t rank)
{
    if ((uint64_t)id >= sv->n_owner) {
        size_t n = sv->n_owner ? sv->n_owner : 64;
        while (n <= (uint64_t)id)
            n *= 2;
        int32_t *p = realloc(sv->owner, n * sizeof *p);
        if (!p)
            return HPT_E_NOMEM;
        for (size_t i = sv->n_owner; i < n; i++)
            p[i] = -1;
        sv->owner = p;
        sv->n_owner = n;
    }
    sv->owner[id] = rank;
    return HPT_OK;
}

/* A trial finished: it no longer counts as handed out. */
static void disown(server *sv, int64_t id)
{
    if (id >= 0 && (uint64_t)id < sv->n_owner && sv->owner[id] >= 0) {
        sv->owner[id] = -1;
        sv->outstanding--;
    }
}

/* Answer an ask from src, or hold it (HPT_WAIT): at the back of the queue,
 * or at the front when it came from there. *held tells which. */
static int serve_ask(server *sv, int src, int front, int *held)
{
    hpt_mpi *h = sv->h;
    rep_hdr r;
    int64_t id = -1;
    int rc = HPT_E_STATE;
    *held = 0;
    reply_init(&r, HPT_OK);
    while (sv->next_orphan < sv->n_orphans) {
        int32_t state = -1;
        id = sv->orphans[sv->next_orphan++];
        if (hpt_trial_state(h->study, id, &state) == HPT_OK && state == HPT_TRIAL_RUNNING)
            break;
        id = -1;
    }
    rc = id >= 0 ? HPT_OK : hpt_study_ask(h->study, &id);
    if (rc == HPT_WAIT) {
        if (sv->outstanding > 0) {
            if (front) {
                memmove(sv->waiting + 1, sv->waiting, (size_t)sv->n_waiting * sizeof(int));
                sv->waiting[0] = src;
            } else
                sv->waiting[sv->n_waiting] = src;
            sv->n_waiting++;
            *held = 1;
            return HPT_OK;
        }
        rc = HPT_E_STATE;
        copy_text(r.msg, "hpt_mpi_ask: the strategy waits for running trials, but no "
                         "trial is running");
    } else if (rc == HPT_OK) {
        double *x = (double *)(void *)(h->buf + sizeof r);
        if ((rc = hpt_trial_params(h->study, id, x, h->dim)) != HPT_OK ||
            (rc = hpt_trial_budget(h->study, id, &r.budget, &r.resume_from)) != HPT_OK) {
            snprintf(r.msg, MSG, "hpt_mpi_ask: %s (is `space` the study's space?)",
                     hpt_study_errmsg(h->study));
            hpt_study_tell_failed(h->study, id, "hpt_mpi: cannot send the configuration");
        } else if ((rc = own(sv, id, src)) != HPT_OK) {
            copy_text(r.msg, "hpt_mpi_ask: coordinator out of memory");
            hpt_study_tell_failed(h->study, id, "hpt_mpi: coordinator out of memory");
        } else {
            sv->outstanding++;
            r.trial = id;
        }
    } else if (rc == HPT_DONE) {
        sv->done = 1;
        if (sv->client[src] == CLIENT_ACTIVE) {
            sv->client[src] = CLIENT_DONE;
            sv->active--;
        }
    } else
        copy_text(r.msg, hpt_study_errmsg(h->study));
    r.status = rc;
    return send_reply(h, src, &r, rc == HPT_OK);
}

/* After a trial finished: held asks may now get a trial (or HPT_DONE). */
static int serve_waiting(server *sv)
{
    while (sv->n_waiting > 0) {
        int src = sv->waiting[0], held, rc;
        sv->n_waiting--;
        memmove(sv->waiting, sv->waiting + 1, (size_t)sv->n_waiting * sizeof(int));
        if ((rc = serve_ask(sv, src, 1, &held)) != HPT_OK)
            return rc;
        if (held)
            break;
    }
    return HPT_OK;
}

static int serve_finish(server *sv, int src, const req_msg *q)
{
    hpt_mpi *h = sv->h;
    rep_hdr r;
    int rc;
    reply_init(&r, HPT_OK);
    r.trial = q->trial;
    switch (q->op) {
    case OP_REPORT:
        rc = hpt_study_report(h->study, q->trial, q->step, q->value, &r.should_stop);
        break;
    case OP_TELL: rc = hpt_study_tell(h->study, q->trial, q->value); break;
    case OP_FAIL: rc = hpt_study_tell_failed(h->study, q->trial, q->text); break;
    default: rc = hpt_study_prune(h->study, q->trial); break;
    }
    if (rc != HPT_OK)
        copy_text(r.msg, hpt_study_errmsg(h->study));
    else if (q->op != OP_REPORT)
        disown(sv, q->trial);
    r.status = rc;
    if ((rc = send_reply(h, src, &r, 0)) != HPT_OK)
        return rc;
    return q->op == OP_REPORT ? HPT_OK : serve_waiting(sv);
}

static int serve_leave(server *sv, int src)
{
    hpt_mpi *h = sv->h;
    if (sv->client[src] == CLIENT_ACTIVE) {
        sv->client[src] = CLIENT_DONE;
        sv->active--;
    }
    char why[64];
    snprintf(why, sizeof why, "hpt_mpi: worker rank %d left", src);
    for (size_t id = 0; id < sv->n_owner; id++)
        if (sv->owner[id] == src) {
            hpt_study_tell_failed(h->study, (int64_t)id, why);
            disown(sv, (int64_t)id);
        }
    return serve_waiting(sv);
}

static int serve_loop(server *sv)
{
    hpt_mpi *h = sv->h;
    int rc = HPT_OK;
    while (sv->active > 0 || sv->outstanding > 0) {
        req_msg q;
        MPI_Request req;
        MPI_Status st;
        int e = MPI_Irecv(&q, (int)sizeof q, MPI_BYTE, MPI_ANY_SOURCE, TAG_REQ, h->comm, &req);
        if (e == MPI_SUCCESS)
            e = wait_req(h, &req, &st);
        if (e != MPI_SUCCESS)
            return mpi_fail(h, e, "hpt_mpi_serve: receiving a request");
        int src = st.MPI_SOURCE, held;
        q.text[MSG - 1] = '\0';
        if (sv->client[src] == CLIENT_NONE && q.op != OP_LEAVE) {
            /* A member rank (or the coordinator itself) cannot be served:
             * the coordinator did not count it among the workers. */
            rep_hdr r;
            reply_init(&r, HPT_E_INVALID);
            snprintf(r.msg, MSG, "hpt_mpi: rank %d did not join as HPT_MPI_WORKER", src);
            rc = send_reply(h, src, &r, 0);
        } else if (q.op == OP_ASK)
            rc = serve_ask(sv, src, 0, &held);
        else if (q.op == OP_LEAVE)
            rc = serve_leave(sv, src);
        else if (q.op >= OP_REPORT && q.op <= OP_PRUNE)
            rc = serve_finish(sv, src, &q);
        else {
            rep_hdr r;
            reply_init(&r, HPT_E_INVALID);
            snprintf(r.msg, MSG, "hpt_mpi: unknown request %d from rank %d", (int)q.op, src);
            rc = send_reply(h, src, &r, 0);
        }
        if (rc != HPT_OK)
            return rc;
    }
    return sv->done ? HPT_DONE : HPT_OK;
}

int hpt_mpi_serve(hpt_mpi *h)
{
    const char *fn = "hpt_mpi_serve";
    if (!h)
        return HPT_E_INVALID;
    if (h->rank != h->coordinator)
        return fail(h, HPT_E_INVALID, "%s: rank %d is not the coordinator (%d)", fn, h->rank,
                    h->coordinator);
    if (h->served)
        return fail(h, HPT_E_STAGE, "%s: already served", fn);
    h->served = 1;
    h->errmsg[0] = '\0';

    server sv = {0};
    sv.h = h;
    int rc = HPT_E_NOMEM;
    int64_t n = 0;
    sv.client = calloc((size_t)h->size, 1);
    sv.waiting = calloc((size_t)h->size, sizeof *sv.waiting);
    if (!sv.client || !sv.waiting)
        goto out;
    for (int i = 0; i < h->size; i++)
        if (i != h->coordinator && h->roles[i] == HPT_MPI_WORKER) {
            sv.client[i] = CLIENT_ACTIVE;
            sv.active++;
        }
    /* Trials left running by an aborted run (a reopened journal) go out
     * first, so that each asked trial is finished exactly once. */
    if ((rc = hpt_study_trial_count(h->study, &n)) != HPT_OK) {
        fail(h, rc, "%s: %s", fn, hpt_study_errmsg(h->study));
        goto out;
    }
    rc = HPT_E_NOMEM;
    if (n > 0 && !(sv.orphans = malloc((size_t)n * sizeof *sv.orphans)))
        goto out;
    for (int64_t id = 0; id < n; id++) {
        int32_t state;
        if (hpt_trial_state(h->study, id, &state) == HPT_OK && state == HPT_TRIAL_RUNNING)
            sv.orphans[sv.n_orphans++] = id;
    }
    rc = serve_loop(&sv);
out:
    if (rc == HPT_E_NOMEM)
        fail(h, rc, "%s: out of memory", fn);
    free(sv.client);
    free(sv.waiting);
    free(sv.owner);
    free(sv.orphans);
    return rc;
}

/* ---- workers ---------------------------------------------------------------- */

/* Send a request and wait for its reply; the reply header goes to *r and,
 * for a granted ask, the values stay in h->buf after it. */
static int call(hpt_mpi *h, const req_msg *q, rep_hdr *r)
{
    MPI_Request req;
    MPI_Status st;
    int e = MPI_Irecv(h->buf, (int)h->buf_size, MPI_BYTE, h->coordinator, TAG_REP, h->comm,
                      &req);
    if (e != MPI_SUCCESS)
        return mpi_fail(h, e, "MPI_Irecv (reply)");
    e = MPI_Send(q, (int)sizeof *q, MPI_BYTE, h->coordinator, TAG_REQ, h->comm);
    if (e != MPI_SUCCESS) {
        MPI_Cancel(&req);
        MPI_Request_free(&req);
        return mpi_fail(h, e, "MPI_Send (request)");
    }
    if ((e = wait_req(h, &req, &st)) != MPI_SUCCESS)
        return mpi_fail(h, e, "waiting for the coordinator's reply");
    int count = 0;
    MPI_Get_count(&st, MPI_BYTE, &count);
    if (count < (int)sizeof *r)
        return fail(h, HPT_E_MPI, "short reply from the coordinator (%d bytes)", count);
    memcpy(r, h->buf, sizeof *r);
    r->msg[MSG - 1] = '\0';
    if (r->status == HPT_OK && q->op == OP_ASK && (size_t)count != h->buf_size)
        return fail(h, HPT_E_MPI, "reply of %d bytes to an ask, want %zu", count, h->buf_size);
    if (r->status != HPT_OK && r->status != HPT_DONE)
        copy_text(h->errmsg, r->msg);
    return r->status;
}

static int check_worker(hpt_mpi *h, const char *fn, int asking)
{
    if (h->rank == h->coordinator || h->role != HPT_MPI_WORKER)
        return fail(h, HPT_E_INVALID, "%s: rank %d is not a worker", fn, h->rank);
    if (h->left || (asking && h->got_done))
        return fail(h, HPT_E_STAGE, "%s: this worker %s", fn,
                    h->left ? "left the study" : "already received HPT_DONE");
    /* The coordinator may have stopped serving: no request it would not
     * wait for (a trial this worker does not hold) may block here. */
    if (h->got_done && h->held <= 0)
        return fail(h, HPT_E_STAGE, "%s: the study is done and this worker holds no trial",
                    fn);
    return HPT_OK;
}

int hpt_mpi_ask(hpt_mpi *h, int64_t *trial_id, double *values, size_t n, double *budget,
                int64_t *resume_from)
{
    const char *fn = "hpt_mpi_ask";
    if (!h)
        return HPT_E_INVALID;
    h->errmsg[0] = '\0';
    if (!trial_id || (!values && n > 0))
        return fail(h, HPT_E_INVALID, "%s: NULL argument", fn);
    *trial_id = -1;
    if (n != h->dim)
        return fail(h, HPT_E_INVALID, "%s: n is %zu, the space has %zu parameters", fn, n,
                    h->dim);
    int rc = check_worker(h, fn, 1);
    if (rc)
        return rc;
    req_msg q = {0};
    rep_hdr r;
    q.op = OP_ASK;
    q.trial = -1;
    rc = call(h, &q, &r);
    if (rc == HPT_DONE)
        h->got_done = 1;
    if (rc != HPT_OK)
        return rc;
    memcpy(values, h->buf + sizeof r, n * sizeof *values);
    *trial_id = r.trial;
    h->held++;
    if (budget)
        *budget = r.budget;
    if (resume_from)
        *resume_from = r.resume_from;
    return HPT_OK;
}

static int finish(hpt_mpi *h, const char *fn, int32_t op, int64_t id, double step,
                  double value, const char *text, int32_t *should_stop)
{
    if (!h)
        return HPT_E_INVALID;
    h->errmsg[0] = '\0';
    int rc = check_worker(h, fn, 0);
    if (rc)
        return rc;
    req_msg q = {0};
    rep_hdr r;
    q.op = op;
    q.trial = id;
    q.step = step;
    q.value = value;
    if (text)
        snprintf(q.text, sizeof q.text, "%s", text);
    rc = call(h, &q, &r);
    if (should_stop)
        *should_stop = rc == HPT_OK ? r.should_stop : 0;
    if (rc == HPT_OK && op != OP_REPORT)
        h->held--;
    return rc;
}

int hpt_mpi_report(hpt_mpi *h, int64_t id, double step, double value, int32_t *should_stop)
{
    return finish(h, "hpt_mpi_report", OP_REPORT, id, step, value, NULL, should_stop);
}

int hpt_mpi_tell(hpt_mpi *h, int64_t id, double value)
{
    return finish(h, "hpt_mpi_tell", OP_TELL, id, 0, value, NULL, NULL);
}

int hpt_mpi_tell_failed(hpt_mpi *h, int64_t id, const char *reason)
{
    return finish(h, "hpt_mpi_tell_failed", OP_FAIL, id, 0, 0, reason, NULL);
}

int hpt_mpi_prune(hpt_mpi *h, int64_t id)
{
    return finish(h, "hpt_mpi_prune", OP_PRUNE, id, 0, 0, NULL, NULL);
}

int hpt_mpi_leave(hpt_mpi *h)
{
    if (!h)
        return HPT_E_INVALID;
    /* After HPT_DONE the coordinator no longer counts on this worker, but
     * it still waits for the trials the worker holds: leave for those. */
    if (h->rank == h->coordinator || h->role != HPT_MPI_WORKER || h->left ||
        (h->got_done && h->held <= 0))
        return HPT_OK;
    req_msg q = {0};
    q.op = OP_LEAVE;
    q.trial = -1;
    h->left = 1;
    int e = MPI_Send(&q, (int)sizeof q, MPI_BYTE, h->coordinator, TAG_REQ, h->comm);
    return e == MPI_SUCCESS ? HPT_OK : mpi_fail(h, e, "MPI_Send (leave)");
}

/* ---- groups ------------------------------------------------------------------ */

/* Broadcast the leader's outcome (header, and values after a granted ask)
 * from group rank 0; every rank returns the leader's status. */
static int group_bcast(hpt_mpi *h, MPI_Comm group, rep_hdr *r, int with_values)
{
    size_t n = sizeof *r + (with_values ? h->dim * sizeof(double) : 0);
    memcpy(h->buf, r, sizeof *r);
    int e = MPI_Bcast(h->buf, (int)n, MPI_BYTE, 0, group);
    if (e != MPI_SUCCESS)
        return mpi_fail(h, e, "MPI_Bcast (group)");
    memcpy(r, h->buf, sizeof *r);
    r->msg[MSG - 1] = '\0';
    return HPT_OK;
}

static int group_rank(hpt_mpi *h, MPI_Comm group, int *gr)
{
    if (group == MPI_COMM_NULL)
        return fail(h, HPT_E_INVALID, "hpt_mpi group call: group is MPI_COMM_NULL");
    int e = MPI_Comm_rank(group, gr);
    return e == MPI_SUCCESS ? HPT_OK : mpi_fail(h, e, "MPI_Comm_rank (group)");
}

int hpt_mpi_ask_group(hpt_mpi *h, MPI_Comm group, int64_t *trial_id, double *values,
                      size_t n, double *budget, int64_t *resume_from)
{
    if (!h)
        return HPT_E_INVALID;
    int gr, rc = group_rank(h, group, &gr);
    if (rc)
        return rc;
    rep_hdr r;
    reply_init(&r, HPT_OK);
    /* Every rank must take part in the broadcast, even with bad arguments:
     * a local error is returned after it. */
    int mine = HPT_OK;
    if (!trial_id || (!values && n > 0) || n != h->dim)
        mine = fail(h, HPT_E_INVALID, "hpt_mpi_ask_group: NULL argument or n is %zu, the "
                    "space has %zu parameters", n, h->dim);
    double *x = (double *)(void *)(h->buf + sizeof r);
    if (gr == 0) {
        r.status = mine;
        if (mine == HPT_OK) {
            r.status = hpt_mpi_ask(h, &r.trial, values, n, &r.budget, &r.resume_from);
            if (r.status == HPT_OK)
                memmove(x, values, n * sizeof *values);
        }
        if (r.status != HPT_OK)
            copy_text(r.msg, h->errmsg);
    }
    if ((rc = group_bcast(h, group, &r, 1)) != HPT_OK)
        return rc;
    if (mine != HPT_OK)
        return mine;
    if (r.status != HPT_OK && r.status != HPT_DONE)
        copy_text(h->errmsg, r.msg);
    *trial_id = r.status == HPT_OK ? r.trial : -1;
    if (r.status == HPT_OK) {
        if (gr != 0)
            memcpy(values, x, n * sizeof *values);
        if (budget)
            *budget = r.budget;
        if (resume_from)
            *resume_from = r.resume_from;
    }
    return r.status;
}

int hpt_mpi_report_group(hpt_mpi *h, MPI_Comm group, int64_t trial_id, double step,
                         double value, int32_t *should_stop)
{
    if (!h)
        return HPT_E_INVALID;
    int gr, rc = group_rank(h, group, &gr);
    if (rc)
        return rc;
    rep_hdr r;
    reply_init(&r, HPT_OK);
    if (gr == 0) {
        int32_t stop = 0;
        r.status = hpt_mpi_report(h, trial_id, step, value, &stop);
        r.should_stop = stop;
        if (r.status != HPT_OK)
            copy_text(r.msg, h->errmsg);
    }
    if ((rc = group_bcast(h, group, &r, 0)) != HPT_OK)
        return rc;
    if (r.status != HPT_OK)
        copy_text(h->errmsg, r.msg);
    if (should_stop)
        *should_stop = r.status == HPT_OK ? r.should_stop : 0;
    return r.status;
}
