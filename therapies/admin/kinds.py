"""The admin wing's parts of each content kind (models/kinds.py): its edit form's sections, in the public
page's order; the formsets that edit its child rows; and, for a kind with a page, the builder of a draft
preview's context. One `ADMIN.register` per kind; the kinds system check names any kind left out.

Imported once at start-up (therapies/apps.py); the code that reads the entries reads them through
`ADMIN.of(kind)` (admin/kind_parts.py), so every edge here is an ordinary import that the contracts see.
"""

from ..models import EditorialText, Reference, Risk, Therapy, Trial
from ..models.practical import MONITORING_FIELDS, PRACTICAL_FIELDS, PREGNANCY_FIELDS
from . import preview
from .form_sections import FormSection as Section
from .forms import TherapyRiskFormSet
from .kind_parts import ADMIN, AdminParts
from .outcome_forms import TrialOutcomeFormSet

ADMIN.register(Therapy, AdminParts(
    form_sections=(
        Section("Name and summary", ("name", "slug", "brand_names", "drug_class", "summary")),
        Section("About this treatment", ("body",), anchor="about-treatment"),
        Section("Route and dosing", ("routes", "formulations", "dosing", *PRACTICAL_FIELDS), anchor="route-and-dosing"),
        Section("Risks", children=("therapy_risks",), anchor="risks"),
        Section("Monitoring", ("monitoring", *MONITORING_FIELDS), anchor="monitoring"),
        Section(
            "Pregnancy and breastfeeding", ("pregnancy", *PREGNANCY_FIELDS, "pregnancy_references"), anchor="pregnancy"
        ),
        Section("Who should not take it", ("contraindications", "contraindications_references"),
                anchor="who-should-not"),
        Section("When to get urgent help", ("urgent_help", "urgent_help_references"), anchor="urgent-help"),
        Section("How it works", ("class_description", "molecular_target", "mechanism"), anchor="how-it-works"),
        Section("Who it is approved for", ("approved_indications", "indication_notes"), anchor="approved-for"),
        Section("Approvals", ("fda_approval_date", "fda_approval_precision", "fda_approval_note",
                              "eu_approval_date", "eu_approval_precision", "eu_approval_note"), anchor="approvals"),
        Section("References", ("references",), anchor="references"),
    ),
    formsets={"therapy_risks": TherapyRiskFormSet},
    preview=preview.therapy_context,
))

ADMIN.register(Trial, AdminParts(
    form_sections=(
        Section("Name and summary", ("name", "slug", "nct_id", "summary")),
        Section("The trial at a glance", ("therapy", "phase", "population", "population_courses", "comparator",
                                          "number_randomised", "duration", "primary_endpoint", "headline_result",
                                          "publication"), anchor="design"),
        Section("Results", children=("outcomes",), anchor="results"),
        Section("What this trial means", ("body",), anchor="what-it-means"),
        Section("References", ("references",), anchor="references"),
    ),
    formsets={"outcomes": TrialOutcomeFormSet},
    preview=preview.trial_context,
))

ADMIN.register(Risk, AdminParts(
    form_sections=(
        Section("Name and summary", ("name", "slug", "summary", "severity", "boxed_warning")),
        Section("About this risk", ("description",), anchor="about-risk"),
        Section("Monitoring and what reduces the risk", ("monitoring",), anchor="monitoring"),
        Section("References", ("references",), anchor="references"),
    ),
    preview=preview.risk_context,
))

# No page of its own: pages show the live sources they cite.
ADMIN.register(Reference, AdminParts(form_sections=(
    Section("The source", ("key", "kind", "title", "authors", "source", "year")),
    Section("Identifiers and address", ("pmid", "doi", "nct_id", "url")),
)))

# The home page's introduction and drug-class descriptions, the About page.
ADMIN.register(EditorialText, AdminParts(form_sections=(
    Section("Where and what readers see", ("place", "title", "summary", "body")),
)))
