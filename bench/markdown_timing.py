"""manage.py shell script: Markdown rendering time for hostile texts at the length limit (issue 15).

Each text is as long as the longest Markdown field allows (models/limits.py MAIN_TEXT) and built from
one construct repeated — the shapes that are slow in some parser or in the sanitizer: unmatched
brackets and image openers, emphasis runs, nested quotes and lists, raw HTML, entities, wide tables —
plus ordinary prose of the same length. Every render bypasses the per-process cache. Prints
MARKDOWN_JSON={"limit": ..., "cases": [{"case", "chars", "median_ms", "max_ms", "cpu_median_ms", "cpu_max_ms",
"shown"}], "worst_ms": ..., "worst_cpu_ms": ...}: wall-clock time, and the CPU time of the rendering thread (what
the work costs, whatever else the machine is doing).
"""

import json
import os
import statistics
import time

from therapies.editorial import rendering
from therapies.models import Therapy, limits

LIMIT = limits.MAIN_TEXT
ROUNDS = int(os.environ.get("BENCH_MARKDOWN_ROUNDS", "7"))
prose = "\n\n".join(t.body for t in Therapy.objects.order_by("name"))


def fill(piece: str) -> str:
    return (piece * (LIMIT // len(piece) + 1))[:LIMIT]


def wide_table(columns: int) -> str:
    head = "|".join(["a"] * columns) + "\n" + "|".join(["-"] * columns) + "\n"
    return head + fill("x\n")[: LIMIT - len(head)]


CASES = {
    "ordinary prose (the seed bodies, repeated)": fill(prose + "\n\n"),
    "unmatched [": fill("["),
    "unmatched ![": fill("!["),
    "[a]( without a close": fill("[a]("),
    "nested [[[…]]]": "[" * (LIMIT // 2) + "]" * (LIMIT // 2),
    "emphasis run *_*_": fill("*_"),
    "emphasis words *a _b": fill("*a _b "),
    "backticks `a": fill("`a "),
    "nested quotes >>>>": fill(">"),
    "quote in list in quote > - > -": fill("> - "),
    "list items": fill("- a\n"),
    "raw HTML <div><div>": fill("<div>"),
    "unclosed tags <a <a": fill("<a "),
    "entities &#": fill("&#"),
    "ampersands &": fill("&"),
    "table, 5 columns, 40 rows": ("| a | b | c | d | e |\n|---|---|---|---|---|\n" + "| 1 | 2 | 3 | 4 | 5 |\n" * 40),
    "table, 1,000 columns": wide_table(1000),
    "table, 2 columns, many rows": wide_table(2),
}

results = []
for name, text in CASES.items():
    times, cpu = [], []
    for _ in range(ROUNDS):
        started, started_cpu = time.perf_counter(), time.thread_time()
        rendering._sanitised_html.__wrapped__(text)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    shown = "as Markdown" if rendering.markdown_problem(text) is None else "as plain text (refused for drafts)"
    results.append({"case": name, "chars": len(text), "median_ms": round(statistics.median(times), 2),
                    "max_ms": round(max(times), 2), "cpu_median_ms": round(statistics.median(cpu), 2),
                    "cpu_max_ms": round(max(cpu), 2), "shown": shown})
print("MARKDOWN_JSON=" + json.dumps({"limit": LIMIT, "rounds": ROUNDS, "cases": results,
                                     "worst_ms": max(r["max_ms"] for r in results),
                                     "worst_cpu_ms": max(r["cpu_max_ms"] for r in results)}))
