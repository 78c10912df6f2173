"""Issue 14, item 4: an edit form an editor can live in.

Sections in the public page's order (from the kinds registry), an error summary on top linking to every
error (a duplicate risk row's included), references chosen through a search that offers only what the draft
may cite, and Markdown help and the page preview next to each Markdown field.
"""

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from therapies import workflow
from therapies.admin.edit_form import MARKDOWN_HINTS
from therapies.admin.form_sections import placement_problems
from therapies.admin.kind_parts import ADMIN
from therapies.editorial.rendering import render_markdown
from therapies.models import KINDS, Reference, Risk, Therapy, Trial, kind_for

from .test_review_views import form_data
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    """The ids of a page's elements, in document order, and the <section>s' among them."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.details: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs).get("id")
        if found:
            self.ids.append(found)
            if tag == "section":
                self.sections.append(found)
            if tag == "details":
                self.details.append(found)


def ids_of(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def edit_url(change_request, revision) -> str:
    return reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])


# --- Sections in the public page's order ------------------------------------------------------------------


@pytest.mark.parametrize("model,slug", [(Therapy, "ocrelizumab"), (Trial, "opera-i"), (Risk, "pml")])
def test_form_sections_follow_the_public_pages_section_order(client, model, slug):
    kind = kind_for(model)
    obj = model.objects.get(slug=slug)
    page_sections = ids_of(client.get(kind.public_url(obj)).content.decode()).sections
    anchors = [section.anchor for section in ADMIN.of(kind).form_sections if section.anchor]
    assert anchors, "a kind with a page has sections tied to it"
    missing = [anchor for anchor in anchors if anchor not in page_sections]
    assert not missing, f"no such section on the public page: {missing}"
    assert anchors == sorted(anchors, key=page_sections.index)
    # The header's fields (no anchor) come first, as the header is first on the page.
    header = [section for section in ADMIN.of(kind).form_sections if not section.anchor]
    assert list(ADMIN.of(kind).form_sections[: len(header)]) == header


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_field_of_every_kind_is_in_exactly_one_section(kind):
    assert placement_problems(kind, ADMIN.of(kind).form_sections) == []


def test_a_field_left_out_of_the_sections_is_named():
    therapy = kind_for(Therapy)
    sections = tuple(
        replace(s, fields=tuple(f for f in s.fields if f != "dosing")) for s in ADMIN.of(therapy).form_sections
    )
    assert placement_problems(therapy, sections) == ["“dosing” is in no section"]


def test_the_edit_page_shows_the_sections_in_order_each_collapsible(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    html = client.get(edit_url(change_request, revision)).content.decode()
    details = ids_of(html).details
    expected = [section.html_id for section in ADMIN.of(Therapy).form_sections]
    assert [d for d in details if d.startswith("section-")] == expected
    # Each field sits in its section: dosing under "Route and dosing", the risk rows under "Risks".
    route = html.index('id="section-route-and-dosing"')
    assert route < html.index('name="content-dosing"') < html.index('id="section-approved-for"')
    assert html.index('id="section-risks"') < html.index('name="therapy_risks-0-risk"') < html.index(
        'id="section-urgent-help"')


# --- Error summary ------------------------------------------------------------------------------------------


def test_error_summary_links_every_error_including_a_duplicate_risk_row(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    url = edit_url(change_request, revision)
    data = form_data(client.get(url))
    data["content-name"] = ""  # (the slug is fixed once the page is live: test_edit_form_issue24.py)
    data["content-dosing"] = ""
    last = int(data["therapy_risks-TOTAL_FORMS"]) - 1
    data[f"therapy_risks-{last}-risk"] = data["therapy_risks-0-risk"]  # the first row's risk again
    data[f"therapy_risks-{last}-frequency"] = "rare"
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):]
    summary = summary[: summary.index("</div>")]
    assert "There is a problem" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    targets = [target for target, _ in links]
    assert targets == ["id_content-name", "id_content-dosing", f"id_therapy_risks-{last}-risk"]
    assert "already listed in row 1" in links[2][1] and f"Risks, row {last + 1}" in links[2][1]
    page_ids = ids_of(html).ids
    assert all(target in page_ids for target in targets), "every link reaches an element of the page"
    # The summary comes before the form, and the sections with errors are marked.
    assert html.index('id="error-summary"') < html.index('<form method="post" novalidate>')
    assert 'class="form-section has-errors" id="section-risks"' in html
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["name"] == "Ocrelizumab"  # nothing saved


def test_error_summary_links_a_row_error_and_a_checkbox_list(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    url = edit_url(change_request, revision)
    data = form_data(client.get(url))
    data.pop("content-routes")  # a required checkbox list left empty
    data["therapy_risks-0-figure"] = "Most people"
    data["therapy_risks-0-measure"] = ""  # a figure must say what it counts
    html = client.post(url, data).content.decode()
    targets = re.findall(r'<li><a href="#([^"]+)">', html)
    assert targets == ["id_content-routes_0", "id_therapy_risks-0-measure"]
    assert all(target in ids_of(html).ids for target in targets)


def test_no_error_summary_on_a_page_without_errors(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    assert "There is a problem" not in client.get(edit_url(change_request, revision)).content.decode()


# --- References through a search ------------------------------------------------------------------------------


def new_reference(change_request, user, key: str) -> Reference:
    snapshot = {"fields": {"key": key, "kind": "web", "title": f"Source {key}", "source": "Agency", "year": 2024,
                           "authors": "", "pmid": "", "doi": "", "nct_id": "", "url": f"https://example.org/{key}"},
                "m2m": {}, "children": {}}
    revision = workflow.create_object(change_request=change_request, user=user, model=Reference, snapshot=snapshot)
    return Reference.objects.get(pk=revision.object_id)


def search(client, change_request, term: str, field: str = "references", model: str = "therapy"):
    url = reverse("admin:therapies_changerequest_autocomplete", args=[change_request.pk])
    return client.get(url, {"term": term, "app_label": "therapies", "model_name": model, "field_name": field})


def test_reference_search_offers_live_sources_and_those_drafted_in_this_change_request(client, editor, editor2):
    change_request, _ = draft_change(editor)
    mine = new_reference(change_request, editor, "mine-2024")
    other_request, _ = draft_change(editor2, Therapy.objects.get(slug="natalizumab"), title="Other")
    theirs = new_reference(other_request, editor2, "theirs-2024")
    client.force_login(editor)
    found = {row["id"] for row in json.loads(search(client, change_request, "Source").content)["results"]}
    assert str(mine.pk) in found and str(theirs.pk) not in found
    live = Reference.objects.live().get(nct_id="NCT01247324")
    answer = json.loads(search(client, change_request, "NCT01247324").content)
    assert {"id": str(live.pk), "text": str(live)} in answer["results"]
    # For every citation field, a trial's too.
    assert search(client, change_request, "Source", field="pregnancy_references").status_code == 200
    assert search(client, change_request, "Source", model="trial").status_code == 200


def test_reference_search_refuses_what_it_must(client, editor, superuser, django_user_model):
    change_request, _ = draft_change(editor)
    taken_off = Reference.objects.live().get(nct_id="NCT01247324")
    Reference.objects.filter(pk=taken_off.pk).update(live=False)
    client.force_login(editor)
    assert json.loads(search(client, change_request, "NCT01247324").content)["results"] == []
    # Not a citation field: the admin-wide view would list users or routes here.
    assert search(client, change_request, "a", field="last_reviewed_by").status_code == 403
    assert search(client, change_request, "a", field="routes").status_code == 403
    assert search(client, change_request, "a", field="no_such_field").status_code == 403
    missing = reverse("admin:therapies_changerequest_autocomplete", args=[change_request.pk + 1000])
    assert client.get(missing, {"term": "a"}).status_code == 404
    workflow.withdraw(change_request=change_request, user=editor)
    assert search(client, change_request, "a").status_code == 403  # closed: nothing in it is edited
    client.force_login(superuser)  # an administrator is not an editor
    assert search(client, draft_change(editor)[0], "a").status_code == 403
    client.logout()
    assert search(client, change_request, "a").status_code == 302  # to the sign-in page


def test_edit_form_uses_the_search_widget_and_refuses_a_source_it_may_not_cite(client, editor, editor2):
    change_request, revision = draft_change(editor)
    other_request, _ = draft_change(editor2, Therapy.objects.get(slug="natalizumab"), title="Other")
    theirs = new_reference(other_request, editor2, "theirs-2024")
    client.force_login(editor)
    url = edit_url(change_request, revision)
    page = client.get(url)
    html = page.content.decode()
    autocomplete = reverse("admin:therapies_changerequest_autocomplete", args=[change_request.pk])
    assert f'data-ajax--url="{autocomplete}"' in html and 'name="content-references"' in html
    assert 'type="checkbox" name="content-references"' not in html  # no wall of 60 checkboxes
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html)
    assert any("admin/js/vendor/select2/select2.full" in src for src in scripts)
    assert all(src.startswith(settings.STATIC_URL) for src in scripts), "every script from the site itself"
    data = form_data(page)
    data["content-references"] = [*data["content-references"], str(theirs.pk)]
    response = client.post(url, data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "content-references" in [f"content-{name}" for name in response.context["form"].errors]
    revision.refresh_from_db()
    assert theirs.pk not in revision.snapshot["m2m"]["references"]


# --- Markdown help and the page preview ------------------------------------------------------------------------


@pytest.mark.parametrize("hint", MARKDOWN_HINTS, ids=lambda hint: hint.what)
def test_markdown_help_shows_only_what_the_renderer_keeps(hint):
    assert f"<{hint.element}" in render_markdown(hint.example)


def test_each_markdown_field_has_help_and_a_preview_of_its_section(client, editor):
    change_request, revision = draft_change(editor)
    client.force_login(editor)
    html = client.get(edit_url(change_request, revision)).content.decode()
    assert html.count('<details class="markdown-help">') == 9  # therapy's Markdown fields
    assert 'name="_preview" value="route-and-dosing"' in html
    data = form_data(client.get(edit_url(change_request, revision)))
    data["_preview"] = "route-and-dosing"
    response = client.post(edit_url(change_request, revision), data)
    preview = reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk])
    assert response["Location"] == f"{preview}#route-and-dosing"
    data = {**form_data(client.get(edit_url(change_request, revision))), "_preview": "javascript:alert(1)"}
    assert client.post(edit_url(change_request, revision), data)["Location"] == preview


def test_check_refuses_a_kind_whose_sections_lose_a_field(monkeypatch):
    parts = ADMIN.of(Therapy)
    monkeypatch.setitem(ADMIN._parts, Therapy, replace(parts, form_sections=parts.form_sections[1:]))
    with pytest.raises(Exception, match="The admin parts of therapy .*: its edit form: “name” is in no section"):
        call_command("check")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_the_admin_page_of_content_groups_its_fields_as_the_edit_form(admin_client, kind):
    obj = kind.model.objects.first()
    response = admin_client.get(kind.admin_url(obj.pk))
    names = [fieldset.name for fieldset in response.context["adminform"]]
    headings = [section.heading for section in ADMIN.of(kind).form_sections if section.fields]
    assert names == [*headings, "Publishing and review"]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_kinds_edit_page_has_its_sections(client, editor, kind):
    change_request, revision = draft_change(editor, kind.model.objects.live().first())
    client.force_login(editor)
    html = client.get(edit_url(change_request, revision)).content.decode()
    expected = [s.html_id for s in ADMIN.of(kind).form_sections]
    assert [d for d in ids_of(html).details if d.startswith("section-")] == expected
    new = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, kind.name])).content.decode()
    assert [d for d in ids_of(new).details if d.startswith("section-")] == expected
