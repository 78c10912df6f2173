"""Validators for content fields: each refuses bad input with a message in the editor's words."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

validate_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lower-case letters, digits and single hyphens only, for example “opera-i”.",
)
validate_nct_id = RegexValidator(
    r"^NCT\d{8}$",
    "A ClinicalTrials.gov id is “NCT” followed by exactly 8 digits, for example NCT01247324.",
)
validate_pmid = RegexValidator(
    r"^[1-9]\d{0,8}$", "A PubMed id is a number of up to 9 digits, for example 20089954."
)
validate_doi = RegexValidator(
    r"^10\.\d{4,9}/\S+$",
    "A DOI starts with “10.”, a registrant code and a slash, for example 10.1056/NEJMoa0907839.",
)


def validate_not_future(value: datetime.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(
            "An approval date cannot be in the future (%(date)s).",
            params={"date": value.isoformat()},
            code="future_date",
        )
