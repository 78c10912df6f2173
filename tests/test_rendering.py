"""Markdown renders in bounded work for any text within the limits (therapies/editorial/rendering.py, issue 15).

Counted, never timed: the properties check how large and how deeply nested the HTML handed to the
sanitizer can get (the sanitizer's cost grows with both; nesting is the quadratic one), and that
the result is always safe. docs/PERFORMANCE.md has the timings, from bench/markdown_timing.py.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from therapies import workflow
from therapies.editorial import rendering
from therapies.editorial.rendering import MAX_NESTING, MAX_TABLE_CELLS, markdown_problem, render_markdown
from therapies.models import limits

from .hostile_inputs import live_dangers

MARKUP = "[]()<>!*_`#>-|:&\\ \n\ta1"
markdownish = st.text(alphabet=MARKUP, max_size=3000)
# Runs of one construct, the shapes that made Python-Markdown quadratic and nh3 quadratic.
runs = st.builds(lambda piece, count: piece * count,
                 st.sampled_from(["[", "![", "[a](", "*_", "> ", ">", "- ", "> - ", "<div>", "`", "<a ", "|-", "&#"]),
                 st.integers(min_value=1, max_value=4000))


def _sanitiser_input(text: str) -> str:
    """What rendering hands nh3 for `text` (uncached)."""
    seen = []
    original = rendering.nh3.clean

    def recording(html, **kwargs):
        seen.append(html)
        return original(html, **kwargs)

    rendering.nh3.clean = recording
    try:
        rendering._sanitised_html.__wrapped__(text)
    finally:
        rendering.nh3.clean = original
    return seen[0]


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(markdownish, runs))
def test_the_sanitizer_never_gets_deep_or_outsized_html(text):
    html = _sanitiser_input(text)
    assert rendering.nesting_depth(html) <= MAX_NESTING
    # cmark caps reference expansion at 100,000 characters; everything else grows by a constant factor.
    assert len(html) <= 20 * len(text) + 110_000


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(markdownish, runs))
def test_any_text_renders_to_safe_html(text):
    assert live_dangers(str(render_markdown(text))) == []


def test_twelve_thousand_unmatched_brackets_render_as_text():
    html = str(render_markdown("[" * 12_000))
    assert html.count("[") == 12_000 and "<a" not in html


def test_forty_thousand_nested_quotes_are_shown_as_plain_text_and_refused_for_a_draft():
    text = ">" * 40_000
    assert str(render_markdown(text)) == f"<p>{'&gt;' * 40_000}</p>"
    problem = markdown_problem(text)
    assert problem and "levels deep" in problem and str(MAX_NESTING) in problem


def test_a_table_wider_than_the_limit_is_shown_as_plain_text_and_refused_for_a_draft():
    columns = 1000
    text = "|".join(["a"] * columns) + "\n" + "|".join(["-"] * columns) + "\n" + "x\n" * 2000
    assert len(text) < limits.MAIN_TEXT
    html = str(render_markdown(text))
    assert "<table" not in html and len(html) < 2 * len(text)
    assert "cells" in markdown_problem(text) and f"{MAX_TABLE_CELLS:,}" in markdown_problem(text)


def test_an_ordinary_table_list_and_link_still_render():
    text = ("Intro with a [link](https://example.org) and *emphasis*.\n\n- one\n- two\n\n"
            "| Dose | When |\n|---|---|\n| 300 mg | week 0 |\n")
    html = str(render_markdown(text))
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<em>emphasis</em>" in html and "<li>one</li>" in html and "<td>300 mg</td>" in html
    assert markdown_problem(text) is None


# --- Limits, in forms and in the workflow ------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_over_the_length_limit_is_refused_by_the_workflow_and_nothing_is_saved(editor):
    from .workflow_helpers import draft_change

    change_request, revision = draft_change(editor)
    before = revision.snapshot["fields"]["body"]
    snapshot = revision.snapshot
    snapshot["fields"]["body"] = "word " * (limits.MAIN_TEXT // 5 + 1)
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    assert f"{limits.MAIN_TEXT}" in refusal.value.message and "body" in refusal.value.message
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["body"] == before


@pytest.mark.django_db
def test_a_draft_too_deeply_nested_is_refused_by_the_workflow(editor):
    from .workflow_helpers import draft_change

    change_request, revision = draft_change(editor)
    snapshot = revision.snapshot
    snapshot["fields"]["dosing"] = "> " * 100 + "deep"
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    assert "levels deep" in refusal.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("field, text, message", [
    ("content-body", "word " * (limits.MAIN_TEXT // 5 + 1), f"Keep this to {limits.MAIN_TEXT} characters at most"),
    ("content-dosing", "> " * 100 + "deep", "levels deep"),
    ("content-population", "x" * (limits.PLAIN_PARAGRAPH + 1), "characters at most"),
])
def test_the_edit_form_shows_the_limit_on_the_field_and_saves_nothing(client, editor, field, text, message):
    from django.urls import reverse

    from therapies.models import Trial

    from .test_review_views import form_data
    from .workflow_helpers import draft_change

    obj = Trial.objects.get(slug="opera-i") if field == "content-population" else None
    change_request, revision = draft_change(editor, obj)
    url = reverse("admin:therapies_revision_edit", args=[change_request.pk, revision.pk])
    client.force_login(editor)
    data = form_data(client.get(url))
    data[field] = text
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    revision.refresh_from_db()
    assert revision.version == 1
