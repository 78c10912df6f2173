"""The admin lists every content type, searchable and filterable."""

import pytest
from django.contrib import admin
from django.urls import reverse

from therapies.models import AdministrationRoute, MSCourse, Reference, Risk, Therapy, TherapyRisk, Trial

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [Therapy, Trial, Risk, TherapyRisk, Reference, MSCourse]


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_every_content_model_is_registered_with_search_and_filters(model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields
    assert model_admin.list_filter


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_change_list_search_finds_rows(admin_client, model):
    url = reverse(f"admin:therapies_{model._meta.model_name}_changelist")
    queries = {Therapy: "Ocrevus", Trial: "NCT01247324", Risk: "PML", TherapyRisk: "natalizumab",
               Reference: "NCT01247324", MSCourse: "PPMS"}
    response = admin_client.get(url, {"q": queries[model]})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_change_list_filter_narrows_rows(admin_client):
    url = reverse("admin:therapies_therapy_changelist")
    oral = AdministrationRoute.objects.get(code="oral")
    response = admin_client.get(url, {"routes__id__exact": oral.pk})
    slugs = {t.slug for t in response.context["cl"].result_list}
    assert slugs == {"fingolimod", "ozanimod", "siponimod", "ponesimod", "cladribine"}


@pytest.mark.parametrize("model", [Therapy, Trial, Risk])
def test_change_form_opens_for_seed_content(admin_client, model):
    obj = model.objects.first()
    url = reverse(f"admin:therapies_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


def test_admin_requires_login(client):
    response = client.get(reverse("admin:therapies_therapy_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
