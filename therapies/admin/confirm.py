"""The confirm step before an action that changes what readers see or ends a change request (issue 14).

Approve, Publish now, Schedule, Request changes, Reject, Withdraw and Unpublish used to act on one click. Now
their forms post to the same URL as before, which does nothing but show a confirm page: the objects, the
significance, the change note (or reason) and what will happen. Its "Yes" button posts a signed token holding
exactly what the first form sent, for this user, this action and this change request or page, valid for
CONFIRM_MAX_AGE; only a post carrying a valid token acts, and it acts on the token's data, so the page is a true
account of what is done. A direct post without a token (a forged or scripted one, a double click on an old form)
therefore changes nothing. A confirm page needs no script, so it works under the CSP (script-src 'self') and
without JavaScript. The workflow's own checks (permission, state, four eyes, rule 9) still run when the action
does; the confirm step asks the cheap ones first so a refusal is said before, not after, "Are you sure?".
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.admin import site as admin_site
from django.core import signing
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse

from .. import workflow
from ..editorial.alerts import audience
from ..editorial.safety import safety_reasons
from ..models import ChangeRequest, Revision, Significance, kind_for
from ..workflow import WorkflowError
from .forms import ReasonForm, form_refusal, parse_schedule_time

CONFIRM_SALT = "therapies.admin.confirm"
CONFIRM_MAX_AGE = 30 * 60  # seconds: long enough to read the page, short enough that a stale tab must ask again
EXPIRED = "The confirmation has expired (after 30 minutes). Nothing was done: choose the action again."
INVALID = "That confirmation is not valid for this action. Nothing was done: choose the action again."


@dataclass(frozen=True)
class Step:
    """What a confirm page asks, and which posted fields the action reads (carried, signed, through the step)."""

    verb: str  # "Approve": the page's title is "<verb> change request #12?"
    button: str  # "Yes, approve"
    consequence: str  # what happens, in the user's words
    fields: tuple[str, ...]
    danger: bool = False


CHANGE_REQUEST_STEPS: dict[str, Step] = {
    "approve": Step("Approve", "Yes, approve", "Approving says you reviewed every change listed here, with its "
                    "sources. A medical reviewer can then publish it.", ("significance", "seen")),
    "publish": Step("Publish", "Yes, publish now", "Readers see these changes as soon as you confirm, and the change "
                    "note joins each page's history and the public updates page.", ("seen", "full_review")),
    "schedule": Step("Schedule", "Yes, schedule it", "These changes go live at the time below, in your name, unless "
                     "the schedule is cancelled first.", ("when", "seen", "full_review")),
    "request_changes": Step("Send back", "Yes, request changes", "The change request goes back to its authors with "
                            "your comment. Nothing reaches readers.", ("text",)),
    "reject": Step("Reject", "Yes, reject", "The change request ends for good; pages new in it are deleted. Live "
                   "content is not touched.", ("text",), danger=True),
    "withdraw": Step("Withdraw", "Yes, withdraw", "The change request ends for good; pages new in it are deleted. "
                     "Live content is not touched.", ("text",), danger=True),
}
OBJECT_STEPS: dict[str, Step] = {
    "unpublish": Step("Unpublish", "Yes, unpublish", "The page comes off the public site at once: pages, lists, "
                      "search, the API and the sitemap. The updates page lists it with your reason.",
                      ("text", "significance"), danger=True),
    # A scheduled unpublish takes the page off the site just the same, later (issue 23, I3).
    "schedule_unpublish": Step("Schedule unpublishing of", "Yes, schedule it", "The page comes off the public site "
                               "at the time below, in your name, unless the schedule is cancelled first: pages, "
                               "lists, search, the API and the sitemap. The updates page will list it with the "
                               "reason.", ("when", "text"), danger=True),
}
# The steps that list the open comments and ask for "approve anyway" (DESIGN.md rule 11).
ANYWAY_STEPS = frozenset({"approve", "publish", "schedule"})
# Text an action cannot go without: asked before the confirm page, with the workflow's own words.
TEXT_REQUIRED = {
    "request_changes": workflow.NEEDS_CHANGES_COMMENT,
    "reject": workflow.NEEDS_REJECT_REASON,
    "unpublish": workflow.NEEDS_UNPUBLISH_REASON,
}


def safety_reasons_of(revisions: list[Revision]) -> list[str]:
    """Why a change counts as a safety update (editorial/safety.py), for the reviewer confirming its significance."""
    return [reason for revision in revisions for reason in
            safety_reasons(revision.content_type.model_class(), revision.base_snapshot, revision.snapshot)]


def target_of(obj: models.Model) -> str:
    """What a token is for: "changerequest:12", "therapy:3"."""
    return f"{obj._meta.model_name}:{obj.pk}"


def posted_data(request: HttpRequest, obj: models.Model, action: str) -> Mapping:
    """The data a confirmed action acts on: what the token carries, checked to be this user's, for this action on
    this object, and fresh. A refusal (WorkflowError) for a token that is none of those."""
    try:
        signed = signing.loads(request.POST.get("confirm", ""), salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise WorkflowError(EXPIRED) from None
    except signing.BadSignature:
        raise WorkflowError(INVALID) from None
    if signed.get("for") != [target_of(obj), action, request.user.pk]:
        raise WorkflowError(INVALID)
    return signed["data"]


def _token(request: HttpRequest, obj: models.Model, action: str, step: Step) -> str:
    return confirm_token(request, obj, action, step.fields)


def confirm_token(request: HttpRequest, obj: models.Model, action: str, fields: tuple[str, ...]) -> str:
    """The signed token a confirm page's "Yes" button posts: the posted `fields`, for this user, action and object
    (read back by `posted_data`)."""
    data = {name: request.POST.get(name, "") for name in fields}
    return signing.dumps({"for": [target_of(obj), action, request.user.pk], "data": data}, salt=CONFIRM_SALT,
                         compress=True)


def _text(request: HttpRequest, action: str) -> str:
    """The reason or comment typed, refused now if it is empty where it must not be, too long or holds a NUL."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise WorkflowError(form_refusal(form))
    text = form.cleaned_data["text"].strip()
    if not text and action in TEXT_REQUIRED:
        raise WorkflowError(TEXT_REQUIRED[action])
    return text


