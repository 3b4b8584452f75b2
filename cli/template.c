/* template.c -- how a trial's hyperparameters reach its command: {name}
 * placeholders in the command's words, and HPT_* environment variables.
 * No shell is involved: each word is substituted on its own, so a value
 * never gets split or interpreted (the user can still write `sh -c '...'`). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hpt_tune.h"

extern char **environ;

const char *const cli_builtins[] = {"trial_id",  "budget",     "resume_from",
                                    "trial_dir", "resume_dir", "slot",
                                    NULL};
/* Environment names of the built-ins, same order. */
static const char *const builtin_env[] = {"HPT_TRIAL_ID",  "HPT_BUDGET",     "HPT_RESUME_FROM",
                                          "HPT_TRIAL_DIR", "HPT_RESUME_DIR", "HPT_SLOT",
                                          NULL};

/* ---- word splitting ------------------------------------------------------------ */

int cli_split_words(const char *line, char ***words, size_t *n, char *err, size_t errn)
{
    size_t len = strlen(line);
    char *buf = cli_xmalloc(len + 1);
    const char *p = line;
    *words = NULL;
    *n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t k = 0;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q)
                    goto unterminated;
                memcpy(buf + k, p + 1, (size_t)(q - p - 1));
                k += (size_t)(q - p - 1);
                p = q + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                        p++;
                    buf[k++] = *p++;
                }
                if (!*p)
                    goto unterminated;
                p++;
            } else if (*p == '\\' && p[1]) {
                buf[k++] = p[1];
                p += 2;
            } else
                buf[k++] = *p++;
        }
        buf[k] = '\0';
        cli_push(words, n, cli_xstrdup(buf));
    }
    free(buf);
    return 0;
unterminated:
    free(buf);
    cli_free_strv(*words, *n);
    *words = NULL;
    *n = 0;
    snprintf(err, errn, "unterminated quote in '%s'", line);
    return -1;
}

