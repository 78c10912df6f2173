"""Uncached /search/ timing through Django's test client (no server, no page cache).

    DATABASE_URL=postgres://… PAGE_CACHE=0 python bench/search_timing.py [N] [QUERY ...]

Runs N (default 50) sequential requests per query after one warm-up request and prints one
JSON line per query: {"query": ..., "p50_ms": ..., "p99_ms": ..., "max_ms": ..., "n": ..., "queries": ...}.
With N < 100, p99 is the slowest request but one rounded up: for N = 50 it is the 50th value.
"""

import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msinfo.settings")
os.environ["PAGE_CACHE"] = "0"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

DEFAULT_QUERIES = ["natalizumab", "synthetic", "infusion", "NCT80010000", "NCT01247324"]


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1)]


def main() -> None:
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 50
    queries = args or DEFAULT_QUERIES
    client = Client(HTTP_HOST="127.0.0.1")
    for query in queries:
        response = client.get("/search/", {"q": query})  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"/search/?q={query} answered {response.status_code}")
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": query})
        query_count = len(captured)  # now: the next request resets Django's query log
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get("/search/", {"q": query})
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(json.dumps({"query": query, "p50_ms": round(statistics.median(times), 1),
                          "p99_ms": round(percentile(times, 0.99), 1), "max_ms": round(times[-1], 1), "n": n,
                          "queries": query_count}), flush=True)


if __name__ == "__main__":
    main()
