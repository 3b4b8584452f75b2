/* journal.h -- the study journal: format, writer, reader.
 *
 * A journal is a text file of records, one per line, appended as the study
 * changes (the full format is in include/hpt.h, section Persistence):
 *
 *     <type> <field> ... <seq> <crc>\n
 *
 * Fields are separated by one space; <seq> is the line's number in the
 * file (1 for the header), so that a line deleted or moved anywhere is
 * found; <crc> is the CRC-32 (IEEE 802.3, the one of zlib.crc32) of the
 * bytes before the last space, as 8 lowercase hex digits. Format 1 (no
 * <seq>) is still read. Strings are %-escaped (bytes <= 0x20, '%' and 0x7f become %XX) so
 * that no field contains a space; doubles are written with the fewest
 * significant digits (15 to 17) that strtod reads back to the same bits. */
#ifndef HPT_JOURNAL_H
#define HPT_JOURNAL_H

#include <sys/types.h>

#include "common.h"
#include "crc32.h"
#include "options.h"
#include "sink.h"
#include "space.h"

#define HPTI_JOURNAL_MAGIC "hpt-journal"
#define HPTI_JOURNAL_VERSION 2
#define HPTI_JOURNAL_V1 1 /* the format before sequence numbers */

typedef struct {
    char *name;  /* owned */
    char *str;   /* owned, string options only */
    double value;
} hpti_jopt;

struct hpti_journal {
    int fd;
    char *path;        /* owned */
    int fsync;         /* 1: fdatasync after every record ("journal.fsync") */
    int broken;        /* a write failed: refuse further records */
    int64_t records;   /* records in the file */
    off_t size;        /* bytes of complete records */
    int64_t dropped;   /* bytes of a torn tail dropped at reopen */
    char note[HPTI_MSG]; /* what reopening found (torn record ...) */
    char *buf;         /* the record being built */
    size_t len, cap;
    size_t built;      /* lines ended in buf, not yet written */
    int oom;           /* building the record ran out of memory */
    pid_t pid;         /* the process that opened it: a child made by
                          fork() shares the descriptor (and an OFD lock)
                          but must not write */
    hpti_jopt *opt;    /* options as set, last value per name */
    size_t n_opt, cap_opt;
    /* several writers (tail.c, lease.c) */
    int ofd;           /* locks are open-file-description locks */
    int exclusive;     /* "journal.exclusive": no other writer */
    int caught_up;     /* exclusive, and the others' earlier records
                          taken in (tail.c) */
    int held;          /* the append lock is held (a call in progress) */
    double lease_seconds; /* "journal.lease_seconds" */
    struct hpti_leases *leases; /* owned: who runs which trial */
};


/* ---- writer (journal.c) ---- */
/* Shortest decimal form of x that strtod reads back bit for bit; out has
 * at least 32 bytes. */
void hpti_fmt_double(char *out, double x);
/* Build a record: begin, add fields, commit (checksum, newline, write,
 * fdatasync when enabled). commit returns HPT_OK or HPT_E_IO/HPT_E_NOMEM
 * and then marks the journal broken. */
void hpti_jrec_begin(struct hpti_journal *j, const char *type);
void hpti_jrec_word(struct hpti_journal *j, const char *w); /* as is     */
void hpti_jrec_str(struct hpti_journal *j, const char *s);  /* %-escaped */
void hpti_jrec_i64(struct hpti_journal *j, int64_t v);
void hpti_jrec_u64(struct hpti_journal *j, uint64_t v);
void hpti_jrec_double(struct hpti_journal *j, double v);
int hpti_jrec_commit(struct hpti_journal *j, char *msg);
/* Close the current record without writing: several records then go out
 * in the next commit, in one write(). */
void hpti_jrec_end(struct hpti_journal *j);
/* The header line of a new journal (without sequence number and checksum). */
void hpti_journal_header(char *out, size_t cap);
/* Write the header and creation block of a study (fresh journal). */
int hpti_journal_write_create(struct hpti_journal *j, const hpt_space *space,
                              const char *strategy, int32_t direction, uint64_t seed,
                              char *msg);
/* Remember an option's value (for the resume no-op rule). */
int hpti_journal_remember(struct hpti_journal *j, const char *name, double value,
                          const char *str);
const hpti_jopt *hpti_journal_option(const struct hpti_journal *j, const char *name);
void hpti_journal_close(struct hpti_journal *j);

/* The journal as a study's sink (sink.h): it records every event, and
 * closing it closes the file. */
extern const hpti_sink_ops hpti_journal_ops;
/* Options of the journal ("journal.fsync"), values in struct hpti_journal;
 * the sink's table. */
extern const hpti_option hpti_journal_options[];
extern const size_t hpti_journal_n_options;
hpti_sink hpti_journal_sink(struct hpti_journal *j);
/* The journal behind a sink, or NULL when the sink is not a journal. */
struct hpti_journal *hpti_journal_of(const hpti_sink *sink);

/* ---- files (jfile.c) ---- */
/* open(path, flags | O_CLOEXEC, mode) for a file that must be a regular
 * one: a FIFO, device or directory is refused at once (never waited on or
 * read without end). @return the descriptor, or -1 with *why (static)
 * saying why. */
int hpti_open_regular(const char *path, int flags, mode_t mode, const char **why);
/* A writer's locks on fd (jfile.c says which): its presence, taken
 * without waiting, then the append lock, waiting for it. *ofd = 1 asks
 * for open-file-description locks and says whether they were used.
 * @return 0, or -1 with errno (EAGAIN/EACCES: a study holds the journal
 * exclusively). hpti_journal_lock takes the presence only (a converted
 * file before its rename, upgrade.c). */
