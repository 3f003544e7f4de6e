#!/usr/bin/env bash
# bench/import.sh: import throughput of `wenyuan import` on the corpus (news.jsonl + reports.jsonl,
# about 16,200 documents, 31 MB) into a fresh, empty data folder (SQLite + search index), each
# round. Reports documents imported, wall seconds, documents/s and peak RSS; the target is
# >= 5,000 documents/s (median, issue 15).
#
# Run from the repository root (needs cargo):
#     bench/import.sh
#     ROUNDS=5 bench/import.sh
# Environment:
#     ROUNDS (3)                  import runs, each into a new data folder
#     CORPUS (../shared/corpus)   folder holding news.jsonl and reports.jsonl
#     CARGO_TARGET_DIR            honoured by the build; the binary is looked up there
#     WENYUAN_BIN                 use this binary instead of building
#     TMPDIR (/tmp)               where the data folders go (their disk is part of what is measured)
#     POSTGRES                    a PostgreSQL server URL without a database name, e.g.
#                                 postgres://postgres@127.0.0.1:5432: each round then imports into a
#                                 new database made on it with psql (dropped after the round)
#                                 instead of SQLite in the data folder
# Peak RSS comes from /usr/bin/time -v; without it, from polling /proc/PID/status (VmHWM), which
# can miss a peak in the last few milliseconds of a run.
# Prints a table and saves it to bench/results/import-<date>.txt. Exits 0 whether or not the
# target is met; exits non-zero only when it cannot run (or an import fails).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
CORPUS=${CORPUS:-../shared/corpus}
TARGET_DOCS_PER_SEC=5000
FILES=("$CORPUS/news.jsonl" "$CORPUS/reports.jsonl")

