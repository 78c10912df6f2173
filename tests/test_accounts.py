"""Roles are audited (issue 11): who can draft, review and publish is in the append-only log, and a new
medical reviewer is announced to every reviewer, so a sock-puppet reviewer cannot appear unnoticed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from therapies.models import AuditAction, AuditEvent, OutboundEmail
from therapies.workflow.roles import EDITORS, REVIEWERS

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger and roles are PostgreSQL's")


def events_since(before: int) -> list[tuple[str, str | None, dict]]:
    """(action, actor's username, details) of the audit events written after event id `before`."""
    return [
        (event.action, event.actor.username if event.actor else None, event.details)
        for event in AuditEvent.objects.filter(pk__gt=before).select_related("actor").order_by("pk")
    ]


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def announcements(username: str) -> list[str]:
    """Who was emailed that `username` became a medical reviewer."""
    emails = OutboundEmail.objects.filter(subject=f"New medical reviewer: {username}")
    return sorted(emails.values_list("to", flat=True))


def review_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="therapies", codename="review_content")


# --- The sock puppet -----------------------------------------------------------------------------------------


def test_the_sock_puppet_reviewer_is_in_the_audit_log_and_in_every_reviewers_mail(client, superuser, reviewer,
                                                                                   reviewer2):
    """A superuser creates a second account in the admin and puts it into "Medical reviewers"."""
    before = last_event_id()
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_add"), {
        "username": "puppet", "password1": "a-long-puppet-password", "password2": "a-long-puppet-password",
        "usable_password": "true",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    puppet = get_user_model().objects.get(username="puppet")
    reviewers = Group.objects.get(name=REVIEWERS)
    response = client.post(reverse("admin:auth_user_change", args=[puppet.pk]), {
        "username": "puppet", "email": "puppet@example.org", "is_active": "on", "is_staff": "on",
        "groups": [str(reviewers.pk)], "date_joined_0": "2026-12-01", "date_joined_1": "09:00:00",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    logged = events_since(before)
    assert ("user_create", "root", {"user": "puppet", "is_staff": False, "is_superuser": False,
                                    "is_active": True}) in logged
    assert ("user_flags", "root", {"user": "puppet", "is_staff": [False, True]}) in logged
    assert ("role_add", "root", {"user": "puppet", "group": REVIEWERS}) in logged
    assert announcements("puppet") == sorted([reviewer.email, reviewer2.email, "puppet@example.org"])
    body = OutboundEmail.objects.filter(subject="New medical reviewer: puppet").first().body
    assert "given “Medical reviewers”, by Root Tester" in body


def test_a_superuser_who_makes_himself_a_reviewer_is_logged_and_announced(superuser, reviewer):
    before = last_event_id()
    superuser.groups.add(Group.objects.get(name=REVIEWERS))
    assert events_since(before) == [("role_add", None, {"user": "root", "group": REVIEWERS})]  # a shell: no actor
    assert announcements("root") == sorted([reviewer.email, superuser.email])


# --- Every kind of role change is one audit event -------------------------------------------------------------


def _add_to_editors_from_the_group(user):
    Group.objects.get(name=EDITORS).user_set.add(user)


def _remove_from_editors(user):
    user.groups.add(Group.objects.get(name=EDITORS))
    user.groups.remove(Group.objects.get(name=EDITORS))


def _clear_groups(user):
    user.groups.add(Group.objects.get(name=EDITORS))
    user.groups.clear()


def _grant_review_permission(user):
    user.user_permissions.add(review_permission())


def _make(flag: str, value: bool):
    def change(user):
        setattr(user, flag, value)
        user.save()
    return change


ROLE_CHANGES = {
    "group added": (lambda user: user.groups.add(Group.objects.get(name=EDITORS)),
                    [("role_add", {"group": EDITORS})]),
    "group added from the group's side": (_add_to_editors_from_the_group, [("role_add", {"group": EDITORS})]),
    "group removed": (_remove_from_editors, [("role_add", {"group": EDITORS}), ("role_remove", {"group": EDITORS})]),
    "groups cleared": (_clear_groups, [("role_add", {"group": EDITORS}), ("role_remove", {"group": EDITORS})]),
    "permission granted": (_grant_review_permission, [("role_add", {"permission": "therapies.review_content"})]),
    "made staff": (_make("is_staff", True), [("user_flags", {"is_staff": [False, True]})]),
    "made superuser": (_make("is_superuser", True), [("user_flags", {"is_superuser": [False, True]})]),
    "deactivated": (_make("is_active", False), [("user_flags", {"is_active": [True, False]})]),
}


@pytest.mark.parametrize("change", ROLE_CHANGES)
def test_every_change_to_a_users_roles_is_one_audit_event_each(change):
    user = get_user_model().objects.create_user(username="someone", email="someone@example.org")
    before = last_event_id()
    perform, expected = ROLE_CHANGES[change]
    perform(user)
    assert [(action, details) for action, _, details in events_since(before)] == [
        (action, {"user": "someone", **details}) for action, details in expected
    ]


def test_a_change_to_a_groups_permissions_is_logged_with_its_members(editor):
    before = last_event_id()
    Group.objects.get(name=EDITORS).permissions.add(review_permission())
    assert events_since(before) == [("group_permissions", None, {
        "group": EDITORS, "added": "therapies.review_content", "members": ["editor"]})]


def test_creating_a_user_is_logged_and_a_sign_in_is_not():
    before = last_event_id()
    user = get_user_model().objects.create_user(username="newcomer", password="a-long-password-1")
    assert [action for action, _, _ in events_since(before)] == ["user_create"]
    before = last_event_id()
    user.set_password("another-long-password")
    user.save(update_fields=["password"])
    user.save(update_fields=["last_login"])
    assert events_since(before) == []


# --- Gaining the reviewer role, however it happens, is announced to every reviewer ---------------------------


def _through_a_group(user):
    user.groups.add(Group.objects.get(name=REVIEWERS))


def _through_the_groups_permission(user):
    user.groups.add(Group.objects.get(name=EDITORS))
    Group.objects.get(name=EDITORS).permissions.add(review_permission())


def _by_reactivation(user):
    user.groups.add(Group.objects.get(name=REVIEWERS))
    OutboundEmail.objects.all().delete()  # the first announcement; this test is about the second
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()


GAINS = {
    "through a group": _through_a_group,
    "through a direct permission": _grant_review_permission,
    "through the permissions of a group": _through_the_groups_permission,
    "by being made active again": _by_reactivation,
}


@pytest.mark.parametrize("way", GAINS)
def test_gaining_the_reviewer_role_any_way_emails_every_reviewer(reviewer, reviewer2, editor, way):
    newcomer = get_user_model().objects.create_user(username="newcomer", email="newcomer@example.org")
    GAINS[way](newcomer)
    # Giving "Editors" the review permission makes every editor a reviewer, and each is announced.
    editor_became_reviewer = way == "through the permissions of a group"
    everyone = sorted([reviewer.email, reviewer2.email, "newcomer@example.org",
                       *([editor.email] if editor_became_reviewer else [])])
    assert announcements("newcomer") == everyone
    assert announcements("editor") == (everyone if editor_became_reviewer else [])


def test_becoming_an_editor_is_logged_but_not_announced(reviewer):
    newcomer = get_user_model().objects.create_user(username="newcomer", email="newcomer@example.org")
    before = last_event_id()
    newcomer.groups.add(Group.objects.get(name=EDITORS))
    assert [action for action, _, _ in events_since(before)] == ["role_add"]
    assert not OutboundEmail.objects.filter(subject__startswith="New medical reviewer").exists()


# --- PostgreSQL: the trigger refuses TRUNCATE, and the app's own role cannot touch the log -------------------------


@on_postgresql
def test_postgresql_refuses_to_truncate_the_audit_log(editor):
    assert AuditEvent.objects.exists()
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE is refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending from this test's own inserts
            cursor.execute("SET LOCAL msinfo.allow_audit_truncate = off")
            cursor.execute("TRUNCATE therapies_auditevent")
    assert AuditEvent.objects.exists()


@on_postgresql
def test_the_documented_app_role_may_add_to_the_audit_log_and_nothing_else(editor):
    grants = (Path(settings.BASE_DIR) / "docs" / "postgresql-app-role.sql").read_text()
    code = "\n".join(line for line in grants.splitlines() if not line.startswith("--"))
    # Roles belong to the whole PostgreSQL server: one named after this test database, so that parallel test
    # workers (one database each) and other runs on the same server never wait on each other's role.
    role = f"msinfo_app_{connection.settings_dict['NAME']}"[:63]
    statements = [s.strip() for s in code.replace("msinfo_app", role).split(";") if s.strip()]
    assert len(statements) == 4
    event = AuditEvent.objects.first()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test
        for statement in statements:
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {role}")
        try:
            AuditEvent.objects.create(action=AuditAction.COMMENT, details={"as": "the app role"})
            for sql in ("UPDATE therapies_auditevent SET details = '{}' WHERE id = %s",
                        "DELETE FROM therapies_auditevent WHERE id = %s", "TRUNCATE therapies_auditevent"):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cursor.execute(sql, [event.pk] if "%s" in sql else None)
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(details={"as": "the app role"}).exists()
