/* journal.c -- writing the study journal: record builder, durable append,
 * and the journal as a study's sink (sink.h): one record per event. It
 * never sees the study: what a record holds comes in the event.
 *
 * Durability: every record is handed to the kernel with write() before the
 * call that made it returns, so it survives the death of the process (kill
 * -9, OOM killer). With "journal.fsync" = 1 (the default) it is also
 * fdatasync()ed, so it survives a power failure or a kernel crash. A
 * record goes out in one write() on a file opened O_APPEND; a crash can
 * tear only the last one, which reopening drops (reader.c). When a write
 * fails the file is cut back to its last complete record and the journal
 * is marked broken: the change stays in memory but later changes are
 * refused with HPT_E_IO, since the file is the truth a resume will see. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"

/* ---- the record builder ------------------------------------------------- */

static void put(struct hpti_journal *j, const char *p, size_t n)
{
    if (j->oom)
        return;
    if (hpti_grow((void **)&j->buf, &j->cap, j->len + n + 1, 1)) {
        j->oom = 1;
        return;
    }
    memcpy(j->buf + j->len, p, n);
    j->len += n;
}

void hpti_jrec_begin(struct hpti_journal *j, const char *type)
{
    put(j, type, strlen(type));
}

void hpti_jrec_word(struct hpti_journal *j, const char *w)
{
    put(j, " ", 1);
    put(j, w, strlen(w));
}

void hpti_jrec_str(struct hpti_journal *j, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    put(j, " ", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == '%' || *p == 0x7f) {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            put(j, e, 3);
        } else
            put(j, (const char *)p, 1);
    }
}

void hpti_jrec_i64(struct hpti_journal *j, int64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", (long long)v);
    hpti_jrec_word(j, b);
}

void hpti_jrec_u64(struct hpti_journal *j, uint64_t v)
{
    char b[32];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    hpti_jrec_word(j, b);
}

void hpti_fmt_double(char *out, double x)
{
    /* %.17g always round-trips (IEEE 754 binary64 needs at most 17
     * significant digits; glibc's printf and strtod round correctly);
     * fewer digits are tried first so that 0.1 stays "0.1". */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, x);
        double y = strtod(out, NULL);
        if (memcmp(&x, &y, sizeof x) == 0 || prec == 17)
            return;
    }
}

void hpti_jrec_double(struct hpti_journal *j, double v)
{
    char b[32];
    hpti_fmt_double(b, v);
    hpti_jrec_word(j, b);
}

/* Close the current line: " <seq> <crc>\n". The sequence number is the
 * line's number in the file: the lines on disk plus those built before
 * this one in the buffer. */
static void end_line(struct hpti_journal *j, size_t start)
{
    char b[32];
    hpti_jrec_i64(j, j->records + (int64_t)j->built + 1);
    j->built++;
    if (j->oom)
        return;
    uint32_t crc = hpti_crc32(j->buf + start, j->len - start);
    snprintf(b, sizeof b, " %08x\n", (unsigned)crc);
    put(j, b, 10);
}

static size_t line_start(const struct hpti_journal *j)
{
    size_t i = j->len;
    while (i > 0 && j->buf[i - 1] != '\n')
        i--;
    return i;
}

void hpti_jrec_end(struct hpti_journal *j) { end_line(j, line_start(j)); }

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Finish the current record and write everything built so far (one record,
 * or a block: the creation, a warm start) in one write(). */
int hpti_jrec_commit(struct hpti_journal *j, char *msg)
{
    end_line(j, line_start(j));
    size_t n = j->len, lines = j->built;
    j->len = 0;
    j->built = 0;
    if (getpid() != j->pid)
        return hpti_fail(msg, HPT_E_LOCKED,
                         "journal '%s' belongs to process %ld; this process (a child made "
                         "by fork()) cannot write it: open the journal in this process "
                         "(hpt_study_open) once the parent closed it",
                         j->path, (long)j->pid);
    if (j->oom) {
        j->oom = 0;
        j->broken = 1;
        return hpti_fail(msg, HPT_E_NOMEM,
                         "journal '%s': out of memory building a record; the journal "
                         "is closed, reopen it to resume",
                         j->path);
    }
    if (j->broken)
        return hpti_fail(msg, HPT_E_IO,
                         "journal '%s': an earlier write failed; the journal is closed, "
                         "reopen it to resume",
                         j->path);
    if (write_all(j->fd, j->buf, n) != 0 || (j->fsync && fdatasync(j->fd) != 0)) {
        int e = errno;
        /* Best effort: leave no torn record behind for the next writer. */
        if (ftruncate(j->fd, j->size) != 0)
            HPTI_UNUSED(0);
        j->broken = 1;
        return hpti_fail(msg, HPT_E_IO,
                         "journal '%s': write failed (%s); the change is in memory "
                         "only, the journal is closed: reopen it to resume",
                         j->path, strerror(e));
    }
    j->size += (off_t)n;
    j->records += (int64_t)lines;
    return HPT_OK;
}

