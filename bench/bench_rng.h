/* bench_rng.h -- the small generator the benchmark's own code uses (noise of
 * the noisy test functions, the training task's initialisation and
 * shuffling). splitmix64 (Steele, Lea & Flood 2014, as published by Vigna)
 * is tiny, has no state beyond one word and is easy to reproduce in Python,
 * which the Optuna side relies on only through the shared library anyway. */
#ifndef HPTB_RNG_H
#define HPTB_RNG_H

#include <math.h>
#include <stdint.h>

static inline uint64_t hptb_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 bits. */
static inline double hptb_uniform(uint64_t *state)
{
    return (double)(hptb_splitmix64(state) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n >= 1 (rejection: no modulo bias). */
static inline uint64_t hptb_below(uint64_t *state, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t r;
    do
        r = hptb_splitmix64(state);
    while (r >= limit);
    return r % n;
}

/* Standard normal deviate by Box-Muller (one per call, no cached spare). */
static inline double hptb_normal(uint64_t *state)
{
    double u1 = 1.0 - hptb_uniform(state); /* (0, 1]: log is finite */
    double u2 = hptb_uniform(state);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

#endif
