#!/usr/bin/env bash
# All of ferrodis's own tests, as `make test` runs them:
#   1. cargo test --no-fail-fast (unit tests in src/, integration tests in
#      tests/*.rs against the debug binary, doc tests);
#   2. every tests/*.sh (POSIX sh) against $REDIS_SERVER (default
#      src/redis-server, which `make` leaves there).
# Each part's counts are taken from its own closing lines ("test result: ...
# N passed; M failed; K ignored" for cargo, "N passed, M failed[, K skipped]"
# for the shell tests); a part that exits non-zero without reporting a
# failure counts as one failure. Prints a per-part summary and the closing
# line "N passed, M failed[, K skipped]"; exits 1 on any failure.
#
# Env: REDIS_SERVER, CARGO_TEST_ARGS (extra `cargo test` arguments, e.g.
# "-- --include-ignored").
set -u
cd "$(dirname "$0")/.." || exit 2
export REDIS_SERVER=${REDIS_SERVER:-$PWD/src/redis-server}

logdir=$(mktemp -d "${TMPDIR:-/tmp}/ferrodis-tests.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

total_p=0 total_f=0 total_s=0
summary=()

# add PART RC P F S
add() {
    local part=$1 rc=$2 p=$3 f=$4 s=$5
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        summary+=("$part: exited with status $rc")
    fi
    total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
    summary+=("$part: $p passed, $f failed, $s skipped")
}

echo "=== cargo test"
# shellcheck disable=SC2086
cargo test --no-fail-fast ${CARGO_TEST_ARGS:-} 2>&1 | tee "$logdir/cargo.log"
rc=${PIPESTATUS[0]}
read -r p f s < <(awk '/^test result:/ {
        for (i = 2; i <= NF; i++) {
            if ($i == "passed;") p += $(i-1)
            if ($i == "failed;") f += $(i-1)
            if ($i == "ignored;") s += $(i-1)
        }
    } END { print p+0, f+0, s+0 }' "$logdir/cargo.log")
add "cargo test" "$rc" "$p" "$f" "$s"

for t in tests/*.sh; do
    [ -f "$t" ] || continue
    echo "=== $t"
    sh "$t" 2>&1 | tee "$logdir/sh.log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/sh.log" | tail -n 1)
    p=$(echo "$line" | sed -nE 's/^([0-9]+) passed.*/\1/p')
    f=$(echo "$line" | sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
    add "$t" "$rc" "${p:-0}" "${f:-0}" "${s:-0}"
done

echo "=== summary"
for l in "${summary[@]}"; do echo "  $l"; done
if [ "$total_s" -gt 0 ]; then
    echo "$total_p passed, $total_f failed, $total_s skipped"
else
    echo "$total_p passed, $total_f failed"
fi
[ "$total_f" -eq 0 ]
