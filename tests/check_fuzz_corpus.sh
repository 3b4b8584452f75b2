#!/bin/sh
# check_fuzz_corpus.sh BUILD -- replay every saved fuzz input (seed corpora
# and crash reproducers) through each fuzz target, built without libFuzzer.
set -eu
b=${1:-build}
status=0
for r in "$b"/fuzz/replay_*; do
    [ -x "$r" ] || continue
    n=${r##*/replay_}
    files=$(find tests/fuzz/corpus_"$n" tests/fuzz/crashes_"$n" -type f 2>/dev/null | sort)
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    "$r" $files >/dev/null || { echo "check_fuzz_corpus: $n failed"; status=1; }
done
[ $status -eq 0 ] && echo "check_fuzz_corpus: ok"
exit $status
