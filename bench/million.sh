#!/usr/bin/env bash
# bench/million.sh: the figures of issue 15 at a million documents, on one data folder:
#
#  0. (unless DATA is given) the library: news.jsonl + reports.jsonl SCALE (62) times over with
#     changed titles (1,004,090 records), imported by search_bench (the importer of `wenyuan
#     import`, near-duplicate checks on), keywords derived, index built as `wenyuan reindex`
#     builds it; its report (import and indexing documents/s, in-process search latency) is kept.
#  1. `wenyuan reindex` of that library: documents/s and peak memory (REINDEX=0 skips it).
#  2. `wenyuan serve` on it: the query mix of bench/search.sh (1,000 queries, fixed seed) sent over
#     HTTP to /api/v1/search, one at a time on a keep-alive connection, client-side p50/p99
#     (bench/search_http.py); PAGES (20) article pages across the library, first views, timed;
#     then the server's resident memory (VmRSS, VmHWM).
#  3. A new node from a snapshot: `wenyuan backup --with-index`, `wenyuan restore` into an empty
#     folder, `wenyuan serve` there until /readyz answers 200 and a search finds something: the
#     seconds of each step (SNAPSHOT=0 skips it).
#  4. A new node without a snapshot: the database alone in an empty folder, `wenyuan serve` until
#     /readyz answers 200 (the index filled from the whole library at start); FILL=0 skips it.
#
# Prints every figure, saves a copy to bench/results/million-<date>.txt, and exits 0 whatever the
# figures (non-zero only when it cannot run). Disk: about 3x the library's data folder in $TMPDIR.
#
#     bench/million.sh                         # builds the library first (about 20-30 minutes)
#     DATA=/path/to/data bench/million.sh      # a data folder with a large library already
# Environment: SCALE (62), DATA, WORK (where step 0 keeps its folder; default under $TMPDIR,
#     removed at the end unless KEEP=1), WENYUAN_BIN / SEARCH_BENCH_BIN (skip the builds),
#     PASSES (3: measured passes of the query mix), REINDEX (1), SNAPSHOT (1), FILL (1), CORPUS, QUERY_FILE
#     (the query mix as search_bench's QUERY_FILE wrote it; else it is written here).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SCALE=${SCALE:-62}
PASSES=${PASSES:-3}
REINDEX=${REINDEX:-1}
SNAPSHOT=${SNAPSHOT:-1}
FILL=${FILL:-1}
KEEP=${KEEP:-0}
CORPUS=${CORPUS:-../shared/corpus}

die() { echo "million.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in curl python3 awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is not installed (Debian: apt-get install time)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-million.XXXXXX")
SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    stop_server
    rm -rf "$TMP"
    if [[ -n "${OWN_WORK:-}" && "$KEEP" != 1 ]]; then
        rm -rf "$OWN_WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

OUT=$TMP/report.txt
say() { echo "$*" | tee -a "$OUT"; }

# ---- builds -------------------------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ -z "${WENYUAN_BIN:-}" || ( -z "${DATA:-}" && -z "${SEARCH_BENCH_BIN:-}" ) ]]; then
    log "cargo build --release -p wenyuan --bin wenyuan --example search_bench"
    cargo build --release -p wenyuan --bin wenyuan --example search_bench >&2
fi
BIN=${WENYUAN_BIN:-$TARGET_DIR/release/wenyuan}
BENCH_BIN=${SEARCH_BENCH_BIN:-$TARGET_DIR/release/examples/search_bench}
[[ -x "$BIN" ]] || die "binary not found: $BIN"

say "Wenyuan at a million documents"
say "date:     $(date '+%Y-%m-%d %H:%M:%S %z')"
say "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
say "machine:  $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1e6 }' /proc/meminfo); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 0. the library -------------------------------------------------------------------------------
if [[ -n "${QUERY_FILE:-}" ]]; then
    [[ -s "$QUERY_FILE" ]] || die "QUERY_FILE $QUERY_FILE is empty or missing"
    QUERY_FILE=$(cd "$(dirname "$QUERY_FILE")" && pwd)/$(basename "$QUERY_FILE")
