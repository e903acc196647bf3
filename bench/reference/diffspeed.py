"""Reference diffs for the benchmark, timed in-process.

Reads a JSON list of {name, old, new} texts and prints, for each, the
median time of:
  - a character diff with semantic cleanup (the diff-match-patch library,
    with its default 1 s timeout), as server-side article trackers use;
  - a word-level sequence match (Python's difflib), as page-change
    monitors use.
"""
import difflib
import json
import sys
import time

from diff_match_patch import diff_match_patch


def median_ns(f, min_runs=3, max_runs=50, budget_s=0.3):
    f()  # warm up
    runs = []
    start = time.perf_counter()
    while len(runs) < min_runs or (len(runs) < max_runs and time.perf_counter() - start < budget_s):
        t0 = time.perf_counter_ns()
        f()
        runs.append(time.perf_counter_ns() - t0)
    runs.sort()
    return runs[len(runs) // 2]


def main():
    pairs = json.load(open(sys.argv[1], encoding="utf-8"))
    dmp = diff_match_patch()
    out = []
    for p in pairs:
        a, b = p["old"], p["new"]

        def by_chars():
            d = dmp.diff_main(a, b)
            dmp.diff_cleanupSemantic(d)

        aw, bw = a.split(), b.split()

        def by_words():
            difflib.SequenceMatcher(None, aw, bw).get_opcodes()

        out.append({"name": p["name"], "dmp_ns": median_ns(by_chars), "difflib_ns": median_ns(by_words)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
