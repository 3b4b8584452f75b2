/* digits.c -- the real training task (see digits.h).
 *
 * Backpropagation for softmax cross-entropy with one hidden layer, batch
 * of b rows (X: b x 64, row-major):
 *   Z1 = X W1 + b1, A1 = act(Z1), Z2 = A1 W2 + b2, P = softmax(Z2)
 *   dZ2 = (P - Y) / b, gW2 = A1^T dZ2 + wd W2, gb2 = colsum(dZ2)
 *   dZ1 = (dZ2 W2^T) .* act'(Z1), gW1 = X^T dZ1 + wd W1, gb1 = colsum(dZ1)
 * (Goodfellow, Bengio & Courville, Deep Learning, 2016, sec. 6.5), the five
 * products by cblas_dgemm. Heavy-ball momentum as in Sutskever et al. 2013,
 * eq. 1. Initialisation: Glorot & Bengio 2010, eq. 16. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_rng.h"
#include "digits.h"

#define N_IN 64
#define N_OUT 10
#define MAX_ROWS 4096
#define MAX_HIDDEN 4096

struct hptb_digits {
    int32_t n;             /* rows */
    double *x;             /* n x 64, permuted by the split */
    int32_t *y;            /* n labels */
    int32_t start[3], size[3];
};

struct hptb_net {
    int32_t hidden, act, epochs;
    uint64_t seed;
    size_t n_par;          /* 64 H + H + 10 H + 10 */
    double *par;           /* W1 | b1 | W2 | b2 */
    double *vel;           /* momentum, same layout */
};

/* ---- data ------------------------------------------------------------------ */

void hptb_digits_free(hptb_digits *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    free(d);
}

static int parse_row(char *line, double *x, int32_t *y)
{
    char *p = line;
    for (int j = 0; j <= N_IN; j++) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > 16 || (j == N_IN && v > 9))
            return -1;
        if (j < N_IN)
            x[j] = (double)v / 16.0;
        else
            *y = (int32_t)v;
        p = end;
        if (j < N_IN) {
            if (*p != ',')
                return -1;
            p++;
        }
    }
    return *p == '\n' || *p == '\r' || *p == 0 ? 0 : -1;
}

int32_t hptb_digits_load(const char *path, hptb_digits **out)
{
    if (!out)
        return HPTB_E_INVALID;
    *out = NULL;
    if (!path)
        path = getenv("HPT_DIGITS_DATA");
    if (!path || !*path)
        path = "bench/data/digits.csv.gz";
    size_t len = strlen(path);
    int gz = len > 3 && strcmp(path + len - 3, ".gz") == 0;
    FILE *f;
    if (gz) {
        /* gzip is part of every Debian system; it saves a zlib dependency. */
        if (strchr(path, '\'') || len > 3000)
            return HPTB_E_IO;
        char cmd[3100];
        FILE *probe = fopen(path, "rb");
        if (!probe)
            return HPTB_E_IO;
        fclose(probe);
        snprintf(cmd, sizeof cmd, "gzip -dc -- '%s'", path);
        f = popen(cmd, "r");
    } else {
        f = fopen(path, "r");
    }
    if (!f)
        return HPTB_E_IO;

    hptb_digits *d = calloc(1, sizeof *d);
    double *x = malloc(MAX_ROWS * N_IN * sizeof *x);
    int32_t *y = malloc(MAX_ROWS * sizeof *y);
    int32_t rc = d && x && y ? HPTB_OK : HPTB_E_NOMEM;
    char line[1024];
    int32_t n = 0;
    while (rc == HPTB_OK && fgets(line, sizeof line, f)) {
        if (line[0] == '\n')
            continue;
        if (n == MAX_ROWS || parse_row(line, &x[(size_t)n * N_IN], &y[n]) != 0)
            rc = HPTB_E_IO;
        else
            n++;
    }
    int closed = gz ? pclose(f) : fclose(f);
    if (rc == HPTB_OK && (closed != 0 || n < HPTB_DIGITS_TRAIN + HPTB_DIGITS_VALID + 1))
        rc = HPTB_E_IO;
    if (rc != HPTB_OK) {
        free(x);
        free(y);
        free(d);
        return rc;
    }

    /* The fixed split: one Fisher-Yates permutation from a constant seed. */
    d->n = n;
    d->x = malloc((size_t)n * N_IN * sizeof *d->x);
    d->y = malloc((size_t)n * sizeof *d->y);
    int32_t *perm = malloc((size_t)n * sizeof *perm);
    if (!d->x || !d->y || !perm) {
        free(perm);
        free(x);
        free(y);
        hptb_digits_free(d);
        return HPTB_E_NOMEM;
    }
    for (int32_t i = 0; i < n; i++)
        perm[i] = i;
    uint64_t s = HPTB_DIGITS_SPLIT_SEED;
    for (int32_t i = n - 1; i > 0; i--) {
        int32_t j = (int32_t)hptb_below(&s, (uint64_t)i + 1);
        int32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int32_t i = 0; i < n; i++) {
        memcpy(&d->x[(size_t)i * N_IN], &x[(size_t)perm[i] * N_IN], N_IN * sizeof *x);
        d->y[i] = y[perm[i]];
    }
    free(perm);
    free(x);
    free(y);
    d->start[0] = 0;
    d->size[0] = HPTB_DIGITS_TRAIN;
    d->start[1] = HPTB_DIGITS_TRAIN;
    d->size[1] = HPTB_DIGITS_VALID;
    d->start[2] = HPTB_DIGITS_TRAIN + HPTB_DIGITS_VALID;
    d->size[2] = n - d->start[2];
    /* Small products run fastest, and reproducibly, on one thread. */
    openblas_set_num_threads(1);
    *out = d;
    return HPTB_OK;
}