fi
GIVEN_QUERIES=${QUERY_FILE:-}
QUERY_FILE=${QUERY_FILE:-$TMP/queries.tsv}
if [[ -z "${DATA:-}" ]]; then
    [[ -x "$BENCH_BIN" ]] || die "program not found: $BENCH_BIN"
    WORK=${WORK:-$TMP/library}
    OWN_WORK=$WORK
    [[ ! -e "$WORK" ]] || die "$WORK exists: give an empty place as WORK"
    log "building the library: scale $SCALE (search_bench; its report follows)"
    say ""
    say "-- 0. library: search_bench SCALE=$SCALE (import, keywords, index, in-process latency)"
    SCALE=$SCALE KEEP=1 FTS=0 QUALITY=0 CORPUS=$CORPUS WORK=$WORK QUERY_FILE=$QUERY_FILE \
        /usr/bin/time -v -o "$TMP/library.time" "$BENCH_BIN" | tee -a "$OUT"
    say "peak memory of the build: $(awk -F': ' '/Maximum resident/ { printf "%.0f MB", $2 / 1024 }' "$TMP/library.time")"
    DATA=$WORK/data
elif [[ -z "$GIVEN_QUERIES" && -x "$BENCH_BIN" ]]; then
    # The query mix only: REUSE measures on the library as it is.
    log "writing the query mix (search_bench, REUSE of the given library)"
    SCALE=$SCALE REUSE=$(dirname "$DATA") FTS=0 QUALITY=0 SUGGEST=10 CORPUS=$CORPUS \
        QUERY_FILE=$QUERY_FILE "$BENCH_BIN" >"$TMP/reuse.txt" 2>&1 || true
fi
[[ -f "$DATA/wenyuan.db" ]] || die "no SQLite database in $DATA"
[[ -s "$QUERY_FILE" ]] || die "no query mix was written (search_bench with QUERY_FILE)"
DOCUMENTS=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM articles").fetchone()[0])' "$DATA/wenyuan.db")
say ""
say "library:  $DOCUMENTS documents; database $(du -sh "$DATA/wenyuan.db" | cut -f1), index $(du -sh "$DATA/index" 2>/dev/null | cut -f1)"

# ---- 1. reindex -------------------------------------------------------------------------------
if [[ "$REINDEX" == 1 ]]; then
    log "wenyuan reindex"
    /usr/bin/time -v -o "$TMP/reindex.time" "$BIN" reindex --data "$DATA" >"$TMP/reindex.out" 2>&1 \
        || { cat "$TMP/reindex.out" >&2; die "reindex failed"; }
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$TMP/reindex.time")
    peak=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$TMP/reindex.time")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.1f", u + s }' "$TMP/reindex.time")
    say ""
    say "-- 1. wenyuan reindex: $(tail -n 1 "$TMP/reindex.out")"
    say "reindex:  $DOCUMENTS documents in $seconds s (whole process) = $(awk -v n="$DOCUMENTS" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') documents/s; peak memory $peak MB; CPU $cpu s; index $(du -sh "$DATA/index" | cut -f1)"
fi

# ---- 2. search over HTTP, memory --------------------------------------------------------------
serve() {
    local data=$1 port=$2
    "$BIN" serve --data "$data" --listen "127.0.0.1:$port" >"$TMP/serve-$port.log" 2>&1 &
    SERVER_PID=$!
}
wait_ready() {
    local base=$1 started=$2
    for _ in $(seq 1 36000); do
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" 2>/dev/null)" == 200 ]]; then
            echo $(( $(date +%s%N) / 1000000 - started ))
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
rss_of() { awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "VmRSS %.0f MB, VmHWM %.0f MB", r / 1024, h / 1024 }' "/proc/$1/status"; }

