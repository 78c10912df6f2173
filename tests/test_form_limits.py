"""Every formset and multi-value field of the draft form has a small limit, checked before any form is built,
and an id that is not an id is a form error (issue 23, security findings N2 and N5b)."""

import time

import pytest

from therapies.models import Therapy, Trial, limits

from .test_edit_form import edit_url
from .test_review_views import form_data
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db


def _edit(client, editor, obj):
    change_request, revision = draft_change(editor, obj)
    client.force_login(editor)
    url = edit_url(change_request, revision)
    return url, form_data(client.get(url)), revision


@pytest.mark.parametrize(
    ("model", "slug", "prefix"),
    [(Trial, "opera-i", "outcomes"), (Therapy, "ocrelizumab", "therapy_risks")],
)
@pytest.mark.parametrize("total", ["99999999", str(limits.CHILD_ROWS + 1)])
def test_a_post_with_more_rows_than_the_limit_is_refused_at_once_with_a_message(client, editor, model, slug, prefix,
                                                                                total):
    url, data, revision = _edit(client, editor, model.objects.get(slug=slug))
    before = revision.snapshot
    data[f"{prefix}-TOTAL_FORMS"] = total

    started = time.process_time()  # the server's work, not the wait for a core the machine's other work holds
    response = client.post(url, data)
    elapsed = time.process_time() - started

    assert response.status_code == 200
    assert elapsed < 1.0, f"{elapsed:.1f} s"
    assert f"A draft has at most {limits.CHILD_ROWS} rows here" in response.content.decode()
    assert len(response.context["formsets"][prefix].forms) == 0  # no row's form was built
    revision.refresh_from_db()
    assert revision.snapshot == before


def test_a_post_within_the_row_limit_still_saves(client, editor):
    url, data, revision = _edit(client, editor, Therapy.objects.get(slug="ocrelizumab"))
    data["content-dosing"] = "600 mg every 6 months."
    response = client.post(url, data)
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.snapshot["fields"]["dosing"] == "600 mg every 6 months."


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999", "1\x00", "-3", "1.5"])
@pytest.mark.parametrize("name", ["content-references", "content-routes", "therapy_risks-0-risk"])
def test_an_id_that_is_not_an_id_is_an_error_on_its_field(client, editor, name, bad):
    url, data, revision = _edit(client, editor, Therapy.objects.get(slug="ocrelizumab"))
    before = revision.snapshot
    data[name] = [bad] if name.startswith("content-") else bad
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is not one of the choices" in response.content.decode()
    revision.refresh_from_db()
    assert revision.snapshot == before


def test_more_ids_than_the_limit_in_one_field_are_refused(client, editor):
    url, data, revision = _edit(client, editor, Therapy.objects.get(slug="ocrelizumab"))
    data["content-references"] = [str(n) for n in range(1, 501)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"Choose at most {limits.CHOSEN} here (this form sent 500)" in response.content.decode()
