"""One definition of each thing the site decides: what is published, how risks are ordered, what a
significance is called, how long a page may go unreviewed.

The first tests scan the source tree: public state is read through therapies/models/querysets.py
(`.live()`, `live_q()`, `is_live`) and written only by the workflow's publishing code, so a view
that writes `filter(live=True)` fails here before it can drift from the one definition.
"""

import re
from pathlib import Path

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.template import engines
from django.test import RequestFactory

from therapies import workflow
from therapies.editorial.snapshots import editable_fields
from therapies.editorial.validation import describe_validation_error
from therapies.models import (
    ChangeRequest,
    Frequency,
    Risk,
    Significance,
    State,
    Therapy,
    TherapyRisk,
    Trial,
    live_q,
)

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("therapies", "templates")
# Reading or writing the field itself is allowed only where "published" is defined and where it is set, and in
# data migrations, which set the state of rows as it was decided when they ran (0010: existing sources are live).
ALLOWED = ("therapies/models/", "therapies/workflow/publishing.py", "therapies/workflow/scheduling.py",
           "therapies/migrations/")
# `.live()` (the queryset method) is the sanctioned way in; the field, a lookup on it or `live=True` are not.
LIVE_FIELD = re.compile(r"live=True|live__|\.live\b(?!\()")


def live_field_uses(root: Path) -> list[str]:
    """Every line under `root` (therapies/ and templates/) that names the live field outside ALLOWED."""
    found = []
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            if relative.startswith(ALLOWED):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if LIVE_FIELD.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_public_state_is_read_only_through_the_queryset_definition():
    offenders = live_field_uses(ROOT)
    assert not offenders, "Use .live(), live_q() or obj.is_live (therapies/models/querysets.py):\n" + "\n".join(
        offenders
    )


def test_the_guard_catches_a_view_that_filters_on_live_itself(tmp_path):
    """The scan above is only worth something if it finds the mistakes it is for."""
    (tmp_path / "therapies" / "site").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "therapies" / "site" / "views.py").write_text(
        "rows = Therapy.objects.filter(live=True)\nlinks = TherapyRisk.objects.filter(therapy__live=True)\n"
        "ok = Therapy.objects.live()\n"
    )
    (tmp_path / "templates" / "page.html").write_text("{% if trial.therapy.live %}link{% endif %}\n")
    found = live_field_uses(tmp_path)
    assert [line.split(":")[:2] for line in found] == [
        ["therapies/site/views.py", "1"],
        ["therapies/site/views.py", "2"],
        ["templates/page.html", "1"],
    ]


@pytest.mark.django_db
def test_is_live_agrees_with_live_q_for_every_content_object():
    Therapy.objects.filter(slug="natalizumab").update(live=False)
    for model in (Therapy, Trial, Risk):
        live_ids = set(model.objects.filter(live_q()).values_list("pk", flat=True))
        assert {obj.pk for obj in model.objects.all() if obj.is_live} == live_ids
    assert not Therapy.objects.get(slug="natalizumab").is_live


@pytest.mark.parametrize("model", [Therapy, Trial, Risk])
def test_snapshots_hold_no_publish_state(model):
    """editable=False on the publish state is what keeps it out of snapshots, forms and diffs: no list to update."""
    names = {f.name for f in editable_fields(model)}
    assert names and not names & {"id", "live", "first_published_at", "last_published_at", "last_reviewed_at",
                                  "last_reviewed_by", "next_review_due", "unpublish_at", "live_revision",
                                  "search_vector"}
    assert names == {f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key}


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Therapy, Trial, Risk])
def test_admin_shows_every_field_the_workflow_sets_read_only(model, admin_user):
    model_admin = admin_site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    shown = model_admin.get_readonly_fields(request)
    not_editable = {f.name for f in model._meta.concrete_fields if not f.editable}
    assert "live" in shown and set(shown) == not_editable - {"live_revision", "search_vector"}
    assert dict(model_admin.get_fieldsets(request))["Publishing and review"]["fields"] == shown


