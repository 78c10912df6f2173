"""The permission matrix: anonymous, editor, reviewer, editor-and-reviewer, superuser × every action.

Each action is tried on someone else's change request (written by `editor2`) in the state the action
needs, at the workflow layer and over HTTP. An allowed actor's action must have its effect (a change
request started, a revision drafted, the state moved, the page unpublished); a refused one must be
refused in the user's words and change nothing. Superusers get no bypass (DESIGN.md rule 1).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from therapies import workflow
from therapies.models import ChangeRequest, ReviewComment, Revision, State, Therapy

from .workflow_helpers import approved_change, confirmed_post, draft_change, seen_on_review_page, submitted_change

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "editor", "reviewer", "editor_reviewer", "superuser"]
ALLOWED = {
    # action: actors allowed to do it to someone else's change request / content
    "start": {"editor", "reviewer", "editor_reviewer"},
    "edit": {"editor", "reviewer", "editor_reviewer"},
    "comment": {"editor", "reviewer", "editor_reviewer"},
    "submit": set(),  # only its authors
    "withdraw": set(),  # only its authors
    "approve": {"reviewer", "editor_reviewer"},
    "request_changes": {"reviewer", "editor_reviewer"},
    "reject": {"reviewer", "editor_reviewer"},
    "publish": {"reviewer", "editor_reviewer"},
    "unpublish": {"reviewer", "editor_reviewer"},
    "confirm_reviewed": {"reviewer", "editor_reviewer"},
    "revert": {"editor", "reviewer", "editor_reviewer"},
}


@pytest.fixture
def actors(request, editor, reviewer, editor_reviewer, superuser):
    return {
        "anonymous": AnonymousUser(),
        "editor": editor,
        "reviewer": reviewer,
        "editor_reviewer": editor_reviewer,
        "superuser": superuser,
    }


def setup_for(action: str, author, publisher):
    """Someone else's change request (or content) ready for `action`."""
    fingolimod = Therapy.objects.get(slug="fingolimod")
    if action in ("edit", "comment", "submit", "withdraw"):
        return draft_change(author, fingolimod, dosing="draft")[0]
    if action in ("approve", "request_changes", "reject"):
        return submitted_change(author, fingolimod, dosing="submitted")
    if action == "publish":
        return approved_change(author, publisher, fingolimod, dosing="approved")
    if action == "revert":
        workflow.publish(change_request=approved_change(author, publisher, fingolimod, dosing="v1"), user=publisher)
        workflow.publish(change_request=approved_change(author, publisher, fingolimod, dosing="v2"), user=publisher)
        return Therapy.objects.get(pk=fingolimod.pk).live_revision.base_revision
    return fingolimod


ACTIONS = {
    "start": lambda target, user: workflow.start_change_request(user=user, title="Matrix"),
    "edit": lambda target, user: workflow.add_object(
        change_request=target, user=user, obj=Therapy.objects.get(slug="ozanimod")
    ),
    "comment": lambda target, user: workflow.comment(change_request=target, user=user, body="A comment"),
    "submit": lambda target, user: workflow.submit(change_request=target, user=user, change_note="note"),
    "withdraw": lambda target, user: workflow.withdraw(change_request=target, user=user),
    "approve": lambda target, user: workflow.approve(change_request=target, user=user),
    "request_changes": lambda target, user: workflow.request_changes(
        change_request=target, user=user, comment_text="fix"
    ),
    "reject": lambda target, user: workflow.reject(change_request=target, user=user, reason="no"),
    "publish": lambda target, user: workflow.publish(change_request=target, user=user),
    "unpublish": lambda target, user: workflow.unpublish(obj=target, user=user, reason="matrix"),
    "confirm_reviewed": lambda target, user: workflow.confirm_reviewed(obj=target, user=user, note="checked"),
    "revert": lambda target, user: workflow.revert(revision=target, user=user),
}


def perform(action: str, target, user):
    return ACTIONS[action](target, user)


def _state(target) -> str:
    return ChangeRequest.objects.get(pk=target.pk).state


