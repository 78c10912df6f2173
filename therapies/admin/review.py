"""The editorial views inside the admin: edit drafts, review diffs, act on change requests.

Thin views: parse the request, call an action in workflow.py, show its message.
Every rule (who may do what, when) is enforced there, not here; the templates only
hide buttons that workflow.available_actions() says would be refused.
"""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import workflow
from ..editorial.diff import diff_snapshots
from ..editorial.snapshots import snapshot_of
from ..editorial.textdiff import Budget
from ..models import KINDS, ChangeRequest, ReviewComment, Revision, Significance, State, kind_for, kind_named
from ..workflow import WorkflowError
from .citations import citation_search
from .confirm import OBJECT_STEPS, ask_object, posted_data, safety_reasons_of
from .edit_form import FORM_ERRORS_ID, MARKDOWN_HINTS, changed_names, edit_sections, error_summary
from .forms import (
    ReasonForm,
    StartChangeRequestForm,
    draft_forms,
    form_refusal,
    parse_schedule_time,
    snapshot_from_forms,
)
from .kind_parts import ADMIN
from .review_actions import change_request_action
from .review_assistant import assistant_panel

logger = logging.getLogger(__name__)


def _admin_context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin_site.each_context(request), "title": title, **extra}


def _content_model(model_name: str) -> type[models.Model]:
    try:
        return kind_named(model_name).model
    except LookupError:
        raise Http404("No such content type.") from None


def _require_editor(request: HttpRequest) -> None:
    if not workflow.is_editor(request.user):
        raise PermissionDenied("Only medical editors and reviewers can change content.")


def _change_request_url(change_request: ChangeRequest) -> str:
    return change_request.get_absolute_url()


def _revision_diff(revision: Revision, budget: Budget):
    model = revision.content_type.model_class()
    return diff_snapshots(model, revision.base_snapshot, revision.snapshot, budget, anchor=revision.pk)


# --- Review page -------------------------------------------------------------------------------------------


def change_request_page(request: HttpRequest, change_request: ChangeRequest) -> TemplateResponse:
    revisions = list(change_request.revisions.select_related("content_type", "edited_by"))
    all_comments = list(change_request.comments.select_related("author", "resolved_by", "revision")
                        .order_by("created_at"))
    replies: dict[int, list[ReviewComment]] = {}
    for note in all_comments:
        if note.parent_id:
            replies.setdefault(note.parent_id, []).append(note)
    comments = [note for note in all_comments if note.parent_id is None]
    by_field: dict[tuple[int | None, str], list[ReviewComment]] = {}
    for note in comments:
        note.reply_list = replies.get(note.pk, [])
        by_field.setdefault((note.revision_id, note.field_name), []).append(note)
    entries = []
    budget = Budget()  # one for the whole page: however many revisions, the word diffs cost at most this
    for revision in revisions:
        diff = _revision_diff(revision, budget)
        fields = [
            {"change": change, "comments": by_field.get((revision.pk, change.name), [])} for change in diff.fields
        ]
        entries.append(
            {
                "revision": revision,
                "diff": diff,
                "fields": fields,
                "model_name": revision.content_type.model,
                "has_page": kind_for(revision.content_type.model_class()).has_page,
            }
        )
    shown = {(entry["revision"].pk, item["change"].name) for entry in entries for item in entry["fields"]}
    audit_events = list(change_request.audit_events.select_related("actor").order_by("created_at", "pk"))
    actions = workflow.available_actions(change_request, request.user)
    refusals = {
        name: check(change_request, request.user)
        for name, check in workflow.CHECKS.items()
        if name in ("approve", "publish", "submit")
    }
    context = _admin_context(
        request,
        f"Change request #{change_request.pk}: {change_request.title}",
        change_request=change_request,
        entries=entries,
        # The Discussion shows every thread no diff row shows (general ones, and any whose field no longer
        # differs), counts them all, and links to those that sit under their field.
        comments=[c for c in comments if (c.revision_id, c.field_name) not in shown],
        field_comments=[c for c in comments if (c.revision_id, c.field_name) in shown],
        comment_count=len(all_comments),
        open_comment_count=sum(1 for c in comments if c.is_open),
        is_author=workflow.is_author(change_request, request.user),
        actions=actions,
        refusals=refusals,
        authors=list(change_request.authors.all()),
        significance_choices=Significance.choices,
        addable=[(kind.name, kind.verbose_name) for kind in KINDS],
        audit_events=audit_events,
        # Rule 9: the approve, publish and schedule forms say what this page showed.
        seen=workflow.review_digest(change_request) if actions & SEEN_ACTIONS else "",
        safety_reasons=safety_reasons_of(revisions),
        assistant=assistant_panel(change_request, revisions, entries),
        time_zone=timezone.get_current_timezone_name(),
        opts=ChangeRequest._meta,
        State=State,
    )
    return TemplateResponse(request, "admin/therapies/changerequest/review.html", context)


