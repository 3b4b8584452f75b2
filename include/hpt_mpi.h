/*
 * hpt_mpi.h -- libhpt_mpi, one libhpt study shared by the ranks of an MPI
 * job. Optional: the core library (hpt.h) knows nothing of MPI.
 *
 * One rank, the coordinator, owns the study (made with hpt_study_create, or
 * opened from a journal: the coordinator takes any hpt_study*). Every other
 * rank is a worker that asks the coordinator for a trial, trains, reports and
 * tells through MPI point-to-point messages; or a member of a worker's group
 * that trains data-parallel with it and never talks to the coordinator.
 * There is no barrier between trials: each worker asks when it is free.
 *
 *     MPI_Init(&argc, &argv);
 *     MPI_Comm_rank(MPI_COMM_WORLD, &rank);
 *     if (rank == 0) { build space sp; hpt_study_create(sp, "random", ...,
 *                      &st); hpt_study_set(st, "max_trials", 200); }
 *     hpt_mpi_create(MPI_COMM_WORLD, 0, HPT_MPI_WORKER, st, sp, &h);
 *     if (rank == 0) {
 *         hpt_mpi_serve(h);                  // until every worker is done
 *         hpt_study_best(st, &id, &v);
 *     } else {
 *         double x[D]; int64_t id;
 *         while (hpt_mpi_ask(h, &id, x, D, NULL, NULL) == HPT_OK)
 *             hpt_mpi_tell(h, id, train(x));  // or hpt_mpi_tell_failed
 *     }
 *     hpt_mpi_destroy(h);
 *     MPI_Finalize();
 *
 * Design (why it is this way):
 *  - The coordinator serves requests in hpt_mpi_serve, a loop on one
 *    MPI_Irecv(MPI_ANY_SOURCE) at a time, answered in arrival order; no
 *    thread, so MPI_THREAD_SINGLE is enough (MPI_THREAD_MULTIPLE is often
 *    slow or missing). The coordinator rank does not train while it serves;
 *    when idle it sleeps in short, growing naps (hpt_mpi_set_idle) instead
 *    of spinning, so it can share a node's cores with training ranks.
 *  - HPT_WAIT (the strategy has no trial until running ones finish) never
 *    reaches the worker: the coordinator holds the worker's request and
 *    answers it when a tell makes a trial available (or the study is done).
 *  - HPT_DONE: once the study is complete every ask is answered HPT_DONE;
 *    the worker stops asking, hpt_mpi_serve returns when every worker got
 *    HPT_DONE (or left) and no worker holds a trial, and every rank shuts
 *    down without a barrier.
 *  - Ownership: the coordinator records which worker holds each running
 *    trial; only that worker may report on or finish it (another gets
 *    HPT_E_MPI_NOT_HELD and the study is unchanged), and each reply tells
 *    the worker how many trials it holds, so that its hpt_mpi_destroy
 *    leaves whenever hpt_mpi_serve still waits for it.
 *  - Faults: a worker's hpt_mpi_tell_failed gives a failed trial. A worker
 *    that leaves (hpt_mpi_leave, or hpt_mpi_destroy before HPT_DONE or
 *    while it holds trials) has its running trials recorded as failed. A
 *    whole-job abort is recovered through the study's journal: reopen the
 *    study on the coordinator and serve again; trials that were running at
 *    the abort are handed out again first (same id and configuration), so
 *    every asked trial is finished exactly once.
 *  - Errors: every function returns an int status as in hpt.h; the library
 *    never prints, exits or aborts. Statuses of the coordinator's study calls
 *    travel back to the worker with their message (hpt_mpi_errmsg). MPI
 *    failures give HPT_E_MPI: the library works on its own duplicate of the
 *    communicator with MPI_ERRORS_RETURN (the caller's communicator and its
 *    error handler are untouched).
 *  - Threads: a handle is used by one thread at a time (MPI_THREAD_SINGLE
 *    or FUNNELED suffices). The coordinator's study keeps its own lock, so
 *    other threads of the coordinator rank may read it while it is served.
 *  - Messages are raw bytes: all ranks must share one binary layout (the
 *    same architecture), as in nearly every MPI job.
 *  - Allocation uses the C library's malloc directly (this library is
 *    outside libhpt's allocation hooks).
 *
 * A trial = a group of ranks (data-parallel training of one trial):
 *
 *     color = rank == 0 ? MPI_UNDEFINED : (rank - 1) / ranks_per_trial;
 *     MPI_Comm_split(MPI_COMM_WORLD, color, rank, &group);
 *     leader = group rank 0;
 *     hpt_mpi_create(MPI_COMM_WORLD, 0,
 *                    leader ? HPT_MPI_WORKER : HPT_MPI_MEMBER, st, sp, &h);
 *     // every rank of the group:
 *     while (hpt_mpi_ask_group(h, group, &id, x, D, &budget, NULL) == HPT_OK) {
 *         for (epoch ...) {
 *             train the shard; MPI_Allreduce the gradients on `group`;
 *             hpt_mpi_report_group(h, group, id, epoch, val_loss, &stop);
 *             if (stop) break;                    // all ranks agree
 *         }
 *         if (leader) hpt_mpi_tell(h, id, val_loss);
 *     }
 *
 * Only the leader exchanges messages with the coordinator; ask_group and
 * report_group broadcast its answer over the group, so all ranks of a trial
 * see the same id, configuration, budget and stop decision.
 */
