/* export.h -- writing a study's trials to a file (CSV in export.c, JSON in
 * export_json.c). */
#ifndef HPT_EXPORT_H
#define HPT_EXPORT_H

#include <stdio.h>

#include "hpt.h"

/* Write path with write(s, f) under the study's lock: aside and renamed over
 * a regular file, in place for anything else that exists (a pipe,
 * /dev/stdout). fn names the public function in messages. */
int hpti_export_file(const hpt_study *s, const char *path, const char *fn,
                     void (*write)(const hpt_study *, FILE *));

#endif
