/* test_linalg.c -- the GP's dense kernels (lib/linalg.c): each result
 * against an independent reference (LAPACK/CBLAS or a residual), LAPACK's
 * info convention on matrices that are not positive definite, and the
 * point of the file: bit-identical results under 1, 2 and 4 OpenBLAS
 * threads set inside this one process, on sizes that are and are not
 * multiples of the block size, up to n = 1537. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>

#include "testutil.h"

#include "linalg.h"

static uint64_t rng_state;

static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* A GP-like SPD matrix: Matern-5/2 kernel of n random points in [0,1]^4
 * plus a small nugget (ill-conditioned like the real ones), lower triangle
 * of a row-major n x n array with leading dimension ld. */
static double *spd(size_t n, size_t ld, uint64_t seed)
{
    rng_state = seed;
    double *X = malloc(n * 4 * sizeof *X), *A = calloc(n * ld, sizeof *A);
    assert_non_null(X);
    assert_non_null(A);
    for (size_t i = 0; i < n * 4; i++)
        X[i] = urand();
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double r2 = 0;
            for (size_t k = 0; k < 4; k++)
                r2 += (X[i * 4 + k] - X[j * 4 + k]) * (X[i * 4 + k] - X[j * 4 + k]) / 0.09;
            double s = sqrt(5 * r2);
            A[i * ld + j] = (1 + s + s * s / 3) * exp(-s) + (i == j ? 1e-4 : 0.0);
        }
    free(X);
    return A;
}

static double *rand_matrix(size_t n, size_t c, uint64_t seed)
{
    rng_state = seed;
    double *B = malloc(n * c * sizeof *B);
    assert_non_null(B);
    for (size_t i = 0; i < n * c; i++)
        B[i] = 2 * urand() - 1;
    return B;
}

static double *copy_of(const double *a, size_t n)
{
    double *b = malloc(n * sizeof *b);
    assert_non_null(b);
    memcpy(b, a, n * sizeof *b);
    return b;
}

/* max |a - b| over the lower triangles, relative to max |a| */
static double lower_diff(const double *a, const double *b, size_t n, size_t ld)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            d = fmax(d, fabs(a[i * ld + j] - b[i * ld + j]));
            m = fmax(m, fabs(a[i * ld + j]));
        }
    return d / m;
}

static const size_t sizes[] = {1, 2, 15, 16, 17, 33, 100, 127, 128, 129, 300, 385};

/* Factor, solves and inverse against LAPACK/CBLAS, which sum in other
 * orders: agreement to rounding (the matrices have condition ~1e5). */
static void test_against_lapack(void **state)
{
    (void)state;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si], ld = n + 3, c = 37;
        double *A = spd(n, ld, 1 + n);
        double *mine = copy_of(A, n * ld), *ref = copy_of(A, n * ld);
        assert_int_equal(hpti_la_potrf(n, mine, ld), 0);
        /* a row-major lower triangle is a column-major upper one */
        assert_int_equal(LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, ref,
                                        (lapack_int)ld), 0);
        if (lower_diff(ref, mine, n, ld) > 1e-12)
            fail_msg("potrf n=%zu: relative difference %g", n, lower_diff(ref, mine, n, ld));

        double *B = rand_matrix(n, c, 7 * n), *X = copy_of(B, n * c), *Y = copy_of(B, n * c);
        hpti_la_trsm(n, c, mine, ld, X, c);
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                    (int)c, 1.0, ref, (int)ld, Y, (int)c);
        double d = 0, m = 0;
        for (size_t i = 0; i < n * c; i++) {
            d = fmax(d, fabs(X[i] - Y[i]));
            m = fmax(m, fabs(Y[i]));
        }
        if (d > 1e-10 * m)
            fail_msg("trsm n=%zu: %g of %g", n, d, m);
        hpti_la_trsm_t(n, c, mine, ld, X, c);
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)n,
                    (int)c, 1.0, ref, (int)ld, Y, (int)c);
        d = m = 0;
        for (size_t i = 0; i < n * c; i++) {
            d = fmax(d, fabs(X[i] - Y[i]));
            m = fmax(m, fabs(Y[i]));
        }
        if (d > 1e-9 * m)
            fail_msg("trsm_t n=%zu: %g of %g", n, d, m);

        /* the vector solves are the one-column case */
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        for (size_t i = 0; i < n; i++)
            x[i] = y[i] = B[i * c];
        hpti_la_trsv(n, mine, ld, x);
        hpti_la_trsv_t(n, mine, ld, x);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)n, ref,
                    (int)ld, y, 1);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)n, ref, (int)ld,
                    y, 1);
        d = m = 0;
        for (size_t i = 0; i < n; i++) {
            d = fmax(d, fabs(x[i] - y[i]));
            m = fmax(m, fabs(y[i]));
        }
        if (d > 1e-9 * m)
            fail_msg("trsv n=%zu: %g of %g", n, d, m);

        double *W = malloc(n * n * sizeof *W);
        hpti_la_potri(n, mine, ld, W);
        assert_int_equal(LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', (lapack_int)n, ref,
                                        (lapack_int)ld), 0);
        if (lower_diff(ref, mine, n, ld) > 1e-9)
            fail_msg("potri n=%zu: relative difference %g", n, lower_diff(ref, mine, n, ld));
        free(A);
        free(mine);
        free(ref);
        free(B);
        free(X);
        free(Y);
        free(x);
        free(y);
        free(W);
    }
}

