/* hpt_tune.h -- the pieces of the hpt-tune command, shared between its files.
 *
 *   args.c         flags and spec files -> a cli_job (and back to a spec file)
 *   template.c     {placeholder} substitution, HPT_* environment, word split
 *   metric.c       POSIX-regex metric extraction from output lines
 *   runner.c       one trial process: posix_spawn in its own process group,
 *                  output through a pipe (teed to a log), signals, reaping
 *   progress.c     per-trial result lines (stdout), live status line (stderr)
 *   job.c          the tuning loop: ask -> spawn -> report/tell
 *   list_options.c --list-options: the library's option table, printed
 *   journal_glue.c the journal API glue
 *   objectives.c   --objective / --constraint / --max-memory: several values
 *                  per trial, the study's shape, the front in the output
 *   memory.c       peak resident memory of a trial's process tree (/proc)
 *   main.c         entry point: modes, signals, exit status
 *
 * hpt-tune is a host program: it uses only the public API in hpt.h. */
#ifndef HPT_TUNE_H
#define HPT_TUNE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <regex.h>
#include <signal.h>

#include "hpt.h"

/* Exit statuses (documented in cli/README.md). */
enum {
    CLI_EXIT_OK = 0,      /* the job finished and some trial completed       */
    CLI_EXIT_FAIL = 1,    /* runtime error, or no trial completed             */
    CLI_EXIT_USAGE = 2,   /* bad flags or spec                                */
    CLI_EXIT_SIGNAL = 128 /* + signal number when interrupted (130, 143)      */
};

/* ---- small utilities (args.c) --------------------------------------------- */

void *cli_xmalloc(size_t n);  /* exit 1 with a message when out of memory */
void *cli_xrealloc(void *p, size_t n);
char *cli_xstrdup(const char *s);
char *cli_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append p to a NULL-terminated growing array of pointers. */
void cli_push(char ***arr, size_t *n, char *p);
void cli_free_strv(char **v, size_t n);
double cli_now(void); /* monotonic seconds */
/* Shortest "%.*g" text of x that reads back to x exactly (buf >= 32). */
void cli_fmt_double(char *buf, size_t n, double x);

/* ---- the job description (args.c) ------------------------------------------ */

typedef struct {
    char *name;
    int32_t type;  /* HPT_PARAM_* */
    double lo, hi; /* floats and ints */
    int32_t scale; /* HPT_SCALE_* */
    char **choices;
    size_t n_choices;
} cli_param;

/* --objective NAME=REGEX:min|max and --constraint NAME=REGEX (objectives.c) */
typedef struct {
    char *name;
    char *regex;       /* group 1 = the value (the whole match without a group) */
    int32_t direction; /* objectives: HPT_MINIMIZE / HPT_MAXIMIZE */
} cli_measure;

/* Values matched per trial: objectives, then constraints. */
#define CLI_MAX_MEASURES (HPT_MAX_OBJECTIVES + HPT_MAX_CONSTRAINTS)

typedef enum {
    CLI_RUN,
    CLI_RESUME,
    CLI_STATUS,
    CLI_EXPORT,
    CLI_HELP,
    CLI_VERSION,
    CLI_PRINT_SPEC,
    CLI_LIST_OPTIONS
} cli_mode;

typedef struct {
    cli_mode mode;
    cli_param *params;
    size_t n_params;
    char **opt_names, **opt_values; /* --option name=value, in order */
    size_t n_opts;
    char *strategy;
    int32_t direction;
    uint64_t seed;
    int64_t max_trials;    /* 0 = none */
    int64_t parallel;      /* >= 1 */
    double trial_timeout;  /* seconds, 0 = none */
    double grace;          /* seconds between SIGTERM and SIGKILL */
    char *metric;          /* objective regex */
    char *report_metric;   /* intermediate regex, NULL = none */
    char **launcher;       /* words prepended to the command */
    size_t n_launcher;
    char **command;        /* the trial command's words (templates) */
    size_t n_command;
    char *job_dir;         /* NULL: <journal>.d, or a fresh hpt-tune.XXXXXX */
    char *journal;         /* NULL: no journal (nothing survives a crash) */
    char *export_format;   /* "csv" or "json" */
    char *output;          /* export destination, NULL = stdout */
    char **warm_paths;     /* parent journals ... */
    int32_t *warm_kinds;   /* ... and HPT_WARM_* for each */
    size_t n_warm;
    char **warm_default_names; /* --warm-default NAME=VALUE: the value new */
    double *warm_default_values; /* parameters had in the parents         */
    size_t n_warm_defaults;
    int status_line;       /* -1 auto (stderr is a TTY), 0 off, 1 on */
    int quiet;             /* no per-trial lines */
    int digits;            /* --digits: significant digits shown, 0 = exact */
    int64_t retries;       /* --retries: re-runs of a failed configuration */
    cli_measure *objectives; /* --objective, in order; none: --metric, --direction */
    size_t n_objectives;
    cli_measure *constraints; /* --constraint, in order (value <= 0 feasible) */
    size_t n_constraints;
    double max_memory;     /* --max-memory, bytes; 0 = not measured */
    unsigned set_mask;     /* which scalar settings were given (CLI_SET_*) */
} cli_job;

