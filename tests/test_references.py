"""Sources are a content kind (issue 11): drafted, reviewed and published in change requests, never edited in place.

The attack these tests replay: an editor cites a source in a change request, a reviewer approves it, then the
editor changes the source's title to "Stop your MS treatment now" and its address to another site. It must
never reach the live page without a second person seeing it.
"""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from therapies import workflow
from therapies.editorial.snapshots import snapshot_of
from therapies.models import AuditAction, AuditEvent, ChangeRequest, Reference, State, Therapy
from therapies.workflow import PublishConflict, WorkflowError
from therapies.workflow.roles import EDITORS, REVIEWERS

from .workflow_helpers import seen_on_review_page

pytestmark = pytest.mark.django_db

SWAPPED_TITLE = "Stop your MS treatment now"
SWAPPED_URL = "https://harm.example/stop"


def refreshed(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def reference_snapshot(**fields) -> dict:
    """A valid snapshot for a new web source, with `fields` changed."""
    snapshot = snapshot_of(Reference.objects.get(key="epar-ofatumumab"))
    snapshot["fields"].update({"key": "test-new-source", "title": "Kesimpta: label update 2026",
                               "url": "https://www.ema.europa.eu/en/medicines/human/EPAR/kesimpta", **fields})
    return snapshot


def cite(change_request, user, therapy: Therapy, reference_id: int):
    """Draft `therapy` in `change_request` citing the source `reference_id` as well."""
    revision = workflow.add_object(change_request=change_request, user=user, obj=therapy)
    snapshot = revision.snapshot
    snapshot["m2m"]["references"] = sorted({*snapshot["m2m"]["references"], reference_id})
    return workflow.save_draft(revision=revision, user=user, snapshot=snapshot)


def edit_source(revision, user, **fields):
    snapshot = revision.snapshot
    snapshot["fields"].update(fields)
    return workflow.save_draft(revision=revision, user=user, snapshot=snapshot)


def ofatumumab() -> Therapy:
    return Therapy.objects.get(slug="ofatumumab")


def submitted_new_source(editor):
    """A change request, in review, that adds a new source and cites it on the ofatumumab page."""
    change_request = workflow.start_change_request(user=editor, title="New Kesimpta source")
    source = workflow.create_object(change_request=change_request, user=editor, model=Reference,
                                    snapshot=reference_snapshot())
    cite(change_request, editor, ofatumumab(), source.object_id)
    workflow.submit(change_request=change_request, user=editor, change_note="Cited the 2026 label update.")
    return change_request, source


# --- The source swap ----------------------------------------------------------------------------------------


def test_the_source_swap_after_approval_is_refused(client, editor, reviewer):
    change_request, source = submitted_new_source(editor)
    client.force_login(reviewer)
    seen = seen_on_review_page(client, change_request)
    workflow.approve(change_request=change_request, user=reviewer, seen=seen)

    edit_source(source, editor, title=SWAPPED_TITLE, url=SWAPPED_URL)

    assert refreshed(change_request).state == State.DRAFT  # rule 5: back for re-review
    with pytest.raises(WorkflowError, match="only approved changes can be published"):
        workflow.publish(change_request=change_request, user=reviewer, seen=seen)
    page = client.get(ofatumumab().get_absolute_url()).content.decode()
    assert SWAPPED_TITLE not in page and SWAPPED_URL not in page
    assert not Reference.objects.live().filter(pk=source.object_id).exists()
    swap = AuditEvent.objects.filter(change_request=change_request, action=AuditAction.EDIT,
                                     object_id=source.object_id).latest("pk")
    assert swap.actor == editor and swap.content_type.model == "reference"


def test_a_resubmitted_swap_is_refused_by_the_approve_form_opened_before_it(client, editor, reviewer):
    change_request, source = submitted_new_source(editor)
    client.force_login(reviewer)
    seen = seen_on_review_page(client, change_request)
    edit_source(source, editor, title=SWAPPED_TITLE, url=SWAPPED_URL)
    workflow.submit(change_request=change_request, user=editor)
    response = client.post(reverse("admin:therapies_changerequest_action", args=[change_request.pk, "approve"]),
                           {"significance": "minor", "seen": seen}, follow=True)
    assert "This change request changed after you opened it: review it again." in response.content.decode()
    assert refreshed(change_request).state == State.IN_REVIEW


def test_a_source_changed_since_the_page_was_opened_makes_its_approve_form_stale(editor, editor2, reviewer):
    """The review page names each cited source with its address; a source edited and published elsewhere
    after the reviewer opened the page changes what the approval would cover."""
    source = Reference.objects.get(key="epar-ofatumumab")
    change_request = workflow.start_change_request(user=editor, title="Cite the EPAR")
    cite(change_request, editor, Therapy.objects.get(slug="ocrelizumab"), source.pk)
    workflow.submit(change_request=change_request, user=editor, change_note="Added a source.")
    seen = workflow.review_digest(change_request)
    Reference.objects.filter(pk=source.pk).update(url=SWAPPED_URL)
    with pytest.raises(WorkflowError, match="changed after you opened it"):
        workflow.approve(change_request=change_request, user=reviewer, seen=seen)


def test_sources_are_never_added_or_changed_directly_in_the_admin(client, editor, superuser):
    source = Reference.objects.get(key="epar-ofatumumab")
    for user in (editor, superuser):
        client.force_login(user)
        change = client.post(reverse("admin:therapies_reference_change", args=[source.pk]),
                             {"key": source.key, "kind": "web", "title": SWAPPED_TITLE, "source": "x",
                              "url": SWAPPED_URL})
        assert change.status_code == 403
        assert client.get(reverse("admin:therapies_reference_add")).status_code == 403
    assert refreshed(source).title != SWAPPED_TITLE
    for name in (EDITORS, REVIEWERS):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert "view_reference" in codenames
        assert not codenames & {"add_reference", "change_reference", "delete_reference"}


# --- Rule 5 and rule 4 for what a change request cites --------------------------------------------------------


@pytest.fixture
def approved_citing(editor, reviewer) -> tuple[ChangeRequest, Reference]:
    """Change request A, approved, citing a live source it does not change."""
    source = Reference.objects.get(key="epar-ofatumumab")
    change_request = workflow.start_change_request(user=editor, title="Cite the EPAR")
    therapy = Therapy.objects.get(slug="ocrelizumab")
    cite(change_request, editor, therapy, source.pk)
    workflow.submit(change_request=change_request, user=editor, change_note="Added a source.")
    workflow.approve(change_request=change_request, user=reviewer)
    return change_request, source


@pytest.mark.parametrize("state", [State.IN_REVIEW, State.APPROVED])
def test_editing_a_source_a_change_request_cites_sends_it_back_to_draft(
    editor, editor2, reviewer, approved_citing, state, django_capture_on_commit_callbacks
):
    citing, source = approved_citing
    ChangeRequest.objects.filter(pk=citing.pk).update(state=state)
    other = workflow.start_change_request(user=editor2, title="Fix the EPAR title")
    revision = workflow.add_object(change_request=other, user=editor2, obj=source)
    assert refreshed(citing).state == state  # holding the source is not changing it
    with django_capture_on_commit_callbacks(execute=True):
        edit_source(revision, editor2, title="Kesimpta: EPAR (corrected)")
    citing = refreshed(citing)
    assert citing.state == State.DRAFT and citing.approved_by is None
    event = AuditEvent.objects.get(change_request=citing, action=AuditAction.RE_REVIEW)
    assert event.actor == editor2 and f"change request #{other.pk}" in event.details["step"]
    assert [m.to for m in mail.outbox if m.subject == f"Back to draft: #{citing.pk} {citing.title}"] == [
        [editor.email]]


def test_a_page_citing_a_source_changed_elsewhere_waits_until_that_change_is_published(
    editor2, reviewer, reviewer2, editor, approved_citing
):
    citing, source = approved_citing
    other = workflow.start_change_request(user=editor2, title="Fix the EPAR title")
    workflow.add_object(change_request=other, user=editor2, obj=source)
    with pytest.raises(PublishConflict) as refused:
        workflow.publish(change_request=citing, user=reviewer)
    assert refused.value.message.startswith(
        f"Ocrelizumab cites the source “{source}”, which is being changed in change request #{other.pk} "
        "(“Fix the EPAR title”). Nothing was published")
    assert refreshed(citing).state == State.APPROVED
    edit_source(other.revisions.get(), editor2, title="Kesimpta: EPAR (corrected)")
    workflow.submit(change_request=other, user=editor2, change_note="Corrected a source's title.")
    workflow.approve(change_request=other, user=reviewer2)
    workflow.publish(change_request=other, user=reviewer2)
    assert refreshed(citing).state == State.DRAFT  # its reviewer approved the old title
    workflow.submit(change_request=citing, user=editor)
    workflow.approve(change_request=citing, user=reviewer)
    workflow.publish(change_request=citing, user=reviewer)
    assert source.pk in Therapy.objects.get(slug="ocrelizumab").references.values_list("pk", flat=True)


def test_publishing_a_source_sends_the_change_requests_citing_it_back_to_draft(editor, editor2, reviewer, reviewer2):
    """The citing change request was approved while the source's correction waited: its reviewer saw the old
    title, so once the new one is published it needs review again."""
    source = Reference.objects.get(key="epar-ofatumumab")
    correction = workflow.start_change_request(user=editor2, title="Fix the EPAR title")
    edit_source(workflow.add_object(change_request=correction, user=editor2, obj=source), editor2,
                title="Kesimpta: EPAR (corrected)")
    workflow.submit(change_request=correction, user=editor2, change_note="Corrected a source's title.")
    workflow.approve(change_request=correction, user=reviewer2)
    citing = workflow.start_change_request(user=editor, title="Cite the EPAR")
    cite(citing, editor, Therapy.objects.get(slug="ocrelizumab"), source.pk)
    workflow.submit(change_request=citing, user=editor, change_note="Added a source.")
    workflow.approve(change_request=citing, user=reviewer)
    workflow.publish(change_request=correction, user=reviewer2)
    assert refreshed(citing).state == State.DRAFT
    event = AuditEvent.objects.get(change_request=citing, action=AuditAction.RE_REVIEW)
    assert "was published in change request" in event.details["step"]


def test_a_page_cannot_cite_a_source_that_is_not_published(editor, reviewer):
    orphan = Reference.objects.create(key="orphan-source", kind="web", title="Orphan", source="Nowhere",
                                      url="https://example.org/orphan")  # not live, and no change request holds it
    change_request = workflow.start_change_request(user=editor, title="Cite an unpublished source")
    cite(change_request, editor, ofatumumab(), orphan.pk)
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    workflow.approve(change_request=change_request, user=reviewer)
    with pytest.raises(PublishConflict, match="Ofatumumab cites the source “Orphan. Nowhere”, which is not published"):
        workflow.publish(change_request=change_request, user=reviewer)
    assert orphan.pk not in ofatumumab().references.values_list("pk", flat=True)


def test_a_new_source_is_published_with_the_page_that_cites_it(client, editor, reviewer):
    change_request, source = submitted_new_source(editor)
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    assert Reference.objects.live().filter(pk=source.object_id).exists()
    page = client.get(ofatumumab().get_absolute_url()).content.decode()
    assert "Kesimpta: label update 2026" in page
    assert 'href="https://www.ema.europa.eu/en/medicines/human/EPAR/kesimpta"' in page


def test_a_source_taken_off_the_site_leaves_every_page_that_cites_it(client, reviewer):
    source = Reference.objects.get(key="epar-ofatumumab")
    assert source.title in client.get(ofatumumab().get_absolute_url()).content.decode()
    workflow.unpublish(obj=source, user=reviewer, reason="The agency moved the document.")
    assert source.title not in client.get(ofatumumab().get_absolute_url()).content.decode()


# --- What the reviewer sees ---------------------------------------------------------------------------------------


def test_the_reviewer_sees_a_sources_title_identifiers_and_address_old_and_new(client, editor, reviewer):
    source = Reference.objects.get(key="epar-ofatumumab")
    change_request = workflow.start_change_request(user=editor, title="Swap?")
    edit_source(workflow.add_object(change_request=change_request, user=editor, obj=source), editor,
                title=SWAPPED_TITLE, url=SWAPPED_URL)
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    client.force_login(reviewer)
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    changes = {f["change"].name: f["change"] for f in page.context["entries"][0]["fields"]}
    assert set(changes) == {"title", "url"}
    assert "<ins>" in changes["title"].new_html and "Stop" in changes["title"].new_html
    assert SWAPPED_URL in changes["url"].new_html and source.url in changes["url"].old_html
    html = page.content.decode()
    assert "Preview</a>" not in html  # a source has no page of its own to preview


def test_a_page_citing_a_source_shows_the_reviewer_where_the_source_links(client, editor, reviewer):
    source = Reference.objects.get(key="epar-ofatumumab")
    change_request = workflow.start_change_request(user=editor, title="Cite")
    cite(change_request, editor, Therapy.objects.get(slug="ocrelizumab"), source.pk)
    workflow.submit(change_request=change_request, user=editor, change_note="n")
    client.force_login(reviewer)
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    assert f"<ins>{source.citation} &lt;{source.url}&gt;</ins>" in html


# --- Migration ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_existing_references_migrate_as_live(transactional_db):
    before, after = ("therapies", "0009_schedule_state_fields"), ("therapies", "0010_reference_is_a_content_kind")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([before])
        old_apps = executor.loader.project_state([before]).apps
        old_apps.get_model("therapies", "Reference").objects.create(
            key="made-by-hand", kind="web", title="Typed into the admin", source="Somewhere", url="https://example.org"
        )
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new_apps = executor.loader.project_state([after]).apps
        migrated = new_apps.get_model("therapies", "Reference").objects.get(key="made-by-hand")
        assert migrated.live and migrated.first_published_at and migrated.next_review_due
        assert migrated.last_reviewed_at is None  # never reviewed as a source through the workflow
        editors = new_apps.get_model("auth", "Group").objects.get(name=EDITORS)
        assert not editors.permissions.filter(codename__in=["add_reference", "change_reference"]).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
