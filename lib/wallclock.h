/* wallclock.h -- when trials ran, in Unix time (hpt_trial_times).
 *
 * Every timed journal record (ask, report, tell, fail, prune) carries the
 * study's active time in milliseconds (completion.h), which runs on
 * CLOCK_MONOTONIC within a session and skips the time a job was down. So
 * that those records give wall-clock times without a second stamp each,
 * the wall clock is read once per session, at its first timed event, and
 * journaled as a "clock <ms> <unix_ms>" record before it: an event at
 * active time ms then happened at unix_ms + (ms - anchor ms) milliseconds
 * after the epoch. Whole milliseconds, as the records have, so that times
 * print as short decimals and a duration within a session is exact. A study keeps
 * its trials' times by the same rule, so a reopened journal gives them
 * back bit for bit; records without a "clock" before them in their
 * session (a journal of a libhpt before it) give NaN. */
#ifndef HPT_WALLCLOCK_H
#define HPT_WALLCLOCK_H

#include <math.h>
#include <stdint.h>

typedef struct {
    int set;        /* read in this session (or, replaying, recorded) */
    int64_t ms;     /* the study's active time then                   */
    int64_t unix_ms; /* CLOCK_REALTIME then, milliseconds             */
} hpti_wallclock;

/* Unix time of an event at active time ms, NaN when unknown. */
static inline double hpti_wall_at(const hpti_wallclock *w, int64_t ms)
{
    return w->set ? (double)(w->unix_ms + (ms - w->ms)) / 1000.0 : NAN;
}

/* finished - asked, in whole milliseconds as the times have them (their
 * difference in binary carries rounding noise); NaN when one is unknown. */
static inline double hpti_duration(double asked, double finished)
{
    return round((finished - asked) * 1000.0) / 1000.0;
}

#endif
