#!/usr/bin/env bash
# bench/reindex.sh: throughput of `wenyuan reindex` (the rebuild the index catch-up shares) on
# the corpus (news.jsonl + reports.jsonl, about 16,200 documents, 31 MB). The corpus is imported
# once into a fresh data folder (not timed); then each round deletes nothing itself: `reindex`
# drops the index and rebuilds it from the database. Reports documents indexed, wall seconds,
# documents/s and peak RSS; the target is >= 5,000 documents/s (median).
#
# Run from the repository root (needs cargo):
#     bench/reindex.sh
#     ROUNDS=5 bench/reindex.sh
#     WENYUAN_BIN=/work/bin-before/wenyuan bench/reindex.sh     # another build, for "before"
# Environment:
#     ROUNDS (3)                  reindex runs over the same database
#     CORPUS (../shared/corpus)   folder holding news.jsonl and reports.jsonl
#     POSTGRES                    a PostgreSQL server URL without a database name, e.g.
#                                 postgres://postgres@127.0.0.1:5432: the corpus then goes into a new
#                                 database made on it with psql (dropped at the end) instead of
#                                 SQLite in the data folder
#     CARGO_TARGET_DIR            honoured by the build; the binary is looked up there
#     WENYUAN_BIN                 use this binary instead of building
#     TMPDIR (/tmp)               where the data folder goes (its disk is part of what is measured)
# Peak RSS comes from /usr/bin/time -v; without it, from polling /proc/PID/status (VmHWM).
# Prints a table and saves it to bench/results/reindex-<date>.txt. Exits 0 whether or not the
# target is met; exits non-zero only when it cannot run (or the import or a reindex fails).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
CORPUS=${CORPUS:-../shared/corpus}
TARGET_DOCS_PER_SEC=5000
FILES=("$CORPUS/news.jsonl" "$CORPUS/reports.jsonl")

die() { echo "reindex.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for f in "${FILES[@]}"; do
    [[ -f "$f" ]] || die "$f not found (set CORPUS)"
done

POSTGRES=${POSTGRES:-}
if [[ -n "$POSTGRES" ]]; then
    command -v psql >/dev/null || die "psql not found (needed with POSTGRES=)"
    POSTGRES=${POSTGRES%/}
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-bench-reindex.XXXXXX")
RUN_PID=""
PG_DB=""
cleanup() {
    if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
        kill -TERM "$RUN_PID" 2>/dev/null || true
        wait "$RUN_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_DB" ]]; then
        psql -q "$POSTGRES/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build ----------------------------------------------------------------------------------
if [[ -n "${WENYUAN_BIN:-}" ]]; then
    BIN=$WENYUAN_BIN
else
    log "cargo build --release -p wenyuan"
    cargo build --release -p wenyuan >&2
    TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
    BIN=$TARGET_DIR/release/wenyuan
fi
[[ -x "$BIN" ]] || die "binary not found: $BIN"

if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    RSS_METHOD="/usr/bin/time -v"
else
    RSS_METHOD="polling /proc/PID/status VmHWM"
fi

DATA=$TMP/data
STORE_ARGS=(--data "$DATA")
if [[ -n "$POSTGRES" ]]; then
    PG_DB=wenyuan_bench_reindex_$$
    psql -q "$POSTGRES/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null || die "cannot create database $PG_DB"
    STORE_ARGS+=(--database-url "$POSTGRES/$PG_DB")
fi

now_ns() { date +%s%N; }

# run_once ARGS... -> writes $TMP/out, $TMP/err, $TMP/rss_kb; returns the exit code
run_once() {
    local rc=0 hwm peak=0
    if [[ $RSS_METHOD == /usr/bin/time* ]]; then
        /usr/bin/time -v -o "$TMP/time.txt" "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
        awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$TMP/time.txt" >"$TMP/rss_kb"
        # CPU seconds (user + system): moves less than wall time when the machine is shared.
        awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$TMP/time.txt" >"$TMP/cpu_s"
    else
        "$BIN" "$@" >"$TMP/out" 2>"$TMP/err" &
        RUN_PID=$!
        while kill -0 "$RUN_PID" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RUN_PID/status" 2>/dev/null || true)
            if [[ -n "$hwm" && "$hwm" -gt "$peak" ]]; then peak=$hwm; fi
            sleep 0.02
        done
        wait "$RUN_PID" || rc=$?
        RUN_PID=""
        echo "$peak" >"$TMP/rss_kb"
        echo "?" >"$TMP/cpu_s"
    fi
    return "$rc"
}

