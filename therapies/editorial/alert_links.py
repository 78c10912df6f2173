"""The signed links of safety alerts (issue 26): confirm a subscription, manage it, leave in one click.

Pure functions (no database, no mail), so the public site and the sender share them. A link is the reader's
only key (there is no account): it is signed with SECRET_KEY (django.core.signing), so it cannot be guessed or
altered. A confirmation link carries the choice it confirms and expires after CONFIRM_MAX_AGE; a manage link
names the address and its row, and dies with the row, so a link from before an unsubscribe never works again.
Every link is absolute (settings.SITE_URL): a mail program cannot open a path alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "therapies.alerts.confirm"
MANAGE_SALT = "therapies.alerts.manage"
CONFIRM_DAYS = 7
CONFIRM_MAX_AGE = CONFIRM_DAYS * 24 * 3600


class LinkExpired(Exception):
    """A confirmation link older than CONFIRM_MAX_AGE."""


class LinkInvalid(Exception):
    """A link that was not made by this site, or was altered."""


@dataclass(frozen=True)
class Choice:
    """What a reader asked for: their address, a therapy (None: every therapy), a level and a frequency."""

    email: str
    therapy_id: int | None
    level: str
    frequency: str


def confirm_token(choice: Choice) -> str:
    data = {"e": choice.email, "t": choice.therapy_id, "l": choice.level, "f": choice.frequency}
    return signing.dumps(data, salt=CONFIRM_SALT, compress=True)


def read_confirm_token(token: str) -> Choice:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    return Choice(email=data["e"], therapy_id=data["t"], level=data["l"], frequency=data["f"])


def manage_token(subscriber_pk: int, email: str) -> str:
    return signing.dumps({"s": subscriber_pk, "e": email}, salt=MANAGE_SALT, compress=True)


def read_manage_token(token: str) -> tuple[int, str]:
    """(subscriber pk, address) from a manage or unsubscribe link."""
    try:
        data = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        raise LinkInvalid from None
    return data["s"], data["e"]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(choice: Choice) -> str:
    return absolute(reverse("alerts_confirm", args=[confirm_token(choice)]))


def manage_url(subscriber_pk: int, email: str) -> str:
    return absolute(reverse("alerts_manage", args=[manage_token(subscriber_pk, email)]))


def unsubscribe_url(subscriber_pk: int, email: str) -> str:
    return absolute(reverse("alerts_unsubscribe", args=[manage_token(subscriber_pk, email)]))


def list_headers(subscriber_pk: int, email: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: a mail program's own "Unsubscribe" button posts to this link, no page, no login."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber_pk, email)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
