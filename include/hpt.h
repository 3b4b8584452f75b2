/*
 * hpt.h -- libhpt, an embeddable hyperparameter tuning library.
 *
 * A host program owns the objective (a training run); libhpt owns the
 * search. They talk through ask/tell:
 *
 *     hpt_space *sp;  hpt_study *st;  int64_t id;  double lr;
 *     hpt_space_create(&sp);
 *     hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG);
 *     hpt_study_create(sp, "random", HPT_MINIMIZE, 42, &st);
 *     hpt_space_destroy(sp);                  // the study holds a copy
 *     hpt_study_set(st, "max_trials", 50);
 *     while (hpt_study_ask(st, &id) == HPT_OK) {
 *         hpt_trial_float(st, id, "lr", &lr);
 *         hpt_study_tell(st, id, train(lr));  // or hpt_study_tell_failed
 *     }
 *     hpt_study_best(st, &id, &lr);
 *     hpt_study_destroy(st);
 *
 * Contract, for every function below:
 *  - Errors. Every function that can fail returns an int status: 0 (HPT_OK)
 *    on success, a positive value for the two non-error outcomes HPT_DONE and
 *    HPT_WAIT, a negative HPT_E_* code on failure. A failed call changes
 *    nothing in the object it was given. The library never prints, never
 *    exits and never aborts the host. A message describing the last failure
 *    is kept per study (hpt_study_errmsg) and per thread
 *    (hpt_last_errmsg), the latter also for failed constructors.
 *  - Ownership. Input pointers (names, choices, arrays) are read or copied
 *    during the call; the caller keeps them. Outputs go into caller-owned
 *    buffers. The only library-owned pointers handed out are `const char *`
 *    strings, each with its lifetime stated next to the function.
 *  - Handles. Objects are opaque, made by *_create through a `T **out`
 *    parameter and released by *_destroy, which accepts NULL. Passing NULL
 *    for a handle elsewhere returns HPT_E_INVALID.
 *  - Threads. No mutable global state. A space must not be used by two
 *    threads at once. A study may be shared by the worker threads of one
 *    tuning job: its calls are serialized by a lock of its own.
 *  - GSL. libhpt never passes GSL data that makes GSL call its error
 *    handler, and it never changes the process-wide GSL error handler.
 *  - ABI. Only int32_t, int64_t, uint64_t, size_t, double and pointers cross
 *    the interface; no structs by value, no varargs: every function can be
 *    called through ctypes or any other FFI.
 */
#ifndef HPT_H
#define HPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Export macros                                                           */
/* ---------------------------------------------------------------------- */

#if defined(HPT_BUILDING) && defined(__GNUC__)
#define HPT_API __attribute__((visibility("default")))
#else
#define HPT_API
#endif

/* ---------------------------------------------------------------------- */
/* Version (the one place it is defined; the Makefile derives the soname)  */
/* ---------------------------------------------------------------------- */

#define HPT_VERSION_MAJOR 0
#define HPT_VERSION_MINOR 1
#define HPT_VERSION_PATCH 0
#define HPT_VERSION_NUMBER \
    (HPT_VERSION_MAJOR * 10000 + HPT_VERSION_MINOR * 100 + HPT_VERSION_PATCH)

/* @return the library's version as "MAJOR.MINOR.PATCH"; a static string.
 * Compare with HPT_VERSION_* to detect a header/library mismatch. */
HPT_API const char *hpt_version_string(void);
/* @return HPT_VERSION_NUMBER of the library actually loaded. */
HPT_API int32_t hpt_version_number(void);

/* ---------------------------------------------------------------------- */
/* Constants (values pinned forever)                                       */
/* ---------------------------------------------------------------------- */

