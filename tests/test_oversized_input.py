"""Oversized and malformed input is refused with a message; nothing is stored."""

import pytest
from django.urls import reverse

from therapies.models import CorrectionSuggestion

pytestmark = pytest.mark.django_db


def _correction_url() -> str:
    return reverse("suggest_correction", args=["therapy", "ocrelizumab"])


def test_a_10_mb_post_to_the_correction_form_is_refused_with_a_readable_page(client):
    response = client.post(_correction_url(), {"what_is_wrong": "x" * (10 * 1024 * 1024), "email": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "too large" in html and "nothing was saved" in html
    assert not CorrectionSuggestion.objects.exists()


def test_an_overlong_correction_is_refused_with_a_message_on_the_form(client):
    response = client.post(_correction_url(), {"what_is_wrong": "y" * 5000, "source": "", "email": ""})
    assert response.status_code == 400
    assert "at most 3000 characters" in response.content.decode()
    assert not CorrectionSuggestion.objects.exists()


def test_thousands_of_form_fields_are_refused(client):
    data = {f"field{i}": "1" for i in range(1500)}
    response = client.post(_correction_url(), data)
    assert response.status_code == 400
    assert not CorrectionSuggestion.objects.exists()


@pytest.mark.parametrize("path", ["/corrections/therapy/no-such-therapy/", "/corrections/nonsense/ocrelizumab/",
                                  "/therapies/no-such-therapy/", "/risks/NOT_A_SLUG/"])
def test_invalid_identifiers_are_a_friendly_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>" in response.content.decode()
