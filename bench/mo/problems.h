/* problems.h -- the benchmark problems of bench/mo: several objectives
 * (hypervolume at a fixed reference) and constrained single-objective ones
 * (feasible regret). All minimized; constraints feasible when <= 0.
 *
 *   zdt1           6 variables in [0,1], 2 objectives (Zitzler, Deb &
 *                  Thiele 2000), reference (11, 11)
 *   branincurrin   2 variables in [0,1], 2 objectives (Belakaria, Deshwal
 *                  & Doppa 2019), reference (18, 6)
 *   dtlz2          6 variables in [0,1], 3 objectives (Deb, Thiele,
 *                  Laumanns & Zitzler 2002), reference (1.1, 1.1, 1.1)
 *   gardner        2 variables in [0,6], min cos(2x)cos(y) + sin(x) s.t.
 *                  cos(x)cos(y) - sin(x)sin(y) <= 0.5 (Gardner, Kusner,
 *                  Xu, Weinberger & Cunningham 2014, sec. 5.1)
 *   spring         tension/compression spring: wire diameter d in
 *                  [0.05, 2], coil diameter D in [0.25, 1.3], coils N in
 *                  [2, 15], min (N + 2) D d^2 under 4 constraints (Arora
 *                  1989; Coello 2000), best known 0.0126652
 *
 * bench/mo/compare.py has the same definitions in Python for Optuna and
 * checks them against these ("hpt-bench-mo eval"). */
#ifndef HPT_BENCH_MO_PROBLEMS_H
#define HPT_BENCH_MO_PROBLEMS_H

#include <stddef.h>

typedef struct {
    const char *name;
    size_t dim, n_obj, n_con;
    double lo[6], hi[6];
    double ref[3];  /* hypervolume reference (n_obj > 1) */
    double fstar;   /* best value (n_obj == 1) */
    void (*f)(const double *x, double *out); /* n_obj objectives, then n_con constraints */
} mo_problem;

const mo_problem *mo_problem_find(const char *name);
const mo_problem *mo_problem_at(size_t i);

#endif