char *cli_quote_word(const char *w)
{
    size_t n = 3;
    for (const char *c = w; *c; c++)
        n += *c == '\'' ? 4 : 1;
    char *q = cli_xmalloc(n), *o = q;
    *o++ = '\'';
    for (const char *c = w; *c; c++) {
        if (*c == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else
            *o++ = *c;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* ---- placeholders --------------------------------------------------------------- */

static int is_identifier(const char *s, size_t n)
{
    if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* The placeholder at p (a '{' that is not "{{"): its name [p + 1, *name_end),
 * the text of {name?text} in [*text, *text_end) (NULL for {name}), and
 * the byte after its closing '}'. Text may hold placeholders, "{{" and
 * "}}". @return 0 when p starts none (no closing brace), else 1. */
static int placeholder(const char *p, const char **name_end, const char **text,
                       const char **text_end, const char **after)
{
    const char *q = p + 1;
    while (*q && *q != '}' && *q != '?' && *q != '{')
        q++;
    *name_end = q;
    *text = *text_end = NULL;
    if (*q == '}') {
        *after = q + 1;
        return 1;
    }
    if (*q != '?')
        return 0;
    int depth = 0;
    for (const char *t = q + 1; *t; t++) {
        /* "}}" inside a nested placeholder is its end and then ours */
        if ((t[0] == '{' && t[1] == '{') || (depth == 0 && t[0] == '}' && t[1] == '}'))
            t++;
        else if (*t == '{')
            depth++;
        else if (*t == '}' && depth-- == 0) {
            *text = q + 1;
            *text_end = t;
            *after = t + 1;
            return 1;
        }
    }
    return 0;
}

static int known(const cli_job *job, const char *s, size_t n)
{
    for (size_t i = 0; i < job->n_params; i++)
        if (strlen(job->params[i].name) == n && !memcmp(job->params[i].name, s, n))
            return 1;
    for (size_t i = 0; cli_builtins[i]; i++)
        if (strlen(cli_builtins[i]) == n && !memcmp(cli_builtins[i], s, n))
            return 1;
    return 0;
}

/* Check the placeholders of [p, end) (a word, or the text of a
 * {name?text}); word names the whole word in messages. */
static int check_text(const cli_job *job, const char *p, const char *end, const char *word,
                      char *err, size_t errn)
{
    for (; p < end && *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p++;
            continue;
        }
        const char *ne, *t, *te, *after;
        if (*p != '{' || !placeholder(p, &ne, &t, &te, &after) || after > end)
            continue;
        size_t len = (size_t)(ne - p - 1);
        /* {1..3} or {a,b} stay literal (shell-like text); an unknown
         * identifier is most likely a typo of a parameter name. */
        if (!known(job, p + 1, len) && is_identifier(p + 1, len)) {
            snprintf(err, errn,
                     "unknown placeholder {%.*s} in '%s' (parameters and trial_id, budget, "
                     "resume_from, trial_dir, resume_dir, slot are known; write {{ for "
                     "a literal {)",
                     (int)len, p + 1, word);
            return -1;
        }
        if (t && known(job, p + 1, len) && check_text(job, t, te, word, err, errn))
            return -1;
        if (t && known(job, p + 1, len))
            p = after - 1;
    }
    return 0;
}

int cli_check_template(const cli_job *job, char **words, size_t n, char *err, size_t errn)
{
    for (size_t i = 0; i < n; i++)
        if (check_text(job, words[i], words[i] + strlen(words[i]), words[i], err, errn))
            return -1;
    return 0;
}

void cli_subst_free(cli_subst *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->values[i]);
    free(s->values);
    free(s->names);
    free(s->active);
    memset(s, 0, sizeof *s);
}

int cli_subst_fill(cli_subst *s, const cli_job *job, const hpt_study *study, int64_t id,
                   const char *trial_dir, size_t slot, char *err, size_t errn)
{
    size_t nb = 0;
    while (cli_builtins[nb])
        nb++;
    memset(s, 0, sizeof *s);
    s->n = job->n_params + nb;
    s->names = cli_xmalloc(s->n * sizeof *s->names);
    s->values = cli_xmalloc(s->n * sizeof *s->values);
    s->active = cli_xmalloc(s->n);
    for (size_t i = 0; i < s->n; i++) {
        s->values[i] = NULL;
        s->active[i] = 1;
    }
    char buf[64];
    for (size_t i = 0; i < job->n_params; i++) {
        const cli_param *p = &job->params[i];
        int32_t on = 1;
        int rc = hpt_trial_active(study, id, p->name, &on);
        s->names[i] = p->name;
        s->active[i] = on != 0;
        if (rc || !on)
            s->values[i] = cli_xstrdup("");
        else if (p->type == HPT_PARAM_FLOAT) {
            double x = 0;
            rc = hpt_trial_float(study, id, p->name, &x);
            cli_fmt_double(buf, sizeof buf, x);
            s->values[i] = cli_xstrdup(buf);
        } else if (p->type == HPT_PARAM_INT) {
            int64_t x = 0;
            rc = hpt_trial_int(study, id, p->name, &x);
            s->values[i] = cli_xasprintf("%lld", (long long)x);
        } else {
            const char *c = "";
            rc = hpt_trial_categorical(study, id, p->name, &c);
            s->values[i] = cli_xstrdup(c);
        }
        if (rc) {
            snprintf(err, errn, "trial %lld: %s", (long long)id, hpt_study_errmsg(study));
            s->n = i + 1;
            cli_subst_free(s);
            return -1;
        }
    }
    double budget = 0;
    int64_t from = -1;
    if (hpt_trial_budget(study, id, &budget, &from)) {
        snprintf(err, errn, "trial %lld: %s", (long long)id, hpt_study_errmsg(study));
        s->n = job->n_params;
        cli_subst_free(s);
        return -1;
    }
    size_t k = job->n_params;
    s->names[k] = cli_builtins[0];
    s->values[k++] = cli_xasprintf("%lld", (long long)id);
    s->names[k] = cli_builtins[1];
    cli_fmt_double(buf, sizeof buf, budget);
    s->values[k++] = cli_xstrdup(buf);
    s->names[k] = cli_builtins[2];
    s->values[k++] = cli_xasprintf("%lld", (long long)from);
    s->names[k] = cli_builtins[3];
    s->values[k++] = cli_xstrdup(trial_dir);
    /* The folder of the trial this one continues (its checkpoint), or "".
     * Trial folders are siblings: <job dir>/trial-<id>. */
    s->names[k] = cli_builtins[4];
    if (from >= 0) {
        const char *slash = strrchr(trial_dir, '/');
        int dlen = slash ? (int)(slash - trial_dir) : 0;
        s->values[k++] = slash ? cli_xasprintf("%.*s/trial-%lld", dlen, trial_dir, (long long)from)
                               : cli_xasprintf("trial-%lld", (long long)from);
    } else
        s->values[k++] = cli_xstrdup("");
    s->names[k] = cli_builtins[5];
    s->values[k++] = cli_xasprintf("%zu", slot);
    return 0;
}

static size_t lookup(const cli_subst *s, const char *name, size_t n)
{
    size_t i = 0;
    while (i < s->n && !(strlen(s->names[i]) == n && !memcmp(s->names[i], name, n)))
        i++;
    return i;
}

typedef struct {
    char *p;
    size_t len, cap;
} buf;

static void put(buf *b, const char *src, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->p = cli_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

/* *gone is set when an inactive parameter's placeholder was met. */
static void expand(buf *b, const char *p, const char *end, const cli_subst *s, int *gone)
{
    while (p < end && *p) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            put(b, p, 1);
            p += 2;
            continue;
        }
        const char *ne, *t, *te, *after;
        size_t i;
        if (*p == '{' && placeholder(p, &ne, &t, &te, &after) && after <= end &&
            (i = lookup(s, p + 1, (size_t)(ne - p - 1))) < s->n) {
            if (!s->active[i])
                *gone = 1;
            else if (!t)
                put(b, s->values[i], strlen(s->values[i]));
            else
                expand(b, t, te, s, gone);
            p = after;
            continue;
        }
        put(b, p, 1);
        p++;
    }
}

char *cli_expand(const char *word, const cli_subst *s)
{
    buf b = {cli_xmalloc(strlen(word) + 1), 0, strlen(word) + 1};
    int gone = 0;
    expand(&b, word, word + strlen(word), s, &gone);
    b.p[b.len] = '\0';
    return b.p;
}

void cli_push_word(char ***argv, size_t *argc, const char *word, const cli_subst *s)
{
    buf b = {cli_xmalloc(strlen(word) + 1), 0, strlen(word) + 1};
    int gone = 0;
    expand(&b, word, word + strlen(word), s, &gone);
    b.p[b.len] = '\0';
    if (gone && !b.len) { /* nothing but what the trial does not have */
        free(b.p);
        return;
    }
    cli_push(argv, argc, b.p);
}

/* ---- environment ------------------------------------------------------------------ */

char *cli_env_name(const char *param)
{
    char *e = cli_xasprintf("HPT_PARAM_%s", param);
    for (char *c = e + 10; *c; c++)
        *c = isalnum((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '_';
    return e;
}

/* Variables hpt-tune owns: inherited values would mislead the trial. */
static int ours(const char *entry)
{
    if (!strncmp(entry, "HPT_PARAM_", 10))
        return 1;
    for (size_t i = 0; builtin_env[i]; i++) {
        size_t n = strlen(builtin_env[i]);
        if (!strncmp(entry, builtin_env[i], n) && entry[n] == '=')
            return 1;
    }
    return 0;
}

char **cli_trial_env(const cli_job *job, const cli_subst *s)
{
    char **env = NULL;
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        if (!ours(*e))
            cli_push(&env, &n, cli_xstrdup(*e));
    for (size_t i = 0; i < job->n_params; i++) {
        if (!s->active[i]) /* a parameter the trial does not have: unset */
            continue;
        char *name = cli_env_name(s->names[i]);
        cli_push(&env, &n, cli_xasprintf("%s=%s", name, s->values[i]));
        free(name);
    }
    for (size_t i = 0; builtin_env[i]; i++)
        cli_push(&env, &n, cli_xasprintf("%s=%s", builtin_env[i], s->values[job->n_params + i]));
    return env;
}

void cli_free_env(char **env)
{
    if (!env)
        return;
    for (char **e = env; *e; e++)
        free(*e);
    free(env);
}