enum {
    CLI_SET_STRATEGY = 1u << 0,
    CLI_SET_DIRECTION = 1u << 1,
    CLI_SET_SEED = 1u << 2,
};

void cli_job_init(cli_job *job);
void cli_job_free(cli_job *job);

/* Parse argv into job (fresh defaults first). On a usage error returns -1
 * with a message in err (errn bytes); 0 on success. */
int cli_parse_args(cli_job *job, int argc, char **argv, char *err, size_t errn);
/* Apply the lines of a spec file; same error convention. */
int cli_load_spec(cli_job *job, const char *path, char *err, size_t errn);
/* Write the job as a spec file that cli_load_spec reads back to the same
 * job (used to remember a journaled job for --resume / --status). */
int cli_write_spec(const cli_job *job, const char *path, char *err, size_t errn);
void cli_print_spec(FILE *f, const cli_job *job);
/* Final checks before a run (command present, names, templates ...). */
int cli_validate(const cli_job *job, char *err, size_t errn);
/* The space of the job (caller destroys); NULL with err on failure. */
hpt_space *cli_make_space(const cli_job *job, char *err, size_t errn);
void cli_usage(FILE *f);
/* Path of the spec remembered next to a journal: <journal>.d/job.spec */
char *cli_spec_path(const char *journal);

/* ---- templates and environment (template.c) ------------------------------------ */

/* Split a command line into words: blanks separate, '...' is literal,
 * "..." allows \" \\ \$ \`, a backslash outside quotes escapes the next
 * character. Returns -1 with err on an unterminated quote. */
int cli_split_words(const char *line, char ***words, size_t *n, char *err, size_t errn);
/* Quote a word so cli_split_words reads it back unchanged (caller frees). */
char *cli_quote_word(const char *w);

/* A trial's substitution values. */
typedef struct {
    size_t n;
    const char **names; /* parameter names, then trial_id budget resume_from */
    char **values;      /* owned texts */
} cli_subst;

/* Check that every {name} in the words is known (names of the job's
 * parameters or a built-in); -1 with err otherwise. */
int cli_check_template(const cli_job *job, char **words, size_t n, char *err, size_t errn);
/* Built-in placeholder names (NULL-terminated); parameters may not use them. */
extern const char *const cli_builtins[];
/* Fill subst with the trial's parameter texts and built-ins; slot is the
 * parallel slot (0 .. parallel-1) the trial runs in, {slot} / HPT_SLOT. */
int cli_subst_fill(cli_subst *s, const cli_job *job, const hpt_study *study, int64_t id,
                   const char *trial_dir, size_t slot, char *err, size_t errn);
void cli_subst_free(cli_subst *s);
/* Expand one template word ({{ -> {, }} -> }). Caller frees. */
char *cli_expand(const char *word, const cli_subst *s);
/* HPT_PARAM_<NAME>: upper-case, every byte that is not [A-Za-z0-9] -> '_'. */
char *cli_env_name(const char *param);
/* A NULL-terminated environment: the current one without HPT_* variables
 * that hpt-tune sets, plus the trial's. Caller frees with cli_free_env. */
char **cli_trial_env(const cli_job *job, const cli_subst *s);
void cli_free_env(char **env);

/* ---- metrics (metric.c) ---------------------------------------------------------- */

typedef struct {
    regex_t objective, report;
    int has_report;
    int report_groups; /* 1: value only (step = count); 2: step, value */
} cli_metrics;

int cli_metrics_compile(cli_metrics *m, const char *objective, const char *report, char *err,
                        size_t errn);
void cli_metrics_free(cli_metrics *m);
/* Match a line (NUL-terminated, without its newline). Objective: 1 and the
 * captured text (copied to out, outn bytes) when it matches. Report: 1 and
 * step and value when it matches with numbers, 0 no match, -1 a match whose
 * text is not a number (ignored by the caller, noted in the log). */
int cli_match_objective(const cli_metrics *m, const char *line, char *out, size_t outn);
int cli_match_report(const cli_metrics *m, const char *line, double *step, double *value);
/* Parse a whole string as a finite double. */
int cli_parse_number(const char *s, double *out);

/* ---- one trial process (runner.c) --------------------------------------------- */

typedef enum {
    CLI_END_NONE,     /* still running                              */
    CLI_END_EXIT,     /* exited; status in code                     */
    CLI_END_SIGNAL,   /* killed by signal `code` (not by us)        */
    CLI_END_SPAWN,    /* could not be started; errno in code        */
} cli_end;

