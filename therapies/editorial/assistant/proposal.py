"""What every check of the reviewer assistant reads and writes: a proposal (one revision) and a finding.

A check reads a `Proposal`: the object's kind (models/kinds.py), the live snapshot the draft started
from and the proposed one (snapshots.py), and the change request's significance. It yields
`Finding`s, each naming the object's field, or a child row and its field, so the review screen can
link the finding to that row of the diff (editorial/diff.py `field_anchor`, `row_anchor`).
"""

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models

from ...models import ContentKind, kind_for, validate_doi, validate_nct_id, validate_pmid
from ..diff import field_anchor, row_anchor
from ..snapshots import editable_fields

IDENTIFIER_VALIDATORS = (validate_nct_id, validate_doi, validate_pmid)


# How the review screen heads each family of findings.
LABELS = {
    "sections": "Required section",
    "frequency": "Frequency",
    "identifiers": "Identifier",
    "numbers": "Number without a source",
    "safety": "Safety words",
    "readability": "Readability",
    "data": "Number against the data",
    "contradiction": "Contradicts the data",
    "local": "Country-specific wording",
    "unavailable": "Check not run",
}


def revision_anchor(revision_id: int) -> str:
    """The id of a revision's section on the review screen (templates/admin/therapies/changerequest/review.html)."""
    return f"revision-{revision_id}"


@dataclass(frozen=True)
class Finding:
    """Something a reviewer should look at. Never a refusal: the assistant only points."""

    check: str  # the check family: "readability", "numbers", "identifiers", "frequency", "safety", "sections"
    message: str  # in the reviewer's words, naming the object and the field
    revision_id: int
    field: str = ""  # a field of the object, or of the child row when `relation` is set
    relation: str = ""  # a child row: its relation on the object ("therapy_risks") …
    key: Any = None  # … and its key ("risk" id)
    flagged: bool = True  # False: for information (a reading grade within the aim)

    @property
    def label(self) -> str:
        return LABELS[self.check]

    def anchor_in(self, available: Collection[str]) -> str:
        """The id on the page to link to: the field's own diff row if the page has one, else the child row,
        else the revision's section (an unchanged field, such as an empty required section, has no diff row)."""
        if self.relation:
            candidates = [row_anchor(self.revision_id, self.relation, self.key, self.field),
                          row_anchor(self.revision_id, self.relation, self.key)]
        else:
            candidates = [field_anchor(self.revision_id, self.field)] if self.field else []
        return next((c for c in candidates if c in available), revision_anchor(self.revision_id))


@dataclass(frozen=True)
class TextChange:
    """One text field whose proposed value differs from the live one: of the object, or of one child row."""

    field: models.Field
    old: str
    new: str
    where: str  # "summary", or "risk “Liver injury”: notes"
    relation: str = ""
    key: Any = None

    def finding(self, check: str, message: str, proposal: "Proposal", flagged: bool = True) -> Finding:
        return Finding(check, message, proposal.revision_id, self.field.name, self.relation, self.key, flagged)


def is_words(f: models.Field) -> bool:
    """A field people write sentences in: text without choices, not a slug, an address or an identifier."""
    return (
        isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not isinstance(f, models.SlugField | models.URLField)
        and not any(v in IDENTIFIER_VALIDATORS for v in f.validators)
    )


def added_matches(found: list[str], before: list[str]) -> list[str]:
    """The matches in the new text beyond those the old text already had (compared case-insensitively)."""
    had = Counter(m.casefold() for m in before)
    added = []
    for match in found:
        if had[match.casefold()]:
            had[match.casefold()] -= 1
        else:
            added.append(match)
    return added


@dataclass
class Proposal:
    """One revision of a change request, as the checks read it."""

    revision_id: int
    model: type[models.Model]
    object_id: int
    name: str
    base: dict | None  # the live snapshot the draft started from; None for a new object
    snapshot: dict
    significance: str
    change_request_id: int
    _row_names: dict = field(default_factory=dict)

    @property
    def kind(self) -> ContentKind:
        return kind_for(self.model)

    def old(self, section: str) -> dict:
        return (self.base or {}).get(section, {})

    def new(self, section: str) -> dict:
        return self.snapshot.get(section, {})

    def changed(self, name: str) -> bool:
        """The object's field is new or differs from the live one."""
        return self.base is None or self.old("fields").get(name) != self.new("fields").get(name)

    def changed_rows(self) -> Iterator[tuple[Any, dict, dict | None]]:
        """(child spec, proposed row, live row or None) for each child row added or changed."""
        for spec in self.kind.children:
            old_rows = {row[spec.key]: row for row in self.old("children").get(spec.relation, [])}
            for row in self.new("children").get(spec.relation, []):
                previous = old_rows.get(row[spec.key])
                if previous != row:
                    yield spec, row, previous

    def row_name(self, spec, key: Any) -> str:
        """"risk “Liver injury”": a child row named by its key, one query per kind of child row."""
        if spec.relation not in self._row_names:
            target = spec.model._meta.get_field(spec.key).related_model
            keys = {row[spec.key] for row in self.new("children").get(spec.relation, [])}
            self._row_names[spec.relation] = {pk: str(obj) for pk, obj in target._base_manager.in_bulk(keys).items()}
        label = spec.model._meta.get_field(spec.key).verbose_name
        return f"{label} “{self._row_names[spec.relation].get(key, f'#{key}')}”"

    @cached_property
    def changed_texts(self) -> list[TextChange]:
        """Every text field of the object and its child rows whose proposed value is new or differs."""
        texts = []
        for f in editable_fields(self.model):
            new = self.new("fields").get(f.name) or ""
            if is_words(f) and new.strip() and self.changed(f.name):
                texts.append(TextChange(f, self.old("fields").get(f.name) or "", new, str(f.verbose_name)))
        for spec, row, previous in self.changed_rows():
            for name in spec.fields:
                f = spec.model._meta.get_field(name)
                new, old = row.get(name) or "", (previous or {}).get(name) or ""
                if name != spec.key and is_words(f) and new.strip() and new != old:
                    where = f"{self.row_name(spec, row[spec.key])}: {f.verbose_name}"
                    texts.append(TextChange(f, old, new, where, spec.relation, row[spec.key]))
        return texts
