/* bayes.h -- the model-based proposal engine behind strategy "bayes",
 * reusable by other strategies ("fit on these observations and propose a
 * point", e.g. a model-guided Hyperband).
 *
 * The caller hands the engine everything it knows at each proposal:
 * finished points with their losses (NaN = failed) and running points. The
 * engine keeps a GP factor across calls and extends it by one row per new
 * observation: the stored rows are compared with the given list, and the
 * factor is kept up to the first row that differs and extended from
 * there (a list that only grows at the end costs one append per new row).
 * The proposal is a function of the lists given and the engine's state,
 * never of how the caller came by them.
 *
 * One proposal:
 *  1. Losses of the finished, non-failed points go through the output
 *     transform (below) and are standardized.
 *  2. Hyperparameters are refitted on the schedule "refit_every" (0 =
 *     automatic: after every new observation while fewer than 20 were
 *     fitted, then whenever the count grew by 10% since the last fit, so a
 *     run of n observations pays O(log n) fits); between fits each new
 *     observation appends one row to the Cholesky factor (O(n^2)). Fits use
 *     at most fit_max rows: the best half by loss and a seeded random
 *     sample of the rest.
 *     Optionally (opt.fill_below > 0, "bayes.fill_below"), a model that
 *     has learned nothing fills the space instead: when the median, over
 *     up to HPTI_BAYES_FILL_ROWS rows spread by index, of a row's largest
 *     kernel correlation with any other row is below opt.fill_below, the
 *     fit explains each observation as unrelated to its neighbours
 *     (lengthscales shrunk around noise, e.g. a plateau at chance
 *     accuracy that the search gathered on): away from the rows it
 *     predicts its constant mean, and EI only refines the noise next to
 *     the incumbent. When, besides, the n / 8 rows nearest the best row
 *     (at least 4) have a median target no lower than the other rows',
 *     the gathering has found nothing either, and the proposal is the
 *     space-filling one of an empty model (the farthest of 256 random
 *     points from every finished and running point); steps 3-6 are
 *     skipped (last_ei stays NaN, so it never counts towards
 *     convergence). Never with a transfer prior, whose mean is structure
 *     the rows need not show. With several objectives (bayes_mo.c) the
 *     test must hold for every objective's model; not with constraints,
 *     whose feasible region a space-filling point would ignore.
 *     With opt.warp ("bayes.warp"), the objective's GP (and with several
 *     objectives or constraints every model's, bayes_mo.c) has input warping (gp.h, hpti_gp_set_warp)
 *     on every ordered coordinate; its fits keep a coordinate's warp only
 *     past a likelihood-ratio test (gp.c, fit_warp), and a fit that keeps
 *     none computes what the unwarped GP computes. The maximizer's steps
 *     are taken in the warped coordinates (acq.c).
 *  3. Running points enter as kriging-believer fantasies (Ginsbourger, Le
 *     Riche & Carraro 2010): appended rows whose target is the posterior
 *     mean, which shrinks the variance there, so k asks in a row spread out.
 *     The rows are noise-free (gp.h, hpti_gp_append_believer): they
 *     condition on the latent f at the running point, so its variance
 *     there goes to about 0 whatever the fitted sn2 -- the sequential,
 *     greedy form of the joint q-EI on the latent values. A noisy row
 *     (sn2 on its diagonal, before) left sf2 sn2 / (sf2 + sn2) of it under
 *     a large fitted noise, and EI stayed highest at the same spot: the 8
 *     asks of a round were near-copies (bench/README.md, issue 18). The
 *     same rows serve every model of several objectives or constraints
 *     (bayes_mo.c) and hyperband's model sampler. What is still exact of
 *     the last proposal's fantasy rows is kept (bayes_fant.h): whole rows
 *     across asks without tells, each row's part over the real rows
 *     across tells; the factor is a full rebuild's bit for bit.
 *  4. If any point failed, a second GP on +1/-1 (finished/failed) labels
 *     gives the probability of feasibility that multiplies EI (acq.h);
 *     past HPTI_BAYES_FEAS_ROWS finished points it sees a bounded subset
 *     of them: the failures and the rows that matter next to them
 *     (bayes_feas.h), so that a failure costs later asks little.
 *  5. log EI (incumbent: the lowest posterior mean at an observed point,
 *     which is robust to noise) is maximized (acq.h); the best candidate
 *     whose configuration has fewer than opt.repeats evaluations among the
 *     finished and running points is returned (repeats 1: one that is not
 *     exactly such a point). When no ranked candidate has room, a fully
 *     discrete space is enumerated for the configuration with room of
 *     highest EI (bayes_discrete.h); other spaces try random points.
 *     Finished points may lie outside [0,1] (warm starts over a narrowed
 *     range): they are fitted as they are, but the centers the maximizer
 *     perturbs are projected onto the cube, and proposals stay inside it.
 *     With a transfer prior (hpti_bayes_set_transfer) and no observation
 *     yet, the model is the prior alone (constant variance), its centers
 *     and incumbent the lowest prior means at the top parent's points.
 *     Conditional spaces: both GPs use the conditional kernel of gp.h on
 *     the parameters that have conditions (activity from the space's
 *     codec); the maximizer perturbs active parameters only and draws the
 *     ones a branch switch activates (acq.h). Partial fixing (data.fixed):
 *     the maximizer searches the slice, the random fallbacks draw only the
 *     free coordinates, and the proposal keeps the fixed ones exactly.
 *  6. last_ei records the best candidate's EI in loss units relative to
 *     the range of the losses (for a convergence test, hpt.h).
 *
 * Output transform: when the skewness of the losses exceeds 1 (a few huge
 * values, e.g. Rosenbrock), the losses are replaced by the rank-preserving
 * log(loss - min + c) with c = (median - min) 10^-k, k in {0, 1, 2}
 * chosen to minimize the absolute skewness of the result; the warp is kept
 * only if that skewness is below the original one. The bound on k bounds
 * the warp's slope at the minimum to 101 times its slope at the median: a
 * finer warp (k up to 4 before issue 18), though less skewed, turns the
 * basin of a run that gathered around its incumbent into a narrow well
 * that the model spends its range on and the search does not leave. The
 * median is the larger of all losses' and of the earliest quarter's (at
 * least 4): once a search gathers in one basin the median of all losses
 * falls towards the minimum, and the warp would narrow onto that basin
 * anyway (issue 18, a 2-D Goldstein-Price held 60 evaluations at a local
 * minimum); the earliest evaluations are the least gathered sample.
 * "Earliest" is the order of the rows given: warm-start rows (priors)
 * first, past local_above the local subset's; with a model-guided
 * Hyperband, rows of mixed budgets, so early low-budget losses may widen
 * the warp (less stretch, never more).
 * (Losses beyond 1e100 in magnitude are first scaled by a power of two,
 * exactly.)
 *
 * Cost control: predicting one candidate costs O(n^2), so past a few
 * hundred observations the candidate count shrinks to keep
 * candidates * n^2 <= 2.5e8 (at least 64 candidates) and the gradient
 * refinement to local_starts * steps * 2 n^2 <= 2e8 (at least one step).
 * From LEAN_ABOVE = 500 model rows both budgets halve, and a fit's
 * restarts run on 64 of its rows, the fit_max rows only polishing the
 * winner in fit_iter / 12 BFGS steps: an ask then costs about one
 * refactorization, a cold fit about ten (issue 19).
 * Past local_above finished points, the objective's models are local GPs
 * on at most local_rows * 3/2 of them (bayes_scale.h), and past
 * HPTI_BAYES_FEAS_ROWS the failure model sees a bounded subset
 * (bayes_feas.h), so memory and time per proposal stop growing with n. */
