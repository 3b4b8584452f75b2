/* jfile.c -- the journal as a file: open only regular files, take the
 * writers' locks, make a new directory entry durable. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"

/* O_NONBLOCK so that opening a FIFO returns at once instead of waiting for
 * a writer; it is cleared again since it means nothing for regular files. */
int hpti_open_regular(const char *path, int flags, mode_t mode, const char **why)
{
    int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK, mode);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        *why = strerror(errno);
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        *why = S_ISDIR(sb.st_mode)                         ? "a directory, not a file"
               : S_ISFIFO(sb.st_mode)                      ? "a FIFO, not a regular file"
               : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device, not a regular file"
                                                           : "not a regular file";
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        *why = strerror(errno);
        close(fd);
        return -1;
    }
    return fd;
}

/* Locks. A writer holds two byte ranges of the journal (beyond its end:
 * a lock needs no data there), both as open-file-description locks (Linux
 * >= 3.15), which conflict between two opens in one process as well as
 * between processes and are not released when another descriptor of the
 * file is closed:
 *   byte 0, "presence": read-locked by every writer for its life, so that
 *     "journal.exclusive" (a write lock on it, taken without waiting)
 *     succeeds only when no other writer has the journal open, and a
 *     writer opening meanwhile is refused at once;
 *   byte 1, "append": write-locked, waiting, only while a writer takes in
 *     the others' records and appends its own (tail.c).
 * Elsewhere classic POSIX locks are the fallback: they are the process's,
 * so a mutex keeps two studies of one process apart on byte 1 (a
 * process-wide lock is the point here, hence the one mutable static of the
 * library), and closing any descriptor of the file drops them: there, a
 * process must not read a journal it writes (hpt_study_load). */
#define PRESENCE 0
#define APPEND 1

static pthread_mutex_t classic_append = PTHREAD_MUTEX_INITIALIZER;

static int lock_byte(int fd, off_t at, short type, int wait, int *ofd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = at;
    fl.l_len = 1;
    int rc;
#ifdef F_OFD_SETLK
    if (*ofd) {
        while ((rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) != 0 && errno == EINTR)
            ;
        if (rc == 0 || errno != EINVAL)
            return rc;
        *ofd = 0;
    }
#else
    *ofd = 0;
#endif
    while ((rc = fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl)) != 0 && errno == EINTR)
        ;
    return rc;
}

/* The new file of a format-1 conversion (upgrade.c): no other writer sees
 * it before it is renamed into place, so its presence is enough (and a
 * second append lock would wait on the process-wide mutex held for the
 * old file). */
int hpti_journal_lock(int fd)
{
    int ofd = 1;
    return lock_byte(fd, PRESENCE, F_RDLCK, 0, &ofd);
}

int hpti_journal_lock_ofd(int fd, int *ofd)
{
    if (lock_byte(fd, PRESENCE, F_RDLCK, 0, ofd) != 0)
        return -1;
    return hpti_journal_hold(fd, *ofd);
}

int hpti_journal_hold(int fd, int ofd)
{
    if (!ofd)
        pthread_mutex_lock(&classic_append);
    int rc = lock_byte(fd, APPEND, F_WRLCK, 1, &ofd);
    if (rc != 0 && !ofd)
        pthread_mutex_unlock(&classic_append);
    return rc;
}

void hpti_journal_release(int fd, int ofd)
{
    if (lock_byte(fd, APPEND, F_UNLCK, 0, &ofd) != 0)
        HPTI_UNUSED(0); /* unlocking a held lock does not fail */
    if (!ofd)
        pthread_mutex_unlock(&classic_append);
}

int hpti_journal_exclusive(int fd, int ofd)
{
    return lock_byte(fd, PRESENCE, F_WRLCK, 0, &ofd);
}

/* Make a new file's directory entry durable. */
void hpti_sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof dir)
        return;
    if (slash && n == 0)
        n = 1; /* "/file" */
    memcpy(dir, slash ? path : ".", slash ? n : 1);
    dir[slash ? n : 1] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (fsync(fd) != 0)
            HPTI_UNUSED(0); /* some file systems cannot; the data is synced */
        close(fd);
    }
}

/* The lock is taken on the file that was opened; should the name have been
 * moved to another file meanwhile (a journal upgraded by another process,
 * see upgrade.c), that lock guards nothing and the open starts again. */
int hpti_journal_open_file(const char *fn, const char *path, int readonly, int create,
                           int *out, int *ofd)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        const char *why = NULL;
        int flags = readonly ? O_RDONLY : O_RDWR | O_APPEND | (create ? O_CREAT : 0);
        int fd = hpti_open_regular(path, flags, 0644, &why);
        if (fd < 0)
            return hpti_fail(NULL, HPT_E_IO, "%s: cannot open '%s' (%s)", fn, path, why);
        if (readonly) {
            *out = fd;
            return HPT_OK;
        }
        *ofd = 1;
        if (hpti_journal_lock_ofd(fd, ofd) != 0) {
            int e = errno;
            close(fd);
            if (e == EAGAIN || e == EACCES)
                return hpti_fail(NULL, HPT_E_LOCKED,
                                 "%s: journal '%s' is held by a study with "
                                 "\"journal.exclusive\" (locked)",
                                 fn, path);
            return hpti_fail(NULL, HPT_E_IO, "%s: cannot lock '%s' (%s)", fn, path,
                             strerror(e));
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            *out = fd;
            return HPT_OK;
        }
        close(fd);
    }
    return hpti_fail(NULL, HPT_E_LOCKED, "%s: journal '%s' keeps being replaced", fn, path);
}
