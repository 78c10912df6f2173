"""The public record is its own table (issue 21, item 4): written by the workflow with each public event, read by
the public pages and the API, and correctable by a reviewer (the correction audited, the page saying so)."""

from pathlib import Path

import pytest
from django.urls import reverse

from therapies import workflow
from therapies.editorial.signals import public_changes_recorded
from therapies.models import AuditAction, AuditEvent, PublicChange, PublicEvent, Risk, Therapy

from .workflow_helpers import approved_change, confirm_token, draft_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """The rows each `public_changes_recorded` signal carried."""
    calls: list[list[PublicChange]] = []

    def receiver(sender, changes, **kwargs):
        calls.append(changes)

    public_changes_recorded.connect(receiver, dispatch_uid="test-public-record")
    yield calls
    public_changes_recorded.disconnect(dispatch_uid="test-public-record")


def two_page_change(editor, reviewer):
    """An approved change request touching ocrelizumab and the PML risk, with the note "Clarified the dosing."."""
    change_request, _ = draft_change(editor, dosing="New dosing.")
    workflow.add_object(change_request=change_request, user=editor, obj=Risk.objects.get(slug="pml"))
    workflow.submit(change_request=change_request, user=editor, change_note="Clarified the dosing.")
    return workflow.approve(change_request=change_request, user=reviewer, significance="major")


def test_a_publish_records_one_row_per_page_and_tells_listeners_after_commit(
        editor, reviewer, heard, django_capture_on_commit_callbacks):
    change_request = two_page_change(editor, reviewer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.publish(change_request=change_request, user=reviewer)
        rows = list(PublicChange.objects.in_order())
        assert not heard  # not before the transaction has committed
    assert callbacks
    assert [(row.kind, row.object_repr, row.significance, row.note) for row in rows] == [
        ("publish", "Ocrelizumab", "major", "Clarified the dosing."),
        ("publish", "Progressive multifocal leukoencephalopathy (PML)", "major", "Clarified the dosing."),
    ]
    assert {row.change_request_id for row in rows} == {change_request.pk}
    change_request.refresh_from_db()
    assert rows[0].at == change_request.published_at
    assert heard == [rows]


def test_a_refused_publish_records_nothing(editor, reviewer, heard, django_capture_on_commit_callbacks):
    change_request = approved_change(editor, reviewer, dosing="x")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.WorkflowError):
        workflow.publish(change_request=change_request, user=editor)  # not a reviewer
    assert not PublicChange.objects.exists() and not heard


