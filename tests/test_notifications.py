"""Emails go through an outbox: a failing mail server never undoes or loses a workflow action."""

import pytest
from django.core import mail
from django.core.management import call_command

from therapies.editorial import notifications
from therapies.models import OutboundEmail, State

from .workflow_helpers import submitted_change

pytestmark = pytest.mark.django_db


def test_a_failing_mail_server_keeps_the_action_and_the_email(editor, reviewer, settings,
                                                               django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.failing_mail.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        change_request = submitted_change(editor, dosing="x")
    assert change_request.state == State.IN_REVIEW
    pending = OutboundEmail.objects.get()
    assert pending.to == "reviewer@example.org" and pending.sent_at is None
    assert "mail server is down" in pending.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_email", stdout=open("/dev/null", "w"))
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    assert OutboundEmail.objects.get().sent_at is not None
    call_command("send_pending_email", stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1  # sent once, never twice


def test_an_email_that_failed_the_most_times_is_not_tried_again(editor, reviewer, settings,
                                                                django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.failing_mail.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        submitted_change(editor, dosing="x")
    pending = OutboundEmail.objects.get()
    assert pending.attempts == 0  # the server was down before anything could be sent
    settings.EMAIL_BACKEND = "tests.failing_mail.RefusingBackend"  # up, but refuses each message
    for run in range(1, notifications.MAX_ATTEMPTS + 3):
        call_command("send_pending_email", stdout=open("/dev/null", "w"))
        assert OutboundEmail.objects.get().attempts == min(run, notifications.MAX_ATTEMPTS)
        OutboundEmail.objects.update(next_attempt_at=None)  # as if its backoff had run out before the next run
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_email", stdout=open("/dev/null", "w"))
    assert notifications.deliver([OutboundEmail.objects.get()]) == 0  # nor when handed to delivery directly
    assert mail.outbox == [] and OutboundEmail.objects.get().sent_at is None  # given up on: kept for a person


def test_the_retry_run_does_not_even_read_emails_it_has_given_up_on(editor, monkeypatch):
    """Given-up emails stay in the outbox for a person to see; each cron run must not load them all again."""
    OutboundEmail.objects.bulk_create([
        OutboundEmail(to="gave-up@example.org", subject="old", body="b", attempts=notifications.MAX_ATTEMPTS),
        OutboundEmail(to="retry@example.org", subject="new", body="b", attempts=1),
    ])
    handed_over = []
    # The retry run hands each claimed batch to _send_claimed: record what it is given.
    monkeypatch.setattr(notifications, "_send_claimed", lambda emails: handed_over.extend(emails) or 0)
    notifications.send_pending()
    assert [email.to for email in handed_over] == ["retry@example.org"]


def test_a_rolled_back_action_sends_nothing(editor, django_capture_on_commit_callbacks):
    from therapies import workflow

    with django_capture_on_commit_callbacks(execute=True):
        change_request = workflow.start_change_request(user=editor, title="Empty")
        with pytest.raises(workflow.WorkflowError):
            workflow.submit(change_request=change_request, user=editor, change_note="note")
    assert not OutboundEmail.objects.exists()
    assert mail.outbox == []
