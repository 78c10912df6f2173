#!/usr/bin/env python3
"""Load during a publish storm (docs/RELIABILITY.md).

Runs the site as in production — gunicorn, PostgreSQL, DEBUG off, the shared Redis page cache —
and for DURATION seconds (default 60):
  * wrk hammers the public pages with 64 connections from 127.0.0.1 only;
  * once a second a reviewer publishes a change request to ocrelizumab's dosing through the admin
    (HTTP POST, in a gunicorn worker, exactly as in production);
  * as soon as each publish has answered, the therapy page is fetched several times (so every
    worker is asked) and must show the new text: any copy without it counts as stale.
Reports zero-or-not 5xx from wrk, stale pages, and publish latency. Everything runs on its own
database (msinfo_storm), its own Redis port and its own gunicorn port, and is stopped at the end.

Usage:  .venv/bin/python bench/publish_storm.py [--duration 60] [--connections 64] [--no-cache]
Needs:  PostgreSQL on 127.0.0.1:5432, redis-server and wrk on PATH (apt-get install wrk redis-server).
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
HOST = "127.0.0.1"


def production_env(args) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="msinfo.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"postgres://postgres@{HOST}:5432/{args.database}",
        # Plain HTTP on the loopback: TLS is the proxy's job, so no redirect to https here.
        SECURE_SSL_REDIRECT="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    if args.no_cache:
        env["PAGE_CACHE"] = "0"
    else:
        env["CACHE_URL"] = f"redis://{HOST}:{args.redis_port}/0"
    return env


def run(cmd: list[str], env: dict) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


class Browser:
    """A tiny HTTP client with its own cookie jar (the site's cookies are Secure; we are on loopback)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), text

    def csrf(self, path: str) -> str:
        status, headers, html = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not found:
            raise SystemExit(f"No form on {path} (HTTP {status}, {headers.get('Location', '')}): {html[:300]}")
        return found.group(1)

    def publish(self, path: str) -> int:
        """Publish as the review page's form would: with what the reviewer saw (rule 9), then "Yes" on the
        confirm page (issue 14)."""
        _, _, page = self.request("GET", f"{path}change/")
        fields = {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)}
        if seen := re.search(r'name="seen" value="([0-9a-f]*)"', page):
            fields["seen"] = seen.group(1)
        status, _, html = self.request("POST", f"{path}action/publish/", fields)
        if status == 200 and (confirm := re.search(r'name="confirm" value="([^"]+)"', html)):
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            status, _, _ = self.request("POST", f"{path}action/publish/", {"csrfmiddlewaretoken": csrf,
                                                                          "confirm": confirm.group(1)})
        return status

    def log_in(self, username: str, password: str) -> None:
        token = self.csrf("/admin/login/")
        status, headers, _ = self.request("POST", "/admin/login/", {
            "csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
        if status != 302:
            raise SystemExit(f"Could not sign in as {username} (HTTP {status}).")


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def main() -> int:  # noqa: C901  one linear script: start the servers, storm, check, stop
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=4, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--database", default="msinfo_storm")
    parser.add_argument("--no-cache", action="store_true", help="run with the page cache switched off")
    args = parser.parse_args()
    for tool in ("wrk", "psql") + (() if args.no_cache else ("redis-server",)):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not installed (apt-get install {tool}).")

    env = production_env(args)
    processes = []
    if not args.no_cache:
        processes.append(subprocess.Popen(
            ["redis-server", "--port", str(args.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL))
        time.sleep(0.5)
    admin_db = f"postgres://postgres@{HOST}:5432/postgres"
    run(["psql", admin_db, "-q", "-c", f"DROP DATABASE IF EXISTS {args.database}",
         "-c", f"CREATE DATABASE {args.database}"], env)
    run([PY, "manage.py", "migrate", "--noinput"], env)
    run([PY, "manage.py", "load_seed"], env)
    run([PY, "manage.py", "collectstatic", "--noinput"], env)

    # The storm's own Django, on the same database, prepares approved change requests.
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group, User

    from therapies.models import Therapy

    sys.path.insert(0, str(ROOT / "bench"))
    import changes

    password = secrets.token_urlsafe(16)
    editor = User.objects.create_user("storm-editor", password=password, is_staff=True, first_name="Storm")
    editor.groups.add(Group.objects.get(name="Editors"))
    reviewer = User.objects.create_user("storm-reviewer", password=password, is_staff=True, first_name="Review")
    reviewer.groups.add(Group.objects.get(name="Medical reviewers"))
    therapy = Therapy.objects.get(slug="ocrelizumab")

    def approved_change(token: str):
        return changes.approved_change(editor, reviewer, therapy, "dosing", f"Storm dosing text {token}.",
                                       title=f"Storm {token}", note=f"Storm {token}")

    try:
        gunicorn = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "msinfo.wsgi", "--bind", f"{HOST}:{args.port}",
             "--workers", str(args.workers), "--threads", "4", "--worker-class", "gthread",
             "--access-logfile", "/dev/null", "--error-logfile", "/tmp/msinfo-storm-gunicorn.log"],
            cwd=ROOT, env=env)
        processes.append(gunicorn)
        wait_for(args.port)

        reviewer_browser = Browser(args.port)
        reviewer_browser.log_in("storm-reviewer", password)
        reader = Browser(args.port)  # no session cookie: served like any reader, from the cache
        reader.request("GET", "/therapies/ocrelizumab/")  # warm

        wrk_out: dict = {}

        def run_wrk():
            result = subprocess.run(
                ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
                 "-s", str(ROOT / "bench" / "wrk_pages.lua"), f"http://{HOST}:{args.port}"],
                capture_output=True, text=True)
            wrk_out["text"] = result.stdout + result.stderr

        wrk_thread = threading.Thread(target=run_wrk)
        wrk_thread.start()
        started = time.time()
        publishes, refused, stale_checks, stale, latencies = 0, 0, 0, 0, []
        while time.time() - started < args.duration - 2:
            tick = time.time()
            token = secrets.token_hex(4)
            change_request = approved_change(token)
            path = f"/admin/therapies/changerequest/{change_request.pk}/"
            before = time.time()
            status = reviewer_browser.publish(path)
            latencies.append(time.time() - before)
            change_request.refresh_from_db()
            if status != 302 or change_request.state != "published":
                refused += 1
                print(f"publish of #{change_request.pk} failed: HTTP {status}, state {change_request.state}")
                continue
            publishes += 1
            for _ in range(2 * args.workers):  # ask several workers: each must show the new text
                page_status, _, html = reader.request("GET", "/therapies/ocrelizumab/")
                stale_checks += 1
                if page_status != 200 or f"Storm dosing text {token}." not in html:
                    stale += 1
                    print(f"STALE after publish {token}: HTTP {page_status}")
            time.sleep(max(0.0, 1.0 - (time.time() - tick)))
        wrk_thread.join()
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    text = wrk_out.get("text", "")
    print(text)
    status_line = re.search(r"STATUS 2xx=(\d+) 3xx=(\d+) 4xx=(\d+) 5xx=(\d+)", text)
    requests = re.search(r"([\d.]+) requests in", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    five_xx = int(status_line.group(4)) if status_line else -1
    print("=== publish storm summary ===")
    print(f"cache: {'off' if args.no_cache else 'Redis page cache'}; gunicorn {args.workers} workers x 4 threads")
    print(f"wrk: {requests.group(1) if requests else '?'} requests, {rps.group(1) if rps else '?'} req/s, "
          f"{status_line.group(0) if status_line else 'no status line'}")
    print(f"publishes: {publishes} succeeded, {refused} failed; publish latency median "
          f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(f"stale pages after a completed publish: {stale} of {stale_checks} checks")
    return 0 if five_xx == 0 and stale == 0 and refused == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
