/* hb_figures.c -- build/hpt-hb-figures: the Hyperband figures of issue 4 on
 * the real training task (bench/digits.h), through the public API only.
 *
 *   hpt-hb-figures [--seeds N] [--max-epochs R] [--random-trials T]
 *                  [--eta E] [--samplers LIST] [--async 0|1] [--cap-factor F]
 *                  [--skip-random 1] [--first-seed F] [--csv FILE] [--data FILE]
 *
 * For each seed s = F .. F+N-1 (--first-seed F, default 0):
 *  - random search: T trials of strategy "random" (seed s), each trained R
 *    epochs from scratch; its best validation error is the target of s;
 *  - for each sampler in LIST (default random,bayes): strategy "hyperband"
 *    (min 1, max R epochs, eta E, async by default, seed s) until
 *    F * T * R epochs were trained (F default 1: the random search's cost),
 *    promotions resuming their parent's weights.
 * --skip-random 1 skips the random search (no target; for the
 * resumed/scratch ratios alone).
 * Every run trains with one worker, sequentially.
 *
 * Epochs are counted two ways for each Hyperband run: "resumed" (what this
 * driver trains: a promotion loads its parent's weights and trains
 * budget - budget(parent) epochs) and "scratch" (the same schedule with
 * every trial trained from scratch: the sum of budgets). The network of a
 * trial is seeded from its root ancestor (the first trial of its
 * configuration), so a retrained promotion would be bit for bit the resumed
 * one (digits.h) and the two counts describe the same schedule.
 *
 * Best validation error so far is tracked two ways: "full" (trials trained
 * R epochs, as random search's) and "any" (any complete trial, whatever its
 * budget: a network trained 9 epochs is a usable network too).
 *
 * stdout: per seed the target and the epochs each Hyperband run needed to
 * reach it; then the medians over seeds; and the resumed/scratch ratios.
 * --csv: one row per finished trial:
 *   seed,method,trial,budget,epochs_resumed,epochs_scratch,best_full,best_any */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digits.h"
#include "hpt.h"
#include "util.h"

#define MAX_SEEDS 64
#define MAX_SAMPLERS 4

typedef struct {
    double epochs, scratch, best_full, best_any; /* at the end of the run */
    double reach_full, reach_any; /* resumed epochs when the target was first reached, or inf */
    double reach_full_scratch;    /* scratch epochs then */
} run_result;

static hpt_study *make_study(const char *strategy, uint64_t seed)
{
    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hptb_digits_space(&sp);
    if (rc == HPT_OK)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, seed, &st);
    hpt_space_destroy(sp);
    if (rc != HPT_OK) {
        fprintf(stderr, "hpt-hb-figures: %s\n", hpt_last_errmsg());
        return NULL;
    }
    return st;
}

static void ckpt(char *buf, size_t size, const char *dir, int64_t id)
{
    snprintf(buf, size, "%s/t%lld.ckpt", dir, (long long)id);
}

/* One study run until `cap` resumed epochs (or `max_trials` trials when > 0).
 * `target` <= 0: not tracked. */
