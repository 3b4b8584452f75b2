/* functions.c -- the benchmark's test functions (see functions.h).
 *
 * Definitions and optima follow the Virtual Library of Simulation
 * Experiments (S. Surjanovic and D. Bingham, SFU, "Optimization Test
 * Problems"); f* of Hartmann3/6 and Styblinski-Tang were re-derived to full
 * double precision with a local optimizer started at the published
 * minimizers (the published values are rounded, and a rounded f* above the
 * true minimum would make regret negative). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "bench_rng.h"
#include "functions.h"

#define MAX_DIM 10

typedef double (*eval_fn)(const double *x, int dim);
typedef int (*fail_fn)(const double *x);

typedef struct {
    const char *name;
    int dim;
    double lo, hi;             /* same box for every coordinate ...        */
    const double *los, *his;   /* ... unless these per-coordinate arrays   */
    const int32_t *types;      /* NULL: all floats                         */
    const int32_t *logs;       /* NULL: all linear                         */
    const char *const *pnames; /* NULL: x1, x2, ...                        */
    double fstar;
    const double *argmin;      /* NULL: every coordinate = argmin_all      */
    double argmin_all;
    double noise_sd;
    eval_fn f;
    fail_fn failed;            /* NULL: never fails                        */
} function_def;

/* ---- Branin (2-D), x1 in [-5, 10], x2 in [0, 15]; f* = 5 / (4 pi) at
 * (-pi, 12.275), (pi, 2.275), (9.42478, 2.475). ---------------------------- */
static double branin(const double *x, int dim)
{
    (void)dim;
    const double b = 5.1 / (4.0 * M_PI * M_PI), c = 5.0 / M_PI, t = 1.0 / (8.0 * M_PI);
    double u = x[1] - b * x[0] * x[0] + c * x[0] - 6.0;
    return u * u + 10.0 * (1.0 - t) * cos(x[0]) + 10.0;
}
static const double branin_lo[] = {-5.0, 0.0}, branin_hi[] = {10.0, 15.0};
static const double branin_arg[] = {M_PI, 2.275};

/* Failure region of "branin_fail": the upper right third of the box
 * (x1 > 0 and x2 > 7.5). It contains none of the three minimizers, so f*
 * stays Branin's; a strategy has to learn to stay out of it. */
static int branin_failed(const double *x) { return x[0] > 0.0 && x[1] > 7.5; }

/* ---- Hartmann (Dixon & Szego 1978), on [0,1]^3 and [0,1]^6 ---------------- */
static const double hart_alpha[4] = {1.0, 1.2, 3.0, 3.2};

static double hartmann3(const double *x, int dim)
{
    (void)dim;
    static const double A[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
    static const double P[4][3] = {{0.3689, 0.1170, 0.2673},
                                   {0.4699, 0.4387, 0.7470},
                                   {0.1091, 0.8732, 0.5547},
                                   {0.0381, 0.5743, 0.8828}};
    double s = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 3; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        s -= hart_alpha[i] * exp(-e);
    }
    return s;
}
static const double hart3_arg[] = {0.11458886177182075, 0.5556488938258068,
                                   0.8525469830290311};

double hptb_hartmann6_fidelity(const double *x, double z)
{
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double s = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 6; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        s -= (hart_alpha[i] - 0.1 * (1.0 - z)) * exp(-e);
    }
    return s;
}

static double hartmann6(const double *x, int dim)
{
    (void)dim;
    return hptb_hartmann6_fidelity(x, 1.0);
}
static const double hart6_arg[] = {0.2016895139776094, 0.1500106901994652,
                                   0.4768739709136298, 0.2753324302396454,
                                   0.3116516154723294, 0.6573005311849265};

