"""Turn `wrk --latency` output into one JSON line: requests/s, p50, p99 (ms), non-2xx and socket errors."""

import json
import re
import sys


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse(text: str) -> dict:
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1)),
        "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "non_2xx": 0,
        "socket_errors": 0,
    }
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        result["non_2xx"] = int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        result["socket_errors"] = sum(int(g) for g in match.groups())
    return result


if __name__ == "__main__":
    print(json.dumps(parse(sys.stdin.read())))
