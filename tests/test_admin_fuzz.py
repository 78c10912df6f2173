"""No 500 in the admin for any input (issue 23, security finding N5): NUL bytes, huge integers and ids that are
not ids, in every admin list's filters, every change URL and every field of every kind's draft edit form.

Run on PostgreSQL too (DATABASE_URL=postgres://…): it refuses a NUL in a text parameter, which SQLite stores.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.test import Client
from django.urls import reverse

from therapies import workflow
from therapies.models import KINDS

from .test_edit_form import edit_url
from .test_review_views import form_data

pytestmark = pytest.mark.django_db

HOSTILE = ["\x00", "x\x00y", "99999999999999999999", "-99999999999999999999", "abc"]


def _filter_parameters(model_admin, request) -> list[str]:
    """Every GET parameter a list filter of the admin reads, and the field lookups it would pass on."""
    names = []
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            names.append(item.parameter_name)
            continue
        path = item[0] if isinstance(item, tuple) else item
        names += [path, f"{path}__exact", f"{path}__id__exact", f"{path}__in", f"{path}__isnull"]
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__year", f"{model_admin.date_hierarchy}__month"]
    return names + ["q", "o", "p", "e", "_changelist_filters"]


def _server_errors(client: Client, urls: list[str]) -> list[str]:
    return [repr(url) for url in urls if client.get(url).status_code >= 500]


@pytest.fixture
def staff(superuser) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


def test_every_admin_list_filter_answers_hostile_values_without_a_server_error(staff, rf, superuser):
    request = rf.get("/")
    request.user = superuser
    urls = []
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in _filter_parameters(model_admin, request):
            urls += [f"{changelist}?{urlencode({name: value})}" for value in HOSTILE]
    assert len(urls) > 400  # every registered admin and its filters, not a few
    errors = _server_errors(staff, urls)
    assert not errors, "server errors:\n" + "\n".join(errors)


def test_every_admin_change_url_answers_a_malformed_id_without_a_server_error(staff):
    urls = []
    for model in admin.site._registry:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for value in HOSTILE:
            for page in ("change/", "history/", "delete/"):
                urls.append(f"{changelist}{quote(value, safe='')}/{page}")
    errors = _server_errors(staff, urls)
    assert not errors, "server errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.model.__name__)
def test_every_field_of_every_kinds_edit_form_answers_hostile_values_without_a_server_error(kind, editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    obj = kind.model._base_manager.order_by("pk").first()
    change_request = workflow.start_change_request(user=editor, title="Fuzz")
    revision = workflow.add_object(change_request=change_request, user=editor, obj=obj)
    url = edit_url(change_request, revision)
    data = form_data(client.get(url))
    names = sorted({*data, *(f"content-{name}" for name in client.get(url).context["form"].fields)})
    # The form's own fields, and the fields of each formset's first row (the other rows are the same form).
    names = [name for name in names if name.startswith("content-") or "-0-" in name]
    # Every field hostile at once, for each value; then each field alone, the values taking turns (fast).
    posts = [{**data, **dict.fromkeys(names, value)} for value in HOSTILE]
    posts += [{**data, name: HOSTILE[index % len(HOSTILE)]} for index, name in enumerate(names)]
    failures = [[(name, post[name]) for name in names if post[name] != data.get(name)][:3] for post in posts
                if client.post(url, post).status_code >= 500]
    assert not failures, f"server errors: {failures}"
    revision.refresh_from_db()
    assert "\\u0000" not in json.dumps(revision.snapshot)  # no NUL byte was saved