die() { echo "import.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for f in "${FILES[@]}"; do
    [[ -f "$f" ]] || die "$f not found (set CORPUS)"
done

POSTGRES=${POSTGRES:-}
if [[ -n "$POSTGRES" ]]; then
    command -v psql >/dev/null || die "psql not found (needed with POSTGRES=)"
    POSTGRES=${POSTGRES%/}
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-bench-import.XXXXXX")
IMPORT_PID=""
PG_DB=""
drop_database() {
    if [[ -n "$PG_DB" ]]; then
        psql -q "$POSTGRES/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}
cleanup() {
    if [[ -n "$IMPORT_PID" ]] && kill -0 "$IMPORT_PID" 2>/dev/null; then
        kill -TERM "$IMPORT_PID" 2>/dev/null || true
        wait "$IMPORT_PID" 2>/dev/null || true
    fi
    drop_database
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

now_ns() { date +%s%N; }

# import_once DIR -> writes $TMP/out (stdout), $TMP/err (stderr), $TMP/rss_kb; returns the exit code
import_once() {
    local data=$1 rc=0 hwm peak=0
    local store=(--data "$data")
    if [[ -n "$PG_DB" ]]; then
        store+=(--database-url "$POSTGRES/$PG_DB")
    fi
    if [[ $RSS_METHOD == /usr/bin/time* ]]; then
        /usr/bin/time -v -o "$TMP/time.txt" "$BIN" import "${store[@]}" "${FILES[@]}" \
            >"$TMP/out" 2>"$TMP/err" || rc=$?
        awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$TMP/time.txt" >"$TMP/rss_kb"
        # CPU seconds (user + system): moves less than wall time when the machine is shared.
        awk -F: '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$TMP/time.txt" >"$TMP/cpu_s"
    else
        "$BIN" import "${store[@]}" "${FILES[@]}" >"$TMP/out" 2>"$TMP/err" &
        IMPORT_PID=$!
        while kill -0 "$IMPORT_PID" 2>/dev/null; do
            hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$IMPORT_PID/status" 2>/dev/null || true)
            if [[ -n "$hwm" && "$hwm" -gt "$peak" ]]; then peak=$hwm; fi
            sleep 0.02
        done
        wait "$IMPORT_PID" || rc=$?
        IMPORT_PID=""
        echo "$peak" >"$TMP/rss_kb"
        echo "?" >"$TMP/cpu_s"
    fi
    return "$rc"
}

# The commit measured, and whether crates/ differs from it.
commit_info() {
    local c
    if c=$(git rev-parse --short HEAD 2>/dev/null); then
        git diff --quiet HEAD -- crates 2>/dev/null || c+=" + uncommitted changes in crates/"
        echo "$c"
    else
        echo "unknown (not a git checkout)"
    fi
}

LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

declare -a DOCS=() SECS=() RATES=() RSS=()
ROWS=""
for round in $(seq 1 "$ROUNDS"); do
    data=$TMP/data-$round
    log "round $round/$ROUNDS: wenyuan import into a fresh data folder${POSTGRES:+ and a new PostgreSQL database}"
    if [[ -n "$POSTGRES" ]]; then
        PG_DB=wenyuan_bench_import_$$_$round
        psql -q "$POSTGRES/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null || die "cannot create database $PG_DB"
    fi
    sync
    start=$(now_ns)
    rc=0
    import_once "$data" || rc=$?
    end=$(now_ns)
    # The summary may name held near-duplicates: "imported 16193 (100 held as …), skipped 2, failed 0".
    summary=$(grep -E '^imported [0-9]+( \([^)]*\))?, skipped [0-9]+, failed [0-9]+' "$TMP/out" | tail -n 1 || true)
    # Exit 1 with a summary line means some records failed: they show in the "failed" column.
    if [[ -z "$summary" ]]; then
        tail -n 20 "$TMP/out" "$TMP/err" >&2
        die "import failed (exit $rc)"
    fi
    read -r imported skipped failed < <(sed -E 's/^imported ([0-9]+)( \([^)]*\))?, skipped ([0-9]+), failed ([0-9]+).*/\1 \3 \4/' <<<"$summary")
    secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
    rate=$(awk -v n="$imported" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
    rss_mb=$(awk -v k="$(cat "$TMP/rss_kb")" 'BEGIN { printf "%.1f", k / 1024 }')
    if [[ -n "$PG_DB" ]]; then
        db_mb=$(psql -Atq "$POSTGRES/postgres" -c "SELECT pg_database_size('$PG_DB') / 1048576" || echo "?")
    else
        db_mb=$(du -sm "$data" | awk '{ print $1 }')
    fi
    DOCS+=("$imported"); SECS+=("$secs"); RATES+=("$rate"); RSS+=("$rss_mb")
    ROWS+=$(printf '%-7s %9s %8s %7s %9.2f %10.0f %12.1f %10s %7s' "$round" "$imported" "$skipped" "$failed" "$secs" "$rate" "$rss_mb" "$db_mb" "$(cat "$TMP/cpu_s")")$'\n'
    rm -rf "$data"
    drop_database
done

MED_RATE=$(median "${RATES[@]}")
if awk -v r="$MED_RATE" -v t="$TARGET_DOCS_PER_SEC" 'BEGIN { exit !(r >= t) }'; then
    VERDICT="PASS"
else
    VERDICT="BELOW TARGET"
fi

SIZE_MB=$(du -cm "${FILES[@]}" | awk 'END { print $1 }')
REPORT=$(
    echo "Wenyuan import throughput: wenyuan import --data <fresh dir> news.jsonl reports.jsonl"
    echo "date:      $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit:    $(commit_info)"
    echo "binary:    $BIN"
    if [[ -n "$POSTGRES" ]]; then echo "store:     PostgreSQL (a new database each round on $POSTGRES)"; else echo "store:     SQLite in the data folder"; fi
    echo "machine:   $(nproc) cores, $(uname -sr); data folders in ${TMPDIR:-/tmp} ($(df -PT "$TMP" | awk 'NR == 2 { print $2 }'))"
    echo "load:      load average before the runs $LOAD_BEFORE (other work on the machine skews the figures)"
    echo "input:     ${FILES[*]} (${SIZE_MB} MB)"
    echo "peak RSS:  $RSS_METHOD"
    echo
    printf '%-7s %9s %8s %7s %9s %10s %12s %10s %7s\n' round imported skipped failed "wall s" "docs/s" "peak RSS MB" "data MB" "CPU s"
    printf '%s' "$ROWS"
    printf '%-7s %9.0f %8s %7s %9.2f %10.0f %12.1f\n' median "$(median "${DOCS[@]}")" "" "" "$(median "${SECS[@]}")" "$MED_RATE" "$(median "${RSS[@]}")"
    echo
    echo "median documents/s: $(printf '%.0f' "$MED_RATE")   target >= $TARGET_DOCS_PER_SEC: $VERDICT"
)

echo
echo "$REPORT"
mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/import-$(date +%Y%m%d-%H%M%S).txt
echo "$REPORT" >"$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
exit 0