commit_info() {
    local c
    if c=$(git rev-parse --short HEAD 2>/dev/null); then
        git diff --quiet HEAD -- crates 2>/dev/null || c+=" + uncommitted changes in crates/"
        echo "$c"
    else
        echo "unknown (not a git checkout)"
    fi
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

log "importing the corpus into a fresh data folder (not timed)"
rc=0
run_once import "${STORE_ARGS[@]}" "${FILES[@]}" || rc=$?
if ! grep -qE '^imported [0-9]+' "$TMP/out"; then
    tail -n 20 "$TMP/out" "$TMP/err" >&2
    die "import failed (exit $rc)"
fi
IMPORTED=$(grep -E '^imported [0-9]+' "$TMP/out" | tail -n 1)

LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

declare -a DOCS=() SECS=() RATES=() RSS=()
ROWS=""
for round in $(seq 1 "$ROUNDS"); do
    log "round $round/$ROUNDS: wenyuan reindex"
    sync
    start=$(now_ns)
    rc=0
    run_once reindex "${STORE_ARGS[@]}" || rc=$?
    end=$(now_ns)
    # "indexed 16191 documents in 24.1 s (672 documents/s)"
    line=$(grep -E '^indexed [0-9]+ documents' "$TMP/out" | tail -n 1 || true)
    if [[ $rc -ne 0 || -z "$line" ]]; then
        tail -n 20 "$TMP/out" "$TMP/err" >&2
        die "reindex failed (exit $rc)"
    fi
    indexed=$(sed -E 's/^indexed ([0-9]+) documents.*/\1/' <<<"$line")
    # Wall time of the whole process (opening the store, dropping the old index, the final merge).
    secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    rate=$(awk -v n="$indexed" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
    rss_mb=$(awk -v k="$(cat "$TMP/rss_kb")" 'BEGIN { printf "%.1f", k / 1024 }')
    index_mb=$(du -sm "$DATA/index" 2>/dev/null | awk '{ print $1 }')
    DOCS+=("$indexed"); SECS+=("$secs"); RATES+=("$rate"); RSS+=("$rss_mb")
    ROWS+=$(printf '%-7s %9s %9.2f %10.0f %12.1f %10s %7s' "$round" "$indexed" "$secs" "$rate" "$rss_mb" "${index_mb:-?}" "$(cat "$TMP/cpu_s")")$'\n'
done

MED_RATE=$(median "${RATES[@]}")
if awk -v r="$MED_RATE" -v t="$TARGET_DOCS_PER_SEC" 'BEGIN { exit !(r >= t) }'; then
    VERDICT="PASS"
else
    VERDICT="BELOW TARGET"
fi

REPORT=$(
    echo "Wenyuan reindex throughput: wenyuan reindex over news.jsonl + reports.jsonl"
    echo "date:      $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit:    $(commit_info)"
    echo "binary:    $BIN"
    echo "machine:   $(nproc) cores, $(uname -sr); data folder in ${TMPDIR:-/tmp} ($(df -PT "$TMP" | awk 'NR == 2 { print $2 }'))"
    if [[ -n "$POSTGRES" ]]; then echo "store:     PostgreSQL (a new database on $POSTGRES)"; else echo "store:     SQLite in the data folder"; fi
    echo "load:      load average before the runs $LOAD_BEFORE (other work on the machine skews the figures)"
    echo "library:   $IMPORTED"
    echo "peak RSS:  $RSS_METHOD"
    echo
    printf '%-7s %9s %9s %10s %12s %10s %7s\n' round indexed "wall s" "docs/s" "peak RSS MB" "index MB" "CPU s"
    printf '%s' "$ROWS"
    printf '%-7s %9.0f %9.2f %10.0f %12.1f\n' median "$(median "${DOCS[@]}")" "$(median "${SECS[@]}")" "$MED_RATE" "$(median "${RSS[@]}")"
    echo
    echo "median documents/s (whole process, wall clock): $(printf '%.0f' "$MED_RATE")   target >= $TARGET_DOCS_PER_SEC: $VERDICT"
)

echo
echo "$REPORT"
mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/reindex-$(date +%Y%m%d-%H%M%S).txt
echo "$REPORT" >"$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
exit 0
