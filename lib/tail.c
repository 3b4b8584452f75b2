/* tail.c -- several studies, in one process or many, writing one journal.
 *
 * Every change a study makes starts here: under the journal's append lock
 * (jfile.c) it reads the records the other writers appended since it last
 * looked and applies each one through the resume's own replay
 * (hpti_replay_lines), so that its strategy has followed the one logical
 * sequence of calls the file holds; then it makes its change and appends
 * its record, and only then gives the lock back. Trial ids therefore stay
 * unique (an ask's id is the file's next trial), and two writers with the
 * same seed never repeat a proposal: the second replays the first's ask
 * before making its own. Leases (lease.h) tell which writer runs which
 * trial; this file renews them and answers hpt_study_stale/_claim. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "durable.h"
#include "lease.h"
#include "tail.h"

static struct hpti_journal *writer_of(hpt_study *s)
{
    return s->replaying ? NULL : hpti_journal_of(&s->sink);
}

/* Apply the records past j->size. Cutting a torn end is safe here: no
 * other writer is writing (the lock, or exclusivity), so a torn line is
 * that of a writer that died in its write. */
static int take_in(hpt_study *s, struct hpti_journal *j, off_t now, const char *fn)
{
    char msg[HPTI_MSG];
    if (now < j->size)
        return hpti_fail(s->errmsg, HPT_E_CORRUPT,
                         "%s: journal '%s' shrank from %lld to %lld bytes behind this "
                         "study's back",
                         fn, j->path, (long long)j->size, (long long)now);
    hpti_jread r;
    int rc = hpti_journal_read_from(j->fd, j->path, j->size, (size_t)j->records, &r, msg);
    if (rc)
        return hpti_fail(s->errmsg, rc, "%s: %s", fn, msg);
    double base = s->done.base; /* the active time is this process's own */
    hpti_wallclock own = s->wall; /* so is the wall-clock anchor */
    off_t keep = 0;
    char note[HPTI_MSG] = "";
    s->wall = s->file_wall; /* the others' records follow the file's anchors */
    s->replaying = 1;
    rc = hpti_replay_lines(s, &r, j->path, &keep, note);
    s->replaying = 0;
    s->done.base = base;
    s->file_wall = s->wall;
    s->wall = own;
    if (rc) {
        /* Part of the tail may be applied: this study no longer follows
         * the file, so it writes nothing more (reopen to go on). */
        j->broken = 1;
        snprintf(msg, sizeof msg, "%s", s->errmsg);
        hpti_jread_free(&r);
        return hpti_fail(s->errmsg, rc, "%s: taking in other writers' records: %s", fn, msg);
    }
    if (keep < j->size)
        keep = j->size;
    for (size_t k = 0; k < r.n_line && r.line[k].end <= keep; k++)
        j->records++;
    if (keep < now && ftruncate(j->fd, keep) != 0)
        rc = hpti_fail(s->errmsg, HPT_E_IO, "%s: cannot cut the torn end off '%s' (%s)", fn,
                       j->path, strerror(errno));
    j->size = keep;
    hpti_jread_free(&r);
    return rc;
}

int hpti_tail_begin(hpt_study *s, const char *fn)
{
    struct hpti_journal *j = writer_of(s);
    if (!j || j->held)
        return HPT_OK;
    int rc = hpti_journal_ops.ready(j, fn, s->errmsg); /* fork()ed child, broken */
    if (rc)
        return rc;
    if (j->exclusive && j->caught_up)
        return HPT_OK; /* exclusive and up to date: no one else appends */
    if (!j->exclusive) {
        if (hpti_journal_hold(j->fd, j->ofd) != 0)
            return hpti_fail(s->errmsg, HPT_E_IO, "%s: cannot lock journal '%s' (%s)", fn,
                             j->path, strerror(errno));
        j->held = 1;
    }
    /* Made exclusive: no one appends from now on, but others may have
     * before, so the first change takes their records in once. */
    struct stat sb;
    if (fstat(j->fd, &sb) != 0)
        rc = hpti_fail(s->errmsg, HPT_E_IO, "%s: cannot read journal '%s' (%s)", fn, j->path,
                       strerror(errno));
    else if (sb.st_size != j->size)
        rc = take_in(s, j, sb.st_size, fn);
    if (!rc && j->exclusive)
        j->caught_up = 1;
    if (rc && j->held) {
        hpti_journal_release(j->fd, j->ofd);
        j->held = 0;
    }
    return rc;
}

/* Does this writer run a trial? (Scanned only when a beat is due.) */
static int runs_trials(const hpt_study *s, const struct hpti_leases *l)
{
    for (size_t i = 0; i < l->n_of && i < s->n_trials; i++)
        if (l->of[i] == 0 && s->trials[i].state == HPT_TRIAL_RUNNING)
            return 1;
    return 0;
}

