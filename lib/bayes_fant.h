/* bayes_fant.h -- the bayes engine's running trials: kriging-believer
 * fantasies (bayes.h, step 3) kept across proposals.
 *
 * Each proposal appends every running point to the objective's factor as
 * a believer row: row i of the fantasy block is L^-1 k over the n real
 * rows and the i fantasies before it, so a rebuild of p fantasies costs
 * O(p n^2 + p^2 n + p^3) and its first term -- the real part, the solve
 * against the real rows -- dominates while p is below n. Two things are
 * kept from one proposal to the next so that most of it is not redone:
 *
 *  - Whole rows. When nothing a fantasy row depends on was factored again
 *    -- the same hyperparameters, jitter and fit (no fit and no rebuild by
 *    appends since), the same real rows and factor pivots, the factor's
 *    storage not moved -- the rows the last proposal appended are still in
 *    the factor past its real rows. That holds across asks without tells (a
 *    burst of asks, many workers): the running points are the last call's,
 *    in the same order, plus new ones after them, and only those are
 *    appended (O(n^2 + p n) each). Their targets (the posterior means,
 *    O(n + p) each) are computed again when the real targets changed.
 *  - Real parts (a tell that adds a real row; a failure adds none to the
 *    objective's factor). Entry j of a row's real part is computed from
 *    rows 0..j of the real factor and the point alone (hpti_la_trsv_from),
 *    and those rows stay as they were up to the first real row that differs
 *    (no fit and no rebuild by appends since: the fallback of a failed
 *    factorization, hpti_gp.n_reroute, keeps the fit and jitter but may
 *    change any row's last bits, the pivots included or not). So each
 *    still-running point keeps its real part up to that row, computes only
 *    the entries of the rows after it (O(n) each), and the fantasy part of
 *    its row is solved again (it depends on every row above: i entries for
 *    the i-th, each a dot over up to n + i entries). Such a tell with p
 *    running points costs O(p n + p^2 (n + p)) instead of O(p n^2 + p^2 n +
 *    p^3): about n / p times less while p is below n, little beyond. The
 *    usual tell, of the oldest running point, is one of these: the fantasy
 *    rows are noise-free (gp.h, believer rows), so the told point's real
 *    row, with the noise on its diagonal, is not the fantasy row it
 *    replaces, and every fantasy row after it changes from that column on.
 *    (Before the rows were noise-free, such a tell took the other rows back
 *    whole, O(n^2 + p (n + p)).)
 *
 * Both give the factor a full rebuild gives, bit for bit (the same
 * operations on the same inputs, in the same order): the proposals do not
 * depend on what was kept, a reopened study (which rebuilds, bayes_state.c)
 * proposes what the uninterrupted run proposed, and a change that breaks
 * a condition only costs the rebuild. Memory: p (n + d) doubles. */
#ifndef HPT_BAYES_FANT_H
#define HPT_BAYES_FANT_H

#include <stddef.h>

typedef struct {
    int valid;
    /* what the kept rows were solved against */
    size_t n_real;        /* real rows under the fantasies */
    unsigned long n_fits; /* the GP's fit count (hpti_gp.n_fit) then */
    unsigned long n_reroute; /* and its count of append-only rebuilds */
    size_t fit_n;         /* rows of the factor's last full factorization */
    double jitter;        /* the factor's jitter */
    size_t np, tcap;
    double *theta;        /* np hyperparameters */
    const double *L;      /* the factor's storage then (a reserve moves it) */
    size_t cap;
    size_t ycap, xcap, vcap; /* the real rows' targets, inputs and pivots then */
    double *y, *X, *piv;
    /* the running points kept and the real parts of their rows */
    size_t n_pend, pcap;
    double *pend;
    size_t cld, ccap;     /* C: n_pend rows of cld (= n_real) doubles */
    double *C;
    /* statistics of the last proposal */
    size_t reused;        /* rows taken back whole */
    size_t resumed;       /* rows appended from a kept real part */
    size_t solved;        /* real-part entries computed (kernel and solve) */
} hpti_bayes_fantasies;

struct hpti_gp;
void hpti_bayes_fantasies_free(hpti_bayes_fantasies *f);

/* Append the n_pend running points pend (d-vectors) to gp as believer
 * rows: gp holds n_real real rows (targets set) of a factor last fully
 * factored over fit_n rows, after n_fits fits of gp (its n_fit).
 * Takes back and resumes what the last call kept where still exact (top),
 * then keeps this call's rows; out of memory while keeping only keeps
 * nothing. @return HPT_OK or HPT_E_NOMEM (gp then has some of the rows). */
int hpti_bayes_fantasies_add(hpti_bayes_fantasies *f, struct hpti_gp *gp, size_t n_real,
                             unsigned long n_fits, size_t fit_n, const double *pend,
                             size_t n_pend, size_t d);

#endif
