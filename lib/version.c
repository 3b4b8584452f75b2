/* version.c -- the runtime version, for header/library mismatch checks. */
#include "common.h"

#define HPTI_STR2(x) #x
#define HPTI_STR(x) HPTI_STR2(x)

const char *hpt_version_string(void)
{
    return HPTI_STR(HPT_VERSION_MAJOR) "." HPTI_STR(HPT_VERSION_MINOR) "." HPTI_STR(
        HPT_VERSION_PATCH);
}

int32_t hpt_version_number(void) { return HPT_VERSION_NUMBER; }
