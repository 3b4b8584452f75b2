#!/bin/sh
# check_bench_sklearn.sh BUILD_DIR -- the scikit-learn benchmark's score
# arithmetic and its --quick smoke run (bench/sklearn). Skipped when
# scikit-learn or pytest is missing.
b=${1:-build}
py=/usr/bin/python3
[ -n "${HPT_SANITIZED:-}" ] && { echo "check_bench_sklearn: skipped in the sanitizer build"; exit 0; }
"$py" -c 'import pytest, sklearn' 2>/dev/null ||
    { echo "check_bench_sklearn: no pytest or scikit-learn, skipped"; exit 0; }
HPT_LIBRARY="$PWD/$b/libhpt.so" PYTHONPATH="$PWD/python" \
    exec "$py" -m pytest -q -p no:cacheprovider bench/sklearn/test_score.py