static int beat(struct hpti_journal *j, char *msg)
{
    hpti_lease_beat(j);
    return hpti_jrec_commit(j, msg);
}

void hpti_tail_end(hpt_study *s)
{
    struct hpti_journal *j = writer_of(s);
    if (!j || !j->held)
        return;
    /* Renew the lease a few times within it, so a late beat is not
     * mistaken for a dead writer; a failed write marks the journal broken
     * and the next call says so. */
    const struct hpti_leases *l = j->leases;
    char msg[HPTI_MSG];
    if (l && l->introduced && !j->broken &&
        (double)(hpti_wall_ms() - l->beat_ms) >= j->lease_seconds * 250.0 &&
        runs_trials(s, l))
        beat(j, msg);
    hpti_journal_release(j->fd, j->ofd);
    j->held = 0;
}

/* ---- public calls ---------------------------------------------------------- */

static struct hpti_journal *need_journal(hpt_study *s, const char *fn, int *rc)
{
    struct hpti_journal *j = hpti_journal_of(&s->sink);
    *rc = j ? HPT_OK
            : hpti_fail(s->errmsg, HPT_E_STATE,
                        "%s: the study has no journal (hpt_study_open; a snapshot of "
                        "hpt_study_load holds none)",
                        fn);
    return j;
}

int hpt_study_heartbeat(hpt_study *s)
{
    const char *fn = "hpt_study_heartbeat";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    pthread_mutex_lock(&s->lock);
    int rc;
    struct hpti_journal *j = need_journal(s, fn, &rc);
    if (j && !(rc = hpti_tail_begin(s, fn))) {
        if (j->held && j->leases && j->leases->introduced)
            rc = beat(j, s->errmsg);
        hpti_tail_end(s);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int hpt_study_stale(hpt_study *s, int64_t *ids, size_t n, size_t *needed)
{
    const char *fn = "hpt_study_stale";
    hpti_clear_error();
    if (!s || (!ids && n) || !needed)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: NULL argument", fn);
    *needed = 0;
    pthread_mutex_lock(&s->lock);
    int rc;
    struct hpti_journal *j = need_journal(s, fn, &rc);
    if (j && !(rc = hpti_tail_begin(s, fn))) {
        int64_t now = hpti_wall_ms();
        size_t k = 0;
        for (size_t i = 0; i < s->n_trials; i++)
            if (s->trials[i].state == HPT_TRIAL_RUNNING &&
                hpti_lease_stale(j->leases, (int64_t)i, now, j->lease_seconds, j->exclusive)) {
                if (k < n)
                    ids[k] = (int64_t)i;
                k++;
            }
        *needed = k;
        if (k > n)
            rc = hpti_fail(s->errmsg, HPT_E_RANGE,
                           "%s: %zu trials are stale, the buffer holds %zu", fn, k, n);
        hpti_tail_end(s);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int claim_locked(hpt_study *s, struct hpti_journal *j, int64_t id, const char *fn)
{
    if (id < 0 || (uint64_t)id >= s->n_trials)
        return hpti_fail(s->errmsg, HPT_E_TRIAL, "%s: no trial %lld (the study has %zu)", fn,
                         (long long)id, s->n_trials);
    if (s->trials[id].state != HPT_TRIAL_RUNNING)
        return hpti_fail(s->errmsg, HPT_E_STATE, "%s: trial %lld is already finished", fn,
                         (long long)id);
    int32_t o = hpti_lease_owner(j->leases, id);
    if (o == 0)
        return HPT_OK;
    if (!hpti_lease_stale(j->leases, id, hpti_wall_ms(), j->lease_seconds, j->exclusive)) {
        const hpti_owner *w = &j->leases->owner[o];
        return hpti_fail(s->errmsg, HPT_E_STATE,
                         "%s: trial %lld is held by process %lld on '%.64s', whose lease "
                         "was renewed %.1f s ago (\"journal.lease_seconds\" = %g)",
                         fn, (long long)id, (long long)w->pid, w->host,
                         (double)(hpti_wall_ms() - w->seen_ms) / 1000.0, j->lease_seconds);
    }
    int write = !j->exclusive;
    if (hpti_lease_take(j, id, write))
        return hpti_fail(s->errmsg, HPT_E_NOMEM, "%s: out of memory", fn);
    return write ? hpti_jrec_commit(j, s->errmsg) : HPT_OK;
}

int hpt_study_claim(hpt_study *s, int64_t id)
{
    const char *fn = "hpt_study_claim";
    hpti_clear_error();
    if (!s)
        return hpti_fail(NULL, HPT_E_INVALID, "%s: study is NULL", fn);
    pthread_mutex_lock(&s->lock);
    int rc;
    struct hpti_journal *j = need_journal(s, fn, &rc);
    if (j && !(rc = hpti_tail_begin(s, fn))) {
        rc = claim_locked(s, j, id, fn);
        hpti_tail_end(s);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}
