/* util.c -- see util.h. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hpt.h"
#include "util.h"

double hptb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    /* NaN sorts last, like numpy; it only appears for "no value yet". */
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

double hptb_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= n)
        return v[n - 1];
    double frac = pos - (double)i;
    /* Written so that equal neighbours (also infinite ones) give themselves. */
    return v[i] == v[i + 1] ? v[i] : v[i] + frac * (v[i + 1] - v[i]);
}

size_t hptb_split(char *s, char **tok, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t && n < max;
         t = strtok_r(NULL, ",", &save))
        tok[n++] = t;
    return n;
}

/* JSON string with the few escapes a machine description can need. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *p = strchr(line, ':');
            if (p) {
                p += strspn(p + 1, " \t") + 1;
                p[strcspn(p, "\n")] = 0;
                snprintf(buf, size, "%s", p);
            }
            break;
        }
    }
    fclose(f);
}

static void os_name(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/etc/os-release", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "PRETTY_NAME=", 12) == 0) {
            char *p = line + 12;
            p[strcspn(p, "\n")] = 0;
            if (*p == '"') {
                p++;
                p[strcspn(p, "\"")] = 0;
            }
            snprintf(buf, size, "%s", p);
            break;
        }
    }
    fclose(f);
}

void hptb_json_machine(FILE *f)
{
    struct utsname u;
    char cpu[512], os[512], date[64];
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    cpu_model(cpu, sizeof cpu);
    os_name(os, sizeof os);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fputs("{\"os\":", f);
    json_string(f, os);
    fputs(",\"kernel\":", f);
    json_string(f, u.release);
    fputs(",\"arch\":", f);
    json_string(f, u.machine);
    fputs(",\"cpu\":", f);
    json_string(f, cpu);
    fprintf(f, ",\"cpus\":%ld,\"compiler\":", sysconf(_SC_NPROCESSORS_ONLN));
    json_string(f, "gcc " __VERSION__);
    fputs(",\"libhpt\":", f);
    json_string(f, hpt_version_string());
    fputs(",\"date\":", f);
    json_string(f, date);
    fputc('}', f);
}

void hptb_json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

long hptb_peak_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss;
}

int hptb_strategy_known(const char *s)
{
    const char *name;
    for (size_t i = 0; hpt_strategy_name(i, &name) == HPT_OK; i++)
        if (strcmp(name, s) == 0)
            return 1;
    return 0;
}

void hptb_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096];
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

int hptb_digits_space(hpt_space **out)
{
    static const char *const acts[] = {"relu", "tanh", "sigmoid"};
    hpt_space *sp = NULL;
    int rc = hpt_space_create(&sp);
    if (rc == HPT_OK)
        rc = hpt_space_add_float(sp, "lr", 1e-4, 3.0, HPT_SCALE_LOG);
    if (rc == HPT_OK) /* 1 - momentum log-uniform in [0.01, 1] */
        rc = hpt_space_add_float(sp, "momentum", 0.0, 0.99, HPT_SCALE_REVERSE_LOG);
    if (rc == HPT_OK)
        rc = hpt_space_add_float(sp, "weight_decay", 1e-6, 1e-1, HPT_SCALE_LOG);
    if (rc == HPT_OK)
        rc = hpt_space_add_int(sp, "hidden", 8, 256, HPT_SCALE_LOG);
    if (rc == HPT_OK)
        rc = hpt_space_add_int(sp, "batch", 8, 256, HPT_SCALE_LOG);
    if (rc == HPT_OK)
        rc = hpt_space_add_categorical(sp, "activation", acts, 3);
    if (rc != HPT_OK) {
        hpt_space_destroy(sp);
        sp = NULL;
    }
    *out = sp;
    return rc;
}
