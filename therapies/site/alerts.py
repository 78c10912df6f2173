"""Safety alerts, the reader's side (issue 26): subscribe, confirm, manage, leave. No account: signed links.

* Subscribing answers the same whatever the address ("check your inbox"), known or not, and sends the same
  confirmation email either way, so the form tells nobody who is subscribed. Nothing changes for an address
  until its owner follows the link (double opt-in): a new address waits unconfirmed, and is deleted after
  UNCONFIRMED_DAYS (editorial/alerts.py) if nobody does.
* Rate limits: RATE_PER_ADDRESS requests per address and RATE_PER_CLIENT per client an hour, counted in the
  database by keyed hashes (AlertSignup, kept an hour), under a lock per key so parallel posts cannot
  slip past the count (site/corrections.py learnt that the hard way).
* The form sits on cached pages, so it carries no CSRF token: the post is checked to be same-origin (or to
  carry a valid token), like the correction form.
* The confirmation email is queued in the outbox in the request's transaction and sent once it commits
  (signals.emails_queued: the site never imports the mail sender).
"""

from __future__ import annotations

import datetime
import hashlib

from django import forms
from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..editorial import alert_links, signals
from ..editorial.alert_links import Choice, LinkExpired
from ..models import (
    AlertFrequency,
    AlertLevel,
    AlertSignup,
    AlertSubscriber,
    AlertSubscription,
    OutboundEmail,
    Therapy,
    limits,
)

RATE_PER_ADDRESS = getattr(settings, "ALERT_RATE_PER_ADDRESS", 3)  # subscribe requests per address …
RATE_PER_CLIENT = getattr(settings, "ALERT_RATE_PER_CLIENT", 10)  # … and per client …
RATE_WINDOW = datetime.timedelta(hours=1)  # … an hour
LOCK_CLASS = 2626  # pg_advisory_xact_lock's first key: this lock's namespace
HONEYPOT_FIELD = "website"
CONFIRM_SUBJECT = "Confirm your msinfo alerts"


class RateLimited(Exception):
    """Too many requests for this address or from this client in the last hour: nothing was done."""


class AlertForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=limits.EMAIL,
        error_messages={
            "required": "Enter your email address, so we can send you the alerts.",
            "invalid": "Enter an email address like name@example.org.",
            "max_length": f"An email address has at most {limits.EMAIL} characters. Check it.",
        },
    )
    therapy = forms.CharField(required=False, max_length=100, error_messages={
        "max_length": "We have no page for that therapy. Choose one from the list, or every therapy."})
    level = forms.ChoiceField(
        choices=AlertLevel.choices, initial=AlertLevel.SAFETY, widget=forms.RadioSelect,
        error_messages={"required": "Choose safety changes only or every change.",
                        "invalid_choice": "Choose safety changes only or every change."},
    )
    frequency = forms.ChoiceField(
        choices=AlertFrequency.choices, initial=AlertFrequency.IMMEDIATE, widget=forms.RadioSelect,
        error_messages={"required": "Choose as soon as it is published or a weekly digest.",
                        "invalid_choice": "Choose as soon as it is published or a weekly digest."},
    )
    website = forms.CharField(required=False, max_length=200)  # the honeypot: humans never see it

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_therapy(self) -> Therapy | None:
        slug = self.cleaned_data["therapy"].strip()
        if not slug:
            return None
        therapy = Therapy.objects.live().filter(slug=slug).only("pk", "name", "slug").first()
        if therapy is None:
            raise forms.ValidationError("We have no page for that therapy. Choose one from the list, or every therapy.")
        return therapy

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def choice(self) -> Choice:
        therapy = self.cleaned_data["therapy"]
        return Choice(email=self.cleaned_data["email"], therapy_id=therapy.pk if therapy else None,
                      level=self.cleaned_data["level"], frequency=self.cleaned_data["frequency"])


def keyed_hash(purpose: str, value: str) -> str:
    """Enough to count requests, useless to identify anyone."""
    return salted_hmac(f"therapies.alerts.{purpose}", value, algorithm="sha256").hexdigest()


