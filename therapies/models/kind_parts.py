"""The parts a content kind is described with (models/kinds.py): how it is searched (SearchDocument,
Identifier, Follows), its child rows, the rows it links to that must be live, and the sections a live page of
it must have. Kept apart from the registry so that each stays short; import them from `kinds`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.text import capfirst

# Search weights: PostgreSQL's ts_rank default for A, B and C, and the scores of the simple match
# used on other databases. Both search paths read these numbers and each kind's SearchDocument.
WEIGHTS: dict[str, float] = {"A": 1.0, "B": 0.4, "C": 0.2}


@dataclass(frozen=True)
class Identifier:
    """A field a search query can equal exactly (an exact match is listed first).

    `stored` says how the value is kept, which decides the lookup: "caseless" (names, matched
    case-insensitively: UPPER(name) is indexed on PostgreSQL, migration 0006), "lower" (slugs)
    and "upper" (NCT ids), compared by plain equality on their unique index, or "list" (a
    comma-separated list such as brand names: the query must equal one item).
    """

    field: str
    stored: str = "caseless"

    def __post_init__(self) -> None:
        if self.stored not in ("caseless", "lower", "upper", "list"):
            raise ValueError(f"{self.field}: stored is “caseless”, “lower”, “upper” or “list”, not “{self.stored}”.")


@dataclass(frozen=True)
class Follows:
    """Rows of a kind listed right after an exact match of another kind they link to (search.py).

    Whoever types "Tysabri" wants the therapy, then its trials, then its risks, whether or not their
    text names it. `path` leads from a row of this kind to the exact match ("therapy",
    "therapy_risks__therapy"); `order` lists them, over the same link (a boxed warning first).
    """

    path: str
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchDocument:
    """What search reads of a row, in three weights, and how a hit is shown.

    Each entry is a field path: a field ("name"), a field across a foreign key ("therapy__name")
    or across a many-to-many ("approved_indications__name"). A field with choices contributes its label
    (and its stored value, where the label does not already contain it). PostgreSQL builds the
    weighted tsvector from these; the simple match on SQLite searches and scores the same paths.
    """

    a: tuple[str, ...]  # names and identifiers
    b: tuple[str, ...]  # summaries, what it is, linked names, MS courses
    c: tuple[str, ...]  # the long text
    snippet: tuple[str, ...]  # plain text fields a hit's snippet is cut from, in this order
    identifiers: tuple[Identifier, ...] = ()
    follows: tuple[Follows, ...] = ()  # listed after an exact match they link to, before the ranked matches

    @property
    def weighted(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(weight letter, paths) for A, B and C."""
        return (("A", self.a), ("B", self.b), ("C", self.c))

    @property
    def paths(self) -> tuple[str, ...]:
        return (*self.a, *self.b, *self.c)


@dataclass(frozen=True)
class ChildRows:
    """Rows edited, snapshotted, diffed and published with their parent (a therapy's risk links). The admin wing
    registers the formset that edits them (therapies/admin/kinds.py)."""

    relation: str  # the related name on the parent: "therapy_risks"
    model: type[models.Model]
    parent: str  # the child's foreign key to the parent: "therapy"
    key: str  # the field that identifies one row among its siblings: "risk" (a foreign key) or "position"
    fields: tuple[str, ...]  # what a snapshot keeps of each row, the key included
    # A row added, or a change to one of these fields, makes the change a safety update (editorial/safety.py).
    safety_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveLink:
    """Content a published page of this kind links to, which must be live or published with it (rule 4)."""

    field: str  # the foreign key (or many-to-many) holding the linked ids
    child: str = ""  # the child relation whose rows hold it; empty when it is the kind's own field
    # A source the page cites. Its words are shown on the page as the reviewer approved them, so a change
    # request citing a row that another open change request is changing cannot be published before that
    # one is, and changing the row sends the change requests citing it back for re-review (rule 5).
    citation: bool = False


@dataclass(frozen=True)
class RequiredSection:
    """A section a live page of this kind must have: its text, and at least one source for it.

    Publishing refuses a change request that would make such a page live without it, naming the
    section in the reader's words (workflow/publishing.py).
    """

    field: str  # the Markdown text field: "pregnancy"
    references: str  # the many-to-many of the sources behind it: "pregnancy_references"

    def label(self, model: type[models.Model]) -> str:
        """The section's heading as the page shows it: "Pregnancy and breastfeeding"."""
        return capfirst(model._meta.get_field(self.field).verbose_name)


def path_field(model: type[models.Model], path: str) -> models.Field:
    """The field a search path ends at: "therapy__name" on Trial is Therapy.name."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last)


def field_texts(obj: models.Model, path: str) -> list[str]:
    """The text one search path gives for a row: "therapy__name", "approved_indications__name", "severity".

    Across a many-to-many every related row counts; a field with choices gives its label, and its
    stored value too where the label does not already contain it ("anti-integrin").
    """
    *hops, last = path.split("__")
    rows = [obj]
    for hop in hops:
        following = []
        for row in rows:
            f = row._meta.get_field(hop)
            if f.many_to_many or f.one_to_many:
                following.extend(getattr(row, hop).all())
            elif (related := getattr(row, hop)) is not None:
                following.append(related)
        rows = following
    texts: list[str] = []
    for row in rows:
        f = row._meta.get_field(last)
        value = getattr(row, f.attname)
        if f.choices:
            label = str(dict(f.flatchoices).get(value, value))
            texts.append(label)
            if value and str(value).lower() not in label.lower():
                texts.append(str(value))
        elif value not in (None, ""):
            texts.append(str(value))
    return texts
