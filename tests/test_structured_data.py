"""schema.org JSON-LD on every public page uses only the properties schema.org defines for each type.

The allow-list below is written from schema.org's own type pages (https://schema.org/<Type>, "Properties
from …" tables, read for issue 13). Each type lists the properties this site may use on it, every one of
which schema.org gives that type or one of its parents; a type or property not listed fails, so a new one is
checked against schema.org before it is added here.
"""

import json
import re

import pytest

from therapies.models import Therapy
from therapies.site.structured_data import plain_text

from .public_pages import public_page_urls

pytestmark = pytest.mark.django_db

# https://schema.org/Thing
THING = {"name", "url", "description", "identifier", "sameAs", "alternateName"}
# https://schema.org/CreativeWork (audience, about, inLanguage, isPartOf, datePublished, dateModified, publisher)
CREATIVE_WORK = THING | {"about", "audience", "inLanguage", "isPartOf", "datePublished", "dateModified", "publisher"}
# https://schema.org/WebPage adds lastReviewed, reviewedBy, specialty, mainEntity (mainEntity is Thing's, too)
WEB_PAGE = CREATIVE_WORK | {"lastReviewed", "reviewedBy", "specialty", "mainEntity"}
# https://schema.org/MedicalEntity: relevantSpecialty, ...
MEDICAL_ENTITY = THING | {"relevantSpecialty"}
ALLOWED = {
    "WebPage": WEB_PAGE,
    "MedicalWebPage": WEB_PAGE,  # https://schema.org/MedicalWebPage (a WebPage)
    "CollectionPage": WEB_PAGE,  # https://schema.org/CollectionPage (a WebPage)
    "AboutPage": WEB_PAGE,  # https://schema.org/AboutPage (a WebPage)
    "WebSite": CREATIVE_WORK,  # https://schema.org/WebSite (a CreativeWork)
    # https://schema.org/ItemList: itemListElement, numberOfItems; https://schema.org/ListItem: position, item
    "ItemList": THING | {"itemListElement", "numberOfItems"},
    "ListItem": THING | {"position", "item"},
    # https://schema.org/Drug: nonProprietaryName, drugClass, administrationRoute, mechanismOfAction (Text)
    "Drug": MEDICAL_ENTITY | {"nonProprietaryName", "drugClass", "administrationRoute", "mechanismOfAction"},
    "DrugClass": MEDICAL_ENTITY,  # https://schema.org/DrugClass
    # https://schema.org/MedicalTrial: phase, trialDesign; from https://schema.org/MedicalStudy: healthCondition,
    # studySubject (the drug studied; a MedicalTrial has no `drug`)
    "MedicalTrial": MEDICAL_ENTITY | {"phase", "trialDesign", "healthCondition", "studySubject"},
    "MedicalCondition": MEDICAL_ENTITY,  # https://schema.org/MedicalCondition
    "MedicalEntity": MEDICAL_ENTITY,
    "Organization": THING,  # https://schema.org/Organization
    "PeopleAudience": THING | {"audienceType"},  # https://schema.org/PeopleAudience (an Audience)
}
KEYWORDS = {"@context", "@type", "@id", "@graph"}


def json_ld_blocks(html: str) -> list:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def _objects(value):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def unknown_properties(data) -> list[str]:
    problems = []
    for obj in _objects(data):
        kind = obj.get("@type")
        if kind is None:
            assert set(obj) <= KEYWORDS, f"an object without @type holds {sorted(set(obj) - KEYWORDS)}"
            continue
        if kind not in ALLOWED:
            problems.append(f"type {kind} is not on the allow-list")
            continue
        problems += [f"{kind}.{name}" for name in sorted(set(obj) - KEYWORDS - ALLOWED[kind])]
    return problems


def test_every_json_ld_property_is_one_schema_org_allows_on_its_type(client):
    pages = {url: client.get(url).content.decode() for url in public_page_urls(client, every_content_page=True)}
    assert sum(1 for html in pages.values() if json_ld_blocks(html)) > 40  # every content page and list has some
    found = {url: unknown_properties(block) for url, html in pages.items() for block in json_ld_blocks(html)}
    assert not {url: problems for url, problems in found.items() if problems}


@pytest.mark.parametrize(
    ("path", "page_type"),
    [("/", "WebPage"), ("/therapies/", "CollectionPage"), ("/trials/", "CollectionPage"), ("/risks/", "CollectionPage"),
     ("/compare/?t=ocrelizumab&t=natalizumab", "MedicalWebPage"), ("/about/", "AboutPage")],
)
def test_home_lists_compare_and_about_pages_have_json_ld(client, path, page_type):
    (data,) = json_ld_blocks(client.get(path).content.decode())
    types = {item["@type"] for item in data["@graph"]}
    assert page_type in types and "WebSite" in types


def test_a_list_names_every_page_it_shows_in_order(client):
    (data,) = json_ld_blocks(client.get("/therapies/").content.decode())
    page = next(item for item in data["@graph"] if item["@type"] == "CollectionPage")
    elements = page["mainEntity"]["itemListElement"]
    assert [e["position"] for e in elements] == list(range(1, len(elements) + 1))
    assert [e["url"] for e in elements] == [f"http://testserver{t.get_absolute_url()}" for t in Therapy.objects.live()]


def test_compare_is_about_the_drugs_compared(client):
    (data,) = json_ld_blocks(client.get("/compare/?t=ocrelizumab&t=natalizumab").content.decode())
    page = next(item for item in data["@graph"] if item["@type"] == "MedicalWebPage")
    assert [drug["name"] for drug in page["about"]] == ["Ocrelizumab", "Natalizumab"]


def test_mechanism_of_action_is_the_mechanism_text_not_the_class(client):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    (data,) = json_ld_blocks(client.get("/therapies/ocrelizumab/").content.decode())
    drug = next(item for item in data["@graph"] if item["@type"] == "Drug")
    assert drug["mechanismOfAction"] == plain_text(therapy.mechanism)
    assert "CD20" in drug["mechanismOfAction"] and "**" not in drug["mechanismOfAction"]
    assert drug["mechanismOfAction"] != therapy.class_description


def test_the_allow_list_catches_a_property_schema_org_does_not_give_the_type():
    assert unknown_properties({"@type": "MedicalTrial", "name": "X", "drug": {"@type": "Drug", "name": "Y"}}) == [
        "MedicalTrial.drug"
    ]