#ifndef HPT_BAYES_H
#define HPT_BAYES_H

#include "acq.h"
#include "bayes_feas.h"
#include "bayes_fant.h"
#include "bayes_scale.h"
#include "gp.h"
#include "rng.h"
#include "snap.h"
#include "space.h"

typedef struct {
    const double *u;     /* n * dim finished points (unit cube) */
    const double *loss;  /* n losses (minimized) at loss[i * stride]; NaN = failed */
    size_t stride;       /* doubles per loss row (history.h: n_values) */
    size_t n;
    const double *pend;  /* n_pend * dim running points */
    size_t n_pend;
    size_t n_obj;        /* objectives: the first n_obj values of a row (0: one) */
    size_t n_con;        /* constraints: the next n_con values (feasible <= 0) */
    const double *fixed; /* NULL, or dim unit coordinates held (NaN = free):
                          * partial fixing, the proposal maximizes EI on
                          * that slice (acq.h) and keeps them exactly */
} hpti_bayes_data;

typedef struct {
    size_t candidates;   /* Sobol candidates per proposal */
    size_t local_starts; /* candidates refined by gradient ascent */
    size_t local_iter;   /* gradient steps per refinement */
    size_t refit_every;  /* 0 = automatic schedule (above) */
    size_t fit_restarts; /* random starts of the MAP fit besides the previous optimum */
    size_t fit_max;      /* rows used by a hyperparameter fit */
    size_t fit_iter;     /* BFGS iterations per start */
    size_t repeats;      /* most evaluations (finished + running) of one
                          * configuration a proposal may add to */
    size_t local_above;  /* past this many rows, the local model (bayes_scale.h) */
    size_t local_rows;   /* its K (<= local_above) */
    double fill_below;   /* step 2's test of a model that has learned
                          * nothing (0 = off) */
    int warp;            /* input warping of the models (gp.h,
                          * hpti_gp_set_warp) on every ordered coordinate */
} hpti_bayes_opts;

