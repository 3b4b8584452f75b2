/* train_digits.c -- build/hpt-train-digits: train the digits network once.
 *
 *   hpt-train-digits [--lr X] [--momentum X] [--weight-decay X] [--hidden N]
 *                    [--batch N] [--activation relu|tanh|sigmoid]
 *                    [--epochs N] [--seed N] [--load FILE] [--save FILE]
 *                    [--data FILE] [--test]
 *
 * --epochs is the total to reach: with --load of a checkpoint already
 * trained k epochs, only epochs k+1 .. N are trained (a Hyperband promotion
 * pays only the difference). Prints one line per epoch trained,
 *   epoch N val_loss=L val_error=E
 * then `objective=E` (the validation error rate of the last epoch; "nan"
 * when training diverged), and with --test also `test_error=E`.
 * Exit status: 0 done, 3 diverged, 2 bad usage, 1 I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"

static void usage(FILE *f)
{
    fputs("usage: hpt-train-digits [--lr X] [--momentum X] [--weight-decay X] [--hidden N]\n"
          "         [--batch N] [--activation relu|tanh|sigmoid] [--epochs N] [--seed N]\n"
          "         [--load FILE] [--save FILE] [--data FILE] [--test]\n",
          f);
}

static int number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    double lr = 0.1, momentum = 0.9, wd = 1e-4, hidden = 64, batch = 32, epochs = 10,
           seed = 0;
    int act = HPTB_ACT_RELU, test = 0;
    const char *load = NULL, *save = NULL, *data = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--test")) {
            test = 1;
            continue;
        } else if (!v) {
            bad = 1;
        } else if (!strcmp(a, "--lr")) {
            bad = number(v, 1e-12, 1e6, &lr);
        } else if (!strcmp(a, "--momentum")) {
            bad = number(v, 0, 0.999999, &momentum);
        } else if (!strcmp(a, "--weight-decay")) {
            bad = number(v, 0, 1e6, &wd);
        } else if (!strcmp(a, "--hidden")) {
            bad = number(v, 1, 4096, &hidden) || hidden != (int)hidden;
        } else if (!strcmp(a, "--batch")) {
            bad = number(v, 1, HPTB_DIGITS_TRAIN, &batch) || batch != (int)batch;
        } else if (!strcmp(a, "--epochs")) {
            bad = number(v, 0, 100000, &epochs) || epochs != (int)epochs;
        } else if (!strcmp(a, "--seed")) {
            bad = number(v, 0, 9007199254740992.0, &seed) || seed != (double)(uint64_t)seed;
        } else if (!strcmp(a, "--activation")) {
            bad = (act = hptb_activation_find(v)) < 0;
        } else if (!strcmp(a, "--load")) {
            load = v;
        } else if (!strcmp(a, "--save")) {
            save = v;
        } else if (!strcmp(a, "--data")) {
            data = v;
        } else {
            bad = 1;
        }
        if (bad) {
            fprintf(stderr, "hpt-train-digits: bad argument %s %s\n", a, v ? v : "");
            usage(stderr);
            return 2;
        }
        i++;
    }

    hptb_digits *d = NULL;
    if (hptb_digits_load(data, &d) != HPTB_OK) {
        fprintf(stderr, "hpt-train-digits: cannot read the data set %s\n",
                data ? data : "(default bench/data/digits.csv.gz or $HPT_DIGITS_DATA)");
        return 1;
    }
    hptb_net *n = NULL;
    int32_t rc = load ? hptb_net_load(load, &n)
                      : hptb_net_create((int32_t)hidden, act, (uint64_t)seed, &n);
    if (rc != HPTB_OK) {
        fprintf(stderr, "hpt-train-digits: %s\n",
                load ? "cannot load the checkpoint" : "cannot create the network");
        hptb_digits_free(d);
        return 1;
    }
    if (load && (hptb_net_hidden(n) != (int32_t)hidden || hptb_net_activation(n) != act))
        fprintf(stderr, "hpt-train-digits: note: the checkpoint's network (%d hidden, %s) "
                        "is used\n",
                (int)hptb_net_hidden(n), hptb_activation_name(hptb_net_activation(n)));

    int status = 0;
    double loss = 0, err = 0;
    while (hptb_net_epochs(n) < (int32_t)epochs) {
        rc = hptb_net_train(n, d, lr, momentum, wd, (int32_t)batch, 1);
        if (rc != HPTB_OK)
            break;
        hptb_net_evaluate(n, d, HPTB_PART_VALID, &loss, &err);
        printf("epoch %d val_loss=%.6f val_error=%.6f\n", (int)hptb_net_epochs(n), loss, err);
        fflush(stdout);
    }
    if (rc == HPTB_DIVERGED) {
        printf("diverged at epoch %d\nobjective=nan\n", (int)hptb_net_epochs(n) + 1);
        status = 3;
    } else if (rc != HPTB_OK) {
        fprintf(stderr, "hpt-train-digits: training failed (%d)\n", (int)rc);
        status = 1;
    } else {
        hptb_net_evaluate(n, d, HPTB_PART_VALID, &loss, &err);
        printf("objective=%.6f\n", err);
        if (test) {
            hptb_net_evaluate(n, d, HPTB_PART_TEST, &loss, &err);
            printf("test_error=%.6f\n", err);
        }
        if (save && hptb_net_save(n, save) != HPTB_OK) {
            fprintf(stderr, "hpt-train-digits: cannot write %s\n", save);
            status = 1;
        }
    }
    hptb_net_free(n);
    hptb_digits_free(d);
    return status;
}