#ifndef HPT_MPI_H
#define HPT_MPI_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "hpt.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HPT_MPI_BUILDING) && defined(__GNUC__)
#define HPT_MPI_API __attribute__((visibility("default")))
#else
#define HPT_MPI_API
#endif

/* An MPI communication call failed; hpt_mpi_errmsg has MPI's message.
 * The value lies in hpt.h's range for add-on libraries
 * (HPT_ADDON_STATUS_MIN .. HPT_ADDON_STATUS_MAX): hpt_strerror calls it an
 * add-on's error, hpt_mpi_strerror names it. */
#define HPT_E_MPI (-100)

/* A worker reported on, told, failed or pruned a running trial that the
 * coordinator did not hand to it (another rank holds it, or none does yet):
 * refused, the study is unchanged. */
#define HPT_E_MPI_NOT_HELD (-101)

/* Roles of the non-coordinator ranks (hpt_mpi_create). */
#define HPT_MPI_MEMBER 0 /* never talks to the coordinator (group member) */
#define HPT_MPI_WORKER 1 /* asks, reports and tells                      */

typedef struct hpt_mpi hpt_mpi; /* one rank's end of a distributed study */

/* Join a distributed study. Collective over comm: every rank calls it with
 * the same `coordinator` rank.
 *  - On the coordinator: `study` is the study to serve (borrowed: it must
 *    outlive the handle; the caller destroys it). Its space
 *    (hpt_study_space) is what every rank receives. `space` is NULL, or a
 *    space that must equal the study's in every parameter's name, type,
 *    scale, bounds and choices (a check that the program holds the space it
 *    thinks it does); `role` is ignored.
 *  - Elsewhere: `role` is HPT_MPI_WORKER or HPT_MPI_MEMBER; study and space
 *    are ignored (may be NULL).
 * The handle works on a duplicate of comm (MPI_Comm_dup) with
 * MPI_ERRORS_RETURN. On success *out is a handle the caller owns (release
 * with hpt_mpi_destroy before MPI_Finalize). All ranks return the same
 * status: every rank's arguments are checked and the verdict agreed on
 * before anything else, so if one rank's arguments are bad (out NULL,
 * coordinator out of range or not the same on every rank, bad role, no
 * study, a space other than the study's), every rank fails and none is
 * left waiting. The exception: a rank that cannot take part in a
 * collective at all (MPI not initialized, comm MPI_COMM_NULL) fails alone,
 * and the others then wait for it as in any MPI collective.
 * @return HPT_OK; HPT_E_INVALID (the cases above, on the bad rank with its
 * reason, elsewhere with "failed on another rank"); HPT_E_NOMEM;
 * HPT_E_MPI. */
