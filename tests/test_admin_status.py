"""Every content list in the admin shows each row's status, with a filter for each (issue 14), for every kind in the
registry, in a number of queries that does not grow with the rows."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from therapies import workflow
from therapies.admin.content import PublishStateAdmin
from therapies.admin.status import status_parts, with_status
from therapies.editorial.snapshots import snapshot_of
from therapies.models import KINDS, ChangeRequest, ContentLock, Reference, State, Therapy, kind_for

from .workflow_helpers import approved_change, draft_change

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def changelist(client, model, **params):
    response = client.get(reverse(f"admin:therapies_{model._meta.model_name}_changelist"), params)
    assert response.status_code == 200
    return response


def status_of(client, obj) -> str:
    """`obj`'s status as its kind's list computes it, in words, checked to be the words its row shows."""
    row = with_status(type(obj).objects.filter(pk=obj.pk)).get()
    words = [words for _flag, words, _link in status_parts(row)]
    html = changelist(client, type(obj), q=getattr(obj, kind_for(obj).title_field)).content.decode()
    assert all(word in html for word in words), (words, html)
    return " · ".join(words)


def shown(client, model, status: str) -> set[int]:
    return {row.pk for row in changelist(client, model, status=status).context["cl"].result_list}


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_kind_lists_a_status_column_and_a_status_filter(admin_client, kind):
    model_admin = admin.site._registry[kind.model]
    assert isinstance(model_admin, PublishStateAdmin)
    response = changelist(admin_client, kind.model)
    html = response.content.decode()
    assert 'class="column-status' in html and 'class="status status-live"' in html
    assert "?status=live_draft" in html and "?status=scheduled" in html and "?status=overdue" in html
    assert "?status=draft_only" in html and "?status=unpublished" in html


def test_statuses_in_words_and_their_filters(client, editor, reviewer, editor2):
    client.force_login(editor2)
    ocrelizumab, fingolimod, natalizumab, cladribine, siponimod = (
        Therapy.objects.get(slug=slug) for slug in ("ocrelizumab", "fingolimod", "natalizumab", "cladribine",
                                                    "siponimod"))
    drafted, _ = draft_change(editor, ocrelizumab, dosing="x")
    scheduled = approved_change(editor, reviewer, fingolimod, dosing="y")
    at = timezone.now() + 2 * HOUR
    workflow.schedule(change_request=scheduled, user=reviewer, publish_at=at)
    workflow.unpublish(obj=natalizumab, user=reviewer, reason="Off.")
    Therapy.objects.filter(pk=cladribine.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days=1))
    new_request = workflow.start_change_request(user=editor, title="A new therapy")
    snapshot = snapshot_of(siponimod)
    snapshot["fields"].update(name="Newmab", slug="newmab")
    new = workflow.create_object(change_request=new_request, user=editor, model=Therapy, snapshot=snapshot)
    newmab = Therapy.objects.get(pk=new.object_id)
    workflow.schedule_unpublish(obj=siponimod, user=reviewer, at=at, reason="Licence ends.")

    assert status_of(client, ocrelizumab) == f"live + draft in change request #{drafted.pk}"
    assert status_of(client, fingolimod) == (
        f"live + scheduled {workflow.format_when(at)} in change request #{scheduled.pk}")
    assert status_of(client, natalizumab) == "unpublished"
    assert status_of(client, cladribine) == "live · review overdue"
    assert status_of(client, newmab) == f"draft only, in change request #{new_request.pk}"
    assert status_of(client, siponimod) == f"live · comes off the site {workflow.format_when(at)}"
    html = changelist(client, Therapy, q="Ocrelizumab").content.decode()
    assert f'href="{reverse("admin:therapies_changerequest_change", args=[drafted.pk])}"' in html

    assert ocrelizumab.pk in shown(client, Therapy, "live_draft") and fingolimod.pk not in shown(client, Therapy,
                                                                                                  "live_draft")
    assert shown(client, Therapy, "scheduled") == {fingolimod.pk}
    assert shown(client, Therapy, "unpublished") == {natalizumab.pk}
    assert shown(client, Therapy, "overdue") == {cladribine.pk}
    assert shown(client, Therapy, "draft_only") == {newmab.pk}
    assert shown(client, Therapy, "coming_off") == {siponimod.pk}
    live = shown(client, Therapy, "live")
    assert cladribine.pk in live and not live & {ocrelizumab.pk, fingolimod.pk, natalizumab.pk, newmab.pk}


def test_a_source_being_changed_shows_as_such(client, editor):
    source = Reference.objects.get(key="epar-ofatumumab")
    change_request, _ = draft_change(editor, source)
    client.force_login(editor)
    assert status_of(client, source) == f"live + draft in change request #{change_request.pk}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_the_status_column_costs_the_same_queries_for_one_row_and_many(client, editor_reviewer, kind):
    """Every row held by an open change request, scheduled: listing one of them or all of them (up to a page) costs
    the same number of queries, so the status is read in the list's own query, never once per row."""
    client.force_login(editor_reviewer)
    rows = list(kind.model.objects.order_by("pk")[:40])
    assert len(rows) >= 3, kind.name
    content_type = ContentType.objects.get_for_model(kind.model)
    for row in rows:
        change_request = ChangeRequest.objects.create(title=f"Hold {row.pk}", created_by=editor_reviewer,
                                                      state=State.APPROVED, publish_at=timezone.now() + HOUR)
        ContentLock.objects.create(content_type=content_type, object_id=row.pk, change_request=change_request)

    def count(**params) -> tuple[int, int]:
        changelist(client, kind.model, status="scheduled", **params)  # warm the same caches for both
        with CaptureQueriesContext(connection) as captured:
            response = changelist(client, kind.model, status="scheduled", **params)
        listed = len(response.context["cl"].result_list)
        assert response.content.decode().count('class="status status-scheduled"') == listed
        return len(captured), listed

    one_row_queries, one = count(q=getattr(rows[0], kind.title_field))
    many_rows_queries, many = count()
    assert one < many
    assert many_rows_queries == one_row_queries
