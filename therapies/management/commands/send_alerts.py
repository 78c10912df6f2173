"""Safety alerts (issue 26), run from cron every minute: forget unconfirmed addresses after 7 days, queue the
alerts of newly published changes, compose the weekly digests that are due, and send the outbox.

Progress on a terminal; `--quiet` under cron prints nothing but errors. Safe to run on every app server at
once: every step claims what it works on (editorial/alerts.py, editorial/notifications.py).
"""

from therapies.editorial import alerts, notifications
from therapies.management.progress import ProgressCommand
from therapies.models import OutboundEmail


class Command(ProgressCommand):
    help = "Queue and send safety alerts to readers; forget unconfirmed addresses after 7 days."

    def handle(self, *args, **options) -> None:
        addresses, old_emails = alerts.forget_old()
        queue_progress = self.progress("Queueing alerts")
        queued = alerts.queue_events(progress=queue_progress)
        queue_progress.finish()
        digests = alerts.queue_digests()
        send_progress = self.progress("Sending email")
        sent = notifications.send_pending(progress=send_progress)
        send_progress.finish()
        left = OutboundEmail.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(
            f"Queued alerts for {queued} subscriber(s), {digests} digest(s) due; sent {sent} email(s), "
            f"{left} still waiting. Forgot {addresses} unconfirmed address(es) and {old_emails} old alert email(s)."
        )