# The actions whose forms carry the digest of what the review page showed (rule 9).
SEEN_ACTIONS = frozenset({"approve", "publish", "schedule"})


# --- Editing drafts ---------------------------------------------------------------------------------------------


def _edit_page(request, *, change_request, model, form, formsets, revision=None, version=None) -> TemplateResponse:
    verbose = model._meta.verbose_name
    title = f"Edit {revision.object_repr}" if revision else f"New {verbose}"
    changed = changed_names(revision.base_snapshot, revision.snapshot) if revision and not revision.is_new else None
    sections = edit_sections(form, formsets, changed)
    context = _admin_context(
        request,
        title,
        change_request=change_request,
        revision=revision,
        version=version,
        form=form,
        formsets=formsets,
        sections=sections,
        errors=error_summary(form, sections),
        form_errors_id=FORM_ERRORS_ID,
        markdown_hints=MARKDOWN_HINTS,
        has_page=kind_for(model).has_page,
        model_name=model._meta.model_name,
        verbose_name=verbose,
        opts=model._meta,
        # Saving makes the editor an author, who may then submit: the bar offers both in one step.
        can_submit=workflow.can_edit(change_request, request.user) is None,
    )
    return TemplateResponse(request, "admin/therapies/changerequest/edit_revision.html", context)


def _after_save(request: HttpRequest, revision: Revision, saved: str) -> HttpResponse:
    """The one path after a draft is saved, edited or new: to its preview, on to review, or back to the change
    request with `saved` said."""
    if "_preview" in request.POST:
        return _preview_redirect(request, revision)
    change_request = revision.change_request
    messages.success(request, saved)
    if "_submit" in request.POST:
        try:
            workflow.submit(change_request=change_request, user=request.user)
        except WorkflowError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(f"{_change_request_url(change_request)}#change-note-form")
        messages.success(request, f"Change request #{change_request.pk} was submitted for review.")
    return redirect(_change_request_url(change_request))


def _preview_redirect(request: HttpRequest, revision: Revision) -> HttpResponse:
    """To the draft's preview; from a section's "see it on the page" button, at that section of the page."""
    url = reverse("admin:therapies_revision_preview", args=[revision.change_request_id, revision.pk])
    anchors = {section.anchor for section in ADMIN.of(revision.content_type.model_class()).form_sections}
    section = request.POST.get("_preview", "")
    return HttpResponseRedirect(f"{url}#{section}" if section and section in anchors else url)


def _save_then_redirect(request: HttpRequest, change_request: ChangeRequest, form, formsets, *,
                        save: Callable[[dict], Revision], saved: str) -> HttpResponse | None:
    """The one save path of the edit and new pages: valid forms are saved through the workflow (`save`, given the
    snapshot), then on by the one path after a save (`_after_save`: the preview, the review page with `saved` said,
    or on to review; {name} in `saved` is the object's name). None when nothing was saved: the bound form is
    shown again with the reason, so nothing typed is lost."""
    if not (form.is_valid() and all(fs.is_valid() for fs in formsets.values())):
        # Field errors: the error summary on the page says so, once (no second banner, issue 24).
        return None
    try:
        revision = save(snapshot_from_forms(form, formsets))
    except WorkflowError as error:
        # The bound form re-shows exactly what was submitted, so nothing typed is lost.
        messages.error(request, error.message)
        return None
    return _after_save(request, revision, saved.format(name=revision.object_repr))