typedef enum { CLI_STOP_NONE, CLI_STOP_PRUNE, CLI_STOP_TIMEOUT, CLI_STOP_INTERRUPT } cli_stop;

typedef struct {
    int64_t id;
    pid_t pid;           /* also the process group id */
    int fd;              /* read end of the output pipe, -1 once at EOF */
    int log_fd;
    double started, deadline; /* deadline 0 = none */
    double exited_at;    /* when the leader was reaped (0 = not yet) */
    cli_stop stop;       /* why we stopped it */
    double kill_at;      /* SIGKILL time after SIGTERM (0 = not sent) */
    int killed;          /* SIGKILL sent */
    cli_end end;
    int code;
    char *line;          /* partial line buffer */
    size_t line_len, line_cap;
    char objective[128]; /* last objective text seen */
    int has_objective;
    int64_t n_reports;   /* reports the study has for this trial */
    int64_t run_reports; /* report lines matched by this run */
    double last_step;    /* reports at or before this step are skipped */
    int bad_reports;
    char *pidfile;       /* <job dir>/trial-<id>.pid while it runs (owned) */
    /* --objective / --constraint: last text matched by each (objectives.c) */
    char measured[CLI_MAX_MEASURES][64];
    unsigned char has_measured[CLI_MAX_MEASURES];
    double peak_rss;     /* --max-memory: bytes, the process tree's peak seen */
} cli_trial;

/* Start argv with env in a new process group, output to a pipe; the log
 * file is opened for appending. On a spawn failure t->end = CLI_END_SPAWN
 * and 0 is still returned (the trial fails, the job goes on); -1 only for
 * failures of hpt-tune itself (pipe, log file), with err. */
int cli_trial_start(cli_trial *t, char **argv, char **env, const char *log_path, char *err,
                    size_t errn);
/* Read what is available; calls on_line for each complete line. Returns 1
 * at EOF, 0 otherwise. */
int cli_trial_read(cli_trial *t, void (*on_line)(cli_trial *, const char *, void *), void *ctx);
/* Reap the leader if it exited (non-blocking). 1 when it has. */
int cli_trial_reap(cli_trial *t);
/* Ask the process group to stop (SIGTERM now, SIGKILL after grace). */
void cli_trial_stop(cli_trial *t, cli_stop why, double grace);
/* Timers: SIGKILL after grace, timeout. Call regularly. */
void cli_trial_tick(cli_trial *t, double now, double grace);
/* Done: the leader was reaped and its output is at EOF (or was abandoned
 * after it exited, killing what was left of its group). */
int cli_trial_done(const cli_trial *t);
void cli_trial_close(cli_trial *t);
/* Remember the trial's process group in t->pidfile (set by the caller), so
 * that a later --resume can stop what a killed hpt-tune left running. */
void cli_trial_pidfile(cli_trial *t);
/* If the pid file names a live process group leader whose environment has
 * HPT_TRIAL_DIR=trial_dir (a trial of this job orphaned by a killed
 * hpt-tune), kill its group and wait (up to 2 s) for it to go. 1 if one was
 * killed, 0 otherwise. */
