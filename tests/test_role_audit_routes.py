"""Every role change is recorded whatever the route (issue 23, security finding N6), and import_content refuses a
hostile file with its row-by-row report (N7)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from therapies.models import AuditAction, AuditEvent, Therapy

from .test_export_import import _empty_the_database

pytestmark = pytest.mark.django_db
User = get_user_model()


def _events(action: str) -> list[dict]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk").values_list("details", flat=True))


def test_deleting_a_group_records_each_member_losing_it(editor, reviewer, superuser, client):
    group = Group.objects.create(name="TempReviewers")
    group.permissions.add(Permission.objects.get(codename="review_content"))
    editor.groups.add(group)
    client.force_login(superuser)
    response = client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Group.objects.filter(name="TempReviewers").exists()
    removed = [d for d in _events(AuditAction.ROLE_REMOVE) if d.get("group deleted")]
    assert removed == [{"user": "editor", "group": "TempReviewers", "group deleted": True}]
    event = AuditEvent.objects.filter(action=AuditAction.ROLE_REMOVE).latest("pk")
    assert event.actor == superuser  # in the name of who deleted it


def test_deleting_a_permission_records_each_group_and_user_losing_it(editor):
    content_type_id = Permission.objects.first().content_type_id
    permission = Permission.objects.create(codename="temp_power", name="Temp", content_type_id=content_type_id)
    group = Group.objects.create(name="Temp")
    group.permissions.add(permission)
    editor.user_permissions.add(permission)
    permission.delete()
    assert any(d.get("permission deleted") and d["group"] == "Temp" for d in _events(AuditAction.GROUP_PERMISSIONS))
    assert any(d.get("permission deleted") and d["user"] == "editor" for d in _events(AuditAction.ROLE_REMOVE))


def test_a_bulk_update_of_users_flags_is_recorded_for_each_user(editor, reviewer):
    User.objects.filter(username__in=["editor", "reviewer"]).update(is_active=False)
    flags = _events(AuditAction.USER_FLAGS)
    assert [d["user"] for d in flags[-2:]] == ["editor", "reviewer"]
    assert flags[-1]["is_active"] == [True, False]
    # Through a group's related manager too.
    Group.objects.get(name="Editors").user_set.update(is_staff=False)
    assert _events(AuditAction.USER_FLAGS)[-1] == {"user": "editor", "is_staff": [True, False]}


def test_a_bulk_update_of_flags_with_an_expression_is_refused_and_other_updates_are_untouched(editor):
    with pytest.raises(TypeError, match="plain values"):
        User.objects.update(is_staff=F("is_active"))
    assert User.objects.filter(username="editor").update(first_name="Ed") == 1
    assert not _events(AuditAction.USER_FLAGS)


# --- import_content ------------------------------------------------------------------------------------------------


def _export(tmp_path, editor) -> dict:
    path = tmp_path / "backup.json"
    call_command("export_content", str(path), stdout=open(tmp_path / "out.txt", "w"))
    return json.loads(path.read_text())


def _import(tmp_path, data) -> str:
    path = tmp_path / "hostile.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    with pytest.raises(CommandError) as refusal:
        call_command("import_content", str(path))
    return str(refusal.value)


def test_users_the_import_creates_are_recorded_with_the_groups_it_gives_them(tmp_path, editor):
    data = _export(tmp_path, editor)
    data["users"].append({"username": "mallory", "groups": ["Medical reviewers", "Editors"], "is_staff": True})
    path = tmp_path / "with_mallory.json"
    path.write_text(json.dumps(data))
    _empty_the_database()
    call_command("import_content", str(path), stdout=open(tmp_path / "in.txt", "w"))
    mallory = User.objects.get(username="mallory")
    events = AuditEvent.objects.filter(object_id=mallory.pk, details__imported=True, details__user="mallory")
    assert sorted((e.action, e.details.get("group", "")) for e in events) == [
        (AuditAction.ROLE_ADD, "Editors"), (AuditAction.ROLE_ADD, "Medical reviewers"), (AuditAction.USER_CREATE, "")]


def test_a_deeply_nested_file_is_refused_with_a_message(tmp_path):
    report = _import(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in report


def test_huge_numbers_and_wrong_types_are_refused_with_the_row_by_row_report(tmp_path, editor):
    data = _export(tmp_path, editor)
    trial = data["models"]["therapies.trial"][0]
    trial["fields"]["number_randomised"] = 10**30
    data["users"] += [{"username": "x" * 500}, {"username": "eve", "groups": "Medical reviewers"},
                      {"username": "bob", "is_staff": "no"}, ["not", "a", "user"]]
    data["models"]["therapies.risk"][0]["fields"] = []
    _empty_the_database()
    report = _import(tmp_path, data)
    assert report.startswith("Nothing was imported")
    assert f"therapies.trial row 1 (id {trial['pk']})" in report
    assert "“eve”: wrong type of value for groups" in report
    assert "“bob”: wrong type of value for is_staff" in report
    assert "not a user" in report
    assert "therapies.risk row 1" in report
    assert not Therapy.objects.exists() and not User.objects.exists()
