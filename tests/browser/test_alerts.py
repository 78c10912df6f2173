"""Issue 26's "Done when", in Chromium: a reader follows ocrelizumab's safety changes, confirms from the email,
a reviewer publishes a safety change, the reader gets one message (change note, page link, one-click
unsubscribe headers); after unsubscribing nothing more is sent and the address is gone."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from therapies import workflow
from therapies.models import AlertSubscriber, Therapy

from ..mail_server import MailServer
from ..workflow_helpers import submitted_change
from .test_editorial_flow import log_in, make_user

READER = "reader@example.org"
NOTE = "Added the risk of hepatitis B reactivation found in post-marketing reports."


@pytest.fixture
def mail_server(tmp_path, settings, live_server):
    server = MailServer(tmp_path).start()
    server.use(settings)
    settings.SITE_URL = live_server.url  # the links in the emails open this test's server
    yield server
    server.stop()


def approved_safety_change(editor, reviewer, note: str, dosing: str):
    change_request = submitted_change(editor, Therapy.objects.get(slug="ocrelizumab"), dosing=dosing)
    change_request.change_note = note
    change_request.save(update_fields=["change_note"])
    return workflow.approve(change_request=change_request, user=reviewer, significance="safety")


def test_reader_follows_ocrelizumab_safety_changes_and_leaves_in_one_click(page, django_user_model, mail_server):
    editor = make_user(django_user_model, "ed", "Editors")
    reviewer = make_user(django_user_model, "rev", "Medical reviewers")

    # Subscribe from the therapy page.
    page.goto("/therapies/ocrelizumab/")
    form = page.locator("#email-alerts")
    form.get_by_label("Your email address").fill(READER)
    form.get_by_label("Ocrelizumab only").check()
    form.get_by_label("Safety changes only").check()
    form.get_by_label("As soon as it is published").check()
    form.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    # Confirm from the email.
    [confirmation] = [m for m in mail_server.messages() if m["To"] == READER]
    confirm_link = re.search(r"http://\S+/alerts/confirm/\S+/", confirmation.get_content()).group(0)
    page.goto(confirm_link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your alerts are on")).to_be_visible()

    # A reviewer publishes a safety change; the confirm page says who will be emailed.
    change_request = approved_safety_change(editor, reviewer, NOTE, "Browser-test dosing, first.")
    log_in(page, "rev")
    page.goto(f"/admin/therapies/changerequest/{change_request.pk}/change/")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".confirm-alerts")).to_contain_text("1 person will be emailed now")
    page.get_by_role("button", name="Yes, publish now").click()
    expect(page.get_by_text("was published")).to_be_visible()
    call_command("send_alerts", "--quiet")

    alerts = [m for m in mail_server.messages() if m["To"] == READER and m["Subject"].startswith("Safety")]
    assert len(alerts) == 1
    alert = alerts[0]
    body = alert.get_content()
    assert NOTE in body
    history_link = re.search(r"http://\S+/therapies/ocrelizumab/#history", body).group(0)
    page.context.clear_cookies()
    page.goto(history_link)
    expect(page.locator("#history")).to_contain_text(NOTE)
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = alert["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")

    # The mail program's one-click unsubscribe (RFC 8058): a bare POST, no cookie, no token.
    response = page.request.post(unsubscribe, form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200 and urlsplit(unsubscribe).path.startswith("/alerts/unsubscribe/")
    assert not AlertSubscriber.objects.filter(email=READER).exists()

    # Another safety change: nothing more is sent.
    second = approved_safety_change(editor, reviewer, "A second safety change.", "Browser-test dosing, second.")
    workflow.publish(change_request=second, user=reviewer)
    call_command("send_alerts", "--quiet")
    assert len([m for m in mail_server.messages() if m["To"] == READER]) == 2  # the confirmation and one alert