def test_unpublish_and_confirm_record_their_rows(reviewer, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.confirm_reviewed(obj=Therapy.objects.get(slug="fingolimod"), user=reviewer, note="Checked privately.")
        workflow.unpublish(obj=Therapy.objects.get(slug="cladribine"), user=reviewer, reason="Licence withdrawn.",
                           significance="safety")
    confirm, unpublish = PublicChange.objects.in_order()
    assert (confirm.kind, confirm.object_repr, confirm.note) == (PublicEvent.CONFIRM, "Fingolimod", "")
    assert (unpublish.kind, unpublish.note, unpublish.significance) == (PublicEvent.UNPUBLISH, "Licence withdrawn.",
                                                                        "safety")
    assert [[row.pk for row in rows] for rows in heard] == [[confirm.pk], [unpublish.pk]]


# --- Corrections ---------------------------------------------------------------------------------------------------


@pytest.fixture
def published_pair(editor, reviewer):
    change_request = two_page_change(editor, reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    return change_request


def test_a_reviewer_corrects_a_publish_note_on_every_page_and_the_audit_log_keeps_both(
        client, reviewer, published_pair):
    first = PublicChange.objects.in_order().first()
    events_before = list(AuditEvent.objects.order_by("pk").values_list("pk", "details"))
    workflow.correct_public_note(change=first, user=reviewer, note="Clarified the dosing of ocrelizumab.")
    rows = list(PublicChange.objects.in_order())
    assert {row.note for row in rows} == {"Clarified the dosing of ocrelizumab."}
    assert all(row.corrected_at and row.corrected_by == reviewer for row in rows)
    event = AuditEvent.objects.get(action=AuditAction.CORRECT_PUBLIC)
    assert (event.details["old"], event.details["new"]) == ("Clarified the dosing.",
                                                            "Clarified the dosing of ocrelizumab.")
    assert event.actor == reviewer and event.change_request == published_pair
    after = list(AuditEvent.objects.order_by("pk").values_list("pk", "details"))
    assert events_before == after[:-1]  # nothing rewritten, one event added
    published_pair.refresh_from_db()
    assert published_pair.change_note == "Clarified the dosing."  # the editorial record is not the public one


def test_corrected_wording_shows_on_updates_feed_api_and_history_marked_corrected(client, reviewer, published_pair):
    workflow.correct_public_note(change=PublicChange.objects.first(), user=reviewer, note="Dosing wording fixed.")
    updates = client.get("/updates/").content.decode()
    assert "Dosing wording fixed." in updates and "Clarified the dosing." not in updates
    assert "(corrected <time" in updates
    history = client.get("/therapies/ocrelizumab/").content.decode()
    history = history[history.index('id="history"'):]
    assert "Dosing wording fixed." in history and "(corrected <time" in history
    feed = client.get("/updates/feed/").content.decode()
    assert "Dosing wording fixed. (corrected " in feed
    api = client.get("/api/v1/changes/").json()["items"][0]
    assert api["change_note"] == "Dosing wording fixed." and api["corrected_at"] is not None
    assert api["id"] == published_pair.pk


def test_an_uncorrected_entry_is_not_marked(client, published_pair):
    assert "(corrected" not in client.get("/updates/").content.decode()
    assert client.get("/api/v1/changes/").json()["items"][0]["corrected_at"] is None


def test_an_unpublish_reason_can_be_corrected(client, reviewer):
    workflow.unpublish(obj=Therapy.objects.get(slug="cladribine"), user=reviewer, reason="Licnce withdrawn.")
    row = PublicChange.objects.get()
    workflow.correct_public_note(change=row, user=reviewer, note="Licence withdrawn.")
    html = client.get("/updates/").content.decode()
    assert "Licence withdrawn." in html and "Licnce" not in html and "(corrected <time" in html


@pytest.mark.parametrize("note, message", [
    ("", workflow.NEEDS_CORRECTED_NOTE),
    ("Clarified the dosing.", "same as the published one"),
    ("x" * 1001, "the limit is 1,000"),
])
def test_bad_wording_is_refused_and_changes_nothing(reviewer, published_pair, note, message):
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.correct_public_note(change=PublicChange.objects.first(), user=reviewer, note=note)
    assert set(PublicChange.objects.values_list("note", flat=True)) == {"Clarified the dosing."}
    assert not AuditEvent.objects.filter(action=AuditAction.CORRECT_PUBLIC).exists()


def test_only_a_reviewer_corrects_and_a_confirmation_has_nothing_to_correct(editor, reviewer, published_pair):
    with pytest.raises(workflow.WorkflowError, match="Only medical reviewers"):
        workflow.correct_public_note(change=PublicChange.objects.first(), user=editor, note="Editor's wording.")
    workflow.confirm_reviewed(obj=Therapy.objects.get(slug="fingolimod"), user=reviewer, note="Checked.")
    confirm = PublicChange.objects.get(kind=PublicEvent.CONFIRM)
    with pytest.raises(workflow.WorkflowError, match="no wording"):
        workflow.correct_public_note(change=confirm, user=reviewer, note="Something.")
    assert not PublicChange.objects.filter(corrected_at__isnull=False).exists()


def test_the_admin_correction_asks_to_confirm_then_corrects(client, reviewer, published_pair):
    client.force_login(reviewer)
    row = PublicChange.objects.in_order().first()
    url = reverse("admin:therapies_publicchange_correct", args=[row.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Clarified the dosing." in form.content.decode()
    asked = client.post(url, {"text": "Better wording."})
    assert "Better wording." in asked.content.decode() and "every page of change request" in asked.content.decode()
    assert not PublicChange.objects.filter(note="Better wording.").exists()  # nothing until confirmed
    done = client.post(url, {"confirm": confirm_token(asked)})
    assert done.status_code == 302
    assert set(PublicChange.objects.values_list("note", flat=True)) == {"Better wording."}
    listing = client.get(reverse("admin:therapies_publicchange_changelist")).content.decode()
    assert "Better wording." in listing


def test_the_admin_correction_refuses_an_editor_and_a_forged_post(client, editor, reviewer, published_pair):
    row = PublicChange.objects.first()
    url = reverse("admin:therapies_publicchange_correct", args=[row.pk])
    client.force_login(editor)
    refused = client.post(url, {"text": "Editor's wording."}, follow=True)
    assert "Only medical reviewers" in refused.content.decode()
    client.force_login(reviewer)
    forged = client.post(url, {"confirm": "not-a-token", "text": "Forged."}, follow=True)
    assert "not valid" in forged.content.decode()
    assert set(PublicChange.objects.values_list("note", flat=True)) == {"Clarified the dosing."}


def test_nothing_under_site_reads_the_audit_log():
    site = Path(__file__).resolve().parent.parent / "therapies" / "site"
    readers = [str(path) for path in site.rglob("*.py") if "AuditEvent" in path.read_text()]
    assert readers == []
