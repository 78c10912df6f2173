"""Send emails that could not be sent when their action happened (run from cron)."""

from django.core.management.base import BaseCommand

from therapies.editorial.notifications import send_pending
from therapies.models import OutboundEmail


class Command(BaseCommand):
    help = "Retry unsent editorial emails from the outbox."

    def handle(self, *args, **options) -> None:
        sent = send_pending()
        left = OutboundEmail.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"Sent {sent} email(s); {left} still waiting.")
