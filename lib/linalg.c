/* linalg.c -- thread-count-independent Cholesky, triangular solves and
 * inverse (see linalg.h for the contract and the argument).
 *
 * Layout of every algorithm: an outer loop over blocks of HPTI_LA_NB rows
 * whose updates are dgemm calls with k = the block's rows, and inside a
 * block a recursive halving (Gustavson 1997, "Recursion leads to automatic
 * variable blocking for dense linear-algebra algorithms") down to
 * HPTI_LA_BASE rows done in plain C in a fixed order. The blocking depends
 * on n only. */
#include <cblas.h>
#include <math.h>

#include "linalg.h"

#define NB HPTI_LA_NB
#define BASE HPTI_LA_BASE

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Split of a block of n > BASE rows: about half, a multiple of 8 so that
 * the dgemm operands stay aligned to the micro-kernels' widths. */
static size_t half(size_t n)
{
    return (n / 2 + 7) & ~(size_t)7;
}

/* Tiles of every dgemm call: TM TN TK = 2^18 = 65536 * 4, at or below
 * which OpenBLAS (interface/gemm.c: SMP_THRESHOLD_MIN *
 * GEMM_MULTITHREAD_THRESHOLD, 4 unless built otherwise) runs a dgemm on
 * the calling thread, with the same kernels whatever its thread count.
 * Above it, its threaded driver splits the product between threads and
 * the sums change with the split (measured on OpenBLAS 0.3.21, SkylakeX
 * kernels: 48 of 64 rows of a 64 x 100 x 64 product differ between 1 and
 * 2 threads, even with k below its k-block). The tiles cost up to ~1.7x
 * of one big dgemm at n = 5000 (bench/README.md). */
#define TM 64
#define TN 64
#define TK 64

/* C := C + s op(A) op(B) with s = -1 or +1, or C := op(A) op(B) when
 * s = 0, row-major, tile by tile; k is summed in steps of TK, in order. */
static void gemm(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, size_t m, size_t n,
                 size_t k, int s, const double *A, size_t lda, const double *B, size_t ldb,
                 double *C, size_t ldc)
{
    if (m == 0 || n == 0 || k == 0)
        return;
    for (size_t j = 0; j < n; j += TN) {
        size_t nj = min_sz(TN, n - j);
        for (size_t i = 0; i < m; i += TM) {
            size_t mi = min_sz(TM, m - i);
            for (size_t l = 0; l < k; l += TK) {
                size_t kl = min_sz(TK, k - l);
                const double *a = ta == CblasNoTrans ? A + i * lda + l : A + l * lda + i;
                const double *b = tb == CblasNoTrans ? B + l * ldb + j : B + j * ldb + l;
                cblas_dgemm(CblasRowMajor, ta, tb, (int)mi, (int)nj, (int)kl,
                            s ? (double)s : 1.0, a, (int)lda, b, (int)ldb,
                            l || s ? 1.0 : 0.0, C + i * ldc + j, (int)ldc);
            }
        }
    }
}

/* y += a x, element-wise: vectorizing it changes no result. Unrolled by
 * hand because -O2's very cheap cost model leaves the plain loop scalar
 * (it does pack the four statements into vectors). */
static inline void axpy(size_t n, double a, const double *restrict x, double *restrict y)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        y[i] += a * x[i];
        y[i + 1] += a * x[i + 1];
        y[i + 2] += a * x[i + 2];
        y[i + 3] += a * x[i + 3];
    }
    for (; i < n; i++)
        y[i] += a * x[i];
}

static inline void divide(size_t n, double d, double *restrict y)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        y[i] /= d;
        y[i + 1] /= d;
        y[i + 2] /= d;
        y[i + 3] /= d;
    }
    for (; i < n; i++)
        y[i] /= d;
}

double hpti_la_dot(size_t n, const double *x, const double *y)
{
    /* four independent sums keep the adder busy (a single chain is bound
     * by its latency); their order is fixed, so is the result */
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
        s2 += x[i + 2] * y[i + 2];
        s3 += x[i + 3] * y[i + 3];
    }
    double s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++)
        s += x[i] * y[i];
    return s;
}

/* ---- triangular solves with a vector --------------------------------------- */

void hpti_la_trsv(size_t n, const double *L, size_t ld, double *x)
{
    hpti_la_trsv_from(n, 0, L, ld, x);
}

void hpti_la_trsv_from(size_t n, size_t from, const double *L, size_t ld, double *x)
{
    for (size_t i = from; i < n; i++) {
        const double *Li = L + i * ld;
        x[i] = (x[i] - hpti_la_dot(i, Li, x)) / Li[i];
    }
}

