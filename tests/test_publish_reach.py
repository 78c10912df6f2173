"""A publish touches only what it changed (issue 27): which content pages one publish purges, per kind of link.

Every live content page is rendered once with the page cache on, which gives each page its keys (the `xkey` header
Varnish purges by). A publish is then made through the workflow and the keys it touched are taken from the
signal it sends; a page is purged when it carries one of them — exactly what Varnish's xkey purge and the page
cache do. The content pages purged are counted and named: a therapy's, trial's or risk's own page.
"""

import re

import pytest
from django.test import Client

from therapies import workflow
from therapies.editorial.signals import content_published
from therapies.models import Reference, Risk, Therapy, TherapyRisk, Trial
from therapies.site.fact_box import links_in_box

from .workflow_helpers import approved_change, draft_change

pytestmark = pytest.mark.django_db

CONTENT_PAGE = re.compile(r"^/(therapies|trials|risks)/[^/]+/$")


@pytest.fixture
def page_keys(page_cache) -> dict[str, set[str]]:
    """Each live content page's keys, as the front cache stores them."""
    urls = [*map(therapy_page, Therapy.objects.live()), *map(trial_page, Trial.objects.live()),
            *map(risk_page, Risk.objects.live())]
    keys = {url: set(Client().get(url)["xkey"].split()) for url in urls}
    assert len(keys) > 20 and all(map(CONTENT_PAGE.match, keys))
    return keys


def purged_content_pages(page_keys, capture, change_request, reviewer) -> set[str]:
    """The content pages the publish of an approved change request purges."""
    touched: list[set[str]] = []

    def receiver(keys=None, **_kwargs):
        touched.append(set(keys))

    content_published.connect(receiver)
    try:
        with capture(execute=True):
            workflow.publish(change_request=change_request, user=reviewer)
    finally:
        content_published.disconnect(receiver)
    (keys,) = touched
    return {url for url, shown in page_keys.items() if shown & keys}


def purged_by(page_keys, editor, reviewer, capture, obj, **fields) -> set[str]:
    """The content pages a publish of `obj` with `fields` changed purges."""
    return purged_content_pages(page_keys, capture, approved_change(editor, reviewer, obj, **fields), reviewer)


def therapy_page(therapy) -> str:
    return f"/therapies/{therapy.slug}/"


def trial_page(trial) -> str:
    return f"/trials/{trial.slug}/"


def risk_page(risk) -> str:
    return f"/risks/{risk.slug}/"


