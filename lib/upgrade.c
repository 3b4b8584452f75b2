/* upgrade.c -- bring a journal of format 1 (no sequence numbers) to the
 * current format when it is opened for writing, so that a job started
 * with an older libhpt resumes with this one.
 *
 * The converted journal is built beside the old one under a temporary
 * name, locked before it gets the journal's name, written and synced, and
 * then renamed over the old one: at every moment the name holds either the
 * whole old journal or the whole new one. The old bytes are kept as
 * "<path>.v1" (or ".v1.2" ... ".v1.9" when that exists) in case something
 * needs them. A process that opened the old file meanwhile finds on
 * locking that the name moved and opens again (jfile.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copy the first n bytes of file src to dst. */
static int copy_bytes(int src, int dst, off_t n)
{
    char buf[65536];
    for (off_t at = 0; at < n;) {
        size_t want = n - at < (off_t)sizeof buf ? (size_t)(n - at) : sizeof buf;
        ssize_t got = pread(src, buf, want, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || write_all(dst, buf, (size_t)got) != 0)
            return -1;
        at += got;
    }
    return 0;
}

/* Keep the old bytes (from the file: the reader's copy has its lines cut
 * into strings) under the first free backup name. */
static int keep_backup(const char *path, int src, off_t n, mode_t mode, char *backup,
                       size_t cap)
{
    for (int k = 1; k <= 9; k++) {
        if (k == 1)
            snprintf(backup, cap, "%s.v1", path);
        else
            snprintf(backup, cap, "%s.v1.%d", path, k);
        int fd = open(backup, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return -1;
        int bad = copy_bytes(src, fd, n) != 0 || fsync(fd) != 0;
        int e = errno;
        close(fd);
        if (bad) {
            unlink(backup);
            errno = e;
            return -1;
        }
        return 0;
    }
    errno = EEXIST;
    return -1;
}

/* The records of r up to byte `keep`, renumbered, into the new file t. */
static void build(struct hpti_journal *t, const hpti_jread *r, off_t keep)
{
    char head[64];
    hpti_journal_header(head, sizeof head);
    hpti_jrec_begin(t, head);
    for (size_t k = 1; k < r->n_line && r->line[k].end <= keep; k++) {
        hpti_jrec_end(t);
        hpti_jrec_begin(t, r->line[k].p);
    }
}

int hpti_journal_upgrade(struct hpti_journal *j, char *backup, size_t cap, char *msg)
{
    const char *step = "reading it";
    char tmp[4200];
    struct hpti_journal t;
    memset(&t, 0, sizeof t);
    t.fd = -1;
    backup[0] = '\0';
    hpti_jread r;
    /* Read again: replaying split the lines in place. */
    int rc = hpti_journal_read(j->fd, j->path, &r, msg);
    if (rc)
        return rc;
    struct stat sb;
    mode_t mode = fstat(j->fd, &sb) == 0 ? (sb.st_mode & 07777) : 0644;
    snprintf(tmp, sizeof tmp, "%s.upgrade%ld", j->path, (long)getpid());
    step = "creating the new file";
    t.fd = open(tmp, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (t.fd < 0 || hpti_journal_lock(t.fd) != 0)
        goto fail;
    t.path = j->path;
    t.pid = getpid();
    t.fsync = 1;
    build(&t, &r, j->size);
    step = "writing the new file";
    if (hpti_jrec_commit(&t, msg) != HPT_OK)
        goto fail;
    step = "keeping a copy of the old one";
    if (keep_backup(j->path, j->fd, j->size, mode, backup, cap) != 0)
        goto fail;
    step = "renaming the new file";
    if (rename(tmp, j->path) != 0)
        goto fail;
    hpti_sync_dir(j->path);
    close(j->fd); /* the old file's lock: the name is the new file's now */
    j->fd = t.fd;
    j->size = t.size;
    j->records = t.records;
    hpti_free(t.buf);
    hpti_jread_free(&r);
    return HPT_OK;
fail:
    rc = errno;
    if (t.fd >= 0) {
        close(t.fd);
        unlink(tmp);
    }
    if (backup[0] && strcmp(step, "renaming the new file") == 0)
        unlink(backup);
    hpti_free(t.buf);
    hpti_jread_free(&r);
    return hpti_fail(msg, HPT_E_IO,
                     "journal '%s' has format version 1 and could not be converted to "
                     "version %d (%s: %s); it is left as it was and can still be read "
                     "(hpt_study_load, warm start). To convert it, open it for writing "
                     "(hpt_study_open, hpt-tune --resume) where its directory is writable "
                     "and has room for a second copy",
                     j->path, HPTI_JOURNAL_VERSION, step, strerror(rc));
}
