#!/usr/bin/env bash
# bench/article_page.sh: throughput and latency of the anonymous (guest) article page, /a/1,
# served by `wenyuan serve`, side by side with nginx serving the very same bytes as a static file.
# nginx is the ceiling for "send a few tens of KB of cached HTML over loopback" on this machine;
# the target is wenyuan >= 0.5 x nginx in median requests/s. Two pairs are measured: plain (no
# Accept-Encoding) and gzip (`Accept-Encoding: gzip`, nginx serving a pre-gzipped copy with
# gzip_static). wrk sends a browser User-Agent, so wenyuan's view counting is on the measured path.
#
# Run from the repository root (needs cargo, curl, wrk, nginx):
#     bench/article_page.sh
#     ROUNDS=5 DURATION=20 bench/article_page.sh
# Environment:
#     ROUNDS (3)      wrk runs against each server, alternating wenyuan, nginx, wenyuan, ...
#     DURATION (10)   seconds per wrk run
#     THREADS (2), CONNECTIONS (32)   wrk -t / -c
#     CORPUS (../shared/corpus)       folder holding reports.jsonl
#     CARGO_TARGET_DIR                honoured by the build; the binary is looked up there
#     WENYUAN_BIN                     use this binary instead of building
#     NGINX (nginx on PATH, else /usr/sbin/nginx), WRK (wrk)
#     MODES ("plain gzip")            which pairs to measure
#     USER_AGENT (a desktop Chrome)   sent by curl and wrk; a browser's, so that views are counted
# Prints a table and saves it to bench/results/article_page-<date>.txt. Exits 0 whether or not
# the target is met (a benchmark does not fail a build); exits non-zero only when it cannot run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
CORPUS=${CORPUS:-../shared/corpus}
TARGET_RATIO=0.5
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
WRK=${WRK:-wrk}
MODES=${MODES:-plain gzip}
USER_AGENT=${USER_AGENT:-Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36}

