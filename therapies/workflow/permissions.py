"""Who may do what (rule 1): roles from groups, and one check per action returning the refusal or None."""

from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser

from ..models import (
    OPEN_STATES,
    ChangeRequest,
    State,
)
from ..models.roles import EDIT, REVIEW, roles_of

# --- Roles -------------------------------------------------------------------------------------


def roles(user: AbstractBaseUser | None) -> set[str]:
    """The editorial roles a user holds (models/roles.py, the one definition), kept on the user for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_editorial_roles", None)
    if cached is None:
        cached = user._editorial_roles = roles_of(user)
    return cached


def is_editor(user) -> bool:
    """Medical editors and medical reviewers may both draft changes."""
    return bool(roles(user) & {EDIT, REVIEW})


def is_reviewer(user) -> bool:
    return REVIEW in roles(user)


def display_name(user) -> str:
    if user is None:
        return "the editorial team"
    return user.get_full_name() or user.get_username()


def is_author(change_request: ChangeRequest, user) -> bool:
    return change_request.authors.filter(pk=user.pk).exists()


# --- Checks: each returns None when allowed, or the refusal in the user's words ---------------


def _state_label(change_request: ChangeRequest) -> str:
    return change_request.get_state_display().lower()


def can_edit(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can change drafts."
    if change_request.state not in OPEN_STATES:
        return f"Change request #{change_request.pk} is {_state_label(change_request)}; it can no longer be edited."
    return None


def can_submit(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can submit changes for review."
    if not is_author(change_request, user):
        return "Only an author of this change request can submit it for review."
    if change_request.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        return f"Change request #{change_request.pk} is {_state_label(change_request)}, not a draft."
    if not change_request.revisions.exists():
        return "Add at least one change before submitting for review."
    return None


def _can_review(change_request: ChangeRequest, user, verb: str) -> str | None:
    if not is_reviewer(user):
        return f"Only medical reviewers can {verb}."
    if change_request.state != State.IN_REVIEW:
        return f"Change request #{change_request.pk} is {_state_label(change_request)}, not in review."
    return None


def can_approve(change_request: ChangeRequest, user) -> str | None:
    refusal = _can_review(change_request, user, "approve changes")
    if refusal:
        return refusal
    if is_author(change_request, user):
        # Four eyes (rule 2): no exemption, not even for superusers.
        return "You edited this change request, so someone else must approve it."
    return None


def can_request_changes(change_request: ChangeRequest, user) -> str | None:
    return _can_review(change_request, user, "request changes")


def can_reject(change_request: ChangeRequest, user) -> str | None:
    return _can_review(change_request, user, "reject changes")


def can_withdraw(change_request: ChangeRequest, user) -> str | None:
    if not is_author(change_request, user) or not is_editor(user):
        return "Only an author of this change request can withdraw it."
    if change_request.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        return f"Change request #{change_request.pk} is {_state_label(change_request)}; only drafts can be withdrawn."
    return None


def _can_release(change_request: ChangeRequest, user, *, verb: str, done: str) -> str | None:
    """Publishing now and scheduling a publish are one permission: a reviewer, on an approved change request.

    One body, so the two can never drift apart (a scheduled publish runs later as the scheduler).
    """
    if not is_reviewer(user):
        return f"Only medical reviewers can {verb}."
    if change_request.state != State.APPROVED:
        state = _state_label(change_request)
        return f"Change request #{change_request.pk} is {state}; only approved changes can be {done}."
    return None


def can_publish(change_request: ChangeRequest, user) -> str | None:
    return _can_release(change_request, user, verb="publish", done="published")


def can_comment(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can comment."
    return None


def can_schedule(change_request: ChangeRequest, user) -> str | None:
    """Scheduling is publishing at a set time: the same people, the same state."""
    return _can_release(change_request, user, verb="schedule publishing", done="scheduled")


def can_unschedule(change_request: ChangeRequest, user) -> str | None:
    refusal = can_schedule(change_request, user)
    if refusal:
        return refusal
    if change_request.publish_at is None:
        return f"Change request #{change_request.pk} is not scheduled."
    return None


CHECKS: dict[str, Callable[[ChangeRequest, object], str | None]] = {
    "edit": can_edit,
    "submit": can_submit,
    "approve": can_approve,
    "request_changes": can_request_changes,
    "reject": can_reject,
    "withdraw": can_withdraw,
    "publish": can_publish,
    "comment": can_comment,
    "schedule": can_schedule,
    "unschedule": can_unschedule,
}


def available_actions(change_request: ChangeRequest, user) -> set[str]:
    """What `user` may do to `change_request` now: the buttons the review page offers."""
    return {name for name, check in CHECKS.items() if check(change_request, user) is None}

