/* sink.h -- where a study sends its changes.
 *
 * After each change that took effect (an option set, a warm start, an
 * ask, report, tell, failure or pruning) the study emits one event to its
 * sink; the journal (journal.c) is the one sink today. The event carries
 * everything the record needs, so a sink never looks into the study, and
 * the study knows of a sink only this table. An interface without an
 * implementation file of its own. */
#ifndef HPT_SINK_H
#define HPT_SINK_H

#include "common.h"

enum {
    HPTI_EV_OPTION,     /* name, value                                      */
    HPTI_EV_OPTION_STR, /* name, str                                        */
    HPTI_EV_PRIOR,      /* name (kind), id (parent), values (n_values: the
                           history's row), x (unit coordinates, dim): held
                           until its HPTI_EV_WARM                           */
    HPTI_EV_WARM,       /* name (kind), id (parent), used, skipped, str
                           (summary): closes a block of priors              */
    HPTI_EV_ASK,        /* id, ms, budget, parent, x (values, dim)          */
    HPTI_EV_REPORT,     /* id, ms, step, value                              */
    HPTI_EV_TELL,       /* id, ms, value (the first), values (n_values: the
                           objectives, then the constraints)                */
    HPTI_EV_FAIL,       /* id, ms, str (reason or NULL)                     */
    HPTI_EV_PRUNE,      /* id, ms                                           */
    HPTI_EV_ENQUEUE,    /* x (values, NaN = free, dim)                      */
    HPTI_EV_ATTR,       /* id (-1: the study's), name (key), str (value)    */
    HPTI_EV_SHAPE       /* n_values objectives, directions (n_values of
                           them), used = constraints                        */
};

typedef struct {
    int kind;           /* HPTI_EV_* */
    int replayed;       /* 1: the change comes from the record itself (a
                           resume): the sink takes note, writes nothing    */
    int64_t id;
    int64_t ms;         /* the study's active time in milliseconds         */
    const char *name;
    const char *str;
    double value, step, budget;
    int64_t parent, used, skipped;
    const double *x;
    size_t dim;
    const double *values;     /* HPTI_EV_TELL, HPTI_EV_PRIOR */
    size_t n_values;
    const int32_t *directions; /* HPTI_EV_SHAPE */
} hpti_event;

typedef struct {
    /* Before a change: HPT_OK when it can be recorded, else a status and
     * msg (prefixed with fn, the public call). */
    int (*ready)(void *ctx, const char *fn, char *msg);
    /* Record one change. @return HPT_OK, or a status and msg: the change
     * stays in memory but is not recorded. */
    int (*emit)(void *ctx, const hpti_event *ev, char *msg);
    /* The sink's own settings (options "journal.*"): their descriptors,
     * values in ctx (options.h). */
    const struct hpti_option *options;
    size_t n_options;
    /* 1 when the record holds option = value already (str: a string
     * option, else value), so that setting it again is a no-op. */
    int (*holds)(void *ctx, const char *option, double value, const char *str);
    void (*close)(void *ctx);
} hpti_sink_ops;

typedef struct {
    const hpti_sink_ops *ops; /* NULL: no sink, changes are not recorded */
    void *ctx;                /* owned by the study, released by close   */
} hpti_sink;

#endif
