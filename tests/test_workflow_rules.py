"""Rules that live in the workflow, not in the views (issue 21, item 6), and the one definition of a medical
reviewer (item 7). Each test here fails when its rule's line is deleted (docs: the closing note of issue 21)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from therapies import workflow
from therapies.admin.confirm import OBJECT_STEPS
from therapies.admin.review import OBJECT_ACTIONS
from therapies.editorial.notifications import reviewers
from therapies.models import AuditAction, AuditEvent, ChangeRequest, Risk, State, Therapy
from therapies.models.roles import REVIEW, users_with

from .workflow_helpers import approved_change, draft_change

pytestmark = pytest.mark.django_db


# --- Significance is validated by the workflow ----------------------------------------------------------------------


def test_approve_refuses_a_made_up_significance(editor, reviewer):
    change_request = workflow.submit(change_request=draft_change(editor, dosing="x")[0], user=editor,
                                     change_note="n")
    with pytest.raises(workflow.WorkflowError, match="“urgent” is not a significance"):
        workflow.approve(change_request=change_request, user=reviewer, significance="urgent")
    change_request.refresh_from_db()
    assert (change_request.state, change_request.significance) == (State.IN_REVIEW, "minor")
    assert not AuditEvent.objects.filter(action=AuditAction.APPROVE).exists()


def test_starting_a_change_request_refuses_a_made_up_significance(editor):
    with pytest.raises(workflow.WorkflowError, match="choose one from the list \\(minor, major, safety\\)"):
        workflow.start_change_request(user=editor, title="New", significance="urgent")
    assert not ChangeRequest.objects.exists()


def test_the_admin_approve_form_says_why_a_made_up_significance_is_refused(client, editor, reviewer):
    change_request = workflow.submit(change_request=draft_change(editor, dosing="x")[0], user=editor,
                                     change_note="n")
    client.force_login(reviewer)
    url = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "approve"])
    page = client.post(url, {"significance": "urgent", "seen": workflow.review_digest(change_request)}, follow=True)
    assert "“urgent” is not a significance" in page.content.decode()
    assert ChangeRequest.objects.get(pk=change_request.pk).state == State.IN_REVIEW


# --- Revert is an edit like any other -------------------------------------------------------------------------------


def published_versions(editor, reviewer, obj, *values: dict):
    """Publish one change request per dict of field values; the published revisions, oldest first."""
    revisions = []
    for fields in values:
        change_request = approved_change(editor, reviewer, type(obj).objects.get(pk=obj.pk), **fields)
        workflow.publish(change_request=change_request, user=reviewer)
        revisions.append(type(obj).objects.get(pk=obj.pk).live_revision)
    return revisions


def test_a_revert_runs_the_safety_proposal(editor, reviewer, editor2):
    risk = Risk.objects.filter(boxed_warning=False).first()
    with_warning, _ = published_versions(editor, reviewer, risk, {"boxed_warning": True}, {"boxed_warning": False})
    change_request = workflow.revert(revision=with_warning, user=editor2)
    assert change_request.significance == "safety"  # the old version adds a boxed warning back
    event = AuditEvent.objects.get(action=AuditAction.REVERT)
    assert event.details["safety"] and event.details["significance"] == "safety"


def test_a_revert_to_a_version_no_longer_valid_is_refused_and_leaves_nothing(editor, reviewer, editor2):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    old, _ = published_versions(editor, reviewer, therapy, {"dosing": "version one"}, {"dosing": "version two"})
    # Published before today's limits (as 0014_text_limits tightened them): too long to save as a draft now.
    old.snapshot["fields"]["dosing"] = "x" * 10_001
    type(old).objects.filter(pk=old.pk).update(snapshot=old.snapshot)
    before = ChangeRequest.objects.count()
    with pytest.raises(workflow.WorkflowError, match="The earlier version of Ocrelizumab cannot be restored"):
        workflow.revert(revision=old, user=editor2)
    assert ChangeRequest.objects.count() == before
    assert workflow.open_change_request_for(therapy) is None  # no lock left behind


# --- Removing an object is an edit ----------------------------------------------------------------------------------


def two_object_change(editor):
    change_request, _ = draft_change(editor, dosing="x")
    pml = workflow.add_object(change_request=change_request, user=editor, obj=Risk.objects.get(slug="pml"))
    return workflow.submit(change_request=change_request, user=editor, change_note="n"), pml


def test_a_reviewer_who_removes_an_object_becomes_an_author_and_cannot_approve_the_rest(editor, reviewer, reviewer2):
    change_request, pml = two_object_change(editor)
    workflow.remove_object(revision=pml, user=reviewer2)
    change_request.refresh_from_db()
    assert change_request.state == State.DRAFT  # back to its authors, for review again
    assert change_request.authors.filter(pk=reviewer2.pk).exists()
    workflow.submit(change_request=change_request, user=editor)
    with pytest.raises(workflow.WorkflowError):
        workflow.approve(change_request=change_request, user=reviewer2)  # four eyes: they changed it
    workflow.approve(change_request=change_request, user=reviewer)


def test_removing_an_object_from_an_approved_change_request_clears_the_approval(editor, reviewer):
    change_request, pml = two_object_change(editor)
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.remove_object(revision=pml, user=editor)
    change_request.refresh_from_db()
    assert (change_request.state, change_request.approved_by, change_request.approved_digest) == (State.DRAFT,
                                                                                                  None, "")
    with pytest.raises(workflow.WorkflowError):
        workflow.publish(change_request=change_request, user=reviewer)


# --- The object actions come from one table -------------------------------------------------------------------------


def test_every_object_action_is_in_the_table_and_an_unknown_one_is_not_found(client, reviewer):
    assert set(OBJECT_STEPS) <= set(OBJECT_ACTIONS)
    assert set(OBJECT_ACTIONS) == {"unpublish", "confirm", "schedule_unpublish", "unschedule_unpublish"}
    client.force_login(reviewer)
    therapy = Therapy.objects.get(slug="fingolimod")
    unknown = client.post(reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "delete"]))
    assert unknown.status_code == 404
    assert Therapy.objects.get(pk=therapy.pk).live


@pytest.mark.parametrize("action, said", [
    ("confirm", "is confirmed as still accurate"),
    ("unschedule_unpublish", "Fingolimod is not scheduled to come off the site."),  # the workflow's refusal
    ("schedule_unpublish", "Give the date and time."),
])
def test_each_object_action_is_dispatched_from_the_table(client, reviewer, action, said):
    client.force_login(reviewer)
    therapy = Therapy.objects.get(slug="fingolimod")
    url = reverse("admin:therapies_object_action", args=["therapy", therapy.pk, action])
    page = client.post(url, {"text": "Checked against the label."}, follow=True)
    assert said in page.content.decode()


def test_scheduling_an_unpublish_asks_permission_before_the_date(client, editor):
    client.force_login(editor)
    therapy = Therapy.objects.get(slug="fingolimod")
    url = reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "schedule_unpublish"])
    page = client.post(url, {"text": "r"}, follow=True).content.decode()
    assert "Only medical reviewers can schedule content to be unpublished." in page


# --- One definition of a medical reviewer ---------------------------------------------------------------------------


def test_the_emails_and_the_workflow_agree_on_who_is_a_medical_reviewer(
        django_user_model, editor, reviewer, editor_reviewer, superuser):
    inactive = django_user_model.objects.create_user(username="gone", is_active=False)
    inactive.groups.add(*reviewer.groups.all())
    direct = django_user_model.objects.create_user(username="direct")
    direct.user_permissions.add(Permission.objects.get(codename=REVIEW, content_type__app_label="therapies"))
    everyone = [editor, reviewer, editor_reviewer, superuser, inactive, direct]
    assert {user.username for user in everyone if workflow.is_reviewer(user)} == {"reviewer", "both", "direct"}
    assert set(reviewers().values_list("username", flat=True)) == {"reviewer", "both", "direct"}
    assert list(reviewers()) == list(users_with(REVIEW))
