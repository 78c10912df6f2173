"""The production layers under test (issue 23, item 9): a draft never reaches a reader with the page cache and the
fragments on; every kind's admin is read-only whatever the registry holds; "review overdue" only on live rows."""

import datetime

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from therapies.models import KINDS, Revision, Therapy
from therapies.site import fragments

from .factories import make_therapy
from .hidden_content import make_hidden_content
from .public_pages import _sitemap_paths
from .test_api import crawl

pytestmark = pytest.mark.django_db

LISTS = ["/", "/therapies/", "/trials/", "/risks/", "/updates/", "/search/?q=Hidden", "/search/?q=ocrelizumab"]


def _public_answers(client: Client, paths: list[str]) -> dict[str, str]:
    answers = {path: client.get(path) for path in paths}
    return {path: response.content.decode() for path, response in answers.items() if response.status_code == 200}


@pytest.fixture
def production_layers(page_cache, settings):
    settings.PAGE_FRAGMENTS = True
    fragments.store.clear()
    yield
    fragments.store.clear()


def _previewed(editor) -> None:
    """Every draft's preview rendered by its editor: the public templates, with the draft, through the same process."""
    staff = Client()
    staff.force_login(editor)
    for revision in Revision.objects.filter(published_at__isnull=True, change_request__state__in=["draft", "approved"]):
        assert staff.get(reverse("admin:therapies_revision_preview",
                                 args=[revision.change_request_id, revision.pk])).status_code == 200


def test_no_draft_reaches_a_reader_through_the_page_cache_and_the_fragments(production_layers, editor, reviewer,
                                                                            django_capture_on_commit_callbacks):
    reader = Client()
    paths = [*LISTS, *_sitemap_paths(reader), "/therapies/alemtuzumab/", "/risks/herpes-infections/"]
    _public_answers(reader, paths)  # every page kept, with its fragments, before anything is drafted
    crawl(reader)
    with django_capture_on_commit_callbacks(execute=True):  # what the commit of each workflow step sets off
        hidden = make_hidden_content(editor, reviewer)
    _previewed(editor)

    answers = {**_public_answers(reader, paths), **crawl(reader)}
    leaks = {(path, marker) for path, body in answers.items() for marker in hidden.markers if marker in body}
    # The updates page says, by name, which page came off the site and why: the one mention a reader is owed.
    assert leaks - {("/updates/", "Herpes virus infections")} == set()
    assert reader.get("/therapies/")["X-Page-Cache"] == "hit"  # the layers were really on
    assert fragments.store._entries  # and fragments were kept


def test_previews_of_drafts_put_nothing_a_reader_is_served(production_layers, editor, reviewer,
                                                           django_capture_on_commit_callbacks):
    reader = Client()
    for path in ("/therapies/natalizumab/", "/therapies/"):
        reader.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        hidden = make_hidden_content(editor, reviewer)
    _previewed(editor)
    for path in ("/therapies/natalizumab/", "/therapies/", "/therapies/fingolimod/", "/trials/"):
        body = reader.get(path).content.decode()
        assert not [marker for marker in hidden.markers if marker in body], path


# Each kind, and each kind of child row that has an admin of its own (a trial's outcomes are shown on the trial's).
ADMINS = sorted({m for kind in KINDS for m in (kind.model, *(c.model for c in kind.children))
                 if m in admin.site._registry}, key=lambda m: m.__name__)


def test_each_kind_has_an_admin():
    assert {kind.model for kind in KINDS} <= set(ADMINS)


@pytest.mark.parametrize("model", ADMINS, ids=lambda m: m.__name__)
def test_every_kind_and_its_child_rows_are_read_only_in_the_admin_even_for_a_superuser(model, superuser):
    client = Client()
    client.force_login(superuser)
    opts = model._meta
    row = model._base_manager.order_by("pk").first()
    model_admin = admin.site._registry[model]
    request = client.get(reverse("admin:index")).wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    base = f"admin:{opts.app_label}_{opts.model_name}"
    assert client.post(reverse(f"{base}_add"), {}).status_code == 403
    change = client.post(reverse(f"{base}_change", args=[row.pk]), {"name": "Changed in the admin"})
    assert change.status_code in (302, 403) and model._base_manager.get(pk=row.pk).__dict__.get("name") != (
        "Changed in the admin")
    assert client.post(reverse(f"{base}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model._base_manager.filter(pk=row.pk).exists()


def test_review_overdue_only_on_live_rows(superuser):
    past = timezone.localdate() - datetime.timedelta(days=30)
    never_published = make_therapy(live=False, next_review_due=past)
    unpublished = Therapy.objects.get(slug="alemtuzumab")
    Therapy.objects.filter(pk=unpublished.pk).update(live=False, next_review_due=past)
    live = Therapy.objects.get(slug="fingolimod")
    Therapy.objects.filter(pk=live.pk).update(next_review_due=past)
    assert Therapy.objects.get(pk=live.pk).review_overdue
    assert not Therapy.objects.get(pk=unpublished.pk).review_overdue
    assert not Therapy.objects.get(pk=never_published.pk).review_overdue