/* Rows the learned-nothing test looks at (each against every row), and
 * the bound measured for it ("bayes.fill_below", hpt.h; off by default). */
#define HPTI_BAYES_FILL_ROWS 64
#define HPTI_BAYES_FILL_BELOW 0.05

/* What the engine recorded or restored last of one GP (bayes_state.c). */
typedef struct {
    unsigned long seen; /* its n_fit then: theta is recorded again only
                         * after a new fit */
    int rebuild;        /* restored: the factor is rebuilt at the next
                         * proposal */
    double jitter;      /* its jitter then */
} hpti_bayes_gp_saved;

/* One more model of the engine (several objectives or constraints). */
typedef struct {
    hpti_gp gp;
    size_t n_real, fit_n; /* rows in the factor, rows at its last fit */
    hpti_bayes_gp_saved saved; /* journal state (bayes_state.c) */
    hpti_bayes_fantasies fant; /* its running points kept (bayes_fant.h) */
} hpti_bayes_model;

typedef struct {
    hpti_bayes_gp_saved gp, feas;
} hpti_bayes_saved;

typedef struct {
    size_t dim;
    const hpt_space *space; /* not owned */
    hpti_bayes_opts opt;
    hpti_gp gp, feas;
    hpti_acq acq;
    int feas_ready;
    size_t n_real, fit_n;           /* objective: rows in the factor, rows at last fit */
    size_t f_real, f_fit_n;         /* feasibility model, same */
    size_t cap, fcap;
    double *X, *y, *tmp, *lbl;      /* cap (*dim) gathered rows and targets */
    void *pairs;                    /* cap (key, index) pairs */
    size_t *sel;                    /* cap row indices */
    double *fX, *fy;                /* fit subset, fcap rows */
    double *centers, *out, *out_s;  /* proposal scratch */
    unsigned long n_fits;           /* statistics: hyperparameter fits so far */
    hpti_gp *stack;                 /* transfer prior: n_stack GPs, each on the
                                     * residuals of the one below; owned */
    size_t n_stack;
    int last_filled;                /* last proposal: the learned-nothing fill (step 2) */
    double last_ei;                 /* last proposal: EI of the best candidate over
                                     * the range of the model's targets (NaN
                                     * when no acquisition ran) */
    hpti_bayes_saved saved;         /* journal state (bayes_state.c) */
    /* several objectives or constraints (bayes_mo.c): gp models objective
     * 0; models[k - 1] objective k (0 < k < n_obj), models[n_obj - 1 + j]
     * constraint j; n_models = n_obj - 1 + n_con once a proposal made
     * them (0 before). Owned. */
    hpti_bayes_model *models;
    size_t n_models;
    void *mo;                       /* bayes_mo.c's scratch, owned */
    hpti_bayes_local local;         /* past opt.local_above rows (bayes_scale.h) */
    hpti_bayes_feas feas_rows;      /* the feasibility model's rows past a size
                                     * (bayes_feas.h) */
    hpti_bayes_fantasies fant;      /* running points kept across proposals */
} hpti_bayes;

void hpti_bayes_defaults(hpti_bayes_opts *o);
/* @return HPT_OK or HPT_E_NOMEM (b is then empty; hpti_bayes_free is safe). */
int hpti_bayes_init(hpti_bayes *b, const hpt_space *space, const hpti_bayes_opts *o);
void hpti_bayes_free(hpti_bayes *b);

/* Propose one point (dim values in [0,1], snapped to a valid
 * configuration) from the data. rng drives every random choice.
 * @return HPT_OK, HPT_E_NOMEM; never fails on the data (duplicated points,
 * constant losses, failed factorizations fall back to a space-filling
 * proposal). */
