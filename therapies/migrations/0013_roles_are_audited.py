"""Role changes are audit actions of their own, and on PostgreSQL the audit log also refuses TRUNCATE (issue 11).

Five audit actions: user_create, user_flags (staff, superuser, active), role_add and role_remove (a user's
groups and permissions), group_permissions (workflow/accounts.py writes them).

The append-only trigger of 0004 fires on UPDATE and DELETE of a row; TRUNCATE empties a table without
touching a row, so it slipped past. A statement trigger now refuses it too. One opening is left, for a
test suite that empties its own database between tests (Django's flush truncates every table): the
table's owner may truncate in a session that says so with `SET msinfo.allow_audit_truncate = on`
(msinfo/test_settings.py does, at connection). That is no weaker than before: the owner can drop the
trigger anyway, which is why the site should run as a role that does not own the table and may only
INSERT and SELECT on it (README "Running as a non-owner role").
"""

from django.db import migrations, models

AUDIT_TABLE = "therapies_auditevent"

# Same function as 0004, which the row triggers call, with the truncate opening for the table's owner.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION therapies_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('msinfo.allow_audit_truncate', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Audit events are append-only: %% is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER therapies_auditevent_no_truncate
    BEFORE TRUNCATE ON therapies_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION therapies_auditevent_append_only();
"""

# 0004's function, as it was.
ROW_ONLY = """
CREATE OR REPLACE FUNCTION therapies_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Audit events are append-only: %% is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def refuse_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY)


def allow_truncate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS therapies_auditevent_no_truncate ON {AUDIT_TABLE}")
        schema_editor.execute(ROW_ONLY)


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0012_editorial_text'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created change request'), ('edit', 'Edited draft'), ('submit', 'Submitted for review'), ('comment', 'Commented'), ('approve', 'Approved'), ('request_changes', 'Requested changes'), ('reject', 'Rejected'), ('withdraw', 'Withdrew'), ('publish', 'Published'), ('unpublish', 'Unpublished'), ('revert', 'Started a revert'), ('confirm_reviewed', 'Confirmed still accurate'), ('remove', 'Removed an object from a change request'), ('schedule', 'Scheduled publishing'), ('unschedule', 'Cancelled scheduled publishing'), ('schedule_failed', 'Scheduled publishing failed'), ('schedule_unpublish', 'Scheduled unpublishing'), ('unschedule_unpublish', 'Cancelled scheduled unpublishing'), ('re_review', 'Sent back for re-review: a source it cites changed'), ('user_create', 'Created a user'), ('user_flags', "Changed a user's staff, superuser or active status"), ('role_add', 'Gave a user a group or permission'), ('role_remove', 'Took a group or permission from a user'), ('group_permissions', "Changed a group's permissions")], db_index=True, max_length=20),
        ),
        migrations.RunPython(refuse_truncate, allow_truncate),
    ]
