"""Readers arriving on their own schedule (issue 27): what a reader feels during a storm, beside wrk's figures.

wrk's connections each wait for their answer before asking again, so a stall slows the askers down and
hides itself (coordinated omission); wrk corrects for it across the whole mix, which overstates a stall
that hits only some pages. This probe sends readers at random times (a Poisson process at RATE a second,
from a fixed seed), each on its own connection, whatever the others are waiting for, and times each one
from the moment it was due to arrive to the end of its answer: a reader who arrives while the server is
busy is counted as waiting from their arrival.

    probe = ReaderProbe(base_url, paths, rate=40, seed=27); probe.start(); ...; probe.stop(); probe.summary()

Also runnable alone for a smoke test: `python bench/reader_probe.py BASE_URL SECONDS [RATE] PATH...`.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

READERS_AT_ONCE = 64  # threads: readers in flight at one time; a reader due while all are busy waits (and counts it)
TIMEOUT_SECONDS = 10


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class ReaderProbe:
    def __init__(self, base: str, paths: list[str], *, rate: float = 40.0, seed: int = 27) -> None:
        self.base, self.paths, self.rate = base.rstrip("/"), list(paths), rate
        self.random = random.Random(seed)  # noqa: S311  arrival times, not secrets
        self.latencies_ms: list[float] = []
        self.errors = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(READERS_AT_ONCE, thread_name_prefix="reader")
        self._thread = threading.Thread(target=self._arrivals, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._pool.shutdown(wait=True)

    def _arrivals(self) -> None:
        due = time.monotonic()
        while not self._stop.is_set():
            due += self.random.expovariate(self.rate)
            path = self.random.choice(self.paths)
            pause = due - time.monotonic()
            if pause > 0 and self._stop.wait(pause):
                return
            self._pool.submit(self._read, path, due)

    def _read(self, path: str, due: float) -> None:
        ok = True
        try:
            with urllib.request.urlopen(self.base + path, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  127.0.0.1
                response.read()
        except OSError:
            ok = False
        waited = (time.monotonic() - due) * 1000
        with self._lock:
            self.latencies_ms.append(waited)
            self.errors += 0 if ok else 1

    def summary(self) -> dict:
        with self._lock:
            values = list(self.latencies_ms)
            errors = self.errors
        return {
            "readers": len(values), "rate_per_s": self.rate, "errors": errors,
            "p50_ms": round(statistics.median(values), 2) if values else None,
            "p99_ms": round(percentile(values, 0.99), 2) if values else None,
            "max_ms": round(max(values), 2) if values else None,
        }


def main() -> None:
    base, seconds = sys.argv[1], float(sys.argv[2])
    rest = sys.argv[3:]
    rate = float(rest.pop(0)) if rest and rest[0].replace(".", "", 1).isdigit() else 40.0
    probe = ReaderProbe(base, rest or ["/healthz"], rate=rate)
    probe.start()
    time.sleep(seconds)
    probe.stop()
    print(json.dumps(probe.summary()))


if __name__ == "__main__":
    main()
