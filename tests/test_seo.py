"""Found and shared well: sitemap, robots.txt, titles and descriptions, Open Graph, schema.org JSON-LD."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from therapies.models import Risk, Therapy, page_kinds

from .factories import make_therapy

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    entries = {}
    for url in root.findall("s:url", NS):
        loc = url.find("s:loc", NS).text
        lastmod = url.find("s:lastmod", NS)
        entries[loc.replace("http://testserver", "")] = lastmod.text if lastmod is not None else None
    return entries


def test_sitemap_lists_every_live_page_and_the_static_pages(client):
    entries = sitemap_entries(client)
    for kind in page_kinds():  # the kinds with a page of their own (a source is shown on the pages citing it)
        for obj in kind.model.objects.live():
            assert obj.get_absolute_url() in entries
    for path in ["/", "/therapies/", "/trials/", "/risks/", "/about/"]:
        assert path in entries


def test_sitemap_lastmod_is_the_last_publish(client):
    when = timezone.make_aware(datetime.datetime(2026, 3, 4, 10, 0))
    Therapy.objects.filter(slug="ocrelizumab").update(last_published_at=when)
    assert sitemap_entries(client)["/therapies/ocrelizumab/"].startswith("2026-03-04")


def test_sitemap_never_lists_drafts_or_unpublished_pages(client):
    make_therapy(live=False, name="Draftumab", slug="draftumab")
    Risk.objects.filter(slug="pml").update(live=False)
    entries = sitemap_entries(client)
    assert "/therapies/draftumab/" not in entries
    assert "/risks/pml/" not in entries


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in text
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert match, name
    return match.group(1)


def test_therapy_page_title_description_and_open_graph_come_from_its_summary(client):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    html = client.get("/therapies/ocrelizumab/").content.decode()
    assert "<title>Ocrelizumab (Ocrevus, Ocrevus Zunovo) — msinfo</title>" in html
    summary_start = therapy.summary[:40]
    assert meta(html, "name", "description").startswith(summary_start)
    assert meta(html, "property", "og:title") == "Ocrelizumab"
    assert meta(html, "property", "og:description").startswith(summary_start)
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:url") == "http://testserver/therapies/ocrelizumab/"
    assert meta(html, "property", "og:site_name") == "msinfo"
    assert '<link rel="canonical" href="http://testserver/therapies/ocrelizumab/">' in html


@pytest.mark.parametrize(
    ("url", "og_title"),
    [("/", "Immunotherapies for multiple sclerosis"), ("/therapies/", "Therapies"), ("/trials/", "Clinical trials"),
     ("/risks/", "Risks and side effects"), ("/compare/", "Compare MS immunotherapies side by side")],
)
def test_other_pages_have_open_graph_tags(client, url, og_title):
    html = client.get(url).content.decode()
    assert meta(html, "property", "og:title") == og_title
    assert meta(html, "property", "og:type") == "website"
    assert meta(html, "property", "og:description")


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def by_type(data: dict) -> dict[str, dict]:
    return {item["@type"]: item for item in data["@graph"]}


def test_therapy_page_has_drug_and_medical_web_page_json_ld(client):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    items = by_type(json_ld(client.get("/therapies/ocrelizumab/").content.decode()))
    drug, page = items["Drug"], items["MedicalWebPage"]
    assert drug["name"] == "Ocrelizumab" and drug["alternateName"] == ["Ocrevus", "Ocrevus Zunovo"]
    assert drug["administrationRoute"] == ["Intravenous", "Subcutaneous"]  # every approved route
    assert drug["drugClass"]["name"] == "Anti-CD20 monoclonal antibody"
    assert page["about"] == {"@id": drug["@id"]}
    assert page["lastReviewed"] == therapy.last_reviewed_at.date().isoformat()
    assert page["reviewedBy"]["@type"] == "Organization"
    assert page["url"] == "http://testserver/therapies/ocrelizumab/"


def test_trial_page_has_medical_trial_json_ld(client):
    items = by_type(json_ld(client.get("/trials/opera-i/").content.decode()))
    trial = items["MedicalTrial"]
    assert trial["identifier"] == "NCT01247324"
    assert trial["phase"] == "Phase 3"
    assert trial["studySubject"]["name"] == "Ocrelizumab" and "drug" not in trial
    assert "lastReviewed" in items["MedicalWebPage"] and "reviewedBy" in items["MedicalWebPage"]


def test_risk_page_has_medical_web_page_json_ld(client):
    items = by_type(json_ld(client.get("/risks/pml/").content.decode()))
    assert set(items) == {"MedicalWebPage"}
    assert items["MedicalWebPage"]["about"]["name"] == "Progressive multifocal leukoencephalopathy (PML)"


def test_json_ld_cannot_be_broken_out_of_by_content(client):
    Risk.objects.filter(slug="pml").update(summary='Bad </script><script>alert(1)</script> & "quotes"')
    html = client.get("/risks/pml/").content.decode()
    assert "</script><script>alert(1)" not in html
    data = json_ld(html)
    assert by_type(data)["MedicalWebPage"]["description"] == 'Bad </script><script>alert(1)</script> & "quotes"'


def test_no_inline_executable_script_on_public_pages(client):
    for url in ["/", "/therapies/ocrelizumab/", "/trials/opera-i/", "/risks/pml/", "/search/?q=pml",
                "/compare/?t=ocrelizumab&t=fingolimod", "/corrections/risk/pml/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'type="application/ld+json"' in tag or "src=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=\"", html), url  # no inline event handlers
        assert ' style="' not in html, url  # a strict CSP forbids inline styles too
