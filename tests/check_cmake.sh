#!/bin/sh
# check_cmake.sh BUILD -- `make install` into a scratch DESTDIR, then configure,
# build and run a tiny C project with find_package(hpt 0.1 REQUIRED) and the
# imported targets hpt::hpt (shared) and hpt::hpt_static, the way a CMake
# consumer of the install would. Skipped when cmake is not installed.
set -eu
b=${1:-build}
[ -n "${HPT_SANITIZED:-}" ] && { echo "check_cmake: skipped in the sanitizer build"; exit 0; }
command -v cmake >/dev/null 2>&1 || { echo "check_cmake: cmake not installed, skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/opt/hpt-cmake
make --no-print-directory -s B="$b" install PREFIX=$prefix DESTDIR="$tmp" >/dev/null
root="$tmp$prefix"
[ -f "$root/lib/cmake/hpt/hptConfig.cmake" ] || { echo "check_cmake: hptConfig.cmake not installed"; exit 1; }
mkdir -p "$tmp/proj"
cat > "$tmp/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(outside C)
find_package(hpt 0.1 REQUIRED)
add_executable(outside_shared outside.c)
target_link_libraries(outside_shared PRIVATE hpt::hpt)
add_executable(outside_static outside.c)
target_link_libraries(outside_static PRIVATE hpt::hpt_static)
CM
cat > "$tmp/proj/outside.c" <<'C'
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
    printf("cmake consumer: regret %.3g with libhpt %s\n", bv, hpt_version_string());
    hpt_study_destroy(st);
    return 0;
}
C
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$root" >"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log"; echo "check_cmake: configure failed"; exit 1; }
cmake --build "$tmp/proj/build" >>"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log"; echo "check_cmake: build failed"; exit 1; }
# A version this install does not satisfy must be refused.
sed 's/find_package(hpt 0.1 REQUIRED)/find_package(hpt 7.0 REQUIRED)/' \
    "$tmp/proj/CMakeLists.txt" > "$tmp/CMakeLists.v7"
mkdir -p "$tmp/v7" && cp "$tmp/proj/outside.c" "$tmp/v7/" && cp "$tmp/CMakeLists.v7" "$tmp/v7/CMakeLists.txt"
if cmake -S "$tmp/v7" -B "$tmp/v7/build" -DCMAKE_PREFIX_PATH="$root" >/dev/null 2>&1; then
    echo "check_cmake: find_package(hpt 7.0) accepted libhpt 0.x"; exit 1
fi
LD_LIBRARY_PATH="$root/lib" "$tmp/proj/build/outside_shared"
"$tmp/proj/build/outside_static"
echo "check_cmake: ok"
