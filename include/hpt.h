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
 * This header reads in that order: constants, search space, study and its
 * options, ask/report/tell, trials, results, persistence (journal, resume,
 * warm start); then a reference part on each strategy and pruner, and the
 * journal's file format last.
 *
 * Contract, for every function below:
 *  - Errors. Every function that can fail returns an int status: 0 (HPT_OK)
 *    on success, a positive value for the two non-error outcomes HPT_DONE and
 *    HPT_WAIT, a negative HPT_E_* code on failure. A failed call changes
 *    nothing in the object it was given, with one exception: on a
 *    journaled study, a call whose change could not be written to the
 *    journal returns HPT_E_IO but keeps the change in memory (the journal
 *    is then closed; see Persistence). The library never prints, never
 *    exits and never aborts the host. A message describing the last failure
 *    is kept per study (hpt_study_errmsg) and per thread
 *    (hpt_last_errmsg), the latter also for failed constructors.
 *  - Ownership. Input pointers (names, choices, arrays) are read or copied
 *    during the call; the caller keeps them. Outputs go into caller-owned
 *    buffers. The only library-owned pointers handed out are `const char *`
 *    strings, each with its lifetime stated next to the function.
 *  - Output arrays. A list whose length the library decides is written as
 *    (buf, cap, size_t *needed): *needed is set to the list's length, the
 *    first min(cap, *needed) items are written, and the call returns
 *    HPT_E_RANGE when cap < *needed (buf may be NULL when cap is 0: a size
 *    query). Arrays of one value per parameter take (buf, n) with n =
 *    hpt_space_size, any other n being HPT_E_INVALID. No other shape.
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
#define HPT_E_LOCKED (-12)  /* a journal is held by another study alone    */
#define HPT_E_RANGE (-13)   /* a buffer is too small (see `needed`)        */
#define HPT_E_INACTIVE (-14) /* parameter not active in that trial         */
#define HPT_E_EMPTY (-15)   /* no complete trial yet (best, best_overall)  */
#define HPT_E_NOMODEL (-16) /* the strategy has no fitted model (yet)      */
#define HPT_E_MULTI (-17)   /* several objectives: no single best (use
                               hpt_study_pareto); or a feature that needs
                               one objective                              */
/* Add-on libraries built on libhpt (libhpt_mpi's HPT_E_MPI = -100) define
 * their own errors in this range, never elsewhere; hpt_strerror describes
 * any of them as an add-on's error, the add-on's header names them. */
#define HPT_ADDON_STATUS_MAX (-100)
#define HPT_ADDON_STATUS_MIN (-199)

/* Parameter scales. */
#define HPT_SCALE_LINEAR 0      /* uniform in [lo, hi]                         */
#define HPT_SCALE_LOG 1         /* uniform in log x; needs lo > 0              */
#define HPT_SCALE_REVERSE_LOG 2 /* uniform in log(1 - x); needs 0 <= lo < hi < 1;
                                   dense near 1 (momentum 0.9 .. 0.999)       */
#define HPT_SCALE_AUTO 3        /* LOG when lo > 0 and hi / lo >= 100,
                                   LINEAR otherwise                           */
