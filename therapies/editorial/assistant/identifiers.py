"""Identifiers: ClinicalTrials.gov ids (format, and unique among live and proposed trials), DOIs and PubMed ids
(format), and addresses that are not https.

Which fields hold identifiers is read from the models: a field validated by validate_nct_id,
validate_doi or validate_pmid (models/validators.py, the one definition of each format), and every
URLField. An id that must be unique (Trial.nct_id) is compared with the other live rows and with
what other open change requests propose, since a second trial drafted with the same id would only
fail when published. Only identifiers the change sets are checked.
"""

from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from ...models import OPEN_STATES, Revision, validate_nct_id
from ..snapshots import editable_fields
from .proposal import IDENTIFIER_VALIDATORS, Finding, Proposal


def _duplicates(proposal: Proposal, f: models.Field, value: str) -> list[str]:
    """Where else this unique id is used: other rows (live or not: the database holds each id once), and drafts
    in open change requests."""
    rows = proposal.model._base_manager.filter(**{f.name: value}).exclude(pk=proposal.object_id)
    found = [f"the {'live' if row.is_live else 'unpublished'} {proposal.kind.verbose_name} “{row}”" for row in rows]
    proposed = (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(proposal.model),
            change_request__state__in=OPEN_STATES,
            **{f"snapshot__fields__{f.name}": value},
        )
        .exclude(object_id=proposal.object_id)
        .order_by("change_request_id")
    )
    found += [f"“{rev.object_repr}” in change request #{rev.change_request_id}" for rev in proposed]
    return found


def check(proposal: Proposal) -> Iterator[Finding]:
    for f in editable_fields(proposal.model):
        value = proposal.new("fields").get(f.name)
        if not isinstance(value, str) or not value.strip() or not proposal.changed(f.name):
            continue
        where = f"{proposal.name}, {f.verbose_name}"
        for validator in (v for v in f.validators if v in IDENTIFIER_VALIDATORS):
            try:
                validator(value)
            except ValidationError as error:
                yield Finding("identifiers", f"{where}: “{value}” is not a valid identifier. {error.messages[0]}",
                              proposal.revision_id, f.name)
        if validate_nct_id in f.validators and f.unique:
            others = _duplicates(proposal, f, value)
            if others:
                yield Finding("identifiers", f"{where}: {value} is also the id of {'; '.join(others)}. "
                              "Each trial has its own ClinicalTrials.gov id.", proposal.revision_id, f.name)
        if isinstance(f, models.URLField) and not value.lower().startswith("https://"):
            yield Finding("identifiers", f"{where}: “{value}” is not an https address. Link to the https version "
                          "of the page, so readers are not sent over an unencrypted connection.",
                          proposal.revision_id, f.name)
