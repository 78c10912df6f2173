"""Write issue 15's figures (bench/bounded.sh) into docs/PERFORMANCE.md, between the bounded markers.

    python bench/report_bounded.py RESULTS_DIR     (markdown.json, review.json, bounded_machine.json)
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import write_section

START, END = "<!-- bounded:start -->", "<!-- bounded:end -->"
REVIEW_TARGET_MS = 1000
MARKDOWN_TARGET_MS = 100


def main() -> None:
    directory = Path(sys.argv[1])
    machine = json.loads((directory / "bounded_machine.json").read_text())
    markdown = json.loads((directory / "markdown.json").read_text())
    review = json.loads((directory / "review.json").read_text())
    lines = [
        f"Measured by `bench/bounded.sh` (also run by `make bench`) on {machine['date']}, {machine['nproc']} CPUs, "
        f"load average {machine['load']} at the end (other work shares the machine).",
        "",
        "Review page of a change request whose therapy body is a 5,000-word text, or whose risk description is a "
        "hostile text for the reviewer assistant at the 40,000-character limit, as a signed-in reviewer "
        "(gunicorn with `gunicorn.conf.py`, 2 workers, PostgreSQL; median and worst of "
        f"{review[0]['n'] if review else 0} requests):",
        "",
        "| diff | median ms | worst ms | shown as | met (< 1 s) |",
        "|---|---:|---:|---|---|",
    ]
    for case in review:
        shown = case["note"] or f"marked word by word ({case['marks']} marks)"
        met = case["status"] == 200 and case["max_ms"] < REVIEW_TARGET_MS
        verdict = "yes" if met else "NO"
        lines.append(f"| {case['case']} | {case['median_ms']} | {case['max_ms']} | {shown} | {verdict} |")
    lines += [
        "",
        f"Markdown rendering (cmark-gfm, then nh3) of texts at the longest field's limit, {markdown['limit']:,} "
        f"characters, uncached, {markdown['rounds']} renders each; the target is met when the median and the worst CPU "
        "time are under 100 ms:",
        "",
        "| text | characters | median ms | worst ms | CPU ms, median | CPU ms, worst | shown | met (< 100 ms) |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for case in markdown["cases"]:
        # Wall-clock time includes waiting for a core the machine's other work holds; CPU time is the work.
        met = case["median_ms"] < MARKDOWN_TARGET_MS and case["cpu_max_ms"] < MARKDOWN_TARGET_MS
        lines.append(f"| {case['case']} | {case['chars']:,} | {case['median_ms']} | {case['max_ms']} | "
                     f"{case['cpu_median_ms']} | {case['cpu_max_ms']} | {case['shown']} | {'yes' if met else 'NO'} |")
    table = "\n".join(lines)
    print(table)
    write_section(START, END, table)


if __name__ == "__main__":
    main()