static int run(hpt_study *st, const hptb_digits *d, double R, double cap, int64_t max_trials,
               double target, uint64_t seed, const char *method, FILE *csv, const char *dir,
               run_result *res)
{
    int64_t *root = NULL;
    size_t cap_root = 0;
    double epochs = 0, scratch = 0, best_full = INFINITY, best_any = INFINITY;
    res->reach_full = res->reach_any = res->reach_full_scratch = INFINITY;
    int status = 0;
    for (int64_t n = 0; epochs < cap && (max_trials <= 0 || n < max_trials); n++) {
        int64_t id, parent;
        int rc = hpt_study_ask(st, &id);
        if (rc == HPT_DONE)
            break;
        if (rc != HPT_OK) {
            fprintf(stderr, "hpt-hb-figures: ask: %s\n", hpt_study_errmsg(st));
            status = 1;
            break;
        }
        double lr, mom, wd, budget;
        int64_t hidden, batch;
        const char *act;
        hpt_trial_float(st, id, "lr", &lr);
        hpt_trial_float(st, id, "momentum", &mom);
        hpt_trial_float(st, id, "weight_decay", &wd);
        hpt_trial_int(st, id, "hidden", &hidden);
        hpt_trial_int(st, id, "batch", &batch);
        hpt_trial_categorical(st, id, "activation", &act);
        hpt_trial_budget(st, id, &budget, &parent);
        int32_t target_ep = budget > 0 ? (int32_t)lround(budget) : (int32_t)R;
        if ((size_t)id >= cap_root) {
            size_t c = cap_root ? 2 * cap_root : 1024;
            while (c <= (size_t)id)
                c *= 2;
            int64_t *p = realloc(root, c * sizeof *p);
            if (!p) {
                status = 1;
                break;
            }
            root = p;
            cap_root = c;
        }
        root[id] = parent >= 0 ? root[parent] : id;

        char path[4200];
        hptb_net *net = NULL;
        int32_t nrc = HPTB_E_IO;
        if (parent >= 0) {
            ckpt(path, sizeof path, dir, parent);
            nrc = hptb_net_load(path, &net);
            if (nrc == HPTB_OK)
                unlink(path); /* a trial is promoted at most once */
        }
        if (nrc != HPTB_OK)
            nrc = hptb_net_create((int32_t)hidden, hptb_activation_find(act),
                                  seed * 1000003u + (uint64_t)root[id], &net);
        double err = NAN;
        if (nrc == HPTB_OK && hptb_net_epochs(net) < target_ep) {
            int32_t more = target_ep - hptb_net_epochs(net);
            nrc = hptb_net_train(net, d, lr, mom, wd, (int32_t)batch, more);
            epochs += more;
        }
        scratch += target_ep;
        if (nrc == HPTB_OK)
            nrc = hptb_net_evaluate(net, d, HPTB_PART_VALID, NULL, &err);
        if (nrc != HPTB_OK) {
            hpt_study_tell_failed(st, id, "diverged");
        } else {
            hpt_study_tell(st, id, err);
            if (target_ep < (int32_t)R) {
                ckpt(path, sizeof path, dir, id);
                hptb_net_save(net, path);
            }
            best_any = err < best_any ? err : best_any;
            if (target_ep >= (int32_t)R)
                best_full = err < best_full ? err : best_full;
        }
        hptb_net_free(net);
        if (target > 0 && best_full <= target && isinf(res->reach_full)) {
            res->reach_full = epochs;
            res->reach_full_scratch = scratch;
        }
        if (target > 0 && best_any <= target && isinf(res->reach_any))
            res->reach_any = epochs;
        if (csv)
            fprintf(csv, "%llu,%s,%lld,%d,%.0f,%.0f,%.4f,%.4f\n", (unsigned long long)seed,
                    method, (long long)id, target_ep, epochs, scratch,
                    isfinite(best_full) ? best_full : NAN, isfinite(best_any) ? best_any : NAN);
    }
    free(root);
    res->epochs = epochs;
    res->scratch = scratch;
    res->best_full = best_full;
    res->best_any = best_any;
    return status;
}

static double median(const double *v, size_t n)
{
    double tmp[MAX_SEEDS];
    memcpy(tmp, v, n * sizeof *v);
    /* hptb_quantile sorts; inf (never reached) sorts last */
    return hptb_quantile(tmp, n, 0.5);
}

