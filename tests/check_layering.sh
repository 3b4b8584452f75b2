#!/bin/sh
# check_layering.sh [BUILD] -- strategies and pruners see the history view
# (lib/history.h through strategy.h), never the study: no lib/ file that
# defines a strategy or pruner type object includes study.h, directly or
# through another header (issue 13).
set -eu
cc=${CC:-cc}
blas=$(pkg-config --cflags openblas 2>/dev/null || true)
fail=0
files=$(grep -l -E '^const hpti_(strategy|pruner)_type hpti_' lib/*.c)
[ -n "$files" ] || { echo "check_layering: no strategy or pruner found in lib/"; exit 1; }
for f in $files; do
    # shellcheck disable=SC2086
    if "$cc" -MM -Iinclude -Ilib $blas "$f" | tr ' \\' '\n\n' | grep -qx 'lib/study.h'; then
        echo "check_layering: $f includes lib/study.h"
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "check_layering: $(echo "$files" | wc -l) strategy and pruner files, none sees study.h"
exit "$fail"