int32_t hptb_digits_size(const hptb_digits *d, int32_t part)
{
    return d && part >= 0 && part <= 2 ? d->size[part] : 0;
}

/* ---- network --------------------------------------------------------------- */

static const char *const act_names[] = {"relu", "tanh", "sigmoid"};

int32_t hptb_activation_find(const char *name)
{
    for (int32_t i = 0; name && i < 3; i++)
        if (strcmp(name, act_names[i]) == 0)
            return i;
    return -1;
}

const char *hptb_activation_name(int32_t act)
{
    return act >= 0 && act < 3 ? act_names[act] : NULL;
}

void hptb_net_free(hptb_net *n)
{
    if (!n)
        return;
    free(n->par);
    free(n->vel);
    free(n);
}

static hptb_net *net_alloc(int32_t hidden, int32_t act)
{
    hptb_net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->hidden = hidden;
    n->act = act;
    n->n_par = (size_t)hidden * (N_IN + 1 + N_OUT) + N_OUT;
    n->par = calloc(n->n_par, sizeof *n->par);
    n->vel = calloc(n->n_par, sizeof *n->vel);
    if (!n->par || !n->vel) {
        hptb_net_free(n);
        return NULL;
    }
    return n;
}

int32_t hptb_net_create(int32_t hidden, int32_t activation, uint64_t seed, hptb_net **out)
{
    if (!out || hidden < 1 || hidden > MAX_HIDDEN || !hptb_activation_name(activation))
        return HPTB_E_INVALID;
    hptb_net *n = net_alloc(hidden, activation);
    if (!n)
        return HPTB_E_NOMEM;
    n->seed = seed;
    uint64_t s = seed ^ 0x5851f42d4c957f2dULL;
    size_t h = (size_t)hidden;
    double r1 = sqrt(6.0 / (N_IN + (double)h)), r2 = sqrt(6.0 / ((double)h + N_OUT));
    double *w1 = n->par, *w2 = n->par + N_IN * h + h;
    for (size_t i = 0; i < N_IN * h; i++)
        w1[i] = r1 * (2.0 * hptb_uniform(&s) - 1.0);
    for (size_t i = 0; i < h * N_OUT; i++)
        w2[i] = r2 * (2.0 * hptb_uniform(&s) - 1.0);
    *out = n;
    return HPTB_OK;
}

int32_t hptb_net_epochs(const hptb_net *n) { return n ? n->epochs : 0; }
int32_t hptb_net_hidden(const hptb_net *n) { return n ? n->hidden : 0; }
int32_t hptb_net_activation(const hptb_net *n) { return n ? n->act : -1; }

/* Forward pass for b rows: Z (b x H) holds the pre-activations, A the
 * activations, P (b x 10) the class probabilities. */
static void forward(const hptb_net *n, const double *x, int b, double *z, double *a,
                    double *p)
{
    int h = n->hidden;
    const double *w1 = n->par, *b1 = w1 + N_IN * h, *w2 = b1 + h, *b2 = w2 + h * N_OUT;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, h, N_IN, 1.0, x, N_IN, w1, h,
                0.0, z, h);
    for (int i = 0; i < b; i++)
        for (int j = 0; j < h; j++) {
            double v = z[i * h + j] + b1[j];
            z[i * h + j] = v;
            a[i * h + j] = n->act == HPTB_ACT_RELU   ? (v > 0 ? v : 0)
                           : n->act == HPTB_ACT_TANH ? tanh(v)
                                                     : 1.0 / (1.0 + exp(-v));
        }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, N_OUT, h, 1.0, a, h, w2, N_OUT,
                0.0, p, N_OUT);
    for (int i = 0; i < b; i++) {
        double *r = &p[i * N_OUT], m = -INFINITY, sum = 0;
        for (int k = 0; k < N_OUT; k++) {
            r[k] += b2[k];
            if (r[k] > m)
                m = r[k];
        }
        for (int k = 0; k < N_OUT; k++)
            sum += (r[k] = exp(r[k] - m));
        for (int k = 0; k < N_OUT; k++)
            r[k] /= sum;
    }
}

