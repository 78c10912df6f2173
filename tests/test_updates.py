"""The public change log (/updates/, therapies/changelog.py), its Atom feed (/updates/feed/, feeds.py), and
each content page's own history of published changes and reviews."""

import datetime
import xml.etree.ElementTree as ET
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from therapies import workflow
from therapies.models import (
    AuditAction,
    AuditEvent,
    ChangeRequest,
    PublicChange,
    PublicEvent,
    Revision,
    Risk,
    State,
    Therapy,
)

from .workflow_helpers import approved_change, submitted_change

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def published(author, obj, *, note: str, significance: str = "minor", days_ago: float = 0) -> ChangeRequest:
    """A published change request touching `obj`, written straight to the database (fast, for lists)."""
    when = timezone.now() - datetime.timedelta(days=days_ago)
    change_request = ChangeRequest.objects.create(
        title=f"Internal title: {note}", change_note=note, significance=significance, state=State.PUBLISHED,
        created_by=author, published_by=author, published_at=when,
    )
    Revision.objects.create(
        change_request=change_request, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        object_repr=str(obj), snapshot={}, edited_by=author, published_at=when,
    )
    public_row(change_request, obj)
    return change_request


def public_row(change_request: ChangeRequest, obj) -> PublicChange:
    """The public record's row for one page of a published change request, as the workflow writes it."""
    return PublicChange.objects.create(
        kind=PublicEvent.PUBLISH, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        object_repr=str(obj), significance=change_request.significance, note=change_request.change_note,
        at=change_request.published_at, change_request=change_request,
    )


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def log(editor):
    """Three published changes (minor, safety, major; newest first: major), one change not yet published."""
    ocrelizumab = Therapy.objects.get(slug="ocrelizumab")
    return {
        "minor": published(editor, ocrelizumab, note="Clarified the infusion schedule.", days_ago=3),
        "safety": published(editor, Risk.objects.get(slug="pml"), note="Added a PML warning.",
                            significance="safety", days_ago=2),
        "major": published(editor, Therapy.objects.get(slug="fingolimod"), note="Rewrote how it works.",
                           significance="major", days_ago=1),
    }


# --- /updates/ ------------------------------------------------------------------------------------------------------


def test_updates_lists_published_changes_newest_first_with_date_significance_note_and_pages(client, log):
    html = text(client.get("/updates/"))
    positions = [html.index(note) for note in ("Rewrote how it works.", "Added a PML warning.",
                                               "Clarified the infusion schedule.")]
    assert positions == sorted(positions)
    assert "Safety update" in html and "Major update" in html and "Minor update" in html
    assert 'href="/therapies/ocrelizumab/"' in html and 'href="/risks/pml/"' in html
    assert f'id="update-{log["safety"].pk}"' in html
    assert "Internal title" not in html  # the title is for the review team; readers get the change note
    assert "3 updates" in html


def test_updates_never_show_unpublished_changes(client, editor, reviewer, log):
    approved = approved_change(editor, reviewer, Therapy.objects.get(slug="natalizumab"), dosing="x")
    assert approved.change_note == "Clarified the dosing."  # set on submit (workflow_helpers)
    submitted_change(editor, Therapy.objects.get(slug="cladribine"), dosing="y")
    html = text(client.get("/updates/"))
    assert "Clarified the dosing." not in html
    assert "/therapies/natalizumab/" not in html and "/therapies/cladribine/" not in html
    assert "3 updates" in html


def test_changes_whose_pages_are_all_off_the_site_are_not_listed(client, editor, log):
    Risk.objects.filter(slug="pml").update(live=False)
    html = text(client.get("/updates/"))
    assert "Added a PML warning." not in html and "/risks/pml/" not in html
    assert "2 updates" in html


def test_only_live_pages_of_a_change_are_linked(client, editor):
    change_request = published(editor, Therapy.objects.get(slug="ocrelizumab"), note="Two pages changed.")
    pml = Risk.objects.get(slug="pml")
    Revision.objects.create(change_request=change_request, content_type=ContentType.objects.get_for_model(Risk),
                            object_id=pml.pk, object_repr="PML", snapshot={}, edited_by=editor)
    public_row(change_request, pml)
    Risk.objects.filter(pk=pml.pk).update(live=False)
    html = text(client.get("/updates/"))
    assert "Two pages changed." in html and "/therapies/ocrelizumab/" in html and "/risks/pml/" not in html


