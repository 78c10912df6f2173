"""Write all content and editorial history to one JSON file (therapies/backup.py)."""

from pathlib import Path

from django.core.management.base import CommandError

from therapies.editorial.backup import write_export
from therapies.management.progress import ProgressCommand


class Command(ProgressCommand):
    help = (
        "Export all content, change requests, revisions, comments, locks, corrections and audit events "
        "(and the users they name, without passwords) to one JSON file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Where to write the export, e.g. msinfo-2025-01-31.json")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        progress = self.progress("Exporting rows")
        counts = write_export(path, progress=progress)
        progress.finish()
        summary = ", ".join(f"{label.split('.')[-1]}: {count}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Exported to {path} — {summary}."))
