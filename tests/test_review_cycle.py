"""The review cycle (therapies/review_cycle.py): review intervals, review dates on pages, "Confirm still
accurate", the editorial dashboard on the admin index, and `manage.py send_review_reminders`."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from msinfo.settings import _review_interval_days
from therapies import workflow
from therapies.admin import dashboard
from therapies.editorial import review_cycle
from therapies.models import (
    AuditAction,
    AuditEvent,
    ChangeRequest,
    OutboundEmail,
    ReviewReminder,
    Risk,
    Therapy,
    Trial,
)
from therapies.workflow import WorkflowError

from .factories import make_therapy
from .workflow_helpers import approved_change, draft_change, submitted_change

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)


# --- Review intervals -------------------------------------------------------------------------------------------


def test_next_review_is_due_one_interval_after_the_review(settings):
    settings.REVIEW_INTERVAL_DAYS = 365
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {}
    assert review_cycle.next_review_due(Therapy, NOON) == datetime.date(2027, 3, 10)
    # Late in the evening is still the same day in the site's time zone.
    assert review_cycle.next_review_due(Trial, NOON.replace(hour=23, minute=59)) == datetime.date(2027, 3, 10)


def test_each_content_type_can_have_its_own_interval(settings):
    settings.REVIEW_INTERVAL_DAYS = 365
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {"trial": 730, "risk": 180}
    assert review_cycle.review_interval_days(Therapy) == 365
    assert review_cycle.next_review_due(Trial, NOON) == TODAY + datetime.timedelta(days=730)
    assert review_cycle.next_review_due(Risk, NOON) == TODAY + datetime.timedelta(days=180)


def test_the_interval_is_never_more_than_three_years(settings):
    settings.REVIEW_INTERVAL_DAYS = 5000
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {"trial": 4000}
    assert review_cycle.review_interval_days(Therapy) == 3 * 365
    assert review_cycle.review_interval_days(Trial) == 3 * 365


@pytest.mark.parametrize("raw, expected", [("", 365), ("90", 90), ("2000", 3 * 365), (" 30 ", 30)])
def test_interval_settings_are_read_from_the_environment_and_capped(monkeypatch, raw, expected):
    monkeypatch.setenv("REVIEW_INTERVAL_DAYS_TRIAL", raw)
    assert _review_interval_days("REVIEW_INTERVAL_DAYS_TRIAL", 365) == expected


@pytest.mark.parametrize("raw", ["0", "-5", "twelve months"])
def test_a_nonsense_interval_setting_stops_the_site_with_a_clear_message(monkeypatch, raw):
    monkeypatch.setenv("REVIEW_INTERVAL_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match="REVIEW_INTERVAL_DAYS must be"):
        _review_interval_days("REVIEW_INTERVAL_DAYS", 365)


def test_publishing_with_a_full_review_sets_the_next_review_from_the_content_types_interval(settings, editor, reviewer):
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {"trial": 200}
    trial = Trial.objects.get(slug="opera-i")
    change_request = approved_change(editor, reviewer, trial, headline_result="A new headline.")
    workflow.publish(change_request=change_request, user=reviewer, full_review=True)
    trial = Trial.objects.get(pk=trial.pk)
    assert trial.next_review_due == timezone.localdate() + datetime.timedelta(days=200)
    assert trial.last_reviewed_by == reviewer


# --- Confirm still accurate ---------------------------------------------------------------------------------------


def test_confirm_still_accurate_sets_the_review_dates_and_is_logged(settings, reviewer):
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {"risk": 100}
    risk = Risk.objects.get(slug="pml")
    description = risk.description
    workflow.confirm_reviewed(obj=risk, user=reviewer, note="Checked against the 2024 labels.")
    risk = Risk.objects.get(pk=risk.pk)
    assert risk.last_reviewed_by == reviewer
    assert timezone.now() - risk.last_reviewed_at < datetime.timedelta(minutes=1)
    assert risk.next_review_due == timezone.localdate() + datetime.timedelta(days=100)
    assert risk.description == description
    event = AuditEvent.objects.get(action=AuditAction.CONFIRM_REVIEWED, object_id=risk.pk)
    assert event.actor == reviewer and event.details == {"note": "Checked against the 2024 labels."}


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_only_reviewers_can_confirm_still_accurate(request, who):
    user = request.getfixturevalue(who)
    therapy = Therapy.objects.get(slug="fingolimod")
    with pytest.raises(WorkflowError, match="Only medical reviewers can confirm"):
        workflow.confirm_reviewed(obj=therapy, user=user, note="Looks fine.")
    assert Therapy.objects.get(pk=therapy.pk).last_reviewed_at == therapy.last_reviewed_at
    assert not AuditEvent.objects.filter(action=AuditAction.CONFIRM_REVIEWED).exists()


def test_confirm_needs_a_note_and_a_live_page(reviewer):
    therapy = Therapy.objects.get(slug="fingolimod")
    with pytest.raises(WorkflowError, match="Add a short note"):
        workflow.confirm_reviewed(obj=therapy, user=reviewer, note="  ")
    Therapy.objects.filter(pk=therapy.pk).update(live=False)
    with pytest.raises(WorkflowError, match="is not published"):
        workflow.confirm_reviewed(obj=therapy, user=reviewer, note="Checked.")
    assert not AuditEvent.objects.filter(action=AuditAction.CONFIRM_REVIEWED).exists()


def test_confirm_on_the_admin_content_page(client, reviewer, editor):
    therapy = Therapy.objects.get(slug="fingolimod")
    url = reverse("admin:therapies_object_action", args=["therapy", therapy.pk, "confirm"])
    client.force_login(editor)
    response = client.post(url, {"text": "Fine."}, follow=True)
    assert "Only medical reviewers can confirm" in response.content.decode()
    client.force_login(reviewer)
    response = client.post(url, {"text": "Checked the whole page."}, follow=True)
    assert "confirmed as still accurate" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CONFIRM_REVIEWED, actor=reviewer).count() == 1


# --- Review dates on public pages ------------------------------------------------------------------------------------


def test_page_shows_last_reviewed_and_next_review_due(client):
    Therapy.objects.filter(slug="fingolimod").update(
        last_reviewed_at=NOON, next_review_due=datetime.date(2099, 3, 10)
    )
    html = client.get("/therapies/fingolimod/").content.decode()
    assert "Last reviewed <time datetime=\"2026-03-10\">10 March 2026</time>" in html
    assert "Next review due <time datetime=\"2099-03-10\">10 March 2099</time>" in html
    assert "Review overdue" not in html


def test_a_page_past_its_review_date_says_so_to_readers(client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Therapy.objects.filter(slug="fingolimod").update(next_review_due=yesterday)
    html = client.get("/therapies/fingolimod/").content.decode()
    assert "Review overdue" in html and "may be out of date" in html


def test_a_review_due_today_is_not_yet_overdue(client):
    Risk.objects.filter(slug="pml").update(next_review_due=timezone.localdate())
    assert not Risk.objects.get(slug="pml").review_overdue
    assert "Review overdue" not in client.get("/risks/pml/").content.decode()


def test_confirming_an_overdue_page_removes_the_notice(client, reviewer):
    Therapy.objects.filter(slug="fingolimod").update(next_review_due=timezone.localdate() - datetime.timedelta(days=3))
    workflow.confirm_reviewed(obj=Therapy.objects.get(slug="fingolimod"), user=reviewer, note="Checked.")
    html = client.get("/therapies/fingolimod/").content.decode()
    assert "Review overdue" not in html
    assert "Reviewed by a medical reviewer: no changes needed" in html


# --- Due for review, and reminders -----------------------------------------------------------------------------------


def set_due(**dues: int) -> None:
    """Put every live page far in the future, then the named therapies `days` from today."""
    today = timezone.localdate()
    for model in (Therapy, Trial, Risk):
        model.objects.update(next_review_due=today + datetime.timedelta(days=400))
    for slug, days in dues.items():
        Therapy.objects.filter(slug=slug).update(next_review_due=today + datetime.timedelta(days=days))


def test_due_for_review_lists_overdue_then_soon_and_nothing_else():
    set_due(fingolimod=-10, ocrelizumab=5, natalizumab=31, cladribine=30)
    Therapy.objects.filter(slug="ozanimod").update(next_review_due=timezone.localdate(), live=False)
    items = review_cycle.due_for_review()
    assert [(i.name, i.overdue) for i in items] == [("Fingolimod", True), ("Ocrelizumab", False),
                                                    ("Cladribine", False)]
    assert items[0].admin_url == reverse("admin:therapies_therapy_change", args=[items[0].pk])


def test_reminders_email_each_reviewer_one_digest_once_a_day(reviewer, reviewer2, editor):
    set_due(fingolimod=-10, ocrelizumab=5)
    out = io.StringIO()
    call_command("send_review_reminders", stdout=out)
    emails = OutboundEmail.objects.filter(subject__startswith="Reviews due")
    assert sorted(e.to for e in emails) == sorted([reviewer.email, reviewer2.email])  # not the editor
    body = emails.get(to=reviewer.email).body
    assert "Overdue (1)" in body and "Fingolimod" in body and "Ocrelizumab" in body
    assert emails.first().subject == "Reviews due: 1 overdue, 1 due within 30 days"
    assert f"Sent a reminder to {reviewer.email}." in out.getvalue()
    assert ReviewReminder.objects.filter(sent_on=timezone.localdate()).count() == 2

    again = io.StringIO()
    call_command("send_review_reminders", stdout=again)
    assert OutboundEmail.objects.filter(subject__startswith="Reviews due").count() == 2
    assert "already had today's reminder" in again.getvalue()
    assert "Sent 0 reminder(s); 2 already sent today." in again.getvalue()


def test_reminders_go_out_again_the_next_day(reviewer):
    set_due(fingolimod=-1)
    today = timezone.localdate()
    review_cycle.send_review_reminders(today=today)
    run = review_cycle.send_review_reminders(today=today + datetime.timedelta(days=1))
    assert run.sent_to == [reviewer.email]
    assert OutboundEmail.objects.filter(to=reviewer.email).count() == 2


def test_no_reminders_when_nothing_is_due(reviewer):
    set_due()
    out = io.StringIO()
    call_command("send_review_reminders", stdout=out)
    assert "Nothing is due: no reminders sent." in out.getvalue()
    assert not OutboundEmail.objects.exists() and not ReviewReminder.objects.exists()


# --- The dashboard --------------------------------------------------------------------------------------------------


def sections(user) -> dict[str, dashboard.Section]:
    return {section.key: section for section in dashboard.sections_for(user)}


def labels(section: dashboard.Section) -> list[str]:
    return [row.label for row in section.rows]


def test_dashboard_lists_what_each_person_can_act_on(editor, editor2, reviewer, reviewer2):
    mine, _ = draft_change(editor, Therapy.objects.get(slug="ocrelizumab"), title="My draft")
    theirs, _ = draft_change(editor2, Therapy.objects.get(slug="fingolimod"), title="Their draft")
    sent_back = submitted_change(editor, Therapy.objects.get(slug="natalizumab"), dosing="x")
    workflow.request_changes(change_request=sent_back, user=reviewer, comment_text="Cite it.")
    in_review = submitted_change(editor2, Therapy.objects.get(slug="cladribine"), dosing="y")
    own_review = submitted_change(reviewer2, Therapy.objects.get(slug="ozanimod"), dosing="z")
    approved = approved_change(editor, reviewer, Therapy.objects.get(slug="siponimod"), dosing="w")
    workflow.schedule(change_request=approved, user=reviewer, publish_at=timezone.now() + datetime.timedelta(days=1))

    for_editor = sections(editor)
    assert labels(for_editor["drafts"]) == [str(mine)]
    assert labels(for_editor["changes_requested"]) == [str(sent_back)]
    assert "awaiting" not in for_editor and "overdue" not in for_editor  # editors can't review
    assert labels(for_editor["approved"]) == [str(approved)]
    assert "goes live at" in for_editor["approved"].rows[0].detail

    assert labels(sections(editor2)["drafts"]) == [str(theirs)]
    assert sections(editor2)["approved"].count == 0  # not theirs

    for_reviewer2 = sections(reviewer2)
    assert set(labels(for_reviewer2["awaiting"])) == {str(in_review)}  # not the one they wrote
    assert for_reviewer2["awaiting"].count == 1
    assert labels(for_reviewer2["approved"]) == [str(approved)]  # any reviewer may publish it
    assert set(labels(sections(reviewer)["awaiting"])) == {str(in_review), str(own_review)}


def test_dashboard_lists_reviews_overdue_and_due_soon_for_reviewers(reviewer):
    set_due(fingolimod=-10, ocrelizumab=5)
    for_reviewer = sections(reviewer)
    assert labels(for_reviewer["overdue"]) == ["Fingolimod (therapy)"]
    assert for_reviewer["overdue"].rows[0].flag == "overdue"
    assert labels(for_reviewer["due_soon"]) == ["Ocrelizumab (therapy)"]


def test_dashboard_lists_recently_published_changes(editor, reviewer):
    change_request = approved_change(editor, reviewer, Therapy.objects.get(slug="ocrelizumab"), dosing="New.")
    workflow.publish(change_request=change_request, user=reviewer)
    assert labels(sections(editor)["published"]) == [str(change_request)]


def test_people_without_an_editorial_role_get_no_dashboard(superuser):
    assert dashboard.sections_for(superuser) == []


def test_admin_index_opens_on_the_dashboard_with_counts_and_links(client, editor):
    change_request, _ = draft_change(editor, Therapy.objects.get(slug="ocrelizumab"), title="Dosing update")
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Your editorial work" in html and "My drafts" in html
    assert reverse("admin:therapies_changerequest_change", args=[change_request.pk]) in html
    assert 'aria-label="1 item"' in html
    assert "Awaiting my review" not in html


def test_admin_index_for_a_site_administrator_has_no_dashboard(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "Your editorial work" not in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_the_work(client, editor, editor2, reviewer):
    Group.objects.get(name="Editors").user_set.add(reviewer)  # sees every section

    def count_queries() -> int:
        client.force_login(reviewer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    set_due(fingolimod=-3)
    small = count_queries()
    slugs = ["ocrelizumab", "natalizumab", "cladribine", "ozanimod", "siponimod", "ponesimod"]
    for index, slug in enumerate(slugs):
        therapy = Therapy.objects.get(slug=slug)
        if index % 3 == 0:
            draft_change(reviewer, therapy, title=f"Mine {slug}")
        elif index % 3 == 1:
            submitted_change(editor, therapy, dosing=slug)
        else:
            approved_change(editor2, reviewer, therapy, dosing=slug)
    for number in range(12):
        make_therapy(next_review_due=timezone.localdate() - datetime.timedelta(days=number + 1))
    assert ChangeRequest.objects.count() == 6
    assert count_queries() == small
    assert all(s.count for key, s in sections(reviewer).items() if key in ("drafts", "awaiting", "approved", "overdue"))
