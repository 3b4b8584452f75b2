/* rng.h -- the library's pseudo-random generator: xoshiro256** (Blackman &
 * Vigna 2018) seeded through splitmix64. Small, fast, allocation-free and
 * identical on every platform, so seeds reproduce bit for bit. */
#ifndef HPT_RNG_H
#define HPT_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} hpti_rng;

/* Seed from (seed, stream): different streams of one seed are independent
 * sequences, so each component of a study draws from its own. */
void hpti_rng_seed(hpti_rng *r, uint64_t seed, uint64_t stream);
uint64_t hpti_rng_next(hpti_rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double hpti_rng_uniform(hpti_rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t hpti_rng_below(hpti_rng *r, uint64_t n);
/* Standard normal deviate (polar Box-Muller, no cached spare so the state is
 * the whole story). */
double hpti_rng_normal(hpti_rng *r);

/* Streams of a study seed: every component draws from its own, so adding
 * draws to one never shifts another. */
enum { HPTI_STREAM_STRATEGY = 1, HPTI_STREAM_PRUNER = 2, HPTI_STREAM_MODEL = 3 };

#endif
