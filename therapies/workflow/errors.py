"""Refusals: the errors an action raises, in the user's words, and the checks on text a user typed."""

# Defined once below the workflow (backup and load_seed use it too); re-exported for the workflow's callers.
from ..editorial.validation import describe_validation_error as describe_validation_error
from ..models import Significance


class WorkflowError(Exception):
    """An action was refused; the message is for the user, in their words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PublishConflict(WorkflowError):
    """Publishing would overwrite a newer live version, or publish an invalid or dangling object."""


class StaleDraft(WorkflowError):
    """A draft was saved from a form opened before someone else's save (optimistic version check)."""



def clean_text(text: str | None, *, limit: int | None = None, what: str = "The text") -> str:
    """Text typed by a user, trimmed. A NUL character can't be stored (PostgreSQL refuses it), and text
    over its limit (models/limits.py) is refused before the database sees it: say so."""
    text = (text or "").strip()
    if "\x00" in text:
        raise WorkflowError(f"{what} contains a NUL character, which cannot be saved; remove it and try again.")
    if limit is not None and len(text) > limit:
        raise WorkflowError(
            f"{what} is {len(text):,} characters long; the limit is {limit:,}. Shorten it and try again."
        )
    return text


def require(refusal: str | None) -> None:
    if refusal:
        raise WorkflowError(refusal)




def valid_significance(value: str) -> str:
    """A significance from the list (minor, major, safety), or a refusal naming what was given."""
    if value not in Significance.values:
        choices = ", ".join(str(label).lower() for label in Significance.labels)
        raise WorkflowError(f"“{value}” is not a significance: choose one from the list ({choices}).")
    return value
