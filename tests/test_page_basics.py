"""Small things readers notice (issue 13): a favicon and a meta description on every public page, and the
"Boxed warning" footnote only where a listed risk has one."""

import re

import pytest
from django.contrib.staticfiles import finders

from therapies.models import Risk, TherapyRisk

from .public_pages import public_page_urls

pytestmark = pytest.mark.django_db

BOXED_NOTE = "“Boxed warning” means"


def test_every_public_page_has_a_meta_description_and_links_the_favicon(client):
    urls = public_page_urls(client)
    assert "/api/v1/docs/" in urls and "/no-such-page/" in urls  # the list reaches beyond base.html
    for url in urls:
        html = client.get(url).content.decode()
        description = re.search(r'<meta name="description" content="([^"]*)"', html)
        assert description and len(description.group(1).strip()) > 20, url
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
        assert icons, url
        for href in icons:
            assert finders.find(href.removeprefix("/static/")), (url, href)


def test_favicon_ico_leads_to_the_icon_for_pages_that_name_none(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert finders.find(response["Location"].removeprefix("/static/")).endswith("favicon.ico")


def _no_boxed_warning(*slugs: str) -> None:
    """These therapies' risks, none of them with a boxed warning (whatever the seed says today)."""
    TherapyRisk.objects.filter(therapy__slug__in=slugs).update(boxed_warning=False)
    assert TherapyRisk.objects.filter(therapy__slug__in=slugs).count() >= len(slugs)  # they list risks


def test_therapy_page_explains_boxed_warning_only_where_a_listed_risk_has_one(client):
    _no_boxed_warning("ocrelizumab")
    assert BOXED_NOTE not in client.get("/therapies/ocrelizumab/").content.decode()
    assert TherapyRisk.objects.filter(therapy__slug="natalizumab", boxed_warning=True).exists()  # PML
    assert BOXED_NOTE in client.get("/therapies/natalizumab/").content.decode()


def test_compare_explains_boxed_warning_only_where_a_compared_risk_has_one(client):
    _no_boxed_warning("ocrelizumab", "fingolimod")
    assert BOXED_NOTE not in client.get("/compare/", {"t": ["ocrelizumab", "fingolimod"]}).content.decode()
    assert BOXED_NOTE in client.get("/compare/", {"t": ["ocrelizumab", "natalizumab"]}).content.decode()


def test_risk_list_explains_boxed_warning_only_when_a_listed_risk_has_one(client):
    assert BOXED_NOTE in client.get("/risks/").content.decode()
    Risk.objects.update(boxed_warning=False)
    assert BOXED_NOTE not in client.get("/risks/").content.decode()
