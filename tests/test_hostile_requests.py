"""Issue 15's corpus of hostile requests: each gets a clear answer (a 4xx or a message), never a 500, and
changes nothing. The races run only on PostgreSQL (they need concurrent connections with row locks)."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client
from django.urls import reverse

from therapies import workflow
from therapies.editorial import notifications
from therapies.models import (
    ChangeRequest,
    CorrectionSuggestion,
    OutboundEmail,
    ReviewComment,
    Therapy,
    limits,
)
from therapies.site import corrections

from .test_concurrency import postgres_only, run_together
from .workflow_helpers import draft_change, submitted_change

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db
GOOD = {"what_is_wrong": "The dose is out of date.", "source": "", "email": ""}


# --- Lengths the database enforces are enforced before it ------------------------------------------------


def test_a_5000_character_username_at_sign_in_is_a_form_error_and_nothing_is_recorded(client):
    response = client.post(reverse("admin:login"), {"username": "u" * 5000, "password": "whatever-it-is"})
    assert response.status_code == 200
    assert f"A username has at most {limits.USERNAME} characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_a_312_character_email_on_the_correction_form_is_a_form_error_and_nothing_is_stored(client):
    email = "a" * 300 + "@example.org"
    response = client.post("/corrections/therapy/ocrelizumab/", {**GOOD, "email": email})
    assert response.status_code == 400
    assert f"An email address has at most {limits.EMAIL} characters" in response.content.decode()
    assert not CorrectionSuggestion.objects.exists()


@pytest.mark.parametrize("bad_id", ["None", "abc", "1.5", "-1x", "%20"])
def test_a_malformed_id_in_any_admin_url_of_ours_is_a_404(client, superuser, bad_id):
    client.force_login(superuser)
    for model in admin.site._registry:
        if model._meta.app_label != "therapies":
            continue
        for view in ("change", "history", "delete"):
            url = f"/admin/therapies/{model._meta.model_name}/{bad_id}/{view}/"
            assert client.get(url).status_code == 404, url


def test_a_malformed_id_in_the_admins_own_pages_is_never_a_server_error(client, superuser):
    client.force_login(superuser)
    for url in ["/admin/auth/user/None/change/", "/admin/auth/group/abc/history/",
                "/admin/therapies/changerequest/99999999999999999999/change/"]:
        assert client.get(url).status_code in (302, 404), url


def test_choosing_a_change_request_that_is_not_one_is_a_message(client, editor):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    client.force_login(editor)
    url = reverse("admin:therapies_start_edit", args=["therapy", therapy.pk])
    for chosen in ("abc", "99999999999999999999", "-3"):
        response = client.post(url, {"change_request": chosen}, follow=True)
        assert response.status_code == 200
        assert "Choose one of your open change requests" in response.content.decode()
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("n" * (limits.CHANGE_NOTE + 1), f"the limit is {limits.CHANGE_NOTE:,}"),
    ("a note with a NUL \x00", "NUL character"),
])
def test_an_overlong_or_nul_change_note_is_refused_by_the_workflow(editor, text, message):
    change_request, _ = draft_change(editor)
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.submit(change_request=change_request, user=editor, change_note=text)
    assert message in refusal.value.message
    assert ChangeRequest.objects.get(pk=change_request.pk).change_note == ""


def test_an_overlong_comment_is_refused_with_its_length(editor):
    change_request, _ = draft_change(editor)
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.comment(change_request=change_request, user=editor, body="c" * (limits.COMMENT + 1))
    assert f"the limit is {limits.COMMENT:,}" in refusal.value.message
    assert not ReviewComment.objects.exists()


# --- Titles, mail and the feed ----------------------------------------------------------------------------


def test_a_title_with_a_line_break_is_refused_by_the_form(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:therapies_changerequest_add"),
                           {"title": "Update\r\nBcc: everyone@example.org", "significance": "minor"})
    assert response.status_code == 200
    assert "Keep the title on one line" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_title_is_one_line_however_it_is_saved_and_its_emails_are_sent(editor, reviewer,
                                                                        django_capture_on_commit_callbacks):
    change_request = workflow.start_change_request(user=editor, title="Update\ndosing\r\n  now")
    assert change_request.title == "Update dosing now"
    ChangeRequest.objects.filter(pk=change_request.pk).update(title="Written\nby hand")  # bypassing save()
    workflow.add_object(change_request=change_request, user=editor, obj=Therapy.objects.get(slug="ocrelizumab"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(change_request=ChangeRequest.objects.get(pk=change_request.pk), user=editor,
                        change_note="Clarified.")
    assert [m.subject for m in mail.outbox] == [f"Review requested: #{change_request.pk} Written by hand"]
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_an_email_queued_with_a_two_line_subject_is_still_sent():
    OutboundEmail.objects.create(to="reviewer@example.org", subject="Review requested: #1 Two\nlines", body="x")
    assert notifications.send_pending() == 1
    assert mail.outbox[-1].subject == "Review requested: #1 Two lines"


def test_feed_summaries_are_plain_text(client, editor, reviewer):
    change = submitted_change(editor, Therapy.objects.get(slug="ocrelizumab"), dosing="New.")
    ChangeRequest.objects.filter(pk=change.pk).update(change_note="<b>Bold</b> & <a href='x'>link</a>")
    change = workflow.approve(change_request=ChangeRequest.objects.get(pk=change.pk), user=reviewer)
    workflow.publish(change_request=change, user=reviewer)
    root = ElementTree.fromstring(client.get("/updates/feed/").content)
    summary = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "text"
    assert summary.text == "<b>Bold</b> & <a href='x'>link</a>"  # the note as written, to be shown as text


# --- Smaller items ---------------------------------------------------------------------------------------


def test_a_refused_next_address_falls_back_to_the_dashboard(client, editor):
    response = client.post(reverse("admin:login") + "?next=https://evil.example/",
                           {"username": "editor", "password": "pw-for-tests", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_comment_with_a_nul_is_refused_for_the_nul_not_as_empty(client, editor):
    change_request, _ = draft_change(editor)
    client.force_login(editor)
    url = reverse("admin:therapies_changerequest_action", args=[change_request.pk, "comment"])
    response = client.post(url, {"body": "Looks fine\x00"}, follow=True)
    html = response.content.decode()
    assert "NUL character" in html and "The comment is empty" not in html
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("action, extra", [("unpublish", {}), ("schedule_unpublish", {"when": "2099-01-01 09:00"})])
def test_a_nul_in_a_reason_is_refused_and_nothing_happens(client, reviewer, action, extra):
    therapy = Therapy.objects.get(slug="ocrelizumab")
    client.force_login(reviewer)
    url = reverse("admin:therapies_object_action", args=["therapy", therapy.pk, action])
    response = client.post(url, {"text": "Withdrawn by the maker\x00", **extra}, follow=True)
    assert "NUL character" in response.content.decode()
    therapy.refresh_from_db()
    assert therapy.live and therapy.unpublish_at is None and therapy.unpublish_reason == ""


# --- Races (PostgreSQL) -------------------------------------------------------------------------------------


class SlowBackend(LocmemBackend):
    """The test backend, slow enough that two senders overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@postgres_only