@pytest.mark.django_db
@pytest.mark.parametrize("value, expected", [("yes", True), ("no", False)])
def test_admin_published_filter_goes_through_the_live_queryset(admin_client, value, expected):
    Therapy.objects.filter(slug="natalizumab").update(live=False)
    response = admin_client.get(f"/admin/therapies/therapy/?published={value}")
    listed = list(response.context["cl"].queryset)
    assert listed and all(therapy.is_live is expected for therapy in listed)
    assert len(listed) == Therapy.objects.filter(live=expected).count()


# --- One layout, one filter form, one pagination ---------------------------------------------------------

TEMPLATES = ROOT / "templates" / "therapies"
SHARED_BY_CONTENT_PAGES = ("_references.html", "_review_dates.html", "_history.html", "correction_form",
                           "_disclaimer.html", "_overdue_notice.html", 'class="breadcrumbs')


@pytest.mark.parametrize("name", ["therapy_detail.html", "trial_detail.html", "risk_detail.html"])
def test_content_pages_extend_the_one_content_page_layout(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert source.startswith('{% extends "therapies/content_page.html" %}')
    assert not [part for part in SHARED_BY_CONTENT_PAGES if part in source]
    layout = (TEMPLATES / "content_page.html").read_text(encoding="utf-8")
    assert all(part in layout for part in SHARED_BY_CONTENT_PAGES)


def test_list_pages_share_one_filter_form_and_one_pagination():
    pages = {path.name: path.read_text(encoding="utf-8") for path in TEMPLATES.glob("*.html")}
    assert [name for name, source in pages.items() if '<nav class="pagination"' in source] == []
    assert [name for name, source in pages.items() if '<form class="filter-form" method="get"' in source] == []
    for name in ("therapy_list.html", "updates.html"):
        assert '{% include "therapies/includes/_filter_form.html"' in pages[name]
    for name in ("therapy_list.html", "trial_list.html", "risk_list.html", "updates.html", "search.html"):
        assert '{% include "therapies/includes/_pagination.html"' in pages[name]


# --- One frequency order -----------------------------------------------------------------------------------


def test_links_are_ordered_most_frequent_first_with_not_known_last_then_by_name():
    links = [
        TherapyRisk(frequency=Frequency.NOT_KNOWN, notes="a"),
        TherapyRisk(frequency=Frequency.RARE, notes="b"),
        TherapyRisk(frequency=Frequency.VERY_COMMON, notes="z"),
        TherapyRisk(frequency=Frequency.VERY_COMMON, notes="c"),
        TherapyRisk(frequency=Frequency.UNCOMMON, notes="d"),
    ]
    ordered = Frequency.most_frequent_first(links, then=lambda link: link.notes)
    assert [(link.frequency, link.notes) for link in ordered] == [
        ("very-common", "c"), ("very-common", "z"), ("uncommon", "d"), ("rare", "b"), ("not-known", "a"),
    ]


@pytest.mark.django_db
def test_therapy_risk_and_compare_pages_share_the_frequency_order(client):
    expected = Frequency.most_frequent_first(
        TherapyRisk.objects.live().filter(therapy__slug="ocrelizumab").select_related("risk"),
        then=lambda link: link.risk.name,
    )
    assert len({link.frequency for link in expected}) > 1  # the order is tested, not just one category
    therapy_page = client.get("/therapies/ocrelizumab/").context["therapy_risks"]
    compare_page = client.get("/compare/", {"t": ["ocrelizumab", "fingolimod"]}).context["comparison"]
    assert [link.pk for link in therapy_page] == [link.pk for link in expected]
    assert [link.pk for link in compare_page.therapies[0].live_risks] == [link.pk for link in expected]
    risk = expected[0].risk
    on_risk_page = client.get(risk.get_absolute_url()).context["therapy_risks"]
    assert [link.pk for link in on_risk_page] == [
        link.pk for link in Frequency.most_frequent_first(
            TherapyRisk.objects.live().filter(risk=risk).select_related("therapy"),
            then=lambda link: link.therapy.name,
        )
    ]


# --- One wording of significance -------------------------------------------------------------------------


def source_texts() -> dict[str, str]:
    """Every template and Python module of the site, by path."""
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for top in SCANNED
        for path in sorted((ROOT / top).rglob("*"))
        if path.suffix in (".py", ".html", ".txt") and path.is_file()
    }