/* ---- creation block --------------------------------------------------- */

static const char *scale_name(int32_t scale)
{
    return scale == HPT_SCALE_LOG           ? "log"
           : scale == HPT_SCALE_REVERSE_LOG ? "reverse_log"
           : scale == HPT_SCALE_LOGIT       ? "logit"
                                            : "linear";
}

void hpti_journal_header(char *out, size_t cap)
{
    snprintf(out, cap, "%s %d libhpt-%s", HPTI_JOURNAL_MAGIC, HPTI_JOURNAL_VERSION,
             hpt_version_string());
}

int hpti_journal_write_create(struct hpti_journal *j, const hpt_space *space,
                              const char *strategy, int32_t direction, uint64_t seed,
                              char *msg)
{
    char head[64];
    hpti_journal_header(head, sizeof head);
    j->len = 0;
    j->built = 0;
    hpti_jrec_begin(j, head);
    end_line(j, 0);

    size_t st = j->len;
    hpti_jrec_begin(j, "create");
    hpti_jrec_str(j, strategy);
    hpti_jrec_word(j, direction == HPT_MAXIMIZE ? "maximize" : "minimize");
    hpti_jrec_u64(j, seed);
    hpti_jrec_u64(j, space->n);
    end_line(j, st);
    for (size_t i = 0; i < space->n; i++) {
        const hpti_param *p = &space->p[i];
        st = j->len;
        hpti_jrec_begin(j, "param");
        hpti_jrec_str(j, p->name);
        if (p->type == HPT_PARAM_CATEGORICAL) {
            hpti_jrec_word(j, "categorical");
            hpti_jrec_u64(j, p->n_choices);
            for (size_t k = 0; k < p->n_choices; k++)
                hpti_jrec_str(j, p->choices[k]);
        } else {
            hpti_jrec_word(j, p->type == HPT_PARAM_INT ? "int" : "float");
            hpti_jrec_word(j, scale_name(p->scale));
            hpti_jrec_double(j, p->lo);
            hpti_jrec_double(j, p->hi);
        }
        end_line(j, st);
    }
    /* Refinements follow every parameter, so that a condition may name a
     * parent listed after its child; a space without any is written as
     * before they existed. */
    for (size_t i = 0; i < space->n; i++) {
        const hpti_param *p = &space->p[i];
        if (p->step == (p->type == HPT_PARAM_INT ? 1.0 : 0.0))
            continue;
        st = j->len;
        hpti_jrec_begin(j, "step");
        hpti_jrec_str(j, p->name);
        hpti_jrec_double(j, p->step);
        end_line(j, st);
    }
    for (size_t c = 0; c < space->n_cond; c++) {
        const hpti_cond *k = &space->cond[c];
        const hpti_param *parent = &space->p[k->parent];
        st = j->len;
        hpti_jrec_begin(j, "cond");
        hpti_jrec_str(j, space->p[k->child].name);
        hpti_jrec_str(j, parent->name);
        if (k->n_in) {
            hpti_jrec_word(j, "in");
            hpti_jrec_u64(j, k->n_in);
            for (size_t q = 0; q < k->n_in; q++)
                hpti_jrec_str(j, parent->choices[k->in[q]]);
        } else {
            hpti_jrec_word(j, "range");
            hpti_jrec_double(j, k->lo);
            hpti_jrec_double(j, k->hi);
        }
        end_line(j, st);
    }
    hpti_jrec_begin(j, "begin");
    return hpti_jrec_commit(j, msg);
}

/* ---- the journal's options ----------------------------------------------- */

/* "journal.fsync": whether every record waits for the disk. A setting of
 * this process (how safely it writes), not of the study: never journaled,
 * may change at any time. */
