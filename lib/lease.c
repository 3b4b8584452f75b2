/* lease.c -- the lease table of a journal's writers and its records
 * (lease.h describes them). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lease.h"

int64_t hpti_wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Random, so that no two writers share one; without getrandom (old
 * kernels, seccomp) the clock, pid and an address, mixed (splitmix64). */
static uint64_t new_token(const void *where)
{
    uint64_t t = 0;
    if (getrandom(&t, sizeof t, GRND_NONBLOCK) == (ssize_t)sizeof t && t)
        return t;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    t = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^ (uint64_t)getpid() << 48 ^
        (uint64_t)(uintptr_t)where;
    t += 0x9e3779b97f4a7c15u;
    t = (t ^ t >> 30) * 0xbf58476d1ce4e5b9u;
    t = (t ^ t >> 27) * 0x94d049bb133111ebu;
    return (t ^ t >> 31) | 1;
}

static int add_owner(struct hpti_leases *l, uint64_t token, int64_t pid, const char *host)
{
    char *h = hpti_strdup(host);
    if (!h || hpti_grow((void **)&l->owner, &l->cap_owner, l->n_owner + 1, sizeof *l->owner)) {
        hpti_free(h);
        return -1;
    }
    l->owner[l->n_owner++] = (hpti_owner){token, pid, h, 0, 0};
    return 0;
}

struct hpti_leases *hpti_leases_of(struct hpti_journal *j)
{
    if (j->leases)
        return j->leases;
    struct hpti_leases *l = hpti_calloc(1, sizeof *l);
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "unknown");
    if (!l || add_owner(l, new_token(l), (int64_t)getpid(), host) != 0) {
        hpti_leases_free(l);
        return NULL;
    }
    j->leases = l;
    return l;
}

void hpti_leases_free(struct hpti_leases *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_owner; i++)
        hpti_free(l->owner[i].host);
    hpti_free(l->owner);
    hpti_free(l->of);
    hpti_free(l);
}

int hpti_lease_record(const char *type)
{
    return strcmp(type, "owner") == 0 || strcmp(type, "lease") == 0 ||
           strcmp(type, "beat") == 0 || strcmp(type, "release") == 0;
}

static int parse_token(const char *f, uint64_t *t)
{
    char *end;
    if (strlen(f) != 16)
        return -1;
    errno = 0;
    *t = strtoull(f, &end, 16);
    return *end || errno ? -1 : 0;
}

static int32_t find_owner(const struct hpti_leases *l, uint64_t token)
{
    for (size_t i = 0; i < l->n_owner; i++)
        if (l->owner[i].token == token)
            return (int32_t)i;
    return -1;
}

/* Trial id belongs to owner o. */
static int set_owner(struct hpti_leases *l, int64_t id, int32_t o)
{
    size_t need = (size_t)id + 1;
    if (need > l->n_of) {
        if (hpti_grow((void **)&l->of, &l->cap_of, need, sizeof *l->of))
            return -1;
        for (size_t i = l->n_of; i < need; i++)
            l->of[i] = -1;
        l->n_of = need;
    }
    l->of[id] = o;
    return 0;
}

#define BAD(what) hpti_fail(msg, HPT_E_CORRUPT, "malformed \"%s\" record", what)

int hpti_lease_replay(struct hpti_journal *j, char **f, size_t nf, int64_t n_trials,
                      char *msg)
{
    struct hpti_leases *l = hpti_leases_of(j);
    if (!l)
        return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    uint64_t token;
    int64_t ms, id, pid;
    int32_t o;
    if (strcmp(f[0], "owner") == 0) {
        if (nf != 5 || parse_token(f[1], &token) || hpti_jparse_i64(f[2], &pid) ||
            hpti_junescape(f[3]) || hpti_jparse_i64(f[4], &ms))
            return BAD("owner");
        if ((o = find_owner(l, token)) < 0) {
            if (add_owner(l, token, pid, f[3]))
                return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
            o = (int32_t)l->n_owner - 1;
        }
    } else if (strcmp(f[0], "lease") == 0) {
        if (nf != 4 || hpti_jparse_i64(f[1], &id) || id < 0 || id >= n_trials ||
            parse_token(f[2], &token) || hpti_jparse_i64(f[3], &ms))
            return BAD("lease");
        if ((o = find_owner(l, token)) < 0)
            return hpti_fail(msg, HPT_E_CORRUPT, "a lease of an owner not introduced");
        if (set_owner(l, id, o))
            return hpti_fail(msg, HPT_E_NOMEM, "out of memory");
    } else {
        if (nf != 3 || parse_token(f[1], &token) || hpti_jparse_i64(f[2], &ms))
            return BAD(f[0]);
        if ((o = find_owner(l, token)) < 0)
            return hpti_fail(msg, HPT_E_CORRUPT, "a %s of an owner not introduced", f[0]);
        l->owner[o].gone |= f[0][0] == 'r';
    }
    if (ms > l->owner[o].seen_ms)
        l->owner[o].seen_ms = ms;
    return HPT_OK;
}