/* Status codes. */
#define HPT_OK 0
#define HPT_DONE 1          /* ask: the study is complete, no more trials  */
#define HPT_WAIT 2          /* ask: no trial until running ones are told   */
#define HPT_E_INVALID (-1)  /* bad argument: NULL, NaN/Inf, bad range ...  */
#define HPT_E_NOMEM (-2)    /* an allocation failed                        */
#define HPT_E_STAGE (-3)    /* call not allowed now (e.g. option after ask) */
#define HPT_E_TRIAL (-4)    /* unknown trial id                            */
#define HPT_E_STATE (-5)    /* trial not running (told twice, ...)         */
#define HPT_E_NAME (-6)     /* unknown parameter, option or strategy name  */
#define HPT_E_TYPE (-7)     /* parameter exists with another type          */
#define HPT_E_NUMERIC (-8)  /* a numerical routine failed beyond recovery  */
#define HPT_E_IO (-9)       /* reading or writing a file failed            */
#define HPT_E_CORRUPT (-10) /* a journal is damaged or not a journal       */
#define HPT_E_MISMATCH (-11) /* a journal belongs to another space/setup   */
#define HPT_E_LOCKED (-12)  /* a journal is in use by another process      */
#define HPT_E_RANGE (-13)   /* a buffer is too small (see `needed`)        */

/* Parameter scales. */
#define HPT_SCALE_LINEAR 0      /* uniform in [lo, hi]                         */
#define HPT_SCALE_LOG 1         /* uniform in log x; needs lo > 0              */
#define HPT_SCALE_REVERSE_LOG 2 /* uniform in log(1 - x); needs 0 <= lo < hi < 1;
                                   dense near 1 (momentum 0.9 .. 0.999)       */
#define HPT_SCALE_AUTO 3        /* LOG when lo > 0 and hi / lo >= 100,
                                   LINEAR otherwise                           */

/* Directions. */
#define HPT_MINIMIZE 0
#define HPT_MAXIMIZE 1

/* Trial states. */
#define HPT_TRIAL_RUNNING 0  /* asked, not yet told                     */
#define HPT_TRIAL_COMPLETE 1 /* told a value                            */
#define HPT_TRIAL_FAILED 2   /* told a failure (crash, out of memory)   */
#define HPT_TRIAL_PRUNED 3   /* stopped early; its value is the last report */

/* Warm-start kinds (hpt_study_warm_start). */
#define HPT_WARM_IDENTICAL 0
#define HPT_WARM_TRANSFER 1

/* Parameter types (hpt_space_param_info). */
#define HPT_PARAM_FLOAT 0
#define HPT_PARAM_INT 1
#define HPT_PARAM_CATEGORICAL 2

/* Documented limits. */
#define HPT_MAX_PARAMS 1024   /* parameters per space                 */
#define HPT_MAX_CHOICES 4096  /* choices per categorical parameter     */
#define HPT_MAX_NAME 255      /* bytes in a name or a choice           */

/* ---------------------------------------------------------------------- */
/* Opaque types                                                            */
/* ---------------------------------------------------------------------- */

typedef struct hpt_space hpt_space; /* a search space: named parameters */
typedef struct hpt_study hpt_study; /* a tuning job: strategy + trials  */

/* ---------------------------------------------------------------------- */
/* Search space                                                            */
/* ---------------------------------------------------------------------- */

/* Make an empty space. On success *out is a new space the caller owns
 * (release with hpt_space_destroy).
 * @return HPT_OK, HPT_E_INVALID (out NULL), HPT_E_NOMEM. */
HPT_API int hpt_space_create(hpt_space **out);

/* Release a space; NULL is allowed. Studies made from it keep their copy. */
HPT_API void hpt_space_destroy(hpt_space *space);

/* Add a real-valued parameter on [lo, hi] (both included) with one of the
 * HPT_SCALE_* rules. name: 1..HPT_MAX_NAME bytes, unique in the space,
 * copied. lo == hi is allowed (a fixed parameter).
 * @return HPT_OK; HPT_E_INVALID for a NULL/empty/long/duplicate name,
 * non-finite or inverted bounds, LOG with lo <= 0, REVERSE_LOG outside
 * 0 <= lo <= hi < 1, an unknown scale, or more than HPT_MAX_PARAMS
 * parameters; HPT_E_NOMEM. On failure the space is unchanged. */
HPT_API int hpt_space_add_float(hpt_space *space, const char *name,
                                double lo, double hi, int32_t scale);

/* Add an integer parameter on [lo, hi] (both included), |lo|, |hi| <= 2^52.
 * Scales: LINEAR, LOG (lo >= 1) or AUTO; REVERSE_LOG is refused. Every
 * integer gets the share of the unit interval that its neighbourhood
 * [k - 1/2, k + 1/2] has under the scale, so LINEAR is uniform over the
 * integers and LOG is log-uniform.
 * @return as hpt_space_add_float. */
