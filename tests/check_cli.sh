#!/bin/sh
# check_cli.sh BUILD_DIR -- the hpt-tune end-to-end tests (tests/cli, pytest
# with Debian's python3). Skips quietly when BUILD_DIR/hpt-tune was not built
# or pytest is missing.
b=${1:-build}
bin="$PWD/$b/hpt-tune"
py=/usr/bin/python3
[ -x "$bin" ] || exit 0
"$py" -c 'import pytest' 2>/dev/null || { echo "check_cli: no pytest, skipped"; exit 0; }
HPT_TUNE="$bin" exec "$py" -m pytest -q -p no:cacheprovider tests/cli