def test_a_change_published_through_the_workflow_appears(client, editor, reviewer):
    change_request = approved_change(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="New.")
    workflow.publish(change_request=change_request, user=reviewer)
    html = text(client.get("/updates/"))
    assert "Clarified the dosing." in html and "/therapies/ocrelizumab/" in html


def test_filter_by_significance(client, log):
    html = text(client.get("/updates/?significance=safety"))
    assert "Added a PML warning." in html
    assert "Rewrote how it works." not in html and "Clarified the infusion schedule." not in html
    assert "1 safety update" in html and 'value="safety" selected' in html
    assert "Rewrote how it works." in text(client.get("/updates/?significance=major"))


def test_an_unknown_significance_is_explained_and_the_list_is_unfiltered(client, log):
    html = text(client.get("/updates/?significance=urgent"))
    assert "“urgent” is not a kind of update we list (safety, major or minor), so all updates are shown." in html
    assert "3 updates" in html and "Clarified the infusion schedule." in html


def test_the_list_is_paginated_newest_first(client, editor):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for number in range(25):
        published(editor, therapy, note=f"Change number {number:02d}.", days_ago=25 - number)
    first = text(client.get("/updates/"))
    assert "Change number 24." in first and "Change number 05." in first and "Change number 04." not in first
    assert "page 1 of 2" in first and 'rel="next"' in first
    second = text(client.get("/updates/?page=2"))
    assert "Change number 04." in second and "Change number 00." in second and "Change number 24." not in second


@pytest.mark.parametrize(
    "page, notice, shows",
    [("abc", "“abc” is not a page number, so the newest updates are shown.", "Change number 24."),
     ("99", "There is no page 99; the list has 2 pages. This is the last one.", "Change number 00."),
     ("0", "There is no page 0", "Change number 00."),
     ("-1", "There is no page -1", "Change number 00.")],
)
def test_bad_page_numbers_are_handled_gracefully(client, editor, page, notice, shows):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for number in range(25):
        published(editor, therapy, note=f"Change number {number:02d}.", days_ago=25 - number)
    html = text(client.get(f"/updates/?page={page}"))
    assert notice in html and shows in html


def test_pagination_keeps_the_filter(client, editor):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    for number in range(22):
        published(editor, therapy, note=f"Safety {number:02d}.", significance="safety", days_ago=30 - number)
    html = text(client.get("/updates/?significance=safety"))
    assert "?significance=safety&amp;page=2" in html


def test_an_empty_log_says_so(client):
    assert "No changes have been published through review yet." in text(client.get("/updates/"))


def unpublished_event(reviewer, obj, *, reason: str, significance: str = "major") -> PublicChange:
    """An unpublish as the workflow records it in the public record (fast, for lists)."""
    return PublicChange.objects.create(kind=PublicEvent.UNPUBLISH, object_repr=str(obj), note=reason,
                                       content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                       significance=significance, at=timezone.now())


@pytest.mark.parametrize("size", [3, 30])
def test_updates_query_count_is_constant(client, editor, reviewer, size, django_assert_max_num_queries):
    therapies = list(Therapy.objects.all()[:3])
    for number in range(size):
        published(editor, therapies[number % 3], note=f"Note {number}.", days_ago=number)
        unpublished_event(reviewer, therapies[number % 3], reason=f"Reason {number}.")
    published(editor, Risk.objects.get(slug="pml"), note="A risk page.")
    with django_assert_max_num_queries(6):
        html = text(client.get("/updates/"))
    assert "Page taken off the site" in html and "update-pages" in html


# --- Pages taken off the site ---------------------------------------------------------------------------------------


