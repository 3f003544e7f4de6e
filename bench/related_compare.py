#!/usr/bin/env python3
# bench/related_compare.py DB BASE: run next to a `wenyuan serve` on a large library (e.g. the one
# bench/million.sh builds: DB=<data>/wenyuan.db, BASE=http://127.0.0.1:PORT).
# For the 20 documents million.sh opens: the related list the running server gives
# (/api/v1/articles/ID/related?limit=20, champion lists) against the list the old exact query
# gives with the same boosts (session 9's SQL + Related::related's scoring), and the time of each.
import json, sqlite3, sys, time, urllib.request
db, base = sys.argv[1], sys.argv[2]
c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
n = c.execute("select count(*) from articles").fetchone()[0]
ids = list(range(1, n + 1, n // 20))[:20]
OLD = """SELECT s.id, a.category_id, s.similarity,
 (SELECT COUNT(*) FROM article_tags t1 JOIN article_tags t2 ON t2.tag_id = t1.tag_id
  WHERE t1.article_id = ? AND t2.article_id = s.id) AS shared_tags
 FROM (SELECT k2.article_id AS id, SUM(k1.weight * k2.weight) AS similarity
       FROM article_keywords k1 JOIN article_keywords k2 ON k2.keyword = k1.keyword
       WHERE k1.article_id = ? AND k2.article_id <> ?
       GROUP BY k2.article_id ORDER BY similarity DESC LIMIT 60) s
 JOIN articles a ON a.id = s.id WHERE a.status = 'published' ORDER BY s.similarity DESC"""
same8 = same20 = 0
new_ms, old_ms = [], []
for i in ids:
    cat = c.execute("select category_id from articles where id = ?", (i,)).fetchone()[0]
    t = time.perf_counter()
    rows = c.execute(OLD, (i, i, i)).fetchall()
    old_ms.append((time.perf_counter() - t) * 1000)
    scored = []
    for rid, rcat, sim, shared in rows:
        if sim >= 0.98:
            continue
        s = sim + (0.15 if cat is not None and rcat == cat else 0) + min(shared * 0.05, 0.15)
        scored.append((round(s * 1000) / 1000, rid))
    scored.sort(key=lambda x: (-x[0], -x[1]))
    old = [rid for _, rid in scored[:20]]
    t = time.perf_counter()
    new = [r["id"] for r in json.load(urllib.request.urlopen(f"{base}/api/v1/articles/{i}/related?limit=20"))]
    new_ms.append((time.perf_counter() - t) * 1000)
    a8, a20 = len(set(old[:8]) & set(new[:8])), len(set(old) & set(new))
    same8 += a8; same20 += a20
    print(f"id {i}: old {old_ms[-1]:.0f} ms, new (HTTP, first) {new_ms[-1]:.0f} ms; shared of the first 8: {a8}/8, of 20: {a20}/{len(old)}", flush=True)
med = lambda v: sorted(v)[len(v) // 2]
print(f"old query median {med(old_ms):.0f} ms (max {max(old_ms):.0f}); new list over HTTP median {med(new_ms):.1f} ms (max {max(new_ms):.1f})")
print(f"the same documents: {same8}/{8*len(ids)} of the first 8 (the page shows 8), {same20} of the first 20")
