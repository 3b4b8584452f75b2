/* test_digits.c -- the real training task (bench/digits.c): the fixed split,
 * determinism per seed, bit-exact resume from a checkpoint, learning (the
 * validation error falls with epochs for a sane configuration), corrupt
 * checkpoints and bad arguments. Run from the project root (data path). */
#include <math.h>
#include <unistd.h>

#include "digits.h"
#include "testutil.h"

static hptb_digits *data;

static int setup(void **state)
{
    (void)state;
    return hptb_digits_load(NULL, &data) == HPTB_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hptb_digits_free(data);
    return 0;
}

static void test_split(void **state)
{
    (void)state;
    assert_int_equal(hptb_digits_size(data, HPTB_PART_TRAIN), 500);
    assert_int_equal(hptb_digits_size(data, HPTB_PART_VALID), 1000);
    assert_int_equal(hptb_digits_size(data, HPTB_PART_TEST), 297);
    assert_int_equal(hptb_digits_size(data, 3), 0);
    hptb_digits *d = NULL;
    assert_int_equal(hptb_digits_load("/nonexistent/digits.csv.gz", &d), HPTB_E_IO);
    assert_null(d);
}

/* Train a fresh network and return its validation loss and error. */
static void train(uint64_t seed, int32_t epochs, double *loss, double *err)
{
    hptb_net *n = NULL;
    assert_int_equal(hptb_net_create(32, HPTB_ACT_TANH, seed, &n), HPTB_OK);
    assert_int_equal(hptb_net_train(n, data, 0.1, 0.9, 1e-4, 32, epochs), HPTB_OK);
    assert_int_equal(hptb_net_epochs(n), epochs);
    assert_int_equal(hptb_net_evaluate(n, data, HPTB_PART_VALID, loss, err), HPTB_OK);
    hptb_net_free(n);
}

static void test_deterministic_per_seed(void **state)
{
    (void)state;
    double l1, e1, l2, e2, l3, e3;
    train(7, 3, &l1, &e1);
    train(7, 3, &l2, &e2);
    train(8, 3, &l3, &e3);
    assert_true(l1 == l2 && e1 == e2); /* bit for bit */
    assert_true(l1 != l3);              /* the seed matters */
}

static void test_resume_is_exact(void **state)
{
    (void)state;
    char path[] = "/tmp/hpt-test-digits-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    hptb_net *a = NULL, *b = NULL;
    assert_int_equal(hptb_net_create(16, HPTB_ACT_RELU, 3, &a), HPTB_OK);
    assert_int_equal(hptb_net_train(a, data, 0.05, 0.9, 1e-3, 16, 3), HPTB_OK);
    assert_int_equal(hptb_net_save(a, path), HPTB_OK);
    hptb_net_free(a);
    assert_int_equal(hptb_net_load(path, &b), HPTB_OK);
    assert_int_equal(hptb_net_epochs(b), 3);
    assert_int_equal(hptb_net_hidden(b), 16);
    assert_int_equal(hptb_net_train(b, data, 0.05, 0.9, 1e-3, 16, 2), HPTB_OK);

    hptb_net *c = NULL;
    assert_int_equal(hptb_net_create(16, HPTB_ACT_RELU, 3, &c), HPTB_OK);
    assert_int_equal(hptb_net_train(c, data, 0.05, 0.9, 1e-3, 16, 5), HPTB_OK);
    double lb, eb, lc, ec;
    assert_int_equal(hptb_net_evaluate(b, data, HPTB_PART_VALID, &lb, &eb), HPTB_OK);
    assert_int_equal(hptb_net_evaluate(c, data, HPTB_PART_VALID, &lc, &ec), HPTB_OK);
    assert_true(lb == lc && eb == ec);
    hptb_net_free(b);
    hptb_net_free(c);

    /* A truncated checkpoint is refused, not half-loaded. */
    assert_int_equal(truncate(path, 100), 0);
    hptb_net *t = NULL;
    assert_int_equal(hptb_net_load(path, &t), HPTB_E_IO);
    assert_null(t);
    unlink(path);
}

static void test_error_falls_with_epochs(void **state)
{
    (void)state;
    hptb_net *n = NULL;
    assert_int_equal(hptb_net_create(64, HPTB_ACT_RELU, 1, &n), HPTB_OK);
    double prev_loss = INFINITY, err0, err;
    assert_int_equal(hptb_net_evaluate(n, data, HPTB_PART_VALID, NULL, &err0), HPTB_OK);
    assert_true(err0 > 0.5); /* untrained: near chance */
    for (int block = 0; block < 3; block++) {
        double loss;
        assert_int_equal(hptb_net_train(n, data, 0.05, 0.9, 1e-4, 32, 3), HPTB_OK);
        assert_int_equal(hptb_net_evaluate(n, data, HPTB_PART_VALID, &loss, &err), HPTB_OK);
        if (!(loss < prev_loss))
            fail_msg("validation loss %g after %d epochs, %g before", loss,
                     (int)hptb_net_epochs(n), prev_loss);
        prev_loss = loss;
    }
    assert_true(err < 0.1);
    hptb_net_free(n);
}

static void test_invalid(void **state)
{
    (void)state;
    hptb_net *n = NULL;
    assert_int_equal(hptb_net_create(0, HPTB_ACT_RELU, 1, &n), HPTB_E_INVALID);
    assert_int_equal(hptb_net_create(8, 5, 1, &n), HPTB_E_INVALID);
    assert_int_equal(hptb_net_create(8, HPTB_ACT_RELU, 1, &n), HPTB_OK);
    assert_int_equal(hptb_net_train(n, data, 0, 0.9, 0, 8, 1), HPTB_E_INVALID);
    assert_int_equal(hptb_net_train(n, data, 0.1, 1.0, 0, 8, 1), HPTB_E_INVALID);
    assert_int_equal(hptb_net_train(n, data, 0.1, 0.9, -1, 8, 1), HPTB_E_INVALID);
    assert_int_equal(hptb_net_train(n, data, 0.1, 0.9, 0, 501, 1), HPTB_E_INVALID);
    assert_int_equal(hptb_net_evaluate(n, data, 7, NULL, NULL), HPTB_E_INVALID);
    assert_int_equal(hptb_activation_find("tanh"), HPTB_ACT_TANH);
    assert_int_equal(hptb_activation_find("gelu"), -1);
    hptb_net_free(n);
    hptb_net_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_deterministic_per_seed),
        cmocka_unit_test(test_resume_is_exact),
        cmocka_unit_test(test_error_falls_with_epochs),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
