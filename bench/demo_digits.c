/* demo_digits.c -- build/hpt-demo-digits: tune the digits network with
 * libhpt, through the public API (include/hpt.h) only.
 *
 *   hpt-demo-digits [--strategy NAME] [--seconds S] [--total-epochs E]
 *                   [--max-trials N] [--max-epochs R] [--seed S]
 *                   [--json FILE] [--quiet] [--data FILE]
 *
 * Strategy: "hyperband" when this libhpt has it (min resource 1 epoch, max
 * resource R epochs, eta 3; model-guided: sampler "bayes", the GP on the
 * largest budget with enough trials (lib/hyperband.c), or "tpe" in a build
 * that has it instead, or $HPT_DEMO_SAMPLER), else "random". On 2 cores the
 * default minute runs about 2000 trials, some 10% of it in ask (the model).
 * Every trial trains epoch by
 * epoch, reports the validation error after each epoch (so a pruner can
 * stop it) and is told its last validation error; a promotion (resume_from
 * >= 0) loads the checkpoint of the trial it continues and trains only the
 * missing epochs. One line per finished trial: budget, value, best so far;
 * at the end the best configuration and its held-out test accuracy.
 *
 * Length: --seconds (default $HPT_DEMO_SECONDS or 60) of wall-clock time,
 * and/or --total-epochs (epochs trained over all trials; for comparisons
 * independent of the machine's speed), and/or --max-trials
 * ($HPT_DEMO_TRIALS). The study stops asking at the first limit reached.
 *
 * With --json it writes the hpt-bench schema (function "digits"), with two
 * extra per-run arrays: "epochs" (cumulative epochs trained when each trial
 * finished) and "seconds" (elapsed time then); best_so_far is the value of
 * the study's best trial (hpt_study_best: for Hyperband among the trials on
 * the largest budget reached) after each trial, null before the first. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digits.h"
#include "hpt.h"
#include "util.h"

typedef struct {
    double *best, *ask, *epochs, *secs;
    size_t n, cap;
} history;

static int push(history *h, double best, double ask, double epochs, double secs)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        double *p[4] = {realloc(h->best, cap * sizeof(double)),
                        realloc(h->ask, cap * sizeof(double)),
                        realloc(h->epochs, cap * sizeof(double)),
                        realloc(h->secs, cap * sizeof(double))};
        if (p[0])
            h->best = p[0];
        if (p[1])
            h->ask = p[1];
        if (p[2])
            h->epochs = p[2];
        if (p[3])
            h->secs = p[3];
        if (!p[0] || !p[1] || !p[2] || !p[3])
            return -1;
        h->cap = cap;
    }
    h->best[h->n] = best;
    h->ask[h->n] = ask;
    h->epochs[h->n] = epochs;
    h->secs[h->n] = secs;
    h->n++;
    return 0;
}

static void json_array(FILE *f, const char *name, const double *v, size_t n)
{
    fprintf(f, ",\"%s\":[", name);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        hptb_json_number(f, v[i]);
    }
    fputc(']', f);
}

static double env_number(const char *name, double dflt)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return dflt;
    double x = strtod(v, &end);
    return *end || !(x > 0) ? dflt : x;
}

static void ckpt_path(char *buf, size_t size, const char *dir, int64_t id)
{
    snprintf(buf, size, "%s/trial-%lld.ckpt", dir, (long long)id);
}

/* Set an option the strategy may not have; say so when it does not. */
static void try_set(hpt_study *st, const char *name, double v)
{
    if (hpt_study_set(st, name, v) != HPT_OK)
        fprintf(stderr, "hpt-demo-digits: note: option %s not set: %s\n", name,
                hpt_study_errmsg(st));
}