int32_t hptb_net_train(hptb_net *n, const hptb_digits *d, double lr, double momentum,
                       double weight_decay, int32_t batch, int32_t epochs)
{
    if (!n || !d || !(lr > 0) || !isfinite(lr) || !(momentum >= 0 && momentum < 1) ||
        !(weight_decay >= 0) || !isfinite(weight_decay) || batch < 1 ||
        batch > d->size[0] || epochs < 0)
        return HPTB_E_INVALID;
    int h = n->hidden, ntr = d->size[0];
    size_t hb = (size_t)h * (size_t)batch;
    double *xb = malloc((size_t)batch * N_IN * sizeof *xb);
    double *z = malloc(hb * sizeof *z), *a = malloc(hb * sizeof *a);
    double *dz = malloc(hb * sizeof *dz);
    double *p = malloc((size_t)batch * N_OUT * sizeof *p);
    double *g = malloc(n->n_par * sizeof *g);
    int32_t *perm = malloc((size_t)ntr * sizeof *perm);
    int32_t *yb = malloc((size_t)batch * sizeof *yb);
    int32_t rc = xb && z && a && dz && p && g && perm && yb ? HPTB_OK : HPTB_E_NOMEM;

    double *w1 = n->par, *w2 = w1 + N_IN * h + h;
    double *g1 = g, *gb1 = g1 + N_IN * h, *g2 = gb1 + h, *gb2 = g2 + h * N_OUT;
    const double *x = &d->x[(size_t)d->start[0] * N_IN];
    const int32_t *y = &d->y[d->start[0]];

    for (int32_t e = 0; rc == HPTB_OK && e < epochs; e++) {
        /* Epoch k's order depends only on (seed, k): resumable. */
        uint64_t s = n->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)n->epochs + 1;
        for (int i = 0; i < ntr; i++)
            perm[i] = i;
        for (int i = ntr - 1; i > 0; i--) {
            int j = (int)hptb_below(&s, (uint64_t)i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int start = 0; rc == HPTB_OK && start < ntr; start += batch) {
            int b = ntr - start < batch ? ntr - start : batch;
            for (int i = 0; i < b; i++) {
                memcpy(&xb[i * N_IN], &x[(size_t)perm[start + i] * N_IN], N_IN * sizeof *xb);
                yb[i] = y[perm[start + i]];
            }
            forward(n, xb, b, z, a, p);
            double loss = 0;
            for (int i = 0; i < b; i++) {
                loss -= log(p[i * N_OUT + yb[i]] + 1e-300);
                p[i * N_OUT + yb[i]] -= 1.0; /* p becomes dZ2 * b */
            }
            if (!isfinite(loss)) {
                rc = HPTB_DIVERGED;
                break;
            }
            double inv = 1.0 / b;
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h, N_OUT, b, inv, a, h, p,
                        N_OUT, 0.0, g2, N_OUT);
            for (int k = 0; k < N_OUT; k++) {
                double sum = 0;
                for (int i = 0; i < b; i++)
                    sum += p[i * N_OUT + k];
                gb2[k] = sum * inv;
            }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, h, N_OUT, inv, p, N_OUT,
                        w2, N_OUT, 0.0, dz, h);
            for (size_t i = 0; i < (size_t)b * (size_t)h; i++) {
                double der = n->act == HPTB_ACT_RELU   ? (z[i] > 0 ? 1.0 : 0.0)
                             : n->act == HPTB_ACT_TANH ? 1.0 - a[i] * a[i]
                                                       : a[i] * (1.0 - a[i]);
                dz[i] *= der;
            }
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N_IN, h, b, 1.0, xb, N_IN, dz,
                        h, 0.0, g1, h);
            for (int j = 0; j < h; j++) {
                double sum = 0;
                for (int i = 0; i < b; i++)
                    sum += dz[i * h + j];
                gb1[j] = sum;
            }
            for (size_t i = 0; i < (size_t)N_IN * (size_t)h; i++)
                g1[i] += weight_decay * w1[i];
            for (size_t i = 0; i < (size_t)h * N_OUT; i++)
                g2[i] += weight_decay * w2[i];
            for (size_t i = 0; i < n->n_par; i++) {
                n->vel[i] = momentum * n->vel[i] - lr * g[i];
                n->par[i] += n->vel[i];
            }
        }
        if (rc == HPTB_OK) {
            for (size_t i = 0; i < n->n_par; i++)
                if (!isfinite(n->par[i])) {
                    rc = HPTB_DIVERGED;
                    break;
                }
            n->epochs++;
        }
    }
    free(xb);
    free(z);
    free(a);
    free(dz);
    free(p);
    free(g);
    free(perm);
    free(yb);
    return rc;
}

