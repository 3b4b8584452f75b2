/* rng.c -- xoshiro256** with splitmix64 seeding (Blackman & Vigna, "Scrambled
 * linear pseudorandom number generators", 2018; reference constants). */
#include <math.h>

#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void hpti_rng_seed(hpti_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t hpti_rng_next(hpti_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double hpti_rng_uniform(hpti_rng *r)
{
    return (double)(hpti_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t hpti_rng_below(hpti_rng *r, uint64_t n)
{
    /* rejection from the largest multiple of n: exact, unbiased */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do
        v = hpti_rng_next(r);
    while (v >= lim);
    return v % n;
}

double hpti_rng_normal(hpti_rng *r)
{
    double a, b, q;
    do {
        a = 2.0 * hpti_rng_uniform(r) - 1.0;
        b = 2.0 * hpti_rng_uniform(r) - 1.0;
        q = a * a + b * b;
    } while (q >= 1.0 || q == 0.0);
    return a * sqrt(-2.0 * log(q) / q);
}