def test_a_therapy_publish_purges_its_page_its_trials_and_the_risks_showing_its_frequency_only(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """Links therapy → risk (its risk rows) and trial → therapy. Ocrelizumab shares risks with other therapies:
    their pages show those risks' names, not ocrelizumab's frequency, and stay."""
    therapy = Therapy.objects.live().get(slug="ocrelizumab")
    risks = Risk.objects.live().filter(therapy_risks__therapy=therapy).distinct()
    sharing = Therapy.objects.live().filter(therapy_risks__risk__in=risks).exclude(pk=therapy.pk).distinct()
    assert sharing.exists()  # the case the issue is about
    expected = {therapy_page(therapy), *map(trial_page, Trial.objects.live().filter(therapy=therapy)),
                *map(risk_page, risks)}
    purged = purged_by(page_keys, editor, reviewer, django_capture_on_commit_callbacks, therapy,
                                  summary="Ocrelizumab, republished.")
    assert purged == expected
    assert len(purged) == 1 + Trial.objects.live().filter(therapy=therapy).count() + risks.count()
    assert not purged & set(map(therapy_page, sharing))


def test_a_trial_publish_purges_its_page_and_its_therapys_page_only(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """Link trial → therapy: the therapy's page lists the trial; the therapy's other trials do not show it."""
    trial = Trial.objects.live().select_related("therapy").get(slug="opera-i")
    assert Trial.objects.live().filter(therapy=trial.therapy).exclude(pk=trial.pk).exists()
    purged = purged_by(page_keys, editor, reviewer, django_capture_on_commit_callbacks, trial,
                                  summary="OPERA I, republished.")
    assert purged == {trial_page(trial), therapy_page(trial.therapy)}


def test_a_trial_moved_to_another_therapy_purges_both_therapy_pages(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """A link the publish adds: the page of the therapy it joins did not list the trial before, and lists it now
    (`links:therapy:N`); the page of the therapy it left named it."""
    trial = Trial.objects.live().select_related("therapy").get(slug="opera-i")
    joined = Therapy.objects.live().exclude(pk=trial.therapy_id).first()
    assert f"trial:{trial.pk}" not in page_keys[therapy_page(joined)]
    purged = purged_by(page_keys, editor, reviewer, django_capture_on_commit_callbacks, trial, therapy=joined.pk)
    assert purged == {trial_page(trial), therapy_page(trial.therapy), therapy_page(joined)}


def test_a_risk_publish_purges_its_page_and_the_pages_of_the_therapies_listing_it_only(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """Link therapy → risk, seen from the risk: each therapy page names the risk, and so does the fact box of each
    trial that reports a figure for it (issue 22); the other trial pages do not."""
    link = TherapyRisk.objects.live().select_related("risk").exclude(comparator_trial=None).first()
    listing = Therapy.objects.live().filter(therapy_risks__risk=link.risk).distinct()
    reporting = {trial_page(trial) for trial in Trial.objects.live()
                 if links_in_box(trial, TherapyRisk.objects.live().filter(risk=link.risk, therapy=trial.therapy_id))}
    assert trial_page(link.comparator_trial) in reporting
    assert len(reporting) < Trial.objects.live().count()
    purged = purged_by(page_keys, editor, reviewer, django_capture_on_commit_callbacks, link.risk,
                                  summary="A risk summary, republished.")
    assert purged == {risk_page(link.risk), *map(therapy_page, listing), *reporting}



def test_a_source_publish_purges_the_pages_citing_it_only(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """Citation links (every kind → reference): the pages showing the source in their references."""
    reference = Reference.objects.live().filter(therapies__live=True).first()
    citing = {therapy_page(t) for t in Therapy.objects.live().filter(references=reference)}
    citing |= {trial_page(t) for t in Trial.objects.live().filter(references=reference)}
    citing |= {risk_page(r) for r in Risk.objects.live().filter(references=reference)}
    purged = purged_by(page_keys, editor, reviewer, django_capture_on_commit_callbacks, reference,
                                  title="A retitled source")
    assert purged >= citing and purged - citing <= {therapy_page(t) for t in Therapy.objects.live()}
    assert len(purged) < len(page_keys)


def test_a_therapy_newly_linked_to_a_risk_purges_that_risks_page(
    page_keys, editor, reviewer, django_capture_on_commit_callbacks
):
    """A link the publish adds: the risk's page did not show the therapy before, and lists it now."""
    therapy = Therapy.objects.live().get(slug="ocrelizumab")
    added = Risk.objects.live().exclude(therapy_risks__therapy=therapy).first()
    assert f"therapy:{therapy.pk}" not in page_keys[risk_page(added)]  # its page did not show the therapy
    change_request, revision = draft_change(editor, therapy)
    snapshot = revision.snapshot
    snapshot["children"]["therapy_risks"].append(
        {"risk": added.pk, "frequency": "rare", "figure": "", "measure": "", "boxed_warning": False, "notes": ""})
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    workflow.submit(change_request=change_request, user=editor, change_note="Added a risk.")
    change_request = workflow.approve(change_request=change_request, user=reviewer)
    purged = purged_content_pages(page_keys, django_capture_on_commit_callbacks, change_request, reviewer)
    assert TherapyRisk.objects.live().filter(therapy=therapy, risk=added).exists()
    assert {therapy_page(therapy), risk_page(added)} <= purged
    assert not purged & {therapy_page(t) for t in Therapy.objects.live().exclude(pk=therapy.pk)}
