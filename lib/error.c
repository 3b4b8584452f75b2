/* error.c -- status strings and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* The only per-thread state of the library: the last message of this
 * thread, so that failed constructors (no handle yet) and threads sharing
 * one study each read their own. */
static _Thread_local char last_msg[HPTI_MSG];

int hpti_fail(char *buf, int status, const char *fmt, ...)
{
    /* formatted aside first: an argument may be last_msg or buf itself
     * (e.g. hpt_last_errmsg() passed on), and vsnprintf's source and
     * destination must not overlap */
    char tmp[HPTI_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(last_msg, tmp, sizeof tmp);
    if (buf)
        memcpy(buf, tmp, sizeof tmp);
    return status;
}

void hpti_clear_error(void) { last_msg[0] = '\0'; }

const char *hpt_last_errmsg(void) { return last_msg; }

const char *hpt_strerror(int status)
{
    switch (status) {
    case HPT_OK: return "success";
    case HPT_DONE: return "the study is complete";
    case HPT_WAIT: return "no trial available until running trials are told";
    case HPT_E_INVALID: return "invalid argument";
    case HPT_E_NOMEM: return "out of memory";
    case HPT_E_STAGE: return "call not allowed at this stage of the study";
    case HPT_E_TRIAL: return "unknown trial id";
    case HPT_E_STATE: return "trial is not in a state that allows this call";
    case HPT_E_NAME: return "unknown name";
    case HPT_E_TYPE: return "parameter has another type";
    case HPT_E_NUMERIC: return "numerical failure";
    case HPT_E_IO: return "input/output error";
    case HPT_E_CORRUPT: return "corrupt journal";
    case HPT_E_MISMATCH: return "journal belongs to another study setup";
    case HPT_E_LOCKED: return "journal is locked by another process";
    case HPT_E_RANGE: return "buffer too small";
    case HPT_E_INACTIVE: return "parameter is not active in this trial";
    case HPT_E_EMPTY: return "no trial is complete yet";
    case HPT_E_NOMODEL: return "the strategy has no fitted model";
    case HPT_E_MULTI: return "the study has several objectives (use hpt_study_pareto)";
    default:
        if (status <= HPT_ADDON_STATUS_MAX && status >= HPT_ADDON_STATUS_MIN)
            return "error of an add-on library (-100..-199: see its header)";
        return status > 0 ? "unknown non-error status" : "unknown error";
    }
}