int hpti_journal_lock(int fd);
int hpti_journal_lock_ofd(int fd, int *ofd);
/* Take (waiting) and give back the append lock of a writer's fd. */
int hpti_journal_hold(int fd, int ofd);
void hpti_journal_release(int fd, int ofd);
/* Turn the writer's presence into exclusivity, without waiting. @return
 * 0, or -1 with errno (EAGAIN/EACCES: another writer has it open). */
int hpti_journal_exclusive(int fd, int ofd);
/* Open the journal at path for fn (hpt_study_open/load): read-only, or
 * for appending (created when create is set) with the writer's locks
 * (the append lock held: the caller reads and releases). @return HPT_OK
 * with *fd and *ofd; HPT_E_IO, HPT_E_LOCKED with the thread's message. */
int hpti_journal_open_file(const char *fn, const char *path, int readonly, int create,
                           int *fd, int *ofd);
/* Make a new file's directory entry durable (best effort). */
void hpti_sync_dir(const char *path);

/* ---- format 1 (upgrade.c) ---- */
/* j is a journal of format 1, open and locked, of j->size bytes of
 * complete records: rewrite it in the current format under its name (the
 * old bytes kept as "<path>.v1...", named in backup) and make j write the
 * new file. @return HPT_OK; HPT_E_IO (msg says how to convert it), the
 * old file untouched and still j's. */
int hpti_journal_upgrade(struct hpti_journal *j, char *backup, size_t cap, char *msg);

/* ---- reader (reader.c) ---- */
/* open(path, flags | O_CLOEXEC, mode) for a file that must be a regular
 * one: a FIFO, device or directory is refused at once (never waited on or
 * read without end). @return the descriptor, or -1 with *why (static)
 * saying why. */
int hpti_open_regular(const char *path, int flags, mode_t mode, const char **why);

typedef struct {
    char *p;        /* the record without its checksum, NUL-terminated */
    size_t lineno;  /* 1-based */
    off_t end;      /* file offset just past its newline */
} hpti_jline;

typedef struct {
    char *data;        /* owned: the file's bytes, NUL-terminated copy */
    size_t size;
    hpti_jline *line;  /* owned: every verified line */
    size_t n_line;
    off_t good;        /* bytes of verified lines */
    int version;       /* format of the header, 0 when unreadable */
    int torn;          /* the last line was torn and left out */
    char torn_why[160];
} hpti_jread;

/* Read and verify a journal from fd (from offset 0). Every line but the
 * last must end in a newline and carry a matching checksum, and (format 2)
 * every line's sequence number must be its line number, else
 * HPT_E_CORRUPT naming `name` and the line; a last line without newline
 * or checksum is left out (torn = 1, torn_why says why). Lines are given
 * without sequence number and checksum. */
int hpti_journal_read(int fd, const char *name, hpti_jread *r, char *msg);
/* The same for the records after the first `lines` ones, which end at
 * byte `start` (a writer's tail, tail.c): line numbers go on from lines +
 * 1, offsets (end, good) stay the file's. */
int hpti_journal_read_from(int fd, const char *name, off_t start, size_t lines,
                           hpti_jread *r, char *msg);
void hpti_jread_free(hpti_jread *r);

/* Split a record into fields in place (on single spaces); returns the
 * number of fields, at most max (more: returns max + 1). */
size_t hpti_jsplit(char *p, char **field, size_t max);
/* Undo %-escaping in place. @return 0, or -1 for a bad escape. */
int hpti_junescape(char *s);
/* Parse a whole field. @return 0, or -1 when it is not a number. */
int hpti_jparse_double(const char *f, double *v);
int hpti_jparse_i64(const char *f, int64_t *v);
int hpti_jparse_u64(const char *f, uint64_t *v);

/* A study's shape record: "objectives N dir_1 .. dir_N" (N in 1 ..
 * HPT_MAX_OBJECTIVES, each "minimize" or "maximize") or "constraints M"
 * (M in 0 .. HPT_MAX_CONSTRAINTS), as hpt_study_set_objectives and
 * _set_constraints record them. The one parser of every path that reads
 * them (replay: reopen and load; warm start's parent), so that a record is
 * taken or refused alike everywhere. */
typedef struct {
    int objectives; /* 1: n objectives, directions in dir; 0: n constraints */
    size_t n;
    int32_t dir[HPT_MAX_OBJECTIVES];
} hpti_jshape;
/* Parse the nf fields f (f[0] "objectives" or "constraints") into *sh.
 * @return 0, or -1 with why (HPTI_MSG bytes) saying what is wrong. */
int hpti_jparse_shape(char **f, size_t nf, hpti_jshape *sh, char *why);

/* The creation block: header, "create", one "param" per parameter,
 * "begin". On HPT_OK *space is a new space (caller owns), strategy points
 * into r, and *next is the index of the first line after "begin". @return
 * HPT_OK; 1 when the lines end before "begin" (a creation that never
 * finished); HPT_E_CORRUPT/HPT_E_MISMATCH/HPT_E_NOMEM with msg. */
int hpti_journal_parse_create(hpti_jread *r, const char *name, hpt_space **space,
                              const char **strategy, int32_t *direction,
                              uint64_t *seed, size_t *next, char *msg);

#endif