HPT_MPI_API int hpt_mpi_create(MPI_Comm comm, int coordinator, int32_t role,
                               hpt_study *study, const hpt_space *space,
                               hpt_mpi **out);

/* Release a handle; NULL is allowed. A worker that has not yet received
 * HPT_DONE, or still holds trials, first leaves the study (hpt_mpi_leave).
 * Frees the duplicate communicator, so call it on every rank, before
 * MPI_Finalize. */
HPT_MPI_API void hpt_mpi_destroy(hpt_mpi *h);

/* The study's space as every rank sees it (the coordinator's, copied at
 * create): use it to find a parameter's index (hpt_space_index) or a
 * categorical's choice name. Owned by the handle, valid until its
 * destruction. @return HPT_OK, HPT_E_INVALID. */
HPT_MPI_API int hpt_mpi_space(const hpt_mpi *h, const hpt_space **space);

/* How long an idle rank sleeps at most between polls of a pending message,
 * in seconds (default 0.001). A waiting rank polls without sleeping for its
 * first 50 microseconds, then naps, starting at 20 microseconds and
 * doubling up to this value.
 * 0 = never sleep: wait inside MPI (lowest latency, one busy core per
 * waiting rank with most MPI libraries). Per rank; any time.
 * @return HPT_OK, HPT_E_INVALID (NULL, negative, NaN or > 1). */
HPT_MPI_API int hpt_mpi_set_idle(hpt_mpi *h, double max_sleep);

/* ---- Coordinator ------------------------------------------------------- */

/* Serve the study until every worker has received HPT_DONE or left.
 * Trials that are RUNNING in the study when serving starts (left by an
 * aborted run of a journaled study) are handed out before new ones.
 * Statuses of the study's calls are answered to the worker that made the
 * request, not returned here.
 * @return HPT_DONE when the study answered HPT_DONE to a worker's ask;
 * HPT_OK when every worker left (or there are no workers) before any ask
 * got HPT_DONE. HPT_OK does not say the study is incomplete: when the last
 * worker tells the last trial that max_trials (or another criterion)
 * allows and then leaves without asking again, no ask has found the study
 * complete, so serve returns HPT_OK and hpt_study_done_reason is still "";
 * the coordinator's own next hpt_study_ask returns HPT_DONE then (and
 * otherwise starts a trial). HPT_E_INVALID (NULL, not the coordinator);
 * HPT_E_STAGE (called twice); HPT_E_NOMEM; HPT_E_MPI. */
HPT_MPI_API int hpt_mpi_serve(hpt_mpi *h);

/* ---- Workers -------------------------------------------------------------- */

/* Get a trial: blocks until the coordinator has one (a strategy's HPT_WAIT
 * is waited out) or the study is complete. On HPT_OK: *trial_id, the
 * configuration in values[0..n-1] (space order, as hpt_trial_params; n must
 * be hpt_space_size of the space), *budget and *resume_from as
 * hpt_trial_budget (either may be NULL).
 * @return HPT_OK; HPT_DONE (complete: stop asking; *trial_id = -1);
 * HPT_E_INVALID (NULL, wrong n, not a worker); HPT_E_STAGE (after HPT_DONE
 * or leave); a study status sent by the coordinator (HPT_E_NUMERIC,
 * HPT_E_NOMEM, HPT_E_STATE when the strategy waits with no trial running);
 * HPT_E_MPI. */
HPT_MPI_API int hpt_mpi_ask(hpt_mpi *h, int64_t *trial_id, double *values,
                            size_t n, double *budget, int64_t *resume_from);