# Many readers behind one reverse proxy: the reader's address comes from X-Forwarded-For.
grep -q '^trust_proxy' "$DATA/wenyuan.toml" 2>/dev/null || printf 'trust_proxy = true\n' >>"$DATA/wenyuan.toml"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "wenyuan serve on the library; the query mix over HTTP"
started=$(( $(date +%s%N) / 1000000 ))
serve "$DATA" "$PORT"
ready_ms=$(wait_ready "$BASE" "$started") || { tail -n 20 "$TMP/serve-$PORT.log" >&2; die "the server did not become ready"; }
say ""
say "-- 2. wenyuan serve: ready (/readyz 200) $ready_ms ms after start; $(rss_of "$SERVER_PID") before any request"
python3 "$ROOT/bench/search_http.py" "$BASE" "$QUERY_FILE" "$PASSES" | tee "$TMP/http.txt" | tee -a "$OUT"
# Article pages across the library, first views (nothing cached): the time of each.
PAGES=${PAGES:-20}
step=$(( DOCUMENTS / PAGES ))
for id in $(seq 1 "$step" "$DOCUMENTS" | head -n "$PAGES"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$BASE/a/$id"
done | sort -n >"$TMP/pages.txt"
say "article pages, first view: $PAGES pages, median $(awk '{ t[NR] = $1 } END { printf "%.2f", t[int((NR + 1) / 2)] }' "$TMP/pages.txt") s, slowest $(tail -n 1 "$TMP/pages.txt") s"
say "server memory after the queries and the pages: $(rss_of "$SERVER_PID")"
stop_server

# ---- 3. a new node from a snapshot ------------------------------------------------------------
if [[ "$SNAPSHOT" == 1 ]]; then
log "a new node from a snapshot: backup --with-index, restore, serve"
say ""
say "-- 3. a new node from a snapshot (backup --with-index, restore into an empty folder, serve)"
t0=$(( $(date +%s%N) / 1000000 ))
"$BIN" backup --data "$DATA" --with-index --out "$TMP/node.zip" >"$TMP/backup.out" 2>&1 \
    || { cat "$TMP/backup.out" >&2; die "backup failed"; }
t1=$(( $(date +%s%N) / 1000000 ))
"$BIN" restore "$TMP/node.zip" --data "$TMP/node" >"$TMP/restore.out" 2>&1 \
    || { cat "$TMP/restore.out" >&2; die "restore failed"; }
t2=$(( $(date +%s%N) / 1000000 ))
rm -f "$TMP/node.zip"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
serve "$TMP/node" "$PORT"
ready_ms=$(wait_ready "$BASE" "$t2") || { tail -n 20 "$TMP/serve-$PORT.log" >&2; die "the new node did not become ready"; }
found=$(curl -s "$BASE/api/v1/search?q=%E5%8F%91%E5%B1%95" -H 'X-Forwarded-For: 10.9.9.9' | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
say "backup:   $(( t1 - t0 )) ms ($(tail -n 1 "$TMP/backup.out"))"
say "restore:  $(( t2 - t1 )) ms"
say "serve:    ready $ready_ms ms after start; a search for 发展 finds $found documents"
say "new node: $(( (t2 - t1 + ready_ms) / 1000 )) s from restore to searching (plus the backup, taken once on a running node: $(( (t1 - t0) / 1000 )) s)"
stop_server
rm -rf "$TMP/node"
fi

# ---- 4. a new node without a snapshot ---------------------------------------------------------
if [[ "$FILL" == 1 ]]; then
    log "a new node without a snapshot: the database alone, serve fills the index"
    mkdir -p "$TMP/bare"
    cp "$DATA/wenyuan.db" "$TMP/bare/"
    cp "$DATA/wenyuan.toml" "$TMP/bare/" 2>/dev/null || true
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    started=$(( $(date +%s%N) / 1000000 ))
    serve "$TMP/bare" "$PORT"
    ( while kill -0 "$SERVER_PID" 2>/dev/null; do awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null >"$TMP/fill.hwm"; sleep 1; done ) &
    ready_ms=$(wait_ready "$BASE" "$started") || { tail -n 20 "$TMP/serve-$PORT.log" >&2; die "the bare node did not become ready"; }
    say ""
    say "-- 4. a new node without a snapshot (the database alone; the index filled at start)"
    say "fill:     ready $ready_ms ms after start = $(awk -v n="$DOCUMENTS" -v ms="$ready_ms" 'BEGIN { printf "%.0f", n / (ms / 1000) }') documents/s; $(rss_of "$SERVER_PID")"
    grep -E "catch|caught|filling" "$TMP/serve-$PORT.log" | tail -n 3 | tee -a "$OUT" || true
    stop_server
    rm -rf "$TMP/bare"
fi

mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/million-$(date +%Y%m%d-%H%M%S).txt
cp "$OUT" "$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
exit 0
