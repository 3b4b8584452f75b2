/* qrng.h -- the library's one quasi-random generator: a Sobol sequence
 * (GSL's gsl_qrng_sobol, Antonov-Saleev variant) with a random shift
 * modulo 1 (Cranley & Patterson 1976), so that different seeds give
 * different, equally well spread designs. Used by strategy "sobol", the
 * bayes initial design and its acquisition candidates, and hyperband's
 * "sobol" sampler.
 *
 * Limits: GSL's Sobol tables cover 40 dimensions; coordinates 41 and up
 * are independent uniform draws (plus their shift, if one was drawn for
 * them). GSL stops after 2^30 - 1 points (it would call its error
 * handler); the sequence restarts with a fresh shift before that. */
#ifndef HPT_QRNG_H
#define HPT_QRNG_H

#include <stddef.h>

#include "rng.h"

#define HPTI_QRNG_MAX_DIM 40 /* GSL's Sobol table */

typedef struct {
    void *q;         /* gsl_qrng *, owned */
    size_t dim;      /* coordinates per point */
    size_t qdim;     /* min(dim, HPTI_QRNG_MAX_DIM): from the sequence */
    size_t n_shift;  /* leading coordinates that get a random shift */
    unsigned long used;
    double *shift;   /* owned, dim; 0 past n_shift */
    double buf[HPTI_QRNG_MAX_DIM];
} hpti_qrng;

/* A generator of dim-dimensional points (dim >= 1), not yet shifted.
 * @return HPT_OK or HPT_E_NOMEM (*g zeroed, safe to free). */
int hpti_qrng_init(hpti_qrng *g, size_t dim);
void hpti_qrng_free(hpti_qrng *g);
/* Restart the sequence with a new shift of the first n coordinates (n <=
 * dim), drawn from rng in coordinate order; the others are not shifted. */
void hpti_qrng_restart(hpti_qrng *g, size_t n, hpti_rng *rng);
/* The next point in [0,1)^dim. rng supplies the coordinates past the
 * table (one draw each, in coordinate order) and the new shift when the
 * sequence restarts. */
void hpti_qrng_next(hpti_qrng *g, hpti_rng *rng, double *u);

#endif