def test_significance_headings_are_worded_once():
    assert [Significance.heading_of(value) for value in Significance.values] == [
        "Minor update", "Major update", "Safety update",
    ]
    assert Significance.heading_of("retired") == "Update"
    written_out = [
        path for path, source in source_texts().items()
        for value in Significance.values
        if f">{Significance.heading_of(value)}<" in source or f'"{Significance.heading_of(value)}"' in source
    ]
    assert written_out == []


@pytest.mark.parametrize("minor, expected", [
    (True, '<span class="badge badge-boxed">Safety update</span>|<span class="badge">Major update</span>|'
           '<span class="badge badge-minor">Minor update</span>'),
    (False, '<span class="badge badge-boxed">Safety update</span>|<span class="badge">Major update</span>|'),
])
def test_significance_badge_marks_minor_changes_only_where_asked(minor, expected):
    template = engines["django"].from_string(
        "{% load therapies_tags %}{% for s in values %}{% significance_badge s minor=minor %}"
        "{% if not forloop.last %}|{% endif %}{% endfor %}"
    )
    rendered = template.render({"values": ["safety", "major", "minor"], "minor": minor})
    assert re.sub(r"\{#.*?#\}", "", rendered) == expected


# --- One wording of a failed validation ------------------------------------------------------------------


def test_validation_errors_are_worded_by_one_function():
    readers_of_the_details = [
        path for path, source in source_texts().items() if "message_dict" in source or "error_dict" in source
    ]
    assert readers_of_the_details == ["therapies/editorial/validation.py"]
    by_field = ValidationError({"route": ["Not a route."], "slug": ["Too long.", "Lower case only."]})
    assert describe_validation_error(by_field) == "route: Not a route.; slug: Too long. Lower case only."
    assert describe_validation_error(ValidationError(["One.", "Two."])) == "One. Two."
    assert workflow.describe_validation_error is describe_validation_error  # the workflow re-exports it


@pytest.mark.django_db
def test_a_backup_user_row_that_fails_validation_names_the_field():
    from therapies.editorial import backup

    created, problems = backup._create_users([{"username": "not a valid name!", "email": "nobody"}])
    assert created == []
    assert problems and problems[0].startswith("users row 1 “not a valid name!”: ")
    assert "username: " in problems[0] and "email: " in problems[0]


# --- One review cap, one release permission --------------------------------------------------------------


def test_the_three_year_review_cap_is_written_once():
    written = [path for path, source in source_texts().items() if re.search(r"3 \* 365|\b1095\b", source)]
    settings_source = (ROOT / "msinfo" / "settings.py").read_text(encoding="utf-8")
    assert written == [] and settings_source.count("3 * 365") == 1


def test_review_cycle_applies_the_cap_from_settings(settings):
    from therapies.editorial import review_cycle

    settings.REVIEW_INTERVAL_DAYS = 5000
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {}
    settings.MAX_REVIEW_INTERVAL_DAYS = 400
    assert review_cycle.review_interval_days(Therapy) == 400


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
def test_publishing_and_scheduling_are_allowed_to_the_same_people_in_the_same_states(state, editor, reviewer):
    from therapies.workflow import permissions

    change_request = ChangeRequest(pk=7, state=state)
    for user in (editor, reviewer):
        may_publish = permissions.can_publish(change_request, user) is None
        assert may_publish == (permissions.can_schedule(change_request, user) is None)
        assert may_publish == (user == reviewer and state == State.APPROVED)
