"""Publish approved changes and unpublish pages whose scheduled time has come (cron, every minute).

Safe to run at the same moment on every app server: each item is done exactly once
(workflow.publish_due). Exits 0 even when an item fails: the failure is logged, recorded in the
audit log and emailed, and the other items still run.
"""

from django.core.management.base import BaseCommand

from therapies.workflow import publish_due


class Command(BaseCommand):
    help = "Publish scheduled change requests and unpublish pages whose time has come."

    def handle(self, *args, **options) -> None:
        outcomes = publish_due()
        for outcome in outcomes:
            line = f"{'OK' if outcome.ok else 'FAILED'} {outcome.action} {outcome.label}: {outcome.message}"
            self.stdout.write(self.style.SUCCESS(line) if outcome.ok else self.style.ERROR(line))
        published = sum(1 for o in outcomes if o.ok and o.action == "publish")
        unpublished = sum(1 for o in outcomes if o.ok and o.action == "unpublish")
        failed = sum(1 for o in outcomes if not o.ok)
        self.stdout.write(f"Published {published}, unpublished {unpublished}, failed {failed}.")
