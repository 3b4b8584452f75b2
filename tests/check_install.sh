#!/bin/sh
# check_install.sh BUILD -- `make install` into a scratch DESTDIR, then build
# and run an outside program with `pkg-config --cflags --libs hpt`, against
# the shared and the static library; `make uninstall` removes every file.
set -eu
b=${1:-build}
[ -n "${HPT_SANITIZED:-}" ] && { echo "check_install: skipped in the sanitizer build"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/opt/hpt-test
make --no-print-directory -s B="$b" install PREFIX=$prefix DESTDIR="$tmp" >/dev/null
root="$tmp$prefix"
for f in include/hpt.h lib/libhpt.a lib/libhpt.so lib/pkgconfig/hpt.pc; do
    [ -e "$root/$f" ] || { echo "check_install: $f not installed"; exit 1; }
done
# The .pc names the real prefix; point pkg-config at the staged copy.
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$tmp"
cat > "$tmp/outside.c" <<'C'
#include <hpt.h>
#include <stdio.h>
int main(void)
{
    hpt_space *sp; hpt_study *st; int64_t id, best; double x, bv;
    if (hpt_space_create(&sp) || hpt_space_add_float(sp, "x", -2, 2, HPT_SCALE_LINEAR) ||
        hpt_study_create(sp, "sobol", HPT_MINIMIZE, 1, &st))
        return 1;
    hpt_space_destroy(sp);
    hpt_study_set(st, "max_trials", 64);
    while (hpt_study_ask(st, &id) == HPT_OK) {
        hpt_trial_float(st, id, "x", &x);
        hpt_study_tell(st, id, (x - 0.5) * (x - 0.5));
    }
    if (hpt_study_best(st, &best, &bv) || bv > 0.01) return 1;
    printf("outside program: best x^2 regret %.3g with libhpt %s\n", bv, hpt_version_string());
    hpt_study_destroy(st);
    return 0;
}
C
cc "$tmp/outside.c" -o "$tmp/outside_shared" $(pkg-config --cflags --libs hpt)
LD_LIBRARY_PATH="$root/lib" "$tmp/outside_shared"
cc -static-libgcc "$tmp/outside.c" -o "$tmp/outside_static" $(pkg-config --cflags hpt) \
    "$root/lib/libhpt.a" $(pkg-config --libs-only-other --libs-only-l --static hpt | sed 's/-lhpt//')
"$tmp/outside_static"
make --no-print-directory -s B="$b" uninstall PREFIX=$prefix DESTDIR="$tmp" >/dev/null
left=$(find "$tmp$prefix" -type f -o -type l)
[ -z "$left" ] || { echo "check_install: uninstall left: $left"; exit 1; }
echo "check_install: ok"
