"""PostgreSQL only: GIN indexes for full-text search, and a trigger that keeps the audit log append-only.

On SQLite both are skipped: search falls back to a simpler match (search.py) and the
model layer refuses to change or delete audit events (AuditEvent.save/delete).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The groups and their permissions as they stood when this migration was written (then computed by
# therapies/workflow/roles.py from the kinds registry). Frozen here: a migration is history, and must mean the
# same whatever kinds are added later. Only the permissions that exist at this point are granted.
EDITORS = "Editors"
REVIEWERS = "Medical reviewers"
EDITOR_PERMISSIONS = [
    "edit_content", "view_changerequest", "view_revision", "view_reviewcomment", "view_auditevent",
    "view_therapy", "view_therapyrisk", "view_trial", "view_trialoutcome", "view_risk", "view_reference",
    "view_editorialtext", "view_mscourse", "view_correctionsuggestion", "change_correctionsuggestion",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "review_content"]


def ensure_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [(EDITORS, EDITOR_PERMISSIONS), (REVIEWERS, REVIEWER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames))


SEARCH_TABLES = ["therapies_therapy", "therapies_trial", "therapies_risk"]

AUDIT_TRIGGER = """
CREATE OR REPLACE FUNCTION therapies_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit events are append-only: %% is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER therapies_auditevent_append_only
    BEFORE UPDATE OR DELETE ON therapies_auditevent
    FOR EACH ROW EXECUTE FUNCTION therapies_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_TABLES:
        schema_editor.execute(f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)")
    schema_editor.execute(AUDIT_TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCH_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")
    schema_editor.execute("DROP TRIGGER IF EXISTS therapies_auditevent_append_only ON therapies_auditevent")
    schema_editor.execute("DROP FUNCTION IF EXISTS therapies_auditevent_append_only()")


def refresh_groups(apps, schema_editor):
    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("therapies", "0003_review_cycle_search_corrections")]

    operations = [
        migrations.RunPython(forwards, backwards),
        # The groups gain the permissions of the models added in 0003.
        migrations.RunPython(refresh_groups, migrations.RunPython.noop),
    ]
