"""Time the review page of change requests on a running server, as a signed-in reviewer (issue 15).

    python bench/review_timing.py http://127.0.0.1:8200 USER PASSWORD '{"case": change_request_id, ...}' [N]
Prints one JSON line per case: {"case": ..., "median_ms": ..., "max_ms": ..., "n": ..., "status": ...,
"note": the note the page shows instead of word marks, if any}.
"""

import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from http_client import Session


def main() -> None:
    base, username, password, cases = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    session = Session(base)
    session.login(username, password)
    results = []
    for case, pk in cases.items():
        path = f"/admin/therapies/changerequest/{pk}/change/"
        status, html, _ = session.request(path)  # warm up
        times = []
        for _ in range(n):
            started = time.perf_counter()
            status, html, _ = session.request(path)
            times.append((time.perf_counter() - started) * 1000)
        note = re.search(r'<tr class="diff-note">.*?<p>(.*?)</p>', html, re.S)
        results.append({"case": case, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                        "n": n, "status": status, "marks": html.count("<ins>") + html.count("<del>"),
                        "note": note.group(1).split(":")[0] if note else ""})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