int cli_kill_stale(const char *pidfile, const char *trial_dir);
/* Write a note line into the trial's log ("# hpt-tune: ..."). */
void cli_trial_note(cli_trial *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- progress (progress.c) ---------------------------------------------------------- */

typedef struct {
    int quiet;
    int live;            /* draw the status line on stderr */
    int drawn;           /* a status line is on screen */
    double t0, last_draw;
    int64_t n_complete, n_failed, n_pruned;
} cli_progress;

/* Where the human-readable lines go: stdout, unless stdout carries an
 * export (--export csv with the output "-"), then stderr. */
extern FILE *cli_human_out;
FILE *cli_human(void);
/* --digits N: significant digits of values in human lines (0 = the fewest
 * that read back exactly). */
extern int cli_digits;

void cli_progress_init(cli_progress *p, int status_line, int quiet);
/* One line for a finished trial. state: HPT_TRIAL_*; reason for failures. */
void cli_progress_trial(cli_progress *p, const cli_job *job, const hpt_study *study,
                        int64_t id, int32_t state, const char *reason, double seconds);
/* Redraw the status line (at most every 0.2 s unless force). */
void cli_progress_status(cli_progress *p, const hpt_study *study, size_t running, int force);
void cli_progress_clear(cli_progress *p);
/* "name=value name=value" of a trial into buf. */
void cli_format_params(char *buf, size_t n, const cli_job *job, const hpt_study *study,
                       int64_t id);
/* The trials table and best (for --status and the end of a job). */
void cli_print_table(FILE *f, const cli_job *job, const hpt_study *study);
void cli_print_best(FILE *f, const cli_job *job, const hpt_study *study);

/* ---- the tuning loop (job.c) ---------------------------------------------------------- */

/* Set by main's signal handlers: the signal that asked us to stop (or 0),
 * and how many such signals came (a second one means: kill now). */
extern volatile sig_atomic_t cli_interrupted, cli_signals;
/* The self-pipe written by the signal handlers (read end polled). */
extern int cli_wake_fd[2];

/* Run (or continue) the job on study. Returns the exit status. */
int cli_run_job(const cli_job *job, hpt_study *study, const char *job_dir);
/* Apply strategy options and completion flags to a fresh study. */
int cli_apply_options(const cli_job *job, hpt_study *study, int resumed);

/* ---- several objectives and constraints (objectives.c) ------------------------------------ */

/* The job tells several values: --objective, --constraint or --max-memory. */
int cli_job_shaped(const cli_job *job);
/* Settings "objective", "constraint", "max-memory" (args.c's groups
 * convention): 1 when n is none of them, else 0 or -1 with err. */
int cli_apply_measures(cli_job *job, const char *n, const char *v, const char *where, char *err,
                       size_t errn);
void cli_print_measures(FILE *f, const cli_job *job);
void cli_measures_free(cli_job *job);
int cli_validate_measures(const cli_job *job, char *err, size_t errn);
/* The study's objectives and constraints (resumed: the journal's must be
 * the same). -1 with a message on stderr. */
int cli_apply_shape(const cli_job *job, hpt_study *study);

typedef struct {
    regex_t re[CLI_MAX_MEASURES];
    size_t n;
} cli_measure_re;

int cli_measures_compile(cli_measure_re *m, const cli_job *job, char *err, size_t errn);
void cli_measures_free_re(cli_measure_re *m);
/* Note the values a line gives (the last match of each wins). */
void cli_match_measures(const cli_measure_re *m, cli_trial *t, const char *line);
/* Tell a trial that ended normally: its objectives (--objective, else
 * --metric) and constraints (--constraint, then memory). On missing or
 * bad values, reason is set (the caller tells a failure) and HPT_OK is
 * returned without telling; else the study's status. */
int cli_tell_measures(const cli_job *job, hpt_study *study, const cli_trial *t, char *reason,
                      size_t n);
/* Why a trial killed by a signal (not ours) failed, into reason. */
void cli_signal_reason(const cli_job *job, const cli_trial *t, char *reason, size_t n);
/* " name=v ..." of a trial's values and constraints, " feasible" or
 * " infeasible", for trial lines and the table. */
void cli_format_measures(char *buf, size_t n, const cli_job *job, const hpt_study *study,
                         int64_t id);
/* With several objectives: the front, one line per trial (--status, end of
 * a job). Returns 1 when printed (several objectives), else 0. */
int cli_print_front(FILE *f, const cli_job *job, const hpt_study *study);

/* ---- memory (memory.c) ---------------------------------------------------------------- */

/* Sample the resident memory of every active trial's process tree (the
 * leader, its descendants, and its process group) and raise peak_rss. At
 * most every 50 ms; cheap enough to call at every loop turn. */
void cli_memory_poll(cli_trial *slots, const int *active, size_t n);
/* Parse SIZE: bytes, or a number with K, M, G, T (powers of 1024; an
 * optional trailing "B" or "iB"). -1 when malformed. */
int cli_parse_size(const char *s, double *bytes);

/* ---- --list-options (list_options.c) ---------------------------------------------------- */

/* Print the options of job's strategy (and pruner) from the library's
 * table. Returns the exit status. */
int cli_list_options(FILE *f, const cli_job *job);

/* ---- journal glue (journal_glue.c) ------------------------------------------------------- */

int cli_journal_open(const char *path, const hpt_space *space, const char *strategy,
                     int32_t direction, uint64_t seed, hpt_study **out);
/* A read-only snapshot of a journal, running job or not (--status, --export). */
int cli_journal_load(const char *path, hpt_study **out);
int cli_journal_warm_start(hpt_study *study, const char *parent, int32_t kind);
int cli_journal_export_csv(const hpt_study *study, const char *path);
/* format "csv" or "json" */
int cli_journal_export(const hpt_study *study, const char *format, const char *path);
int cli_journal_warm_default(hpt_study *study, const char *name, double value);
/* What the warm starts gave the model (resumed: as the journal keeps it). */
void cli_journal_warm_report(const hpt_study *study, int resumed);
/* Why the study is done ("max_trials", "patience" ...), or NULL. */
const char *cli_journal_done_reason(const hpt_study *study);
/* A trial found RUNNING in a reopened journal is about to be run again
 * under the same id. */
int cli_journal_rerun(hpt_study *study, int64_t id);

#endif
