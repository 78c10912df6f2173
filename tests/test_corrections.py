"""Suggest a correction: the form on every content page, storing with its page, spam controls,
CSRF, and the admin action that starts a change request."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from therapies import workflow
from therapies.models import ChangeRequest, CorrectionStatus, CorrectionSuggestion, Revision, Risk, Therapy, Trial
from therapies.site import corrections

from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db

GOOD = {"what_is_wrong": "The EU approval month is wrong.", "source": "EPAR, 2018", "email": "reader@example.org"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("url", "action"),
    [("/therapies/ocrelizumab/", "/corrections/therapy/ocrelizumab/"),
     ("/trials/opera-i/", "/corrections/trial/opera-i/"),
     ("/risks/pml/", "/corrections/risk/pml/")],
)
def test_every_content_page_has_the_correction_form_posting_to_its_own_url(client, url, action):
    html = client.get(url).content.decode()
    assert 'id="suggest-correction"' in html
    assert f'action="{action}"' in html and 'method="post"' in html
    # No per-reader token: content pages are served from the shared page cache (same-origin check instead).
    assert 'name="csrfmiddlewaretoken"' not in html
    assert 'name="what_is_wrong"' in html and 'name="source"' in html and 'name="email"' in html
    # The honeypot is hidden from people and assistive technology, and out of the tab order.
    honeypot = re.search(r'<div\s+class="visually-hidden honeypot"\s+aria-hidden="true">.*?</div>\s*</div>', html, re.S)
    assert honeypot and 'name="website"' in honeypot.group(0)
    assert 'tabindex="-1"' in honeypot.group(0) and 'autocomplete="off"' in honeypot.group(0)


def test_suggestion_is_stored_with_its_page_and_redirects_to_thanks(client):
    response = client.post("/corrections/therapy/ocrelizumab/", GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/corrections/therapy/ocrelizumab/thanks/"
    suggestion = CorrectionSuggestion.objects.get()
    therapy = Therapy.objects.get(slug="ocrelizumab")
    assert suggestion.content_object == therapy
    assert suggestion.page_path == "/therapies/ocrelizumab/"
    assert suggestion.page_title == "Ocrelizumab"
    assert suggestion.what_is_wrong == GOOD["what_is_wrong"] and suggestion.source == "EPAR, 2018"
    assert suggestion.email == "reader@example.org"
    assert suggestion.status == CorrectionStatus.NEW
    assert len(suggestion.client_key) == 64 and "127.0.0.1" not in suggestion.client_key
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you" in thanks.content.decode() and 'href="/therapies/ocrelizumab/"' in thanks.content.decode()


@pytest.mark.parametrize(("model_name", "slug", "model"), [("trial", "opera-i", Trial), ("risk", "pml", Risk)])
def test_trial_and_risk_suggestions_are_stored_with_their_page(client, model_name, slug, model):
    client.post(f"/corrections/{model_name}/{slug}/", {"what_is_wrong": "A figure is out of date."})
    suggestion = CorrectionSuggestion.objects.get()
    assert suggestion.content_object == model.objects.get(slug=slug)
    assert suggestion.email == "" and suggestion.source == ""


def test_missing_text_and_bad_email_get_messages_and_nothing_is_stored(client):
    response = client.post("/corrections/therapy/ocrelizumab/", {"what_is_wrong": " ", "email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tell us what is wrong on this page." in html
    assert "Enter an email address like name@example.org" in html
    assert not CorrectionSuggestion.objects.exists()


def test_filled_honeypot_looks_accepted_but_is_not_stored(client):
    response = client.post("/corrections/therapy/ocrelizumab/", {**GOOD, "website": "http://spam.example"})
    assert response.status_code == 302
    assert response["Location"].endswith("/thanks/")
    assert not CorrectionSuggestion.objects.exists()


def test_rate_limit_stops_the_sixth_suggestion_within_the_hour(client):
    for _ in range(corrections.RATE_LIMIT):
        assert client.post("/corrections/risk/pml/", GOOD).status_code == 302
    response = client.post("/corrections/risk/pml/", GOOD)
    assert response.status_code == 429
    assert "which is our limit. Nothing was saved this time" in response.content.decode()
    assert CorrectionSuggestion.objects.count() == corrections.RATE_LIMIT


def test_rate_limit_is_per_address(client):
    for _ in range(corrections.RATE_LIMIT):
        client.post("/corrections/risk/pml/", GOOD, REMOTE_ADDR="192.0.2.1")
    assert client.post("/corrections/risk/pml/", GOOD, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post("/corrections/risk/pml/", GOOD, REMOTE_ADDR="192.0.2.2").status_code == 302


def test_post_without_csrf_token_or_same_origin_headers_is_refused_and_nothing_is_stored():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/corrections/therapy/ocrelizumab/", GOOD)
    assert response.status_code == 403
    assert not CorrectionSuggestion.objects.exists()
    html = response.content.decode()
    # The reader keeps their text and gets a fresh form, with a token, to send again.
    assert "For your security we could not accept the form" in html
    assert GOOD["what_is_wrong"] in html and 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_SEC_FETCH_SITE": "cross-site"},
     {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"}, {"HTTP_ORIGIN": "null"}],
)
def test_cross_site_post_is_refused_and_nothing_is_stored(headers):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/corrections/therapy/ocrelizumab/", GOOD, **headers).status_code == 403
    assert not CorrectionSuggestion.objects.exists()


@pytest.mark.parametrize(
    "headers", [{"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
                {"HTTP_ORIGIN": "http://testserver"}],
)
def test_same_origin_post_from_a_cached_page_is_stored_without_a_token(headers):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/corrections/therapy/ocrelizumab/", GOOD, **headers)
    assert response.status_code == 302
    assert CorrectionSuggestion.objects.count() == 1


def test_post_with_a_csrf_token_from_the_correction_page_is_stored():
    client = Client(enforce_csrf_checks=True)
    html = client.get("/corrections/therapy/ocrelizumab/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post("/corrections/therapy/ocrelizumab/", {**GOOD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert CorrectionSuggestion.objects.count() == 1


@pytest.mark.parametrize(
    "url", ["/corrections/therapy/no-such/", "/corrections/changerequest/1/", "/corrections/trial/ocrelizumab/"]
)
def test_unknown_pages_are_404(client, url):
    assert client.post(url, GOOD).status_code == 404
    assert not CorrectionSuggestion.objects.exists()


def test_unpublished_page_takes_no_suggestions(client):
    Risk.objects.filter(slug="pml").update(live=False)
    assert client.post("/corrections/risk/pml/", GOOD).status_code == 404


def test_correction_pages_are_never_cached(client):
    response = client.get("/corrections/therapy/ocrelizumab/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# --- The editor's side -------------------------------------------------------------------------------------


def suggestion_for(obj, text="Wrong date.") -> CorrectionSuggestion:
    return CorrectionSuggestion.objects.create(
        content_object=obj, page_path=obj.get_absolute_url(), page_title=str(obj), what_is_wrong=text, client_key="k"
    )


def run_action(client, suggestions):
    return client.post(
        reverse("admin:therapies_correctionsuggestion_changelist"),
        {"action": "start_change_request", "_selected_action": [s.pk for s in suggestions]},
    )


def test_editor_starts_a_change_request_from_a_suggestion(client, editor):
    therapy = Therapy.objects.get(slug="cladribine")
    first, second = suggestion_for(therapy), suggestion_for(therapy, "Dose is wrong.")
    client.force_login(editor)
    response = run_action(client, [first, second])
    change_request = ChangeRequest.objects.get()
    revision = Revision.objects.get(change_request=change_request)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:therapies_revision_edit", kwargs={"pk": change_request.pk, "revision_id": revision.pk}
    )
    assert revision.object_id == therapy.pk and revision.content_type == ContentType.objects.get_for_model(Therapy)
    assert change_request.title == "Correction to Cladribine"
    assert editor in change_request.authors.all()
    for suggestion in (first, second):
        suggestion.refresh_from_db()
        assert suggestion.change_request == change_request
        assert suggestion.status == CorrectionStatus.IN_PROGRESS


def test_page_locked_by_another_change_request_is_refused_with_a_message(client, editor, editor2):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    holder, _ = draft_change(editor2, therapy)
    suggestion = suggestion_for(therapy)
    client.force_login(editor)
    response = client.post(
        reverse("admin:therapies_correctionsuggestion_changelist"),
        {"action": "start_change_request", "_selected_action": [suggestion.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert f"already being changed in change request #{holder.pk}" in html
    assert ChangeRequest.objects.count() == 1  # no empty change request left behind
    suggestion.refresh_from_db()
    assert suggestion.status == CorrectionStatus.NEW and suggestion.change_request is None


def test_suggestions_about_two_pages_are_refused(client, editor):
    a = suggestion_for(Therapy.objects.get(slug="ocrelizumab"))
    b = suggestion_for(Risk.objects.get(slug="pml"))
    client.force_login(editor)
    response = run_action(client, [a, b])
    assert response.status_code == 302  # back to the list, with the message
    assert not ChangeRequest.objects.exists()


def test_the_action_is_only_offered_to_editors(client, superuser, editor):
    suggestion_for(Risk.objects.get(slug="pml"))
    client.force_login(editor)
    changelist = reverse("admin:therapies_correctionsuggestion_changelist")
    assert "start_change_request" in client.get(changelist).content.decode()
    client.force_login(superuser)  # superusers get no bypass of the editorial roles
    assert "start_change_request" not in client.get(
        reverse("admin:therapies_correctionsuggestion_changelist")
    ).content.decode()
    with pytest.raises(workflow.WorkflowError):
        workflow.start_change_request_for(suggestions=list(CorrectionSuggestion.objects.all()), user=superuser)
    assert not ChangeRequest.objects.exists()


def test_admin_lists_filters_and_searches_suggestions(client, editor):
    suggestion_for(Risk.objects.get(slug="pml"), "The JC virus figure is old.")
    suggestion_for(Therapy.objects.get(slug="ocrelizumab"), "Typo in dosing.")
    client.force_login(editor)
    url = reverse("admin:therapies_correctionsuggestion_changelist")
    html = client.get(url, {"q": "JC virus"}).content.decode()
    assert "The JC virus figure is old." in html and "Typo in dosing." not in html
    html = client.get(url, {"status__exact": "new"}).content.decode()
    assert "Typo in dosing." in html