int hpti_bayes_propose(hpti_bayes *b, const hpti_bayes_data *d, hpti_rng *rng, double *u,
                       char *msg);

/* ---- several objectives or constraints (bayes_mo.c) ----
 *
 * hpti_bayes_propose with n_obj > 1 or n_con > 0 in the data. The rows
 * with every objective and constraint value finite are observations; a
 * NaN first value is a failure (step 4 above, unchanged). Each objective
 * goes through the output transform (monotone, so dominance is kept) and
 * has its own GP (steps 2-3, own refit schedule); each constraint is
 * standardized (no warp, so the bound 0 maps to one value) and has its
 * own GP. All models share the rows, the candidates and the fantasies:
 * every running point is a kriging-believer row of every model, each
 * model keeping its own as in step 3 (bayes_fant.h). The
 * acquisition (acq_mo.h):
 *  - no feasible observation yet: the probability of feasibility alone;
 *  - one objective: log EI at the lowest posterior mean among feasible
 *    observations, plus the log probability of feasibility;
 *  - several: log EHVI (ehvi.h) over the front of the posterior means at
 *    the feasible observations and the running points believed feasible
 *    (their believer means), with the reference point, per objective,
 *    the larger of the front's nadir and the median posterior mean of
 *    the observations, plus 10% of the observations' range. The nadir
 *    keeps the improvement near the front (the largest observed mean as
 *    reference spends asks on extending the front where it no longer
 *    matters: bench/mo, ZDT1, BraninCurrin and DTLZ2 all lower); the
 *    median keeps the region from collapsing when the front is one
 *    extreme point (ZDT1's (0, 1), found early by a corner of the design,
 *    where the nadir alone let the model's uncertainty at that edge
 *    outweigh real improvements for the rest of the run). Plus the log
 *    probability of feasibility.
 * Centers: the lowest feasible posterior means (one objective), up to
 * five points of the front spread along objective 0 (several), the least
 * violating observations (none feasible). The convergence test does not
 * apply (last_ei stays NaN); a transfer prior informs objective 0 only.
 * Past local_above observations every model keeps the same subset of the
 * shared rows (bayes_scale.h's rule; bayes_mo.c says which key), the
 * front, the centers and the reference point are taken over it; the
 * failure model is bayes.c's (hpti_bayes_feasibility, its bounded rows). */
int hpti_bayes_propose_mo(hpti_bayes *b, const hpti_bayes_data *d, hpti_rng *rng, double *u,
                          char *msg);
void hpti_bayes_mo_free(hpti_bayes *b);

/* bayes.c's steps, shared with bayes_mo.c: room for n gathered rows in
 * X, y, tmp, lbl; bring gp (its counters n_real, fit_n) to rows X with
 * targets y (step 2; key orders the fit subset); the no-model fallback;
 * the pick among the n_out ranked candidates in out. */
int hpti_bayes_reserve(hpti_bayes *b, size_t n);
/* Step 4 for n_failed failed points among d's rows: *out = the failure
 * model (b->feas), or NULL when none failed or it cannot be factored.
 * @return HPT_OK or HPT_E_NOMEM. */
int hpti_bayes_feasibility(hpti_bayes *b, const hpti_bayes_data *d, size_t n_failed,
                           hpti_rng *feas_rng, hpti_gp **out);
int hpti_bayes_sync(hpti_bayes *b, hpti_gp *gp, size_t *n_real, size_t *fit_n,
                    const double *X, const double *y, const double *key, size_t n,
                    hpti_rng *rng);
void hpti_bayes_space_filling(hpti_bayes *b, const hpti_bayes_data *d, hpti_rng *rng,
                              double *u);
/* Step 2's learned-nothing test on a model gp of n rows with targets y
 * (model units): 0 unless opt.fill_below > 0 and no transfer prior.
 * Scratch b->pairs and b->lbl. */
int hpti_bayes_learned_nothing(hpti_bayes *b, const hpti_gp *gp, const double *y, size_t n);
/* bayes.c's step 5 pick over the n_out ranked candidates in b->out, with
 * ap the problem they were ranked by (its models, fantasies included,
 * score the enumeration of untaken configurations when every candidate
 * is taken). @return HPT_OK or HPT_E_NOMEM. */
int hpti_bayes_pick(hpti_bayes *b, const hpti_bayes_data *d, const hpti_acq_problem *ap,
                    size_t n_out, hpti_rng *rng, double *u);

