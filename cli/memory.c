/* memory.c -- --max-memory: the peak resident memory of each trial's whole
 * process tree, measured by polling /proc (Linux).
 *
 * At each sample every process is read once (/proc/PID/status: PPid,
 * NSpgid, VmRSS, VmHWM). A trial's tree is its leader, every process whose
 * chain of parents reaches the leader, and every process of its process
 * group (which catches a child reparented to init after its parent died,
 * as long as it kept the group); its resident memory is the sum of their
 * VmRSS. The peak is the largest such sum seen, and at least the largest
 * VmHWM (the kernel's own per-process peak) of any one of them, so that a
 * spike of one process between two samples still counts. A spike of
 * several processes at once that lasts less than the sampling interval
 * (50 ms at the least, the job loop's tick at the most) can be missed. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hpt_tune.h"

typedef struct {
    pid_t pid, ppid, pgid;
    double rss, hwm; /* bytes */
} proc_row;

/* "Key:  123 kB" lines of /proc/PID/status. 0 when the process is gone. */
static int read_status(pid_t pid, proc_row *r)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    memset(r, 0, sizeof *r);
    r->pid = pid;
    r->pgid = -1;
    long long v;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "PPid: %lld", &v) == 1)
            r->ppid = (pid_t)v;
        else if (sscanf(line, "NSpgid: %lld", &v) == 1)
            r->pgid = (pid_t)v;
        else if (sscanf(line, "VmRSS: %lld", &v) == 1)
            r->rss = (double)v * 1024.0;
        else if (sscanf(line, "VmHWM: %lld", &v) == 1)
            r->hwm = (double)v * 1024.0;
    }
    fclose(f);
    return 1;
}

static int by_pid(const void *a, const void *b)
{
    pid_t x = ((const proc_row *)a)->pid, y = ((const proc_row *)b)->pid;
    return x < y ? -1 : x > y;
}

static proc_row *snapshot(size_t *n)
{
    DIR *d = opendir("/proc");
    proc_row *rows = NULL;
    size_t cap = 0;
    *n = 0;
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        proc_row r;
        if (!read_status((pid_t)atoi(e->d_name), &r))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            rows = cli_xrealloc(rows, cap * sizeof *rows);
        }
        rows[(*n)++] = r;
    }
    closedir(d);
    if (rows)
        qsort(rows, *n, sizeof *rows, by_pid);
    return rows;
}

/* Is row i in the tree of root? Follows parents (rows sorted by pid; at
 * most n steps: a snapshot is not atomic, so a cycle is possible in
 * principle). */
static int in_tree(const proc_row *rows, size_t n, size_t i, pid_t root)
{
    if (rows[i].pgid == root)
        return 1;
    pid_t p = rows[i].pid;
    for (size_t steps = 0; steps <= n && p > 1; steps++) {
        if (p == root)
            return 1;
        proc_row key = {.pid = p};
        const proc_row *r = bsearch(&key, rows, n, sizeof *rows, by_pid);
        if (!r)
            return 0;
        p = r->ppid;
    }
    return 0;
}

void cli_memory_poll(cli_trial *slots, const int *active, size_t n)
{
    static double last;
    double now = cli_now();
    if (now - last < 0.05)
        return;
    last = now;
    size_t any = 0;
    for (size_t s = 0; s < n; s++)
        any += active[s] && slots[s].pid > 0 && slots[s].exited_at == 0;
    if (!any)
        return;
    size_t np;
    proc_row *rows = snapshot(&np);
    for (size_t s = 0; s < n; s++) {
        cli_trial *t = &slots[s];
        if (!active[s] || t->pid <= 0 || t->exited_at > 0)
            continue;
        double sum = 0, hwm = 0;
        for (size_t i = 0; i < np; i++)
            if (in_tree(rows, np, i, t->pid)) {
                sum += rows[i].rss;
                hwm = rows[i].hwm > hwm ? rows[i].hwm : hwm;
            }
        double peak = sum > hwm ? sum : hwm;
        if (peak > t->peak_rss)
            t->peak_rss = peak;
    }
    free(rows);
}

int cli_parse_size(const char *s, double *bytes)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || v > 1e18)
        return -1;
    static const char units[] = "KMGT";
    double mult = 1;
    if (*end) {
        const char *u = strchr(units, toupper((unsigned char)*end));
        if (!u)
            return -1;
        for (const char *q = units; q <= u; q++)
            mult *= 1024;
        end++;
        if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
            end += strlen(end);
    }
    if (*end)
        return -1;
    *bytes = v * mult;
    return 0;
}