/* The documented order: four partial sums over i mod 4, combined as
 * (s0 + s1) + (s2 + s3), then the tail; a left-to-right sum of the same
 * terms gives 2. */
static void test_dot_order(void **state)
{
    (void)state;
    double x[5] = {1e16, 1, -1e16, 1, 1}, y[5] = {1, 1, 1, 1, 1};
    assert_true(hpti_la_dot(0, x, y) == 0.0);
    assert_true(hpti_la_dot(2, x, y) == 1e16);
    assert_true(hpti_la_dot(5, x, y) == 1.0);
    double a[11], b[11];
    for (int i = 0; i < 11; i++) {
        a[i] = i + 1;
        b[i] = 2;
    }
    assert_true(hpti_la_dot(11, a, b) == 132.0);
}

/* LAPACK's info: the order of the first leading minor that is not
 * positive definite, in a base block, past the first outer block, and for
 * a NaN; and the upper triangle outside the diagonal blocks untouched. */
static void test_not_positive_definite(void **state)
{
    (void)state;
    const size_t n = 300, ld = 301;
    const size_t bad[] = {0, 5, 16, 129, 200, 299};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        double *A = spd(n, ld, 99);
        A[bad[k] * ld + bad[k]] = -1.0;
        assert_int_equal(hpti_la_potrf(n, A, ld), (int)bad[k] + 1);
        free(A);
    }
    double *A = spd(n, ld, 99);
    A[150 * ld + 3] = NAN;
    assert_int_equal(hpti_la_potrf(n, A, ld), 151);
    free(A);

    A = spd(n, ld, 5);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < ld; j++)
            A[i * ld + j] = 12345.0;
    assert_int_equal(hpti_la_potrf(n, A, ld), 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < ld; j++)
            if (j / HPTI_LA_NB != i / HPTI_LA_NB || j >= n)
                assert_true(A[i * ld + j] == 12345.0);
    free(A);
}

/* ---- thread-count independence -------------------------------------------- */

typedef struct {
    double *L, *X, *Xt, *inv; /* factor, L^-1 B, L^-T B, inverse (n <= 700) */
    double *v, *vt;           /* trsv, trsv_t of B's first column */
} results;

static void run_all(size_t n, size_t c, results *r)
{
    size_t ld = n + 1;
    double *A = spd(n, ld, 1000 + n);
    assert_int_equal(hpti_la_potrf(n, A, ld), 0);
    r->L = A;
    double *B = rand_matrix(n, c, 2000 + n);
    r->X = copy_of(B, n * c);
    hpti_la_trsm(n, c, A, ld, r->X, c);
    r->Xt = copy_of(B, n * c);
    hpti_la_trsm_t(n, c, A, ld, r->Xt, c);
    r->v = malloc(n * sizeof *r->v);
    for (size_t i = 0; i < n; i++)
        r->v[i] = B[i * c];
    r->vt = copy_of(r->v, n);
    hpti_la_trsv(n, A, ld, r->v);
    hpti_la_trsv_t(n, A, ld, r->vt);
    r->inv = NULL;
    if (n <= 700) {
        double *W = malloc(n * n * sizeof *W);
        r->inv = copy_of(A, n * ld);
        hpti_la_potri(n, r->inv, ld, W);
        free(W);
    }
    free(B);
}

static void free_results(results *r)
{
    free(r->L);
    free(r->X);
    free(r->Xt);
    free(r->inv);
    free(r->v);
    free(r->vt);
}

static void same_lower(const double *a, const double *b, size_t n, size_t ld, const char *what,
                       size_t size, int threads)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(a + i * ld, b + i * ld, (i + 1) * sizeof *a) != 0)
            fail_msg("%s n=%zu: row %zu differs under %d threads", what, size, i, threads);
}

static void same(const double *a, const double *b, size_t len, const char *what, size_t n,
                 int threads)
{
    if (memcmp(a, b, len * sizeof *a) != 0)
        fail_msg("%s n=%zu differs under %d threads", what, n, threads);
}

static void test_thread_count_independent(void **state)
{
    (void)state;
    static const size_t tsizes[] = {17, 129, 300, 641, 1000, 1537};
    static const size_t cols[] = {1, 64, 256};
    static const int threads[] = {2, 4, 1};
    int old = openblas_get_num_threads();
    for (size_t si = 0; si < sizeof tsizes / sizeof *tsizes; si++) {
        size_t n = tsizes[si], c = cols[si % 3], ld = n + 1;
        results ref, r;
        openblas_set_num_threads(1);
        run_all(n, c, &ref);
        for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
            openblas_set_num_threads(threads[t]);
            /* the threads really are there to split the dgemm calls */
            assert_int_equal(openblas_get_num_threads(), threads[t]);
            run_all(n, c, &r);
            same_lower(ref.L, r.L, n, ld, "potrf", n, threads[t]);
            same(ref.X, r.X, n * c, "trsm", n, threads[t]);
            same(ref.Xt, r.Xt, n * c, "trsm_t", n, threads[t]);
            same(ref.v, r.v, n, "trsv", n, threads[t]);
            same(ref.vt, r.vt, n, "trsv_t", n, threads[t]);
            if (ref.inv)
                same_lower(ref.inv, r.inv, n, ld, "potri", n, threads[t]);
            free_results(&r);
        }
        free_results(&ref);
    }
    openblas_set_num_threads(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_order),
        cmocka_unit_test(test_against_lapack),
        cmocka_unit_test(test_not_positive_definite),
        cmocka_unit_test(test_thread_count_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
