#!/usr/bin/env bash
# bench/search.sh: search throughput, size, latency and known-item quality, Wenyuan's index
# (tantivy) side by side with SQLite FTS5 (trigram tokenizer), at scale 1 (the corpus, ~16.2k
# documents) and scale 10 (the corpus 10 times over, ~162k documents).
# Targets (issue 4): p99 <= 20 ms at 160k documents; known-item recall@10 >= 0.95 for title
# fragments and >= 0.8 for pinyin initials (scale 1).
# Issue 14 item 6: recall@10, MRR@10 and p50/p99 per query kind (fragment as typed, fragment
# across a separator, traditional, initials, 2-character word) beside FTS5, in one table; the
# queries are drawn from the corpus by SEED, none chosen by hand.
#
# Run from the repository root (needs cargo):
#     bench/search.sh              # scale 1, then scale 10 (several minutes)
#     SCALE=1 bench/search.sh      # scale 1 only (quick)
# Environment:
#     SCALE                   one scale only (default: 1 then 10)
#     QUERIES (1000)          latency queries; KNOWN (500) known-item documents (scale 1)
#     SEED (20240601)         seed of the query and known-item samples
#     KEYWORDS (1)            derive keywords before indexing, as a running server does
#     FTS (1)                 also build and query the FTS5 trigram table
#     LIKE_MAX (200)          most queries timed with FTS5's LIKE fallback (it scans the table)
#     CORPUS (../shared/corpus)  folder holding news.jsonl and reports.jsonl
#     CARGO_TARGET_DIR        honoured by the build; the program is looked up there
#     SEARCH_BENCH_BIN        use this build of examples/search_bench instead of building
# Prints a report and saves it to bench/results/search-<date>.txt. Exits 0 whether or not the
# targets are met (a benchmark does not fail a build); non-zero only when it cannot run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CORPUS=${CORPUS:-../shared/corpus}
SCALES=${SCALE:-"1 10"}

die() { echo "search.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[[ -f "$CORPUS/news.jsonl" && -f "$CORPUS/reports.jsonl" ]] \
    || die "$CORPUS/news.jsonl or reports.jsonl not found (set CORPUS)"
CORPUS=$(cd "$CORPUS" && pwd)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-bench-search.XXXXXX")
BENCH_PID=""
cleanup() {
    if [[ -n "$BENCH_PID" ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
        kill -TERM "$BENCH_PID" 2>/dev/null || true
        wait "$BENCH_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build ----------------------------------------------------------------------------------
if [[ -n "${SEARCH_BENCH_BIN:-}" ]]; then
    BIN=$SEARCH_BENCH_BIN
else
    log "cargo build --release -p wenyuan --example search_bench"
    cargo build --release -p wenyuan --example search_bench >&2
    TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
    BIN=$TARGET_DIR/release/examples/search_bench
fi
[[ -x "$BIN" ]] || die "program not found: $BIN"

commit_info() {
    local c
    if c=$(git rev-parse --short HEAD 2>/dev/null); then
        git diff --quiet HEAD -- crates 2>/dev/null || c+=" + uncommitted changes in crates/"
        echo "$c"
    else
        echo "unknown (not a git checkout)"
    fi
}

OUT=$TMP/report.txt
{
    echo "Wenyuan search benchmark: tantivy index vs SQLite FTS5 trigram"
    echo "date:     $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit:   $(commit_info)"
    echo "machine:  $(nproc) cores, $(uname -sr); $(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1e6 }' /proc/meminfo)"
    echo "disk:     work folder in ${TMPDIR:-/tmp} (part of what is measured)"
} >"$OUT"
cat "$OUT"

for scale in $SCALES; do
    [[ "$scale" =~ ^[0-9]+$ && "$scale" -ge 1 ]] || die "bad scale: $scale"
    log "scale $scale"
    {
        echo
        echo "======== scale $scale ========"
        echo "loadavg:  $(cut -d' ' -f1-3 /proc/loadavg) before this scale (other work on the machine skews latency)"
    } | tee -a "$OUT"
    started=$(date +%s)
    SCALE=$scale CORPUS=$CORPUS WORK=$TMP/scale-$scale "$BIN" > >(tee -a "$OUT") &
    BENCH_PID=$!
    wait "$BENCH_PID" || die "the benchmark failed at scale $scale"
    BENCH_PID=""
    echo "wall:     $(($(date +%s) - started)) s for scale $scale; loadavg after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
done

mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/search-$(date +%Y%m%d-%H%M%S).txt
# Let tee finish writing before the copy.
sleep 0.2
cp "$OUT" "$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
exit 0
