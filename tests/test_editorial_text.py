"""Editorial text is content (issue 11): the home page's words and the About page are reviewed, with history.

The words used to be written into templates; they are now EditorialText rows (models/texts.py), loaded from
fixtures/70-editorial-texts.yaml and changed only through change requests.
"""

import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from therapies import workflow
from therapies.editorial.history import published_history
from therapies.models import ChangeRequest, DrugClass, EditorialPlace, EditorialText, State

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def visible_text(response) -> str:
    """The words of a page as a reader reads them: no tags (inline ones join their words), entities decoded,
    whitespace collapsed."""
    text = re.sub(r"</?(em|strong|a|code)\b[^>]*>", "", response.content.decode())
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def plain(markdown_text: str) -> str:
    """The words of a Markdown text, without its markup."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown_text)
    text = re.sub(r"^#+ |^- |\*\*|\*", "", text, flags=re.M)
    return re.sub(r"\s+", " ", text).strip()


def text_at(place: str) -> EditorialText:
    return EditorialText.objects.get(place=place)


def test_the_seed_fills_every_place_and_every_drug_class_has_its_description():
    assert set(EditorialText.objects.live().values_list("place", flat=True)) == set(EditorialPlace.values) - {
        EditorialPlace.DRUG_CLASS_OTHER  # "Other" has no members in the seed; its heading is the class label
    }
    assert {EditorialPlace.for_drug_class(value) for value in DrugClass.values} <= set(EditorialPlace.values)


@pytest.mark.parametrize(("url", "prefix"), [("/", ("home", "drug-class-")), ("/about/", ("about",))])
def test_the_public_page_reads_every_published_text_of_its_places(client, url, prefix):
    page = visible_text(client.get(url))
    texts = EditorialText.objects.live().filter(place__regex=rf"^({'|'.join(prefix)})")
    assert texts.count() >= 4
    for text in texts:
        assert text.title in page, text.place
        assert plain(text.body) in page, text.place


def test_the_about_page_keeps_its_title_description_and_section_order(client):
    response = client.get("/about/")
    content = response.content.decode()
    assert "<title>About us and our editorial policy — msinfo</title>" in content
    assert f'<meta name="description" content="{html.escape(text_at("about").summary)}">' in content
    headings = re.findall(r"<h2 id=\"about-[a-z-]+-heading\">([^<]+)</h2>", content)
    assert [html.unescape(h) for h in headings] == [
        "Who we are", "Who writes and who checks our pages", "Where our facts come from",
        "How often pages are reviewed", "Corrections", "What we don't do"]
    assert '<a href="/updates/"' in content


def test_no_template_still_holds_the_words_of_an_editorial_text():
    """The words live in reviewed rows only: a copy left in a template would be shown unreviewed."""
    templates = "\n".join(path.read_text() for path in TEMPLATES.rglob("*.html"))
    templates = re.sub(r"\s+", " ", templates)
    templates = re.sub(r"<[^>]+>|\*", "", templates)
    for text in EditorialText.objects.exclude(body=""):
        assert plain(text.body) not in templates, text.place


def test_a_change_to_the_about_page_is_reviewed_before_readers_see_it(client, editor, reviewer):
    section = text_at(EditorialPlace.ABOUT_WHO)
    change_request, revision = draft_change(
        editor, section, title="Update who we are",
        body="msinfo is an independent information site run by a registered charity.",
    )
    assert "registered charity" not in visible_text(client.get("/about/"))
    client.force_login(reviewer)
    review = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert [f["change"].name for f in review.context["entries"][0]["fields"]] == ["body"]
    assert "Preview</a>" not in review.content.decode()  # no page of its own: the diff is the review
    client.logout()
    workflow.submit(change_request=change_request, user=editor, change_note="Said who runs msinfo.")
    workflow.approve(change_request=change_request, user=reviewer)
    assert "registered charity" not in visible_text(client.get("/about/"))
    workflow.publish(change_request=change_request, user=reviewer)
    assert "registered charity" in visible_text(client.get("/about/"))
    assert [r.change_request for r in published_history(section)] == [change_request]


def test_a_drug_class_description_taken_off_the_site_leaves_the_home_page(client, reviewer):
    description = text_at(EditorialPlace.DRUG_CLASS_S1P)
    workflow.unpublish(obj=description, user=reviewer, reason="Being rewritten.")
    page = visible_text(client.get("/"))
    assert plain(description.body) not in page
    assert "S1P receptor modulator" in page  # the class is still listed, under its plain name


def test_a_second_text_for_one_place_is_refused_with_a_message(editor):
    change_request = workflow.start_change_request(user=editor, title="Another About intro")
    snapshot = {"fields": {"place": "about", "title": "About us", "summary": "", "body": "Words."},
                "m2m": {}, "children": {}}
    with pytest.raises(workflow.WorkflowError, match="Another editorial text already fills this place"):
        workflow.create_object(change_request=change_request, user=editor, model=EditorialText, snapshot=snapshot)
    assert change_request.revisions.count() == 0
    assert EditorialText.objects.filter(place="about").count() == 1
    assert ChangeRequest.objects.get(pk=change_request.pk).state == State.DRAFT
