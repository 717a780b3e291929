"""Small timing helpers shared by the benchmark stages."""

import contextlib
import json
import math
import os
import time


def percentile(values, pct):
    """Nearest-rank percentile (pct in 0-100) of a non-empty list; None for an empty one."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def time_queries(run_one, queries, *, repeats, warmup=1, before=None):
    """Run each query `warmup` times untimed, then `repeats` times timed, round-robin.

    `before`, when given, runs untimed before each timed query (e.g. to empty a cache).

    Returns {"samples_ms": [...], "per_query": {name: {"p50_ms", "p95_ms", "count"}}}.
    Round-robin (not one query repeated back to back) so no query only ever hits a warm cache.
    """
    per_query = {q.name: [] for q in queries}
    counts = {}
    for _ in range(warmup):
        for q in queries:
            counts[q.name] = run_one(q)
    for _ in range(repeats):
        for q in queries:
            if before is not None:
                before()
            start = time.perf_counter()
            run_one(q)
            per_query[q.name].append((time.perf_counter() - start) * 1000)
    samples = [ms for values in per_query.values() for ms in values]
    return {
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "per_query": {
            name: {
                "p50_ms": round(percentile(values, 50), 2),
                "p95_ms": round(percentile(values, 95), 2),
                "count": counts.get(name),
            }
            for name, values in per_query.items()
        },
    }


def folder_size(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(root, name))
    return total


def proc_status_kb(pid, key):
    """A field of /proc/PID/status in kB (RssAnon, VmRSS, VmHWM), or None."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def emit(obj):
    """Stages print one JSON line last; the orchestrator reads it."""
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in stage output:\n" + text[-2000:])