/* Transfer prior (stacked GPs, Golovin et al. 2017, "Google Vizier",
 * sec. 3.3): observations of related studies -- n rows u (dim values each,
 * possibly outside [0,1]), their losses, and the parent each comes from
 * (0, 1, ... in the order the parents were given). For each parent in
 * order, its losses go through the output transform (standardized on
 * their own), and a GP is fitted (MAP) on them minus the mean of the stack
 * below (at most fit_max rows: the best half and a random sample); the
 * top of the stack becomes the prior mean of the engine's GP, which then
 * models the residuals of the engine's own data: where it has data, its
 * data decide; elsewhere the parents' shape guides EI. A parent whose
 * model cannot be factored is left out. Call before proposing; replaces
 * an earlier prior. @return HPT_OK or HPT_E_NOMEM (no prior then). */
int hpti_bayes_set_transfer(hpti_bayes *b, const double *u, const double *loss,
                            size_t stride, const int32_t *parent, size_t n, hpti_rng *rng,
                            char *msg);

/* ---- journal state (bayes_state.c) ----
 * A journaled study records the engine's state after each proposal and a
 * reopen restores it instead of proposing again (strategy.h, snapshot and
 * restore): the counters of the refit schedule and, after each new fit,
 * each GP's theta. The factors are not recorded: the next proposal after
 * a restore (hpti_bayes_rebuild, called by hpti_bayes_propose) rebuilds
 * each from its rows as the uninterrupted run built it -- one Cholesky
 * factorization of the rows of the last fit with the recorded theta, then
 * the later rows appended one by one -- so that, on the same machine and
 * thread count, its factor and its next proposals are those of the
 * uninterrupted run bit for bit, at the cost of one factorization and no
 * hyperparameter fit. Elsewhere the factor may differ in its last bits,
 * and so may the proposals that follow. The transfer stack is not
 * recorded: the strategy's start refits it from the warm-start records,
 * as the uninterrupted run did (one fit per parent study). */
void hpti_bayes_snapshot(hpti_bayes *b, struct hpti_snapw *w);
/* Read the engine's part of a state from r; apply = 0 only checks it.
 * A factor that is a prefix of the recorded one (a live engine taking in
 * a state written by another process on the same journal, no fit since)
 * is kept and extended by the next proposal; any other is rebuilt.
 * @return HPT_OK or HPT_E_CORRUPT (b untouched). */
int hpti_bayes_restore(hpti_bayes *b, struct hpti_snapr *r, int apply);
/* After a restore: rebuild the factors from the data. @return HPT_OK or
 * HPT_E_NOMEM; a factor that cannot be rebuilt is refitted instead. */
int hpti_bayes_rebuild(hpti_bayes *b, const hpti_bayes_data *d);
/* The same for several objectives or constraints (bayes_mo.c): the
 * objective's GP and every extra model over the nrow shared rows X (rows
 * with every value finite, in order), the feasibility GP over d's rows. */
int hpti_bayes_rebuild_mo(hpti_bayes *b, const double *X, size_t nrow,
                          const hpti_bayes_data *d);
/* Points the maximizer perturbs (b->centers) and ranked candidates
 * (b->out), for one objective and several alike. */
#define HPTI_BAYES_CENTERS 5
#define HPTI_BAYES_OUT 16

/* The cost schedule ("Cost control" above). A fit on n observations whose
 * GP has made n_fit fits: its restart stage (pre_rows rows, 0 = none) and
 * its final stage on rows rows; a search over rows model rows (fantasies
 * included) through models GPs: candidates and refinement steps. */
typedef struct {
    size_t pre_rows;
    int pre_restarts, pre_iter;
    size_t rows;
    int restarts, iter;
} hpti_bayes_fit_plan;
void hpti_bayes_plan_fit(const hpti_bayes_opts *o, size_t n, unsigned long n_fit,
                         hpti_bayes_fit_plan *pl);
void hpti_bayes_plan_search(const hpti_bayes_opts *o, size_t rows, size_t models,
                            size_t *ncand, size_t *iters);

/* Room for n_models extra GPs (bayes_mo.c; a restore makes them before
 * the first proposal). @return HPT_OK or HPT_E_NOMEM. */
int hpti_bayes_mo_models(hpti_bayes *b, size_t n_models);

/* The output transform (above) of n losses into y; sorted: n doubles of
 * scratch. */
void hpti_bayes_transform(const double *loss, size_t n, double *y, double *sorted);

#endif
