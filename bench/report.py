"""Write the bench results into docs/PERFORMANCE.md (between the bench markers) and print the table.

    python bench/report.py RESULTS_DIR
RESULTS_DIR holds wrk-<mode>-<name>.json, admin.json, publish.json, machine.json, two_servers.txt.
"""

import json
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

TARGETS = {
    "cached": "cached public pages ≥ 80% of /healthz",
    "uncached_therapy": "uncached therapy page ≥ 25% of /healthz",
    "search_p99": "search p99 < 100 ms",
    "admin": "admin trial change list < 250 ms median",
    "publish": "publishing a 10-object change request < 300 ms",
    "errors": "zero non-2xx responses",
    "api": "cached /api/v1/therapies/ within 10% of the cached therapy list page (issue 17)",
}


def load(directory: Path, name: str):
    path = directory / name
    return json.loads(path.read_text()) if path.exists() else None


def spread(result: dict, field: str, digits: int = 0) -> str:
    """" (lowest–highest)" of a figure measured several times (bench/median_runs.py), or nothing."""
    low_high = result.get("spread", {}).get(field)
    return f" ({low_high[0]:.{digits}f}–{low_high[1]:.{digits}f})" if low_high and result.get("runs", 1) > 1 else ""


def main() -> None:
    directory = Path(sys.argv[1])
    machine = load(directory, "machine.json")
    pages = json.loads((directory / "pages.json").read_text())  # [[name, url], ...]
    lines = [
        f"Measured by `make bench` on {machine['date']}.",
        "",
        f"Machine: {machine['cpu']} ({machine['nproc']} CPUs), {machine['memory']} memory; "
        f"Python {machine['python']}, Django {machine['django']}, {machine['postgresql']}, Redis {machine['redis']}; "
        f"gunicorn {machine['gunicorn']} with 2 sync workers; wrk on the same machine "
        f"(`wrk -t2 -c16 -d{machine['duration']}s --timeout 10s --latency`, 127.0.0.1 only; "
        f"{machine.get('pinned', 'not pinned')}). Each figure is the median of {machine.get('runs', 1)} runs, "
        "with the lowest and highest requests/s in brackets. "
        f"Data: {machine['data']}. Load average (1, 5, 15 min): {machine.get('load', 'not recorded')} — "
        "other work on the machine competes with both gunicorn and wrk.",
        "",
        "| page | URL | cache | requests/s | p50 ms | p99 ms | vs /healthz | non-2xx |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    errors = 0
    results = {}
    for mode in ("on", "off"):
        health = load(directory, f"wrk-{mode}-healthz.json")
        for name, url in pages:
            result = load(directory, f"wrk-{mode}-{name}.json")
            if result is None:
                lines.append(f"| {name} | `{url}` | {mode} | — | — | — | — | not run |")
                continue
            results[(mode, name)] = result
            bad = result["non_2xx"] + result["socket_errors"]
            errors += bad
            ratio = result["rps"] / health["rps"] * 100 if health else 0
            lines.append(
                f"| {name} | `{url}` | {mode} | {result['rps']:.0f}{spread(result, 'rps')} | {result['p50_ms']:.2f} | "
                f"{result['p99_ms']:.2f} | {ratio:.0f}% | {bad} |"
            )
    admin = load(directory, "admin.json")
    publish = load(directory, "publish.json")
    lines += ["", "| operation | median ms | worst ms | runs |", "|---|---:|---:|---:|"]
    if admin:
        lines.append(f"| admin trial change list, signed in, 20 000 trials | {admin['median_ms']} | "
                     f"{admin['p90_ms']} (p90) | {admin['n']} |")
    if publish:
        lines.append(f"| publish a 10-object change request (workflow.publish) | {publish['median_ms']} | "
                     f"{publish['max_ms']} | {publish['n']} |")
    two = directory / "two_servers.txt"
    if two.exists():
        lines += ["", "Two servers (one PostgreSQL, one Redis):", "", "```", two.read_text().strip(), "```"]

    # Targets.
    def ratio(mode, name):
        page, health = results.get((mode, name)), results.get((mode, "healthz"))
        return page["rps"] / health["rps"] * 100 if page and health else None

    cached = {name: ratio("on", name) for name, _ in pages if name != "healthz" and ratio("on", name) is not None}
    worst_cached = min(cached.items(), key=lambda kv: kv[1]) if cached else None
    uncached_therapy = ratio("off", "therapy page")
    search = [r["p99_ms"] for (mode, name), r in results.items() if name.startswith("search")]
    api_list, therapy_list = results.get(("on", "api therapy list")), results.get(("on", "therapy list"))
    api_vs_page = api_list["rps"] / therapy_list["rps"] * 100 if api_list and therapy_list else None
    verdicts = [
        (TARGETS["cached"], worst_cached and f"lowest: {worst_cached[0]} at {worst_cached[1]:.0f}%",
         worst_cached and worst_cached[1] >= 80),
        (TARGETS["uncached_therapy"], uncached_therapy and f"{uncached_therapy:.0f}%",
         uncached_therapy and uncached_therapy >= 25),
        (TARGETS["search_p99"], search and f"uncached p99 {max(search):.1f} ms", search and max(search) < 100),
        (TARGETS["admin"], admin and f"{admin['median_ms']} ms", admin and admin["median_ms"] < 250),
        (TARGETS["publish"], publish and f"{publish['median_ms']} ms median", publish and publish["median_ms"] < 300),
        (TARGETS["errors"], f"{errors} non-2xx or socket errors", errors == 0),
        (TARGETS["api"], api_vs_page and f"{api_vs_page:.0f}% of the page's requests/s",
         api_vs_page and api_vs_page >= 90),
    ]
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in verdicts:
        lines.append(f"| {target} | {measured or 'not measured'} | {'yes' if met else 'NO'} |")
    table = "\n".join(lines)
    print(table)
    write_section(START, END, table)


def write_section(start: str, end: str, table: str) -> None:
    """Put `table` between the markers `start` and `end` of docs/PERFORMANCE.md (added at the end if missing)."""
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    if start not in text:
        text += f"\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    DOC.write_text(f"{before}{start}\n{table}\n{end}{after}")
    print(f"\nWrote the results into {DOC}")


if __name__ == "__main__":
    main()
