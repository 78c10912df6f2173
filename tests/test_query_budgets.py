"""Query budgets at two data sizes: public pages with real history, and every admin change list.

A page whose query count grows with the data (a query per row) passes at the small size and
fails at the large one. Public pages over factory-made content are in test_public_pages.py
(PAGE_BUDGETS); these use generate_content, so pages also carry published history.
"""

import io

import pytest
from django.core.management import call_command

from therapies.models import AuditAction, AuditEvent, ChangeRequest, Therapy

from .test_public_pages import PAGE_BUDGETS

pytestmark = pytest.mark.django_db

SIZES = {"small": (2, 4, 3), "large": (12, 60, 20)}  # therapies, trials, risks

# Detail pages of synthetic content (with two published versions each), and the lists at scale.
SYNTHETIC_PAGE_BUDGETS = {
    **{url: budget for url, budget in PAGE_BUDGETS.items() if "budgetumab" not in url and "/pml/" not in url},
    # The page history (published changes and "still accurate" reviews) is one query; the therapy page also
    # reads routes, indications and the sources of its three required sections, one query each.
    "/therapies/synthetic-therapy-0001/": 11,  # +1: the trials' outcomes
    "/trials/synthetic-trial-00001/": 6,  # +1: the trial's outcomes; +1: its therapy's risk links (the fact box)
    "/risks/synthetic-risk-0001/": 4,
}

ADMIN_BUDGETS = {
    "therapy": 12,
    "trial": 13,
    "risk": 11,
    "therapyrisk": 11,
    "reference": 11,  # a content kind since issue 11: the publish-date hierarchy, like the others
    "changerequest": 10,
    "auditevent": 11,
}


@pytest.fixture(params=list(SIZES))
def scaled(request):
    therapies, trials, risks = SIZES[request.param]
    call_command("generate_content", therapies=therapies, trials=trials, risks=risks, force=True, verbosity=0,
                 stdout=io.StringIO())
    # Audit events come from real editorial actions only; add some so the log's list has rows.
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.PUBLISH, change_request=change_request, object_repr=change_request.title)
        for change_request in ChangeRequest.objects.all()[: trials]
    )
    return request.param


@pytest.mark.parametrize("url", SYNTHETIC_PAGE_BUDGETS)
def test_public_page_queries_do_not_grow_with_content(client, django_assert_max_num_queries, scaled, url):
    assert Therapy.objects.filter(slug__startswith="synthetic-").exists()
    with django_assert_max_num_queries(SYNTHETIC_PAGE_BUDGETS[url]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", ADMIN_BUDGETS)
def test_admin_change_list_queries_do_not_grow_with_content(
    client, django_assert_max_num_queries, editor_reviewer, scaled, model
):
    client.force_login(editor_reviewer)
    with django_assert_max_num_queries(ADMIN_BUDGETS[model]):
        response = client.get(f"/admin/therapies/{model}/")
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