void hpti_la_trsv_t(size_t n, const double *L, size_t ld, double *x)
{
    /* by rows of L (contiguous): x_i is final once the rows below it have
     * been subtracted */
    for (size_t i = n; i-- > 0;) {
        const double *Li = L + i * ld;
        x[i] /= Li[i];
        axpy(i, -x[i], Li, x);
    }
}

/* ---- B := L^-1 B ------------------------------------------------------------ */

static void trsm_base(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    for (size_t i = 0; i < n; i++) {
        const double *Li = L + i * ld;
        double *Bi = B + i * ldb;
        for (size_t j = 0; j < i; j++)
            axpy(c, -Li[j], B + j * ldb, Bi);
        divide(c, Li[i], Bi);
    }
}

static void trsm_rec(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    if (n <= BASE) {
        trsm_base(n, c, L, ld, B, ldb);
        return;
    }
    size_t n1 = half(n);
    trsm_rec(n1, c, L, ld, B, ldb);
    gemm(CblasNoTrans, CblasNoTrans, n - n1, c, n1, -1, L + n1 * ld, ld, B, ldb, B + n1 * ldb,
         ldb);
    trsm_rec(n - n1, c, L + n1 * ld + n1, ld, B + n1 * ldb, ldb);
}

void hpti_la_trsm(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    for (size_t i0 = 0; i0 < n; i0 += NB) {
        size_t nb = min_sz(NB, n - i0), i1 = i0 + nb;
        trsm_rec(nb, c, L + i0 * ld + i0, ld, B + i0 * ldb, ldb);
        gemm(CblasNoTrans, CblasNoTrans, n - i1, c, nb, -1, L + i1 * ld + i0, ld, B + i0 * ldb,
             ldb, B + i1 * ldb, ldb);
    }
}

/* ---- B := L^-T B ------------------------------------------------------------ */

static void trsm_t_base(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    for (size_t i = n; i-- > 0;) {
        const double *Li = L + i * ld;
        double *Bi = B + i * ldb;
        divide(c, Li[i], Bi);
        for (size_t j = 0; j < i; j++)
            axpy(c, -Li[j], Bi, B + j * ldb);
    }
}

static void trsm_t_rec(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    if (n <= BASE) {
        trsm_t_base(n, c, L, ld, B, ldb);
        return;
    }
    size_t n1 = half(n);
    trsm_t_rec(n - n1, c, L + n1 * ld + n1, ld, B + n1 * ldb, ldb);
    gemm(CblasTrans, CblasNoTrans, n1, c, n - n1, -1, L + n1 * ld, ld, B + n1 * ldb, ldb, B,
         ldb);
    trsm_t_rec(n1, c, L, ld, B, ldb);
}

void hpti_la_trsm_t(size_t n, size_t c, const double *L, size_t ld, double *B, size_t ldb)
{
    if (n == 0)
        return;
    for (size_t i0 = (n - 1) / NB * NB;; i0 -= NB) {
        size_t nb = min_sz(NB, n - i0);
        trsm_t_rec(nb, c, L + i0 * ld + i0, ld, B + i0 * ldb, ldb);
        gemm(CblasTrans, CblasNoTrans, i0, c, nb, -1, L + i0 * ld, ld, B + i0 * ldb, ldb, B,
             ldb);
        if (i0 == 0)
            break;
    }
}

/* ---- Cholesky ----------------------------------------------------------------- */

/* P := P L^-T (P m x k, L k x k lower): the panel below a factored block. */
static void trsm_r_base(size_t m, size_t k, const double *L, size_t ld, double *P, size_t ldp)
{
    /* m k divisions would cost as much as the rest of this base case:
     * multiply by reciprocals instead (one rounding more, same order) */
    double inv[BASE];
    for (size_t j = 0; j < k; j++)
        inv[j] = 1.0 / L[j * ld + j];
    for (size_t r = 0; r < m; r++) {
        double *p = P + r * ldp;
        for (size_t j = 0; j < k; j++) {
            const double *Lj = L + j * ld;
            double s = p[j];
            for (size_t t = 0; t < j; t++)
                s -= p[t] * Lj[t];
            p[j] = s * inv[j];
        }
    }
}

