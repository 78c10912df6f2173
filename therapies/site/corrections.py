""""Suggest a correction": the reader's form, its spam controls, and handing it to an editor.

Readers post to /corrections/<model>/<slug>/ (never cached). Cross-site forgery:
a same-origin check of the browser's own headers, else Django's CSRF token (see
is_same_origin_post). Spam controls:
a honeypot field (a filled one looks accepted but nothing is stored) and a
per-address rate limit, counted in the database by a keyed hash of the address
(so no reader's IP address is ever stored). The count and the insert run in one
transaction holding a lock for that sender: 40 parallel posts from one address
once stored 6 against a limit of 5 (the count was read before any was stored).
Editors turn a suggestion into a change request for its page with
`workflow.start_change_request_for()`.
"""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from msinfo.client_ip import client_ip

from ..models import CorrectionSuggestion, limits, page_kinds

# Every content page carries the form: /corrections/<kind name>/<slug>/.
CORRECTABLE_MODELS: dict[str, type[models.Model]] = {kind.name: kind.model for kind in page_kinds()}
RATE_LIMIT = getattr(settings, "CORRECTION_RATE_LIMIT", 5)  # suggestions per address …
RATE_WINDOW_SECONDS = getattr(settings, "CORRECTION_RATE_WINDOW", 3600)  # … per hour
HONEYPOT_FIELD = "website"
# pg_advisory_xact_lock's first key: this lock's namespace (the second is the sender's hash).
SENDER_LOCK_CLASS = 1505


class RateLimited(Exception):
    """The sender has sent RATE_LIMIT suggestions in the last RATE_WINDOW_SECONDS: nothing was stored."""


class CorrectionForm(forms.Form):
    what_is_wrong = forms.CharField(
        label="What is wrong?",
        max_length=limits.CORRECTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Tell us what is wrong or out of date on this page.",
        error_messages={"required": "Tell us what is wrong on this page."},
    )
    source = forms.CharField(
        label="Where did you find the correct information? (optional)",
        required=False,
        max_length=limits.CORRECTION_SOURCE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example a journal article, the product information or a web address.",
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        max_length=limits.EMAIL,  # the column's length: longer was a 500 on PostgreSQL
        help_text="Only if you would like a reply. We use it for nothing else.",
        error_messages={
            "invalid": "Enter an email address like name@example.org, or leave it empty.",
            "max_length": f"An email address has at most {limits.EMAIL} characters. Check it, or leave it empty.",
        },
    )
    # Humans never see or reach this field; simple bots fill every field they find.
    website = forms.CharField(label="Leave this field empty", required=False, max_length=200)

    def __init__(self, *args, action: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = action
        self.helper.form_class = "correction-form"
        self.helper.layout = Layout(
            "what_is_wrong",
            "source",
            "email",
            Div(
                Field(HONEYPOT_FIELD, tabindex="-1", autocomplete="off"),
                css_class="visually-hidden honeypot",
                aria_hidden="true",
            ),
        )
        self.helper.add_input(Submit("submit", "Send suggestion", css_class="button"))

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


def is_same_origin_post(request: HttpRequest) -> bool:
    """True when the browser itself says this POST comes from a page of this site.

    Content pages are served from the page cache, so the form on them carries no
    per-reader CSRF token. Browsers mark every POST with Sec-Fetch-Site and Origin,
    which a page on another site cannot forge (the approach of Go's
    CrossOriginProtection and OWASP's "verify origin with standard headers").
    A request with neither header (an old browser, a script) falls back to
    Django's token check, and failing that is shown the form again with a token.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return False
    trusted = {f"{request.scheme}://{request.get_host()}", *getattr(settings, "CSRF_TRUSTED_ORIGINS", [])}
    return origin in trusted


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the sender's address: enough to count their posts, useless to identify them."""
    address = client_ip(request) or "unknown"
    return salted_hmac("therapies.corrections.client", address, algorithm="sha256").hexdigest()


def _sent_recently(key: str) -> int:
    since = timezone.now() - datetime.timedelta(seconds=RATE_WINDOW_SECONDS)
    return CorrectionSuggestion.objects.filter(client_key=key, created_at__gte=since).count()


def is_rate_limited(key: str) -> bool:
    """Already at the limit (checked before the form, so a limited sender is told at once)."""
    return _sent_recently(key) >= RATE_LIMIT


def _lock_sender(key: str) -> None:
    """Hold this sender's lock until the transaction ends: their posts are counted and stored one at a time.
    (SQLite, the single-process development database, runs one writing transaction at a time anyway.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SENDER_LOCK_CLASS, int(key[:7], 16)])


def store_suggestion(*, obj: models.Model, cleaned_data: dict, client: str) -> CorrectionSuggestion:
    """Store the suggestion, unless its sender is at the limit (RateLimited): counted and stored atomically."""
    with transaction.atomic():
        _lock_sender(client)
        if _sent_recently(client) >= RATE_LIMIT:
            raise RateLimited
        return CorrectionSuggestion.objects.create(
            content_object=obj,
            page_path=obj.get_absolute_url(),
            page_title=str(obj)[:200],
            what_is_wrong=cleaned_data["what_is_wrong"],
            source=cleaned_data.get("source", ""),
            email=cleaned_data.get("email", ""),
            client_key=client,
        )


def correction_url(obj: models.Model) -> str:
    return reverse("suggest_correction", args=[obj._meta.model_name, obj.slug])
