/* util.h -- small helpers shared by the benchmark programs: clocks,
 * quantiles, comma lists and the "machine" object of the JSON reports. */
#ifndef HPTB_UTIL_H
#define HPTB_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "hpt.h"

/* Monotonic time in seconds. */
double hptb_now(void);

/* Quantile q in [0,1] of n values by linear interpolation between order
 * statistics (numpy's default "linear" method, so the Python side agrees).
 * Sorts v in place. NaN when n == 0. */
double hptb_quantile(double *v, size_t n, double q);

/* Split a comma-separated list into at most max tokens (the string is
 * modified in place). @return the number of tokens. */
size_t hptb_split(char *s, char **tok, size_t max);

/* Write the JSON object describing this machine and build (no trailing
 * newline): os, kernel, arch, cpu model, cpus, compiler, libhpt version,
 * UTC date. */
void hptb_json_machine(FILE *f);

/* Write a double for JSON: %.17g, or null when not finite. */
void hptb_json_number(FILE *f, double v);

/* Peak resident set size of this process in KiB (getrusage ru_maxrss). */
long hptb_peak_rss_kib(void);

/* 1 when this libhpt has a strategy of that name (hpt_strategy_name). */
int hptb_strategy_known(const char *name);

/* Remove a flat directory of checkpoint files and the directory itself;
 * errors are ignored (it is scratch space). */
void hptb_remove_dir(const char *dir);

/* The search space of the digits task (bench/digits.h), shared by the demo
 * and the Hyperband figures: lr (log 1e-4..3), momentum (reverse-log
 * 0..0.99), weight_decay (log 1e-6..0.1), hidden (int, log 8..256), batch
 * (int, log 8..256), activation (relu, tanh, sigmoid). On success *out is a
 * space the caller destroys. @return an hpt status. */
int hptb_digits_space(hpt_space **out);

#endif
