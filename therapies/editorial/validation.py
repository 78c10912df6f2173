"""How a failed validation reads to a person: one line naming each field and what is wrong with it.

One definition for every place that reports a ValidationError in words — the workflow's refusals,
the import of a backup, the seed loader — so an editor and an operator read the same message for
the same problem. It lives here, below the workflow, because the editorial helpers and the
management commands use it too (and nothing here may import the workflow).
"""

from django.core.exceptions import ValidationError


def describe_validation_error(error: ValidationError) -> str:
    """"route: Value 'x' is not a valid choice.; slug: Enter a valid slug." — or the bare messages when no field
    is named (a model's clean() raising a plain error)."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
