"""Restore an export_content file into an empty database, all or nothing (therapies/backup.py), then
rebuild the search index, which an export leaves out (it is derived from the content)."""

from pathlib import Path

from django.core.management.base import CommandError

from therapies.editorial.backup import ImportRefused, import_data, read_export
from therapies.management.progress import ProgressCommand
from therapies.site import search


class Command(ProgressCommand):
    help = (
        "Restore a file written by export_content into an empty database. One transaction: a bad row "
        "refuses the whole file, with a report naming every bad row. Missing users are created inactive, "
        "without a usable password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="A file written by `manage.py export_content`.")

    def handle(self, *args, file: str, **options) -> None:
        progress = self.progress("Importing rows")
        try:
            counts = import_data(read_export(Path(file)), progress=progress)
        except ImportRefused as refusal:
            if len(refusal.problems) == 1:
                raise CommandError(f"Nothing was imported. {refusal.problems[0]}") from None
            raise CommandError(
                f"Nothing was imported: {len(refusal.problems)} problems in {file}:\n  "
                + "\n  ".join(refusal.problems)
            ) from None
        progress.finish()
        summary = ", ".join(f"{label.split('.')[-1]}: {count}" for label, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {file} — {summary}."))
        # Without this, search found nothing after a restore ("liver": 8 results before, 0 after).
        if search.is_postgresql():
            indexing = self.progress("Indexing pages")
            count = search.rebuild_index(progress=indexing)
            indexing.finish()
            self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count} pages indexed."))
        else:
            self.stdout.write("Search needs no index on this database (it reads the text directly).")
        if counts.get("users created"):
            self.stdout.write(
                "Restored users are inactive and have no password: activate them and set passwords in the admin."
            )
