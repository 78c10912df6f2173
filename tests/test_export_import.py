"""export_content / import_content: a round trip loses nothing; a bad file changes nothing."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from therapies import workflow
from therapies.editorial.backup import exported_models, table_checksums
from therapies.models import AuditEvent, ChangeRequest, ContentLock, ReviewComment, Revision, Therapy

from .workflow_helpers import approved_change, draft_change, submitted_change

pytestmark = pytest.mark.django_db


def _empty_the_database() -> None:
    """What a fresh, migrated database looks like: no content, history or users.

    sql_flush is TRUNCATE on PostgreSQL, which the audit trigger (row-level, UPDATE/DELETE) allows.
    """
    user_model = get_user_model()
    tables = [model._meta.db_table for model in exported_models()]
    tables += [
        field.remote_field.through._meta.db_table
        for model in exported_models()
        for field in model._meta.local_many_to_many
    ]
    tables += [user_model._meta.db_table, user_model.groups.through._meta.db_table,
               user_model.user_permissions.through._meta.db_table, "django_admin_log"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run queued FK checks: TRUNCATE refuses pending ones
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _editorial_activity(editor, reviewer, editor2) -> None:
    published = approved_change(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="Restored dosing.")
    workflow.publish(change_request=published, user=reviewer)
    in_review = submitted_change(editor2, Therapy.objects.get(slug="natalizumab"), dosing="Pending.")
    revision = in_review.revisions.get()
    workflow.comment(change_request=in_review, user=reviewer, body="Source?", revision=revision,
                     field_name="dosing")
    draft_change(editor, Therapy.objects.get(slug="fingolimod"), dosing="Half-written.")


def test_export_then_import_into_an_empty_database_restores_every_row_exactly(
    tmp_path, editor, reviewer, editor2
):
    _editorial_activity(editor, reviewer, editor2)
    before = table_checksums()
    assert before["therapies.auditevent"][0] >= 8 and before["therapies.contentlock"][0] == 2
    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    exported = json.loads(path.read_text())
    assert "password" not in json.dumps(exported["users"])
    assert {u["username"] for u in exported["users"]} >= {"editor", "reviewer", "editor2"}

    _empty_the_database()
    assert not Therapy.objects.exists() and not AuditEvent.objects.exists()
    assert not get_user_model().objects.filter(username="editor").exists()

    imported_at = AuditEvent.objects.count()
    call_command("import_content", str(path), stdout=open(tmp_path / "in.txt", "w"))
    after = table_checksums()
    # Counts and content of every table; the audit log also says whom the import created, with which groups
    # (issue 23, N6), after the restored rows.
    imported = AuditEvent.objects.filter(details__imported=True)
    assert imported_at == 0 and imported.filter(action="user_create").count() == len(exported["users"])
    assert after.pop("therapies.auditevent")[0] == before.pop("therapies.auditevent")[0] + imported.count()
    assert after == before
    restored = get_user_model().objects.get(username="reviewer")
    assert not restored.is_active and not restored.has_usable_password()
    assert restored.groups.filter(name="Medical reviewers").exists()
    # The restored history still works: the published page, the open draft and its lock.
    assert Therapy.objects.get(slug="ocrelizumab").live_revision.snapshot["fields"]["dosing"] == "Restored dosing."
    assert ContentLock.objects.count() == 2 and ReviewComment.objects.filter(field_name="dosing").exists()
    # Sequences were moved past the restored ids: new rows don't collide.
    restored_editor = get_user_model().objects.get(username="editor")
    restored_editor.is_active = True
    restored_editor.save()
    new_request = workflow.start_change_request(user=restored_editor, title="After the restore")
    assert new_request.pk > max(ChangeRequest.objects.exclude(pk=new_request.pk).values_list("pk", flat=True))


def test_import_into_a_database_with_content_is_refused_and_changes_nothing(tmp_path, editor):
    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    before = table_checksums()
    with pytest.raises(CommandError, match="already has content"):
        call_command("import_content", str(path))
    assert table_checksums() == before


def test_import_with_bad_rows_is_refused_whole_with_a_report_naming_each_row(tmp_path, editor, reviewer, editor2):
    _editorial_activity(editor, reviewer, editor2)
    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    data = json.loads(path.read_text())
    therapies = data["models"]["therapies.therapy"]
    therapies[0]["fields"]["drug_class"] = "tele"
    bad_trial = data["models"]["therapies.trial"][0]
    bad_trial["fields"]["nct_id"] = "NCT1234567X"
    data["models"]["therapies.revision"][0]["fields"]["edited_by"] = ["nobody-by-that-name"]
    path.write_text(json.dumps(data))
    _empty_the_database()

    with pytest.raises(CommandError) as refusal:
        call_command("import_content", str(path))
    report = str(refusal.value)
    assert report.startswith("Nothing was imported")
    assert f"therapies.revision row 1 (id {data['models']['therapies.revision'][0]['pk']})" in report
    # Structural problems are reported first; the field checks run once every row could be saved.
    assert "nobody-by-that-name" in report and "does not exist" in report
    assert not Therapy.objects.exists() and not Revision.objects.exists()
    assert not get_user_model().objects.exists()

    # Fix the user; the invalid therapy and trial are then named together.
    data["models"]["therapies.revision"][0]["fields"]["edited_by"] = ["editor"]
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as refusal:
        call_command("import_content", str(path))
    report = str(refusal.value)
    assert f"therapies.therapy row 1 (id {therapies[0]['pk']}) “{therapies[0]['fields']['slug']}”" in report
    assert "tele" in report and "not a valid choice" in report
    assert f"therapies.trial row 1 (id {bad_trial['pk']})" in report and "ClinicalTrials.gov id" in report
    assert not Therapy.objects.exists() and not AuditEvent.objects.exists()


def test_import_of_a_file_that_is_not_an_export_says_so(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not an msinfo content export"):
        call_command("import_content", str(path))
    path.write_text("not json at all")
    with pytest.raises(CommandError, match="is not a JSON export"):
        call_command("import_content", str(path))
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_content", str(tmp_path / "missing.json"))


def test_the_export_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_import_rebuilds_the_search_index_and_says_so(tmp_path, editor, reviewer, editor2):
    from therapies.site import search

    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    found_before = search.search("liver").total
    assert found_before > 0
    _empty_the_database()
    out = tmp_path / "in.txt"
    call_command("import_content", str(path), stdout=open(out, "w"))
    assert search.search("liver").total == found_before
    said = out.read_text()
    if connection.vendor == "postgresql":
        assert "Search index rebuilt" in said
    else:
        assert "needs no index" in said