HPT_API int hpt_space_add_int(hpt_space *space, const char *name,
                              int64_t lo, int64_t hi, int32_t scale);

/* Add a categorical parameter with n choices (1..HPT_MAX_CHOICES non-empty,
 * distinct strings of at most HPT_MAX_NAME bytes, copied). A trial's value
 * is the choice's index 0..n-1 in the dense array, or the string through
 * hpt_trial_categorical.
 * @return HPT_OK; HPT_E_INVALID for bad names, NULL/empty/duplicate choices,
 * n == 0 or n > HPT_MAX_CHOICES; HPT_E_NOMEM. */
HPT_API int hpt_space_add_categorical(hpt_space *space, const char *name,
                                      const char *const *choices, size_t n);

/* Number of parameters, in the order they were added. Cannot fail:
 * returns 0 for NULL. */
HPT_API size_t hpt_space_size(const hpt_space *space);

/* Describe parameter i: its type (HPT_PARAM_*), scale after AUTO was
 * resolved (HPT_SCALE_LINEAR or _LOG or _REVERSE_LOG; categoricals report
 * LINEAR), bounds (categoricals: 0 and n-1) and number of choices (0 unless
 * categorical). Any out-pointer may be NULL.
 * @return HPT_OK, HPT_E_INVALID (space NULL or i out of range). */
HPT_API int hpt_space_param_info(const hpt_space *space, size_t i,
                                 int32_t *type, int32_t *scale, double *lo,
                                 double *hi, size_t *n_choices);

/* Name of parameter i, or choice j of categorical parameter i. The string
 * is owned by the space and lives until it is destroyed.
 * @return HPT_OK, HPT_E_INVALID. */
HPT_API int hpt_space_param_name(const hpt_space *space, size_t i,
                                 const char **name);
HPT_API int hpt_space_choice_name(const hpt_space *space, size_t i, size_t j,
                                  const char **name);

/* Index of the parameter called name.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_NAME (no such parameter). */
HPT_API int hpt_space_index(const hpt_space *space, const char *name,
                            size_t *index);

/* Map a configuration (n values in space order: floats, integers as
 * doubles, categorical indices) to the unit cube, and back. Decoding rounds
 * integers and picks categoricals so that encode(decode(u)) is the centre
 * of the cell u falls in, and decode(encode(x)) == x for every valid x.
 * n must equal hpt_space_size(space).
 * @return HPT_OK; HPT_E_INVALID for NULL, wrong n, a value outside its range
 * or non-finite (encode) or a coordinate outside [0, 1] (decode). */
HPT_API int hpt_space_encode(const hpt_space *space, const double *values,
                             double *unit, size_t n);
HPT_API int hpt_space_decode(const hpt_space *space, const double *unit,
                             double *values, size_t n);

/* ---------------------------------------------------------------------- */
/* Study lifecycle                                                         */
/* ---------------------------------------------------------------------- */

/* Make a study over a copy of `space` (at least one parameter) using the
 * named strategy: "grid", "random", "sobol" (and the ones listed by
 * hpt_strategy_name). direction: HPT_MINIMIZE or HPT_MAXIMIZE. The seed
 * fixes every random choice: same seed + same calls = same trials, bit for
 * bit. On success *out is a new study the caller owns.
 * @return HPT_OK; HPT_E_INVALID (NULL, empty space, bad direction);
 * HPT_E_NAME (unknown strategy); HPT_E_NOMEM. */
HPT_API int hpt_study_create(const hpt_space *space, const char *strategy,
                             int32_t direction, uint64_t seed,
                             hpt_study **out);

/* Release a study and everything it owns; NULL is allowed. No other thread
 * may be using it. */
HPT_API void hpt_study_destroy(hpt_study *study);

/* Strategy names known to this build, i = 0, 1, ...: *name is a static
 * string. @return HPT_OK, or HPT_E_INVALID when i is past the last one. */
HPT_API int hpt_strategy_name(size_t i, const char **name);

/* ---------------------------------------------------------------------- */
/* Options (only before the first ask; afterwards HPT_E_STAGE)             */
/* ---------------------------------------------------------------------- */

