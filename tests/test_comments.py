"""Comments that land and resolve (issue 24, DESIGN.md rule 11): resolution by whom and when, reopening, the
open count, "approve anyway" enforced in the workflow, no comments once a change request has ended, and the
page returning to the comment just posted."""

import pytest
from django.urls import reverse

from therapies import workflow
from therapies.models import AuditEvent, ReviewComment, State, Therapy

from .workflow_helpers import (
    approved_change,
    confirm_token,
    confirmed_post,
    draft_change,
    seen_on_review_page,
    submitted_change,
)

pytestmark = pytest.mark.django_db


def _review_url(change_request):
    return reverse("admin:therapies_changerequest_change", args=[change_request.pk])


def _action_url(change_request, action):
    return reverse("admin:therapies_changerequest_action", args=[change_request.pk, action])


def test_resolve_records_who_and_when_and_reopen_clears_it(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    note = workflow.comment(change_request=change_request, user=reviewer, body="Which label?")
    resolved = workflow.resolve_comment(note=note, user=editor)
    assert resolved.resolved_by == editor and resolved.resolved_at is not None
    assert list(workflow.open_comments(change_request)) == []
    reopened = workflow.reopen_comment(note=note, user=reviewer)
    assert (reopened.resolved_by, reopened.resolved_at) == (None, None)
    assert list(workflow.open_comments(change_request)) == [note]
    events = AuditEvent.objects.filter(change_request=change_request).order_by("pk")
    actions = list(events.values_list("action", flat=True))
    assert actions[-2:] == ["resolve_comment", "reopen_comment"]


def test_resolving_twice_or_a_reply_is_refused_in_words(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    note = workflow.comment(change_request=change_request, user=reviewer, body="Which label?")
    reply = workflow.comment(change_request=change_request, user=editor, body="The 2024 one.", parent=note)
    with pytest.raises(workflow.WorkflowError, match="whole discussion"):
        workflow.resolve_comment(note=reply, user=editor)
    workflow.resolve_comment(note=note, user=editor)
    with pytest.raises(workflow.WorkflowError, match="already resolved"):
        workflow.resolve_comment(note=note, user=editor)


def test_approving_over_an_open_comment_needs_approve_anyway(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    workflow.comment(change_request=change_request, user=reviewer, body="Which label?")
    with pytest.raises(workflow.WorkflowError, match="1 open comment"):
        workflow.approve(change_request=change_request, user=reviewer)
    assert workflow.approve(change_request=change_request, user=reviewer, approve_anyway=True).state == State.APPROVED


def test_a_resolved_comment_does_not_hold_up_approval(editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    note = workflow.comment(change_request=change_request, user=reviewer, body="Which label?")
    workflow.resolve_comment(note=note, user=editor)
    assert workflow.approve(change_request=change_request, user=reviewer).state == State.APPROVED


def test_publishing_over_an_open_comment_needs_approve_anyway(editor, reviewer):
    change_request = approved_change(editor, reviewer, dosing="Published wording.")
    workflow.comment(change_request=change_request, user=editor, body="One more thought")
    with pytest.raises(workflow.WorkflowError, match="approve anyway"):
        workflow.publish(change_request=change_request, user=reviewer)
    assert Therapy.objects.get(slug="ocrelizumab").dosing != "Published wording."
    workflow.publish(change_request=change_request, user=reviewer, approve_anyway=True)
    assert Therapy.objects.get(slug="ocrelizumab").dosing == "Published wording."


@pytest.mark.parametrize("end", ["withdraw", "reject", "publish"])
def test_no_comment_resolve_or_reopen_on_an_ended_change_request(editor, reviewer, end):
    if end == "withdraw":
        change_request, _ = draft_change(editor, dosing="x")
        note = workflow.comment(change_request=change_request, user=reviewer, body="Early thought")
        workflow.withdraw(change_request=change_request, user=editor)
    elif end == "reject":
        change_request = submitted_change(editor, dosing="x")
        note = workflow.comment(change_request=change_request, user=reviewer, body="Early thought")
        workflow.reject(change_request=change_request, user=reviewer, reason="Not needed.")
    else:
        change_request = approved_change(editor, reviewer, dosing="x")
        note = workflow.comment(change_request=change_request, user=reviewer, body="Early thought")
        workflow.publish(change_request=change_request, user=reviewer, approve_anyway=True)
    change_request.refresh_from_db()
    before = ReviewComment.objects.count()
    for attempt in (
        lambda: workflow.comment(change_request=change_request, user=reviewer, body="Too late"),
        lambda: workflow.resolve_comment(note=note, user=reviewer),
    ):
        with pytest.raises(workflow.WorkflowError, match="takes no more comments"):
            attempt()
    assert ReviewComment.objects.count() == before
    assert ReviewComment.objects.get(pk=note.pk).resolved_at is None
    assert "comment" not in workflow.available_actions(change_request, reviewer)


def test_after_posting_a_field_comment_the_page_lands_on_it(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="Reworded dosing.")
    revision = change_request.revisions.get()
    client.force_login(reviewer)
    response = client.post(_action_url(change_request, "comment"),
                           {"body": "Which label says this?", "revision": revision.pk, "field_name": "dosing"})
    note = ReviewComment.objects.get(body="Which label says this?")
    assert response["Location"] == f"{_review_url(change_request)}#comment-{note.pk}"
    html = client.get(_review_url(change_request)).content.decode()
    # Under its field (the diff's comment row), and counted and linked in the Discussion.
    field_row = html[html.index(f'id="field-{revision.pk}-dosing"'):]
    assert f'id="comment-{note.pk}"' in field_row[:field_row.index("</tr>", field_row.index("diff-comments"))]
    assert "Discussion (1 comment, 1 open)" in html and f'href="#comment-{note.pk}"' in html
    assert "1 open comment" in html


def test_resolve_over_http_returns_to_the_comment_and_shows_who(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    note = workflow.comment(change_request=change_request, user=reviewer, body="Which label?")
    client.force_login(editor)
    response = client.post(_action_url(change_request, "resolve_comment"), {"comment": note.pk})
    assert response["Location"].endswith(f"#comment-{note.pk}")
    html = client.get(_review_url(change_request)).content.decode()
    assert "Resolved by Editor Tester" in html and "No open comments." in html
    client.post(_action_url(change_request, "reopen_comment"), {"comment": "999999"})
    assert ReviewComment.objects.get(pk=note.pk).resolved_at is not None


def test_approve_confirm_page_lists_open_comments_and_needs_the_box(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    workflow.comment(change_request=change_request, user=reviewer, body="Which label supports this?")
    client.force_login(reviewer)
    url = _action_url(change_request, "approve")
    asked = client.post(url, {"seen": seen_on_review_page(client, change_request)})
    page = asked.content.decode()
    assert "1 open comment" in page and "Which label supports this?" in page and 'name="approve_anyway"' in page
    client.post(url, {"confirm": confirm_token(asked)})  # the box left unticked
    change_request.refresh_from_db()
    assert change_request.state == State.IN_REVIEW
    asked = client.post(url, {"seen": seen_on_review_page(client, change_request)})
    client.post(url, {"confirm": confirm_token(asked), "approve_anyway": "1"})
    change_request.refresh_from_db()
    assert change_request.state == State.APPROVED


def test_the_review_screen_keeps_authoring_folded_for_a_reviewer(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="x")
    client.force_login(reviewer)
    html = client.get(_review_url(change_request)).content.decode()
    decision = html.index('id="decision"')
    assert decision < html.index('id="assistant"') < html.index('id="comments"')
    form = html[html.index('class="decision-form"'):]
    assert form[:form.index("</form>")].count("<textarea") == 1  # one box for approve, request changes, reject
    # The change note and "New therapy" sit in the folded authoring area, after the discussion.
    folded = html.index('<details class="module authoring" id="authoring">')
    assert html.index('id="comments"') < folded < html.index('id="id_change_note"')
    assert folded < html.index(">New therapy<")
    client.force_login(editor)
    author_view = client.get(_review_url(change_request)).content.decode()
    assert '<details class="module authoring" id="authoring" open>' in author_view


def test_publish_message_names_what_went_live_with_links(client, editor, reviewer):
    change_request = approved_change(editor, reviewer, dosing="Published wording.")
    client.force_login(reviewer)
    response = confirmed_post(client, _action_url(change_request, "publish"),
                              {"seen": seen_on_review_page(client, change_request)}, follow=True)
    html = response.content.decode()
    link = '<a href="/therapies/ocrelizumab/">Ocrelizumab</a>'
    assert f'Now live: <ul class="published-pages"><li>Therapy: {link}' in html


def test_a_comment_whose_field_no_longer_differs_stays_in_the_discussion(client, editor, reviewer):
    change_request = submitted_change(editor, dosing="Reworded dosing.")
    revision = change_request.revisions.get()
    note = workflow.comment(change_request=change_request, user=reviewer, body="Why reword?", revision=revision,
                            field_name="dosing")
    whole = workflow.comment(change_request=change_request, user=reviewer, body="On the whole page", revision=revision)
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = revision.base_snapshot["fields"]["dosing"]  # the editor takes the change back
    snapshot["fields"]["summary"] = "A new summary."
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    client.force_login(reviewer)
    html = client.get(_review_url(change_request)).content.decode()
    discussion = html[html.index('id="comments"'):]
    assert f'id="comment-{note.pk}"' in discussion and f'id="comment-{whole.pk}"' in discussion
    assert html.count(f'id="comment-{note.pk}"') == 1


def test_scheduling_over_an_open_comment_needs_approve_anyway(editor, reviewer):
    import datetime

    from django.utils import timezone

    change_request = approved_change(editor, reviewer, dosing="Scheduled wording.")
    workflow.comment(change_request=change_request, user=editor, body="One more thought")
    at = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(workflow.WorkflowError, match="approve anyway"):
        workflow.schedule(change_request=change_request, user=reviewer, publish_at=at)
    change_request.refresh_from_db()
    assert change_request.publish_at is None
    workflow.schedule(change_request=change_request, user=reviewer, publish_at=at, approve_anyway=True)
    change_request.refresh_from_db()
    assert change_request.publish_at is not None