#define HPT_SCALE_LOGIT 4       /* uniform in log(x / (1 - x)); floats only,
                                   0 < lo <= hi < 1; dense near both 0 and 1
                                   (fractions, Adam's betas)                */

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

/* Option kinds (hpt_study_option_info). */
#define HPT_OPTION_INT 0    /* an integer, passed as a double             */
#define HPT_OPTION_REAL 1   /* any number in the bounds                   */
#define HPT_OPTION_BOOL 2   /* 0 or 1                                     */
#define HPT_OPTION_STRING 3 /* one of a list of names (hpt_study_set_str) */

/* Documented limits. */
#define HPT_MAX_PARAMS 1024   /* parameters per space                 */
#define HPT_MAX_CHOICES 4096  /* choices per categorical parameter     */
#define HPT_MAX_NAME 255      /* bytes in a name or a choice           */
#define HPT_MAX_ATTRS 64      /* attributes per trial, and per study   */
#define HPT_MAX_ATTR_VALUE 4096 /* bytes in an attribute's value       */
#define HPT_MAX_OBJECTIVES 8  /* objectives per study                  */
#define HPT_MAX_CONSTRAINTS 16 /* black-box constraints per study      */

/* ---------------------------------------------------------------------- */
/* Opaque types                                                            */
/* ---------------------------------------------------------------------- */

typedef struct hpt_space hpt_space; /* a search space: named parameters */
typedef struct hpt_study hpt_study; /* a tuning job: strategy + trials  */

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
 * copied. lo == hi is allowed (a fixed parameter); any finite bounds are,
 * even when hi - lo exceeds DBL_MAX.
 * @return HPT_OK; HPT_E_INVALID for a NULL/empty/long/duplicate name,
 * non-finite or inverted bounds, LOG with lo <= 0, REVERSE_LOG outside
 * 0 <= lo <= hi < 1, LOGIT outside 0 < lo <= hi < 1, an unknown scale, or
 * more than HPT_MAX_PARAMS
 * parameters; HPT_E_NOMEM. On failure the space is unchanged. */
HPT_API int hpt_space_add_float(hpt_space *space, const char *name,
                                double lo, double hi, int32_t scale);

/* Add an integer parameter on [lo, hi] (both included), |lo|, |hi| <= 2^51.
 * Scales: LINEAR, LOG (lo >= 1) or AUTO; REVERSE_LOG and LOGIT are refused
 * (they are for fractions). Every
 * integer gets the share of the unit interval that its neighbourhood
 * [k - 1/2, k + 1/2] has under the scale, so LINEAR is uniform over the
 * integers and LOG is log-uniform. A LOG range whose largest integer would
 * get less than 2^-50 of the unit interval (e.g. [1, 2^51]; [1, 10^13] is
 * fine) is refused, because its cell could not be told apart in [0, 1].
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

/* Restrict the integer or float parameter `name` to lo + k * step,
 * k = 0, 1, ... while the value is <= hi (k's count is floor((hi - lo) /
 * step) + 1, with a relative slack of 1e-9 so that [0, 1] in steps of 0.1
 * ends at 1). Every point gets an equal share of the unit interval, every
 * strategy returns values on the step (decoding snaps to the nearest
 * point) and the grid visits each point once (grid.points does not apply).
 * Float points are lo + k * step rounded to 15 significant digits, so that
 * a step of 0.1 gives 0.3 rather than 0.30000000000000004; those exact
 * doubles are the valid values (hpt_space_encode refuses others). For
 * integers step is a whole number >= 1. Steps need a LINEAR scale
 * (resolved AUTO included): points on a log-type scale would need cells of
 * unequal width, so a step on LOG, REVERSE_LOG or LOGIT is refused, except
 * step 1 on an integer, which is what an integer already is. A later call
 * replaces the step. Callable until the space is used by a study (the
 * study keeps its own copy).
 * @return HPT_OK; HPT_E_INVALID (NULL, step not finite or <= 0, not a whole
 * number for an integer, a log-type scale, more than 2^52 points);
 * HPT_E_NAME (no such parameter); HPT_E_TYPE (a categorical). On failure
 * the space is unchanged. */
HPT_API int hpt_space_set_step(hpt_space *space, const char *name,
                               double step);

/* Conditional parameters. hpt_space_add_condition makes `child` active
 * only in configurations where the categorical `parent` takes one of the n
 * choices (strings, copied); hpt_space_add_condition_range only where the
 * integer or float `parent` lies in [lo, hi] (either end may be infinite,
 * e.g. [3, INFINITY] for "at least 3 layers"). A parameter may have several
 * conditions, all of which must hold; a parent may be conditional itself,
 * and a child is inactive whenever one of its parents is. Parameters can be
 * added in any order (a parent after its child is fine), but both must
 * exist when the condition is added.
 *
 * What inactive means: the trial has no value for the parameter.
 * hpt_trial_float/int/categorical return HPT_E_INACTIVE, hpt_trial_active
 * says 0 and hpt_trial_params writes NaN there. Internally the parameter
 * keeps a unit coordinate: the canonical 1/2, the same for every trial in
 * which it is inactive, so that two trials running the same configuration
 * are the same point to the models (and the journal stores the value it
 * decodes to, with the other values of the trial). The codec
 * (hpt_space_encode/decode) ignores conditions. Strategies: grid visits
 * the union of the sub-grids of the active sets, each configuration once
 * (inactive parameters never multiply the count); random and sobol draw
 * every coordinate and ignore the inactive ones, so the active ones keep
 * the balance of the full design; model-based strategies see the
 * canonical coordinate.
 * @return HPT_OK; HPT_E_INVALID (NULL, a condition of a parameter on
 * itself or one that would close a cycle, a parent of the wrong kind (a
 * numeric parent for hpt_space_add_condition, a categorical one for the
 * range form), n == 0, a choice given twice, lo > hi or NaN, a range that
 * misses the parent's range entirely); HPT_E_NAME (no such parameter or no
 * such choice); HPT_E_NOMEM. On failure the space is unchanged. */
HPT_API int hpt_space_add_condition(hpt_space *space, const char *child,
                                    const char *parent,
                                    const char *const *choices, size_t n);
HPT_API int hpt_space_add_condition_range(hpt_space *space, const char *child,
                                          const char *parent, double lo,
                                          double hi);

/* Make a space from text: the space part of hpt-tune's spec files, so that
 * a C host, Python and the CLI share one grammar (this is its reference).
 * One declaration per line; lines end at "\n" (a "\r" before it is
 * ignored); blank lines and lines whose first non-blank byte is '#' are
 * skipped; blanks are spaces and tabs.
 *
 *   float NAME=LO:HI[:MOD]...  [if COND]...     hpt_space_add_float
 *   int   NAME=LO:HI[:MOD]...  [if COND]...     hpt_space_add_int
 *   cat   NAME=A,B,...         [if COND]...     hpt_space_add_categorical
 *
 *   MOD   a scale: linear (lin; the default), log, reverse-log (reverse_log,
 *         rlog), logit, auto; or step=S (hpt_space_set_step). At most one
 *         of each, in any order: "int batch=32:512:step=32",
 *         "float beta2=0.9:0.9999:logit".
 *   COND  PARENT=C1,C2,...   a categorical parent takes one of the choices
 *         PARENT=LO:HI       a numeric parent lies in [LO, HI] ("inf" and
 *         PARENT=V           "-inf" allowed), equals V,
 *         PARENT>=V          is at least V,
 *         PARENT<=V          is at most V (hpt_space_add_condition_range).
 *         Several "if" clauses must all hold; PARENT may be declared on a
 *         later line. "float momentum=0.5:0.99 if optimizer=sgd",
 *         "int units3=16:256:log if layers>=3".
 *
 * NAME is what the hpt_space_add_* functions accept (no '=' or blank).
 * Float bounds are numbers as strtod reads them, int bounds decimal
 * integers. A float or int domain ends at the first blank. Choices are
 * taken byte for byte between the commas (blanks included; no quoting, so
 * a choice holds neither a comma nor a line break); a cat's list ends at
 * the line's end or at the word "if" between blanks, so trailing blanks
 * before the end of a line belong to the last choice. The same holds for
 * the choices of a condition. Parameters come in the order of their lines.
 * An empty text gives an empty space.
 *
 * On success *out is a new space the caller owns. On failure *out is NULL
 * and hpt_last_errmsg() says "hpt_space_parse: line L, column C: ..."
 * (1-based; columns count bytes), naming where the error is, for syntax
 * errors and for what the hpt_space_* functions refuse alike (the message
 * then carries their reason).
 * @return HPT_OK; HPT_E_INVALID (NULL argument, any error in the text);
 * HPT_E_NOMEM. */
HPT_API int hpt_space_parse(const char *spec, hpt_space **out);

/* Number of parameters, in the order they were added. Cannot fail:
 * returns 0 for NULL. */
HPT_API size_t hpt_space_size(const hpt_space *space);

/* Describe parameter i: its type (HPT_PARAM_*), scale after AUTO was
 * resolved (HPT_SCALE_LINEAR, _LOG, _REVERSE_LOG or _LOGIT; categoricals report
 * LINEAR), bounds (categoricals: 0 and n-1) and number of choices (0 unless
 * categorical). Any out-pointer may be NULL.
 * @return HPT_OK, HPT_E_INVALID (space NULL or i out of range). */
HPT_API int hpt_space_param_info(const hpt_space *space, size_t i,
                                 int32_t *type, int32_t *scale, double *lo,
                                 double *hi, size_t *n_choices);

/* Step of parameter i: 1 for an integer without hpt_space_set_step, 0 for
 * a float without one and for a categorical. Cannot fail: 0 for a NULL
 * space or i out of range. */
HPT_API double hpt_space_param_step(const hpt_space *space, size_t i);

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
 * named strategy: "grid", "random", "sobol", "bayes" or "hyperband" (see
 * the reference section; hpt_strategy_name lists them). direction:
 * HPT_MINIMIZE or HPT_MAXIMIZE. The seed fixes every random choice: same
 * seed + same calls = same trials, bit for bit, for every strategy (see
 * Reproducibility below for what exactly is guaranteed). On success *out
 * is a new study the caller owns.
 * @return HPT_OK; HPT_E_INVALID (NULL, empty space, bad direction);
 * HPT_E_NAME (unknown strategy); HPT_E_NOMEM. */
HPT_API int hpt_study_create(const hpt_space *space, const char *strategy,
                             int32_t direction, uint64_t seed,
                             hpt_study **out);

/* Reproducibility. What gives the same trials -- parameters, budgets,
 * parents, pruning decisions -- bit for bit, given the same library
 * version and CPU architecture:
 *  - Default mode. The same seed and the same calls in the same order give
 *    the same trials, for every strategy and pruner, whatever OpenBLAS's
 *    thread count (1, 2, 4 or unset) and whichever host threads make the
 *    calls (tests/test_blas_threads.c; how: "Threads" in the bayes
 *    section). Between two asks, the order in which trials were told
 *    (hpt_study_tell, hpt_study_tell_failed, hpt_study_prune), and how the
 *    reports of different trials interleave, do not change the next
 *    proposals: they depend on the set of results and of running trials
 *    only, as the models take the trials by id (tests/test_order.c: 4
 *    trials finished in all 24 orders, for every strategy). A parallel
 *    job's asks still fall between different results depending on timing,
 *    and a pruner answers from the results it sees at the report (median:
 *    the complete trials; asha: every trial's reports so far), so two
 *    parallel runs differ.
 *  - Reproducible mode: option "parallel.reproducible" = q > 0 (the trials
 *    expected to run at once, e.g. the worker count). Ask number k (the
 *    ask that makes trial k) returns HPT_WAIT until every trial below
 *    k - q has finished, then proposes from exactly those trials as
 *    finished and trials k - q .. k - 1 as running, their reports and
 *    results unseen whatever their real state (tests/test_reproducible.c:
 *    wait, lockstep). A strategy that waits on that view (synchronous
 *    Hyperband, for a rung to finish) sees trials k - q, k - q + 1 ...
 *    enter it one at a time, each once it has finished, until it proposes.
 *    A pruner judging trial t sees the trials below t - q (all finished
 *    when t was asked) and t's own reports. The trials are therefore the
 *    same for any completion order, any timing and any number of workers
 *    (more than q just wait more): tests/test_reproducible.c (threads: 1,
 *    2, 4, 8 threads with random durations; random, bayes, hyperband with
 *    the median pruner; lockstep: 3 and 6 threads at q = 4),
 *    tests/python/test_reproducible.py (optimize(n_jobs=1, 2, 4)),
 *    tests/cli/test_reproducible.py (hpt-tune --parallel 1, 2, 4
 *    --reproducible) and tests/mpi/reproducible.c (libhpt_mpi, 2 and 5
 *    ranks at q = 4). The option is journaled: a
 *    reopened study goes on with the same trials (tests/test_reproducible.c:
 *    journal). The completion criteria on results or time
 *    ("target_value", "patience", "max_seconds") are checked on the real
 *    trials, so where they stop a study depends on timing, the trials
 *    asked until then do not; "max_trials" and "max_resource_total" stop
 *    it at the same trial. The cost: workers idle while a trial older
 *    than the last q asks runs, and each proposal knows up to q fewer
 *    results (bench/sim/README.md). With q = 0 (default) the study is in
 *    the default mode. */

/* Release a study and everything it owns; NULL is allowed. No other thread
 * may be using it. */
HPT_API void hpt_study_destroy(hpt_study *study);

/* A copy of the study's space (the one it was made or opened with) into
 * *copy_out, which the caller owns (hpt_space_destroy): e.g. to check that
 * a space held elsewhere is the study's, parameter for parameter. Any time.
 * @return HPT_OK; HPT_E_INVALID (NULL); HPT_E_NOMEM (*copy_out = NULL). */
HPT_API int hpt_study_space(const hpt_study *study, hpt_space **copy_out);

/* Strategy names known to this build, i = 0, 1, ...: *name is a static
 * string. @return HPT_OK, or HPT_E_INVALID when i is past the last one. */
HPT_API int hpt_strategy_name(size_t i, const char **name);

/* ---------------------------------------------------------------------- */
/* Options                                                                 */
/* ---------------------------------------------------------------------- */

/* Options are named numbers or strings. A study accepts its own (below),
 * its strategy's ("<strategy>.<name>"), its pruner's once one is chosen
 * ("pruner.<name>") and its journal's ("journal.fsync", "journal.exclusive",
 * "journal.lease_seconds": Persistence); the reference
 * section describes the strategies' and pruners'. Every option is fixed at
 * the first ask (then HPT_E_STAGE) unless it says otherwise.
 * hpt_study_option_count and hpt_study_option_info list exactly the options
 * a study accepts, with their kind, default and the bounds the setter
 * enforces. Options marked "tuning knob" steer implementation details:
 * their meaning and default may change in a later minor version.
 *
 * Options of the study:
 *   "max_trials"    ask returns HPT_DONE once this many trials were asked
 *                   (running and finished alike); 0 = no limit (default);
 *                   integer 0..2^53.
 *   "max_resource_total", "target_value", "patience", "max_seconds"
 *                   completion criteria (see Completion criteria).
 *
 * Extending a study: after the first ask (a running or finished job,
 * reopened from its journal or not) the limits "max_trials",
 * "max_resource_total" and "max_seconds" may still be raised, 0 (no limit)
 * counting as the largest; lowering one then fails with HPT_E_STAGE, as
 * trials past the lower limit may exist. The raise is journaled like any
 * option, so a reopened study keeps it; asks go on exactly as in a study
 * that had the larger limit from the start (a limit is checked before the
 * strategy proposes, so the asks that returned HPT_DONE changed nothing).
 *   "pruner"        string: "none" (default), "median" or "asha": early
 *                   stopping for any strategy (see Pruners).
 *   "parallel.reproducible"  q: ask k waits until the trials below k - q
 *                   finished and proposes as if trials k - q .. k - 1 were
 *                   running, so that a parallel job asks the same trials
 *                   on every run (see Reproducibility); 0 = off (default);
 *                   integer 0..65536. */

/* Set a numeric option by name (integers and booleans as doubles).
 * @return HPT_OK; HPT_E_NAME (unknown option, or one that belongs to another
 * strategy or to a pruner not chosen); HPT_E_TYPE (a string option);
 * HPT_E_INVALID (value NaN or out of bounds); HPT_E_STAGE; HPT_E_MULTI
 * ("target_value", or a "pruner" through hpt_study_set_str, on a study
 * with several objectives); for a journaled option, as any change
 * (HPT_E_IO, HPT_E_LOCKED, HPT_E_CORRUPT); for "journal.exclusive",
 * HPT_E_LOCKED (another study has the journal open) or HPT_E_IO (the lock
 * cannot be taken), and HPT_E_STAGE when set back to 0. */
HPT_API int hpt_study_set(hpt_study *study, const char *option, double value);

/* Set a string option by name to one of its values.
 * @return as hpt_study_set, HPT_E_TYPE meaning a numeric option; an unknown
 * pruner name is HPT_E_NAME, another unknown value HPT_E_INVALID. */
HPT_API int hpt_study_set_str(hpt_study *study, const char *option,
                              const char *value);

/* Read back a numeric option (the default if it was never set).
 * @return HPT_OK, HPT_E_INVALID, HPT_E_NAME, HPT_E_TYPE (a string option). */
HPT_API int hpt_study_get(const hpt_study *study, const char *option,
                          double *value);

/* Read back a string option (the default if it was never set). *value is a
 * string owned by the library; it lives until the option is set again or
 * the study is destroyed.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_NAME, HPT_E_TYPE (a numeric option). */
HPT_API int hpt_study_get_str(const hpt_study *study, const char *option,
                              const char **value);

/* Number of options this study accepts: its own, its strategy's, its
 * pruner's (when "pruner" is set; changing the pruner changes the list) and
 * its journal's (hpt_study_open). Each option hpt_study_set or
 * hpt_study_set_str accepts appears exactly once, i = 0 .. *n - 1.
 * @return HPT_OK, HPT_E_INVALID. */
HPT_API int hpt_study_option_count(const hpt_study *study, size_t *n);

/* Describe option i: its full name (a static string), kind (HPT_OPTION_*),
 * inclusive bounds and default. The bounds are exactly those the setter
 * enforces: an option open at its lower end reports the first double above
 * it (hyperband.eta, (1, 1e6]: lo = 1 + 2^-52); "no bound" is +-DBL_MAX;
 * INT and BOOL options also need an integer value. A default of NaN means
 * "unset" (target_value). For string options lo, hi and def are NaN (their
 * values: hpt_study_option_choice; the default: hpt_study_get_str on a fresh
 * study). Any out-pointer may be NULL.
 * @return HPT_OK, HPT_E_INVALID (study NULL), HPT_E_RANGE (i >= count). */
HPT_API int hpt_study_option_info(const hpt_study *study, size_t i,
                                  const char **name, int32_t *kind,
                                  double *lo, double *hi, double *def);

/* Allowed value j (0, 1, ...) of string option i: a static string.
 * @return HPT_OK, HPT_E_INVALID (NULL), HPT_E_RANGE (i or j past the end),
 * HPT_E_TYPE (option i is not a string option). */
HPT_API int hpt_study_option_choice(const hpt_study *study, size_t i,
                                    size_t j, const char **value);

/* ---- Completion criteria (numeric options, before the first ask; the
 * limits may be raised later, see "Extending a study" above) ----
 *
 *   "max_trials"    (above) trials asked, running and finished alike.
 *   "max_resource_total"  done once the resource of the trials asked
 *                   (running and finished alike) reaches it, in budget
 *                   units: a trial costs its budget (budget 0, one full
 *                   training, costs 1); a promotion (a trial with a parent,
 *                   Hyperband) costs only its budget minus its parent's,
 *                   as the host resumes the parent's checkpoint and trains
 *                   the difference (a host that retrains from scratch uses
 *                   more than counted). The trial that crosses the limit
 *                   is asked in full. For every strategy; with
 *                   asynchronous Hyperband and max_trials 0 it is how a
 *                   budget-bound job ends. Finite, >= 0; 0 = no limit
 *                   (default).
 *   "target_value"  done once the best complete trial reached it (value <=
 *                   target when minimizing, >= when maximizing). Any
 *                   finite value; unset = NaN (default).
 *   "patience"      done once this many complete trials in a row did not
 *                   improve the best (strictly); 0 = off (default).
 *   "max_seconds"   done once the study's active time reaches it: wall
 *                   clock (CLOCK_MONOTONIC) from the first ask, carried
 *                   across resumes through the journal; the time a job
 *                   was down does not count. 0 = no limit (default).
 *   convergence     strategies with a model may end the study themselves
 *                   (bayes: when the expected improvement of its best
 *                   candidate stays below a threshold, see its options):
 *                   reason "converged".
 * Checked at every ask, in the order above, before the strategy proposes;
 * only this study's own trials count (not warm-start data). Trials still
 * running when a criterion fires may still be told. */

/* Why the last ask returned HPT_DONE: "max_trials", "max_resource_total",
 * "target_value", "patience", "max_seconds", "converged" (the strategy's
 * own test) or
 * "exhausted" (the strategy has nothing left, e.g. a finished grid); ""
 * when no ask returned HPT_DONE. A static string; never NULL. */
HPT_API const char *hpt_study_done_reason(const hpt_study *study);

/* ---------------------------------------------------------------------- */
/* Ask / report / tell                                                     */
/* ---------------------------------------------------------------------- */

/* Start a trial: on HPT_OK *trial_id is its id (ids are 0, 1, 2, ... in ask
 * order) and the trial is RUNNING. Any number of trials may run at once.
 * @return HPT_OK; HPT_DONE when the study is complete (max_trials reached,
 * grid exhausted; *trial_id = -1); HPT_WAIT when the strategy cannot give
 * work until running trials are told, or in the reproducible mode while a
 * trial more than "parallel.reproducible" asks old runs (*trial_id = -1;
 * the message names the trial); HPT_E_INVALID;
 * HPT_E_NOMEM; HPT_E_NUMERIC. */
HPT_API int hpt_study_ask(hpt_study *study, int64_t *trial_id);

/* Queue a configuration to be asked before the strategy's own: n values in
 * hpt_trial_params order (categoricals by index), copied. The next asks
 * return the enqueued configurations first, in order (max_trials and the
 * other completion criteria still apply). NaN means "the strategy chooses
 * this one" (partial fixing): the strategy proposes knowing the given
 * values, which then replace its choice in their coordinates. bayes and
 * hyperband's "bayes" sampler maximize their acquisition over the free
 * coordinates only, with the given ones held (a search on that slice of
 * the space, its incumbent the better of the study's and the slice's
 * lowest predicted loss; configurations in which a given parameter would
 * be inactive are not proposed); random, sobol and hyperband's uniform
 * draws draw every coordinate as usual, so the free ones are uniform (or
 * the Sobol sequence's projection, which keeps its balance); grid spends
 * its next point and keeps that point's free coordinates. A
 * configuration that gives every active parameter does not consult the
 * strategy: a grid still visits all its points, and under hyperband it
 * runs at budget 0 (full training) outside the brackets. When the
 * strategy is done or waits (grid exhausted, hyperband synchronous), the
 * free coordinates take their middle (unit coordinate 1/2); a hyperband
 * promotion keeps its parent's configuration and the entry waits for the
 * next ask. Journaled; callable at any stage.
 * @return HPT_OK; HPT_E_INVALID (NULL, n != hpt_space_size, a value that
 * is infinite, outside its range, not an integer or choice index, off its
 * step, or given for a parameter that the given values make inactive);
 * HPT_E_NOMEM; HPT_E_IO (journal write failed: queued in memory only). */
HPT_API int hpt_study_enqueue(hpt_study *study, const double *values,
                              size_t n);

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
/* Trials                                                                  */
/* ---------------------------------------------------------------------- */

/* Number of trials asked so far; ids are 0 .. count-1.
 * @return HPT_OK, HPT_E_INVALID. */
HPT_API int hpt_study_trial_count(const hpt_study *study, int64_t *count);

/* A trial's configuration as n doubles in space order (integers exactly,
 * categoricals as choice indices, NaN for a parameter that is inactive in
 * the trial, see hpt_space_add_condition). n must be hpt_space_size of the
 * space.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_params(const hpt_study *study, int64_t trial_id,
                             double *values, size_t n);

/* One parameter of a trial by name. For hpt_trial_categorical *out points
 * to the choice string, owned by the study, valid until it is destroyed.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL, HPT_E_NAME (no parameter of
 * that name), HPT_E_TYPE (the parameter has another type), HPT_E_INACTIVE
 * (its conditions do not hold in this trial; *out is untouched). */
HPT_API int hpt_trial_float(const hpt_study *study, int64_t trial_id,
                            const char *name, double *out);
HPT_API int hpt_trial_int(const hpt_study *study, int64_t trial_id,
                          const char *name, int64_t *out);
HPT_API int hpt_trial_categorical(const hpt_study *study, int64_t trial_id,
                                  const char *name, const char **out);

/* *active = 1 when parameter `name` is active in the trial (its
 * conditions hold; always 1 in a space without conditions), else 0.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL, HPT_E_NAME. */
HPT_API int hpt_trial_active(const hpt_study *study, int64_t trial_id,
                             const char *name, int32_t *active);

/* Attributes: string pairs the host attaches to a trial or to the study
 * (the git commit that ran a trial, the dataset version), journaled and
 * written to the CSV export (trial attributes, one "attr.<key>" column per
 * key). key: 1..HPT_MAX_NAME bytes of [A-Za-z0-9_.:/-]; value: 1..
 * HPT_MAX_ATTR_VALUE bytes of UTF-8 (any byte but NUL); both copied. At
 * most HPT_MAX_ATTRS keys per trial and per study; setting a key again
 * replaces its value. Callable at any stage and in any trial state.
 * @return HPT_OK; HPT_E_INVALID (NULL, bad key or value, too many keys);
 * HPT_E_TRIAL; HPT_E_NOMEM; HPT_E_IO (journal write failed: set in memory
 * only). */
HPT_API int hpt_trial_set_attr(hpt_study *study, int64_t trial_id,
                               const char *key, const char *value);
HPT_API int hpt_study_set_attr(hpt_study *study, const char *key,
                               const char *value);

/* The value of attribute key: *value is owned by the study and valid until
 * the key is set again or the study is destroyed.
 * @return HPT_OK; HPT_E_INVALID (NULL); HPT_E_TRIAL; HPT_E_NAME (no such
 * attribute). */
HPT_API int hpt_trial_attr(const hpt_study *study, int64_t trial_id,
                           const char *key, const char **value);
HPT_API int hpt_study_attr(const hpt_study *study, const char *key,
                           const char **value);

/* The i-th attribute (i = 0, 1, ... in the order keys were first set):
 * *key and *value (value may be NULL) as for hpt_trial_attr.
 * @return HPT_OK; HPT_E_RANGE when i is past the last one; HPT_E_INVALID;
 * HPT_E_TRIAL. */
HPT_API int hpt_trial_attr_at(const hpt_study *study, int64_t trial_id,
                              size_t i, const char **key, const char **value);
HPT_API int hpt_study_attr_at(const hpt_study *study, size_t i,
                              const char **key, const char **value);

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

/* When a trial was asked (hpt_study_ask returned it) and when it finished
 * (tell, tell_failed or prune), in Unix time: seconds since 1970-01-01 UTC,
 * with a fraction (millisecond resolution). *finished is NaN while the
 * trial runs. Journaled: a reopened or loaded study (also the snapshot of a
 * running job) gives the same values, bit for bit. Within a session (one
 * process's use of the study, or of its journal) the times follow a
 * monotonic clock from the wall clock read at the session's first ask,
 * report, tell, failure or pruning, so setting the system clock meanwhile
 * never makes them go backwards. Several writers on one journal each
 * keep their own clock. Either time is NaN when unknown: trials journaled
 * by a libhpt before this function. Either out may be NULL.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_times(const hpt_study *study, int64_t trial_id,
                            double *asked, double *finished);

/* Number of reports of a trial, and report k (0-based, in report order).
 * @return HPT_OK, HPT_E_INVALID (NULL, or k outside 0 .. count - 1),
 * HPT_E_TRIAL. */
HPT_API int hpt_trial_report_count(const hpt_study *study, int64_t trial_id,
                                   int64_t *count);
HPT_API int hpt_trial_report(const hpt_study *study, int64_t trial_id,
                             int64_t k, double *step, double *value);

/* A failed trial's reason ("" when none was given, or the trial did not
 * fail). The string is owned by the study and valid until it is destroyed.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_TRIAL. */
HPT_API int hpt_trial_fail_reason(const hpt_study *study, int64_t trial_id,
                                  const char **reason);

/* Ids of the running trials, ascending, into ids[0..n) ; *needed = their
 * number. ids may be NULL when n is 0 (to ask for the size).
 * @return HPT_OK; HPT_E_RANGE (n < *needed: the first n are written);
 * HPT_E_INVALID. */
HPT_API int hpt_study_running(const hpt_study *study, int64_t *ids, size_t n,
                              size_t *needed);

/* ---------------------------------------------------------------------- */
/* Results                                                                 */
/* ---------------------------------------------------------------------- */

/* The best complete trial: lowest value when minimizing, highest when
 * maximizing (best observed value; ties go to the earliest trial), among
 * the complete trials with the largest budget (hpt_trial_budget; 0, full
 * training, is the largest): with single-fidelity strategies, all of them.
 * Pruned trials do not count. With constraints, only feasible trials
 * count; with several objectives there is no single best (HPT_E_MULTI: see
 * hpt_study_pareto). Either out may be NULL.
 * @return HPT_OK; HPT_E_EMPTY when no trial is complete (or feasible);
 * HPT_E_MULTI; HPT_E_INVALID. */
HPT_API int hpt_study_best(const hpt_study *study, int64_t *trial_id,
                           double *value);

/* Write every trial to a CSV file (RFC 4180, CRLF line ends, UTF-8), one
 * row per trial in id order, columns: id, state (running, complete,
 * failed, pruned), each parameter by name (categoricals as their choice
 * string, empty where the parameter is inactive), budget, value (empty
 * unless complete or pruned), reports (their number), fail_reason,
 * asked, finished (hpt_trial_times; empty when unknown or running),
 * duration (finished - asked in seconds, in whole milliseconds), then
 * "attr.<key>" for each trial attribute key in the order first set (empty
 * where a trial lacks it). A study with several objectives or with
 * constraints has value_0 ... value_<n-1> in place of value (value
 * itself for one objective), then constraint_0 ... constraint_<m-1> (empty
 * unless complete), feasible (1 or 0, empty while running; as
 * hpt_trial_feasible) and pareto (1 for the trials of hpt_study_pareto,
 * else 0). The file is written beside `path` under a name
 * unique to this call ("<path>.tmp<pid>.<n>.<x>", created with
 * O_CREAT|O_EXCL|O_NOFOLLOW: a file or symbolic link already there is
 * never written through) and renamed over it, so concurrent exports to one
 * path each leave a whole file. An existing `path` that is not a regular
 * file (a pipe, /dev/stdout) is written in place.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_IO, HPT_E_NOMEM. */
HPT_API int hpt_study_export_csv(const hpt_study *study, const char *path);

/* Write every trial to a JSON file (RFC 8259, UTF-8), for tools that do not
 * read CSV: {"direction": "minimize"|"maximize", "attrs": {...}, "trials":
 * [...]}, the study's attributes, then one object per trial in id order with
 * "id", "state" (as in the CSV), "params" (an object by parameter name:
 * numbers, categoricals as their choice string, null where inactive),
 * "value" (null unless complete or pruned), "budget", "parent" (the trial a
 * promotion continues, or -1), "reports" ([step, value] pairs in the user's
 * direction), "fail_reason" (null unless given), "asked", "finished" and
 * "duration" (as in the CSV, null where empty) and "attrs" (the trial's
 * attributes, key: value). A study with several objectives or with
 * constraints also has "directions" (a list) and "n_constraints" at the
 * top and, per trial after "value" (the first objective), "values" (every
 * objective, null where there is none), "constraints", "feasible" (null
 * while running) and "pareto". Numbers are written with
 * the fewest digits that read back exactly; non-finite ones as null. Written
 * like the CSV (beside `path`, then renamed). @return as
 * hpt_study_export_csv. */
HPT_API int hpt_study_export_json(const hpt_study *study, const char *path);

/* Like hpt_study_best, but also over the HPT_WARM_IDENTICAL observations:
 * when one of those is strictly better than every complete trial,
 * *trial_id = -1 and *value is its value (user's direction). Either out
 * may be NULL. With constraints, only feasible trials and observations
 * count.
 * @return HPT_OK; HPT_E_EMPTY (nothing observed yet); HPT_E_MULTI (several
 * objectives); HPT_E_INVALID. */
HPT_API int hpt_study_best_overall(const hpt_study *study, int64_t *trial_id,
                                   double *value);

/* The k best complete trials, best first (ties: lower id first), into
 * ids[0..*n) with *n = min(k, complete trials): the output-array convention
 * with cap = k, where the list asked for is never longer than k (so never
 * HPT_E_RANGE). The order is hpt_study_best's, so ids[0] is the best trial:
 * values at different budgets do not compare (Hyperband), so the trials of
 * the largest budget (budget 0, full training, counts as the largest) come
 * first by value, then those of the next budget down, and so on. Without
 * budgets this is the order of the values. With constraints, the feasible
 * trials only.
 * @return HPT_OK, HPT_E_INVALID, HPT_E_NOMEM; HPT_E_MULTI (several
 * objectives: see hpt_study_pareto). */
HPT_API int hpt_study_top_k(const hpt_study *study, size_t k, int64_t *ids,
                            size_t *n);

/* Relative importance of each parameter (n = space size), summing to 1:
 * the total Sobol indices of hpt_study_importance_sobol (the share of the
 * objective's variance over the space that each parameter takes part in,
 * alone or with others), normalized to sum 1. Variance-based, so a
 * parameter that changes nothing gets about 0 whatever the model's
 * lengthscales; any strategy, with the data and cost of
 * hpt_study_importance_sobol (it fits its own model). Parameters that take
 * part only in interactions are counted (total indices), so the weights
 * may credit an interaction to each of its parameters.
 * @return HPT_OK; HPT_E_STATE (too few complete trials); HPT_E_NUMERIC (the
 * model explains no variance); HPT_E_INVALID; HPT_E_NOMEM. */
HPT_API int hpt_study_importance(hpt_study *study, double *out, size_t n);

/* The model's own view of importance, summing to 1 (n = space size): for
 * bayes, the inverse of the fitted ARD lengthscales of its GP (a parameter
 * along which the objective varies fast has a short lengthscale). A
 * heuristic of the model, not a variance decomposition: on few trials it
 * can rank a parameter that changes little first. Free (no fit).
 * @return HPT_OK; HPT_E_NOMODEL (the strategy has no model, or none is
 * fitted yet); HPT_E_INVALID; HPT_E_NUMERIC; HPT_E_NOMEM. */
HPT_API int hpt_study_importance_lengthscale(hpt_study *study, double *out, size_t n);

/* Variance-based importance (functional ANOVA): the first-order Sobol
 * index first[i] (the share of the objective's variance over the space
 * explained by parameter i alone) and the total index total[i] (its share
 * including every interaction it takes part in) of each parameter, n = space
 * size; either array may be NULL. Indices are in [0, 1]; first-order ones
 * sum to at most about 1, and total[i] - first[i] measures interactions.
 * Any strategy: the function fits its own model, a GP as strategy "bayes"
 * uses (gp.h: Matern-5/2 ARD, MAP hyperparameters) on the standardized
 * values of the complete trials of one budget -- the largest budget with
 * at least max(8, 2 d + 2) complete trials (multi-fidelity studies: values
 * at different budgets do not compare); pruned, failed and running trials
 * and warm-start data are not used. The indices are those of the model's
 * posterior mean under the space's own uniform measure on the unit cube
 * (log-uniform along log scales; each integer value and each categorical
 * choice equally likely), integrated with N base points of a shifted Sobol
 * sequence: Saltelli's estimator for first-order indices and Jansen's for
 * total ones (Saltelli et al. 2010, Comput. Phys. Commun. 181, 259-270).
 * Deterministic under the study's seed; the same trials give the same
 * figures.
 * Accuracy: with many trials the indices approach those of the function
 * (tests/test_fanova.c checks the Ishigami function); with few trials they
 * are those of a smooth model of the trials, which can miss effects the
 * trials do not show.
 * Cost: one hyperparameter fit on at most 300 trials (O(300^3) per
 * likelihood evaluation, some hundreds of evaluations), one O(n^3) factor
 * over the n trials used, and N (d + 2) evaluations of the mean at O(n d)
 * each, N = 4096 halved while N (d + 2) n > 4e8 (at least 256); measured
 * times are in bench/README.md.
 * The study's lock is held only while the trials are copied, so its workers
 * go on meanwhile. Callable at any time.
 * @return HPT_OK; HPT_E_STATE (too few complete trials); HPT_E_NUMERIC
 * (all values equal, or the model is flat); HPT_E_INVALID (NULL study, both
 * arrays NULL, n not the space size); HPT_E_NOMEM. */
HPT_API int hpt_study_importance_sobol(const hpt_study *study, double *first,
                                       double *total, size_t n);

/* Importance per objective and per constraint. hpt_study_importance and
 * hpt_study_importance_sobol are of the first objective; these take k:
 * objective k for k < n (the number of objectives), constraint k - n for
 * n <= k < n + m (what drives a constraint, e.g. memory). Same method,
 * data and cost, on that value of the complete trials.
 * @return as hpt_study_importance / hpt_study_importance_sobol;
 * HPT_E_INVALID also for k >= n + m. */
HPT_API int hpt_study_importance_of(hpt_study *study, size_t k, double *out,
                                    size_t n);
HPT_API int hpt_study_importance_sobol_of(const hpt_study *study, size_t k,
                                          double *first, double *total,
                                          size_t n);

/* ---------------------------------------------------------------------- */
/* Several objectives and black-box constraints                            */
/* ---------------------------------------------------------------------- */

/* A study has n objectives (1 by default: the direction given at creation)
 * and m black-box constraints (0 by default). A trial is told n objective
 * values and m constraint values; it is feasible when every constraint
 * value is <= 0 (a study without constraints: every trial). The shape is
 * set before the first ask and before any warm start, and is journaled.
 *
 * What the rest of the API means then:
 *  - hpt_study_tell is the n = 1, m = 0 case (HPT_E_INVALID otherwise);
 *    hpt_trial_value gives the first objective.
 *  - hpt_study_best and hpt_study_best_overall: n = 1 with constraints,
 *    the best feasible trial (HPT_E_EMPTY while none is feasible); n > 1,
 *    HPT_E_MULTI (there is no single best: hpt_study_pareto gives the
 *    front). hpt_study_top_k: n = 1, the feasible trials only; n > 1,
 *    HPT_E_MULTI.
 *  - Reports (hpt_study_report) are of the first objective. Pruners
 *    compare those reports, so they need n = 1 (setting "pruner" on a
 *    study with several objectives, or several objectives on a study with
 *    a pruner, is HPT_E_MULTI); with constraints they prune on the
 *    objective alone (constraints are known at the end only). A pruned
 *    trial has its first objective (its last report) and no other value
 *    (NaN) and is infeasible unless m = 0.
 *  - Completion: "target_value" needs n = 1 (HPT_E_MULTI otherwise) and is
 *    met by a feasible trial; "patience" counts complete trials in a row
 *    that did not improve the best feasible value (n = 1) or that did not
 *    enter the front (n > 1: a trial that no earlier feasible complete
 *    trial dominates or equals is an improvement); max_trials,
 *    max_resource_total and max_seconds are unchanged.
 *  - A failed trial has no values; it is not feasible.
 *  - Strategies: grid, random and sobol propose as before (the front is
 *    bookkeeping); hyperband promotes by non-dominated rank, then
 *    hypervolume contribution, infeasible trials last (its section);
 *    bayes: its section says what it models.
 *  - Importance per objective or constraint: hpt_study_importance_of.
 *  - Exports: a column per objective and constraint, feasible and pareto
 *    (hpt_study_export_csv); journal records "objectives", "constraints"
 *    and wide "tell" lines (Journal format); warm starts map objectives by
 *    position (Warm start). hpt_study_open still takes the direction given
 *    at creation (the journal's "create" record), the shape being replayed
 *    from its own records. */

/* Set the number of objectives n (1 <= n <= HPT_MAX_OBJECTIVES) and each
 * one's direction (HPT_MINIMIZE / HPT_MAXIMIZE); directions[0] replaces
 * the direction given at creation. Before the first ask
 * and before any warm start; on a resumed study, the journal's shape may
 * be set again (accepted, not recorded again). Journaled.
 * On a shared journal the other writers' records are taken in first, so a
 * shape or a trial another writer recorded counts here.
 * @return HPT_OK; HPT_E_INVALID (NULL, n out of range, a bad direction);
 * HPT_E_STAGE (after the first ask or a warm start, or another shape than
 * the journal's); HPT_E_MULTI (n > 1 on a study with a pruner or with
 * "target_value" set); HPT_E_NOMEM; as any change (HPT_E_IO,
 * HPT_E_LOCKED in a fork()ed child, HPT_E_CORRUPT). */
HPT_API int hpt_study_set_objectives(hpt_study *study, const int32_t *directions,
                                     size_t n);

/* Set the number of black-box constraints m (0 <= m <=
 * HPT_MAX_CONSTRAINTS); a trial is feasible when each of its m constraint
 * values is <= 0. Same stage rules as hpt_study_set_objectives; journaled.
 * @return HPT_OK; HPT_E_INVALID; HPT_E_STAGE; HPT_E_NOMEM; as any change
 * (HPT_E_IO, HPT_E_LOCKED, HPT_E_CORRUPT). */
HPT_API int hpt_study_set_constraints(hpt_study *study, size_t m);

/* The study's shape: *n objectives (their directions into
 * directions[0 .. min(cap, n)), the output-array convention with needed =
 * *n; directions may be NULL when cap is 0) and *m constraints (m may be
 * NULL). For a study opened or loaded from a journal, what the journal
 * holds. Any time.
 * @return HPT_OK; HPT_E_RANGE (cap < *n: the first cap are written);
 * HPT_E_INVALID. */
HPT_API int hpt_study_objectives(const hpt_study *study, int32_t *directions,
                                 size_t cap, size_t *n, size_t *m);

/* Finish a running trial with its n objective values (n = the study's
 * number of objectives, m = 0 constraints), in the user's directions.
 * Journaled; on a shared journal any writer may tell any running trial,
 * its own or another writer's (no lease is checked).
 * @return HPT_OK; HPT_E_INVALID (NULL, n or m not the study's, a value
 * not finite); HPT_E_TRIAL; HPT_E_STATE (already finished); as any change
 * (HPT_E_IO, HPT_E_LOCKED in a fork()ed child, HPT_E_CORRUPT). */
HPT_API int hpt_study_tell_values(hpt_study *study, int64_t trial_id,
                                  const double *values, size_t n);

/* Finish a running trial with its n objective values and its m constraint
 * values (both counts the study's; constraints may be NULL when m = 0).
 * Every value must be finite (a trial that could not be measured is told
 * failed).
 * @return as hpt_study_tell_values. */
HPT_API int hpt_study_tell_constrained(hpt_study *study, int64_t trial_id,
                                       const double *values, size_t n,
                                       const double *constraints, size_t m);

/* A finished trial's n objective values as told (user's directions; n =
 * the study's number of objectives). A pruned trial gives its last report
 * as the first and NaN for the others.
 * @return HPT_OK; HPT_E_INVALID (NULL, wrong n); HPT_E_TRIAL; HPT_E_STATE
 * (running or failed: no values). */
HPT_API int hpt_trial_values(const hpt_study *study, int64_t trial_id,
                             double *values, size_t n);

/* A complete trial's m constraint values as told (m = the study's number
 * of constraints; c may be NULL when m is 0, and then nothing is
 * written).
 * @return HPT_OK; HPT_E_INVALID (NULL, wrong m); HPT_E_TRIAL; HPT_E_STATE
 * (not complete: running, failed, or pruned before its constraints were
 * known). */
HPT_API int hpt_trial_constraints(const hpt_study *study, int64_t trial_id,
                                  double *c, size_t m);

/* *feasible = 1 when the trial is complete and every constraint value is
 * <= 0 (every complete trial of a study without constraints), 0 for a
 * complete trial that violates one and for a failed trial; a pruned one
 * is 0 when m > 0 and 1 without constraints (it violates none).
 * @return HPT_OK; HPT_E_INVALID; HPT_E_TRIAL; HPT_E_STATE (running). */
HPT_API int hpt_trial_feasible(const hpt_study *study, int64_t trial_id,
                               int32_t *feasible);

/* The Pareto front: ids (ascending) of the feasible complete trials that
 * no other feasible complete trial dominates (a dominates b when a is at
 * least as good in every objective and better in one, in the user's
 * directions), among those of the largest budget present (values at
 * different budgets do not compare; budget 0, full training, is the
 * largest). Trials with equal values are all on the front. With n = 1:
 * the feasible complete trials with the best value. Output-array
 * convention: *needed is the front's size.
 * @return HPT_OK; HPT_E_RANGE (cap < *needed); HPT_E_INVALID; HPT_E_NOMEM. */
HPT_API int hpt_study_pareto(const hpt_study *study, int64_t *ids, size_t cap,
                             size_t *needed);

/* Hypervolume of the front of hpt_study_pareto with respect to the
 * reference point `reference` (n = the number of objectives, finite, in
 * the user's directions): the measure of the set of points that some
 * front trial dominates and that dominate the reference. Front points that
 * do not dominate the reference contribute nothing; an empty front gives
 * 0. Exact for every n: a sweep for n = 2 (O(N log N) for N front points);
 * for n = 3 a sweep along the third objective over the 2-D staircase (as
 * HV3D, Beume et al. 2009, IEEE TEC 13(5); O(N log N) searches and O(N^2)
 * moves at worst); for n >= 4 slicing along the last objectives down to
 * that sweep (Hypervolume by Slicing Objectives, While et al. 2006, IEEE
 * TEC 10(1)), O(N^(n-2)) slices at worst. Measured (bench/README.md,
 * "Hypervolume"; fronts where every point is non-dominated): 1000 points
 * take milliseconds for n = 2 and 3, about a second for n = 4; 200 points
 * a fifth of a second for n = 5; for n = 6 .. 8 keep to about 100, 50
 * and 20 points for times under a second.
 * @return HPT_OK; HPT_E_INVALID (NULL, wrong n, a non-finite reference);
 * HPT_E_NOMEM. */
HPT_API int hpt_study_hypervolume(const hpt_study *study, const double *reference,
                                  size_t n, double *hv);

/* ---------------------------------------------------------------------- */
/* Persistence: journal, resume, warm start                                */
/* ---------------------------------------------------------------------- */

/* ---- Journal and resume ----
 *
 * A journaled study appends every change to a journal file before the call
 * that made it returns: its creation (space, strategy, direction, seed),
 * options, warm starts, and every ask, report, tell, tell_failed and prune.
 * Opening the journal again rebuilds the study exactly, and the next asks
 * are those the process would have made had it never stopped.
 *
 * The file format is at the end of this header (Journal format).
 *
 * Durability. A record is written with one write() on the file before the
 * call returns, so it survives the death of the process (kill -9, OOM).
 * With the option "journal.fsync" = 1 (the default) it is also
 * fdatasync()ed: it survives a power failure or kernel crash, at the cost
 * of a disk flush per call; 0 = write only. "journal.fsync" is a setting
 * of the open handle: it is not recorded and may be set at any time
 * (HPT_E_NAME on a study without a journal).
 *
 * Resume = read, not recompute. Each ask record also holds what the
 * strategy needs to continue from it (its generator's position and
 * counters; for bayes and hyperband's model sampler the model's refit
 * schedule and, after each hyperparameter fit, the fitted
 * hyperparameters; for hyperband its bracket and rung decisions).
 * Reopening applies the records in order to a fresh study with the same
 * space, strategy, direction and seed: trials come from the records and
 * the strategy's state is restored from them, never proposed again, so a
 * journal of n trials reopens in O(n) time with no model fit (figures:
 * bench/journal/README.md). The model's Cholesky
 * factor is not recorded: the first ask after a reopen rebuilds it with
 * one factorization over the rows of its last fit, with the recorded
 * hyperparameters, and appends the later rows as the uninterrupted run
 * did (a transfer warm start's parent models are refitted at reopen, one
 * fit per parent journal, as when the warm start was made). A record
 * without a state (a journal written before ask records held states, or
 * an ask made while memory ran out) is re-executed: its ask is proposed
 * again from the state the records before it left.
 *
 * Guarantees. On the machine, library build and BLAS thread count that
 * wrote the journal, the next asks after a reopen are those of the
 * uninterrupted run, bit for bit. On any other machine running this
 * library version, the journal always reopens, with every recorded trial
 * (configuration, budget, parent, state and values) exactly as recorded
 * and the strategy's recorded state (generators, counters, schedules and
 * hyperparameters are exact on every machine: they are stored as bits),
 * so strategies without a model (grid, random, sobol, hyperband with
 * sampler random or sobol) go on with the same draws; a model's factor,
 * rebuilt from the recorded rows and hyperparameters by that machine's
 * arithmetic, may differ in its last bits, and the proposals made from it
 * may then differ from the uninterrupted run's (an acquisition maximizer
 * that starts from slightly different values can end at another point):
 * they are what that machine makes of the same recorded state. No
 * hyperparameter is refitted for it, and the study goes on.
 *
 * The journal is the truth. Where a re-executed ask proposes another
 * configuration, budget or parent than the one recorded, or none at all
 * (HPT_DONE, HPT_WAIT: e.g. a model that converged earlier there), the
 * recorded one is taken and the replay goes on from it: a journal reopens
 * on any machine that runs this library version. HPT_E_MISMATCH is only
 * for a journal of another space, strategy, direction or seed (the
 * message says which) or a newer format; a recorded value the space
 * cannot hold is HPT_E_CORRUPT.
 *
 * After a resume, options that the journal holds may be set again to the
 * same value (accepted, not recorded again), so one host program serves a
 * fresh start and a resume; another value gives HPT_E_STAGE once trials
 * were asked.
 *
 * Trials that were running when the process died are RUNNING again after
 * a resume (hpt_study_running lists them). The host either trains them
 * again (same id, same configuration from hpt_trial_params; then reports
 * and tells as usual) or gives them up with hpt_study_tell_failed.
 *
 * Faults. A last record torn by a crash (no newline, or a checksum that
 * does not match) is dropped on reopen and the file cut back to the last
 * complete record; hpt_study_journal_info says so (a warm start whose
 * block of records was cut short is dropped whole, likewise). A record is
 * small and goes out in one write(), so killing the process tears none in
 * practice; power loss or a full disk can. Damage anywhere else is
 * HPT_E_CORRUPT with the line number in the message; the file is left as
 * it is. That includes a whole record deleted or moved (each line still
 * with a right checksum): the first line whose sequence number is not its
 * line number is named. A journal of another space, strategy, direction
 * or seed, or of a newer format, is refused with HPT_E_MISMATCH saying
 * what differs.
 * A journal of format 1 (libhpt 0.1.0 before sequence numbers) is read as
 * it is by hpt_study_load and warm start; hpt_study_open converts it to
 * the current format: the converted file is written beside it, synced and
 * renamed over it, and the original is kept as "<path>.v1" (".v1.2" ...
 * ".v1.9" if taken); hpt_study_journal_info's note says so. When that
 * cannot be done (no room, no write permission on the directory) the open
 * fails with HPT_E_IO, the journal untouched, and the message says so.
 *
 * Several writers. Any number of studies, in one process or in several
 * (on one host, or on hosts sharing the file), may open one journal and
 * work on its study together, the default. Every change (ask, report,
 * tell, tell_failed, prune, enqueue, attributes, options, warm start,
 * hpt_study_heartbeat/_stale/_claim) first takes in the records the other
 * writers appended since this study last looked, under a lock held only
 * for that read and its own append: trial ids stay unique (an ask's id is
 * the journal's next trial), and each ask's proposal takes every other
 * writer's trials, running and finished, into account. Records taken in
 * are applied the way a resume applies them, so the strategy follows the
 * one sequence of calls the file holds, and two writers never propose the
 * same configuration twice (for a strategy that does not repeat itself).
 * Queries (hpt_trial_*, hpt_study_best, exports) show what the study took
 * in by its last change; hpt_study_heartbeat brings it up to date. A
 * study that only watches (hpt_study_open, then hpt_study_stale or
 * hpt_study_heartbeat) writes nothing. The clock of "max_seconds" is each
 * writer's own active time.
 * Locks: POSIX byte-range locks through fcntl: open-file-description locks
 * (Linux >= 3.15), which also keep two studies of one process apart; where
 * those are missing, classic POSIX locks plus a process-wide mutex (then a
 * process must not also read a journal it writes: closing any descriptor
 * of a file drops its classic locks). They work on local file systems and
 * on NFS (v3 with lockd, v4; the client rereads the file when it takes a
 * lock); a file system without POSIX locks fails the open with HPT_E_IO.
 * Leases. A study that asks writes who runs the trial (its pid, host and a
 * random token) and, while it has trials running, renews that lease on its
 * changes, at most every lease/4 seconds. A running trial of another
 * writer is stale when that writer renewed nothing for "journal.lease_seconds"
 * (default 600), or at once when its study was destroyed (hpt_study_destroy
 * gives its running trials up) or it ran on this host and its process is
 * gone; hpt_study_stale lists them, and any writer may give them up
 * (hpt_study_tell_failed) or take them over to train them again under the
 * same id (hpt_study_claim). A training that makes no call for longer than
 * the lease must call hpt_study_heartbeat meanwhile. Host clocks must
 * agree to well within the lease (leases carry the wall clock).
 *
 * Exclusive. Setting "journal.exclusive" = 1 makes this study the
 * journal's only writer until it is destroyed (it cannot be set back to
 * 0): HPT_E_LOCKED when another study has the journal open, and any later
 * hpt_study_open of it gets HPT_E_LOCKED. An exclusive study takes no lock
 * per change and writes no leases (its trials are stale to whoever opens
 * the journal after it). hpt-tune runs exclusive (its trials' processes and
 * folders are its own).
 * "journal.lease_seconds" (a real in (0, 1e9], default 600; every writer
 * of a journal should use one value: the owner renews by its own, others
 * judge by theirs) and "journal.exclusive" (bool, default 0) are settings
 * of the open study, like "journal.fsync".
 *
 * hpt_study_load reads a journal in use and never takes a lock. The
 * descriptor is close-on-exec, so a program started with exec() never
 * holds it; a child made by fork() shares it (and its locks, which an OFD
 * lock is not released by the child's exit) but cannot write: the study
 * remembers the pid that opened the journal, and in any other process
 * every change fails with HPT_E_LOCKED before it reaches the file (the
 * child may open the journal itself once the parent closed it). When a
 * write fails (disk full ...) the call returns
 * HPT_E_IO: its change is in memory only, the journal is closed, and
 * every later ask (and write) fails with HPT_E_IO; reopen the journal to
 * resume from what it holds.
 *
 * Files. A journal or parent journal must be a regular file (or a
 * symbolic link to one): a FIFO, device or directory is refused at once
 * with HPT_E_IO, never waited on or read without end.
 *
 * Threads: as for any study; records are appended in call order. */

/* Create a journaled study in the file `path` (which must not exist, or be
 * empty, or hold a creation that never finished), or resume the study it
 * holds: then space, strategy, direction and seed must be those it was
 * created with. space == NULL and strategy == NULL (both) resume whatever
 * the journal holds, ignoring direction and seed (for tools). On success
 * *out is a study the caller owns; hpt_study_destroy closes the journal.
 * @return HPT_OK; HPT_E_INVALID; HPT_E_NAME (unknown strategy); HPT_E_IO;
 * HPT_E_LOCKED; HPT_E_CORRUPT (damage, line number in hpt_last_errmsg);
 * HPT_E_MISMATCH; HPT_E_NOMEM. */
HPT_API int hpt_study_open(const char *path, const hpt_space *space,
                           const char *strategy, int32_t direction,
                           uint64_t seed, hpt_study **out);

/* Read the study a journal holds without taking it over: no lock, nothing
 * cut or written, a torn last record ignored. It never waits for the
 * study writing the journal and never keeps it from opening or appending:
 * on the journal of a running job it reads the whole records there at
 * that moment (one being written is left out). The result is a snapshot
 * (e.g. for exporting the results of a job that is still running): it
 * holds no journal, and changes made to it are not recorded. On success
 * *out is a study the caller owns.
 * @return as hpt_study_open, except HPT_E_LOCKED. */
HPT_API int hpt_study_load(const char *path, hpt_study **out);

/* What opening the journal found: *records = records in the file now,
 * *dropped_bytes = bytes of a torn end cut off at reopen (0 normally),
 * *note = "created" or "resumed: N records replayed, T trials (R running)"
 * followed by what was dropped, if anything. The note is owned by the
 * study, valid until it is destroyed. Any out may be NULL.
 * @return HPT_OK; HPT_E_STATE (no journal); HPT_E_INVALID. */
HPT_API int hpt_study_journal_info(const hpt_study *study, int64_t *records,
                                   int64_t *dropped_bytes, const char **note);

/* Take in the records other writers appended and, when this study runs
 * trials it asked, renew its lease (see Several writers, above); call it
 * from a training that makes no other call for a while (more often than
 * "journal.lease_seconds"). With "journal.exclusive" it only takes in.
 * @return HPT_OK; HPT_E_STATE (no journal: a study from hpt_study_create,
 * or a hpt_study_load snapshot); HPT_E_INVALID; as any change (HPT_E_IO,
 * HPT_E_LOCKED in a fork()ed child, HPT_E_CORRUPT). */
HPT_API int hpt_study_heartbeat(hpt_study *study);

/* Ids of the stale trials, ascending, into ids[0..n), after taking in
 * the other writers' records; *needed = their number: running trials of
 * another writer whose lease expired or whose process on this host is
 * gone, and running trials without a lease (left by an exclusive writer or
 * a library before leases). This study's own trials are never stale to
 * it; to an exclusive study every running trial it did not ask is stale.
 * ids may be NULL when n is 0.
 * @return HPT_OK; HPT_E_RANGE (n < *needed: the first n are written);
 * HPT_E_STATE (no journal); HPT_E_INVALID; as any change. */
HPT_API int hpt_study_stale(hpt_study *study, int64_t *ids, size_t n,
                            size_t *needed);

/* Take over the running trial trial_id to train it again (same id, same
 * configuration: hpt_trial_params), recorded as this study's lease; then
 * report and tell as for a trial it asked. Its own trials: a no-op. On an
 * exclusive study the claim is taken in memory only (no other writer can
 * read it).
 * @return HPT_OK; HPT_E_TRIAL; HPT_E_STATE (finished, or held by a writer
 * whose lease is live: the message names it; no journal); HPT_E_INVALID;
 * HPT_E_NOMEM; as any change. */
HPT_API int hpt_study_claim(hpt_study *study, int64_t trial_id);

/* ---- Warm start ----
 *
 * hpt_study_warm_start reads the complete trials of a parent study from
 * its journal (which may still be in use by a running job) and gives them
 * to this one, before its first ask, for up to 5 parents:
 *  - HPT_WARM_IDENTICAL (same objective and data): parent trials become
 *    observations of this study: models (bayes) fit them like its own
 *    trials; they never become trials (no id) and never count for
 *    max_trials, target_value or patience; hpt_study_best_overall includes
 *    them. Strategies without a model (grid, random, sobol) do not use them.
 *  - HPT_WARM_TRANSFER (a related objective: new data, another task):
 *    parent results only inform a prior. The bayes strategy fits a GP on
 *    each parent in turn (stacked on the residuals of the previous one) and
 *    uses it as the prior mean of the GP on this study's own trials, so the
 *    new data always dominates. Without a model, transfer has no effect.
 * Parameters are matched by name. Allowed differences: changed ranges
 * (parent points outside the new range still inform the model: their unit
 * coordinates lie outside [0, 1]), parameters made fixed, parameters new
 * here (their value in the parent trials comes from hpt_study_warm_default),
 * parameters dropped here (ignored). Types may not change. A parent trial
 * whose categorical value is not a choice here, or whose value lies outside
 * the domain of this scale (<= 0 for log), is skipped; only the parent's
 * complete trials at its largest budget are used (all of them when it is
 * single-fidelity). The imported points are recorded in this study's
 * journal: a resume does not need the parent files.
 * Several objectives and constraints (set them before warm starting) are
 * matched by position: the parent's objective k is objective k here, its
 * constraint j constraint j. HPT_WARM_IDENTICAL needs the parent to have
 * as many objectives and constraints as this study (else HPT_E_MISMATCH);
 * HPT_WARM_TRANSFER takes the first min(parent's, this study's) of each,
 * the others unknown to the prior. Infeasible parent trials are used (the
 * constraint models learn from them). */

/* Value that the parameter `name` (new in this space) had in parent
 * trials: a valid value of it (categorical: the choice index). Call before
 * hpt_study_warm_start; kept for every later parent.
 * @return HPT_OK; HPT_E_NAME; HPT_E_INVALID; HPT_E_STAGE (after the first
 * ask); HPT_E_NOMEM. */
HPT_API int hpt_study_warm_default(hpt_study *study, const char *name,
                                   double value);

/* Warm-start from the journal `parent_journal` with kind HPT_WARM_*; all
 * or nothing. What could not be mapped is reported by hpt_study_warm_info.
 * @return HPT_OK; HPT_E_STAGE (after the first ask); HPT_E_INVALID (bad
 * kind, a 6th parent); HPT_E_TYPE (a parameter changed type); HPT_E_NAME
 * (a new parameter without default); HPT_E_IO; HPT_E_CORRUPT (parent
 * damaged or holding no study); HPT_E_MISMATCH; HPT_E_NOMEM. */
HPT_API int hpt_study_warm_start(hpt_study *study, const char *parent_journal,
                                 int32_t kind);

/* Totals over all warm starts: parent trials used and skipped, and a
 * summary per parent ("parent 'p.jnl' (identical): 40 of 45 complete
 * trials used; 5 skipped: a choice not in this space; parent parameter
 * 'dropout' is not here (ignored)", joined by "; "), owned by the study,
 * valid until its next warm start or its destruction. Any out may be NULL.
 * @return HPT_OK, HPT_E_INVALID. */
HPT_API int hpt_study_warm_info(const hpt_study *study, int64_t *used,
                                int64_t *skipped, const char **summary);

/* ---------------------------------------------------------------------- */
/* Allocation                                                              */
/* ---------------------------------------------------------------------- */

typedef void *(*hpt_malloc_fn)(size_t size, void *ctx);
typedef void *(*hpt_realloc_fn)(void *ptr, size_t size, void *ctx);
typedef void (*hpt_free_fn)(void *ptr, void *ctx);

/* Route every allocation libhpt makes itself through the given functions
 * (ctx is passed to each call); all three NULL restores the C library's.
 * Allowed only while no libhpt space or study exists, since memory must be
 * freed by the allocator that made it. The functions must be thread-safe if
 * studies are used from several threads. Allocations made inside GSL and
 * OpenBLAS do not go through these hooks.
 * @return HPT_OK; HPT_E_INVALID (some but not all functions NULL);
 * HPT_E_STAGE (objects exist). */
HPT_API int hpt_set_allocator(hpt_malloc_fn malloc_fn, hpt_realloc_fn realloc_fn,
                              hpt_free_fn free_fn, void *ctx);

/* ---------------------------------------------------------------------- */
/* Reference: strategies and pruners                                       */
/* ---------------------------------------------------------------------- */

/* What each strategy and pruner does, and its options. At run time
 * hpt_study_option_count and hpt_study_option_info list the same options
 * with their kinds, defaults and bounds. */

/* ---- Strategies "grid", "random", "sobol" ------------------------------ */

/* Strategy "grid": every configuration of the product of the integer and
 * categorical values and "grid.points" points per float range, each
 * exactly once, then HPT_DONE (reason "exhausted").
 *   "grid.points"   points per float range without a step, spread evenly
 *                   under the parameter's scale, ends included (one point:
 *                   the middle); default 5; integer 1..1e6. Stepped floats
 *                   and integers use all their points.
 *   "grid.shuffle"  1 = visit the grid in a seed-driven random order,
 *                   0 = lexicographic order (last parameter fastest);
 *                   default 0.
 *
 * Strategy "random": independent uniform points in the unit cube, i.e.
 * uniform under each parameter's scale (log-uniform on LOG). No options.
 *
 * Strategy "sobol": a Sobol low-discrepancy sequence with a seed-driven
 * random shift modulo 1, so different seeds give different, equally well
 * spread designs; coordinates past the 40th are uniform draws. No
 * options. */

/* ---- Strategy "bayes" ----------------------------------------------- */

/* Strategy "bayes": Bayesian optimization. A Gaussian process models the
 * loss over the unit cube of the space (Matern-5/2 kernel, one lengthscale
 * per parameter, signal and noise variance, constant mean; hyperparameters
 * by maximum a posteriori with weak priors), and each ask proposes the
 * point of highest log expected improvement.
 *
 * Options (hpt_study_set; integers; before the first ask):
 *   "bayes.initial_trials"  Sobol points asked before the model takes over.
 *                           0 = automatic: 2 d + 1 for d parameters, at
 *                           least 5, at most 20. HPT_WARM_IDENTICAL
 *                           observations inside this space (every
 *                           coordinate within the current ranges) replace
 *                           design points one for one, so a study
 *                           warm-started with enough of them starts with
 *                           the model; those outside a narrowed range
 *                           inform the model but replace none. With
 *                           HPT_WARM_TRANSFER data there is no initial
 *                           design: the first ask maximizes EI under the
 *                           parents' model alone (see Warm start below).
 *                           Default 0; 0..1e6.
 *   "bayes.candidates"      (tuning knob) quasi-random candidates scored
 *                           per ask (plus half as many perturbations of
 *                           the best points). Default 1024; 16..1e6.
 *                           Past a few hundred observations the count
 *                           shrinks automatically so that
 *                           candidates x n^2 <= 2.5e8 (at least 64;
 *                           1.25e8 from 500 model rows, see Cost below).
 *   "bayes.local_starts"    (tuning knob) best candidates refined by
 *                           gradient ascent. Default 5; 0..64.
 *   "bayes.refit_every"     (tuning knob) hyperparameter refit schedule:
 *                           0 = automatic (after every observation up to
 *                           20, then each time their count grew by 10%);
 *                           k > 0 = every k observations. Between refits
 *                           a new observation extends the Cholesky factor
 *                           by one row, O(n^2).
 *                           Default 0; 0..1e6.
 *   "bayes.fit_restarts"    (tuning knob) random starts of the
 *                           hyperparameter fit besides the previous
 *                           optimum (used while a fit sees at most 50
 *                           observations, then at every 8th fit; from
 *                           500 observations on 64 of them, see Cost).
 *                           Default 2; 0..100.
 *   "bayes.fit_max_points"  (tuning knob) observations used by a
 *                           hyperparameter fit (the best half and a
 *                           seeded random sample of the rest); the model
 *                           itself uses all of them.
 *                           Default 300; 20..5000.
 *   "bayes.blas_threads"    0 = leave OpenBLAS's thread count alone
 *                           (default); k > 0 = set it to k for the duration
 *                           of each ask and restore it after. OpenBLAS's
 *                           count is process-wide, so only use this when no
 *                           other thread of the host uses OpenBLAS at the
 *                           same time. It changes no trial (see "Threads"
 *                           below), and since the model's products run on
 *                           the calling thread, hardly its speed either.
 *                           0..1024.
 *   "bayes.convergence"     completion criterion on expected improvement
 *                           (a number; 0 = off, the default; 0..1): ask
 *                           returns HPT_DONE, hpt_study_done_reason
 *                           "converged", once the last
 *                           "bayes.convergence_asks" model proposals in a
 *                           row each had a best candidate whose expected
 *                           improvement, in loss units, was below this
 *                           fraction of the range (max - min) of the
 *                           observed losses. With the output warp (below)
 *                           the EI is mapped back to loss units by an
 *                           upper bound (Jensen's inequality on the concave
 *                           warp), so the test errs on continuing. The
 *                           decision uses only proposals already returned:
 *                           the ask that says HPT_DONE changes nothing, and
 *                           keeps saying it.
 *   "bayes.convergence_asks" proposals in a row for "bayes.convergence".
 *                           Default 5; 1..1e6.
 *   "bayes.repeats"         most evaluations of one configuration (complete,
 *                           failed, pruned and running trials and
 *                           HPT_WARM_IDENTICAL observations all count), for
 *                           noisy objectives where evaluating a good
 *                           configuration again is informative. The rule:
 *                           an ask returns the acquisition search's
 *                           best-ranked candidate whose configuration has
 *                           fewer than this many evaluations, so a
 *                           configuration is asked again exactly when the
 *                           model's expected improvement (which, with the
 *                           fitted noise, stays positive at an evaluated
 *                           point) ranks it first among those with room.
 *                           A fully discrete space is exhausted (HPT_DONE)
 *                           once every configuration has this many.
 *                           Default 1 (never repeat); 1..1e6.
 *   "bayes.local_above"     observations up to which the model is the
 *                           exact GP on all of them; past it, a local GP
 *                           (see "Large studies" below). Default 3000;
 *                           100..1e9 (1e9: always exact, memory 8 n^2).
 *   "bayes.local_rows"      (tuning knob) K, the size of the local GP's
 *                           subset (at most K + K/2 rows). Default 1000;
 *                           20..1e5; a value above "bayes.local_above"
 *                           is accepted and used as "bayes.local_above".
 *   "bayes.fill_below"      fill the space while the model has learned
 *                           nothing (a number; 0 = off, the default;
 *                           0..1; 0.05 was measured for plateaus, 0.2
 *                           for rugged objectives with many narrow local
 *                           minima, where it helps somewhat: see
 *                           bench/README.md). The test,
 *                           at each model proposal: the median over the
 *                           model's observations (up to 64 of them, spread
 *                           over the history) of each one's largest kernel
 *                           correlation with another is below this value,
 *                           and the observations nearest the best one
 *                           (an eighth of them, at least 4) are no better
 *                           (median) than the rest. The fit then explains
 *                           every observation as unrelated to the others,
 *                           and searching around the best point has found
 *                           nothing -- typically a plateau whose values
 *                           differ by noise, such as chance accuracy over
 *                           a range of poor settings, where expected
 *                           improvement only refines that noise. Such an
 *                           ask returns the point farthest from every
 *                           finished and running trial among 256 random
 *                           ones, as with no observations. Smooth and
 *                           multimodal objectives keep the correlations
 *                           far above 0.05; on noisy step-valued metrics
 *                           (a decision tree's accuracy) the test can
 *                           fire and cost refinement (bench/README.md).
 *                           With several objectives the test must
 *                           hold for each one's model. Not used with
 *                           constraints (a space-filling point would
 *                           ignore the feasible region), nor with a
 *                           transfer prior.
 *   "bayes.warp"            input warping (0 = off, the default; 1 =
 *                           on): the objective's model sees each float
 *                           and integer parameter (not those under a
 *                           condition) through a Kumaraswamy
 *                           CDF 1 - (1 - u^a)^b of its unit coordinate u,
 *                           with a and b fitted along with the
 *                           lengthscales (Snoek et al. 2014; HEBO). A
 *                           coordinate keeps a warp only when it raises
 *                           the fit's log posterior by 3 nats over the
 *                           unwarped fit (a likelihood-ratio test), so
 *                           smooth objectives mostly keep the plain
 *                           model. For parameters whose declared scale
 *                           is wrong -- a learning rate declared linear
 *                           over [1e-5, 1], an optimum crowded into one
 *                           end of a range -- it turns a stalled search
 *                           into a converged one; elsewhere it moves
 *                           results both ways (bench/README.md, "Input
 *                           warping"), which is why it is off.
 *                           Declaring the scale (HPT_SCALE_LOG) is
 *                           better still. With several objectives or
 *                           constraints every model has its own warp.
 *                           Each refit costs one or two more
 *                           hyperparameter searches.
 *
 * Behaviour:
 *  - Outputs. Losses (values, negated when maximizing) are standardized.
 *    When their skewness exceeds 1 they are first replaced by the
 *    rank-preserving log(loss - min + c), c = (median - min) 10^-k with
 *    k in 0..2 chosen to make the result least skewed, so that a few huge
 *    values (e.g. Rosenbrock) do not flatten the model, while a loss
 *    difference just above the best counts at most 101 times what it
 *    counts at the median (a finer warp makes the best point's basin a
 *    narrow well the search does not leave). The median there is the
 *    larger of all losses' and of the earliest quarter's, so that a
 *    search gathered in one basin does not narrow the warp onto it; the
 *    earliest are the first rows the model sees: warm-start rows come
 *    first, then the study's own in the order they finished (its design
 *    and first steps), and past "bayes.local_above" the local subset's
 *    rows in their order. A run that diverged
 *    should be told as a failure (hpt_study_tell_failed), not as a huge
 *    value: a cliff of huge values over much of the space hides every
 *    ordinary difference from a stationary model.
 *  - Integers, steps and categoricals are scored at the configuration they
 *    decode to (Garrido-Merchan & Hernandez-Lobato 2020); the gradient
 *    refinement moves continuous coordinates only. A categorical is one
 *    coordinate whose kernel distance is 0 for equal and 1 for different
 *    choices (a scaled one-hot distance), with its own lengthscale.
 *  - Conditional spaces (hpt_space_add_condition*) are modelled inside the
 *    GP, by its kernel, not by falling back to random search for the
 *    conditional part. Each parameter that has conditions uses the arc
 *    embedding of Hutter & Osborne 2013 ("A kernel for hierarchical
 *    parameter spaces"): two configurations are compared on that
 *    parameter by its value when it is active in both (to within O(d^3)
 *    the plain difference), they differ by a fixed amount -- as much as a
 *    categorical mismatch, in that parameter's lengthscale -- when it is
 *    active in only one (an active-set term), and not at all when it is
 *    inactive in both; the value an inactive parameter is stored with is
 *    never read. Why this choice: it needs no new hyperparameter (one
 *    lengthscale per parameter, as before), it is positive definite for
 *    every mix of activity patterns (the simpler "skip the parameters not
 *    active in both" is not, and would need jitter or fail to factor),
 *    and unlike imputing a fixed value (what libhpt did before: inactive
 *    parameters at the middle of their range, so an inactive momentum
 *    looked like an active momentum of 0.5) it does not pretend that a
 *    configuration without the parameter resembles one with a particular
 *    value of it. The acquisition search perturbs only parameters active
 *    at the point it perturbs; moving a parent to another branch draws the
 *    parameters that become active (nested ones too), and every candidate
 *    is scored with its inactive parameters at their canonical value. On
 *    bench/cond's "net" (bench/README.md) the kernel and the imputation
 *    reached the same regret at 100 evaluations (20 seeds; both better
 *    than Optuna's TPE with group=True); the kernel costs about 1.5x per ask
 *    on a conditional space (each point's activity and embedding, and a
 *    longer distance per kernel value), nothing on a space without conditions,
 *    whose proposals are bit-identical to those of earlier versions.
 *  - Running trials are fantasized at the model's mean (kriging believer),
 *    so asks made while trials run are distinct and spread out where the
 *    model is uncertain. The fantasies are noise-free: a running trial
 *    stands for the objective's underlying value at its point, not for a
 *    noisy observation of it, so it removes the model's uncertainty there
 *    whatever noise the model fitted (with a noisy fantasy, a noisy or
 *    plateau-like objective got its parallel asks as near-copies of one
 *    point). This holds for one objective, several objectives and
 *    constraints, and hyperband's model sampler alike. Proposals depend
 *    only on the sequence of asks and tells, not on timing or the number
 *    of workers. Asks with no tell in between keep the previous ask's
 *    fantasies and add only the new running trial (the same bits as
 *    rebuilding them), so k asks in a row cost O(k n^2) in all rather than
 *    O(k^2 n^2); after a tell each running trial keeps the part of its
 *    fantasy that the finished trials alone determine, O(p n + p^2 (n + p))
 *    for p running trials over n finished ones.
 *  - Failed trials train a second model of the probability of failure,
 *    which multiplies EI: asks steer away from where trials failed, and
 *    repeated failures in one region make it ever less likely to be asked
 *    again (the probability has no floor). Past 64 finished trials it
 *    sees 64 of them (the newest
 *    failures, the trials nearest them, the best ones, an even spread of
 *    the rest), so a few failures add a small fraction to the cost of
 *    later asks. Pruned trials count as complete with their last reported
 *    value.
 *  - Noisy objectives are modelled by the fitted noise variance; EI's
 *    incumbent is the lowest posterior mean at an observed point. The best
 *    trial reported by hpt_study_best stays the best observed value.
 *  - Several objectives and constraints (hpt_study_set_objectives,
 *    hpt_study_set_constraints): one GP per objective (each with the
 *    output warp above, which keeps dominance) and one per constraint
 *    (standardized), on the same trials, with the same candidates and the
 *    same fantasies for running trials. The acquisition is, in log space:
 *    with several objectives, log expected hypervolume improvement over
 *    the front of the posterior means at the feasible trials, computed
 *    exactly from a box decomposition of the region the front does not
 *    dominate (any number of objectives; n + 1 boxes for a front of n
 *    points with 2 objectives, about 2 n + 1 with 3, faster growth beyond,
 *    where a front that would need more than 4096 boxes is thinned), its
 *    reference point per objective the larger of the front's nadir and
 *    the median over the trials, plus 10% of the trials' range; with
 *    one objective, log EI over the best feasible posterior mean; plus, for
 *    each constraint, log P(c_j <= 0) (the probability of feasibility,
 *    Gardner et al. 2014). Until a trial is feasible, asks maximize the
 *    probability of feasibility alone. Failed trials keep their own model
 *    (previous point). "bayes.convergence" does not apply (it never
 *    fires), a HPT_WARM_TRANSFER prior informs the first objective only,
 *    and hpt_study_importance_lengthscale reads the first objective's
 *    GP. Each ask costs one model update per objective and constraint
 *    (bench/README.md: about 0.1 s per ask at 100 trials for 2 or 3
 *    objectives on a loaded machine).
 *  - No ask repeats a configuration that is complete, running or failed
 *    (beyond "bayes.repeats" evaluations). When every ranked candidate is
 *    taken, a fully discrete space (up to 2^20 configurations once the
 *    values given to hpt_study_enqueue are held) is enumerated and
 *    the untaken configuration of highest expected improvement is asked;
 *    other spaces try 64 random configurations, and only if all of those
 *    are taken too is the best candidate repeated. A fully discrete space
 *    returns HPT_DONE ("exhausted") once its distinct configurations
 *    (conditional spaces: each active set's sub-product, see
 *    hpt_space_add_condition) have all been asked or observed in a warm
 *    start, not after as many asks as it has configurations.
 *  - Cost: an ask is O(n^2) in the number of observations n, plus an
 *    amortized share of the O(n^3) refactorization at each refit; memory is
 *    about 8 n^2 bytes (the Cholesky factor). Steady-state asks allocate
 *    nothing; buffers grow geometrically. (The enumeration above, and on a
 *    fully discrete space the exhaustion count once there were as many
 *    asks as configurations, sort a temporary copy of the asked points.)
 *    From 500 rows in the model (observations, plus running trials for
 *    the search) the schedule is lean, so that an ask costs about one
 *    dpotrf(n) and a cold fit about ten (in 6-D at n = 1,000: mean ask
 *    1.3 x dpotrf, first ask 10 x, bench/README.md): a fit's random
 *    restarts run on a subset of 64 of the fitted observations (half the
 *    BFGS iterations), and the fit_max_points rows only polish the best
 *    start (a twelfth of them, at least one); the candidate budget is
 *    candidates x n^2 <= 1.25e8 and the refinement's local_starts x steps
 *    x 2 n^2 <= 1e8 (half those below). Below 500 rows nothing changes.
 *  - Large studies. Past "bayes.local_above" (A) observations the model
 *    is a local GP on at most K + K/2 of them (K = "bayes.local_rows"),
 *    so an ask's time and memory stop growing with n (in 6-D with the
 *    defaults, n = 5,000 to 100,000: median 25-30 ms per ask before the
 *    lean schedule above, 12 ms with it at 5,000; peak 25-60 MiB for the
 *    whole process; what still grows is O(n) bookkeeping).
 *    The subset is a function of the observations
 *    alone, not of when the asks came: the observations are cut into a
 *    prefix of A + (K/2) floor((n - A - 1) / (K/2)) and the newer ones
 *    after it; from the prefix it keeps the K/4 of lowest loss, the K/2
 *    nearest (Euclidean in the unit cube) to the best one, and a random
 *    sample of the rest seeded by the prefix length; then every newer
 *    observation. So between two prefix steps (every K/2 observations)
 *    the model extends its factor as below the switch, and at each step
 *    it is refitted on the new subset. The model of failures has its own
 *    bound from 64 finished trials on (the failed-trials item above).
 *    With several objectives or constraints every model (one per
 *    objective and constraint) keeps one shared subset of the same rule,
 *    the "lowest loss" there being each feasible observation's best
 *    objective in units of that objective's spread over the first A
 *    observations (infeasible ones after every feasible one, by their
 *    largest violation in units of that constraint's spread); the Pareto
 *    front, the reference point and the centers are those of the subset.
 *    Running trials and the configurations never to repeat still come
 *    from every trial, and the best observations are always in the
 *    subset (so is EI's incumbent). Below the switch nothing changes:
 *    the same trials as without it.
 *  - Threads. The trials do not depend on OpenBLAS's thread count (1, 2,
 *    4, unset: the same bits) nor on which or how many host threads call
 *    the library: same library version and CPU architecture => same
 *    trials, for studies of any size. The model's linear algebra
 *    (Cholesky factorization, triangular solves, inverse) is libhpt's own,
 *    blocked with a fixed summation order; its O(n^3) and O(n^2 m) parts
 *    are BLAS level-3 products (dgemm) on tiles small enough that OpenBLAS
 *    always computes them on the calling thread with the same kernel
 *    (OpenBLAS's own threaded dpotrf and dgemm give sums that change with
 *    the thread count). Nothing to pin for reproducibility, and no
 *    oversubscription by libhpt's calls: a host with its own worker
 *    threads may leave OpenBLAS's thread count as it is. "CPU
 *    architecture" is meant strictly: OpenBLAS chooses its kernels by CPU
 *    model (e.g. AVX2 or AVX-512) and by its own version, and another
 *    kernel may round differently. libhpt never changes OpenBLAS's thread
 *    count unless "bayes.blas_threads" is set.
 *  - Warm start (hpt_study_warm_start). HPT_WARM_IDENTICAL observations
 *    are fitted like complete trials, in their unit coordinates even when
 *    those lie outside [0, 1] (a narrowed range): the kernel takes any
 *    coordinates, while candidates, their refinement and every proposal
 *    stay inside the cube (an incumbent outside it is perturbed from its
 *    projection onto the cube). EI's incumbent is the best posterior mean
 *    over trials and observations together; observations are never
 *    proposed again. HPT_WARM_TRANSFER parents give the GP a prior mean
 *    (stacked GPs, Golovin et al. 2017, "Google Vizier", sec. 3.3): for
 *    each parent in order, its losses are transformed and standardized on
 *    their own, and a GP is fitted (hyperparameters by MAP, at most
 *    "bayes.fit_max_points" points) on them minus the mean of the GPs
 *    fitted before; the stack's mean is the prior mean of the GP on this
 *    study's own trials, which models the residuals: near this study's
 *    data its data decide, elsewhere the parents' shape guides EI.
 *  - Importance: hpt_study_importance is variance-based and fits its own
 *    model for any strategy; hpt_study_importance_lengthscale is bayes's
 *    own view, 1 / lengthscale of the fitted
 *    kernel for each parameter, normalized to sum 1; a categorical's
 *    lengthscale is in units of "another choice" (distance 1), a numeric
 *    one's in units of its whole range; fixed parameters get 0. Available
 *    once the model was fitted (after the initial design). It says how
 *    fast the model varies along each parameter, not how much of the
 *    variance each explains.
 *  - GSL. The fit uses GSL's BFGS minimizer (vector_bfgs2) and the
 *    acquisition gsl_sf_log_erfc, only with finite inputs in their domains,
 *    so GSL's error handler is never reached except if GSL itself runs out
 *    of memory while allocating at the first ask. */

/* ---- Strategy "hyperband" ------------------------------------------- */

/* Strategy "hyperband": multi-fidelity search (Li et al., "Hyperband",
 * JMLR 18(185), 2018) in the synchronous form of the paper or the
 * asynchronous one, ASHA (Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020).
 *
 * Budgets. Every trial has a budget (hpt_trial_budget): the resource to
 * train it with (epochs, samples, seconds), in the unit of the options
 * below. With R = max_resource, r_min = min_resource and
 * s_max = floor(log_eta(R / r_min)), bracket s (s = s_max .. 0) starts
 * n = ceil((s_max + 1) / (s + 1) * eta^s) configurations at budget
 * R eta^-s, and its rung k (k = 0 .. s) trains the best floor(n eta^-k) of
 * rung k - 1 on budget R eta^(k-s). For R = 81, eta = 3 (r_min = 1):
 *     s = 4: 81 @ 1, 27 @ 3, 9 @ 9, 3 @ 27, 1 @ 81
 *     s = 3: 34 @ 3, 11 @ 9, 3 @ 27, 1 @ 81
 *     s = 2: 15 @ 9,  5 @ 27, 1 @ 81
 *     s = 1:  8 @ 27, 2 @ 81
 *     s = 0:  5 @ 81
 * Budgets are doubles; they are integers when R / r_min is a power of eta
 * (the usual choice); otherwise round them in the host.
 *
 * Promotions. A trial whose resume_from (hpt_trial_budget) is p >= 0
 * continues trial p: it has p's configuration and should end up trained on
 * `budget` in total, p having been trained on hpt_trial_budget(p). A host
 * that kept p's checkpoint (weights, optimizer state) loads it and trains
 * budget - budget(p) more; one that did not trains from scratch. Only
 * complete trials are ranked and promoted (by value, ties to the lower id),
 * each at most once; failed and pruned trials never are. With several
 * objectives or with constraints the rank is: feasible trials first, by
 * non-dominated rank (the front of the rung, then the front of the rest,
 * ...), within a rank by exclusive hypervolume contribution, largest first
 * (reference: the worst feasible value of the rung in each objective plus
 * 10% of its range, plus 1 when the range is 0); then the infeasible
 * trials by total violation (sum of the positive constraint values),
 * smallest first; ties to the lower id.
 *
 *     // one worker of a host; the budget is in epochs
 *     int rc = hpt_study_ask(st, &id);     // HPT_WAIT: let a trial finish
 *     hpt_trial_budget(st, id, &budget, &from);
 *     double done = 0;
 *     if (from >= 0 && load_checkpoint(from, &model))   // host's own
 *         hpt_trial_budget(st, from, &done, NULL);
 *     for (e = done + 1; e <= budget; e++) { train_epoch(&model); ... }
 *     save_checkpoint(id, &model);
 *     hpt_study_tell(st, id, validation_error(&model));
 *
 * Synchronous mode (hyperband.async = 0): the paper's schedule. Brackets
 * run one after the other, s = s_max first; a rung's trials are promoted
 * only once every trial of the rung has finished, and until then
 * hpt_study_ask returns HPT_WAIT (tell a running trial, then ask again). A
 * rung with fewer complete trials than it should promote promotes them all;
 * one with none ends its bracket. After the last bracket the next
 * Hyperband iteration starts with new configurations, until
 * hyperband.iterations or max_trials ends the study.
 *
 * Asynchronous mode (default): ASHA. Each ask promotes, from the highest
 * rung down, a complete trial that is in the top floor(m / eta) of the m
 * complete trials of its rung and was not promoted yet, or else starts a
 * new configuration: ask never returns HPT_WAIT, so no worker idles. By
 * default ASHA runs the most aggressive bracket only (s = s_max: new
 * configurations start at r_min), as the MLSys paper recommends; with
 * hyperband.brackets = b > 1 each of the b most aggressive brackets runs
 * its own ASHA and a new configuration goes to the bracket furthest behind
 * its Hyperband share n(s) (ties to the more aggressive one), so brackets
 * get configurations in the proportions of the table above. The study runs
 * until max_trials (set it).
 *
 * Failed promotions (both modes): a promotion told failed lost a worker,
 * not the configuration, so its parent goes back to the candidates of its
 * rung and the failed trial no longer counts in the rung it was to fill;
 * a later ask promotes the parent again if it still ranks (same
 * configuration and budget, a new trial id with the same parent). This
 * happens at most 2 times per parent: after a third failed promotion it
 * stays promoted, so a configuration that always breaks cannot take every
 * ask. Pruned promotions are final (the host's own decision).
 *
 * Numeric options (hpt_study_set):
 *   "hyperband.min_resource"  r_min, the smallest budget; default 1;
 *                             (0, 1e15].
 *   "hyperband.max_resource"  R, the budget of a full training; default 81;
 *                             (0, 1e15]. At the first ask: R >= r_min,
 *                             R / r_min <= 1e12 and s_max <= 40, else
 *                             HPT_E_INVALID. R = r_min gives one bracket of
 *                             full trainings.
 *   "hyperband.eta"           reduction factor; default 3; (1, 1e6].
 *   "hyperband.async"         1 = ASHA (default), 0 = synchronous.
 *   "hyperband.brackets"      how many brackets, the most aggressive first
 *                             (s = s_max, s_max - 1, ...); 0..41, capped at
 *                             s_max + 1; 0 (default) = all of them when
 *                             synchronous (Hyperband), 1 when asynchronous
 *                             (ASHA). Synchronous with 1 = successive
 *                             halving.
 *   "hyperband.iterations"    synchronous only: ask returns HPT_DONE after
 *                             this many Hyperband iterations (passes over
 *                             the brackets); 0 (default) = no limit. Set
 *                             with async = 1, the first ask fails with
 *                             HPT_E_INVALID.
 * String option (hpt_study_set_str):
 *   "hyperband.sampler"       where new configurations come from:
 *                             "bayes" (default; model-guided, below),
 *                             "random" (uniform, as strategy "random") or
 *                             "sobol" (the points strategy "sobol" gives
 *                             for the same seed, in order).
 * Numeric option of sampler "bayes":
 *   "hyperband.random_fraction"  (tuning knob) share of new
 *                             configurations drawn uniformly even when the
 *                             model is ready; default 1/3 (BOHB's); [0, 1].
 *
 * Sampler "bayes" (model-guided Hyperband, in the spirit of BOHB, Falkner,
 * Klein & Hutter, ICML 2018, with the GP and log expected improvement of
 * strategy "bayes" instead of BOHB's density estimates): a new
 * configuration is, with probability random_fraction, a uniform draw (so
 * the model cannot lock in on a wrong region); otherwise the maximizer of
 * log EI under a GP of the losses at the largest budget b that has at
 * least 4 (dim + 1) complete trials. Until some budget has that many, new
 * configurations are uniform draws: the points sampler "random" gives for
 * the same seed. The GP has one row per configuration: its loss at b, or,
 * for a configuration stopped below b, its loss at the largest budget it
 * reached (a pessimistic stand-in: losses fall with the budget), so the
 * model knows which regions were tried and dropped; a configuration with
 * a failed trial feeds the feasibility model; with several objectives or
 * constraints a row carries every value of that trial and the model is
 * strategy "bayes"'s for them (EHVI, probability of feasibility); running
 * new configurations
 * are pending points, noise-free fantasies as in strategy "bayes"
 * (parallel workers get distinct proposals); pruned
 * trials and warm-start points are not used. Each proposal costs a GP
 * update (milliseconds for hundreds of configurations), small next to a
 * training run. Deterministic under the seed like the rest. It is the
 * default because it reaches a given validation error with fewer epochs
 * than sampler "random" (bench/README.md has the measurements).
 *
 * max_trials counts every trial, promotions included. Same seed and same
 * calls in the same order give the same trials, brackets and promotions.
 * The best trial (hpt_study_best) is taken among the trials trained on the
 * largest budget that any complete trial reached: values at different
 * budgets do not compare. */

/* ---- Pruners --------------------------------------------------------- */

/* Pruners: early stopping for any strategy. String option "pruner" =
 * "none" (default), "median" or "asha" (hpt_study_set_str, before the first
 * ask; choose the pruner before setting its "pruner.*" options: changing
 * it resets them). The host reports intermediate values with
 * hpt_study_report; when *should_stop is 1 it stops training and calls
 * hpt_study_prune, which records the trial as HPT_TRIAL_PRUNED with its last
 * reported value (or tells it a final value itself). Pruned trials count
 * towards max_trials, are never the best trial and are never promoted.
 * Pruners compare reports, which are values of the first objective: they
 * need a study of one objective (HPT_E_MULTI otherwise, see "Several
 * objectives"); with constraints they judge the objective alone, and a
 * pruned trial is infeasible (its constraints were never measured).
 *
 * Pruner "median" (median stopping rule, Golovin et al., "Google Vizier",
 * KDD 2017): a trial reporting at `step` is stopped when its best value so
 * far is strictly worse than the median, over the complete trials with a
 * report at a step <= `step`, of their best value up to `step` (steps
 * need not coincide between trials). Only complete trials are compared:
 * pruned ones would lower the bar.
 *   "pruner.warmup_trials"  no stopping until this many complete trials
 *                           give a value at the step (at least 1 always);
 *                           default 5; integer 0..1e9.
 *   "pruner.warmup_steps"   no stopping at steps below this; default 0.
 *   "pruner.interval"       past warm-up, judge every interval-th report of
 *                           a trial (1st, 1 + interval-th, ...); default 1;
 *                           integer 1..1e9.
 *   "pruner.average"        1 = compare with the median of the complete
 *                           trials' running averages up to the step
 *                           (Vizier's rule, more lenient); 0 = of their best
 *                           values (default).
 *
 * Pruner "asha" (asynchronous successive halving as a stopping rule, for
 * trials that train to the full budget and report as they go): rungs at
 * steps r_k = min_resource * eta^k. A trial reaches rung k with its first
 * report at a step >= r_k, and competes with every trial that reached that
 * rung before it -- running, complete, pruned or failed alike, since they
 * all trained that far -- on the value reported there: it is stopped
 * unless its rank among the m values (itself included; by value, ties to
 * the lower id) is below max(1, floor(m / eta)). So the first trial at a
 * rung always goes on. One report may reach several rungs; the trial must
 * pass each.
 *   "pruner.min_resource"   step of the first rung; default 1; (0, 1e15].
 *   "pruner.eta"            reduction factor; default 3; (1, 1e6].
 */

/* ---------------------------------------------------------------------- */
/* Journal format                                                          */
/* ---------------------------------------------------------------------- */

/* Format (version 2). Text, one record per line, fields separated by one
 * space; the last two fields of every line are its sequence number (its
 * line number in the file, 1 for the header) and the CRC-32 (IEEE, as
 * Python's zlib.crc32) of the bytes before that last space, in 8 lowercase
 * hex digits. Below, records are shown without these two fields:
 *
 *   hpt-journal 2 libhpt-0.1.0                    header (format version)
 *   create <strategy> <minimize|maximize> <seed> <n_params>
 *   param <name> float|int <linear|log|reverse_log|logit> <lo> <hi>
 *   param <name> categorical <n> <choice_0> ... <choice_n-1>
 *   step <name> <step>                            only when set
 *   cond <child> <parent> in <n> <choice_1> ... <choice_n>
 *   cond <child> <parent> range <lo> <hi>         one per condition
 *   begin                                         end of the creation
 *   option <name> <value>        option_str <name> <value>
 *   objectives <n> <minimize|maximize> ...        n directions; only when set
 *   constraints <m>                               only when set
 *   prior <identical|transfer> <parent> <loss> ... <u_1> ... <u_d>
 *   warm <identical|transfer> <parent> <used> <skipped> <summary>
 *   enqueue <x_1> ... <x_d>                       nan = strategy chooses
 *   attr <id> <key> <value>      study_attr <key> <value>
 *   ask <id> <ms> <budget> <resume_from> <x_1> ... <x_d> [@<state>]
 *   report <id> <ms> <step> <value>
 *   tell <id> <ms> <v_1> ... <v_n> [<c_1> ... <c_m>]
 *   fail <id> <ms> [<reason>]
 *   prune <id> <ms>
 *   owner <token> <pid> <host> <unix_ms>          a writer's first trial
 *   lease <id> <token> <unix_ms>                  trial id is token's
 *   beat <token> <unix_ms>                        token's lease renewed
 *   release <token> <unix_ms>                     token's study destroyed
 *   clock <ms> <unix_ms>                          before a session's first
 *                                                 timed record
 *
 * x_i are the trial's values in space order (categoricals as choice
 * indices), values are in the user's direction (v_k in objective k's,
 * c_j the constraints as told; a study of one objective and no constraint
 * writes one value, as journals always did), <ms> is the study's active
 * time in milliseconds (see "max_seconds"), <unix_ms> the wall clock
 * (milliseconds since 1970), <token> 16 hex digits. A "clock" record
 * anchors active time <ms> at wall clock <unix_ms>; a later record at
 * <ms'> happened at <unix_ms> + <ms'> - <ms> (hpt_trial_times), until the
 * next "clock" record. Journals without one are read as before. Strings
 * are %-escaped (bytes <= 0x20, '%' and 0x7f as %XX). Numbers are decimal with the fewest
 * digits (up to 17) that read back to the same double: every double
 * round-trips exactly. <state> is the strategy's state after the ask
 * (base64 of machine-independent bytes whose first is the strategy's own
 * state format): an opaque last field that readers of the trials skip,
 * and that a journal of an earlier version lacks. A warm start's "prior"
 * lines (the n objectives as losses for this study's minimization, then
 * its m constraints, "nan" where the parent had no such value;
 * coordinates in its unit cube) precede its "warm" line, which commits
 * them. In Python:
 *
 *     for n, line in enumerate(open(path, "rb"), 1):
 *         body, crc = line.rstrip(b"\n").rsplit(b" ", 1)
 *         assert zlib.crc32(body) == int(crc, 16)
 *         *fields, seq = body.decode().split(" ")
 *         assert int(seq) == n
 */

#ifdef __cplusplus
}
#endif

#endif /* HPT_H */
