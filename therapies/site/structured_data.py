"""schema.org JSON-LD: Drug, MedicalTrial and a MedicalWebPage with its review for content pages; the
WebSite on the home page, a CollectionPage with its ItemList on each list, a MedicalWebPage about the
therapies compared, and an AboutPage.

Only properties schema.org defines for each type are used (tests/test_structured_data.py holds the
allow-list, with the schema.org pages it comes from). Rendered by the tags in templatetags/seo_tags.py as
a <script type="application/ld+json"> data block: not executable, so allowed by a strict CSP.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from ..editorial.rendering import render_markdown
from ..models import Therapy, Trial
from .kind_parts import SITE

SITE_NAME = "msinfo"
LANGUAGE = "en-GB"
# The same escapes as django.utils.html.json_script: "</script>" or "<!--" in content can't end the block.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
ROUTES = {"iv": "Intravenous", "oral": "Oral", "sc": "Subcutaneous", "im": "Intramuscular"}


def _date(value) -> str | None:
    return value.date().isoformat() if value else None


def _reviewer(obj) -> dict:
    # The team, not the person: pages don't show reviewers' names, and structured data
    # should say no more than the page does.
    return {"@type": "Organization", "name": f"{SITE_NAME} medical reviewers"}


def _routes(therapy: Therapy) -> str | list[str]:
    """Every approved route: one as text, several as a list (schema.org allows either)."""
    names = [ROUTES.get(route.code, str(route)) for route in therapy.routes.all()]
    return names[0] if len(names) == 1 else names


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees, for a property whose value is text."""
    return " ".join(html.unescape(strip_tags(render_markdown(markdown or ""))).split())


def _website(request: HttpRequest) -> dict:
    root = request.build_absolute_uri("/")
    return {"@type": "WebSite", "@id": f"{root}#website", "name": SITE_NAME, "url": root, "inLanguage": LANGUAGE}


def _drug(therapy: Therapy, url: str) -> dict:
    return {
        "@type": "Drug",
        "@id": f"{url}#drug",
        "name": therapy.name,
        "nonProprietaryName": therapy.name,
        "alternateName": therapy.brand_list,
        "url": url,
        "description": therapy.summary,
        "drugClass": {"@type": "DrugClass", "name": therapy.get_drug_class_display()},
        "administrationRoute": _routes(therapy),
        # schema.org: "the specific biochemical interaction through which this drug … produces its
        # pharmacological effect" (Text): the page's mechanism section, not the drug's class.
        "mechanismOfAction": plain_text(therapy.mechanism),
        "relevantSpecialty": "Neurologic",
    }


def _trial(trial: Trial, url: str, request: HttpRequest) -> dict:
    therapy_url = request.build_absolute_uri(trial.therapy.get_absolute_url())
    return {
        "@type": "MedicalTrial",
        "@id": f"{url}#trial",
        "name": trial.name,
        "url": url,
        "identifier": trial.nct_id,
        "sameAs": trial.registry_url,
        "description": trial.summary,
        "phase": trial.get_phase_display(),
        "trialDesign": "RandomizedTrial",
        "healthCondition": {"@type": "MedicalCondition", "name": "Multiple sclerosis"},
        # A MedicalTrial has no `drug`: what it studied is its studySubject (MedicalStudy).
        "studySubject": {
            "@type": "Drug", "name": trial.therapy.name, **({"url": therapy_url} if trial.therapy.is_live else {})
        },
    }


def drug_about(therapy: Therapy, url: str, request: HttpRequest, page: dict) -> list[dict]:
    page["about"] = {"@id": f"{url}#drug"}
    page["specialty"] = "Neurologic"
    return [_drug(therapy, url)]


def trial_about(trial: Trial, url: str, request: HttpRequest, page: dict) -> list[dict]:
    page["about"] = {"@id": f"{url}#trial"}
    return [_trial(trial, url, request)]


def entity_about(obj, url: str, request: HttpRequest, page: dict) -> list[dict]:
    """A page about a medical entity of that name (a risk)."""
    page["about"] = {"@type": "MedicalEntity", "name": str(obj)}
    return []


def graph_for(obj, request: HttpRequest) -> dict:
    url = request.build_absolute_uri(obj.get_absolute_url())
    page = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#page",
        "url": url,
        "name": str(obj),
        "description": obj.summary,
        "inLanguage": LANGUAGE,
        "isPartOf": _website(request),
        "audience": {"@type": "PeopleAudience", "audienceType": "Patients, carers and clinicians"},
        "reviewedBy": _reviewer(obj),
    }
    for key, value in [
        ("lastReviewed", _date(obj.last_reviewed_at)),
        ("datePublished", _date(obj.first_published_at)),
        ("dateModified", _date(obj.last_published_at)),
    ]:
        if value:
            page[key] = value
    about = SITE.of(obj).about  # what each kind's page is about: site/kinds.py
    return {"@context": "https://schema.org", "@graph": [page, *about(obj, url, request, page)]}


def _web_page(page_type: str, request: HttpRequest, name: str, description: str) -> dict:
    url = request.build_absolute_uri(request.path)
    page = {"@type": page_type, "@id": f"{url}#page", "url": url, "name": name, "inLanguage": LANGUAGE}
    if description:
        page["description"] = description
    page["isPartOf"] = {"@id": _website(request)["@id"]}
    return page


def home_graph(request: HttpRequest, description: str) -> dict:
    """The home page: the site itself, and the page."""
    website = {**_website(request), "description": description}
    page = _web_page("WebPage", request, SITE_NAME, description)
    page["about"] = {"@id": website["@id"]}
    return {"@context": "https://schema.org", "@graph": [website, page]}


def collection_graph(request: HttpRequest, name: str, description: str, items: Iterable, start: int = 1) -> dict:
    """A list page: a CollectionPage whose main entity is the ItemList of the pages it links to, in its order."""
    elements = [
        {"@type": "ListItem", "position": position, "name": str(item),
         "url": request.build_absolute_uri(item.get_absolute_url())}
        for position, item in enumerate(items, start=start)
    ]
    page = _web_page("CollectionPage", request, name, description)
    page["mainEntity"] = {"@type": "ItemList", "name": name, "numberOfItems": len(elements),
                          "itemListElement": elements}
    return {"@context": "https://schema.org", "@graph": [page, _website(request)]}


def compare_graph(request: HttpRequest, name: str, description: str, therapies: Iterable[Therapy]) -> dict:
    """The compare page: a MedicalWebPage about the drugs compared."""
    page = _web_page("MedicalWebPage", request, name, description)
    drugs = [{"@type": "Drug", "name": t.name, "url": request.build_absolute_uri(t.get_absolute_url())}
             for t in therapies]
    if drugs:
        page["about"] = drugs
    return {"@context": "https://schema.org", "@graph": [page, _website(request)]}


def about_graph(request: HttpRequest, name: str, description: str) -> dict:
    """The About page and editorial policy."""
    page = _web_page("AboutPage", request, name, description)
    page["publisher"] = {"@type": "Organization", "name": SITE_NAME, "url": request.build_absolute_uri("/")}
    return {"@context": "https://schema.org", "@graph": [page, _website(request)]}


def json_ld_script(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308  <, >, & escaped
