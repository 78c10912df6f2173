"""Where an uncached public page spends its time, in-process (Django's test client, no server, page cache off).

    DATABASE_URL=postgres://… python bench/page_profile.py [N] [URL] [--cprofile | --pyinstrument]

Renders URL (default the therapy page `make bench` measures) once to warm up, then N times (default 100),
and prints one JSON line: the median and mean time per request, the number of queries and their share of
the time (measured around each query's execution), the share spent in Markdown rendering (the filter and
the renderer, cached or not), and what is left (templates and Python). With --cprofile it also prints the
25 functions with the most cumulative time over the N requests; with --pyinstrument, pyinstrument's call tree
of the N requests (the profiles in docs/PERFORMANCE.md "Uncached pages", issue 27).
"""

import cProfile
import io
import json
import os
import pstats
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

from therapies.editorial import rendering  # noqa: E402
from therapies.templatetags import therapies_tags  # noqa: E402

DEFAULT_URL = "/therapies/synthetic-therapy-0250/"


class Timer:
    """Adds up the time spent inside one kind of call (queries or Markdown)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1
        return timed

    def query_wrapper(self, execute, sql, params, many, context):
        return self.wrap(execute)(sql, params, many, context)


def main() -> None:
    args = [a for a in sys.argv[1:] if a not in ("--cprofile", "--pyinstrument")]
    profile = "--cprofile" in sys.argv
    tree = "--pyinstrument" in sys.argv
    n = int(args.pop(0)) if args and args[0].isdigit() else 100
    url = args[0] if args else DEFAULT_URL
    client = Client(HTTP_HOST="127.0.0.1")
    if (status := client.get(url).status_code) != 200:
        raise SystemExit(f"{url} answered {status}")
    queries, markdown = Timer(), Timer()
    # The filter is what templates call; render_markdown is what views and fragments call directly.
    therapies_tags.render_markdown = markdown.wrap(rendering.render_markdown)
    times = []
    profiler = cProfile.Profile() if profile else call_tree() if tree else None
    with connection.execute_wrapper(queries.query_wrapper):
        for _ in range(n):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            client.get(url)
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - started) * 1000)
    total = sum(times)
    print(json.dumps({
        "url": url, "n": n, "median_ms": round(statistics.median(times), 2), "mean_ms": round(total / n, 2),
        "queries_per_request": queries.calls / n,
        "query_ms": round(queries.seconds * 1000 / n, 2), "query_share": round(queries.seconds * 1000 / total, 3),
        "markdown_ms": round(markdown.seconds * 1000 / n, 2),
        "markdown_share": round(markdown.seconds * 1000 / total, 3),
        "rest_ms": round((total - (queries.seconds + markdown.seconds) * 1000) / n, 2),
    }), flush=True)
    if profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())
    elif tree:
        print(profiler.output_text(unicode=True, show_all=False, short_mode=True, time="percent_of_total"))


def call_tree():
    """A pyinstrument profiler with cProfile's enable/disable (it starts and stops around each request)."""
    from pyinstrument import Profiler

    class CallTree(Profiler):
        def enable(self) -> None:
            self.start(caller_frame=sys._getframe(1))

        def disable(self) -> None:
            self.stop()

    return CallTree(interval=0.0005)


if __name__ == "__main__":
    main()
