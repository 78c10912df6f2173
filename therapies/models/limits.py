"""How long each piece of text a person types may be: one list, enforced before the database (issue 15).

Every text field a reader, editor or reviewer can fill has a limit. Forms refuse longer text with a
message on the field; the workflow refuses it again with a message in the user's words (a draft's
fields through model validation, change notes, comments and reasons through `clean_text`), so a
management command or a crafted post is held to the same limits. CharFields carry theirs as
`max_length`; Django's TextField only sizes the widget, so `BoundedTextField` adds the check.

The limits are generous for what the site publishes (its longest text today is a 2,200-character
therapy body) and small enough that no single text can make a page slow: Markdown within them
renders in well under 100 ms (editorial/rendering.py, docs/PERFORMANCE.md). docs/RELIABILITY.md
lists them for editors.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

MAIN_TEXT = 40_000  # a page's main Markdown text (body, a risk's description): about 6,000 words
SECTION_TEXT = 10_000  # a Markdown section (how it works, dosing, monitoring, who it is approved for)
PLAIN_PARAGRAPH = 2_000  # plain text: a trial's population, endpoint and result; notes on a therapy–risk link
CHANGE_NOTE = 1_000  # the public note of a change, shown in the change log and its feed
COMMENT = 10_000  # a review comment
REASON = 2_000  # why a change was rejected or withdrawn, a page unpublished, or confirmed still accurate
CORRECTION = 3_000  # a reader's "what is wrong"
CORRECTION_SOURCE = 1_000  # a reader's source for it
EMAIL = 254  # an email address (RFC 5321), as the database stores it
USERNAME = 150  # a sign-in name, as the user table stores it
# How many of a thing one form may send (issue 23, N2): checked before any row's form is built, so a crafted
# TOTAL_FORMS or a list of a million ids costs nothing. The seed's largest counts are 17 risks and 12 sources.
CHILD_ROWS = 60  # a draft's child rows of one kind: a therapy's risks, a trial's outcomes
CHOSEN = 100  # the ids chosen in one multi-value field: the sources a page cites

TOO_LONG = "Keep this to %(limit_value)d characters at most (it has %(show_value)d)."


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` is checked by model validation as well as by its form field."""

    def __init__(self, *args, max_length: int, **kwargs) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)
        # As CharField does: appended to the instance's validators, so migrations keep only max_length.
        self.validators.append(MaxLengthValidator(max_length, message=TOO_LONG))

    def formfield(self, **kwargs):
        # The form field checks the length itself; it says so in the same words as the model.
        return super().formfield(**{"error_messages": {"max_length": TOO_LONG}, **kwargs})


class MarkdownField(BoundedTextField):
    """Markdown shown to readers. Besides its length, its structure is checked when a draft is saved
    (editorial/rendering.py `markdown_problem`: how deeply it nests, how many table cells it makes)."""


def one_line(text: str) -> str:
    """Text that must fit on one line (a title, which becomes an email subject): every run of
    whitespace, line breaks included, becomes one space."""
    return " ".join((text or "").split())
