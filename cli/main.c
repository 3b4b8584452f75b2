/* main.c -- hpt-tune: run any training command as the trials of a tuning
 * job. Modes: a run (fresh, or continuing a journal), --status, --export.
 * See cli/README.md for the manual. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hpt_tune.h"

static void on_stop_signal(int sig)
{
    int saved = errno;
    if (!cli_interrupted)
        cli_interrupted = sig;
    cli_signals++;
    char b = 's';
    (void)!write(cli_wake_fd[1], &b, 1);
    errno = saved;
}

static void on_child(int sig)
{
    int saved = errno;
    (void)sig;
    char b = 'c';
    (void)!write(cli_wake_fd[1], &b, 1);
    errno = saved;
}

static int setup_signals(void)
{
    if (pipe2(cli_wake_fd, O_CLOEXEC | O_NONBLOCK))
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_child;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

/* Descriptors 0-2 must be open, or a pipe could land on them. */
static void open_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
            if (n >= 0 && n != fd) {
                dup2(n, fd);
                close(n);
            }
        }
}

static int usage_error(const char *msg)
{
    if (msg)
        fprintf(stderr, "hpt-tune: %s\n", msg);
    fprintf(stderr,
            "usage: hpt-tune [FLAGS] -- COMMAND [ARG...]\n"
            "       hpt-tune --resume JOURNAL | --status JOURNAL\n"
            "Try 'hpt-tune --help' for the flags.\n");
    return CLI_EXIT_USAGE;
}

