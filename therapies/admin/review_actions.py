"""The buttons of the review page: submit, approve, request changes, reject, withdraw, publish, schedule,
save the change note and comment, each a thin call into the workflow (which checks permission and state)."""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import workflow
from ..models import ChangeRequest, Significance
from ..workflow import WorkflowError
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




def _seen(request: HttpRequest) -> str:
    """The digest the reviewer's form carried; missing counts as stale (it can't say what was seen)."""
    return request.POST.get("seen", "")


def _full_review(request: HttpRequest) -> bool:
    """The reviewer ticked that every page was reviewed in full against its sources (rule 6)."""
    return request.POST.get("full_review") == "1"


def _approve(request: HttpRequest, change_request: ChangeRequest) -> None:
    significance = request.POST.get("significance") or None
    if significance and significance not in Significance.values:
        raise WorkflowError("Choose a significance from the list.")
    workflow.approve(change_request=change_request, user=request.user, significance=significance,
                     seen=_seen(request))


# Actions that end with "Change request #n was <label>." on the review page.
STATE_ACTIONS: dict[str, Callable[[HttpRequest, ChangeRequest], object]] = {
    "submit": lambda request, cr: workflow.submit(
        change_request=cr, user=request.user, change_note=request.POST.get("change_note")
    ),
    "approve": _approve,
    "request_changes": lambda request, cr: workflow.request_changes(
        change_request=cr, user=request.user, comment_text=request.POST.get("text", "")
    ),
    "reject": lambda request, cr: workflow.reject(
        change_request=cr, user=request.user, reason=request.POST.get("text", "")
    ),
    "withdraw": lambda request, cr: workflow.withdraw(
        change_request=cr, user=request.user, reason=request.POST.get("text", "")
    ),
    "publish": lambda request, cr: workflow.publish(
        change_request=cr, user=request.user, seen=_seen(request), full_review=_full_review(request)
    ),
    "unschedule": lambda request, cr: workflow.unschedule(change_request=cr, user=request.user),
}


@require_POST
def change_request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    url = _change_request_url(change_request)
    try:
        if action == "schedule":
            _schedule(request, change_request)
        elif action == "save_note":
            _save_change_note(request, change_request)
        elif action == "comment":
            _post_comment(request, change_request)
            messages.success(request, "Your comment was added.")
            url += "#comments"
        elif action in STATE_ACTIONS:
            STATE_ACTIONS[action](request, change_request)
            messages.success(request, f"Change request #{change_request.pk} was {ACTION_LABELS[action]}.")
        else:
            raise Http404("No such action.")
    except WorkflowError as error:
        messages.error(request, error.message)
    return redirect(url)


def _schedule(request: HttpRequest, change_request: ChangeRequest) -> None:
    # Permission and state first, so a refused user hears why rather than about the date format.
    refusal = workflow.can_schedule(change_request, request.user)
    if refusal:
        raise WorkflowError(refusal)
    when, error = parse_schedule_time(request.POST)
    if error:
        raise WorkflowError(error)
    change_request = workflow.schedule(change_request=change_request, user=request.user, publish_at=when,
                                       seen=_seen(request), full_review=_full_review(request))
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