static void put_token(struct hpti_journal *j, uint64_t token)
{
    char b[20];
    snprintf(b, sizeof b, "%016llx", (unsigned long long)token);
    hpti_jrec_word(j, b);
}

static void stamp(struct hpti_journal *j, struct hpti_leases *l)
{
    l->beat_ms = hpti_wall_ms();
    l->owner[0].seen_ms = l->beat_ms;
    hpti_jrec_i64(j, l->beat_ms);
}

int hpti_lease_take(struct hpti_journal *j, int64_t id, int write)
{
    struct hpti_leases *l = hpti_leases_of(j);
    if (!l || set_owner(l, id, 0))
        return HPT_E_NOMEM;
    if (!write)
        return HPT_OK;
    if (!l->introduced) {
        hpti_jrec_begin(j, "owner");
        put_token(j, l->owner[0].token);
        hpti_jrec_i64(j, l->owner[0].pid);
        hpti_jrec_str(j, l->owner[0].host);
        stamp(j, l);
        hpti_jrec_end(j);
        l->introduced = 1;
    }
    hpti_jrec_begin(j, "lease");
    hpti_jrec_i64(j, id);
    put_token(j, l->owner[0].token);
    stamp(j, l);
    return HPT_OK;
}

void hpti_lease_beat(struct hpti_journal *j)
{
    struct hpti_leases *l = j->leases;
    hpti_jrec_begin(j, "beat");
    put_token(j, l->owner[0].token);
    stamp(j, l);
}

void hpti_lease_release(struct hpti_journal *j)
{
    struct hpti_leases *l = j->leases;
    if (!l || !l->introduced || j->exclusive || j->broken || j->fd < 0 ||
        j->pid != getpid() || hpti_journal_hold(j->fd, j->ofd) != 0)
        return;
    struct stat sb;
    hpti_jread r;
    char msg[HPTI_MSG];
    if (fstat(j->fd, &sb) == 0 && sb.st_size >= j->size &&
        hpti_journal_read_from(j->fd, j->path, j->size, (size_t)j->records, &r, msg) ==
            HPT_OK) {
        if (r.good == sb.st_size) { /* a torn end: leave it to the next writer */
            j->records += (int64_t)r.n_line;
            j->size = r.good;
            hpti_jrec_begin(j, "release");
            put_token(j, l->owner[0].token);
            stamp(j, l);
            hpti_jrec_commit(j, msg);
        }
        hpti_jread_free(&r);
    }
    hpti_journal_release(j->fd, j->ofd);
}

int32_t hpti_lease_owner(const struct hpti_leases *l, int64_t id)
{
    return l && id >= 0 && (size_t)id < l->n_of ? l->of[id] : -1;
}

int hpti_lease_stale(const struct hpti_leases *l, int64_t id, int64_t now_ms,
                     double lease_seconds, int alone)
{
    int32_t o = hpti_lease_owner(l, id);
    if (o == 0)
        return 0;
    if (o < 0 || alone)
        return 1;
    const hpti_owner *w = &l->owner[o];
    if (w->gone || (double)(now_ms - w->seen_ms) > lease_seconds * 1000.0)
        return 1;
    /* Same host: a process that is gone holds nothing (EPERM: it exists). */
    return strcmp(w->host, l->owner[0].host) == 0 && w->pid > 0 &&
           kill((pid_t)w->pid, 0) != 0 && errno == ESRCH;
}
