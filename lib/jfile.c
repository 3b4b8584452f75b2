/* jfile.c -- the journal as a file: open only regular files, take the
 * writer's lock, make a new directory entry durable. */
#include <errno.h>
#include <fcntl.h>
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

/* Take the journal's write lock without waiting. Open-file-description
 * locks (Linux >= 3.15) conflict between two opens in one process as well
 * as between processes; classic POSIX locks are the fallback. */
int hpti_journal_lock(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
#endif
    return fcntl(fd, F_SETLK, &fl);
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
                           int *out)
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
        if (hpti_journal_lock(fd) != 0) {
            int e = errno;
            close(fd);
            if (e == EAGAIN || e == EACCES)
                return hpti_fail(NULL, HPT_E_LOCKED,
                                 "%s: journal '%s' is in use by another study (locked)", fn,
                                 path);
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
