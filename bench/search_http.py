#!/usr/bin/env python3
"""Replay search queries against a running wenyuan over HTTP and report client-side latency.

Used by bench/million.sh. Reads QUERY_FILE (kind, tab, query per line, as search_bench's
QUERY_FILE writes it), sends each as GET /api/v1/search?q=... on one keep-alive connection,
one at a time, each "from" its own reader address (X-Forwarded-For: the server must trust the
proxy header, as behind a reverse proxy, so that the per-address search limit applies per reader).
One warm-up pass, then PASSES measured passes. Latency is from sending the request to having read
the whole JSON answer (hits with their snippets). Prints p50/p90/p99 per kind and overall.

    search_http.py http://127.0.0.1:8080 queries.tsv [PASSES]
"""

import http.client
import json
import sys
import time
import urllib.parse


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: search_http.py BASE_URL QUERY_FILE [PASSES]")
    base = urllib.parse.urlparse(sys.argv[1])
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    queries = []
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            kind, _, text = line.rstrip("\n").partition("\t")
            if text:
                queries.append((kind, text))
    if not queries:
        sys.exit("no queries in " + sys.argv[2])
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=30)
    sent = 0

    def ask(text):
        nonlocal sent
        sent += 1
        reader = "10.%d.%d.%d" % (sent >> 16 & 255, sent >> 8 & 255, sent & 255 or 1)
        path = "/api/v1/search?q=" + urllib.parse.quote(text)
        started = time.perf_counter()
        conn.request("GET", path, headers={"X-Forwarded-For": reader})
        answer = conn.getresponse()
        body = answer.read()
        took = (time.perf_counter() - started) * 1000
        if answer.status != 200:
            sys.exit(f"{answer.status} for {text!r}: {body[:200]!r}")
        return took, json.loads(body)

    for _, text in queries:
        ask(text)
    by_kind = {}
    hits = 0
    snippets = 0
    for _ in range(passes):
        for kind, text in queries:
            took, page = ask(text)
            by_kind.setdefault(kind, []).append(took)
            found = page.get("hits", [])
            hits += len(found)
            snippets += sum(1 for h in found if h.get("snippet"))
    every = sorted(t for times in by_kind.values() for t in times)
    print(f"{len(queries)} queries x {passes} measured pass(es) after one warm-up pass; "
          f"{hits} hits returned, {snippets} with a snippet")
    print(f"{'kind':<32} {'n':>5} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in sorted(by_kind):
        times = sorted(by_kind[kind])
        print(f"{kind:<32} {len(times):>5} {percentile(times, 50):>8.2f} {percentile(times, 90):>8.2f} "
              f"{percentile(times, 99):>8.2f} {times[-1]:>8.2f}")
    print(f"{'all':<32} {len(every):>5} {percentile(every, 50):>8.2f} {percentile(every, 90):>8.2f} "
          f"{percentile(every, 99):>8.2f} {every[-1]:>8.2f}")
    print(f"RESULT p50_ms={percentile(every, 50):.2f} p99_ms={percentile(every, 99):.2f}")


if __name__ == "__main__":
    main()
