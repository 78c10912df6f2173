"""Every email the site sends links with absolute addresses built from SITE_URL (issue 14: a path alone, such as
`/admin/…`, is something no mail program can open)."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import resolve
from django.utils import timezone

from therapies import workflow
from therapies.editorial import alerts, notifications
from therapies.editorial.alert_links import Choice
from therapies.editorial.review_cycle import send_review_reminders
from therapies.models import OutboundEmail, Reference, Therapy
from therapies.site import alerts as site_alerts
from therapies.workflow.roles import REVIEWERS

from .test_references import cite, edit_source
from .test_security import PRODUCTION_ENV, _manage
from .workflow_helpers import approved_change, draft_change, submitted_change

pytestmark = pytest.mark.django_db

SITE = "https://msinfo.example.org"
EMAIL_TEMPLATES = Path(settings.BASE_DIR, "templates", "therapies", "email")
HOUR = datetime.timedelta(hours=1)


def links_in(body: str) -> tuple[list[str], list[str]]:
    """(absolute links, path-only links) in an email body: any word that is an address or starts with a slash."""
    words = [word.strip("()<>.,;:“”\"'") for word in body.split()]
    return [w for w in words if "://" in w], [w for w in words if w.startswith("/")]


def send_every_email(editor, editor2, reviewer, reviewer2, django_user_model) -> None:
    """Drive the site through every action that emails someone, one of each."""
    ocrelizumab, fingolimod = Therapy.objects.get(slug="ocrelizumab"), Therapy.objects.get(slug="fingolimod")
    change_request = submitted_change(editor, ocrelizumab, dosing="Linked dosing.")  # submitted
    workflow.comment(change_request=change_request, user=reviewer, body="Which label?")  # commented
    workflow.approve(change_request=change_request, user=reviewer, approve_anyway=True)  # approved
    at = timezone.now() + HOUR
    workflow.schedule(change_request=change_request, user=reviewer, publish_at=at, approve_anyway=True)  # scheduled
    workflow.unschedule(change_request=change_request, user=reviewer)  # scheduled (cancelled)
    workflow.publish(change_request=change_request, user=reviewer, approve_anyway=True)  # published
    workflow.request_changes(change_request=submitted_change(editor, fingolimod, dosing="x"), user=reviewer,
                             comment_text="Cite the label.")  # changes_requested
    rejected = submitted_change(editor2, Therapy.objects.get(slug="natalizumab"), dosing="y")
    workflow.reject(change_request=rejected, user=reviewer, reason="Not needed.")  # rejected
    # back_to_draft: a source the approved change request cites is edited in another one.
    source = Reference.objects.get(key="epar-ofatumumab")
    citing = workflow.start_change_request(user=editor, title="Cite the EPAR")
    cite(citing, editor, Therapy.objects.get(slug="cladribine"), source.pk)
    workflow.submit(change_request=citing, user=editor, change_note="Added a source.")
    workflow.approve(change_request=citing, user=reviewer)
    other = workflow.start_change_request(user=editor2, title="Fix the EPAR title")
    edit_source(workflow.add_object(change_request=other, user=editor2, obj=source), editor2, title="Corrected")
    # schedule_failed: the reviewer who scheduled it is no longer one when its time comes.
    failing = approved_change(editor, reviewer, Therapy.objects.get(slug="ozanimod"), dosing="z")
    workflow.schedule(change_request=failing, user=reviewer2, publish_at=at)
    reviewer2.groups.remove(Group.objects.get(name=REVIEWERS))
    # unpublished_scheduled
    workflow.schedule_unpublish(obj=Therapy.objects.get(slug="siponimod"), user=reviewer, at=at, reason="Withdrawn.")
    workflow.publish_due(now=at)
    send_review_reminders(today=timezone.localdate() + datetime.timedelta(days=5000))  # review_reminder
    newcomer = django_user_model.objects.create_user(username="newcomer", email="newcomer@example.org")
    newcomer.groups.add(Group.objects.get(name=REVIEWERS))  # reviewer_added
    draft_change(editor2, Therapy.objects.get(slug="ponesimod"))  # drafts email nobody
    # alert_confirm, alert, alert_digest: readers subscribe and confirm; a change reaches them (issue 26).
    for address, frequency in (("now@example.org", "immediate"), ("weekly@example.org", "weekly")):
        choice = Choice(email=address, therapy_id=None, level="all", frequency=frequency)
        site_alerts.subscribe(choice=choice, client_key=address)
        site_alerts.confirm(choice)
    alerts.record_change(objects=[ocrelizumab], action="publish", significance="safety", note="A safety change.",
                         occurred_at=timezone.now())
    alerts.queue_events()
    alerts.queue_digests(now=timezone.now() + datetime.timedelta(days=8))


def test_every_email_the_site_sends_carries_only_absolute_links(
    editor, editor2, reviewer, reviewer2, django_user_model, settings, monkeypatch
):
    settings.SITE_URL = SITE
    rendered: list[str] = []
    render = notifications.render_to_string

    def recording(template, context):
        rendered.append(template)
        return render(template, context)

    for module in (notifications, alerts, site_alerts):
        monkeypatch.setattr(module, "render_to_string", recording)
    send_every_email(editor, editor2, reviewer, reviewer2, django_user_model)

    every_template = {f"therapies/email/{p.name}" for p in EMAIL_TEMPLATES.glob("*.txt") if not p.name.startswith("_")}
    assert set(rendered) == every_template  # each email the site can send was sent at least once
    emails = list(OutboundEmail.objects.all())
    linked = 0
    for email in emails:
        absolute, path_only = links_in(email.body)
        assert path_only == [], (email.subject, path_only)
        for link in absolute:
            assert link.startswith(f"{SITE}/"), (email.subject, link)
            resolve(urlsplit(link).path)  # it opens a page of this site
            linked += 1
    assert linked >= len(emails) - 1  # only the new-reviewer notice has nothing to link to


def test_the_footer_link_opens_the_change_request(editor, reviewer, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    change_request = submitted_change(editor, dosing="x")
    body = OutboundEmail.objects.get(change_request=change_request, to=reviewer.email).body
    assert f"http://127.0.0.1:8000/admin/therapies/changerequest/{change_request.pk}/change/" in body


def test_check_deploy_warns_when_site_url_is_not_set():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_URL"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "SITE_URL is not set" in result.stderr + result.stdout


@pytest.mark.parametrize("value", ["msinfo.example.org", "https://msinfo.example.org/admin", "ftp://x.org"])
def test_a_malformed_site_url_is_refused_with_an_example(value):
    result = _manage("check", env={**PRODUCTION_ENV, "SITE_URL": value})
    assert result.returncode != 0
    assert "SITE_URL must be the site's address with its scheme and no path" in result.stderr