/* Set a numeric option by name. Options of the study:
 *   "max_trials"    ask returns HPT_DONE once this many trials were asked
 *                   (running and finished alike); 0 = no limit (default).
 *                   1 .. 2^53.
 * Options of the strategies:
 *   "grid.points"   points per float range in the grid, spread evenly under
 *                   the parameter's scale, ends included; default 5, 1..1e6.
 *   "grid.shuffle"  1 = visit the grid in a seed-driven random order,
 *                   0 = lexicographic order (last parameter fastest);
 *                   default 0.
 * Options of other strategies are described where those are.
 * @return HPT_OK; HPT_E_NAME (unknown option, or one that belongs to another
 * strategy); HPT_E_INVALID (value NaN or out of bounds); HPT_E_STAGE. */
HPT_API int hpt_study_set(hpt_study *study, const char *option, double value);

/* Set a string option by name (none exist in the base strategies; later
 * ones such as "pruner" are described where they are).
 * @return as hpt_study_set. */
HPT_API int hpt_study_set_str(hpt_study *study, const char *option,
                              const char *value);

/* Read back a numeric option (the default if it was never set).
 * @return HPT_OK, HPT_E_INVALID, HPT_E_NAME. */
HPT_API int hpt_study_get(const hpt_study *study, const char *option,
                          double *value);

/* ---- Options of strategy "bayes" ------------------------------------- */

/* Strategy "bayes": Bayesian optimization. A Gaussian process models the
 * loss over the unit cube of the space (Matern-5/2 kernel, one lengthscale
 * per parameter, signal and noise variance, constant mean; hyperparameters
 * by maximum a posteriori with weak priors), and each ask proposes the
 * point of highest log expected improvement.
 *
 * Options (hpt_study_set; integers; before the first ask):
 *   "bayes.initial_trials"  Sobol points asked before the model takes over.
 *                           0 = automatic: 2 d + 1 for d parameters, at
 *                           least 5, at most 20. Warm-start observations
 *                           count towards it (a study warm-started with
 *                           enough of them starts with the model).
 *                           Default 0; 0..1e6.
 *   "bayes.candidates"      quasi-random candidates scored per ask (plus
 *                           half as many perturbations of the best points).
 *                           Default 1024; 16..1e6. Past a few hundred
 *                           observations the count shrinks automatically
 *                           so that candidates x n^2 <= 2.5e8 (at least 64).
 *   "bayes.local_starts"    best candidates refined by gradient ascent.
 *                           Default 5; 0..64.
 *   "bayes.refit_every"     hyperparameter refit schedule: 0 = automatic
 *                           (after every observation up to 20, then each
 *                           time their count grew by 10%); k > 0 = every k
 *                           observations. Between refits a new observation
 *                           extends the Cholesky factor by one row, O(n^2).
 *                           Default 0; 0..1e6.
 *   "bayes.fit_restarts"    random starts of the hyperparameter fit besides
 *                           the previous optimum (used while a fit sees at
 *                           most 50 observations, then at every 8th fit).
 *                           Default 2; 0..100.
 *   "bayes.fit_max_points"  observations used by a hyperparameter fit (the
 *                           best half and a seeded random sample of the
 *                           rest); the model itself uses all of them.
 *                           Default 300; 20..5000.
 *   "bayes.blas_threads"    0 = leave OpenBLAS's thread count alone
 *                           (default); k > 0 = set it to k for the duration
 *                           of each ask and restore it after. OpenBLAS's
 *                           count is process-wide, so only use this when no
 *                           other thread of the host uses OpenBLAS at the
 *                           same time. 0..1024.
 *
 * Behaviour:
 *  - Outputs. Losses (values, negated when maximizing) are standardized.
 *    When their skewness exceeds 1 they are first replaced by the
 *    rank-preserving log(loss - min + c), c = (median - min) 10^-k with
 *    k in 0..4 chosen to make the result least skewed, so that a few huge
 *    values (e.g. Rosenbrock) do not flatten the model. A run that diverged
 *    should be told as a failure (hpt_study_tell_failed), not as a huge
 *    value: a cliff of huge values over much of the space hides every
 *    ordinary difference from a stationary model.
 *  - Integers and categoricals are scored at the configuration they decode
 *    to (Garrido-Merchan & Hernandez-Lobato 2020). A categorical is one
 *    coordinate whose kernel distance is 0 for equal and 1 for different
 *    choices (a scaled one-hot distance), with its own lengthscale.
 *  - Running trials are fantasized at the model's mean (kriging believer),
 *    so asks made while trials run are distinct and spread out where the
 *    model is uncertain. Proposals depend only on the sequence of asks and
 *    tells, not on timing or the number of workers.
 *  - Failed trials train a second model of the probability of failure,
 *    which multiplies EI: asks steer away from where trials failed. Pruned
 *    trials count as complete with their last reported value.
 *  - Noisy objectives are modelled by the fitted noise variance; EI's
 *    incumbent is the lowest posterior mean at an observed point. The best
 *    trial reported by hpt_study_best stays the best observed value.
 *  - No ask repeats a configuration that is complete, running or failed,
 *    unless every candidate and 64 random configurations are all taken
 *    (a nearly exhausted discrete space); a fully discrete space whose every
 *    configuration was asked returns HPT_DONE.
 *  - Cost: an ask is O(n^2) in the number of observations n, plus an
 *    amortized share of the O(n^3) refactorization at each refit; memory is
 *    about 8 n^2 bytes (the Cholesky factor). Steady-state asks allocate
 *    nothing; buffers grow geometrically.
 *  - Threads. The O(n^2 m) prediction runs in BLAS level 3 (dtrsm), the
 *    factorization in LAPACK. libhpt never changes OpenBLAS's thread count
 *    unless "bayes.blas_threads" is set. The matrices are small (hundreds
 *    to a few thousand rows), where extra BLAS threads gain little and
 *    cost synchronization: a host that runs its own worker threads, or
 *    tunes with fewer than ~1000 trials, should set OPENBLAS_NUM_THREADS=1
 *    in the environment (or call openblas_set_num_threads) to avoid
 *    oversubscription; the latency figures of the bench are single-thread. Reproducibility: OpenBLAS's Cholesky splits its work
 *    by thread count, so "same seed + same calls = same trials, bit for bit"
 *    holds for strategy "bayes" on the same CPU with the same OpenBLAS
 *    thread count; pin it (OPENBLAS_NUM_THREADS=1, or "bayes.blas_threads")
 *    to reproduce runs across machines with different core counts.
 *  - GSL. The fit uses GSL's BFGS minimizer (vector_bfgs2) and the
 *    acquisition gsl_sf_log_erfc, only with finite inputs in their domains,
 *    so GSL's error handler is never reached except if GSL itself runs out
 *    of memory while allocating at the first ask. */

