"""Compare (/compare/): the table's content, validation messages, add/remove links, constant queries."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from therapies.models import Therapy, TherapyRisk, Trial

from .factories import make_therapy

pytestmark = pytest.mark.django_db


def get(client, *slugs: str) -> str:
    response = client.get("/compare/", {"t": list(slugs)})
    assert response.status_code == 200
    return response.content.decode()


def test_two_therapies_side_by_side_with_every_aspect(client):
    html = get(client, "ocrelizumab", "fingolimod")
    for row in ["Type of medicine", "Target", "Route and dosing", "Approved for", "First approved",
                "Pivotal trials: main results", "Key risks and how often", "Monitoring"]:
        assert f'<th scope="row">{row}</th>' in html
    assert "Anti-CD20 monoclonal antibody" in html and "S1P receptor modulator" in html
    assert "IV infusion" in html and "Oral" in html
    # Approvals with each regulator's qualifiers, never a bare course.
    assert "Primary progressive MS" in html and "Early primary progressive MS" in html
    # Headline results of the pivotal trials, and risks with their frequency.
    opera = Trial.objects.get(slug="opera-i")
    assert opera.headline_result[:40] in html
    link = TherapyRisk.objects.filter(therapy__slug="fingolimod").select_related("risk").first()
    assert link.risk.name in html and link.get_frequency_display() in html
    assert "<title>Compare Ocrelizumab and Fingolimod — msinfo</title>" in html


def test_columns_keep_the_order_asked_for(client):
    html = get(client, "fingolimod", "ocrelizumab")
    assert html.index('href="/therapies/fingolimod/"') < html.index('href="/therapies/ocrelizumab/"')


def test_each_column_has_a_remove_link_keeping_the_others(client):
    html = get(client, "ocrelizumab", "fingolimod", "cladribine")
    assert 'href="/compare/?t=fingolimod&amp;t=cladribine">Remove<span class="visually-hidden"> Ocrelizumab' in html
    assert 'href="/compare/?t=ocrelizumab&amp;t=fingolimod">Remove' in html


def test_add_form_offers_only_live_therapies_not_yet_shown(client):
    make_therapy(live=False, name="Draftumab", slug="draftumab")
    html = get(client, "ocrelizumab", "fingolimod")
    add_form = html[html.index('id="compare-add"'):]
    add_form = add_form[: add_form.index("</select>")]
    assert '<option value="cladribine">' in add_form
    assert 'value="ocrelizumab"' not in add_form and 'value="fingolimod"' not in add_form
    assert "draftumab" not in add_form
    assert '<input type="hidden" name="t" value="ocrelizumab">' in html


def test_unknown_slug_is_reported_and_the_valid_ones_still_show(client):
    html = unescape(get(client, "ocrelizumab", "no-such-drug", "fingolimod"))
    assert "We couldn't find a therapy called “no-such-drug”" in html
    assert 'href="/therapies/ocrelizumab/"' in html and 'href="/therapies/fingolimod/"' in html


def test_draft_therapy_is_treated_as_unknown(client):
    make_therapy(live=False, name="Draftumab", slug="draftumab")
    html = unescape(get(client, "ocrelizumab", "draftumab"))
    assert "We couldn't find a therapy called “draftumab”" in html
    assert 'href="/therapies/draftumab/"' not in html


def test_more_than_four_is_refused_with_a_message_and_the_first_four_show(client):
    html = get(client, "ocrelizumab", "fingolimod", "cladribine", "natalizumab", "ozanimod")
    assert "You can compare up to 4 therapies at a time, so these were left out: Ozanimod." in html
    assert html.count('class="compare-remove"') == 4
    assert 'id="compare-add"' not in html
    assert "Remove one to add another" in html


def test_duplicates_are_shown_once_with_a_message(client):
    html = get(client, "ocrelizumab", "ocrelizumab", "fingolimod")
    assert "Ocrelizumab was chosen more than once; it is shown once." in html
    assert html.count('class="compare-remove"') == 2


def test_one_therapy_asks_for_another(client):
    html = get(client, "ocrelizumab")
    assert "Add at least one more therapy to compare it with Ocrelizumab." in html
    assert 'id="compare-add"' in html


def test_no_therapies_shows_a_chooser_of_live_therapies(client):
    html = get(client)
    assert 'type="checkbox" name="t" value="ocrelizumab"' in html
    assert html.count('type="checkbox" name="t"') == Therapy.objects.live().count()
    assert "<table" not in html


def test_odd_input_never_errors(client):
    html = get(client, "", "  OCRELIZUMAB ", "<script>", "fingolimod")
    assert "&lt;script&gt;" in html and "<script>\"" not in html
    assert 'href="/therapies/ocrelizumab/"' in html


def test_compare_is_in_the_main_navigation(client):
    html = client.get("/").content.decode()
    assert 'href="/compare/"' in html


def queries_for(client, *slugs: str) -> int:
    with CaptureQueriesContext(connection) as context:
        get(client, *slugs)
    return len(context.captured_queries)


def test_query_count_is_the_same_for_two_and_four_therapies(client):
    get(client, "ocrelizumab", "fingolimod")  # warm up (content types and the like)
    two = queries_for(client, "ocrelizumab", "fingolimod")
    four = queries_for(client, "ocrelizumab", "fingolimod", "cladribine", "natalizumab")
    assert two == four
    assert four <= 7  # +1: the trials' outcomes (the relapse chart), one query however many
