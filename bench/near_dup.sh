#!/usr/bin/env bash
# bench/near_dup.sh: near-duplicate detection (SimHash) — precision and recall on pairs made from
# the corpus by small edits against unrelated and same-kind pairs, over distances 0..8; single
# words vs 2-word shingles vs both; and the time to check one new document against STORED
# fingerprints (160,000 for the issue's figure) in a temporary SQLite database.
# See crates/wenyuan/examples/near_dup_bench.rs for what exactly is measured.
#
# Run from the repository root (needs cargo):
#     bench/near_dup.sh                    # NEWS=2000 news items for quality, STORED=160000
#     STORED=20000 bench/near_dup.sh       # a modest lookup run first
# Environment:
#     NEWS (2000)        news items sampled (fixed seed) for the quality pairs
#     STORED (160000)    fingerprints stored for the lookup timing
#     LOOKUPS (1000)     documents checked against them
#     SEED (20240601)    seed of samples and edits
#     QUALITY (1), LOOKUP (1)   run that part
#     TABLES (0)         1 prints the full distance table for each kind of features too
#     CORPUS (../shared/corpus)  folder holding news.jsonl and reports.jsonl
#     CARGO_TARGET_DIR   honoured by the build; the program is looked up there
#     NEAR_DUP_BENCH_BIN use this build of examples/near_dup_bench instead of building
# Prints a report and saves it to bench/results/near_dup-<date>.txt. Exits 0 whether or not the
# figures are good; non-zero only when it cannot run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CORPUS=${CORPUS:-../shared/corpus}
die() { echo "near_dup.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

[[ -f "$CORPUS/news.jsonl" && -f "$CORPUS/reports.jsonl" ]] \
    || die "$CORPUS/news.jsonl or reports.jsonl not found (set CORPUS)"
CORPUS=$(cd "$CORPUS" && pwd)

if [[ -n "${NEAR_DUP_BENCH_BIN:-}" ]]; then
    BIN=$NEAR_DUP_BENCH_BIN
else
    log "cargo build --release -p wenyuan --example near_dup_bench"
    cargo build --release -p wenyuan --example near_dup_bench >&2
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/near_dup_bench
fi
[[ -x "$BIN" ]] || die "program not found: $BIN"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wenyuan-bench-near-dup.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/report.txt
{
    echo "Wenyuan near-duplicate benchmark (SimHash, band index)"
    echo "date:     $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "program:  $BIN"
    echo "machine:  $(nproc) cores, $(uname -sr); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
started=$(date +%s)
CORPUS=$CORPUS NEWS=${NEWS:-2000} STORED=${STORED:-160000} TMPDIR=$TMP "$BIN" | tee -a "$OUT"
echo "wall:     $(($(date +%s) - started)) s" | tee -a "$OUT"

mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/near_dup-$(date +%Y%m%d-%H%M%S).txt
cp "$OUT" "$RESULT"
echo
echo "saved to ${RESULT#"$ROOT"/}"
