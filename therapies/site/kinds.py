"""The site wing's parts of each content kind (models/kinds.py): its public page's template, what its page is
about in structured data, how a search hit of it is shown, and how the API serves it. One `SITE.register` per
kind; the kinds system check names any kind left out, or a part it lacks.

Imported once at start-up (therapies/apps.py); the code that reads the entries reads them through
`SITE.of(kind)` (site/kind_parts.py), so every edge here is an ordinary import that the contracts see.
"""

from django.urls import re_path

from ..models import EditorialText, Reference, Risk, Therapy, Trial
from . import structured_data, views
from .api import schemas
from .api import views as api
from .kind_parts import SITE, ApiParts, PageRoutes, SiteParts

RESULTS = "therapies/includes/results/"

SITE.register(Therapy, SiteParts(
    template="therapies/therapy_detail.html",
    about=structured_data.drug_about,
    result=RESULTS + "_therapy.html",
    routes=PageRoutes("therapies/", page=views.therapy_detail, listing=views.therapy_list),
    api=ApiParts("therapies", schemas.TherapyOut, listed=api.live_therapies, one=api.one_therapy,
                 summaries=("Live therapies", "One live therapy"), example="ocrelizumab",
                 item_schema=schemas.TherapySummary),
))

SITE.register(Trial, SiteParts(
    template="therapies/trial_detail.html",
    about=structured_data.trial_about,
    result=RESULTS + "_trial.html",
    routes=PageRoutes("trials/", page=views.trial_detail, listing=views.trial_list, more=(
        # /trials/NCT01247324/: a permanent alias of the trial's page, tried before the slugs.
        re_path(r"^trials/(?P<nct_id>NCT\d{8})/$", views.trial_by_nct_id, name="trial_by_nct_id"),
    )),
    api=ApiParts("trials", schemas.TrialOut, listed=api.live_trials, one=api.one_trial,
                 summaries=("Live trials", "One live trial"), example="opera-i", item_schema=schemas.TrialSummary),
))

SITE.register(Risk, SiteParts(
    template="therapies/risk_detail.html",
    about=structured_data.entity_about,
    result=RESULTS + "_risk.html",
    routes=PageRoutes("risks/", page=views.risk_detail, listing=views.risk_list),
    api=ApiParts("risks", schemas.RiskOut, listed=api.live_risks, one=api.one_risk,
                 summaries=("Live risks", "One live risk"), example="pml", item_schema=schemas.RiskSummary),
))

# No page of its own: pages show the live sources they cite; the API lists the sources live content cites.
SITE.register(Reference, SiteParts(api=ApiParts(
    "references", schemas.ReferenceOut, listed=api.cited_references, one=api.one_reference,
    summaries=("Sources cited by live content", "One source cited by live content"), example="epar-ocrelizumab",
    key="key",
)))

# Shown inside the home and About pages, never on its own.
SITE.register(EditorialText, SiteParts())
