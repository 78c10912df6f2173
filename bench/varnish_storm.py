"""manage.py shell script: the publish storm through Varnish (issue 16), run by bench/run.sh.

While wrk reads a mix of BENCH_STORM_URLS public URLs (default 2,000) through Varnish for
BENCH_STORM_SECONDS (default 60), a reviewer publishes one change request every
BENCH_STORM_INTERVAL seconds (default 5) through the app server's admin, each changing the
summary of a trial in the mix. After each publish the trial's page is read through Varnish every
20 ms until it shows the new text FRESH_IN_A_ROW times in a row: the time from the publish's commit to the
first of those answers is that publish's visibility delay — from then on every reader gets the new text
(with soft purges the first answers after a purge may still be the old copy, served while the new one is
fetched, so the first fresh answer alone would say too little). The commit is taken as `published_at`,
written at the start of the publish's transaction, so the delay also counts the publish's own work (an
upper bound); the time the reviewer's publish request took is recorded beside it. The hit ratio is taken
from varnishstat over the storm; p99 and the status counts from wrk. Beside wrk, a probe of readers
arriving on their own schedule (bench/reader_probe.py, BENCH_PROBE_RATE a second) gives what a reader
feels: p50, p99 and max from each reader's arrival. wrk and the probe run on the load generator's CPUs
(LOAD_CPUS, `taskset`; bench/run.sh runs this script there), the servers on SERVER_CPUS.

Env: VARNISH (base URL), APP (the app server's base URL), VARNISH_STATE (varnishd's -n directory),
RESULTS (where varnish-storm.json and the URL list go), BENCH_PASSWORD.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.contrib.auth import get_user_model

from therapies.models import Risk, Therapy, Trial

sys.path.insert(0, str(Path("bench").resolve()))
from changes import approved_change
from http_client import Session
from reader_probe import ReaderProbe

VARNISH, APP, STATE = os.environ["VARNISH"], os.environ["APP"], os.environ["VARNISH_STATE"]
RESULTS = Path(os.environ["RESULTS"])
SECONDS = int(os.environ.get("BENCH_STORM_SECONDS", "60"))
INTERVAL = float(os.environ.get("BENCH_STORM_INTERVAL", "5"))
URLS = int(os.environ.get("BENCH_STORM_URLS", "2000"))
CONNECTIONS = int(os.environ.get("BENCH_STORM_CONNECTIONS", "32"))
VISIBLE_WITHIN = 1.0  # seconds from commit
FRESH_IN_A_ROW = 5
PROBE_RATE = float(os.environ.get("BENCH_PROBE_RATE", "40"))
LOAD_CPUS = os.environ.get("LOAD_CPUS", "")


def url_mix(count: int) -> list[str]:
    """Pages readers read: the lists and about, then therapy, risk and trial pages and API objects, in turn."""
    fixed = ["/", "/therapies/", "/trials/", "/risks/", "/about/", "/updates/", "/api/v1/therapies/"]
    therapies = [f"/therapies/{slug}/" for slug in Therapy.objects.live().values_list("slug", flat=True)]
    risks = [f"/risks/{slug}/" for slug in Risk.objects.live().values_list("slug", flat=True)]
    trials = [f"/trials/{slug}/" for slug in Trial.objects.live().values_list("slug", flat=True)[:count]]
    api = [f"/api/v1/therapies/{slug}/" for slug in Therapy.objects.live().values_list("slug", flat=True)]
    mix = fixed + therapies[: count // 5] + risks[: count // 5] + api[: count // 10]
    return (mix + trials)[:count]


def fetch(path: str) -> str:
    """The page through Varnish; "" if it did not answer 200 within 10 s (the storm goes on, and counts it)."""
    try:
        with urllib.request.urlopen(VARNISH + path, timeout=10) as response:  # noqa: S310  our own Varnish
            return response.read().decode("utf-8", "replace")
    except OSError as error:  # URLError, HTTPError and timeouts are all OSErrors
        print(f"   {path} through Varnish: {error}")
        return ""


# Every way Varnish answers a GET: from its copy (hit), or from the app servers (a miss, a hit-for-miss or
# hit-for-pass on a page marked uncacheable, a pass). The hit ratio is hits over all of them.
COUNTERS = ("cache_hit", "cache_miss", "cache_hitmiss", "cache_hitpass", "s_pass")


def counters() -> dict:
    fields = [arg for name in COUNTERS for arg in ("-f", f"MAIN.{name}")]
    text = subprocess.run(["varnishstat", "-n", STATE, "-1", *fields], capture_output=True, text=True,
                          check=True).stdout
    found = {name: int(value) for name, value in re.findall(r"^MAIN\.(\w+)\s+(\d+)", text, re.M)}
    return {name: found.get(name, 0) for name in COUNTERS}


def visible_after(path: str, text: str, committed: float) -> float:
    """Seconds from the commit until the page shows `text` FRESH_IN_A_ROW times in a row (from the first of them);
    at most 10 s."""
    first_fresh, in_a_row = None, 0
    while in_a_row < FRESH_IN_A_ROW and time.time() - committed < 10:
        asked = time.time()
        if text in fetch(path):
            first_fresh, in_a_row = first_fresh or asked, in_a_row + 1
        else:
            first_fresh, in_a_row = None, 0
        time.sleep(0.02)
    return round((first_fresh if in_a_row >= FRESH_IN_A_ROW else time.time()) - committed, 3)


def main() -> None:
    paths = url_mix(URLS)
    url_file = RESULTS / "storm-urls.txt"
    url_file.write_text("\n".join(paths) + "\n")
    with ThreadPoolExecutor(4) as pool:  # warm: the storm measures a running site, not a cold start
        list(pool.map(fetch, paths))
    users = get_user_model().objects
    editor, reviewer = users.get(username="bench-editor"), users.get(username="bench-reviewer")
    session = Session(APP)
    session.login("bench-reviewer", os.environ["BENCH_PASSWORD"])
    trials = [p for p in paths if p.startswith("/trials/") and p != "/trials/"]

    wrk: dict = {}

    def run_wrk() -> None:
        pinned = ["taskset", "-c", LOAD_CPUS] if LOAD_CPUS else []
        wrk["text"] = subprocess.run(
            [*pinned, "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "--latency",
             "-s", "bench/wrk_pages.lua", VARNISH, "--", str(url_file)],
            capture_output=True, text=True).stdout

    before = counters()
    reader = threading.Thread(target=run_wrk)
    probe = ReaderProbe(VARNISH, paths, rate=PROBE_RATE)
    reader.start()
    probe.start()
    started, delays, failed, publish_seconds = time.time(), [], 0, []
    n = 0
    while time.time() - started < SECONDS - INTERVAL:
        tick = time.time()
        path = trials[(n * 37) % len(trials)]
        trial = Trial.objects.get(slug=path.strip("/").split("/")[-1])
        text = f"Storm summary {n} at {tick:.3f}. Synthetic content for load testing, not medical information."
        change = approved_change(editor, reviewer, trial, "summary", text, title=f"Storm through Varnish: {trial.name}",
                                 note="Storm through Varnish.")
        page = f"/admin/therapies/changerequest/{change.pk}/change/"
        posted = time.time()
        status = session.post_form(page, f"/admin/therapies/changerequest/{change.pk}/action/publish/")
        publish_seconds.append(round(time.time() - posted, 3))  # the review page's GET, then the publish
        change.refresh_from_db()
        if status != 302 or change.published_at is None:
            failed += 1
            print(f"   publish of #{change.pk} failed (HTTP {status})")
        else:
            delays.append(visible_after(path, text, change.published_at.timestamp()))
        n += 1
        time.sleep(max(0.0, INTERVAL - (time.time() - tick)))
    reader.join()
    probe.stop()
    after = counters()
    hits = after["cache_hit"] - before["cache_hit"]
    misses = sum(after[name] - before[name] for name in COUNTERS[1:])  # misses, hit-for-miss/pass, passes
    text = wrk.get("text", "")
    status = re.search(r"STATUS 2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+)", text)
    p99 = re.search(r"LATENCY p50=([\d.]+)ms p99=([\d.]+)ms", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    result = {
        "seconds": SECONDS, "interval": INTERVAL, "urls": len(paths), "connections": CONNECTIONS,
        "publishes": len(delays), "failed_publishes": failed,
        "hit_ratio": hits / (hits + misses) if hits + misses else 0.0, "hits": hits, "misses": misses,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": float(p99.group(1)) if p99 else None, "p99_ms": float(p99.group(2)) if p99 else None,
        "non_2xx": (sum(int(g) for g in status.groups()[1:]) if status else None),
        "probe": probe.summary(), "pinned": {"load": LOAD_CPUS, "server": os.environ.get("SERVER_CPUS", "")},
        "visible_within_s": delays, "visible_limit_s": VISIBLE_WITHIN, "publish_request_s": publish_seconds,
    }
    (RESULTS / "varnish-storm.json").write_text(json.dumps(result))
    print(json.dumps(result))


main()
