"""Three runs of one figure into one (issue 27): the median of each number, and the runs and their spread.

    python bench/median_runs.py OUT.json RUN1.json RUN2.json ...

Each input is one JSON object (bench/parse_wrk.py's line, or varnish-storm.json). The output has the same
fields, each number the median over the runs (a nested object likewise; lists are joined: every publish of
every run), plus
`runs` (how many) and `spread`: for each top-level number, [lowest, highest] over the runs. The reports show
the median with its spread, so a figure that moves from run to run says so.
"""

import json
import statistics
import sys
from pathlib import Path


def median_of(values: list):
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(values) and numbers:
        return statistics.median(numbers)
    if all(isinstance(v, dict) for v in values):
        return {key: median_of([v.get(key) for v in values]) for key in values[0]}
    if all(isinstance(v, list) for v in values):
        return [item for v in values for item in v]  # e.g. every publish's visibility, of every run
    return values[len(values) // 2]  # text, missing values: the middle run's


def combine(runs: list[dict]) -> dict:
    combined = median_of(runs)
    combined["runs"] = len(runs)
    combined["spread"] = {
        key: [min(v[key] for v in runs), max(v[key] for v in runs)]
        for key, value in runs[0].items()
        if isinstance(value, int | float) and not isinstance(value, bool)
        and all(isinstance(v.get(key), int | float) for v in runs)
    }
    return combined


def main() -> None:
    out, *inputs = sys.argv[1:]
    runs = [json.loads(Path(name).read_text()) for name in inputs if Path(name).exists()]
    if not runs:
        raise SystemExit(f"no runs to combine into {out}")
    Path(out).write_text(json.dumps(combine(runs)))
    print(Path(out).read_text())


if __name__ == "__main__":
    main()
