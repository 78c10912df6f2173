"""Send front-cache purges that could not be sent when their publish committed (run from cron)."""

from django.core.management.base import BaseCommand

from therapies.editorial.frontend_cache import send_pending
from therapies.models import FrontendPurge


class Command(BaseCommand):
    help = "Retry unsent purges of the front cache (Varnish) from the outbox."

    def handle(self, *args, **options) -> None:
        sent = send_pending()
        left = FrontendPurge.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"Sent {sent} purge(s); {left} still waiting.")