/* ---- Options of strategy "hyperband" and of the pruners --------------- */

/* ---------------------------------------------------------------------- */
/* Ask / report / tell                                                     */
/* ---------------------------------------------------------------------- */

/* Start a trial: on HPT_OK *trial_id is its id (ids are 0, 1, 2, ... in ask
 * order) and the trial is RUNNING. Any number of trials may run at once.
 * @return HPT_OK; HPT_DONE when the study is complete (max_trials reached,
 * grid exhausted; *trial_id = -1); HPT_WAIT when the strategy cannot give
 * work until running trials are told (*trial_id = -1); HPT_E_INVALID;
 * HPT_E_NOMEM; HPT_E_NUMERIC. */
HPT_API int hpt_study_ask(hpt_study *study, int64_t *trial_id);

/* Report an intermediate result of a running trial at `step` (an epoch, a
 * number of samples; steps should increase). *should_stop (may be NULL) is
 * set to 1 when the study wants the trial stopped early, in which case the
 * host ends it with hpt_study_tell (its last value) or lets the study
 * record it as pruned with hpt_study_prune; 0 otherwise.
 * @return HPT_OK; HPT_E_INVALID (step or value non-finite); HPT_E_TRIAL;
 * HPT_E_STATE (trial not running); HPT_E_NOMEM. */
HPT_API int hpt_study_report(hpt_study *study, int64_t trial_id, double step,
                             double value, int32_t *should_stop);

/* Finish a running trial with its objective value (finite).
 * @return HPT_OK; HPT_E_INVALID (non-finite value); HPT_E_TRIAL;
 * HPT_E_STATE (already finished: nothing changes). */
HPT_API int hpt_study_tell(hpt_study *study, int64_t trial_id, double value);

/* Finish a running trial as failed (out of memory, crash, ...). reason
 * may be NULL; it is copied (truncated to 255 bytes).
 * @return HPT_OK, HPT_E_TRIAL, HPT_E_STATE, HPT_E_NOMEM. */
