/* hv_bench.c -- build/hpt-bench-hv: the cost of hpt_study_hypervolume
 * (exact, lib/pareto.c) against the front's size N and the number of
 * objectives n.
 *
 *   hpt-bench-hv [--sizes 10,50,...] [--objectives 2,3,...] [--time-limit S]
 *
 * For each (n, N) a study of n objectives is told N points of the front of
 * DTLZ2 (the positive orthant of the unit sphere, drawn from a fixed
 * generator: every point is non-dominated, the worst case for the front's
 * size), then hpt_study_hypervolume with reference (1.1, ..., 1.1) is timed
 * (CPU time of this thread, the median of 3 calls). A size whose time went
 * over --time-limit (default 10 s) skips the larger sizes of that n. The
 * exact value of DTLZ2's whole front is 1.1^n - (pi^(n/2) / Gamma(n/2 + 1))
 * / 2^n; the figure printed next to it shows how close N points come. Uses
 * only include/hpt.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpt.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static size_t parse_list(const char *s, long *out, size_t cap)
{
    size_t n = 0;
    while (*s && n < cap) {
        char *end;
        out[n++] = strtol(s, &end, 10);
        s = *end == ',' ? end + 1 : end + strlen(end);
    }
    return n;
}

static uint64_t state = 88172645463325252ULL;

static double uniform(void)
{
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (double)(state >> 11) * 0x1p-53;
}

/* |gaussian| coordinates normalized: uniform on the orthant of the sphere */
static void sphere_point(double *v, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++) {
        double u = uniform(), w = uniform();
        v[k] = fabs(sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * w));
        s += v[k] * v[k];
    }
    for (size_t k = 0; k < n; k++)
        v[k] /= sqrt(s);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long sizes[32] = {10, 20, 50, 100, 200, 500, 1000}, objs[16] = {2, 3, 4, 5, 6, 8};
    size_t n_sizes = 7, n_objs = 6;
    double limit = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--sizes"))
            n_sizes = parse_list(argv[i + 1], sizes, 32);
        else if (!strcmp(argv[i], "--objectives"))
            n_objs = parse_list(argv[i + 1], objs, 16);
        else if (!strcmp(argv[i], "--time-limit"))
            limit = atof(argv[i + 1]);
        else {
            fprintf(stderr, "usage: hpt-bench-hv [--sizes L] [--objectives L] [--time-limit S]\n");
            return 2;
        }
    }
    printf("%-3s %6s %12s %14s %14s\n", "n", "N", "seconds", "hypervolume", "whole front");
    for (size_t a = 0; a < n_objs; a++) {
        size_t n = (size_t)objs[a];
        if (n < 1 || n > HPT_MAX_OBJECTIVES)
            continue;
        double whole = pow(1.1, (double)n) -
                       pow(M_PI, (double)n / 2) / tgamma((double)n / 2 + 1) / pow(2, (double)n);
        for (size_t b = 0; b < n_sizes; b++) {
            hpt_space *sp;
            hpt_study *st;
            hpt_space_create(&sp);
            hpt_space_add_float(sp, "x", 0, 1, HPT_SCALE_LINEAR);
            hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st);
            hpt_space_destroy(sp);
            int32_t dir[HPT_MAX_OBJECTIVES] = {0};
            hpt_study_set_objectives(st, dir, n);
            for (long i = 0; i < sizes[b]; i++) {
                int64_t id;
                double v[HPT_MAX_OBJECTIVES];
                hpt_study_ask(st, &id);
                sphere_point(v, n);
                hpt_study_tell_values(st, id, v, n);
            }
            double ref[HPT_MAX_OBJECTIVES], hv = 0, t[3];
            for (size_t k = 0; k < n; k++)
                ref[k] = 1.1;
            int rc = HPT_OK;
            for (int r = 0; r < 3 && !rc; r++) {
                double t0 = cpu_now();
                rc = hpt_study_hypervolume(st, ref, n, &hv);
                t[r] = cpu_now() - t0;
                if (t[r] > limit) { /* once is enough to know */
                    t[0] = t[1] = t[2] = t[r];
                    break;
                }
            }
            hpt_study_destroy(st);
            if (rc) {
                fprintf(stderr, "hpt-bench-hv: %s\n", hpt_strerror(rc));
                return 1;
            }
            qsort(t, 3, sizeof *t, cmp_double);
            printf("%-3zu %6ld %12.6f %14.6f %14.6f\n", n, sizes[b], t[1], hv, whole);
            fflush(stdout);
            if (t[1] > limit)
                break;
        }
    }
    return 0;
}