const hpti_option hpti_journal_options[] = {
    {"journal.fsync", HPT_OPTION_BOOL, HPTI_STORE_INT, offsetof(struct hpti_journal, fsync), 1,
     0, 1, HPTI_OPT_ANY_TIME | HPTI_OPT_LOCAL, NULL, NULL},
};
const size_t hpti_journal_n_options = sizeof hpti_journal_options / sizeof hpti_journal_options[0];

/* ---- options remembered for the resume rule ----------------------------- */

const hpti_jopt *hpti_journal_option(const struct hpti_journal *j, const char *name)
{
    for (size_t i = 0; i < j->n_opt; i++)
        if (strcmp(j->opt[i].name, name) == 0)
            return &j->opt[i];
    return NULL;
}

int hpti_journal_remember(struct hpti_journal *j, const char *name, double value,
                          const char *str)
{
    hpti_jopt *o = (hpti_jopt *)hpti_journal_option(j, name);
    char *sv = str ? hpti_strdup(str) : NULL;
    if (str && !sv)
        return HPT_E_NOMEM;
    if (!o) {
        char *nm = hpti_strdup(name);
        if (!nm || hpti_grow((void **)&j->opt, &j->cap_opt, j->n_opt + 1, sizeof *j->opt)) {
            hpti_free(nm);
            hpti_free(sv);
            return HPT_E_NOMEM;
        }
        o = &j->opt[j->n_opt++];
        o->name = nm;
        o->str = NULL;
    }
    hpti_free(o->str);
    o->str = sv;
    o->value = value;
    return HPT_OK;
}

void hpti_journal_close(struct hpti_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd); /* releases the lock */
    for (size_t i = 0; i < j->n_opt; i++) {
        hpti_free(j->opt[i].name);
        hpti_free(j->opt[i].str);
    }
    hpti_free(j->opt);
    hpti_free(j->buf);
    hpti_free(j->path);
    hpti_free(j);
}

/* ---- the journal as a sink ---------------------------------------------- */

static int sink_ready(void *ctx, const char *fn, char *msg)
{
    const struct hpti_journal *j = ctx;
    if (j->pid != getpid())
        return hpti_fail(msg, HPT_E_LOCKED,
                         "%s: journal '%s' belongs to process %ld; a child made by fork() "
                         "cannot write it (open the journal in this process once the "
                         "parent closed it)",
                         fn, j->path, (long)j->pid);
    if (j->broken)
        return hpti_fail(msg, HPT_E_IO,
                         "%s: an earlier journal write failed; reopen the journal to "
                         "resume",
                         fn);
    return HPT_OK;
}

static int remember(struct hpti_journal *j, const char *option, double value,
                    const char *str, char *msg)
{
    if (hpti_journal_remember(j, option, value, str))
        return hpti_fail(msg, HPT_E_NOMEM, "journal: out of memory");
    return HPT_OK;
}

static int sink_holds(void *ctx, const char *option, double value, const char *str)
{
    const hpti_jopt *o = hpti_journal_option(ctx, option);
    if (!o)
        return 0;
    return str ? o->str && strcmp(o->str, str) == 0
               : !o->str && memcmp(&o->value, &value, sizeof value) == 0;
}

/* An option is recorded when its value changes; set again to the value
 * it has, there is nothing new to record. */
static int emit_option(struct hpti_journal *j, const hpti_event *ev, char *msg)
{
    int is_str = ev->kind == HPTI_EV_OPTION_STR;
    if (sink_holds(j, ev->name, ev->value, is_str ? ev->str : NULL))
        return HPT_OK;
    int rc = remember(j, ev->name, is_str ? 0.0 : ev->value, is_str ? ev->str : NULL, msg);
    if (rc || ev->replayed)
        return rc;
    hpti_jrec_begin(j, is_str ? "option_str" : "option");
    hpti_jrec_str(j, ev->name);
    if (is_str)
        hpti_jrec_str(j, ev->str);
    else
        hpti_jrec_double(j, ev->value);
    return hpti_jrec_commit(j, msg);
}

static const char *const trial_record[] = {
    [HPTI_EV_ASK] = "ask", [HPTI_EV_REPORT] = "report", [HPTI_EV_TELL] = "tell",
    [HPTI_EV_FAIL] = "fail", [HPTI_EV_PRUNE] = "prune"};

