"""Load the seed content in fixtures/ — once.

Safe to run on every `make run`: when content is already there it changes
nothing (so published editorial work is never overwritten by the seed). The
fixtures load in one transaction and every object must pass full_clean(); a
bad row stops the load with a report naming it, and nothing is kept.
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from therapies.editorial.validation import describe_validation_error
from therapies.models import KINDS, Therapy
from therapies.site import search

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def seed_files() -> list[Path]:
    """Fixture files in load order (their names start with a number)."""
    return sorted(FIXTURES_DIR.glob("*.yaml"))


def validation_report() -> list[str]:
    """One line per content object that fails full_clean()."""
    problems = []
    for model in apps.get_app_config("therapies").get_models():
        for obj in model._default_manager.all():
            try:
                obj.full_clean()
            except ValidationError as error:
                problems.append(f"{model._meta.verbose_name} “{obj}”: {describe_validation_error(error)}")
    return problems


class Command(BaseCommand):
    help = "Load the seed content from fixtures/ if the database has no content yet."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if content exists (seed rows are updated by slug; nothing is duplicated).",
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        # Therapies are the seed's first content: with any there, the seed (or real content) is in.
        if Therapy.objects.exists() and not force:
            self.stdout.write("Seed content is already loaded; nothing changed.")
            return
        files = seed_files()
        if not files:
            raise CommandError(f"No fixture files found in {FIXTURES_DIR}.")
        try:
            with transaction.atomic():
                call_command("loaddata", *[str(f) for f in files], verbosity=0)
                problems = validation_report()
                if problems:
                    raise CommandError(
                        "The seed content was not loaded because these rows are invalid:\n  "
                        + "\n  ".join(problems)
                    )
                search.rebuild_index()  # fixtures bypass publishing, so index them here
        except CommandError:
            raise
        except Exception as error:  # a malformed file or a broken reference
            raise CommandError(f"The seed content was not loaded: {error}") from error
        counts = ", ".join(f"{kind.model.objects.count()} {kind.plural}" for kind in KINDS)
        self.stdout.write(self.style.SUCCESS(f"Loaded seed content: {counts}."))
