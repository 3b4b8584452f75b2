/* qrng.c -- shifted Sobol points (qrng.h). */
#include <gsl/gsl_qrng.h>
#include <string.h>

#include "common.h"
#include "qrng.h"

/* Before GSL's own limit of 2^30 - 1 points. */
#define QRNG_MAX_POINTS ((1UL << 30) - 2)

int hpti_qrng_init(hpti_qrng *g, size_t dim)
{
    memset(g, 0, sizeof *g);
    g->dim = dim;
    g->qdim = dim < HPTI_QRNG_MAX_DIM ? dim : HPTI_QRNG_MAX_DIM;
    g->shift = hpti_calloc(dim, sizeof *g->shift);
    /* qdim is 1..40 here, inside GSL's table: gsl_qrng_alloc only fails on
     * memory. */
    g->q = g->shift ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)g->qdim) : NULL;
    if (!g->q) {
        hpti_qrng_free(g);
        return HPT_E_NOMEM;
    }
    return HPT_OK;
}

void hpti_qrng_free(hpti_qrng *g)
{
    if (g->q)
        gsl_qrng_free(g->q);
    hpti_free(g->shift);
    memset(g, 0, sizeof *g);
}

void hpti_qrng_restart(hpti_qrng *g, size_t n, hpti_rng *rng)
{
    gsl_qrng_init(g->q);
    g->used = 0;
    g->n_shift = n;
    for (size_t j = 0; j < g->dim; j++)
        g->shift[j] = j < n ? hpti_rng_uniform(rng) : 0.0;
}

void hpti_qrng_next(hpti_qrng *g, hpti_rng *rng, double *u)
{
    if (g->used >= QRNG_MAX_POINTS)
        hpti_qrng_restart(g, g->n_shift, rng);
    gsl_qrng_get(g->q, g->buf);
    g->used++;
    /* x + 0.0 is x: unshifted coordinates pass through exactly */
    for (size_t j = 0; j < g->dim; j++) {
        double v = (j < g->qdim ? g->buf[j] : hpti_rng_uniform(rng)) + g->shift[j];
        u[j] = v >= 1.0 ? v - 1.0 : v;
    }
}
