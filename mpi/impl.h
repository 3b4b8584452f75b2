/* impl.h -- what the files of libhpt_mpi share: the wire protocol, the
 * handle, and the error and waiting helpers. Not installed.
 *
 * Protocol, on the library's own duplicate of the user's communicator:
 *   worker -> coordinator, tag TAG_REQ: one fixed-size request (req_msg);
 *   coordinator -> worker, tag TAG_REP: a reply header (rep_hdr), followed
 *   for a granted ask by the trial's `dim` parameter values.
 * The worker posts its receive before it sends, so a reply never waits for
 * a matching receive, whatever its size. The coordinator answers requests
 * one at a time in arrival order; a request that meets HPT_WAIT is held and
 * answered after a later tell or leave. LEAVE has no reply.
 *
 * Internal functions are named hptm_* and hidden (-fvisibility=hidden): the
 * shared library exports only hpt_mpi_*. */
#ifndef HPT_MPI_IMPL_H
#define HPT_MPI_IMPL_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "hpt_mpi.h"

#define MSG 256
enum { TAG_REQ = 7301, TAG_REP = 7302 };
enum { OP_ASK = 1, OP_REPORT, OP_TELL, OP_FAIL, OP_PRUNE, OP_LEAVE };

typedef struct {
    int32_t op;
    int32_t n_obj;  /* OP_TELL: objective values in values[], then n_con */
    int64_t trial;
    double step, value;
    int32_t n_con;  /* OP_TELL: constraint values after them */
    int32_t reserved;
    double values[HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS];
    char text[MSG]; /* OP_FAIL: the reason */
} req_msg;

typedef struct {
    int32_t status;
    int32_t should_stop;
    int64_t trial;
    int64_t resume_from;
    double budget;
    int64_t held;  /* trials the coordinator counts as run by the receiver */
    char msg[MSG]; /* the study's message when status != HPT_OK */
} rep_hdr;

struct hpt_mpi {
    MPI_Comm comm;      /* owned duplicate, MPI_ERRORS_RETURN */
    int rank, size, coordinator;
    int32_t role;
    hpt_space *space;   /* owned copy of the coordinator's space */
    size_t dim;
    double max_sleep;   /* idle nap cap, seconds; 0 = block in MPI */
    unsigned char *buf; /* rep_hdr + dim doubles */
    size_t buf_size;
    int got_done, left; /* worker: HPT_DONE received / left */
    int64_t held;       /* worker: trials it runs, as the coordinator counts */
    /* coordinator */
    hpt_study *study;   /* borrowed */
    int32_t *roles;     /* size entries */
    int served;
    char errmsg[MSG];
};

/* ---- errors (errors.c) ---- */

/* Message of the last failed create of this thread (no handle to hold it). */
extern _Thread_local char hptm_create_msg[MSG];

/* Write the message into h's buffer (or hptm_create_msg when h is NULL) and
 * return status. */
int hptm_fail(hpt_mpi *h, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* HPT_E_MPI with MPI's own text for error code err. */
int hptm_mpi_fail(hpt_mpi *h, int err, const char *what);
/* Copy a message (NULL = "") into a MSG-sized buffer, truncating. */
void hptm_copy_text(char *dst, const char *src);

/* ---- waiting (idle.c) ---- */

/* MPI_Wait with the handle's idle policy (hpt_mpi_set_idle). */
int hptm_wait(hpt_mpi *h, MPI_Request *r, MPI_Status *st);

/* ---- space on the wire (wire_space.c) ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int nomem;
} hptm_blob;

/* Append a description of sp to b, enough to rebuild it exactly.
 * @return HPT_OK, HPT_E_NOMEM or the status of a failed space query. */
int hptm_space_pack(const hpt_space *sp, hptm_blob *b);
/* *differ = 1 when a and b differ in a parameter's name, type, scale,
 * bounds or choices (or in size), with the first difference in why (MSG
 * bytes), b being the study's space. @return HPT_OK or HPT_E_NOMEM. */
int hptm_space_compare(const hpt_space *a, const hpt_space *b, int *differ, char *why);
/* Rebuild a space from hptm_space_pack's bytes into *out (caller owns).
 * @return HPT_OK, HPT_E_NOMEM, HPT_E_CORRUPT, or a space status. */
int hptm_space_unpack(const unsigned char *p, size_t n, hpt_space **out);

/* ---- replies ---- */

static inline void hptm_reply_init(rep_hdr *r, int status)
{
    memset(r, 0, sizeof *r);
    r->status = status;
    r->trial = -1;
    r->resume_from = -1;
}

#endif