HPT_API int hpt_study_tell_failed(hpt_study *study, int64_t trial_id,
                                  const char *reason);

/* Finish a running trial as pruned (stopped early); its value is its last
 * report, and a trial without reports is recorded as failed.
 * @return HPT_OK, HPT_E_TRIAL, HPT_E_STATE. */
HPT_API int hpt_study_prune(hpt_study *study, int64_t trial_id);

/* ---------------------------------------------------------------------- */
/* Trials and results                                                      */
/* ---------------------------------------------------------------------- */

/* Number of trials asked so far; ids are 0 .. count-1.
 * @return HPT_OK, HPT_E_INVALID. */
HPT_API int hpt_study_trial_count(const hpt_study *study, int64_t *count);

/* A trial's configuration as n doubles in space order (integers exactly,
 * categoricals as choice indices). n must be hpt_space_size of the space.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_params(const hpt_study *study, int64_t trial_id,
                             double *values, size_t n);

/* One parameter of a trial by name. For hpt_trial_categorical *out points
 * to the choice string, owned by the study, valid until it is destroyed.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL, HPT_E_NAME (no parameter of
 * that name), HPT_E_TYPE (the parameter has another type). */
HPT_API int hpt_trial_float(const hpt_study *study, int64_t trial_id,
                            const char *name, double *out);
HPT_API int hpt_trial_int(const hpt_study *study, int64_t trial_id,
                          const char *name, int64_t *out);
HPT_API int hpt_trial_categorical(const hpt_study *study, int64_t trial_id,
                                  const char *name, const char **out);

/* A trial's state (HPT_TRIAL_*). @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_state(const hpt_study *study, int64_t trial_id,
                            int32_t *state);

/* A finished trial's value (as told, in the user's direction; pruned trials:
 * the last report). @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL, HPT_E_STATE
 * (running or failed: no value). */
HPT_API int hpt_trial_value(const hpt_study *study, int64_t trial_id,
                            double *value);

/* The resource a trial should train with and where it may resume from.
 * Single-fidelity strategies give *budget = 0 (meaning: full training) and
 * *resume_from = -1. Multi-fidelity strategies give the budget and, for a
 * promotion, the id of the trial it continues (whose checkpoint the host
 * may load and train only the difference), else -1. Either out may be NULL.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_budget(const hpt_study *study, int64_t trial_id,
                             double *budget, int64_t *resume_from);

/* Number of reports of a trial, and report k (0-based, in report order).
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL, HPT_E_RANGE (k too big). */
HPT_API int hpt_trial_report_count(const hpt_study *study, int64_t trial_id,
                                   int64_t *count);
HPT_API int hpt_trial_report(const hpt_study *study, int64_t trial_id,
                             int64_t k, double *step, double *value);

/* A failed trial's reason ("" when none was given, or the trial did not
 * fail). The string is owned by the study and valid until it is destroyed.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_fail_reason(const hpt_study *study, int64_t trial_id,
                                  const char **reason);

/* The best complete trial: lowest value when minimizing, highest when
 * maximizing (best observed value; ties go to the earliest trial). Pruned
 * trials do not count. Either out may be NULL.
 * @return HPT_OK; HPT_E_STATE when no trial is complete; HPT_E_INVALID. */
HPT_API int hpt_study_best(const hpt_study *study, int64_t *trial_id,
                           double *value);

/* ---------------------------------------------------------------------- */
/* Persistence: journal, resume, warm start, completion, export            */
/* ---------------------------------------------------------------------- */

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

/* A short description of any status value (unknown values included); a
 * static string, never NULL. */
HPT_API const char *hpt_strerror(int status);

/* The message of the study's last failed call ("" if none). Owned by the
 * study; valid until its next call or its destruction. With several
 * threads on one study, prefer hpt_last_errmsg. Never NULL ("" for NULL). */
HPT_API const char *hpt_study_errmsg(const hpt_study *study);

/* The message of the last failed call made by this thread, on any object
 * or constructor ("" if none). Thread-local; valid until this thread's next
 * libhpt call. Never NULL. */
HPT_API const char *hpt_last_errmsg(void);

#ifdef __cplusplus
}
#endif

#endif /* HPT_H */
