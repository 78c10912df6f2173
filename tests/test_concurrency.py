"""Races on PostgreSQL, with real connections in threads started together (transactional_db: committed data).

SQLite serialises writers on one file and the test database is in memory, so these run only in
the PostgreSQL pass of CI. The optimistic version check itself is also tested on SQLite below.
"""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from therapies import workflow
from therapies.models import AuditAction, AuditEvent, ChangeRequest, OutboundEmail, Revision, State, Therapy

from .workflow_helpers import approved_change, draft_change

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections with row locks (PostgreSQL); SQLite serialises all writers",
)


def run_together(*functions) -> list:
    """Run each function in its own thread and connection, released at the same moment by a barrier."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # the outcome we assert on
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgres_only
def test_two_reviewers_publishing_at_once_publish_exactly_once(transactional_db, editor, reviewer, reviewer2):
    change_request = approved_change(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="Raced.")
    OutboundEmail.objects.all().delete()
    mail.outbox.clear()

    def publish_as(user):
        return lambda: workflow.publish(change_request=ChangeRequest.objects.get(pk=change_request.pk), user=user)

    results = run_together(publish_as(reviewer), publish_as(reviewer2))
    winners = [r for r in results if isinstance(r, ChangeRequest)]
    refusals = [r for r in results if isinstance(r, workflow.WorkflowError)]
    assert len(winners) == 1 and len(refusals) == 1, results
    assert "is published; only approved changes can be published" in refusals[0].message
    assert AuditEvent.objects.filter(change_request=change_request, action=AuditAction.PUBLISH).count() == 1
    emails = OutboundEmail.objects.filter(change_request=change_request)
    assert emails.count() == len({e.to for e in emails})  # one set of emails, nobody twice
    assert Therapy.objects.get(slug="ocrelizumab").dosing == "Raced."


@postgres_only
def test_two_editors_saving_the_same_draft_the_second_is_told_to_reload_and_nothing_is_lost(
    transactional_db, editor, editor2
):
    change_request, revision = draft_change(editor, Therapy.objects.get(slug="ocrelizumab"))
    opened_at = revision.version  # both opened the edit form at this version

    def save(user, text):
        def action():
            current = Revision.objects.get(pk=revision.pk)
            snapshot = {**current.snapshot, "fields": {**current.snapshot["fields"], "dosing": text}}
            return workflow.save_draft(revision=current, user=user, snapshot=snapshot, expected_version=opened_at)
        return action

    results = run_together(save(editor, "Editor one's text."), save(editor2, "Editor two's text."))
    saved = [r for r in results if isinstance(r, Revision)]
    stale = [r for r in results if isinstance(r, workflow.StaleDraft)]
    assert len(saved) == 1 and len(stale) == 1, results
    assert "Reload the page" in stale[0].message and "nothing is lost" in stale[0].message
    revision.refresh_from_db()
    assert revision.version == opened_at + 1
    assert revision.snapshot["fields"]["dosing"] == saved[0].snapshot["fields"]["dosing"]


@postgres_only
def test_a_publish_racing_an_edit_never_leaves_a_mixed_state(transactional_db, editor, reviewer):
    for attempt in range(5):
        therapy = Therapy.objects.get(slug="ocrelizumab")
        change_request = approved_change(editor, reviewer, therapy, dosing=f"Approved text {attempt}.")
        revision = change_request.revisions.get()

        def edit(revision=revision):
            current = Revision.objects.get(pk=revision.pk)
            snapshot = {**current.snapshot, "fields": {**current.snapshot["fields"], "dosing": "Late edit."}}
            return workflow.save_draft(revision=current, user=editor, snapshot=snapshot,
                                       expected_version=current.version)

        def publish(change_request=change_request):
            return workflow.publish(change_request=ChangeRequest.objects.get(pk=change_request.pk), user=reviewer)

        edit_result, publish_result = run_together(edit, publish)
        change_request.refresh_from_db()
        live = Therapy.objects.get(slug="ocrelizumab")
        if isinstance(publish_result, ChangeRequest):
            # The publish won: the approved text is live and the late edit was refused.
            assert isinstance(edit_result, workflow.WorkflowError), edit_result
            assert "can no longer be edited" in edit_result.message
            assert change_request.state == State.PUBLISHED and live.dosing == f"Approved text {attempt}."
            assert Revision.objects.get(pk=revision.pk).snapshot["fields"]["dosing"] == live.dosing
        else:
            # The edit won: the change request went back to draft and the publish was refused.
            assert isinstance(publish_result, workflow.WorkflowError), publish_result
            assert isinstance(edit_result, Revision)
            assert change_request.state == State.DRAFT
            assert live.dosing != "Late edit."
            workflow.withdraw(change_request=change_request, user=editor)


# --- The optimistic version check, on every database ----------------------------------------------


@pytest.mark.django_db
def test_saving_a_draft_raises_its_version(editor):
    change_request, revision = draft_change(editor)
    before = revision.version
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "Once."
    revision = workflow.save_draft(revision=revision, user=editor, snapshot=snapshot, expected_version=before)
    assert revision.version == before + 1


@pytest.mark.django_db
def test_a_save_from_an_outdated_form_is_refused_naming_who_saved(editor, editor2):
    change_request, revision = draft_change(editor)
    opened = revision.version
    first = {**revision.snapshot, "fields": {**revision.snapshot["fields"], "dosing": "First."}}
    workflow.save_draft(revision=revision, user=editor2, snapshot=first, expected_version=opened)
    second = {**revision.snapshot, "fields": {**revision.snapshot["fields"], "dosing": "Second."}}
    with pytest.raises(workflow.StaleDraft) as refusal:
        workflow.save_draft(revision=revision, user=editor, snapshot=second, expected_version=opened)
    assert "Editor2 Tester" in refusal.value.message and "Reload the page" in refusal.value.message
    assert Revision.objects.get(pk=revision.pk).snapshot["fields"]["dosing"] == "First."


@pytest.mark.django_db
def test_the_edit_form_refuses_a_stale_save_and_shows_the_editors_text_again(client, editor, editor2):
    from django.urls import reverse

    from .test_review_views import form_data

    change_request, revision = draft_change(editor)
    change_request.authors.add(editor2)
    url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    client.force_login(editor)
    mine = form_data(client.get(url))
    # Meanwhile editor2 saves.
    theirs = {**revision.snapshot, "fields": {**revision.snapshot["fields"], "dosing": "Their text."}}
    workflow.save_draft(revision=revision, user=editor2, snapshot=theirs, expected_version=revision.version)

    mine["content-dosing"] = "My careful new dosing paragraph."
    response = client.post(url, mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this draft since you opened it" in html
    assert "My careful new dosing paragraph." in html  # nothing typed is lost
    assert Revision.objects.get(pk=revision.pk).snapshot["fields"]["dosing"] == "Their text."
