"""Median time of the admin trial change list, as a signed-in reviewer, on a running server.

    python bench/admin_timing.py http://127.0.0.1:8200 USER PASSWORD [N]
Prints one JSON line: {"median_ms": ..., "p90_ms": ..., "n": ..., "statuses": {...}}
"""

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from http_client import Session


def main() -> None:
    base, username, password = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    session = Session(base)
    session.login(username, password)
    session.request("/admin/therapies/trial/")  # warm up
    times, statuses = [], Counter()
    for _ in range(n):
        started = time.perf_counter()
        status, html, _ = session.request("/admin/therapies/trial/")
        times.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    if "SYNTHETIC TRIAL" not in html:
        raise SystemExit("The trial change list did not show the synthetic trials")
    times.sort()
    print(json.dumps({"median_ms": round(statistics.median(times), 1),
                      "p90_ms": round(times[int(len(times) * 0.9) - 1], 1), "n": n, "statuses": dict(statuses)}))


if __name__ == "__main__":
    main()