/* ---- Rosenbrock, Ackley, Levy, Styblinski-Tang (any dimension) ------------ */
static double rosenbrock(const double *x, int dim)
{
    double s = 0;
    for (int i = 0; i + 1 < dim; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    return s;
}

/* Ackley with a = 20, b = 0.2, c = 2 pi. */
static double ackley(const double *x, int dim)
{
    double s2 = 0, sc = 0;
    for (int i = 0; i < dim; i++) {
        s2 += x[i] * x[i];
        sc += cos(2.0 * M_PI * x[i]);
    }
    double v = -20.0 * exp(-0.2 * sqrt(s2 / dim)) - exp(sc / dim) + 20.0 + M_E;
    return v < 0 ? 0 : v; /* rounding at x = 0 must not give negative regret */
}

static double levy(const double *x, int dim)
{
    double w[MAX_DIM] = {0};
    for (int i = 0; i < dim && i < MAX_DIM; i++)
        w[i] = 1.0 + (x[i] - 1.0) / 4.0;
    double s0 = sin(M_PI * w[0]);
    double s = s0 * s0;
    for (int i = 0; i + 1 < dim; i++) {
        double si = sin(M_PI * w[i] + 1.0);
        s += (w[i] - 1.0) * (w[i] - 1.0) * (1.0 + 10.0 * si * si);
    }
    double sd = sin(2.0 * M_PI * w[dim - 1]);
    s += (w[dim - 1] - 1.0) * (w[dim - 1] - 1.0) * (1.0 + sd * sd);
    return s;
}

static double styblinski_tang(const double *x, int dim)
{
    double s = 0;
    for (int i = 0; i < dim; i++)
        s += x[i] * x[i] * x[i] * x[i] - 16.0 * x[i] * x[i] + 5.0 * x[i];
    return 0.5 * s;
}
/* Per-coordinate minimum of 0.5 (x^4 - 16 x^2 + 5 x) and its minimizer. */
#define ST_MIN1 (-39.16616570377142)
#define ST_ARG1 (-2.9035340240061283)

/* ---- Mixed space: lr (log float in [1e-4, 1]), units (int in 1..16), act
 * (categorical relu/tanh/sigmoid). Each choice c has its own best lr and
 * units and a floor d_c; with u = log10(lr) - a_c and v = (units - b_c) / 4,
 * f = u^2 + u v + v^2 + d_c (positive definite: a coupled valley, not a
 * separable bowl). Optimum f* = 0 at lr = 1e-3, units = 5, act = tanh; the
 * other choices' best values are 0.2 (relu: lr 1e-2, units 8) and 0.5
 * (sigmoid: lr 1e-1, units 12). --------------------------------------------- */
static double mixed(const double *x, int dim)
{
    (void)dim;
    static const double a[3] = {-2.0, -3.0, -1.0}, b[3] = {8.0, 5.0, 12.0},
                        d[3] = {0.2, 0.0, 0.5};
    int c = (int)x[2];
    double u = log10(x[0]) - a[c], v = (x[1] - b[c]) / 4.0;
    return u * u + u * v + v * v + d[c];
}
static const double mixed_lo[] = {1e-4, 1, 0}, mixed_hi[] = {1.0, 16, 2};
static const int32_t mixed_types[] = {HPTB_FLOAT, HPTB_INT, HPTB_CATEGORICAL};
static const int32_t mixed_logs[] = {1, 0, 0};
static const char *const mixed_names[] = {"lr", "units", "act"};
static const char *const mixed_choices[] = {"relu", "tanh", "sigmoid"};
static const double mixed_arg[] = {1e-3, 5, 1};

/* ---- Choices that must be revisited (issue 18). Each is a made-up
 * model of a tuning problem whose best categorical choice looks bad in
 * early samples: its basin is narrow, sharper, or somewhere else in the
 * continuous and integer parameters than the other choices' basins. ------ */

/* "cat_narrow": x1, x2 in [0, 1], n in {0..20}, kind (6 choices), mode (3
 * choices). With r2_k = (x1 - p_k)^2 + (x2 - q_k)^2 + ((n - m_k) / 20)^2,
 * the wide kinds are bowls f = d_k + 0.6 r2_k (their floors d_k between
 * 0.12 and 0.5, centres near the middle of the box) and the best kind k = 3
 * is a narrow well f = 1 - exp(-r2 / (2 0.12^2)) in a corner: at most
 * points it scores 1, the worst value around. mode adds e = 0.1, 0, 0.2.
 * f* = 0 at x1 = 0.85, x2 = 0.15, n = 17, kind = k3, mode = m1; the best
 * of the other kinds is 0.12 (kind k1). */
static const double nar_p[6] = {0.35, 0.45, 0.6, 0.85, 0.3, 0.5};
static const double nar_q[6] = {0.6, 0.5, 0.7, 0.15, 0.4, 0.35};
static const double nar_m[6] = {8, 10, 6, 17, 12, 5};
static const double nar_d[6] = {0.3, 0.12, 0.4, 0.0, 0.2, 0.5};
static double cat_narrow(const double *x, int dim)
{
    (void)dim;
    static const double e[3] = {0.1, 0.0, 0.2};
    int k = (int)x[3];
    double a = x[0] - nar_p[k], b = x[1] - nar_q[k], c = (x[2] - nar_m[k]) / 20.0;
    double r2 = a * a + b * b + c * c;
    double v = k == 3 ? 1.0 - exp(-r2 / (2.0 * 0.12 * 0.12)) : nar_d[k] + 0.6 * r2;
    return v + e[(int)x[4]];
}
static const double nar_lo[] = {0, 0, 0, 0, 0}, nar_hi[] = {1, 1, 20, 5, 2};
static const int32_t nar_types[] = {HPTB_FLOAT, HPTB_FLOAT, HPTB_INT, HPTB_CATEGORICAL,
                                    HPTB_CATEGORICAL};
static const char *const nar_names[] = {"x1", "x2", "n", "kind", "mode"};
static const char *const nar_kinds[] = {"k0", "k1", "k2", "k3", "k4", "k5"};
static const char *const nar_modes[] = {"m0", "m1", "m2"};
static const double nar_arg[] = {0.85, 0.15, 17, 3, 1};

/* "optimizer": a network's loss against lr (log, [1e-5, 1]), momentum
 * ([0, 0.99]), layers ({1..8}), batch (log2 of the batch size, {4..10}),
 * optimizer (7 choices) and schedule (5 choices). The optimizer o sets the
 * best log10 learning rate a_o, the sharpness k_o of the valley in it, a
 * floor d_o and the best depth L_o; the schedule s adds e_s and shifts the
 * best learning rate by g_s decades; a larger batch takes a larger rate
 * (0.15 decades per doubling). The momentum optimizers run at the
 * effective rate lr / (1 - momentum), the Adam family uses momentum as
 * beta1, plain SGD and the others ignore it:
 *   u = log10(lr_eff) - a_o - g_s - 0.15 (batch - 7),
 *   f = d_o + e_s + k_o u^2 + 0.2 ((layers - L_o) / 2)^2 + 0.03 (batch - 5)^2
 *       + w_o ((momentum - 0.9) / 0.1)^2,  w_o = 0.05 where momentum is used.
 * f* = 0 at optimizer = adamw (the sharpest valley), schedule = cosine,
 * lr = 10^-2.6, momentum = 0.9, layers = 6, batch = 5; the best with
 * plain adam is 0.06, with any optimizer under a constant schedule 0.1.
 * "optimizer_irrel" adds three parameters the loss ignores: dropout
 * ([0, 0.5]), seed ({0..100}) and init (glorot, he, normal). */
static const double opt_a[7] = {-0.5, -1.5, -1.5, -1.5, -3.0, -3.0, -2.7};
static const double opt_k[7] = {0.5, 0.8, 0.8, 1.0, 2.0, 2.0, 4.0};
static const double opt_d[7] = {0.35, 0.2, 0.18, 0.4, 0.25, 0.06, 0.0};
static const double opt_L[7] = {2, 3, 3, 2, 4, 5, 6};
static const int opt_mom[7] = {0, 1, 1, 0, 0, 2, 2}; /* 1: lr / (1 - m), 2: beta1 */
static double optimizer(const double *x, int dim)
{
    (void)dim;
    static const double e[5] = {0.1, 0.05, 0.0, 0.03, 0.07}, g[5] = {0, 0.2, 0.4, 0.3, -0.2};
    int o = (int)x[4], s = (int)x[5];
    double lr = log10(x[0]), m = x[1];
    if (opt_mom[o] == 1)
        lr -= log10(1.0 - m);
    double u = lr - opt_a[o] - g[s] - 0.15 * (x[3] - 7.0);
    double l = (x[2] - opt_L[o]) / 2.0, mb = (m - 0.9) / 0.1;
    double f = opt_d[o] + e[s] + opt_k[o] * u * u + 0.2 * l * l +
               0.03 * (x[3] - 5.0) * (x[3] - 5.0);
    return opt_mom[o] ? f + 0.05 * mb * mb : f;
}
static const double opt_lo[] = {1e-5, 0, 1, 4, 0, 0, 0, 0, 0},
                    opt_hi[] = {1, 0.99, 8, 10, 6, 4, 0.5, 100, 2};
static const int32_t opt_types[] = {HPTB_FLOAT,       HPTB_FLOAT,       HPTB_INT,
                                    HPTB_INT,         HPTB_CATEGORICAL, HPTB_CATEGORICAL,
                                    HPTB_FLOAT,       HPTB_INT,         HPTB_CATEGORICAL};
static const int32_t opt_logs[] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
static const char *const opt_names[] = {"lr",       "momentum", "layers",
                                        "batch",    "optimizer", "schedule",
                                        "dropout",  "seed",     "init"};
static const char *const opt_opts[] = {"sgd",     "momentum", "nesterov", "adagrad",
                                       "rmsprop", "adam",     "adamw"};
static const char *const opt_scheds[] = {"constant", "step", "cosine", "linear",
                                         "exponential"};
static const char *const opt_inits[] = {"glorot", "he", "normal"};
/* lr = 10^(-2.7 + 0.4 + 0.15 (5 - 7)) = 10^-2.6 */
static const double opt_arg[] = {2.5118864315095795e-03, 0.9, 6, 5, 6, 2, 0.25, 50, 0};

/* Hartmann6 f* computed at hart6_arg (see the top of the file). */
#define HART6_MIN (-3.3223680114155147)

static const function_def defs[] = {
    {"branin", 2, 0, 0, branin_lo, branin_hi, NULL, NULL, NULL, 0.3978873577297384,
     branin_arg, 0, 0, branin, NULL},
    {"hartmann3", 3, 0, 1, NULL, NULL, NULL, NULL, NULL, -3.8627797873326624,
     hart3_arg, 0, 0, hartmann3, NULL},
    {"hartmann6", 6, 0, 1, NULL, NULL, NULL, NULL, NULL, HART6_MIN, hart6_arg, 0, 0,
     hartmann6, NULL},
    {"rosenbrock4", 4, -5, 10, NULL, NULL, NULL, NULL, NULL, 0, NULL, 1.0, 0, rosenbrock,
     NULL},
    {"ackley5", 5, -32.768, 32.768, NULL, NULL, NULL, NULL, NULL, 0, NULL, 0.0, 0, ackley,
     NULL},
    {"levy10", 10, -10, 10, NULL, NULL, NULL, NULL, NULL, 0, NULL, 1.0, 0, levy, NULL},
    {"styblinski8", 8, -5, 5, NULL, NULL, NULL, NULL, NULL, 8 * ST_MIN1, NULL, ST_ARG1, 0,
     styblinski_tang, NULL},
    {"mixed", 3, 0, 0, mixed_lo, mixed_hi, mixed_types, mixed_logs, mixed_names, 0.0,
     mixed_arg, 0, 0, mixed, NULL},
    /* Hartmann6 observed through Gaussian noise of sd 0.1 (about 3% of its
     * range); regret is measured on the exact value of the incumbent. */
    {"hartmann6_noisy", 6, 0, 1, NULL, NULL, NULL, NULL, NULL, HART6_MIN, hart6_arg, 0,
     0.1, hartmann6, NULL},
    {"branin_fail", 2, 0, 0, branin_lo, branin_hi, NULL, NULL, NULL, 0.3978873577297384,
     branin_arg, 0, 0, branin, branin_failed},
    {"cat_narrow", 5, 0, 0, nar_lo, nar_hi, nar_types, NULL, nar_names, 0.0, nar_arg, 0, 0,
     cat_narrow, NULL},
    {"optimizer", 6, 0, 0, opt_lo, opt_hi, opt_types, opt_logs, opt_names, 0.0, opt_arg, 0,
     0, optimizer, NULL},
    {"optimizer_irrel", 9, 0, 0, opt_lo, opt_hi, opt_types, opt_logs, opt_names, 0.0,
     opt_arg, 0, 0, optimizer, NULL},
};

#define N_DEFS ((int32_t)(sizeof defs / sizeof defs[0]))

static const function_def *get(int32_t idx)
{
    return idx >= 0 && idx < N_DEFS ? &defs[idx] : NULL;
}

int32_t hptb_function_count(void) { return N_DEFS; }

const char *hptb_function_name(int32_t idx)
{
    const function_def *d = get(idx);
    return d ? d->name : NULL;
}

int32_t hptb_function_find(const char *name)
{
    if (!name)
        return -1;
    for (int32_t i = 0; i < N_DEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return i;
    return -1;
}

int32_t hptb_function_dim(int32_t idx)
{
    const function_def *d = get(idx);
    return d ? d->dim : 0;
}

int32_t hptb_function_param(int32_t idx, int32_t j, int32_t *type, int32_t *log_scale,
                            double *lo, double *hi)
{
    const function_def *d = get(idx);
    if (!d || j < 0 || j >= d->dim)
        return HPTB_E_INVALID;
    if (type)
        *type = d->types ? d->types[j] : HPTB_FLOAT;
    if (log_scale)
        *log_scale = d->logs ? d->logs[j] : 0;
    if (lo)
        *lo = d->los ? d->los[j] : d->lo;
    if (hi)
        *hi = d->his ? d->his[j] : d->hi;
    return HPTB_OK;
}

int32_t hptb_function_bounds(int32_t idx, double *lo, double *hi)
{
    const function_def *d = get(idx);
    if (!d || !lo || !hi)
        return HPTB_E_INVALID;
    for (int32_t j = 0; j < d->dim; j++)
        hptb_function_param(idx, j, NULL, NULL, &lo[j], &hi[j]);
    return HPTB_OK;
}

const char *hptb_function_param_name(int32_t idx, int32_t j)
{
    static const char *const generic[MAX_DIM] = {"x1", "x2", "x3", "x4", "x5",
                                                 "x6", "x7", "x8", "x9", "x10"};
    const function_def *d = get(idx);
    if (!d || j < 0 || j >= d->dim)
        return NULL;
    return d->pnames ? d->pnames[j] : generic[j];
}

const char *hptb_function_choice_name(int32_t idx, int32_t j, int32_t k)
{
    int32_t type;
    double hi;
    if (hptb_function_param(idx, j, &type, NULL, NULL, &hi) != HPTB_OK ||
        type != HPTB_CATEGORICAL || k < 0 || k > (int32_t)hi)
        return NULL;
    static const struct {
        const char *fn;
        int32_t j;
        const char *const *names;
    } tables[] = {{"mixed", 2, mixed_choices},         {"cat_narrow", 3, nar_kinds},
                  {"cat_narrow", 4, nar_modes},        {"optimizer", 4, opt_opts},
                  {"optimizer", 5, opt_scheds},        {"optimizer_irrel", 4, opt_opts},
                  {"optimizer_irrel", 5, opt_scheds},  {"optimizer_irrel", 8, opt_inits}};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        if (j == tables[t].j && strcmp(defs[idx].name, tables[t].fn) == 0)
            return tables[t].names[k];
    return NULL;
}

double hptb_function_optimum(int32_t idx)
{
    const function_def *d = get(idx);
    return d ? d->fstar : NAN;
}

int32_t hptb_function_argmin(int32_t idx, double *x)
{
    const function_def *d = get(idx);
    if (!d || !x)
        return HPTB_E_INVALID;
    for (int j = 0; j < d->dim; j++)
        x[j] = d->argmin ? d->argmin[j] : d->argmin_all;
    return HPTB_OK;
}

double hptb_function_noise_sd(int32_t idx)
{
    const function_def *d = get(idx);
    return d ? d->noise_sd : NAN;
}

int32_t hptb_function_eval(int32_t idx, const double *x, double *out)
{
    const function_def *d = get(idx);
    if (!d || !x || !out)
        return HPTB_E_INVALID;
    *out = NAN;
    double y[MAX_DIM];
    for (int32_t j = 0; j < d->dim; j++) {
        int32_t type;
        double lo, hi;
        hptb_function_param(idx, j, &type, NULL, &lo, &hi);
        /* Strategies decode through exp/log and may land an ulp outside. */
        double tol = 1e-9 * (hi - lo);
        if (!isfinite(x[j]) || x[j] < lo - tol || x[j] > hi + tol)
            return HPTB_E_INVALID;
        y[j] = x[j] < lo ? lo : x[j] > hi ? hi : x[j];
        if (type != HPTB_FLOAT && y[j] != floor(y[j]))
            return HPTB_E_INVALID;
    }
    if (d->failed && d->failed(y))
        return HPTB_FAILED;
    *out = d->f(y, d->dim);
    return HPTB_OK;
}

int32_t hptb_function_eval_noisy(int32_t idx, const double *x, uint64_t noise_key,
                                 double *out)
{
    int32_t rc = hptb_function_eval(idx, x, out);
    const function_def *d = get(idx);
    if (rc == HPTB_OK && d->noise_sd > 0) {
        uint64_t s = noise_key;
        *out += d->noise_sd * hptb_normal(&s);
    }
    return rc;
}