die() { echo "article_page.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for mode in $MODES; do
    [[ $mode == plain || $mode == gzip ]] || die "unknown mode '$mode' in MODES (plain, gzip)"
done
for tool in curl gzip cmp "$WRK" "$NGINX"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[[ -f "$CORPUS/reports.jsonl" ]] || die "$CORPUS/reports.jsonl not found (set CORPUS)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-bench-article.XXXXXX")
WENYUAN_PID=""
NGINX_PID=""
cleanup() {
    local pid
    for pid in "$WENYUAN_PID" "$NGINX_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: try random ones until nothing answers.
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# Poll a URL until it answers 200, or give up after ~15 s.
wait_for() {
    local url=$1 pid=$2 i
    for i in $(seq 1 150); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

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

# ---- data -------------------------------------------------------------------------------------
DATA=$TMP/data
log "importing $CORPUS/reports.jsonl into a fresh data folder"
"$BIN" import --data "$DATA" --access member "$CORPUS/reports.jsonl" >"$TMP/import.out" 2>"$TMP/import.err" \
    || { cat "$TMP/import.out" "$TMP/import.err" >&2; die "import failed"; }
IMPORT_SUMMARY=$(tail -n 1 "$TMP/import.out")

# ---- wenyuan ----------------------------------------------------------------------------------
WPORT=$(free_port)
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$WPORT" >"$TMP/serve.log" 2>&1 &
WENYUAN_PID=$!
wait_for "http://127.0.0.1:$WPORT/healthz" "$WENYUAN_PID" \
    || { tail -n 20 "$TMP/serve.log" >&2; die "wenyuan did not come up on port $WPORT"; }

API=$(curl -fsS "http://127.0.0.1:$WPORT/api/v1/articles/1") || die "GET /api/v1/articles/1 failed"
grep -Eq '"gated"[[:space:]]*:[[:space:]]*true' <<<"$API" \
    || die "document 1 is not gated for a guest; the benchmark needs the gated page"

# ---- the static copy for nginx ----------------------------------------------------------------
mkdir -p "$TMP/www/a"
PAGE=$TMP/www/a/1
WEN_URL="http://127.0.0.1:$WPORT/a/1"
# One read first, with the User-Agent wrk sends: it counts this reader's view, so the count the page
# shows stays the same for every later request from that reader (wrk, which keeps no cookies, is
# recognised by address and User-Agent), and the saved copy matches what wrk gets.
curl -fsS -o /dev/null -A "$USER_AGENT" "$WEN_URL" || die "GET /a/1 failed"
DOWNLOADED=$(curl -fsS -o "$PAGE" -A "$USER_AGENT" -w '%{size_download}' "$WEN_URL") || die "GET /a/1 failed"
PAGE_BYTES=$(wc -c <"$PAGE" | tr -d ' ')
[[ "$PAGE_BYTES" == "$DOWNLOADED" && "$PAGE_BYTES" -gt 0 ]] \
    || die "saved $PAGE_BYTES bytes but the response had $DOWNLOADED"
# The gzip form wenyuan sends must decompress to the same page.
curl -fsS -o "$TMP/wenyuan.gz" -A "$USER_AGENT" -H 'Accept-Encoding: gzip' -D "$TMP/wenyuan-gz.headers" "$WEN_URL" \
    || die "GET /a/1 with Accept-Encoding: gzip failed"
grep -qi '^content-encoding:[[:space:]]*gzip' "$TMP/wenyuan-gz.headers" \
    || die "wenyuan does not answer Accept-Encoding: gzip with a gzip body"
gzip -dc "$TMP/wenyuan.gz" | cmp -s - "$PAGE" || die "wenyuan's gzip page does not decompress to the plain page"
WEN_GZ_BYTES=$(wc -c <"$TMP/wenyuan.gz" | tr -d ' ')
# nginx's pre-compressed copy for gzip_static (level 6, gzip's default, no name or time stamp).
gzip -6 -n -c "$PAGE" >"$PAGE.gz"
PAGE_GZ_BYTES=$(wc -c <"$PAGE.gz" | tr -d ' ')
# nginx workers may run as another user (when started as root): let them read the page.
chmod 755 "$TMP" "$TMP/www" "$TMP/www/a"
chmod 644 "$PAGE" "$PAGE.gz"

# ---- nginx ------------------------------------------------------------------------------------
NPORT=$(free_port)
while [[ "$NPORT" == "$WPORT" ]]; do NPORT=$(free_port); done
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    types { }
    default_type text/html;
    charset utf-8;
    gzip_static on;
    gzip_vary on;
    server {
        listen 127.0.0.1:$NPORT;
        root $TMP/www;
        location / { }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" >"$TMP/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NPORT/a/1"
wait_for "$NGINX_URL" "$NGINX_PID" \
    || { cat "$TMP/nginx/stdout.log" "$TMP/nginx/error.log" >&2 2>/dev/null; die "nginx did not come up on port $NPORT"; }
curl -fsS -o "$TMP/nginx-copy" "$NGINX_URL"
cmp -s "$PAGE" "$TMP/nginx-copy" || die "nginx does not serve the same bytes"
NGINX_TYPE=$(curl -fsS -o /dev/null -w '%{content_type}' "$NGINX_URL")
[[ "$NGINX_TYPE" == text/html* ]] || die "nginx serves Content-Type '$NGINX_TYPE'"
curl -fsS -o "$TMP/nginx.gz" -H 'Accept-Encoding: gzip' -D "$TMP/nginx-gz.headers" "$NGINX_URL"
grep -qi '^content-encoding:[[:space:]]*gzip' "$TMP/nginx-gz.headers" \
    || die "nginx does not serve the pre-gzipped copy (gzip_static)"
cmp -s "$PAGE.gz" "$TMP/nginx.gz" || die "nginx's gzip copy differs from $PAGE.gz"

# ---- wrk --------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)

# Latency value with unit (us, ms, s, m) -> milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        else if (u == "h") n *= 3600000
        printf "%.3f", n }'
}

# CPU time (user + system, in clock ticks) used so far by the given processes.
cpu_ticks() {
    local pid total=0 ticks
    for pid in "$@"; do
        # utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
        ticks=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || ticks=0
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# The processes doing a server's work: wenyuan itself, or nginx's master and workers.
server_pids() {
    if [[ $1 == wenyuan ]]; then
        echo "$WENYUAN_PID"
    else
        echo "$NGINX_PID"
        cat "/proc/$NGINX_PID/task/"*/children 2>/dev/null || pgrep -P "$NGINX_PID" || true
    fi
}

# run_wrk NAME MODE URL DURATION -> prints "rps p50_ms p99_ms errors cpu_us_per_request"
run_wrk() {
    local name=$1 mode=$2 url=$3 secs=$4 out rps p50 p99 errors requests before after pids
    local -a extra=(-H "User-Agent: $USER_AGENT")
    [[ $mode == gzip ]] && extra+=(-H 'Accept-Encoding: gzip')
    read -r -a pids <<<"$(server_pids "$name" | tr '\n' ' ')"
    out=$TMP/wrk-$name-$mode-$RANDOM.txt
    before=$(cpu_ticks "${pids[@]}")
    "$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "${extra[@]}" "$url" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk against $name failed"; }
    after=$(cpu_ticks "${pids[@]}")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    requests=$(awk '/ requests in / { print $1 }' "$out")
    [[ -n "$rps" && -n "$p50" && -n "$p99" && -n "$requests" ]] || { cat "$out" >&2; die "cannot parse wrk output"; }
    errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
    echo "$rps $(to_ms "$p50") $(to_ms "$p99") $errors $(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v r="$requests" 'BEGIN { printf "%.1f", (r > 0 ? t / hz * 1e6 / r : 0) }')"
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

log "warming up both servers (2 s each per mode)"
for mode in $MODES; do
    run_wrk wenyuan "$mode" "$WEN_URL" 2 >/dev/null
    run_wrk nginx "$mode" "$NGINX_URL" 2 >/dev/null
done

# Per "server mode": space-separated values, one per round.
declare -A RPS=() P50=() P99=() CPU=()
ROWS=""
TOTAL_ERRORS=0
for round in $(seq 1 "$ROUNDS"); do
    for mode in $MODES; do
        for name in wenyuan nginx; do
            if [[ $name == wenyuan ]]; then url=$WEN_URL; else url=$NGINX_URL; fi
            log "round $round/$ROUNDS: $name, $mode (${DURATION}s)"
            result=$(run_wrk "$name" "$mode" "$url" "$DURATION")
            read -r rps p50 p99 errors cpu <<<"$result"
            TOTAL_ERRORS=$((TOTAL_ERRORS + errors))
            key="$name $mode"
            RPS[$key]+="$rps "; P50[$key]+="$p50 "; P99[$key]+="$p99 "; CPU[$key]+="$cpu "
            ROWS+=$(printf '%-7s %-8s %-6s %12.0f %10.2f %10.2f %14.1f %8s' "$round" "$name" "$mode" "$rps" "$p50" "$p99" "$cpu" "$errors")$'\n'
        done
    done
done

MEDIANS=""
RATIOS=""
for mode in $MODES; do
    for name in wenyuan nginx; do
        key="$name $mode"
        # shellcheck disable=SC2086 # word splitting of the value lists is intended
        MEDIANS+=$(printf '%-7s %-8s %-6s %12.0f %10.2f %10.2f %14.1f' median "$name" "$mode" \
            "$(median ${RPS[$key]})" "$(median ${P50[$key]})" "$(median ${P99[$key]})" "$(median ${CPU[$key]})")$'\n'
    done
    # shellcheck disable=SC2086
    w_med=$(median ${RPS["wenyuan $mode"]})
    # shellcheck disable=SC2086
    n_med=$(median ${RPS["nginx $mode"]})
    ratio=$(awk -v w="$w_med" -v n="$n_med" 'BEGIN { printf "%.3f", (n > 0 ? w / n : 0) }')
    if awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { exit !(r >= t) }'; then
        verdict="PASS (ratio $ratio >= $TARGET_RATIO)"
    else
        verdict="BELOW TARGET (ratio $ratio < $TARGET_RATIO)"
    fi
    RATIOS+="ratio wenyuan/nginx, $mode (median requests/s): $ratio   target >= $TARGET_RATIO: $verdict"$'\n'
done

REPORT=$(
    echo "Wenyuan article page (guest, gated /a/1) vs nginx static copy of the same bytes"
    echo "date:        $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit:      $(commit_info)"
    echo "machine:     $(nproc) cores, $(uname -sr); $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'); $("$WRK" -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
    echo "loadavg:     load average before the runs $LOAD_BEFORE (other work on the machine skews the figures)"
    echo "load:        wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS rounds each, alternating (client and servers share the machine)"
    echo "user agent:  $USER_AGENT (a browser: views are counted; wrk keeps no cookies, so it is one reader)"
    echo "import:      $IMPORT_SUMMARY"
    echo "page size:   $PAGE_BYTES bytes text/html (plain: no Accept-Encoding);" \
        "gzip: wenyuan sends $WEN_GZ_BYTES bytes, nginx $PAGE_GZ_BYTES (gzip_static, gzip -6 of the same page)"
    echo
    printf '%-7s %-8s %-6s %12s %10s %10s %14s %8s\n' round server mode "requests/s" "p50 ms" "p99 ms" "server CPU us" errors
    printf '%s' "$ROWS"
    printf '%s' "$MEDIANS"
    echo
    echo "server CPU us = CPU time (user + system) the server used per request; robust to other load, unlike requests/s"
    printf '%s' "$RATIOS"
    if [[ $TOTAL_ERRORS -gt 0 ]]; then
        echo "WARNING: $TOTAL_ERRORS non-2xx responses or socket errors during the runs"
    fi
)

echo
echo "$REPORT"
mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/article_page-$(date +%Y%m%d-%H%M%S).txt
echo "$REPORT" >"$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
exit 0