int main(int argc, char **argv)
{
    const char *strategy = NULL, *json = NULL, *data = NULL;
    double seconds = env_number("HPT_DEMO_SECONDS", 60);
    double max_trials = env_number("HPT_DEMO_TRIALS", 0), total_epochs = 0;
    double max_epochs = 27, seed = 0;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        double x = v ? strtod(v, &end) : 0;
        int numeric_ok = v && end != v && !*end && x >= 0;
        if (!strcmp(a, "--quiet")) {
            quiet = 1;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h") || !v) {
            fputs("usage: hpt-demo-digits [--strategy NAME] [--seconds S] [--total-epochs E]\n"
                  "         [--max-trials N] [--max-epochs R] [--seed S] [--json FILE]\n"
                  "         [--quiet] [--data FILE]\n",
                  v || !strcmp(a, "--help") || !strcmp(a, "-h") ? stdout : stderr);
            return v ? 0 : 2;
        }
        if (!strcmp(a, "--strategy"))
            strategy = v;
        else if (!strcmp(a, "--json"))
            json = v;
        else if (!strcmp(a, "--data"))
            data = v;
        else if (!strcmp(a, "--seconds") && numeric_ok)
            seconds = x;
        else if (!strcmp(a, "--total-epochs") && numeric_ok)
            total_epochs = x;
        else if (!strcmp(a, "--max-trials") && numeric_ok)
            max_trials = floor(x);
        else if (!strcmp(a, "--max-epochs") && numeric_ok && x >= 1 && x <= 1000)
            max_epochs = floor(x);
        else if (!strcmp(a, "--seed") && numeric_ok && x <= 1e15)
            seed = floor(x);
        else {
            fprintf(stderr, "hpt-demo-digits: bad argument %s %s\n", a, v);
            return 2;
        }
        i++;
    }
    if (!strategy)
        strategy = hptb_strategy_known("hyperband") ? "hyperband" : "random";
    if (!hptb_strategy_known(strategy)) {
        fprintf(stderr, "hpt-demo-digits: this libhpt has no strategy '%s'\n", strategy);
        return 2;
    }

    hptb_digits *d = NULL;
    if (hptb_digits_load(data, &d) != HPTB_OK) {
        fprintf(stderr, "hpt-demo-digits: cannot read the data (run from the project root, "
                        "or give --data / $HPT_DIGITS_DATA)\n");
        return 1;
    }
    char dir[] = "/tmp/hpt-demo-digits-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        hptb_digits_free(d);
        return 1;
    }

    hpt_space *sp = NULL;
    hpt_study *st = NULL;
    int rc = hptb_digits_space(&sp);
    if (rc == HPT_OK)
        rc = hpt_study_create(sp, strategy, HPT_MINIMIZE, (uint64_t)seed, &st);
    hpt_space_destroy(sp);
    if (rc != HPT_OK) {
        fprintf(stderr, "hpt-demo-digits: %s\n", hpt_last_errmsg());
        hptb_remove_dir(dir);
        hptb_digits_free(d);
        return 1;
    }
    if (max_trials > 0)
        try_set(st, "max_trials", max_trials);
    const char *sampler = NULL;
    if (!strcmp(strategy, "hyperband")) {
        try_set(st, "hyperband.min_resource", 1);
        try_set(st, "hyperband.max_resource", max_epochs);
        try_set(st, "hyperband.eta", 3);
        /* Model-guided Hyperband when the build offers a model as the
         * sampler of new configurations; else the strategy's default. */
        const char *want = getenv("HPT_DEMO_SAMPLER");
        static const char *const models[] = {"bayes", "tpe"};
        for (size_t i = 0; i < 2 && !sampler; i++) {
            const char *m = want && *want ? want : models[i];
            if (hpt_study_set_str(st, "hyperband.sampler", m) == HPT_OK)
                sampler = m;
            else if (want && *want)
                break;
        }
        if (want && *want && !sampler)
            fprintf(stderr, "hpt-demo-digits: note: hyperband.sampler %s not set: %s\n", want,
                    hpt_study_errmsg(st));
    }

    if (!quiet)
        printf("tuning the digits network with \"%s\"%s%s (max %g epochs a trial, %g s%s)\n",
               strategy, sampler ? ", sampler " : "", sampler ? sampler : "", max_epochs, seconds,
               total_epochs > 0 ? ", epoch budget set" : "");
    history h = {0};
    double t_start = hptb_now(), epochs_done = 0, best = INFINITY;
    int64_t best_id = -1;
    int status = 0;
    for (;;) {
        if (hptb_now() - t_start >= seconds || (total_epochs > 0 && epochs_done >= total_epochs))
            break;
        int64_t id;
        double t0 = hptb_now();
        int arc = hpt_study_ask(st, &id);
        double ask_s = hptb_now() - t0;
        if (arc == HPT_DONE)
            break;
        if (arc != HPT_OK) {
            fprintf(stderr, "hpt-demo-digits: ask: %s: %s\n", hpt_strerror(arc),
                    hpt_study_errmsg(st));
            status = 1;
            break;
        }
        double lr, mom, wd, budget;
        int64_t hidden, batch, parent;
        const char *act;
        hpt_trial_float(st, id, "lr", &lr);
        hpt_trial_float(st, id, "momentum", &mom);
        hpt_trial_float(st, id, "weight_decay", &wd);
        hpt_trial_int(st, id, "hidden", &hidden);
        hpt_trial_int(st, id, "batch", &batch);
        hpt_trial_categorical(st, id, "activation", &act);
        hpt_trial_budget(st, id, &budget, &parent);
        int32_t target = budget > 0 ? (int32_t)lround(budget) : (int32_t)max_epochs;
        if (target < 1)
            target = 1;

        char path[4200];
        hptb_net *n = NULL;
        int32_t nrc = HPTB_E_IO;
        if (parent >= 0) {
            ckpt_path(path, sizeof path, dir, parent);
            nrc = hptb_net_load(path, &n);
        }
        if (nrc != HPTB_OK) /* a fresh trial, or a parent without a checkpoint */
            nrc = hptb_net_create((int32_t)hidden, hptb_activation_find(act),
                                  (uint64_t)seed * 1000003u + (uint64_t)id, &n);
        int32_t from = n ? hptb_net_epochs(n) : 0;
        double err = NAN;
        int pruned = 0;
        while (nrc == HPTB_OK && hptb_net_epochs(n) < target) {
            nrc = hptb_net_train(n, d, lr, mom, wd, (int32_t)batch, 1);
            if (nrc != HPTB_OK)
                break;
            epochs_done += 1;
            hptb_net_evaluate(n, d, HPTB_PART_VALID, NULL, &err);
            int32_t stop = 0;
            hpt_study_report(st, id, hptb_net_epochs(n), err, &stop);
            if (stop) {
                pruned = 1;
                break;
            }
        }
        const char *what;
        if (nrc != HPTB_OK) {
            hpt_study_tell_failed(st, id, nrc == HPTB_DIVERGED ? "diverged" : "training failed");
            what = "failed";
        } else if (pruned) {
            hpt_study_prune(st, id);
            what = "pruned";
        } else {
            hpt_study_tell(st, id, err);
            ckpt_path(path, sizeof path, dir, id);
            hptb_net_save(n, path);
            /* The study's best (for Hyperband: among the trials on the
             * largest budget reached), not the smallest value seen. */
            int64_t bid;
            if (hpt_study_best(st, &bid, &best) != HPT_OK)
                bid = -1;
            if (budget <= 0) {
                /* Single-fidelity trials are never resumed: keep only the
                 * best one's checkpoint (for the test accuracy). */
                if (bid == id && best_id >= 0 && best_id != id) {
                    char op[4200];
                    ckpt_path(op, sizeof op, dir, best_id);
                    unlink(op);
                } else if (bid != id) {
                    unlink(path);
                }
            }
            best_id = bid;
            what = "done";
        }
        hptb_net_free(n);
        if (push(&h, isfinite(best) ? best : NAN, ask_s, epochs_done, hptb_now() - t_start)) {
            fputs("hpt-demo-digits: out of memory\n", stderr);
            status = 1;
            break;
        }
        if (!quiet)
            printf("trial %4lld  budget %3d%s  %-6s val_error %.4f  best %.4f   "
                   "lr=%.3g mom=%.3g wd=%.2g hidden=%lld batch=%lld %s\n",
                   (long long)id, (int)target,
                   parent >= 0 ? (from > 0 ? "*" : " ") : " ", what, err, best, lr, mom, wd,
                   (long long)hidden, (long long)batch, act);
        fflush(stdout);
    }

    int64_t bid;
    double bval;
    if (status == 0 && hpt_study_best(st, &bid, &bval) == HPT_OK) {
        double lr, mom, wd, budget;
        int64_t hidden, batch;
        const char *act;
        hpt_trial_float(st, bid, "lr", &lr);
        hpt_trial_float(st, bid, "momentum", &mom);
        hpt_trial_float(st, bid, "weight_decay", &wd);
        hpt_trial_int(st, bid, "hidden", &hidden);
        hpt_trial_int(st, bid, "batch", &batch);
        hpt_trial_categorical(st, bid, "activation", &act);
        hpt_trial_budget(st, bid, &budget, NULL);
        char path[4200];
        hptb_net *n = NULL;
        double test_err = NAN;
        ckpt_path(path, sizeof path, dir, bid);
        if (hptb_net_load(path, &n) == HPTB_OK)
            hptb_net_evaluate(n, d, HPTB_PART_TEST, NULL, &test_err);
        hptb_net_free(n);
        if (!quiet) {
            printf("\n%zu trials, %.0f epochs in %.1f s\n", h.n, epochs_done,
                   hptb_now() - t_start);
            printf("best: trial %lld  val_error %.4f  (%d epochs)\n"
                   "      lr=%.4g momentum=%.4g weight_decay=%.3g hidden=%lld batch=%lld "
                   "activation=%s\n",
                   (long long)bid, bval, budget > 0 ? (int)lround(budget) : (int)max_epochs,
                   lr, mom, wd, (long long)hidden, (long long)batch, act);
            printf("held-out test accuracy: %.2f%% (%d images)\n", 100 * (1 - test_err),
                   (int)hptb_digits_size(d, HPTB_PART_TEST));
        }
    } else if (status == 0 && !quiet) {
        printf("no trial finished\n");
    }

    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            perror(json);
            status = 1;
        } else {
            fputs("{\"schema\":1,\"machine\":", f);
            hptb_json_machine(f);
            fprintf(f, ",\"runs\":[\n{\"function\":\"digits\",\"strategy\":\"%s\",\"seed\":%.0f,"
                       "\"evaluations\":%zu",
                    strategy, seed, h.n);
            json_array(f, "best_so_far", h.best, h.n);
            json_array(f, "ask_seconds", h.ask, h.n);
            json_array(f, "epochs", h.epochs, h.n);
            json_array(f, "seconds", h.secs, h.n);
            fputs("}\n]}\n", f);
            if (fclose(f) != 0)
                status = 1;
        }
    }
    free(h.best);
    free(h.ask);
    free(h.epochs);
    free(h.secs);
    hpt_study_destroy(st);
    hptb_remove_dir(dir);
    hptb_digits_free(d);
    return status;
}
