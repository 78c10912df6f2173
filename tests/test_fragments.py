"""Fragments of content pages kept per process (therapies/site/fragments.py): served again only while what
they show is unchanged, so every publish of the page or of anything it shows is seen at once."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

from therapies import workflow
from therapies.models import Reference, Risk, Therapy, TherapyRisk, Trial
from therapies.site import fragments
from therapies.site.fragments import FragmentStore, StampQuery, shown_rows

from .workflow_helpers import approved_change

pytestmark = pytest.mark.django_db

URL = "/therapies/ocrelizumab/"


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.PAGE_CACHE = False  # the page cache off: what is measured and tested is the page's own rendering
    settings.PAGE_FRAGMENTS = True
    fragments.store.clear()
    yield
    fragments.store.clear()


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def publish(editor, reviewer, obj, **fields) -> None:
    workflow.publish(change_request=approved_change(editor, reviewer, obj, **fields), user=reviewer)


def test_a_page_from_its_fragments_is_the_page_rendered_in_full(client, settings, django_assert_max_num_queries):
    settings.PAGE_FRAGMENTS = False
    full = page(client)
    settings.PAGE_FRAGMENTS = True
    with django_assert_max_num_queries(12):  # rendered: the page's queries (its trials' outcomes too) and the stamp
        assert page(client) == full
    with django_assert_max_num_queries(3):  # from the fragments: the therapy, its routes and the stamp
        assert page(client) == full
    assert len(fragments.store._entries) == 3  # the sections, the sources and the history


def test_publishing_a_trial_of_the_therapy_shows_on_its_page(client, editor, reviewer):
    assert "Relapses down 46% vs interferon" not in page(client)
    trial = Trial.objects.get(slug="opera-i")
    publish(editor, reviewer, trial, headline_result="Relapses down 46% vs interferon")
    assert "Relapses down 46% vs interferon" in page(client)


def test_unpublishing_a_trial_takes_it_off_the_therapy_page(client, reviewer):
    assert "OPERA I<" in page(client)
    workflow.unpublish(obj=Trial.objects.get(slug="opera-i"), user=reviewer, reason="Withdrawn by the sponsor.")
    assert "OPERA I<" not in page(client)


def test_publishing_a_risk_the_therapy_lists_shows_on_its_page(client, editor, reviewer):
    link = TherapyRisk.objects.filter(therapy__slug="ocrelizumab").select_related("risk").first()
    assert "Renamed risk for the test" not in page(client)
    publish(editor, reviewer, link.risk, name="Renamed risk for the test")
    assert "Renamed risk for the test" in page(client)


def test_publishing_the_therapy_shows_on_its_page(client, editor, reviewer):
    assert "A dosing text published in the test." not in page(client)
    publish(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="A dosing text published in the test.")
    html = page(client)
    assert "A dosing text published in the test." in html
    assert "Clarified the dosing." in html  # the history fragment has the new change note


def test_publishing_a_source_the_therapy_cites_shows_on_its_page(client, editor, reviewer):
    # One of the page's own sources that no section cites: each relation counts on its own.
    reference = (
        Reference.objects.live().filter(therapies__slug="ocrelizumab")
        .exclude(therapies_pregnancy__slug="ocrelizumab").exclude(therapies_contraindications__slug="ocrelizumab")
        .exclude(therapies_urgent_help__slug="ocrelizumab").first()
    )
    assert "A corrected source of the reference" not in page(client)
    publish(editor, reviewer, reference, source="A corrected source of the reference")
    assert "A corrected source of the reference" in page(client)


def test_confirming_the_page_still_accurate_shows_in_its_history(client, reviewer):
    assert "no changes needed" not in page(client)
    workflow.confirm_reviewed(obj=Therapy.objects.get(slug="ocrelizumab"), user=reviewer, note="Checked the label.")
    assert "no changes needed" in page(client)


def test_a_page_without_fragments_is_rendered_and_never_stored():
    template = Template('{% load therapies_tags %}{% page_fragment "part" %}{{ text }}{% endpage_fragment %}')
    assert template.render(Context({"text": "draft words"})) == "draft words"  # a preview has no `fragments`
    assert not fragments.store._entries


def test_the_tag_names_its_fragment_in_quotes():
    with pytest.raises(TemplateSyntaxError, match="page_fragment"):
        Template("{% load therapies_tags %}{% page_fragment part %}{% endpage_fragment %}")


def test_a_stamp_query_must_filter_on_the_page():
    unfiltered = StampQuery(lambda pk: [shown_rows(Risk.objects.live())])
    with pytest.raises(ValueError, match="page's id"):
        unfiltered.rows(1)


def test_the_store_keeps_the_most_recently_used_and_forgets_expired(settings, monkeypatch):
    store = FragmentStore(max_entries=2)
    store.set("a", "A")
    store.set("b", "B")
    assert store.get("a") == "A"  # now the most recent
    store.set("c", "C")
    assert store.get("b") is None and store.get("a") == "A" and store.get("c") == "C"
    settings.PAGE_CACHE_SECONDS = -1
    store.set("d", "D")
    assert store.get("d") is None


def test_a_corrected_history_note_shows_on_the_page_at_once(client, editor, reviewer):
    from therapies.models import PublicChange

    publish(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="New.")
    assert "Clarified the dosing." in page(client)  # the history fragment is now stored
    workflow.correct_public_note(change=PublicChange.objects.get(), user=reviewer, note="Dosing, reworded.")
    html = page(client)
    assert "Dosing, reworded." in html and "Clarified the dosing." not in html
