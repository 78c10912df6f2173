"""The site wing's parts of each content kind (models/kinds.py): its public page's template, what its page is
about in structured data, how a search hit of it is shown, and how the API serves it. One `SITE.register` per
kind; the kinds system check names any kind left out, or a part it lacks.

Imported once at start-up (therapies/apps.py); the code that reads the entries reads them through
`SITE.of(kind)` (site/kind_parts.py), so every edge here is an ordinary import that the contracts see.
"""

from ..models import EditorialText, Reference, Risk, Therapy, Trial
from . import structured_data
from .api import schemas
from .kind_parts import SITE, ApiParts, SiteParts

RESULTS = "therapies/includes/results/"

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