/* hpt_study_report, hpt_study_tell, hpt_study_tell_failed and
 * hpt_study_prune of the coordinator's study, through a message and its
 * answer. A worker may only do this for the trials it holds (that its own
 * ask returned and it has not finished); a trial that is not running gets
 * the study's answer (HPT_E_TRIAL, HPT_E_STATE). `reason` may be NULL and
 * is truncated to 255 bytes.
 * @return the study's status (see hpt.h); HPT_E_MPI_NOT_HELD (the trial
 * runs, but not for this worker: nothing changes); HPT_E_INVALID (NULL
 * handle, not a worker); HPT_E_STAGE (after leave, or after HPT_DONE when
 * this worker holds no trial: the coordinator may have stopped serving);
 * HPT_E_MPI. */
HPT_MPI_API int hpt_mpi_report(hpt_mpi *h, int64_t trial_id, double step,
                               double value, int32_t *should_stop);
HPT_MPI_API int hpt_mpi_tell(hpt_mpi *h, int64_t trial_id, double value);
/* hpt_study_tell_values and hpt_study_tell_constrained (several
 * objectives, constraints): every value goes in the one message (at most
 * HPT_MAX_OBJECTIVES and HPT_MAX_CONSTRAINTS of them, else HPT_E_INVALID
 * here); the coordinator's study checks the counts against its shape. */
HPT_MPI_API int hpt_mpi_tell_values(hpt_mpi *h, int64_t trial_id,
                                    const double *values, size_t n);
HPT_MPI_API int hpt_mpi_tell_constrained(hpt_mpi *h, int64_t trial_id,
                                         const double *values, size_t n,
                                         const double *constraints, size_t m);
HPT_MPI_API int hpt_mpi_tell_failed(hpt_mpi *h, int64_t trial_id,
                                    const char *reason);
HPT_MPI_API int hpt_mpi_prune(hpt_mpi *h, int64_t trial_id);

/* Stop working for the study; the coordinator records the worker's running
 * trials as failed. No-op after a previous leave, or after HPT_DONE when
 * the worker holds no trial. (After HPT_DONE a worker may still report and
 * tell the trials it holds; hpt_mpi_serve waits for them, or for this.)
 * @return HPT_OK, HPT_E_INVALID, HPT_E_MPI. */
HPT_MPI_API int hpt_mpi_leave(hpt_mpi *h);

/* ---- Groups: a trial trained by several ranks -------------------------------- */

/* hpt_mpi_ask / hpt_mpi_report for a group of ranks training one trial.
 * Collective over `group`: its rank 0 (the leader) must hold a WORKER
 * handle and asks/reports; the other ranks hold MEMBER handles (a WORKER
 * that never asks would keep the coordinator waiting) and receive the
 * leader's outcome (status, id, configuration, budget,
 * should_stop) by MPI_Bcast. All ranks of the group return the same status:
 * ask_group first agrees on every rank's arguments (MPI_Allreduce over the
 * group), and if one rank's are bad (NULL, wrong n) no trial is asked and
 * every rank returns HPT_E_INVALID (that rank with its reason, the others
 * with "failed on another rank of the group"), *trial_id = -1 where given.
 * For report_group, `value` matters on the leader only. Tell with
 * hpt_mpi_tell on the leader alone.
 * @return as hpt_mpi_ask / hpt_mpi_report. */
HPT_MPI_API int hpt_mpi_ask_group(hpt_mpi *h, MPI_Comm group, int64_t *trial_id,
                                  double *values, size_t n, double *budget,
                                  int64_t *resume_from);
HPT_MPI_API int hpt_mpi_report_group(hpt_mpi *h, MPI_Comm group, int64_t trial_id,
                                     double step, double value,
                                     int32_t *should_stop);

/* ---- Errors -------------------------------------------------------------- */

/* The message of this handle's last failure, local or sent by the
 * coordinator ("" if none). Owned by the handle; valid until its next call.
 * With h NULL: the message of this thread's last failed hpt_mpi_create
 * (thread-local). Never NULL. */
HPT_MPI_API const char *hpt_mpi_errmsg(const hpt_mpi *h);

/* hpt_strerror, plus HPT_E_MPI and HPT_E_MPI_NOT_HELD. A static string,
 * never NULL. */
HPT_MPI_API const char *hpt_mpi_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* HPT_MPI_H */
