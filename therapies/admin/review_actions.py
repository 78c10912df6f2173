"""The buttons of the review page: submit, approve, request changes, reject, withdraw, publish, schedule,
save the change note and comment, each a thin call into the workflow (which checks permission and state).
Approve, publish, schedule, request changes, reject and withdraw act only once confirmed (confirm.py)."""

from collections.abc import Callable, Mapping

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import workflow
from ..models import ChangeRequest
from ..workflow import WorkflowError
from .confirm import CHANGE_REQUEST_STEPS, ask_change_request, posted_data
from .forms import CommentForm, form_refusal, parse_schedule_time
from .review import _change_request_url

ACTION_LABELS = {
    "submit": "submitted for review",
    "approve": "approved",
    "request_changes": "sent back to its authors",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "publish": "published",
    "unschedule": "taken off the schedule; it is still approved",
}


def _seen(data) -> str:
    """The digest the reviewer's form carried; missing counts as stale (it can't say what was seen)."""
    return data.get("seen", "")


def _full_review(data) -> bool:
    """The reviewer ticked that every page was reviewed in full against its sources (rule 6)."""
    return data.get("full_review") == "1"


def _approve(user, change_request: ChangeRequest, data) -> None:
    workflow.approve(change_request=change_request, user=user, significance=data.get("significance") or None,
                     seen=_seen(data))


# Actions that end with "Change request #n was <label>." on the review page; each reads the posted data, or for
# the confirmed ones (confirm.CHANGE_REQUEST_STEPS) the data its confirm page carried.
STATE_ACTIONS: dict[str, Callable[[object, ChangeRequest, Mapping], object]] = {
    "submit": lambda user, cr, data: workflow.submit(change_request=cr, user=user, change_note=data.get("change_note")),
    "approve": _approve,
    "request_changes": lambda user, cr, data: workflow.request_changes(
        change_request=cr, user=user, comment_text=data.get("text", "")
    ),
    "reject": lambda user, cr, data: workflow.reject(change_request=cr, user=user, reason=data.get("text", "")),
    "withdraw": lambda user, cr, data: workflow.withdraw(change_request=cr, user=user, reason=data.get("text", "")),
    "publish": lambda user, cr, data: workflow.publish(
        change_request=cr, user=user, seen=_seen(data), full_review=_full_review(data)
    ),
    "unschedule": lambda user, cr, data: workflow.unschedule(change_request=cr, user=user),
}


@require_POST
def change_request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    url = _change_request_url(change_request)
    try:
        if action in CHANGE_REQUEST_STEPS and "confirm" not in request.POST:
            return ask_change_request(request, change_request, action)  # nothing is done until confirmed (issue 14)
        data = posted_data(request, change_request, action) if action in CHANGE_REQUEST_STEPS else request.POST
        if action == "schedule":
            _schedule(request, change_request, data)
        elif action == "save_note":
            _save_change_note(request, change_request)
        elif action == "comment":
            _post_comment(request, change_request)
            messages.success(request, "Your comment was added.")
            url += "#comments"
        elif action in STATE_ACTIONS:
            STATE_ACTIONS[action](request.user, change_request, data)
            messages.success(request, f"Change request #{change_request.pk} was {ACTION_LABELS[action]}.")
        else:
            raise Http404("No such action.")
    except WorkflowError as error:
        messages.error(request, error.message)
    return redirect(url)


def _schedule(request: HttpRequest, change_request: ChangeRequest, data: Mapping) -> None:
    # Permission and state first, so a refused user hears why rather than about the date format.
    refusal = workflow.can_schedule(change_request, request.user)
    if refusal:
        raise WorkflowError(refusal)
    when, error = parse_schedule_time(data)
    if error:
        raise WorkflowError(error)
    change_request = workflow.schedule(change_request=change_request, user=request.user, publish_at=when,
                                       seen=_seen(data), full_review=_full_review(data))
    messages.success(
        request,
        f"Change request #{change_request.pk} will go live at {workflow.format_when(change_request.publish_at)}.",
    )


def _save_change_note(request: HttpRequest, change_request: ChangeRequest) -> None:
    workflow.update_change_note(
        change_request=change_request, user=request.user, change_note=request.POST.get("change_note", "")
    )
    messages.success(request, "The change note was saved.")


def _post_comment(request: HttpRequest, change_request: ChangeRequest) -> None:
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise WorkflowError(form_refusal(form))  # empty, too long, or holding a NUL: say which
    revision = None
    if form.cleaned_data["revision"]:
        revision = change_request.revisions.filter(pk=form.cleaned_data["revision"]).first()
    parent = None
    if form.cleaned_data["parent"]:
        parent = change_request.comments.filter(pk=form.cleaned_data["parent"]).first()
    workflow.comment(
        change_request=change_request,
        user=request.user,
        body=form.cleaned_data["body"],
        revision=revision,
        field_name=form.cleaned_data["field_name"] or "",
        parent=parent,
    )
