#!/usr/bin/env python3
"""bench/suggest_ceiling.py: the best score any suggestion ranking can reach on issue 14's
"typed title start" measure, on the shared corpus.

The measure: a reader types the first K characters of a title (or the pinyin initials of those
characters) and we count how often that title is among the L suggestions shown. A ranking that
does not know which title the reader wants shows the same L titles for a given start, so among the
n titles that share a start at most min(L, n) can ever be found. Sampling titles uniformly, the
ceiling is therefore  sum over starts of min(L, n_start) / (number of titles).

Run from the repository root:   python3 bench/suggest_ceiling.py   (K=4 L=8 CORPUS=../shared/corpus)
Initials need the pypinyin package (pip install pypinyin); without it only characters are shown.
"""
import collections
import json
import os
import sys
import unicodedata

K = int(os.environ.get("K", 4))
L = int(os.environ.get("L", 8))
CORPUS = os.environ.get("CORPUS", "../shared/corpus")


def folded(title):
    """The title as suggestions compare it: separators (spaces, punctuation, brackets) aside."""
    return "".join(
        c for c in title if unicodedata.category(c)[0] not in ("P", "Z", "S", "C")
    )


def titles():
    seen = set()
    for name in ("news.jsonl", "reports.jsonl"):
        with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
            for line in f:
                try:
                    title = json.loads(line)["title"].strip()
                except (ValueError, KeyError):
                    continue
                if title:
                    seen.add(title)
    return sorted(seen)


def ceiling(keys):
    groups = collections.Counter(keys)
    n = len(keys)
    best = sum(min(L, c) for c in groups.values()) / n
    crowded = sum(c for c in groups.values() if c > L) / n
    return best, crowded, groups.most_common(5)


def main():
    all_titles = titles()
    print(f"{len(all_titles)} distinct titles in {CORPUS}; typed start K={K}, suggestions L={L}")
    best, crowded, top = ceiling([folded(t)[:K] for t in all_titles])
    print(f"characters: ceiling {best:.3f}; titles whose start more than {L} titles share: {crowded:.3f}")
    print("  most shared starts:", ", ".join(f"{k} ({c})" for k, c in top))
    try:
        from pypinyin import Style, lazy_pinyin
    except ImportError:
        print("initials: pypinyin is not installed (pip install pypinyin)", file=sys.stderr)
        return
    keys = [
        "".join(p[0] for p in lazy_pinyin(folded(t)[:K], style=Style.FIRST_LETTER) if p)
        for t in all_titles
    ]
    best, crowded, top = ceiling(keys)
    print(f"initials:   ceiling {best:.3f}; titles whose start more than {L} titles share: {crowded:.3f}")
    print("  most shared starts:", ", ".join(f"{k} ({c})" for k, c in top))


if __name__ == "__main__":
    main()
