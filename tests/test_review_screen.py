"""The review screen shows everything that will go live, and the reviewer assistant's panel (issue 14)."""

import re

import pytest
from django.urls import reverse

from therapies.editorial.assistant import Finding
from therapies.editorial.diff import row_anchor

from .review_scenario import RISK_ROW, SOURCE, risk_row_and_source_in_review

pytestmark = pytest.mark.django_db


def review_page(client, user, change_request):
    client.force_login(user)
    response = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def element(html: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of its section (good enough to find what it shows)."""
    start = html.index(f'id="{element_id}"')
    return html[start:html.index("</section>", start)]


def test_an_added_risk_row_shows_every_field_that_will_go_live(client, editor, reviewer):
    scenario = risk_row_and_source_in_review(editor)

    _, html = review_page(client, reviewer, scenario.change_request)

    row = element(html, row_anchor(scenario.therapy_revision.pk, "therapy_risks", scenario.risk.pk))
    assert "+ Risk: Test liver injury — common" in row
    for label in ("Frequency", "Figure", "Measure", "Boxed warning", "Notes"):
        assert f'<th scope="row">{label}</th>' in row
    for value in ("3% (0.2% serious)", "ALT at least 3 times the upper limit of normal, 2-year trials",
                  "Check liver tests before each dose.", "Common (1 in 100 to 1 in 10)"):
        assert f"<ins>{value}</ins>" in row
    assert RISK_ROW["boxed_warning"] is False and "<ins>No</ins>" in row


def test_a_new_source_shows_its_title_identifiers_and_address_where_it_is_cited(client, editor, reviewer):
    scenario = risk_row_and_source_in_review(editor)

    _, html = review_page(client, reviewer, scenario.change_request)

    cited = element(html, f"field-{scenario.therapy_revision.pk}-pregnancy_references")
    assert "+ Added: Tester A, et al. Liver safety of a test antibody" in cited
    for label, value in (("Title", SOURCE["title"]), ("PubMed id", SOURCE["pmid"]), ("DOI", SOURCE["doi"]),
                         ("Web address", SOURCE["url"])):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in cited
    own = element(html, f"revision-{scenario.reference_revision.pk}")
    for value in (SOURCE["title"], SOURCE["pmid"], SOURCE["doi"], SOURCE["url"]):
        assert f"<ins>{value}</ins>" in own


def test_markdown_is_shown_as_readers_will_see_it_on_request(client, editor, reviewer):
    scenario = risk_row_and_source_in_review(editor, body="Take it **with food**.")

    _, html = review_page(client, reviewer, scenario.change_request)

    body = element(html, f"field-{scenario.therapy_revision.pk}-body")
    assert "**with food**" in body  # the source, in the diff
    assert re.search(r"<details><summary>Show body as readers will see it</summary>.*<strong>with food</strong>",
                     body, re.S)
    assert not re.search(r"\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)", body)


def test_the_assistant_flags_a_number_without_a_source_and_a_grade_12_summary(client, editor, reviewer):
    scenario = risk_row_and_source_in_review(editor)

    response, html = review_page(client, reviewer, scenario.change_request)

    panel = element(html, "assistant")
    flagged = {(item["finding"].check, item["finding"].field) for item in response.context["assistant"]["flagged"]}
    assert {("readability", "summary"), ("numbers", "summary"), ("numbers", "figure")} <= flagged
    assert "reading grade 12.7" in panel and "adds “46%”" in panel
    summary = f"field-{scenario.therapy_revision.pk}-summary"
    assert f'href="#{summary}"' in panel


def test_every_finding_links_to_an_anchor_on_the_page(client, editor, reviewer):
    scenario = risk_row_and_source_in_review(editor, contraindications="")  # a required section emptied

    response, html = review_page(client, reviewer, scenario.change_request)

    items = response.context["assistant"]["flagged"] + response.context["assistant"]["noted"]
    assert len(items) >= 4
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    for item in items:
        assert item["anchor"] in ids, item["finding"]
        assert f'href="#{item["anchor"]}"' in html
    by_check = {item["finding"].check: item["anchor"] for item in items}
    rev = scenario.therapy_revision.pk
    assert by_check["numbers"] in (f"field-{rev}-summary", row_anchor(rev, "therapy_risks", scenario.risk.pk, "figure"))
    assert by_check["sections"] == f"field-{rev}-contraindications"


def test_a_finding_links_to_its_field_else_its_row_else_its_object():
    on_field = Finding("sections", "…", 5, "pregnancy")
    on_row = Finding("frequency", "…", 5, "figure", "therapy_risks", 9)
    page = {"revision-5", "field-5-pregnancy", "row-5-therapy_risks-9"}

    assert on_field.anchor_in(page) == "field-5-pregnancy"
    assert on_field.anchor_in({"revision-5"}) == "revision-5"  # an unchanged field has no diff row
    assert on_row.anchor_in(page) == "row-5-therapy_risks-9"
    assert on_row.anchor_in(page | {"row-5-therapy_risks-9-figure"}) == "row-5-therapy_risks-9-figure"


def test_a_check_that_fails_never_blocks_the_review_screen(client, editor, reviewer, monkeypatch, caplog):
    from therapies.editorial import assistant

    def broken(proposal):
        raise KeyError("fields")

    monkeypatch.setattr(assistant, "CHECKS", (broken, *assistant.CHECKS))
    scenario = risk_row_and_source_in_review(editor)

    response, html = review_page(client, reviewer, scenario.change_request)

    messages = [item["finding"].message for item in response.context["assistant"]["flagged"]]
    assert "Testimab" in html and any("check could not run" in message for message in messages)
    assert any(item["finding"].check == "readability" for item in response.context["assistant"]["flagged"])
    assert "failed on revision" in caplog.text
