/* demo_closed_form.c -- tune a closed-form stand-in for a training run with
 * random and Sobol search, and print the best configuration of each.
 *
 * The "validation loss" has a minimum near lr = 3e-3, momentum = 0.95,
 * 2 layers and activation "tanh"; it is cheap so the demo runs instantly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "hpt.h"

static double fake_training(double lr, double momentum, int64_t layers, const char *act)
{
    double a = log10(lr) - log10(3e-3);
    double m = log10(1 - momentum) - log10(0.05);
    double l = (double)(layers - 2);
    double act_penalty = act[0] == 't' ? 0.0 : act[0] == 'r' ? 0.05 : 0.2;
    return 0.08 + 0.1 * a * a + 0.05 * m * m + 0.02 * l * l + act_penalty;
}

static int tune(const hpt_space *space, const char *strategy, int trials)
{
    hpt_study *st = NULL;
    int64_t id, layers, best;
    double lr, mom, bv;
    const char *act;
    if (hpt_study_create(space, strategy, HPT_MINIMIZE, 2026, &st) != HPT_OK ||
        hpt_study_set(st, "max_trials", trials) != HPT_OK) {
        fprintf(stderr, "demo: %s\n", hpt_last_errmsg());
        hpt_study_destroy(st);
        return 1;
    }
    while (hpt_study_ask(st, &id) == HPT_OK) {
        hpt_trial_float(st, id, "lr", &lr);
        hpt_trial_float(st, id, "momentum", &mom);
        hpt_trial_int(st, id, "layers", &layers);
        hpt_trial_categorical(st, id, "activation", &act);
        hpt_study_tell(st, id, fake_training(lr, mom, layers, act));
    }
    hpt_study_best(st, &best, &bv);
    hpt_trial_float(st, best, "lr", &lr);
    hpt_trial_float(st, best, "momentum", &mom);
    hpt_trial_int(st, best, "layers", &layers);
    hpt_trial_categorical(st, best, "activation", &act);
    printf("%-7s best of %d trials: loss %.4f (optimum 0.0800) at trial %lld: lr=%.3g "
           "momentum=%.4f layers=%lld activation=%s\n",
           strategy, trials, bv, (long long)best, lr, mom, (long long)layers, act);
    hpt_study_destroy(st);
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    int trials = argc > 1 ? atoi(argv[1]) : 200;
    hpt_space *sp = NULL;
    if (hpt_space_create(&sp) != HPT_OK ||
        hpt_space_add_float(sp, "lr", 1e-5, 1e-1, HPT_SCALE_LOG) != HPT_OK ||
        hpt_space_add_float(sp, "momentum", 0.5, 0.999, HPT_SCALE_REVERSE_LOG) != HPT_OK ||
        hpt_space_add_int(sp, "layers", 1, 6, HPT_SCALE_LINEAR) != HPT_OK ||
        hpt_space_add_categorical(sp, "activation", acts, 3) != HPT_OK) {
        fprintf(stderr, "demo: %s\n", hpt_last_errmsg());
        return 1;
    }
    printf("libhpt %s: tuning a closed-form stand-in for a training run\n",
           hpt_version_string());
    int rc = tune(sp, "random", trials) | tune(sp, "sobol", trials);
    hpt_space_destroy(sp);
    return rc;
}
