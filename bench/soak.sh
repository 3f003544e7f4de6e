#!/usr/bin/env bash
# bench/soak.sh: a bounded soak of `wenyuan serve` on loopback (issue 10, item 7). Two phases:
#
#  1. Mixed load: SOAK_SECONDS (60) of CONNECTIONS (256) connections split evenly over four routes
#     at once: the home page `/`, article pages `/a/{id}` (guests, ids rotating over the library),
#     the search page `/search?q=…` and the JSON search `/api/v1/search?q=…` (queries rotating).
#     Every request comes "from" its own reader: the server trusts X-Forwarded-For (as behind a
#     reverse proxy) and wrk sends a random 10.x.y.z address, so per-address limits act as they
#     would for many readers, not as for one abusive client.
#  2. Login burst: 200 wrong-password logins posted at once (each argon2 hash takes ~19 MiB) while
#     wrk reads an article page for BURST_SECONDS (15); the page's p99 is what readers feel.
#
# Reports per route: requests, requests/s, p50 and p99 latency, non-2xx responses (429 counted
# apart: a rate limit is an answer, not a failure) and socket errors (timeouts are the failures),
# and the server's peak resident memory (VmHWM from /proc). Exits 0 whatever the figures; non-zero
# only when it cannot run. Saves a copy to bench/results/soak-<date>.txt.
#
# Run from the repository root (needs cargo, curl, wrk):
#     bench/soak.sh
#     SOAK_SECONDS=300 CONNECTIONS=512 bench/soak.sh
# Environment: SOAK_SECONDS (60), WARMUP (5, seconds at 4 connections per route first), CONNECTIONS (256), BURST_SECONDS (15), BURST_LOGINS (200),
#     TIMEOUT (2s, wrk's per-request timeout), CORPUS (../shared/corpus), WENYUAN_BIN (skip the
#     build), CARGO_TARGET_DIR, WRK (wrk).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SOAK_SECONDS=${SOAK_SECONDS:-60}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-256}
BURST_SECONDS=${BURST_SECONDS:-15}
BURST_LOGINS=${BURST_LOGINS:-200}
TIMEOUT=${TIMEOUT:-2s}
CORPUS=${CORPUS:-../shared/corpus}
WRK=${WRK:-wrk}
USER_AGENT='Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36'

