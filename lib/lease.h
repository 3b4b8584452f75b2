/* lease.h -- who runs which trial when several writers share a journal.
 *
 * A writer introduces itself before its first trial with
 *     owner <token> <pid> <host> <unix_ms>
 * (token: 16 hex digits drawn at random for each open journal, so that two
 * studies of one process, or a pid reused on another host, never mix up),
 * marks each trial it asks or takes over with
 *     lease <id> <token> <unix_ms>
 * and, while it has trials running, renews its lease with
 *     beat <token> <unix_ms>
 * and gives up what it still runs when its study is destroyed with
 *     release <token> <unix_ms>
 * unix_ms is the wall clock (CLOCK_REALTIME) in milliseconds, since
 * writers on several hosts compare them. A running trial of another writer
 * is stale when that writer's last record is older than the lease
 * ("journal.lease_seconds"), or at once when the writer released it or
 * ran on this host and its process is gone; a trial with no lease at all was asked by a
 * writer that held the journal alone ("journal.exclusive", or a library
 * before leases), and since this one could open the journal that writer is
 * gone: stale as well. */
#ifndef HPT_LEASE_H
#define HPT_LEASE_H

#include "journal.h"

typedef struct {
    uint64_t token;
    int64_t pid;
    char *host;      /* owned */
    int64_t seen_ms; /* its last owner, lease or beat record */
    int gone;        /* its "release" record was seen */
} hpti_owner;

struct hpti_leases {
    hpti_owner *owner; /* owner[0] is this journal's writer */
    size_t n_owner, cap_owner;
    int32_t *of;       /* trial id -> owner index, -1: no lease */
    size_t n_of, cap_of;
    int introduced;    /* owner[0]'s "owner" record is in the file */
    int64_t beat_ms;   /* owner[0]'s last record (renews its lease) */
};

#define HPTI_LEASE_SECONDS 600.0

/* Wall clock in milliseconds. */
int64_t hpti_wall_ms(void);

/* j's table, made on first use with this writer as owner 0. NULL: out of
 * memory. */
struct hpti_leases *hpti_leases_of(struct hpti_journal *j);
void hpti_leases_free(struct hpti_leases *l);

/* 1 when type is "owner", "lease", "beat" or "release". */
int hpti_lease_record(const char *type);
/* Take in one such record (fields f[0..nf), n_trials trials known). @return
 * HPT_OK; HPT_E_CORRUPT (malformed: msg says why, without the line);
 * HPT_E_NOMEM. */
int hpti_lease_replay(struct hpti_journal *j, char **f, size_t nf, int64_t n_trials,
                      char *msg);

/* Trial id is this writer's (it asked or took it over). With write, the
 * record being built gets the lines that say so: "owner" the first time,
 * then "lease", left open for the caller's commit. @return HPT_OK;
 * HPT_E_NOMEM. */
int hpti_lease_take(struct hpti_journal *j, int64_t id, int write);
/* Build a "beat" record (open: the caller commits). */
void hpti_lease_beat(struct hpti_journal *j);
/* The study closes: best effort, append "release" (if this writer ever
 * took a trial and shares the journal), counting the lines others
 * appended since it last looked without applying them. */
void hpti_lease_release(struct hpti_journal *j);

/* Owner index of trial id, -1 without a lease. */
int32_t hpti_lease_owner(const struct hpti_leases *l, int64_t id);
/* Is running trial id stale, seen by owner 0 at now_ms? alone: owner 0
 * is the journal's only writer ("journal.exclusive"), so every other
 * writer is gone. */
int hpti_lease_stale(const struct hpti_leases *l, int64_t id, int64_t now_ms,
                     double lease_seconds, int alone);

#endif