def test_two_senders_at_once_send_each_email_exactly_once(transactional_db, settings):
    settings.EMAIL_BACKEND = "tests.test_hostile_requests.SlowBackend"
    OutboundEmail.objects.bulk_create(
        [OutboundEmail(to=f"reviewer{n}@example.org", subject=f"Email {n}", body="x") for n in range(12)]
    )
    mail.outbox = []
    sent = run_together(notifications.send_pending, notifications.send_pending)
    assert sum(sent) == 12, sent
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Email {n}" for n in range(12))
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


@postgres_only
def test_parallel_correction_posts_from_one_address_store_exactly_the_limit(transactional_db):
    def post():
        return Client().post("/corrections/therapy/ocrelizumab/", GOOD, REMOTE_ADDR="198.51.100.7").status_code

    statuses = run_together(*[post] * 24)
    assert CorrectionSuggestion.objects.count() == corrections.RATE_LIMIT
    assert statuses.count(302) == corrections.RATE_LIMIT and statuses.count(429) == 24 - corrections.RATE_LIMIT


# --- gunicorn, as shipped ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scheme_seen_by_the_site(tmp_path, forwarded_allow_ips: str | None) -> int:
    """Start gunicorn with gunicorn.conf.py, send X-Forwarded-Proto: https from 127.0.0.1, return the status.

    With SECURE_SSL_REDIRECT on, a request the site takes for plain HTTP is redirected (301); one it
    takes for HTTPS is not. The redirect happens before any database access."""
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "SECRET_KEY": "gunicorn-test-key-" + "x" * 40,
           "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "1", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_WORKERS": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3", "LOG_LEVEL": "ERROR"}
    if forwarded_allow_ips is not None:
        env["FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "msinfo.wsgi:application"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/about/", headers={"X-Forwarded-Proto": "https"})
        for _ in range(100):
            try:
                return opener.open(request, timeout=5).status
            except urllib.error.HTTPError as answer:
                return answer.code
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")
    finally:
        server.terminate()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorn_as_shipped_does_not_let_a_client_claim_https(tmp_path):
    assert _scheme_seen_by_the_site(tmp_path, None) == 301  # X-Forwarded-Proto ignored: redirected to HTTPS


def test_gunicorn_trusts_the_header_only_from_a_configured_proxy(tmp_path):
    """The check above can fail: told to trust 127.0.0.1, gunicorn takes the request for HTTPS (no redirect)."""
    assert _scheme_seen_by_the_site(tmp_path, "127.0.0.1") != 301
