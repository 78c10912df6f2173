"""Recompute the full-text search document of every row of every content kind (PostgreSQL)."""

from therapies.management.progress import ProgressCommand
from therapies.site import search


class Command(ProgressCommand):
    help = "Rebuild the search index (PostgreSQL only; SQLite searches the text directly)."

    def handle(self, *args, **options) -> None:
        if not search.is_postgresql():
            self.stdout.write("This database is not PostgreSQL: search reads the text directly, so there is no index.")
            return
        progress = self.progress("Indexing pages")
        count = search.rebuild_index(progress=progress)
        progress.finish()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count} pages indexed."))
