#!/bin/sh
# check_linkage.sh BUILD -- the shared library exports only hpt_* symbols,
# carries the soname from include/hpt.h, and GSL's BLAS calls bind to
# OpenBLAS (not gslcblas).
set -eu
b=${1:-build}
[ -n "${HPT_SANITIZED:-}" ] && { echo "check_linkage: skipped in the sanitizer build"; exit 0; }
so="$b/libhpt.so"
fail=0

bad=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | grep -v '^hpt_' || true)
if [ -n "$bad" ]; then
    echo "check_linkage: symbols exported without the hpt_ prefix:"; echo "$bad"; fail=1
fi
n=$(nm -D --defined-only "$so" | grep -c ' T hpt_' || true)
[ "$n" -ge 30 ] || { echo "check_linkage: only $n hpt_ functions exported"; fail=1; }

major=$(sed -n 's/^#define HPT_VERSION_MAJOR \([0-9]*\)$/\1/p' include/hpt.h)
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libhpt.so.$major" ] || { echo "check_linkage: soname '$soname'"; fail=1; }

# Resolve cblas_dgemm the way the dynamic loader does for a program linking
# libhpt: the first library in load order that defines it must be OpenBLAS.
first=$(ldd "$so" | awk '/=>/ {print $3}' | while read -r lib; do
    if nm -D --defined-only "$lib" 2>/dev/null | grep -q ' T cblas_dgemm$'; then
        echo "$lib"; break
    fi
done)
case "$first" in
    *openblas*) ;;
    *) echo "check_linkage: cblas_dgemm resolves to '$first', not OpenBLAS"; fail=1 ;;
esac
[ $fail -eq 0 ] && echo "check_linkage: ok ($n exported functions, soname $soname, BLAS from $first)"
exit $fail