def _lock(key: str) -> None:
    """Hold this key's lock until the transaction ends (SQLite runs one writing transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Any key (a keyed hash, or a caller's own string) maps to a 28-bit lock number.
            number = int(hashlib.sha256(key.encode()).hexdigest()[:7], 16)
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, number])


def _check_rate(address_key: str, client_key: str) -> None:
    recent = AlertSignup.objects.filter(created_at__gte=timezone.now() - RATE_WINDOW)
    if recent.filter(address_key=address_key).count() >= RATE_PER_ADDRESS:
        raise RateLimited
    if recent.filter(client_key=client_key).count() >= RATE_PER_CLIENT:
        raise RateLimited


def subscribe(*, choice: Choice, client_key: str) -> OutboundEmail:
    """Record the request (rate limit) and queue the confirmation email; raise RateLimited and do nothing at
    the limit. A new address is stored unconfirmed; a known one is left exactly as it is until confirmed."""
    address_key = keyed_hash("address", choice.email)
    with transaction.atomic():
        for key in sorted({address_key, client_key}):  # always in the same order: two posts never deadlock
            _lock(key)
        _check_rate(address_key, client_key)
        AlertSignup.objects.create(address_key=address_key, client_key=client_key)
        AlertSignup.objects.filter(created_at__lt=timezone.now() - RATE_WINDOW).delete()  # kept an hour, no more
        subscriber, _ = AlertSubscriber.objects.get_or_create(email=choice.email)
        therapy = Therapy.objects.filter(pk=choice.therapy_id).first() if choice.therapy_id else None
        body = render_to_string("therapies/email/alert_confirm.txt", {
            "choice": choice, "therapy": therapy, "level": AlertLevel(choice.level).label,
            "frequency": AlertFrequency(choice.frequency).label, "confirm_url": alert_links.confirm_url(choice),
            "days": alert_links.CONFIRM_DAYS, "about_url": alert_links.absolute("/about/"),
        })
        email = OutboundEmail.objects.create(to=choice.email, subject=CONFIRM_SUBJECT, body=body,
                                             alert_subscriber=subscriber)
        transaction.on_commit(lambda: signals.emails_queued.send(sender=None, emails=[email]))
    return email


def confirm(choice: Choice) -> AlertSubscriber:
    """Follow a confirmation link: the choice it carries becomes one of the address's subscriptions.
    LinkExpired when the address is no longer held (left, or deleted unconfirmed); ValueError when the
    therapy's page has gone since."""
    with transaction.atomic():
        subscriber = AlertSubscriber.objects.select_for_update().filter(email=choice.email).first()
        if subscriber is None:
            raise LinkExpired
        if choice.therapy_id is not None and not Therapy.objects.live().filter(pk=choice.therapy_id).exists():
            raise ValueError("That therapy's page is no longer published, so there is nothing to follow.")
        AlertSubscription.objects.update_or_create(subscriber=subscriber, therapy_id=choice.therapy_id,
                                                   defaults={"level": choice.level})
        now = timezone.now()
        subscriber.frequency = choice.frequency
        subscriber.confirmed_at = subscriber.confirmed_at or now
        if choice.frequency == AlertFrequency.WEEKLY and subscriber.digest_due_at is None:
            subscriber.digest_due_at = now + datetime.timedelta(days=7)
        subscriber.save()
    return subscriber


def subscriber_for(token: str) -> AlertSubscriber | None:
    """The address a manage or unsubscribe link names, if it is still held (LinkInvalid for a forged link)."""
    pk, email = alert_links.read_manage_token(token)
    return AlertSubscriber.objects.filter(pk=pk, email=email).first()


def leave(token: str) -> bool:
    """End every alert of the address the link names and delete the address, with its queued and sent alert
    emails. False when it was already gone (the same result: nothing is held)."""
    pk, email = alert_links.read_manage_token(token)
    deleted, _ = AlertSubscriber.objects.filter(pk=pk, email=email).delete()
    return bool(deleted)


def stop_one(subscriber: AlertSubscriber, subscription_pk: int) -> bool:
    """Stop one subscription; the last one takes the address with it. True when the address is gone."""
    with transaction.atomic():
        subscriber.subscriptions.filter(pk=subscription_pk).delete()
        if not subscriber.subscriptions.exists():
            subscriber.delete()
            return True
    return False


def set_frequency(subscriber: AlertSubscriber, frequency: str) -> None:
    if frequency not in AlertFrequency.values:
        raise ValueError("Choose as soon as it is published or a weekly digest.")
    subscriber.frequency = frequency
    if frequency == AlertFrequency.WEEKLY and subscriber.digest_due_at is None:
        subscriber.digest_due_at = timezone.now() + datetime.timedelta(days=7)
    subscriber.save(update_fields=["frequency", "digest_due_at"])