static int mkdir_p1(const char *dir)
{
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "hpt-tune: cannot make the job folder %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Export the trials if --export was given: to --output, else to dflt, or
 * to stdout when dflt is NULL. The library writes a file beside its path
 * and renames it over the path, so stdout ("-") and anything that is not a
 * regular file (/dev/stdout, a pipe) go through a temporary file: renaming
 * over /dev/stdout would replace that link, system-wide. */
static int do_export(const cli_job *job, const hpt_study *study, const char *dflt)
{
    if (!job->export_format)
        return 0;
    const char *out = job->output ? job->output : dflt;
    if (out && !strcmp(out, "-"))
        out = NULL;
    struct stat st;
    int special = out && stat(out, &st) == 0 && !S_ISREG(st.st_mode);
    if (out && !special) {
        if (cli_journal_export(study, job->export_format, out))
            return -1;
        fprintf(stderr, "hpt-tune: trials exported to %s\n", out);
        return 0;
    }
    const char *td = getenv("TMPDIR");
    char *tmp = cli_xasprintf("%s/hpt-tune-export.XXXXXX", td && *td ? td : "/tmp");
    int fd = mkstemp(tmp);
    int rc = -1;
    if (fd < 0)
        fprintf(stderr, "hpt-tune: cannot make a temporary file: %s\n", strerror(errno));
    else {
        close(fd);
        FILE *f = NULL, *o = out ? fopen(out, "wb") : stdout;
        if (!o)
            fprintf(stderr, "hpt-tune: cannot write %s: %s\n", out, strerror(errno));
        else if (cli_journal_export(study, job->export_format, tmp) == HPT_OK &&
                 (f = fopen(tmp, "rb"))) {
            char buf[65536];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                fwrite(buf, 1, n, o);
            rc = fflush(o) ? -1 : 0;
            fclose(f);
        }
        if (o && o != stdout)
            fclose(o);
        remove(tmp);
    }
    free(tmp);
    return rc;
}

/* --status and --export without a command: read the journal (the job may
 * be running: a snapshot, no lock), print. */
static int show(const cli_job *job)
{
    hpt_study *study = NULL;
    if (!file_exists(job->journal)) {
        fprintf(stderr, "hpt-tune: no journal %s\n", job->journal);
        return CLI_EXIT_FAIL;
    }
    if (cli_journal_load(job->journal, &study))
        return CLI_EXIT_FAIL;
    int rc = CLI_EXIT_OK;
    if (job->mode == CLI_STATUS) {
        cli_print_table(cli_human(), job, study);
        cli_print_best(cli_human(), job, study);
        fflush(cli_human());
    }
    if (do_export(job, study, NULL))
        rc = CLI_EXIT_FAIL;
    hpt_study_destroy(study);
    return rc;
}

static int export_foreign(const cli_job *job)
{
    hpt_study *study = NULL;
    if (!file_exists(job->journal)) {
        fprintf(stderr, "hpt-tune: no journal %s\n", job->journal);
        return CLI_EXIT_FAIL;
    }
    if (cli_journal_load(job->journal, &study))
        return CLI_EXIT_FAIL;
    int rc = do_export(job, study, NULL) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    hpt_study_destroy(study);
    return rc;
}

static int run(cli_job *job, hpt_space *space)
{
    hpt_study *study = NULL;
    char err[512];
    char *dir = NULL;
    int rc = CLI_EXIT_FAIL;

    if (job->mode == CLI_RESUME && !file_exists(job->journal)) {
        fprintf(stderr, "hpt-tune: no journal %s to resume\n", job->journal);
        return CLI_EXIT_FAIL;
    }
    if (job->journal) {
        if (cli_journal_open(job->journal, space, job->strategy, job->direction, job->seed,
                             &study))
            return CLI_EXIT_FAIL;
    } else if (hpt_study_create(space, job->strategy, job->direction, job->seed, &study)) {
        return usage_error(hpt_last_errmsg());
    }
    int64_t count = 0;
    hpt_study_trial_count(study, &count);
    int resumed = count > 0;
    if (cli_apply_options(job, study, resumed)) {
        rc = usage_error(NULL);
        goto out;
    }
    /* The study's limit rules (a resumed job's may be raised, not
     * lowered): the run loop and the spec written below follow it. */
    double limit;
    if (hpt_study_get(study, "max_trials", &limit) == HPT_OK)
        job->max_trials = (int64_t)limit;
    for (size_t i = 0; !resumed && job->n_warm && i < job->n_warm_defaults; i++)
        if (cli_journal_warm_default(study, job->warm_default_names[i],
                                     job->warm_default_values[i]))
            goto out;
    for (size_t i = 0; !resumed && i < job->n_warm; i++)
        if (cli_journal_warm_start(study, job->warm_paths[i], job->warm_kinds[i]))
            goto out;
    /* How many warm-start observations the model has: after the warm
     * starts made now, or those a resumed journal holds. */
    if (job->n_warm && !job->quiet)
        cli_journal_warm_report(study, resumed);

    /* The job folder: logs and trial folders. */
    if (job->journal) {
        char *jd = cli_xasprintf("%s.d", job->journal);
        if (mkdir_p1(jd)) {
            free(jd);
            goto out;
        }
        char *spec = cli_spec_path(job->journal);
        int w = cli_write_spec(job, spec, err, sizeof err);
        free(spec);
        if (w) {
            fprintf(stderr, "hpt-tune: %s\n", err);
            free(jd);
            goto out;
        }
        dir = job->job_dir ? cli_xstrdup(job->job_dir) : jd;
        if (job->job_dir)
            free(jd);
    } else if (job->job_dir)
        dir = cli_xstrdup(job->job_dir);
    else {
        dir = cli_xstrdup("hpt-tune.XXXXXX");
        if (!mkdtemp(dir)) {
            fprintf(stderr, "hpt-tune: cannot make a job folder: %s\n", strerror(errno));
            goto out;
        }
    }
    if (mkdir_p1(dir))
        goto out;
    /* Absolute, so HPT_TRIAL_DIR stays right for a command that changes
     * its working directory. */
    char *abs = realpath(dir, NULL);
    if (abs) {
        free(dir);
        dir = abs;
    }
    if (!job->quiet)
        fprintf(stderr, "hpt-tune: job folder %s%s\n", dir,
                resumed ? " (continuing the journal)" : "");
    if (setup_signals()) {
        fprintf(stderr, "hpt-tune: pipe: %s\n", strerror(errno));
        goto out;
    }
    rc = cli_run_job(job, study, dir);
    if ((rc == CLI_EXIT_OK || rc == CLI_EXIT_FAIL) && job->export_format) {
        char *dflt = cli_xasprintf("%s/trials.%s", dir, job->export_format);
        if (do_export(job, study, dflt))
            rc = CLI_EXIT_FAIL;
        free(dflt);
    }
out:
    free(dir);
    hpt_study_destroy(study);
    return rc;
}

/* hpt-tune --report JOURNAL [-o FILE] [--title T]: the HTML report is the
 * Python package's work (python3 -m hpt report); Debian's python3 first,
 * since the plotting packages are installed for it. */
static int run_report(int argc, char **argv)
{
    const char *py = getenv("HPT_PYTHON");
    if (!py)
        py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    char **av = cli_xmalloc(((size_t)argc + 4) * sizeof *av);
    av[0] = (char *)py, av[1] = "-m", av[2] = "hpt", av[3] = "report";
    for (int i = 2; i <= argc; i++)
        av[i + 2] = argv[i]; /* the journal, the options, the NULL */
    pid_t pid = fork();
    if (pid == 0) {
        execvp(py, av);
        _exit(127);
    }
    int st = 0;
    free(av);
    if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return CLI_EXIT_FAIL;
    /* 127: no such interpreter; 1 with Python's own message (no package
     * "hpt", an unreadable journal); 3: a plotting package is missing */
    if (WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == 3) {
        fprintf(stderr, "hpt-tune: --report runs '%s -m hpt report', which needs libhpt's "
                "Python package (python/ of the source tree on PYTHONPATH) and matplotlib "
                "(Debian: apt install python3 python3-matplotlib)\n", py);
        return CLI_EXIT_FAIL;
    }
    return WEXITSTATUS(st) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--report"))
        return run_report(argc, argv);
    char err[1024] = "";
    cli_job job;
    int rc;
    open_std_fds();
    cli_job_init(&job);
    if (cli_parse_args(&job, argc, argv, err, sizeof err)) {
        rc = usage_error(err);
        goto done;
    }
    if (job.mode == CLI_HELP) {
        cli_usage(stdout);
        rc = CLI_EXIT_OK;
        goto done;
    }
    if (job.mode == CLI_VERSION) {
        printf("hpt-tune %s\n", hpt_version_string());
        rc = CLI_EXIT_OK;
        goto done;
    }
    if (job.mode == CLI_LIST_OPTIONS) {
        rc = cli_list_options(stdout, &job);
        goto done;
    }
    if (job.mode == CLI_PRINT_SPEC) {
        cli_print_spec(stdout, &job);
        rc = CLI_EXIT_OK;
        goto done;
    }
    if (!job.journal && job.export_format && !job.n_command) {
        rc = usage_error("--export needs a journal (--journal, --resume or --status)");
        goto done;
    }
    int show_only = job.mode == CLI_STATUS || (job.export_format && !job.n_command &&
                                               job.mode != CLI_RESUME);
    if (show_only && job.mode != CLI_STATUS) {
        /* A journal written by another program has no job.spec: export it
         * as the journal describes itself. */
        char *spec = cli_spec_path(job.journal);
        int have = file_exists(spec);
        free(spec);
        if (!have) {
            rc = export_foreign(&job);
            goto done;
        }
    }
    if (job.mode == CLI_RESUME || show_only) {
        /* The job is the one remembered next to its journal; flags given
         * now apply on top of it (parallelism, timeouts, launcher ...). */
        char *spec = cli_spec_path(job.journal);
        if (!file_exists(job.journal) || !file_exists(spec)) {
            if (!file_exists(job.journal))
                fprintf(stderr, "hpt-tune: no journal %s\n", job.journal);
            else
                fprintf(stderr,
                        "hpt-tune: %s has no job spec (%s): --resume and --status work on "
                        "jobs that hpt-tune started; --export csv works on any journal\n",
                        job.journal, spec);
            free(spec);
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        cli_job again;
        cli_job_init(&again);
        int bad = cli_load_spec(&again, spec, err, sizeof err) ||
                  cli_parse_args(&again, argc, argv, err, sizeof err);
        free(spec);
        cli_job_free(&job);
        job = again;
        if (bad) {
            rc = usage_error(err);
            goto done;
        }
        if (show_only && job.mode != CLI_STATUS)
            job.mode = CLI_EXPORT;
    }
    if (!show_only && cli_validate(&job, err, sizeof err)) {
        rc = usage_error(err);
        goto done;
    }
    /* stdout carries the export alone when it is the export's output: the
     * table, per-trial lines and best go to stderr then. */
    if (job.export_format && (job.output ? !strcmp(job.output, "-") : show_only))
        cli_human_out = stderr;
    cli_digits = job.digits;
    hpt_space *space = cli_make_space(&job, err, sizeof err);
    if (!space) {
        rc = usage_error(err);
        goto done;
    }
    rc = show_only ? show(&job) : run(&job, space);
    hpt_space_destroy(space);
done:
    cli_job_free(&job);
    if (cli_wake_fd[0] >= 0) {
        close(cli_wake_fd[0]);
        close(cli_wake_fd[1]);
    }
    return rc;
}