static void trsm_r_rec(size_t m, size_t k, const double *L, size_t ld, double *P, size_t ldp)
{
    if (k <= BASE) {
        trsm_r_base(m, k, L, ld, P, ldp);
        return;
    }
    size_t k1 = half(k);
    trsm_r_rec(m, k1, L, ld, P, ldp);
    gemm(CblasNoTrans, CblasTrans, m, k - k1, k1, -1, P, ldp, L + k1 * ld, ld, P + k1, ldp);
    trsm_r_rec(m, k - k1, L + k1 * ld + k1, ld, P + k1, ldp);
}

/* Cholesky-Banachiewicz, row by row */
static int potrf_base(size_t n, double *A, size_t ld)
{
    for (size_t i = 0; i < n; i++) {
        double *Ai = A + i * ld;
        for (size_t j = 0; j < i; j++) {
            const double *Aj = A + j * ld;
            double s = Ai[j];
            for (size_t t = 0; t < j; t++)
                s -= Ai[t] * Aj[t];
            Ai[j] = s / Aj[j];
        }
        double d = Ai[i];
        for (size_t t = 0; t < i; t++)
            d -= Ai[t] * Ai[t];
        if (!(d > 0.0)) /* also NaN */
            return (int)i + 1;
        Ai[i] = sqrt(d);
    }
    return 0;
}

/* A block of n <= NB rows: the trailing update writes the whole square
 * (the strict upper triangle is the documented scratch) */
static int potrf_rec(size_t n, double *A, size_t ld)
{
    if (n <= BASE)
        return potrf_base(n, A, ld);
    size_t n1 = half(n);
    int info = potrf_rec(n1, A, ld);
    if (info)
        return info;
    double *A21 = A + n1 * ld, *A22 = A21 + n1;
    trsm_r_rec(n - n1, n1, A, ld, A21, ld);
    gemm(CblasNoTrans, CblasTrans, n - n1, n - n1, n1, -1, A21, ld, A21, ld, A22, ld);
    info = potrf_rec(n - n1, A22, ld);
    return info ? info + (int)n1 : 0;
}

int hpti_la_potrf(size_t n, double *A, size_t ld)
{
    /* right-looking: factor a block column, then subtract its outer product
     * from the trailing lower triangle, one block row (one dgemm) at a time */
    for (size_t k0 = 0; k0 < n; k0 += NB) {
        size_t kb = min_sz(NB, n - k0), k1 = k0 + kb;
        double *Akk = A + k0 * ld + k0;
        int info = potrf_rec(kb, Akk, ld);
        if (info)
            return (int)k0 + info;
        if (k1 == n)
            break;
        double *P = A + k1 * ld + k0;
        trsm_r_rec(n - k1, kb, Akk, ld, P, ld);
        for (size_t i0 = k1; i0 < n; i0 += NB) {
            size_t ib = min_sz(NB, n - i0);
            gemm(CblasNoTrans, CblasTrans, ib, i0 + ib - k1, kb, -1, A + i0 * ld + k0, ld, P,
                 ld, A + i0 * ld + k1, ld);
        }
    }
    return 0;
}

/* ---- inverse from the factor -------------------------------------------------- */

void hpti_la_potri(size_t n, double *A, size_t ld, double *work)
{
    /* X = L^-1 in work (ld n), one block column at a time: column block J
     * of X is zero above its diagonal block, so it solves the trailing
     * triangle only (n^3/6 multiply-adds in all) */
    double *X = work;
    for (size_t j0 = 0; j0 < n; j0 += NB) {
        size_t jb = min_sz(NB, n - j0);
        for (size_t i = j0; i < n; i++)
            for (size_t j = 0; j < jb; j++)
                X[i * n + j0 + j] = i - j0 == j ? 1.0 : 0.0;
        hpti_la_trsm(n - j0, jb, A + j0 * ld + j0, ld, X + j0 * n + j0, n);
    }
    /* (L L^T)^-1 = X^T X: block (I, J), J <= I, sums X_KI^T X_KJ over the
     * block rows K >= I in order (X_II's upper triangle holds exact zeros) */
    for (size_t i0 = 0; i0 < n; i0 += NB) {
        size_t ib = min_sz(NB, n - i0);
        for (size_t j0 = 0; j0 <= i0; j0 += NB) {
            size_t jb = min_sz(NB, n - j0);
            double *C = A + i0 * ld + j0;
            for (size_t k0 = i0; k0 < n; k0 += NB)
                gemm(CblasTrans, CblasNoTrans, ib, jb, min_sz(NB, n - k0), k0 == i0 ? 0 : 1,
                     X + k0 * n + i0, n, X + k0 * n + j0, n, C, ld);
        }
    }
}
