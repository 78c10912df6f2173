"""Each cached page records what it shows, and a publish misses only the pages it touched (issue 16)."""

import pytest
from django.core.cache import cache
from django.db.models import Count
from django.test import Client, RequestFactory

from therapies import workflow
from therapies.models import Reference, Risk, Therapy, TherapyRisk, Trial
from therapies.models.page_keys import every_list_key, touched_keys
from therapies.site import caching, page_versions

from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db


def publish(editor, reviewer, obj, capture, **fields) -> None:
    change = approved_change(editor, reviewer, obj, **fields)
    with capture(execute=True):
        workflow.publish(change_request=change, user=reviewer)


def cached(*urls: str) -> None:
    for url in urls:
        Client().get(url)
        assert Client().get(url)["X-Page-Cache"] == "hit", url


def state(url: str) -> str:
    return Client().get(url)["X-Page-Cache"]


def test_publishing_one_trial_misses_its_pages_and_leaves_an_unrelated_therapy_a_hit(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    trial = Trial.objects.live().select_related("therapy").get(slug="opera-i")
    unrelated = Therapy.objects.live().exclude(pk=trial.therapy_id).exclude(trials=trial).first()
    pages = {
        "trial": f"/trials/{trial.slug}/",
        "its therapy": f"/therapies/{trial.therapy.slug}/",
        "trial list": "/trials/",
        "unrelated therapy": f"/therapies/{unrelated.slug}/",
        "risk list": "/risks/",
    }
    cached(*pages.values())
    publish(editor, reviewer, trial, django_capture_on_commit_callbacks, summary="A trial summary, republished.")
    assert state(pages["unrelated therapy"]) == "hit"
    assert state(pages["risk list"]) == "hit"  # lists risks and therapies, no trials
    for name in ("trial", "its therapy", "trial list"):
        assert state(pages[name]) == "miss", name
    assert "A trial summary, republished." in Client().get(pages["trial"]).content.decode()


def test_the_page_of_a_therapy_showing_a_risk_misses_when_the_risk_is_published(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    """shows(): the therapy page names each risk it lists."""
    risk = Risk.objects.live().annotate(n=Count("therapy_risks")).filter(n__gt=0).order_by("n").first()
    link = TherapyRisk.objects.live().select_related("therapy", "risk").filter(risk=risk).first()
    other = Therapy.objects.live().exclude(therapy_risks__risk=link.risk).first()
    cached(f"/therapies/{link.therapy.slug}/", f"/therapies/{other.slug}/", "/therapies/")
    publish(editor, reviewer, link.risk, django_capture_on_commit_callbacks, summary="Risk summary, republished.")
    assert state(f"/therapies/{link.therapy.slug}/") == "miss"
    assert state(f"/therapies/{other.slug}/") == "hit"
    assert state("/therapies/") == "hit"  # depends on therapies as a whole, not on risks


def test_a_risk_page_misses_when_a_therapy_it_lists_is_published(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    link = TherapyRisk.objects.live().select_related("therapy", "risk").first()
    url = f"/risks/{link.risk.slug}/"
    cached(url)
    publish(editor, reviewer, link.therapy, django_capture_on_commit_callbacks, summary="Therapy, republished.")
    assert state(url) == "miss"


@pytest.mark.parametrize("url", ["/search/?q=ocrelizumab", "/updates/", "/sitemap.xml", "/api/v1/trials/", "/"])
def test_pages_naming_whole_kinds_miss_on_a_publish_of_that_kind(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks, url
):
    cached(url)
    publish(editor, reviewer, Trial.objects.live().first(), django_capture_on_commit_callbacks, summary="Changed.")
    assert state(url) == "miss"


def test_a_page_showing_no_content_stays_a_hit_through_any_publish(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    cached("/robots.txt")
    publish(editor, reviewer, Therapy.objects.live().first(), django_capture_on_commit_callbacks, summary="Changed.")
    assert state("/robots.txt") == "hit"


def test_a_view_that_names_nothing_depends_on_every_kind(page_cache):
    @caching.public_page
    def view(request):
        return caching.HttpResponse("page")

    response = view(RequestFactory().get("/names-nothing/"))
    assert set(response["xkey"].split()) == set(every_list_key())


def test_a_publish_touches_its_rows_the_lists_of_what_it_links_to_and_its_kind(page_cache):
    """The trial's therapy page lists its trials (`links:therapy:N`); the therapy's own key is not touched, so
    the pages that only name the therapy (its other trials, the risks it has) are left alone (issue 27)."""
    trial = Trial.objects.live().first()
    keys = touched_keys([trial])
    assert {f"trial:{trial.pk}", "list:trial", f"links:therapy:{trial.therapy_id}"} <= keys
    assert f"therapy:{trial.therapy_id}" not in keys and "list:therapy" not in keys


def test_a_publish_does_not_touch_the_rows_linking_to_it(page_cache):
    """A source's pages and a risk's therapies carry the source's or risk's own key (they show it): the publish
    touches that key, never the keys of the rows that link to it."""
    reference = Reference.objects.filter(therapies__isnull=False).first()
    citing = set(reference.therapies.values_list("pk", flat=True))
    assert not {f"therapy:{pk}" for pk in citing} & touched_keys([reference])
    risk = Risk.objects.filter(therapy_risks__isnull=False).first()
    listing = set(TherapyRisk.objects.filter(risk=risk).values_list("therapy_id", flat=True))
    assert touched_keys([risk]) & {f"therapy:{pk}" for pk in listing} == set()
    assert f"risk:{risk.pk}" in Client().get(f"/therapies/{Therapy.objects.get(pk=min(listing)).slug}/")["xkey"]


def test_a_reference_publish_misses_the_pages_citing_it(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    reference = Reference.objects.live().filter(therapies__live=True).first()
    therapy = reference.therapies.filter(live=True).first()
    cached(f"/therapies/{therapy.slug}/")
    publish(editor, reviewer, reference, django_capture_on_commit_callbacks, title="A retitled source")
    assert state(f"/therapies/{therapy.slug}/") == "miss"


def test_a_page_rendered_while_a_publish_touched_it_is_neither_stored_nor_shared(page_cache):
    calls = []

    @caching.public_page(depends=("trial:1",))
    def view(request):
        calls.append(1)
        caching.record_publish({"trial:1"})  # the publish commits while the page renders
        return caching.HttpResponse("rendered from the content before the publish")

    first = view(RequestFactory().get("/racing-key/"))
    view(RequestFactory().get("/racing-key/"))
    assert len(calls) == 2
    assert "xkey" not in first and "s-maxage" not in first["Cache-Control"]


def test_a_page_whose_stamp_was_evicted_is_rendered_again(page_cache):
    therapy = Therapy.objects.live().first()
    url = f"/therapies/{therapy.slug}/"
    cached(url)
    cache.delete(page_versions.stamp_key(f"therapy:{therapy.pk}"))  # as if Redis evicted it
    assert state(url) == "miss"
    assert state(url) == "hit"  # the store wrote the stamp back


def test_a_cached_page_goes_out_with_its_keys_for_the_front_cache(page_cache, settings):
    trial = Trial.objects.live().first()
    for response in (Client().get(f"/trials/{trial.slug}/"), Client().get(f"/trials/{trial.slug}/")):
        assert response["Cache-Control"] == f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
        assert {f"trial:{trial.pk}", f"therapy:{trial.therapy_id}"} <= set(response["xkey"].split())


def test_pages_not_kept_are_not_shared(page_cache, client, editor):
    junk = Client().get("/therapies/?page=junk")
    assert "xkey" not in junk and "s-maxage" not in junk["Cache-Control"]
    client.force_login(editor)
    signed_in = client.get("/therapies/")
    assert "private" in signed_in["Cache-Control"] and "xkey" not in signed_in


def test_a_trial_moved_to_another_therapy_misses_the_page_of_the_therapy_it_left(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    """Only the old therapy page's own record (shows()) names the trial: after the publish nothing links them."""
    trial = Trial.objects.live().select_related("therapy").get(slug="opera-i")
    left = trial.therapy
    other = Therapy.objects.live().exclude(pk=left.pk).first()
    cached(f"/therapies/{left.slug}/")
    assert f"trial:{trial.pk}" in Client().get(f"/therapies/{left.slug}/")["xkey"].split()  # named, not inferred
    publish(editor, reviewer, trial, django_capture_on_commit_callbacks, therapy=other.pk)
    assert Trial.objects.get(pk=trial.pk).therapy_id == other.pk
    response = Client().get(f"/therapies/{left.slug}/")
    assert response["X-Page-Cache"] == "miss" and f"/trials/{trial.slug}/" not in response.content.decode()


def test_api_objects_name_what_they_show_and_lists_depend_on_their_kinds(
    page_cache, editor, reviewer, django_capture_on_commit_callbacks
):
    trial = Trial.objects.live().select_related("therapy").get(slug="opera-i")
    unrelated = Therapy.objects.live().exclude(pk=trial.therapy_id).exclude(trials=trial).first()
    missed = [f"/api/v1/trials/{trial.slug}/", f"/api/v1/therapies/{trial.therapy.slug}/", "/api/v1/trials/"]
    risk = Risk.objects.live().exclude(therapy_risks__therapy=trial.therapy).first()
    kept = [f"/api/v1/therapies/{unrelated.slug}/", f"/api/v1/risks/{risk.slug}/"]
    cached(*missed, *kept)
    publish(editor, reviewer, trial, django_capture_on_commit_callbacks, summary="Republished for the API.")
    assert [state(url) for url in kept] == ["hit", "hit"]
    assert [state(url) for url in missed] == ["miss", "miss", "miss"]
