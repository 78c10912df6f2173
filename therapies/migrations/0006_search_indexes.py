"""Case-insensitive name lookups for search's exact matches (PostgreSQL only).

`name__iexact` compiles to `UPPER("name"::text) = UPPER(%s)`, which the plain unique index on
`name` cannot serve: at 20 000 trials it was a sequential scan of the whole table on every
search. These expression indexes match that form exactly. (NCT ids and slugs need none: they
are stored in one case, so search looks them up by plain equality on their unique indexes.)
"""

from django.db import migrations

TABLES = ("therapies_therapy", "therapies_trial", "therapies_risk")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"CREATE INDEX {table}_name_upper ON {table} (UPPER((name)::text))")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_name_upper")


class Migration(migrations.Migration):
    dependencies = [
        ("therapies", "0005_email_outbox"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
