/* test_select.c -- hpti_select_kth against a sort, for every k, on arrays
 * with ties, sorted and reversed runs (the shapes that break a careless
 * partition), and its ordering guarantee around a[k]. */
#include "testutil.h"
#include "rng.h"
#include "select.h"

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static void check_all_k(const double *src, size_t n)
{
    double *sorted = malloc(n * sizeof *sorted), *a = malloc(n * sizeof *a);
    memcpy(sorted, src, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (size_t k = 0; k < n; k++) {
        memcpy(a, src, n * sizeof *a);
        double v = hpti_select_kth(a, n, k);
        if (v != sorted[k])
            fail_msg("n %zu k %zu: got %g, want %g", n, k, v, sorted[k]);
        assert_true(a[k] == v);
        for (size_t i = 0; i < n; i++)
            assert_true(i < k ? a[i] <= v : i > k ? a[i] >= v : 1);
        qsort(a, n, sizeof *a, cmp_double); /* a permutation of src */
        assert_memory_equal(a, sorted, n * sizeof *a);
    }
    free(a);
    free(sorted);
}

static void test_shapes(void **state)
{
    (void)state;
    hpti_rng r;
    hpti_rng_seed(&r, 5, 0);
    double a[64];
    for (size_t n = 1; n <= 64; n += (n < 10 ? 1 : 9)) {
        for (size_t i = 0; i < n; i++) /* ties: 5 distinct values */
            a[i] = (double)hpti_rng_below(&r, 5);
        check_all_k(a, n);
        for (size_t i = 0; i < n; i++)
            a[i] = hpti_rng_uniform(&r) * 2 - 1;
        check_all_k(a, n);
        for (size_t i = 0; i < n; i++)
            a[i] = (double)i;
        check_all_k(a, n);
        for (size_t i = 0; i < n; i++)
            a[i] = (double)(n - i);
        check_all_k(a, n);
        for (size_t i = 0; i < n; i++)
            a[i] = 7.0;
        check_all_k(a, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