def test_an_unpublished_page_is_listed_with_its_reason_and_not_linked(client, editor, reviewer, log,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(obj=Therapy.objects.get(slug="cladribine"), user=reviewer,
                           reason="The maker withdrew the product.", significance="safety")
    html = text(client.get("/updates/"))
    event = PublicChange.objects.get(kind=PublicEvent.UNPUBLISH)
    entry = html[html.index(f'id="unpublished-{event.pk}"'):]
    entry = entry[:entry.index("</li>")]
    assert "Page taken off the site: <strong>Cladribine</strong>" in entry
    assert "The maker withdrew the product." in entry and "Safety update" in entry
    assert "/therapies/cladribine/" not in html
    assert html.index("The maker withdrew the product.") < html.index("Rewrote how it works.")  # newest first
    assert "4 updates" in html
    assert "The maker withdrew the product." in text(client.get("/updates/?significance=safety"))
    assert "The maker withdrew the product." not in text(client.get("/updates/?significance=major"))


def test_a_scheduled_unpublish_is_listed_with_its_reason(client, reviewer):
    therapy = Therapy.objects.get(slug="cladribine")
    at = timezone.now() + datetime.timedelta(hours=1)
    workflow.schedule_unpublish(obj=therapy, user=reviewer, at=at, reason="Licence lapses today.")
    workflow.publish_due(now=at)
    html = text(client.get("/updates/"))
    assert "Page taken off the site: <strong>Cladribine</strong>" in html and "Licence lapses today." in html
    assert "Major update" in html


def test_an_unpublish_recorded_before_its_reason_was_public_is_not_listed(client, reviewer):
    """The data migration carries only unpublishes recorded with a public reason into the public record."""
    fill_public_record = import_module("therapies.migrations.0021_public_record").fill_public_record
    cladribine, fingolimod = Therapy.objects.get(slug="cladribine"), Therapy.objects.get(slug="fingolimod")
    for obj, details in ((cladribine, {"reason": "Internal: legal asked."}),
                         (fingolimod, {"reason": "Withdrawn.", "significance": "safety", "public": True})):
        AuditEvent.objects.create(actor=reviewer, action=AuditAction.UNPUBLISH, object_repr=str(obj),
                                  content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                  details=details)
    fill_public_record(django_apps, None)
    html = text(client.get("/updates/"))
    assert "Internal: legal asked." not in html and "Withdrawn." in html and "1 update" in html
    row = PublicChange.objects.get()
    assert (row.kind, row.object_id, row.significance, row.note) == ("unpublish", fingolimod.pk, "safety", "Withdrawn.")


def test_the_data_migration_carries_published_changes_and_reviews(client, editor, reviewer):
    fill_public_record = import_module("therapies.migrations.0021_public_record").fill_public_record
    change_request = published(editor, Therapy.objects.get(slug="ocrelizumab"), note="Old change.", days_ago=9)
    workflow.confirm_reviewed(obj=Therapy.objects.get(slug="ocrelizumab"), user=reviewer, note="Checked.")
    PublicChange.objects.all().delete()
    fill_public_record(django_apps, None)
    publish, confirm = PublicChange.objects.in_order()
    assert (publish.kind, publish.change_request, publish.note, publish.at) == (
        "publish", change_request, "Old change.", change_request.published_at)
    assert (confirm.kind, confirm.note) == ("confirm", "")
    html = text(client.get("/therapies/ocrelizumab/"))
    assert "Old change." in html and "no changes needed" in html


def test_an_unpublish_shows_on_a_cached_updates_page_at_once(client, reviewer, settings,
                                                             django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from therapies.site import caching

    settings.PAGE_CACHE = True
    cache.clear()
    caching._recent.clear()
    assert "Withdrawn today." not in text(client.get("/updates/"))  # now stored in the cache
    with django_capture_on_commit_callbacks(execute=True):
        workflow.unpublish(obj=Therapy.objects.get(slug="cladribine"), user=reviewer, reason="Withdrawn today.")
    assert "Withdrawn today." in text(client.get("/updates/"))
    assert "Withdrawn today." in client.get("/updates/feed/").content.decode()
    cache.clear()
    caching._recent.clear()


def test_the_feed_lists_an_unpublished_page_with_its_reason(client, reviewer, log):
    event = unpublished_event(reviewer, Therapy.objects.get(slug="cladribine"), reason="Withdrawn.",
                              significance="safety")
    entries = feed(client).findall(f"{ATOM}entry")
    assert len(entries) == 4
    newest = entries[0]
    assert newest.find(f"{ATOM}title").text == "Safety update: Cladribine taken off the site"
    assert newest.find(f"{ATOM}summary").text == "Withdrawn."
    assert newest.find(f"{ATOM}id").text == f"http://testserver/updates/#unpublished-{event.pk}"
    assert newest.find(f"{ATOM}link").get("href") == f"http://testserver/updates/#unpublished-{event.pk}"
    safety = feed(client, "?significance=safety").findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}summary").text for e in safety] == ["Withdrawn.", "Added a PML warning."]


def test_main_navigation_links_to_updates(client):
    html = text(client.get("/"))
    assert f'href="{reverse("updates")}"' in html and ">Updates</a>" in html
    assert 'type="application/atom+xml"' in html and reverse("updates_feed") in html


# --- The Atom feed -------------------------------------------------------------------------------------------------


def feed(client, query: str = "") -> ET.Element:
    response = client.get(f"/updates/feed/{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # raises if it is not well-formed XML


def test_feed_is_valid_atom_with_one_entry_per_published_change(client, log):
    root = feed(client)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "msinfo: updates"
    assert root.find(f"{ATOM}updated") is not None and root.find(f"{ATOM}id") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    newest = entries[0]
    assert newest.find(f"{ATOM}title").text == "Major update: Fingolimod"
    assert newest.find(f"{ATOM}summary").text == "Rewrote how it works."
    assert newest.find(f"{ATOM}link").get("href") == "http://testserver/therapies/fingolimod/"
    assert newest.find(f"{ATOM}id").text == f"http://testserver/updates/#update-{log['major'].pk}"
    assert newest.find(f"{ATOM}updated").text.startswith(str(timezone.now().year))
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == 3


def test_feed_never_shows_unpublished_changes(client, editor, reviewer, log):
    approved_change(editor, reviewer, Therapy.objects.get(slug="natalizumab"), dosing="x")
    Risk.objects.filter(slug="pml").update(live=False)
    body = client.get("/updates/feed/").content.decode()
    assert "Clarified the dosing." not in body and "PML" not in body
    assert len(ET.fromstring(body).findall(f"{ATOM}entry")) == 2


def test_feed_of_safety_updates_only(client, log):
    root = feed(client, "?significance=safety")
    assert [e.find(f"{ATOM}summary").text for e in root.findall(f"{ATOM}entry")] == ["Added a PML warning."]
    assert root.find(f"{ATOM}title").text == "msinfo: safety updates"
    assert len(feed(client, "?significance=bogus").findall(f"{ATOM}entry")) == 3  # ignored, like the page


# --- Each page's own history ----------------------------------------------------------------------------------------


def test_page_history_shows_published_changes_and_still_accurate_reviews(client, editor, reviewer):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    change_request = approved_change(editor, reviewer, therapy, dosing="Updated.")
    workflow.publish(change_request=change_request, user=reviewer)
    workflow.confirm_reviewed(obj=Therapy.objects.get(pk=therapy.pk), user=reviewer, note="Checked.")
    html = text(client.get("/therapies/ocrelizumab/"))
    history = html[html.index('id="history"'):]
    reviewed = history.index("Reviewed by a medical reviewer: no changes needed.")
    changed = history.index("Clarified the dosing.")
    assert reviewed < changed  # newest first
    assert "Checked." not in history  # the reviewer's own note is for the audit log


def test_page_history_query_count_does_not_grow_with_reviews(client, reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            text(client.get("/therapies/fingolimod/"))
        return len(captured)

    workflow.confirm_reviewed(obj=therapy, user=reviewer, note="Checked.")
    once = count()
    for _ in range(5):
        workflow.confirm_reviewed(obj=therapy, user=reviewer, note="Checked again.")
    assert count() == once
    assert text(client.get("/therapies/fingolimod/")).count("no changes needed") == 6
