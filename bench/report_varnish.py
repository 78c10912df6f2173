"""Write issue 16's figures (Varnish in front, bench/run.sh) into docs/PERFORMANCE.md, between the varnish markers.

    python bench/report_varnish.py RESULTS_DIR   (wrk-on-healthz.json, wrk-varnish-therapy.json,
                                                  varnish-storm.json, machine.json)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import load, spread, write_section

START, END = "<!-- varnish:start -->", "<!-- varnish:end -->"
TIMES_HEALTHZ = 5
HIT_RATIO = 0.98  # issue 27 (was 95% in issue 16)
P99_MS = 20


def verdict(met) -> str:
    return "yes" if met else "NO"


def probe_rows(probe: dict | None) -> list[str]:
    """What a reader feels: the probe of readers arriving on their own schedule (bench/reader_probe.py)."""
    if not probe or probe.get("p99_ms") is None:
        return []
    return [
        f"| … readers arriving on their own schedule ({probe['rate_per_s']:g} a second, {probe['readers']:.0f} "
        f"readers, {probe['errors']:.0f} errors): p50 {probe['p50_ms']} ms, max {probe['max_ms']} ms | p99 "
        f"{probe['p99_ms']} ms | < {P99_MS} ms | {verdict(probe['p99_ms'] < P99_MS and not probe['errors'])} |",
    ]


def main() -> None:
    directory = Path(sys.argv[1])
    machine = load(directory, "machine.json")
    health, page = load(directory, "wrk-on-healthz.json"), load(directory, "wrk-varnish-therapy.json")
    storm = load(directory, "varnish-storm.json")
    times = page["rps"] / health["rps"] if page and health else None
    lines = [
        f"Measured by `make bench` on {machine['date']} ({machine['nproc']} CPUs; load average "
        f"{machine['load']}). Data: {machine['data']}. Varnish {machine.get('varnish', '')} with "
        "`deploy/varnish/msinfo.vcl` (malloc storage, soft purges) in front of gunicorn (2 workers, page cache "
        f"on, Redis); wrk and the reader probe on the same machine ({machine.get('pinned', 'not pinned')}). "
        f"Each figure is the median of {machine.get('runs', 1)} runs, the lowest and highest in brackets; the "
        "visibility column lists every publish of every run.",
        "",
        "| measure | measured | target | met |",
        "|---|---|---|---|",
    ]
    if times is not None:
        lines.append("| cached therapy page through Varnish (`wrk -t2 -c16`, as for /healthz) | "
                     f"{page['rps']:.0f}{spread(page, 'rps')} req/s, p99 {page['p99_ms']:.2f} ms = {times:.1f}× "
                     f"gunicorn's /healthz ({health['rps']:.0f}{spread(health, 'rps')} req/s) | ≥ {TIMES_HEALTHZ}× | "
                     f"{verdict(times >= TIMES_HEALTHZ)} |")
    if storm:
        delays = storm["visible_within_s"]
        worst = max(delays) if delays else None
        storm_name = (f"publish storm: a publish every {storm['interval']:g} s for {storm['seconds']} s, wrk "
                      f"(`-c{storm['connections']}`) reading {storm['urls']} URLs through Varnish")
        lines += [
            f"| {storm_name}: hit ratio (varnishstat: {storm['hits']} hits; {storm['misses']} misses, "
            f"hit-for-miss, passes) | {storm['hit_ratio'] * 100:.1f}% | ≥ {HIT_RATIO * 100:.0f}% | "
            f"{verdict(storm['hit_ratio'] >= HIT_RATIO)} |",
            f"| … wrk's p99 ({storm['rps']:.0f} req/s, p50 {storm['p50_ms']} ms) | {storm['p99_ms']} ms"
            f"{spread(storm, 'p99_ms', 1)} | < {P99_MS} ms | "
            f"{verdict(storm['p99_ms'] is not None and storm['p99_ms'] < P99_MS)} |",
            *probe_rows(storm.get("probe")),
            f"| … non-2xx | {storm['non_2xx']} | 0 | {verdict(storm['non_2xx'] == 0)} |",
            f"| … each published change visible through Varnish after its commit ({storm['publishes']} publishes, "
            f"{storm['failed_publishes']} failed; from `published_at`, which also counts the publish's own work: "
            f"the publish requests took {storm.get('publish_request_s')} s) | each: {delays} s, worst {worst} s | "
            f"≤ {storm['visible_limit_s']:g} s | "
            f"{verdict(worst is not None and worst <= storm['visible_limit_s'] and not storm['failed_publishes'])} |",
        ]
    table = "\n".join(lines)
    print(table)
    write_section(START, END, table)


if __name__ == "__main__":
    main()