int32_t hptb_net_evaluate(const hptb_net *n, const hptb_digits *d, int32_t part, double *loss,
                          double *error)
{
    if (!n || !d || part < 0 || part > 2 || d->size[part] == 0)
        return HPTB_E_INVALID;
    int m = d->size[part], h = n->hidden;
    double *z = malloc((size_t)m * (size_t)h * sizeof *z);
    double *a = malloc((size_t)m * (size_t)h * sizeof *a);
    double *p = malloc((size_t)m * N_OUT * sizeof *p);
    if (!z || !a || !p) {
        free(z);
        free(a);
        free(p);
        return HPTB_E_NOMEM;
    }
    const int32_t *y = &d->y[d->start[part]];
    forward(n, &d->x[(size_t)d->start[part] * N_IN], m, z, a, p);
    double l = 0;
    int wrong = 0;
    for (int i = 0; i < m; i++) {
        const double *r = &p[i * N_OUT];
        int best = 0;
        for (int k = 1; k < N_OUT; k++)
            if (r[k] > r[best])
                best = k;
        wrong += best != y[i];
        l -= log(r[y[i]] + 1e-300);
    }
    if (loss)
        *loss = l / m;
    if (error)
        *error = (double)wrong / m;
    free(z);
    free(a);
    free(p);
    return HPTB_OK;
}

/* ---- checkpoints ----------------------------------------------------------- */

static const char magic[8] = {'H', 'P', 'T', 'B', 'N', 'E', 'T', '1'};

/* FNV-1a over the payload: detects truncation and corruption. */
static uint64_t fnv(uint64_t hsh, const void *p, size_t len)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < len; i++)
        hsh = (hsh ^ c[i]) * 0x100000001b3ULL;
    return hsh;
}

int32_t hptb_net_save(const hptb_net *n, const char *path)
{
    if (!n || !path)
        return HPTB_E_INVALID;
    /* Write a sibling and rename: a crash never leaves half a checkpoint. */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return HPTB_E_INVALID;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return HPTB_E_IO;
    int32_t head[4] = {n->hidden, n->act, n->epochs, 0};
    uint64_t sum = 0xcbf29ce484222325ULL;
    sum = fnv(sum, head, sizeof head);
    sum = fnv(sum, &n->seed, sizeof n->seed);
    sum = fnv(sum, n->par, n->n_par * sizeof *n->par);
    sum = fnv(sum, n->vel, n->n_par * sizeof *n->vel);
    int ok = fwrite(magic, sizeof magic, 1, f) == 1 && fwrite(head, sizeof head, 1, f) == 1 &&
             fwrite(&n->seed, sizeof n->seed, 1, f) == 1 &&
             fwrite(n->par, sizeof *n->par, n->n_par, f) == n->n_par &&
             fwrite(n->vel, sizeof *n->vel, n->n_par, f) == n->n_par &&
             fwrite(&sum, sizeof sum, 1, f) == 1;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return HPTB_E_IO;
    }
    return HPTB_OK;
}

int32_t hptb_net_load(const char *path, hptb_net **out)
{
    if (!path || !out)
        return HPTB_E_INVALID;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return HPTB_E_IO;
    char m[8];
    int32_t head[4];
    uint64_t seed, sum, want = 0xcbf29ce484222325ULL;
    hptb_net *n = NULL;
    int32_t rc = HPTB_E_IO;
    if (fread(m, sizeof m, 1, f) != 1 || memcmp(m, magic, sizeof m) != 0 ||
        fread(head, sizeof head, 1, f) != 1 || fread(&seed, sizeof seed, 1, f) != 1 ||
        head[0] < 1 || head[0] > MAX_HIDDEN || !hptb_activation_name(head[1]) || head[2] < 0)
        goto done;
    n = net_alloc(head[0], head[1]);
    if (!n) {
        rc = HPTB_E_NOMEM;
        goto done;
    }
    n->epochs = head[2];
    n->seed = seed;
    if (fread(n->par, sizeof *n->par, n->n_par, f) != n->n_par ||
        fread(n->vel, sizeof *n->vel, n->n_par, f) != n->n_par ||
        fread(&sum, sizeof sum, 1, f) != 1 || fgetc(f) != EOF)
        goto done;
    want = fnv(want, head, sizeof head);
    want = fnv(want, &seed, sizeof seed);
    want = fnv(want, n->par, n->n_par * sizeof *n->par);
    want = fnv(want, n->vel, n->n_par * sizeof *n->vel);
    if (want != sum)
        goto done;
    *out = n;
    n = NULL;
    rc = HPTB_OK;
done:
    hptb_net_free(n);
    fclose(f);
    return rc;
}
