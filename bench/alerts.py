#!/usr/bin/env python3
"""Safety alerts at scale (issue 26): N subscribers queued and sent to a real SMTP server, with time and memory.

On its own PostgreSQL database (msinfo_alerts_bench, dropped and made again) and its own SMTP server
(tests/smtp_sink.py, aiosmtpd, on a free port of 127.0.0.1, writing each message to a temporary folder):
  1. migrate and load the seed content; insert N confirmed subscribers following ocrelizumab's safety changes
     (one SQL statement, in a process of its own, so the measured process never holds them);
  2. in a fresh process: record one safety change to ocrelizumab, then time `queue_events` (N outbox rows)
     and `send_pending` (N messages over SMTP), each with the process's peak resident memory after it;
  3. count the messages the SMTP server wrote, and the distinct recipients (exactly once each).
Run with two sizes to see that memory does not grow with N (chunks): `--subscribers 1000` and `10000`.

Usage:  .venv/bin/python bench/alerts.py [--subscribers 10000] [--timeout 120]
Needs:  PostgreSQL on 127.0.0.1:5432.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python")
DATABASE = "msinfo_alerts_bench"

MEASURE = r"""
import json, resource, time
import django
django.setup()
from django.utils import timezone
from therapies.editorial import alerts, notifications
from therapies.models import Therapy

def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

therapy = Therapy.objects.get(slug="ocrelizumab")
alerts.record_change(objects=[therapy], action="publish", significance="safety", occurred_at=timezone.now(),
                     note="Bench: a safety change to ocrelizumab.")
audience = alerts.audience([therapy], "safety")["now"]
baseline = peak_mib()
started = time.perf_counter()
queued = alerts.queue_events()
queue_seconds = time.perf_counter() - started
after_queue = peak_mib()
started = time.perf_counter()
sent = notifications.send_pending()
send_seconds = time.perf_counter() - started
print(json.dumps({"audience": audience, "queued": queued, "queue_seconds": queue_seconds, "sent": sent,
                  "send_seconds": send_seconds, "baseline_mib": baseline, "after_queue_mib": after_queue,
                  "after_send_mib": peak_mib()}))
"""

SUBSCRIBERS_SQL = """
WITH new AS (
  INSERT INTO therapies_alertsubscriber (email, frequency, created_at, confirmed_at)
  SELECT 'reader' || n || '@example.org', 'immediate', now() - interval '1 day', now() - interval '1 day'
  FROM generate_series(1, %(n)s) AS n RETURNING id
)
INSERT INTO therapies_alertsubscription (subscriber_id, therapy_id, level)
SELECT new.id, (SELECT id FROM therapies_therapy WHERE slug = 'ocrelizumab'), 'safety' FROM new
"""


def environment(port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="msinfo.settings", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}", SECURE_SSL_REDIRECT="0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port),
        SITE_URL="https://msinfo.example.org", LOG_LEVEL="WARNING",
    )
    return env


def fresh_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def add_subscribers(n: int) -> None:
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}", autocommit=True) as connection:
        connection.execute(SUBSCRIBERS_SQL, {"n": n})


def received(folder: Path) -> tuple[int, int]:
    """(messages, distinct recipients) the SMTP server wrote."""
    recipients, count = set(), 0
    for path in folder.glob("*.eml"):
        count += 1
        for line in path.read_bytes().splitlines():
            if line.startswith(b"To: "):
                recipients.add(line[4:].strip())
                break
    return count, len(recipients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--timeout", type=int, default=120, help="seconds the measured run may take at most")
    args = parser.parse_args()
    from tests.mail_server import MailServer

    with tempfile.TemporaryDirectory() as folder:
        server = MailServer(Path(folder)).start()
        env = environment(server.port)
        try:
            fresh_database()
            for command in (["migrate", "--verbosity", "0"], ["load_seed", "--verbosity", "0"]):
                subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            add_subscribers(args.subscribers)
            started = time.perf_counter()
            result = subprocess.run([PY, "-c", MEASURE], cwd=ROOT, env=env, check=True, capture_output=True,
                                    text=True, timeout=args.timeout)
            total = time.perf_counter() - started
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            messages, recipients = received(Path(folder))
        finally:
            server.stop()
    figures.update(subscribers=args.subscribers, received=messages, distinct_recipients=recipients,
                   process_seconds=total)
    print(json.dumps(figures, indent=2))
    print(f"\n{args.subscribers:,} subscribers: queued {figures['queued']:,} in {figures['queue_seconds']:.1f} s, "
          f"sent {figures['sent']:,} in {figures['send_seconds']:.1f} s "
          f"({figures['sent'] / figures['send_seconds']:,.0f}/s); SMTP server received {messages:,} "
          f"({recipients:,} distinct). Peak RSS {figures['baseline_mib']:.0f} MiB before, "
          f"{figures['after_queue_mib']:.0f} MiB after queueing, {figures['after_send_mib']:.0f} MiB after sending.")


if __name__ == "__main__":
    main()