die() { echo "soak.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for tool in curl "$WRK" awk; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
for file in reports.jsonl news.jsonl; do
    [[ -f "$CORPUS/$file" ]] || die "$CORPUS/$file not found (set CORPUS)"
done
PER_ROUTE=$((CONNECTIONS / 4))
((PER_ROUTE >= 1)) || die "CONNECTIONS must be at least 4"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-soak.XXXXXX")
WENYUAN_PID=""
cleanup() {
    if [[ -n "$WENYUAN_PID" ]] && kill -0 "$WENYUAN_PID" 2>/dev/null; then
        kill -TERM "$WENYUAN_PID" 2>/dev/null || true
        wait "$WENYUAN_PID" 2>/dev/null || true
    fi
    jobs -p | xargs -r kill 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

# ---- build and data ---------------------------------------------------------------------------
if [[ -n "${WENYUAN_BIN:-}" ]]; then
    BIN=$WENYUAN_BIN
else
    log "cargo build --release -p wenyuan"
    cargo build --release -p wenyuan >&2
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/wenyuan
fi
[[ -x "$BIN" ]] || die "binary not found: $BIN"

DATA=$TMP/data
mkdir -p "$DATA"
# Many readers behind one reverse proxy: the client address comes from X-Forwarded-For.
printf 'trust_proxy = true\n' >"$DATA/wenyuan.toml"
log "importing news.jsonl (public) and reports.jsonl (members) into a fresh data folder"
"$BIN" import --data "$DATA" --access public "$CORPUS/news.jsonl" >"$TMP/import.out" 2>&1 \
    || { cat "$TMP/import.out" >&2; die "import failed"; }
"$BIN" import --data "$DATA" --access member "$CORPUS/reports.jsonl" >>"$TMP/import.out" 2>&1 \
    || { cat "$TMP/import.out" >&2; die "import failed"; }
DOCUMENTS=$(awk '/^imported/ { n += $2 } END { print n + 0 }' "$TMP/import.out")

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
WENYUAN_PID=$!
for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    kill -0 "$WENYUAN_PID" 2>/dev/null || { tail -n 20 "$TMP/serve.log" >&2; die "wenyuan exited"; }
    sleep 0.1
done
# Searches must find something: wait until the index has caught up with the import.
for _ in $(seq 1 600); do
    curl -fsS "$BASE/api/v1/search?q=%E5%8F%91%E5%B1%95" 2>/dev/null | grep -q '"total":[1-9]' && break
    sleep 0.5
done

# ---- wrk scripts ------------------------------------------------------------------------------
# One Lua script per route: rotates over PATHS, sends a random reader address and a phone browser's
# User-Agent.
write_script() {
    local name=$1
    shift
    {
        echo 'local paths = {'
        printf '  "%s",\n' "$@"
        echo '}'
        cat <<LUA
local n = 0
math.randomseed(os.time() + ${#name})
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  local from = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", path, { ["X-Forwarded-For"] = from, ["User-Agent"] = "$USER_AGENT" })
end
LUA
    } >"$TMP/$name.lua"
}

urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
QUERIES=(乡村振兴 高质量发展 营商环境 安全生产 科技创新 人工智能 生态文明 全面从严治党 共同富裕 "\"一带一路\"" 民生 改革开放)
SEARCH_PATHS=()
API_PATHS=()
for q in "${QUERIES[@]}"; do
    e=$(urlencode "$q")
    SEARCH_PATHS+=("/search?q=$e")
    API_PATHS+=("/api/v1/search?q=$e")
done
ARTICLE_PATHS=()
step=$(( DOCUMENTS > 500 ? DOCUMENTS / 500 : 1 ))
for ((id = 1; id <= DOCUMENTS; id += step)); do ARTICLE_PATHS+=("/a/$id"); done
write_script home / "/?page=2"
write_script article "${ARTICLE_PATHS[@]}"
write_script search "${SEARCH_PATHS[@]}"
write_script api "${API_PATHS[@]}"

# run_wrk NAME SECONDS CONNECTIONS -> wrk's report in $TMP/NAME.out
run_wrk() {
    local name=$1 seconds=$2 connections=$3
    "$WRK" -t1 -c"$connections" -d"${seconds}s" --timeout "$TIMEOUT" --latency \
        -s "$TMP/$name.lua" "$BASE" >"$TMP/$name.out" 2>&1
}

to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.1f", n }'
}

# One line of the table from a wrk report: route requests rps p50 p99 non2xx socket_errors timeouts
summarise() {
    local name=$1 out=$TMP/$1.out
    local requests rps p50 p99 non2xx sockets timeouts
    requests=$(awk '/ requests in / { print $1 }' "$out")
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    [[ -n "$requests" && -n "$rps" && -n "$p99" ]] || { cat "$out" >&2; die "cannot parse wrk output for $name"; }
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockets=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
    timeouts=$(awk '/Socket errors:/ { gsub(/,/, ""); print $10 }' "$out")
    printf '%-16s %9s %9s %9s %9s %8s %8s %8s\n' "$name" "$requests" "$rps" "$(to_ms "$p50")" \
        "$(to_ms "$p99")" "${non2xx:-0}" "${sockets:-0}" "${timeouts:-0}"
}

peak_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$WENYUAN_PID/status"; }
rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$WENYUAN_PID/status"; }

HEADER=$(printf '%-16s %9s %9s %9s %9s %8s %8s %8s' route requests req/s p50_ms p99_ms non2xx sockerr timeouts)
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

# ---- warm-up -----------------------------------------------------------------------------------
# A few connections per route first (WARMUP seconds, 0 to skip): a node that has just started has
# cold caches, and 256 connections opening at the same instant measure that moment, not the soak.
if ((WARMUP > 0)); then
    log "warm-up: ${WARMUP}s, 4 connections per route"
    for name in home article search api; do
        run_wrk "$name" "$WARMUP" 4 &
    done
    wait $(jobs -p | grep -v "^$WENYUAN_PID$") 2>/dev/null || true
fi

# ---- phase 1: mixed load ---------------------------------------------------------------------
log "phase 1: ${SOAK_SECONDS}s, $CONNECTIONS connections over /, /a/{id}, /search, /api/v1/search"
RSS_START=$(rss_mib)
for name in home article search api; do
    run_wrk "$name" "$SOAK_SECONDS" "$PER_ROUTE" &
done
wait $(jobs -p | grep -v "^$WENYUAN_PID$") 2>/dev/null || true
curl -fsS -o /dev/null "$BASE/healthz" || die "the server does not answer after phase 1"
PHASE1=$(for name in home article search api; do summarise "$name"; done)
PEAK1=$(peak_mib)

# ---- phase 2: login burst ---------------------------------------------------------------------
log "phase 2: $BURST_LOGINS wrong logins at once while wrk reads articles for ${BURST_SECONDS}s"
JAR=$TMP/cookies
curl -fsS -c "$JAR" -o "$TMP/login.html" "$BASE/login" || die "GET /login failed"
CSRF=$(grep -o 'name="csrf" value="[^"]*"' "$TMP/login.html" | head -n1 | sed 's/.*value="//; s/"$//')
[[ -n "$CSRF" ]] || die "no CSRF token on /login"
run_wrk article "$BURST_SECONDS" 32 &
WRK_PID=$!
sleep 1
: >"$TMP/logins"
for n in $(seq 1 "$BURST_LOGINS"); do
    curl -s -o /dev/null -w '%{http_code}\n' -b "$JAR" \
        -H "X-Forwarded-For: 10.200.$((n / 250)).$((n % 250 + 1))" \
        --data-urlencode "name=soak$n" --data-urlencode "password=wrong-password-$n" \
        --data-urlencode "csrf=$CSRF" "$BASE/login" >>"$TMP/logins" &
done
wait $(jobs -p | grep -v -e "^$WENYUAN_PID$" -e "^$WRK_PID$") 2>/dev/null || true
wait "$WRK_PID" || true
PHASE2=$(summarise article)
PEAK2=$(peak_mib)
LOGIN_CODES=$(sort "$TMP/logins" | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
curl -fsS -o /dev/null "$BASE/healthz" || die "the server does not answer after phase 2"

# ---- report -----------------------------------------------------------------------------------
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
REPORT=$(cat <<EOF
wenyuan soak, $(date -u +%Y-%m-%dT%H:%MZ), commit $COMMIT, $(nproc) cores, load before: $LOAD_BEFORE
library: $DOCUMENTS documents (news public, reports member-only); wrk timeout $TIMEOUT

phase 1: ${SOAK_SECONDS}s mixed, $CONNECTIONS connections ($PER_ROUTE per route), after ${WARMUP}s of warm-up
$HEADER
$PHASE1
server memory: ${RSS_START} MiB resident at start, peak ${PEAK1} MiB

phase 2: $BURST_LOGINS wrong logins at once, article pages read meanwhile (32 connections, ${BURST_SECONDS}s)
login answers: $LOGIN_CODES
$HEADER
$PHASE2
server memory: peak ${PEAK2} MiB
EOF
)
echo "$REPORT"
mkdir -p bench/results
echo "$REPORT" >"bench/results/soak-$(date +%Y%m%d-%H%M%S).txt"
