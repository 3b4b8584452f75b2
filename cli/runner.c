/* runner.c -- one trial process.
 *
 * The command is started with posix_spawnp in a process group of its own
 * (so that stopping it reaches everything it started, and a Ctrl-C on the
 * terminal reaches only hpt-tune, which then stops the trials itself), stdin
 * from /dev/null, stdout and stderr into one pipe. hpt-tune reads the pipe,
 * appends every byte to the trial's log file and hands complete lines to the
 * metric parser.
 *
 * The leader's exit is noticed with waitid(WNOWAIT): the zombie keeps its
 * pid, so the process group id cannot be reused while we may still signal
 * it. Once the output reached EOF (or a straggler kept the pipe open for a
 * second after the leader exited), the whole group gets SIGKILL and the
 * leader is reaped: no trial leaves processes behind. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hpt_tune.h"

#define STRAGGLER_WAIT 1.0 /* seconds the pipe may stay open after the leader exits */
#define ABANDON_WAIT 2.0   /* then stop reading it altogether */
#define MAX_LINE 65536     /* longer lines are cut for matching (logged whole) */

static void write_all(int fd, const char *p, size_t n)
{
    while (fd >= 0 && n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* a full disk loses log text, not the job */
        }
        p += w;
        n -= (size_t)w;
    }
}

void cli_trial_note(cli_trial *t, const char *fmt, ...)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "# hpt-tune: ");
    va_list ap;
    va_start(ap, fmt);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    write_all(t->log_fd, buf, (size_t)n);
}

int cli_trial_start(cli_trial *t, char **argv, char **env, const char *log_path, char *err,
                    size_t errn)
{
    int p[2] = {-1, -1};
    t->pid = -1;
    t->fd = -1;
    t->end = CLI_END_NONE;
    t->log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (t->log_fd < 0) {
        snprintf(err, errn, "cannot open log '%s': %s", log_path, strerror(errno));
        return -1;
    }
    if (pipe2(p, O_CLOEXEC)) {
        snprintf(err, errn, "pipe: %s", strerror(errno));
        close(t->log_fd);
        t->log_fd = -1;
        return -1;
    }
    cli_trial_note(t, "trial %lld started", (long long)t->id);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dflt;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    /* A new group led by the child; signals we catch or ignore go back to
     * their defaults (SIGPIPE in particular); nothing is blocked. */
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGHUP);
    sigaddset(&dflt, SIGCHLD);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, &at, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]);
    t->started = cli_now();
    if (rc) {
        close(p[0]);
        t->end = CLI_END_SPAWN;
        t->code = rc;
        cli_trial_note(t, "cannot start '%s': %s", argv[0], strerror(rc));
        return 0;
    }
    t->pid = pid;
    t->fd = p[0];
    fcntl(t->fd, F_SETFL, fcntl(t->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

static void take_line(cli_trial *t, void (*on_line)(cli_trial *, const char *, void *), void *ctx)
{
    t->line[t->line_len < MAX_LINE ? t->line_len : MAX_LINE] = '\0';
    on_line(t, t->line, ctx);
    t->line_len = 0;
}

int cli_trial_read(cli_trial *t, void (*on_line)(cli_trial *, const char *, void *), void *ctx)
{
    char buf[65536];
    while (t->fd >= 0) {
        ssize_t n = read(t->fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            n = 0; /* treat other errors as EOF */
        }
        if (n == 0) {
            if (t->line_len)
                take_line(t, on_line, ctx);
            close(t->fd);
            t->fd = -1;
            return 1;
        }
        write_all(t->log_fd, buf, (size_t)n);
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c == '\n' || c == '\r') {
                /* \r ends progress-bar updates too; empty lines are skipped. */
                if (t->line_len)
                    take_line(t, on_line, ctx);
                continue;
            }
            if (t->line_len < MAX_LINE) {
                if (t->line_len + 2 > t->line_cap) {
                    t->line_cap = t->line_cap ? 2 * t->line_cap : 256;
                    t->line = cli_xrealloc(t->line, t->line_cap);
                }
                t->line[t->line_len] = c;
            }
            t->line_len++;
        }
    }
    return 1;
}

