"""Email each medical reviewer one digest of overdue and soon-due pages (cron, daily).

Running it twice on the same day sends nobody a second digest (one ReviewReminder per reviewer per day).
"""

from therapies.editorial.review_cycle import SOON_DAYS, send_review_reminders
from therapies.management.progress import ProgressCommand


class Command(ProgressCommand):
    help = "Email medical reviewers a digest of pages whose review is overdue or due soon."

    def handle(self, *args, **options) -> None:
        progress = self.progress("Sending reminders")
        run = send_review_reminders(progress=progress)
        if run.items:
            progress.finish()
        overdue = sum(1 for item in run.items if item.overdue)
        self.stdout.write(
            f"{overdue} page(s) overdue for review, {len(run.items) - overdue} due within {SOON_DAYS} days."
        )
        if not run.items:
            self.stdout.write("Nothing is due: no reminders sent.")
            return
        for address in run.sent_to:
            self.stdout.write(f"Sent a reminder to {address}.")
        for address in run.already_sent:
            self.stdout.write(f"{address} already had today's reminder; not sent again.")
        self.stdout.write(f"Sent {len(run.sent_to)} reminder(s); {len(run.already_sent)} already sent today.")
