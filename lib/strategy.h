/* strategy.h -- the interface every search strategy implements.
 *
 * A strategy is a static const type object (after GSL's multimin types):
 * the study allocates `state_size` zeroed bytes and dispatches. Hooks get
 * their own state and an hpti_env: the space, the seed and the study's
 * history (history.h), never the study itself. `propose` reads the history
 * and returns a unit-cube point, plus a budget and a parent for
 * multi-fidelity strategies. Losses seen by a strategy are always to be
 * minimized (the study negates when maximizing). Adding a strategy = one
 * file + one line in registry.c.
 *
 * Every hook that can fail writes a message of at most HPTI_MSG bytes into
 * `msg` and returns a negative status; hooks may be NULL where noted. */
#ifndef HPT_STRATEGY_H
#define HPT_STRATEGY_H

#include "common.h"
#include "history.h"
#include "options.h"
#include "rng.h"
#include "snap.h"
#include "space.h"

/* What a strategy or pruner sees of its study; the same object (owned by
 * the study) for every hook of one study. A component draws its random
 * numbers from its own stream of `seed` (rng.h, HPTI_STREAM_*). */
typedef struct hpti_env {
    const hpt_space *space; /* dim = space->n parameters */
    size_t dim;
    uint64_t seed;
    const hpti_history *hist;
} hpti_env;

typedef struct {
    double *u;       /* in: buffer of dim doubles; out: the point in [0,1]^d */
    double budget;   /* out: resource for the trial; 0 = full (default)      */
    int64_t parent;  /* out: trial this one continues, or -1 (default)       */
    /* in: NULL, or dim unit coordinates an enqueued entry fixes (NaN =
     * free, hpt_study_enqueue's partial fixing). The study writes them
     * over the proposal of a new trial in any case; a strategy that reads
     * them chooses the free coordinates given the fixed ones (bayes and
     * hyperband's model sampler optimize on that slice). */
    const double *fixed;
} hpti_proposal;

typedef struct hpti_strategy_type {
    const char *name;
    size_t state_size;
    /* Options, named "<strategy>.<key>", stored in the state: the study
     * stores their defaults before init and validates every set against
     * the table (options.h). n_options 0: none. */
    const hpti_option *options;
    size_t n_options;
    /* Called once at study creation, after the options' defaults were
     * stored. rng is seeded for this strategy's own stream. May be NULL. */
    int (*init)(void *state, const hpti_env *env, char *msg);
    /* Called at the first ask, after options are final. May be NULL. */
    int (*start)(void *state, const hpti_env *env, char *msg);
    /* Propose the next trial. @return HPT_OK, HPT_DONE, HPT_WAIT or an
     * error. Called with the study locked; the new trial is not yet in the
     * history (it becomes trial env->hist->n_trials). A journaled study
     * is resumed from its records: a recorded ask is restored (restore
     * below) or, for a strategy without that hook, re-executed against a
     * fresh state; asks that returned HPT_DONE or HPT_WAIT are not
     * recorded, so a propose that does not return HPT_OK must leave the
     * state as a repeated call would find it (no rng draws kept, no
     * counters advanced), or a resumed study diverges. */
    int (*propose)(void *state, const hpti_env *env, hpti_proposal *out, char *msg);
    /* Trial `id` just finished (complete, failed or pruned; already in the
     * history). Cannot fail: heavy work belongs in propose. May be NULL. */
    void (*observe)(void *state, const hpti_env *env, int64_t id);
    /* Release what the state owns (not the state itself). May be NULL. */
    void (*free)(void *state);

    /* ---- optional hooks for durable studies (journal.c, completion.c,
     * results.c); NULL where a strategy has nothing to say ---- */
    /* Why the last propose returned HPT_DONE: a static string, "exhausted"
     * (no point left, e.g. a finished grid; the default when NULL) or
     * "converged" (the strategy's own stopping test: for bayes, the
     * expected improvement of its best candidate stayed below a threshold
     * of its options, relative to the spread of observed losses, for a
     * number of proposals in a row). Shown by hpt_study_done_reason. */
    const char *(*done_reason)(const void *state);
    /* Relative importance of each of the study's dim parameters from the
     * strategy's fitted model, written to out[0..dim-1] as non-negative
     * weights (the study normalizes them to sum 1). For bayes: the inverse
     * of the fitted ARD lengthscales (a short lengthscale means the
     * objective varies fast along that parameter). @return HPT_OK, or
     * HPT_E_NOMODEL with a message when no model is fitted yet. NULL: the
     * strategy has no model (hpt_study_importance says HPT_E_NOMODEL). */
    int (*importance)(void *state, const hpti_env *env, double *out, char *msg);
    /* Reopen = read, not recompute. snapshot runs after every propose
     * that returned HPT_OK in a journaled study (before the trial enters
     * the history) and writes what the state needs to continue to w
     * (snap.h: portable bytes; a first byte of the hook's own format
     * version); the journal stores them in the ask's record. Cannot fail
     * (a growth that fails marks w, and the ask is recorded without).
     * It may update the state's own bookkeeping of what it recorded last
     * (e.g. to leave out what did not change since), which restore then
     * keeps the same. restore runs instead of propose when a recorded ask
     * is replayed (in record order, so the state is the one the previous
     * record left), with the recorded proposal p and bytes: it brings the
     * state to the one snapshot saw, cheaply (no model fit; work that
     * only the next proposal needs may be left to it). @return HPT_OK;
     * HPT_E_NOMEM; HPT_E_CORRUPT when the bytes are not a state this
     * version reads, the state untouched (the ask is then re-executed).
     * Both NULL: the strategy is re-executed on reopen. */
    void (*snapshot)(void *state, const hpti_env *env, struct hpti_snapw *w);
    int (*restore)(void *state, const hpti_env *env, const hpti_proposal *p,
                   const unsigned char *bytes, size_t len, char *msg);
    /* Hyperparameter fits of the strategy's models made by this state
     * (never restored: what this process computed; for tests and
     * benchmarks, hpti_study_model_fits). May be NULL (no model). */
    unsigned long (*model_fits)(const void *state);
} hpti_strategy_type;

/* registry.c */
const hpti_strategy_type *hpti_strategy_lookup(const char *name);
const hpti_strategy_type *hpti_strategy_at(size_t i);

/* study.c: hpt_study_create with a type object instead of a registered
 * name (a strategy defined outside the registry, e.g. in a test). Studies
 * made so cannot be reopened from a journal, which names the strategy. */
int hpti_study_create_type(const hpt_space *space, const hpti_strategy_type *type,
                           int32_t direction, uint64_t seed, hpt_study **out);

/* replay.c: the strategy's model_fits (0 without the hook). */
unsigned long hpti_study_model_fits(hpt_study *s);

#endif
