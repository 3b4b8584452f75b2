/* linalg.h -- dense kernels for the GP whose results do not depend on
 * OpenBLAS's thread count, nor on how many host threads call them.
 *
 * Why not LAPACK: OpenBLAS's dpotrf picks a different blocking when it
 * runs threaded, and its threaded dgemm splits the product between
 * threads in a way that changes the sums, so the factor, and every
 * proposal after it, changed with OPENBLAS_NUM_THREADS (issue 15). These
 * kernels fix every summation order themselves: blocks of HPTI_LA_NB rows,
 * recursion inside a block down to HPTI_LA_BASE rows in plain C, and every
 * block product done by cblas_dgemm on a fixed grid of tiles small enough
 * that OpenBLAS always runs them on the calling thread with one kernel
 * (linalg.c says why that holds). tests/test_linalg.c checks the results
 * bit for bit under 1, 2 and 4 threads in one process. So the results
 * are a function of the inputs, the library build and the CPU (OpenBLAS
 * picks its micro-kernel by CPU model), nothing else.
 *
 * Storage: row-major, lower triangle, leading dimension ld (>= n); the
 * GP's factor uses the same convention (gp.h). Sizes are below 2^31.
 * Nothing here allocates, prints or aborts. */
#ifndef HPT_LINALG_H
#define HPT_LINALG_H

#include <stddef.h>

/* Rows per outer block: the k of every dgemm call. */
#define HPTI_LA_NB 128
/* Rows below which a block is handled in plain C. */
#define HPTI_LA_BASE 16

/* sum x_i y_i in a fixed order (four partial sums, then the tail). */
double hpti_la_dot(size_t n, const double *x, const double *y);

/* Cholesky factor A = L L^T in place (lower triangle of A, ld). The
 * strictly upper triangle of each diagonal HPTI_LA_NB-block is used as
 * scratch; the rest of the upper triangle is not touched.
 * @return 0, or j > 0 when the leading minor of order j is not positive
 * definite (LAPACK's info; NaN counts as not positive). */
int hpti_la_potrf(size_t n, double *A, size_t ld);

/* x := L^-1 x and x := L^-T x (L lower, n x n, ld). */
void hpti_la_trsv(size_t n, const double *L, size_t ld, double *x);
void hpti_la_trsv_t(size_t n, const double *L, size_t ld, double *x);
/* hpti_la_trsv with x[0..from) already solved: entry i is computed from
 * row i of L and x[0..i) alone, so the result is hpti_la_trsv's bit for
 * bit (a solve over more rows extends one over fewer exactly). */
void hpti_la_trsv_from(size_t n, size_t from, const double *L, size_t ld, double *x);

/* B := L^-1 B and B := L^-T B, B n x c (row-major, ldb >= c). */
void hpti_la_trsm(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb);
void hpti_la_trsm_t(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb);

/* From a factor L (as left by hpti_la_potrf), the lower triangle of
 * (L L^T)^-1 in place; the strictly upper triangle of the diagonal blocks
 * is scratch as above. work: n * n doubles. */
void hpti_la_potri(size_t n, double *A, size_t ld, double *work);

#endif
