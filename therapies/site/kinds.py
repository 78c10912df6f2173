"""The site wing's parts of each content kind (models/kinds.py): its public page's template, what its page is
about in structured data, how a search hit of it is shown, and how the API serves it. One `SITE.register` per
kind; the kinds system check names any kind left out, or a part it lacks.

Imported once at start-up (therapies/apps.py); the code that reads the entries reads them through
`SITE.of(kind)` (site/kind_parts.py), so every edge here is an ordinary import that the contracts see.
"""

from ..models import EditorialText, Reference, Risk, Therapy, Trial
from ..models.kinds import ContentKind
from . import structured_data
from .api import schemas
from .api.views import router
from .kind_parts import SITE, ApiParts, SiteParts

RESULTS = "therapies/includes/results/"



def api_problems(kind: ContentKind, parts: SiteParts) -> list[str]:
    """The API operations a kind's `api` names exist (site/api/views.py), the one object's answering with its schema."""
    if parts.api is None:
        return []
    api = parts.api
    answers = {
        operation.url_name: operation.response_models.get(200)
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }
    problems = [] if api.collection in answers else [f"the API has no list “{api.collection}” (site/api/views.py)"]
    if kind.name not in answers:
        problems.append(f"the API has no operation “{kind.name}” serving one (site/api/views.py)")
    elif answers[kind.name].model_fields["response"].annotation is not api.schema:
        problems.append(f"the API's operation “{kind.name}” does not answer with {api.schema.__name__}")
    return problems


SITE.add_check(api_problems)

SITE.register(Therapy, SiteParts(
    template="therapies/therapy_detail.html",
    about=structured_data.drug_about,
    result=RESULTS + "_therapy.html",
    api=ApiParts("therapies", schemas.TherapyOut),
))

SITE.register(Trial, SiteParts(
    template="therapies/trial_detail.html",
    about=structured_data.trial_about,
    result=RESULTS + "_trial.html",
    api=ApiParts("trials", schemas.TrialOut),
))

SITE.register(Risk, SiteParts(
    template="therapies/risk_detail.html",
    about=structured_data.entity_about,
    result=RESULTS + "_risk.html",
    api=ApiParts("risks", schemas.RiskOut),
))

# No page of its own: pages show the live sources they cite; the API lists the sources live content cites.
SITE.register(Reference, SiteParts(api=ApiParts("references", schemas.ReferenceOut)))

# Shown inside the home and About pages, never on its own.
SITE.register(EditorialText, SiteParts())