int main(int argc, char **argv)
{
    long seeds = 5, first_seed = 0;
    double R = 27, T = 40, eta = 3, cap_factor = 1;
    int async = 1, skip_random = 0;
    const char *csv_path = NULL, *data = NULL;
    char samplers_buf[256] = "random,bayes";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--seeds"))
            seeds = strtol(v, NULL, 10);
        else if (!strcmp(a, "--max-epochs"))
            R = strtod(v, NULL);
        else if (!strcmp(a, "--random-trials"))
            T = strtod(v, NULL);
        else if (!strcmp(a, "--eta"))
            eta = strtod(v, NULL);
        else if (!strcmp(a, "--async"))
            async = atoi(v);
        else if (!strcmp(a, "--first-seed"))
            first_seed = strtol(v, NULL, 10);
        else if (!strcmp(a, "--skip-random"))
            skip_random = atoi(v);
        else if (!strcmp(a, "--cap-factor"))
            cap_factor = strtod(v, NULL);
        else if (!strcmp(a, "--samplers"))
            snprintf(samplers_buf, sizeof samplers_buf, "%s", v);
        else if (!strcmp(a, "--csv"))
            csv_path = v;
        else if (!strcmp(a, "--data"))
            data = v;
        else {
            fprintf(stderr, "hpt-hb-figures: bad argument %s\n", a);
            return 2;
        }
    }
    if (argc % 2 == 0 || first_seed < 0 || seeds < 1 || seeds > MAX_SEEDS || !(R >= 1) || !(T >= 0) ||
        !(eta > 1) || !(cap_factor > 0)) {
        fputs("usage: hpt-hb-figures [--seeds N] [--max-epochs R] [--random-trials T] "
              "[--eta E]\n       [--samplers LIST] [--async 0|1] [--cap-factor F] "
              "[--skip-random 1] [--first-seed F] [--csv FILE] [--data FILE]\n",
              stderr);
        return 2;
    }
    char *samplers[MAX_SAMPLERS];
    size_t ns = hptb_split(samplers_buf, samplers, MAX_SAMPLERS);

    hptb_digits *d = NULL;
    if (hptb_digits_load(data, &d) != HPTB_OK) {
        fprintf(stderr, "hpt-hb-figures: cannot read the data (run from the project root)\n");
        return 1;
    }
    char dir[] = "/tmp/hpt-hb-figures-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    FILE *csv = NULL;
    if (csv_path) {
        csv = fopen(csv_path, "w");
        if (!csv) {
            perror(csv_path);
            return 1;
        }
        fputs("seed,method,trial,budget,epochs_resumed,epochs_scratch,best_full,best_any\n",
              csv);
    }

    double cap = cap_factor * T * R;
    double tgt[MAX_SEEDS], rf[MAX_SAMPLERS][MAX_SEEDS], ra[MAX_SAMPLERS][MAX_SEEDS],
        ratio[MAX_SAMPLERS][MAX_SEEDS], bf[MAX_SAMPLERS][MAX_SEEDS];
    int status = 0;
    printf("digits, max %g epochs, random search %g trials (%g epochs), Hyperband eta %g %s, "
           "cap %g epochs a run\n\n",
           R, T, T * R, eta, async ? "async (ASHA)" : "sync", cap);
    printf("| seed | random best (target) |");
    for (size_t k = 0; k < ns; k++)
        printf(" hb-%s epochs to target (full / any) | hb-%s best full | hb-%s resumed/scratch |",
               samplers[k], samplers[k], samplers[k]);
    printf("\n|---|---|");
    for (size_t k = 0; k < ns; k++)
        printf("---|---|---|");
    printf("\n");
    for (long si = 0; si < seeds && !status; si++) {
        uint64_t seed = (uint64_t)(first_seed + si);
        run_result r;
        tgt[si] = NAN;
        if (T > 0 && !skip_random) {
            hpt_study *st = make_study("random", seed);
            if (!st || run(st, d, R, INFINITY, (int64_t)T, 0, seed, "random", csv, dir, &r)) {
                status = 1;
                hpt_study_destroy(st);
                break;
            }
            hpt_study_destroy(st);
            tgt[si] = r.best_full;
        }
        printf("| %llu | %.4f |", (unsigned long long)seed, tgt[si]);
        for (size_t k = 0; k < ns && !status; k++) {
            hpt_study *st = make_study("hyperband", seed);
            char method[64];
            snprintf(method, sizeof method, "hb-%s", samplers[k]);
            if (!st || hpt_study_set(st, "hyperband.min_resource", 1) ||
                hpt_study_set(st, "hyperband.max_resource", R) ||
                hpt_study_set(st, "hyperband.eta", eta) ||
                hpt_study_set(st, "hyperband.async", async) ||
                hpt_study_set_str(st, "hyperband.sampler", samplers[k])) {
                fprintf(stderr, "hpt-hb-figures: %s\n",
                        st ? hpt_study_errmsg(st) : "no study");
                status = 1;
                hpt_study_destroy(st);
                break;
            }
            status = run(st, d, R, cap, 0, tgt[si], seed, method, csv, dir, &r);
            hpt_study_destroy(st);
            rf[k][si] = r.reach_full;
            ra[k][si] = r.reach_any;
            bf[k][si] = r.best_full;
            ratio[k][si] = r.epochs / r.scratch;
            printf(" %.0f / %.0f | %.4f | %.0f/%.0f = %.3f |", r.reach_full, r.reach_any,
                   r.best_full, r.epochs, r.scratch, ratio[k][si]);
            fflush(stdout);
        }
        printf("\n");
        fflush(stdout);
    }
    if (!status) {
        printf("\nmedians over %ld seeds: random best %.4f (%g epochs)\n", seeds,
               median(tgt, (size_t)seeds), T * R);
        for (size_t k = 0; k < ns; k++)
            printf("  hb-%s: epochs to reach the target: %.0f (full-budget best), %.0f (any "
                   "trial) = %.3f / %.3f of random's; best full-budget error at the cap "
                   "%.4f; resumed/scratch epochs %.3f (saving %.1f%%)\n",
                   samplers[k], median(rf[k], (size_t)seeds), median(ra[k], (size_t)seeds),
                   median(rf[k], (size_t)seeds) / (T * R), median(ra[k], (size_t)seeds) / (T * R),
                   median(bf[k], (size_t)seeds), median(ratio[k], (size_t)seeds),
                   100 * (1 - median(ratio[k], (size_t)seeds)));
    }
    if (csv && fclose(csv) != 0)
        status = 1;
    hptb_remove_dir(dir); /* checkpoints of trials never promoted */
    hptb_digits_free(d);
    return status;
}
