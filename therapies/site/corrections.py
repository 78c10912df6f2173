""""Suggest a correction": the reader's form, its spam controls, and handing it to an editor.

Readers post to /corrections/<model>/<slug>/ (never cached). Cross-site forgery:
a same-origin check of the browser's own headers, else Django's CSRF token (see
is_same_origin_post). Spam controls:
a honeypot field (a filled one looks accepted but nothing is stored) and a
per-address rate limit kept in Django's cache under a keyed hash of the
address, so no reader's IP address is ever stored. Editors turn a suggestion
into a change request for its page with `workflow.start_change_request_for()`.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import salted_hmac

from msinfo.client_ip import client_ip

from ..models import CorrectionSuggestion, page_kinds

# Every content page carries the form: /corrections/<kind name>/<slug>/.
CORRECTABLE_MODELS: dict[str, type[models.Model]] = {kind.name: kind.model for kind in page_kinds()}
RATE_LIMIT = getattr(settings, "CORRECTION_RATE_LIMIT", 5)  # suggestions per address …
RATE_WINDOW_SECONDS = getattr(settings, "CORRECTION_RATE_WINDOW", 3600)  # … per hour
HONEYPOT_FIELD = "website"


class CorrectionForm(forms.Form):
    what_is_wrong = forms.CharField(
        label="What is wrong?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Tell us what is wrong or out of date on this page.",
        error_messages={"required": "Tell us what is wrong on this page."},
    )
    source = forms.CharField(
        label="Where did you find the correct information? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example a journal article, the product information or a web address.",
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="Only if you would like a reply. We use it for nothing else.",
        error_messages={"invalid": "Enter an email address like name@example.org, or leave it empty."},
    )
    # Humans never see or reach this field; simple bots fill every field they find.
    website = forms.CharField(label="Leave this field empty", required=False)

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


def _rate_key(key: str) -> str:
    return f"correction-rate:{key}"


def is_rate_limited(key: str) -> bool:
    return (cache.get(_rate_key(key)) or 0) >= RATE_LIMIT


def count_submission(key: str) -> None:
    cache_key = _rate_key(key)
    if not cache.add(cache_key, 1, RATE_WINDOW_SECONDS):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, RATE_WINDOW_SECONDS)


def store_suggestion(*, obj: models.Model, cleaned_data: dict, client: str) -> CorrectionSuggestion:
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
