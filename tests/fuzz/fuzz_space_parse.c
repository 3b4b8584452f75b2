/* fuzz_space_parse.c -- hpt_space_parse on arbitrary bytes (cut at the
 * first NUL, as a C string is). An error must be HPT_E_INVALID with a
 * "line L, column C" message inside the text, or HPT_E_NOMEM; a space it
 * accepts must be usable: every midpoint decodes and encodes back, and a
 * study draws from it. Crashes, leaks and sanitizer reports are failures. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    hpt_space *sp = NULL;
    int rc = hpt_space_parse(text, &sp);
    if (rc != HPT_OK) {
        size_t line, col, lines = 1;
        for (const char *p = text; *p; p++)
            lines += *p == '\n';
        if (sp || (rc != HPT_E_INVALID && rc != HPT_E_NOMEM) ||
            (rc == HPT_E_INVALID &&
             (sscanf(hpt_last_errmsg(), "hpt_space_parse: line %zu, column %zu", &line,
                     &col) != 2 ||
              line < 1 || line > lines || col < 1)))
            abort();
        free(text);
        return 0;
    }
    size_t n = hpt_space_size(sp);
    if (n > 0 && n <= 64) {
        double u[64], x[64], v[64];
        for (size_t i = 0; i < n; i++)
            u[i] = 0.5;
        if (hpt_space_decode(sp, u, x, n) != HPT_OK || hpt_space_encode(sp, x, v, n) != HPT_OK)
            abort();
        hpt_study *st;
        if (hpt_study_create(sp, "random", HPT_MINIMIZE, 1, &st) == HPT_OK) {
            int64_t id;
            for (int k = 0; k < 3; k++)
                if (hpt_study_ask(st, &id) == HPT_OK)
                    hpt_study_tell(st, id, (double)k);
            hpt_study_destroy(st);
        }
    }
    hpt_space_destroy(sp);
    free(text);
    return 0;
}