int cli_trial_reap(cli_trial *t)
{
    if (t->pid < 0 || t->exited_at > 0)
        return t->exited_at > 0 || t->end == CLI_END_SPAWN;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)t->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0)
        return 0;
    t->exited_at = cli_now();
    if (si.si_code == CLD_EXITED) {
        t->end = CLI_END_EXIT;
        t->code = si.si_status;
    } else {
        t->end = CLI_END_SIGNAL;
        t->code = si.si_status;
    }
    return 1;
}

static void signal_group(cli_trial *t, int sig)
{
    if (t->pid > 0)
        kill(-t->pid, sig);
}

void cli_trial_stop(cli_trial *t, cli_stop why, double grace)
{
    if (t->pid < 0 || t->stop != CLI_STOP_NONE)
        return;
    t->stop = why;
    signal_group(t, SIGTERM);
    t->kill_at = cli_now() + grace;
}

void cli_trial_tick(cli_trial *t, double now, double grace)
{
    if (t->pid < 0)
        return;
    if (t->stop == CLI_STOP_NONE && t->deadline > 0 && now >= t->deadline && !t->exited_at)
        cli_trial_stop(t, CLI_STOP_TIMEOUT, grace);
    if (t->kill_at > 0 && !t->killed && now >= t->kill_at) {
        signal_group(t, SIGKILL);
        t->killed = 1;
        cli_trial_note(t, "sent SIGKILL after a grace period of %g s", grace);
    }
    if (t->exited_at > 0 && t->fd >= 0) {
        if (now - t->exited_at > STRAGGLER_WAIT && !t->killed) {
            signal_group(t, SIGKILL);
            t->killed = 1;
        }
        if (now - t->exited_at > ABANDON_WAIT) {
            close(t->fd); /* a process that left the group holds the pipe */
            t->fd = -1;
        }
    }
}

int cli_trial_done(const cli_trial *t)
{
    return t->end == CLI_END_SPAWN || (t->exited_at > 0 && t->fd < 0);
}

void cli_trial_pidfile(cli_trial *t)
{
    if (!t->pidfile || t->pid <= 0)
        return;
    FILE *f = fopen(t->pidfile, "w");
    if (f) {
        fprintf(f, "%ld\n", (long)t->pid);
        fclose(f);
    }
}

/* Running or stopped, not yet dead: a zombie counts as gone (whether its
 * new parent reaps it soon is not ours to wait for). */
static int alive(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

int cli_kill_stale(const char *pidfile, const char *trial_dir)
{
    FILE *f = fopen(pidfile, "r");
    long pid = 0;
    if (!f)
        return 0;
    int ok = fscanf(f, "%ld", &pid) == 1 && pid > 1;
    fclose(f);
    if (!ok)
        return 0;
    /* Only a process that is really that trial: pids get reused. */
    char path[64], *want = cli_xasprintf("HPT_TRIAL_DIR=%s", trial_dir);
    snprintf(path, sizeof path, "/proc/%ld/environ", pid);
    int match = 0;
    f = fopen(path, "rb");
    if (f) {
        char *entry = NULL;
        size_t cap = 0;
        while (!match && getdelim(&entry, &cap, '\0', f) > 0)
            match = strcmp(entry, want) == 0;
        free(entry);
        fclose(f);
    }
    free(want);
    if (!match || getpgid((pid_t)pid) != (pid_t)pid)
        return 0;
    kill(-(pid_t)pid, SIGKILL);
    for (int i = 0; i < 200 && alive((pid_t)pid); i++)
        usleep(10000);
    return 1;
}

void cli_trial_close(cli_trial *t)
{
    if (t->pid > 0) {
        /* The leader is a zombie until reaped, so the group id is still ours. */
        signal_group(t, SIGKILL);
        int st;
        while (waitpid(t->pid, &st, 0) < 0 && errno == EINTR)
            ;
        t->pid = -1;
    }
    if (t->fd >= 0)
        close(t->fd);
    if (t->log_fd >= 0)
        close(t->log_fd);
    t->fd = t->log_fd = -1;
    if (t->pidfile)
        unlink(t->pidfile);
    free(t->pidfile);
    t->pidfile = NULL;
    free(t->line);
    t->line = NULL;
    t->line_len = t->line_cap = 0;
}
