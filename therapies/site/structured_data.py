"""schema.org JSON-LD for content pages: Drug, MedicalTrial and a MedicalWebPage with its review.

Rendered by the `{% structured_data page %}` tag (templatetags/seo_tags.py) as a
<script type="application/ld+json"> data block: not executable, so allowed by a strict CSP.
"""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from ..models import Therapy, Trial, kind_for

SITE_NAME = "msinfo"
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
        "mechanismOfAction": therapy.class_description,
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
        "drug": {
            "@type": "Drug", "name": trial.therapy.name, **({"url": therapy_url} if trial.therapy.is_live else {})
        },
    }


def _drug_about(therapy: Therapy, url: str, request: HttpRequest, page: dict) -> list[dict]:
    page["about"] = {"@id": f"{url}#drug"}
    page["specialty"] = "Neurologic"
    return [_drug(therapy, url)]


def _trial_about(trial: Trial, url: str, request: HttpRequest, page: dict) -> list[dict]:
    page["about"] = {"@id": f"{url}#trial"}
    return [_trial(trial, url, request)]


def _entity_about(obj, url: str, request: HttpRequest, page: dict) -> list[dict]:
    """Any other kind of page (a risk, ...) is about a medical entity of that name."""
    page["about"] = {"@type": "MedicalEntity", "name": str(obj)}
    return []


# What the page is about, by content kind (models/kinds.py); a kind not listed is a MedicalEntity.
ABOUT = {"therapy": _drug_about, "trial": _trial_about}


def graph_for(obj, request: HttpRequest) -> dict:
    url = request.build_absolute_uri(obj.get_absolute_url())
    page = {
        "@type": "MedicalWebPage",
        "@id": f"{url}#page",
        "url": url,
        "name": str(obj),
        "description": obj.summary,
        "inLanguage": "en-GB",
        "isPartOf": {"@type": "WebSite", "name": SITE_NAME, "url": request.build_absolute_uri("/")},
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
    about = ABOUT.get(kind_for(obj).name, _entity_about)
    return {"@context": "https://schema.org", "@graph": [page, *about(obj, url, request, page)]}


def json_ld_script(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308  <, >, & escaped
