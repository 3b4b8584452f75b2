/* problems.c -- the problems of bench/mo (see problems.h). */
#include <math.h>
#include <string.h>

#include "problems.h"

static void zdt1(const double *x, double *out)
{
    double g = 0.0;
    for (int i = 1; i < 6; i++)
        g += x[i];
    g = 1.0 + 9.0 * g / 5.0;
    out[0] = x[0];
    out[1] = g * (1.0 - sqrt(x[0] / g));
}

static void branincurrin(const double *x, double *out)
{
    double u = 15.0 * x[0] - 5.0, v = 15.0 * x[1];
    double b = 5.1 / (4.0 * M_PI * M_PI), c = 5.0 / M_PI, t = 1.0 / (8.0 * M_PI);
    out[0] = pow(v - b * u * u + c * u - 6.0, 2) + 10.0 * (1.0 - t) * cos(u) + 10.0;
    double a = x[0];
    double num = 2300.0 * a * a * a + 1900.0 * a * a + 2092.0 * a + 60.0;
    double den = 100.0 * a * a * a + 500.0 * a * a + 4.0 * a + 20.0;
    double e = x[1] > 0.0 ? exp(-1.0 / (2.0 * x[1])) : 0.0;
    out[1] = (1.0 - e) * num / den;
}

static void dtlz2(const double *x, double *out)
{
    double g = 0.0;
    for (int i = 2; i < 6; i++)
        g += (x[i] - 0.5) * (x[i] - 0.5);
    double a = x[0] * M_PI / 2.0, b = x[1] * M_PI / 2.0;
    out[0] = (1.0 + g) * cos(a) * cos(b);
    out[1] = (1.0 + g) * cos(a) * sin(b);
    out[2] = (1.0 + g) * sin(a);
}

static void gardner(const double *x, double *out)
{
    out[0] = cos(2.0 * x[0]) * cos(x[1]) + sin(x[0]);
    out[1] = cos(x[0]) * cos(x[1]) - sin(x[0]) * sin(x[1]) - 0.5;
}

static void spring(const double *x, double *out)
{
    double d = x[0], D = x[1], N = x[2];
    out[0] = (N + 2.0) * D * d * d;
    out[1] = 1.0 - D * D * D * N / (71785.0 * pow(d, 4));
    out[2] = (4.0 * D * D - d * D) / (12566.0 * (D * d * d * d - pow(d, 4))) +
             1.0 / (5108.0 * d * d) - 1.0;
    out[3] = 1.0 - 140.45 * d / (D * D * N);
    out[4] = (D + d) / 1.5 - 1.0;
}

static const mo_problem problems[] = {
    {"zdt1", 6, 2, 0, {0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, {11, 11, 0}, 0, zdt1},
    {"branincurrin", 2, 2, 0, {0, 0}, {1, 1}, {18, 6, 0}, 0, branincurrin},
    {"dtlz2", 6, 3, 0, {0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, {1.1, 1.1, 1.1}, 0, dtlz2},
    {"gardner", 2, 1, 1, {0, 0}, {6, 6}, {0, 0, 0}, -2.0, gardner},
    {"spring", 3, 1, 4, {0.05, 0.25, 2}, {2, 1.3, 15}, {0, 0, 0}, 0.0126652, spring},
};

const mo_problem *mo_problem_at(size_t i)
{
    return i < sizeof problems / sizeof problems[0] ? &problems[i] : NULL;
}

const mo_problem *mo_problem_find(const char *name)
{
    for (size_t i = 0; mo_problem_at(i); i++)
        if (strcmp(problems[i].name, name) == 0)
            return &problems[i];
    return NULL;
}