# What each action did, checked after an allowed actor performed it: (target, user, what the action returned).
EFFECTS = {
    "start": lambda target, user, started: (started.created_by, started.state) == (user, State.DRAFT),
    "edit": lambda target, user, revision: (revision.change_request_id, revision.edited_by, revision.object_repr)
    == (target.pk, user, "Ozanimod") and target.authors.filter(pk=user.pk).exists(),
    "comment": lambda target, user, note: ReviewComment.objects.filter(pk=note.pk, author=user,
                                                                       change_request=target).exists(),
    "approve": lambda target, user, _: (_state(target), ChangeRequest.objects.get(pk=target.pk).approved_by)
    == (State.APPROVED, user),
    "request_changes": lambda target, user, _: _state(target) == State.CHANGES_REQUESTED,
    "reject": lambda target, user, _: _state(target) == State.REJECTED,
    "publish": lambda target, user, _: _state(target) == State.PUBLISHED
    and Therapy.objects.get(slug="fingolimod").dosing == "approved",
    "unpublish": lambda target, user, _: not Therapy.objects.get(pk=target.pk).live,
    "confirm_reviewed": lambda target, user, _: Therapy.objects.get(pk=target.pk).last_reviewed_by == user,
    "revert": lambda target, user, started: started.created_by == user
    and started.revisions.get().snapshot == target.snapshot,
}


def observable(target) -> tuple:
    """Everything a refused action could have changed, to compare before and after."""
    return (
        ChangeRequest.objects.count(),
        Revision.objects.count(),
        ReviewComment.objects.count(),
        _state(target) if isinstance(target, ChangeRequest) else None,
        tuple(Therapy.objects.filter(slug="fingolimod").values_list("live", "dosing", "last_reviewed_at").get()),
    )


def test_every_workflow_action_has_its_effect_checked():
    assert set(EFFECTS) == {action for action, allowed in ALLOWED.items() if allowed}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ALLOWED)
def test_workflow_permission_matrix(actors, editor2, reviewer2, actor, action):
    target = setup_for(action, editor2, reviewer2)
    user = actors[actor]
    if actor in ALLOWED[action]:
        result = perform(action, target, user)
        assert EFFECTS[action](target, user, result), f"{actor} was allowed to {action}, but it had no effect"
    else:
        before = observable(target)
        with pytest.raises(workflow.WorkflowError) as excinfo:
            perform(action, target, user)
        assert excinfo.value.message.startswith("Only"), excinfo.value.message
        assert observable(target) == before


HTTP_ACTIONS = {
    "submit": ("draft", {"change_note": "note"}, State.IN_REVIEW),
    "withdraw": ("draft", {}, State.WITHDRAWN),
    "approve": ("in_review", {"significance": "minor"}, State.APPROVED),
    "request_changes": ("in_review", {"text": "fix"}, State.CHANGES_REQUESTED),
    "reject": ("in_review", {"text": "no"}, State.REJECTED),
    "publish": ("approved", {}, State.PUBLISHED),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", HTTP_ACTIONS)
def test_http_permission_matrix(client, actors, editor2, reviewer2, actor, action):
    state, data, after = HTTP_ACTIONS[action]
    fingolimod = Therapy.objects.get(slug="fingolimod")
    if state == "draft":
        change_request = draft_change(editor2, fingolimod, dosing="x")[0]
    elif state == "in_review":
        change_request = submitted_change(editor2, fingolimod, dosing="x")
    else:
        change_request = approved_change(editor2, reviewer2, fingolimod, dosing="x")
    if actor != "anonymous":
        client.force_login(actors[actor])
        data = {**data, "seen": seen_on_review_page(client, change_request)}  # what the page showed (rule 9)
    response = confirmed_post(client, reverse("admin:therapies_changerequest_action", args=[change_request.pk, action]),
                              data)
    state_after = ChangeRequest.objects.get(pk=change_request.pk).state
    if actor == "anonymous":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    if actor in ALLOWED[action]:
        assert state_after == after
    else:
        assert state_after == change_request.state