static int sink_emit(void *ctx, const hpti_event *ev, char *msg)
{
    struct hpti_journal *j = ctx;
    if (ev->kind == HPTI_EV_OPTION || ev->kind == HPTI_EV_OPTION_STR)
        return emit_option(j, ev, msg);
    if (ev->replayed)
        return HPT_OK; /* the record holds it already */
    if (ev->kind == HPTI_EV_PRIOR || ev->kind == HPTI_EV_WARM) {
        hpti_jrec_begin(j, ev->kind == HPTI_EV_PRIOR ? "prior" : "warm");
        hpti_jrec_word(j, ev->name);
        hpti_jrec_i64(j, ev->id);
        if (ev->kind == HPTI_EV_PRIOR) {
            for (size_t k = 0; k < ev->n_values; k++) /* nan: the parent has none */
                if (isnan(ev->values[k]))
                    hpti_jrec_word(j, "nan");
                else
                    hpti_jrec_double(j, ev->values[k]);
            for (size_t i = 0; i < ev->dim; i++)
                hpti_jrec_double(j, ev->x[i]);
            hpti_jrec_end(j); /* the block goes out with its "warm" line */
            return HPT_OK;
        }
        hpti_jrec_i64(j, ev->used);
        hpti_jrec_i64(j, ev->skipped);
        hpti_jrec_str(j, ev->str);
        return hpti_jrec_commit(j, msg);
    }
    if (ev->kind == HPTI_EV_ENQUEUE) {
        hpti_jrec_begin(j, "enqueue");
        for (size_t i = 0; i < ev->dim; i++) {
            if (isnan(ev->x[i]))
                hpti_jrec_word(j, "nan");
            else
                hpti_jrec_double(j, ev->x[i]);
        }
        return hpti_jrec_commit(j, msg);
    }
    if (ev->kind == HPTI_EV_SHAPE) {
        if (ev->directions) {
            hpti_jrec_begin(j, "objectives");
            hpti_jrec_u64(j, ev->n_values);
            for (size_t k = 0; k < ev->n_values; k++)
                hpti_jrec_word(j, ev->directions[k] == HPT_MAXIMIZE ? "maximize" : "minimize");
        } else {
            hpti_jrec_begin(j, "constraints");
            hpti_jrec_i64(j, ev->used);
        }
        return hpti_jrec_commit(j, msg);
    }
    if (ev->kind == HPTI_EV_ATTR) {
        if (ev->id >= 0) {
            hpti_jrec_begin(j, "attr");
            hpti_jrec_i64(j, ev->id);
        } else
            hpti_jrec_begin(j, "study_attr");
        hpti_jrec_str(j, ev->name);
        hpti_jrec_str(j, ev->str);
        return hpti_jrec_commit(j, msg);
    }
    hpti_jrec_begin(j, trial_record[ev->kind]);
    hpti_jrec_i64(j, ev->id);
    hpti_jrec_i64(j, ev->ms);
    switch (ev->kind) {
    case HPTI_EV_ASK:
        hpti_jrec_double(j, ev->budget);
        hpti_jrec_i64(j, ev->parent);
        for (size_t i = 0; i < ev->dim; i++)
            hpti_jrec_double(j, ev->x[i]);
        break;
    case HPTI_EV_REPORT:
        hpti_jrec_double(j, ev->step);
        hpti_jrec_double(j, ev->value);
        break;
    case HPTI_EV_TELL:
        for (size_t k = 0; k < ev->n_values; k++)
            hpti_jrec_double(j, ev->values[k]);
        break;
    case HPTI_EV_FAIL:
        if (ev->str && ev->str[0])
            hpti_jrec_str(j, ev->str);
        break;
    default:
        break;
    }
    return hpti_jrec_commit(j, msg);
}

static void sink_close(void *ctx) { hpti_journal_close(ctx); }

const hpti_sink_ops hpti_journal_ops = {
    sink_ready, sink_emit, hpti_journal_options,
    sizeof hpti_journal_options / sizeof hpti_journal_options[0], sink_holds, sink_close};

hpti_sink hpti_journal_sink(struct hpti_journal *j)
{
    hpti_sink k = {&hpti_journal_ops, j};
    return k;
}

struct hpti_journal *hpti_journal_of(const hpti_sink *sink)
{
    return sink->ops == &hpti_journal_ops ? sink->ctx : NULL;
}
