#!/usr/bin/env bash
# bench/near_dup_queue.sh: what the duplicates view holds after importing the whole news corpus
# (issue 12, item 6): the pairs proposed, the documents held as pending, and how many of a fixed
# sample of 100 pairs are true duplicates.
#
# Run from the repository root:
#     bench/near_dup_queue.sh                 # builds target/debug/wenyuan if WENYUAN_BIN is unset
# Environment:
#     WENYUAN_BIN   the wenyuan binary to measure (e.g. an older build, for "before")
#     CORPUS (../shared/corpus)   folder holding news.jsonl
#
# "True duplicate" is judged mechanically so that runs compare: character 5-gram Jaccard of
# title + body ≥ 0.8 AND the same numbers (figures, dates, years) in the titles and in the bodies.
# Two daily epidemic notices share a template (Jaccard ~0.4) but not their figures: not duplicates.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CORPUS=${CORPUS:-../shared/corpus}
[[ -f "$CORPUS/news.jsonl" ]] || { echo "near_dup_queue.sh: $CORPUS/news.jsonl not found" >&2; exit 1; }
command -v sqlite3 >/dev/null && command -v python3 >/dev/null \
    || { echo "near_dup_queue.sh: needs sqlite3 and python3" >&2; exit 1; }
if [[ -z "${WENYUAN_BIN:-}" ]]; then
    cargo build -p wenyuan --bin wenyuan >&2
    WENYUAN_BIN=${CARGO_TARGET_DIR:-target}/debug/wenyuan
fi
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
"$WENYUAN_BIN" import --data "$DATA" "$CORPUS/news.jsonl" 2>/dev/null
sqlite3 "$DATA/wenyuan.db" "SELECT 'held as pending: ' || COUNT(*) FROM articles WHERE status = 'pending'"
python3 - "$DATA/wenyuan.db" <<'PY'
import random, re, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
pairs = con.execute("SELECT article_a, article_b FROM near_duplicate_pairs WHERE distance <= 3 "
                    "ORDER BY article_a, article_b").fetchall()
random.seed(20251201)
sample = random.sample(pairs, min(100, len(pairs)))
NUM = re.compile(r"[0-9０-９][0-9０-９.,%万亿千百]*|[一二三四五六七八九十百千万亿零〇两]+[年月日届次号]")
def doc(i):
    return con.execute("SELECT title, body FROM articles WHERE id = ?", (i,)).fetchone()
def grams(s, n=5):
    s = re.sub(r"\s+", "", s)
    return {s[i:i + n] for i in range(max(1, len(s) - n + 1))}
true = 0
for a, b in sample:
    (ta, ba), (tb, bb) = doc(a), doc(b)
    ga, gb = grams(ta + ba), grams(tb + bb)
    jaccard = len(ga & gb) / max(1, len(ga | gb))
    same = all(sorted(NUM.findall(x)) == sorted(NUM.findall(y)) for x, y in ((ta, tb), (ba, bb)))
    true += jaccard >= 0.8 and same
new_year = con.execute(
    "SELECT COUNT(*) FROM near_duplicate_pairs p JOIN articles a ON a.id = p.article_a "
    "JOIN articles b ON b.id = p.article_b WHERE a.title LIKE '%新年贺词%' AND b.title LIKE '%新年贺词%'"
).fetchone()[0]
print(f"pairs proposed: {len(pairs)}; sample: {len(sample)}; true duplicates in it: {true}; "
      f"新年贺词 pairs: {new_year}")
PY