def _significance(request: HttpRequest, default: str) -> str:
    return workflow.valid_significance(request.POST.get("significance") or default)


def _page(request: HttpRequest, obj: models.Model, action: str, step: Step, title: str, **context) -> TemplateResponse:
    context = {
        **admin_site.each_context(request), **context, "title": title, "step": step, "action": action,
        "confirm_token": _token(request, obj, action, step), "opts": obj._meta, "obj": obj,
    }
    return TemplateResponse(request, "admin/therapies/confirm.html", context)


def ask_change_request(request: HttpRequest, change_request: ChangeRequest, action: str) -> TemplateResponse:
    """The confirm page for an action on a change request, after the checks that can refuse it now."""
    step = CHANGE_REQUEST_STEPS[action]
    refusal = workflow.CHECKS[action](change_request, request.user)
    if refusal:
        raise WorkflowError(refusal)
    details: dict = {}
    if "when" in step.fields:
        when, error = parse_schedule_time(request.POST)
        if error:
            raise WorkflowError(error)
        details["when"] = workflow.format_when(workflow.future_time(when, "for the change to go live"))
    if "seen" in step.fields and request.POST.get("seen", "") != workflow.review_digest(change_request):
        raise WorkflowError(workflow.CHANGED_SINCE_OPENED)  # rule 9, said before "are you sure?"
    if "full_review" in step.fields:
        details["full_review"] = request.POST.get("full_review") == "1"
    if "text" in step.fields:
        details["text"] = _text(request, action)
    significance = change_request.significance
    if "significance" in step.fields:
        significance = _significance(request, change_request.significance)
    revisions = list(change_request.revisions.select_related("content_type").order_by("content_type_id", "pk"))
    # Rule 11: approving or publishing over open comments lists them and asks for "approve anyway".
    open_comments = list(workflow.open_comments(change_request)) if action in ANYWAY_STEPS else []
    objects = [{"kind": kind_for(r.content_type.model_class()).label, "name": r.object_repr, "is_new": r.is_new}
               for r in revisions]
    if action in ("publish", "schedule"):
        details["alerts"] = audience(_changed_objects(revisions), significance)
    return _page(
        request, change_request, action, step, f"{step.verb} change request #{change_request.pk}?",
        change_request=change_request, objects=objects, significance=Significance(significance).label,
        change_note=change_request.change_note, safety_reasons=safety_reasons_of(revisions), details=details,
        back_url=change_request.get_absolute_url(), open_comments=open_comments,
    )


def ask_object(request: HttpRequest, obj: models.Model, action: str) -> TemplateResponse:
    """The confirm page for an action on a live page (unpublish, now or at a time)."""
    step = OBJECT_STEPS[action]
    refusal = (workflow.can_schedule_unpublish(request.user) if action == "schedule_unpublish"
               else None if workflow.is_reviewer(request.user) else "Only medical reviewers can unpublish content.")
    if refusal:
        raise WorkflowError(refusal)  # permission first, so a refused user hears why rather than about the date
    if not obj.is_live:
        raise WorkflowError(f"{obj} is not published.")
    details = {"text": _text(request, action)}
    if "when" in step.fields:
        when, error = parse_schedule_time(request.POST)
        if error:
            raise WorkflowError(error)
        details["when"] = workflow.format_when(workflow.future_time(when, "for the page to come off the site"))
    kind = kind_for(obj)
    significance = _significance(request, Significance.MAJOR)
    return _page(
        request, obj, action, step, f"{step.verb} {obj}?",
        objects=[{"kind": kind.label, "name": str(obj), "is_new": False}],
        significance=Significance(significance).label,
        details={**details, "alerts": audience([obj], significance)}, back_url=kind.admin_url(obj.pk),
    )


def _changed_objects(revisions: list[Revision]) -> list[models.Model]:
    """The rows a change request's revisions edit (new ones exist already, not yet live)."""
    return [obj for revision in revisions
            for obj in revision.content_type.model_class()._default_manager.filter(pk=revision.object_id)]