@never_cache
def revision_edit(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    _require_editor(request)
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    revision = get_object_or_404(Revision, pk=revision_id, change_request=change_request)
    model = revision.content_type.model_class()
    instance = model.objects.get(pk=revision.object_id)
    # The version the editor's form was opened at travels with it (optimistic version check).
    version = revision.version
    if request.method == "POST":
        form, formsets = draft_forms(model, snapshot=revision.snapshot, instance=instance, data=request.POST,
                                     change_request=change_request)
        try:
            version = int(request.POST.get("_version", ""))
        except ValueError:
            version = None
        if version is None:
            # Without it a save could overwrite someone else's; re-show the text instead of guessing.
            messages.error(request, "The draft was not saved: the form was incomplete. Copy your text, "
                           "reload the page and try again.")
        else:
            saved = _save_then_redirect(
                request, change_request, form, formsets,
                save=lambda snapshot: workflow.save_draft(revision=revision, user=request.user, snapshot=snapshot,
                                                          expected_version=version),
                saved="Draft saved. The public page of {name} is unchanged.",
            )
            if saved is not None:
                return saved
    else:
        form, formsets = draft_forms(model, snapshot=revision.snapshot, instance=instance,
                                     change_request=change_request)
    return _edit_page(request, change_request=change_request, model=model, form=form, formsets=formsets,
                      revision=revision, version=version)


@never_cache
def object_new(request: HttpRequest, pk: int, model_name: str) -> HttpResponse:
    _require_editor(request)
    change_request = get_object_or_404(ChangeRequest, pk=pk)
    model = _content_model(model_name)
    if request.method == "POST":
        form, formsets = draft_forms(model, snapshot=None, data=request.POST, change_request=change_request)
        saved = _save_then_redirect(
            request, change_request, form, formsets,
            save=lambda snapshot: workflow.create_object(change_request=change_request, user=request.user,
                                                         model=model, snapshot=snapshot),
            saved="Draft saved: {name} is not public until published.",
        )
        if saved is not None:
            return saved
    else:
        form, formsets = draft_forms(model, snapshot=None, change_request=change_request)
    return _edit_page(request, change_request=change_request, model=model, form=form, formsets=formsets)


@require_POST
def revision_remove(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(Revision, pk=revision_id, change_request_id=pk)
    try:
        workflow.remove_object(revision=revision, user=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{revision.object_repr} was taken out of this change request.")
    return redirect("admin:therapies_changerequest_change", pk)


@never_cache
def start_edit(request: HttpRequest, model_name: str, object_id: int) -> HttpResponse:
    """"Edit in a change request": pick one of my open change requests, or start one."""
    _require_editor(request)
    model = _content_model(model_name)
    obj = get_object_or_404(model, pk=object_id)
    holder = workflow.open_change_request_for(obj)
    mine = list(
        ChangeRequest.objects.open().filter(authors=request.user).exclude(state=State.APPROVED).order_by("-updated_at")
    )
    form = StartChangeRequestForm(request.POST or None, initial={"title": f"Update {obj}"})
    if request.method == "POST":
        try:
            chosen = request.POST.get("change_request")
            if chosen:
                change_request = _chosen_change_request(chosen)
            elif form.is_valid():
                change_request = workflow.start_change_request(
                    user=request.user, title=form.cleaned_data["title"], significance=form.cleaned_data["significance"]
                )
            else:
                raise WorkflowError("Give the new change request a title.")
            revision = workflow.add_object(change_request=change_request, user=request.user, obj=obj)
        except WorkflowError as error:
            messages.error(request, error.message)
        else:
            return redirect("admin:therapies_revision_edit", pk=change_request.pk, revision_id=revision.pk)
    context = _admin_context(
        request, f"Edit {obj} in a change request", obj=obj, mine=mine, form=form, opts=model._meta, holder=holder
    )
    return TemplateResponse(request, "admin/therapies/start_edit.html", context)


def _chosen_change_request(chosen: str) -> ChangeRequest:
    """The change request picked in the form; a value that names none is a refusal, not a server error."""
    change_request = ChangeRequest.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if change_request is None:
        raise WorkflowError("Choose one of your open change requests from the list, or start a new one.")
    return change_request


# --- Preview ----------------------------------------------------------------------------------------------------------


@never_cache
def revision_preview(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    """The public page as it would look once published, under a "Preview — not published" banner."""
    from .preview import render_preview  # public-page context builders; kept out of the admin import path

    _require_editor(request)
    revision = get_object_or_404(Revision.objects.select_related("content_type"), pk=revision_id, change_request_id=pk)
    response = render_preview(request, revision)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- History, compare, revert, unpublish, confirm ---


@never_cache
def compare(request: HttpRequest, model_name: str, object_id: int) -> HttpResponse:
    model = _content_model(model_name)
    obj = get_object_or_404(model, pk=object_id)
    if not request.user.has_perm(f"therapies.view_{model_name}") and not workflow.is_editor(request.user):
        raise PermissionDenied
    content_type = ContentType.objects.get_for_model(model)
    if "draft" in request.GET:
        return _compare_draft(request, obj, content_type, request.GET["draft"])
    versions = Revision.objects.filter(content_type=content_type, object_id=obj.pk, published_at__isnull=False)
    try:
        older = versions.get(pk=int(request.GET.get("a", "")))
        newer_id = request.GET.get("b")
        newer_snapshot = versions.get(pk=int(newer_id)).snapshot if newer_id else snapshot_of(obj)
    except (ValueError, Revision.DoesNotExist):
        messages.error(request, "Choose two published versions of this page to compare.")
        return redirect(reverse(f"admin:therapies_{model_name}_change", args=[obj.pk]))
    diff = diff_snapshots(model, older.snapshot, newer_snapshot)
    context = _admin_context(
        request, f"Compare versions of {obj}", obj=obj, older=older, newer_id=newer_id, diff=diff, opts=model._meta
    )
    return TemplateResponse(request, "admin/therapies/compare.html", context)


def _compare_draft(request: HttpRequest, obj: models.Model, content_type, draft_id: str) -> HttpResponse:
    """The live page against one draft of it, in an open change request, with a diff budget of its own (issue 23,
    N4): the review screen shares its budget across revisions, and sends here when it is spent."""
    if not (workflow.is_editor(request.user) or workflow.is_reviewer(request.user)):
        raise PermissionDenied
    draft = Revision.objects.filter(
        content_type=content_type, object_id=obj.pk, published_at__isnull=True,
        change_request__in=ChangeRequest.objects.open(), pk=int(draft_id) if draft_id.isdigit() else None,
    ).first()
    if draft is None:
        messages.error(request, "Choose a draft of this page in an open change request to compare.")
        return redirect(reverse(f"admin:therapies_{content_type.model}_change", args=[obj.pk]))
    diff = diff_snapshots(type(obj), snapshot_of(obj), draft.snapshot, Budget())
    context = _admin_context(request, f"Compare the draft of {obj} with the live page", obj=obj, draft=draft,
                             diff=diff, opts=obj._meta)
    return TemplateResponse(request, "admin/therapies/compare.html", context)


@require_POST
def revert(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = get_object_or_404(Revision, pk=revision_id)
    try:
        change_request = workflow.revert(revision=revision, user=request.user)
    except WorkflowError as error:
        messages.error(request, error.message)
        model_name = revision.content_type.model
        return redirect(reverse(f"admin:therapies_{model_name}_change", args=[revision.object_id]))
    messages.success(
        request, "A new change request holds the older version. Submit it for review to publish it."
    )
    return HttpResponseRedirect(_change_request_url(change_request))


def _unpublish(request: HttpRequest, obj: models.Model, data, text: str) -> str:
    workflow.unpublish(obj=obj, user=request.user, reason=text,
                       significance=data.get("significance") or Significance.MAJOR)
    return f"{obj} was unpublished: it is no longer on the public site."


def _confirm_reviewed(request: HttpRequest, obj: models.Model, data, text: str) -> str:
    workflow.confirm_reviewed(obj=obj, user=request.user, note=text)
    return f"Thank you: {obj} is confirmed as still accurate."


def _schedule_unpublish(request: HttpRequest, obj: models.Model, data, text: str) -> str:
    # Permission first, so a refused user hears why rather than about the date format.
    refusal = workflow.can_schedule_unpublish(request.user)
    if refusal:
        raise WorkflowError(refusal)
    when, error = parse_schedule_time(data)
    if error:
        raise WorkflowError(error)
    obj = workflow.schedule_unpublish(obj=obj, user=request.user, at=when, reason=text)
    return f"{obj} will come off the site at {workflow.format_when(obj.unpublish_at)}."


def _unschedule_unpublish(request: HttpRequest, obj: models.Model, data, text: str) -> str:
    workflow.unschedule_unpublish(obj=obj, user=request.user)
    return f"{obj} is no longer scheduled to come off the site."


# The buttons of a content page's "Publishing and review" box: each calls the workflow with the posted data (for
# the confirmed ones, confirm.OBJECT_STEPS, the data its confirm page carried) and the reason or note typed, and
# returns what to tell the user.
OBJECT_ACTIONS: dict[str, Callable[[HttpRequest, models.Model, object, str], str]] = {
    "unpublish": _unpublish,
    "confirm": _confirm_reviewed,
    "schedule_unpublish": _schedule_unpublish,
    "unschedule_unpublish": _unschedule_unpublish,
}


@require_POST
def object_action(request: HttpRequest, model_name: str, object_id: int, action: str) -> HttpResponse:
    model = _content_model(model_name)
    obj = get_object_or_404(model, pk=object_id)
    perform = OBJECT_ACTIONS.get(action)
    if perform is None:
        raise Http404("No such action.")
    try:
        if action in OBJECT_STEPS and "confirm" not in request.POST:
            return ask_object(request, obj, action)  # nothing is done until the reviewer confirms (issue 14)
        data = posted_data(request, obj, action) if action in OBJECT_STEPS else request.POST
        form = ReasonForm(data)
        if not form.is_valid():
            # A NUL or an overlong reason: said so, never dropped silently (an unpublish went ahead without one).
            raise WorkflowError(form_refusal(form))
        messages.success(request, perform(request, obj, data, form.cleaned_data["text"]))
    except WorkflowError as error:
        messages.error(request, error.message)
    return redirect(reverse(f"admin:therapies_{model_name}_change", args=[obj.pk]))


def urls(admin_view) -> list:
    """URL patterns for these views, wrapped by the admin site's login and staff check."""
    from django.urls import path

    return [
        path("<int:pk>/action/<str:action>/", admin_view(change_request_action),
             name="therapies_changerequest_action"),
        path("<int:pk>/revision/<int:revision_id>/edit/", admin_view(revision_edit),
             name="therapies_revision_edit"),
        path("<int:pk>/revision/<int:revision_id>/preview/", admin_view(revision_preview),
             name="therapies_revision_preview"),
        path("<int:pk>/revision/<int:revision_id>/remove/", admin_view(revision_remove),
             name="therapies_revision_remove"),
        path("<int:pk>/new/<str:model_name>/", admin_view(object_new), name="therapies_object_new"),
        path("<int:pk>/autocomplete/", admin_view(citation_search), name="therapies_changerequest_autocomplete"),
        path("content/<str:model_name>/<int:object_id>/edit/", admin_view(start_edit), name="therapies_start_edit"),
        path("content/<str:model_name>/<int:object_id>/compare/", admin_view(compare), name="therapies_compare"),
        path("content/<str:model_name>/<int:object_id>/<str:action>/", admin_view(object_action),
             name="therapies_object_action"),
        path("revision/<int:revision_id>/revert/", admin_view(revert), name="therapies_revert"),
    ]
