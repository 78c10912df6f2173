"""How a content kind's edit form is grouped: one section per section of its public page, in the page's order.

Each kind lists its sections in the admin wing's entry for it (admin/kinds.py, `AdminParts.form_sections`), so
the edit form, the admin's read-only page and the test that holds them to the public page's order all read one
list. The kinds system check (models/kinds.py, through admin/kind_parts.py) refuses a kind whose sections lose
or repeat a field, so a field added to a model is placed in a section before the site starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models.kinds import ContentKind


@dataclass(frozen=True)
class FormSection:
    """A group of fields on the edit form, filling one section of the public page."""

    heading: str  # the public page's heading for it ("Route and dosing")
    fields: tuple[str, ...] = ()  # the kind's own fields and many-to-manys, in the page's order
    children: tuple[str, ...] = ()  # child rows edited here: ChildRows.relation ("therapy_risks")
    # The id of the public page's section it fills ("route-and-dosing"); empty for the page's header (the
    # name, summary and what the header shows) and for a kind with no page of its own.
    anchor: str = ""

    @property
    def html_id(self) -> str:
        """The section's id on the edit form."""
        return "section-" + (self.anchor or "-".join(self.heading.lower().split()))


def form_field_names(kind: ContentKind) -> list[str]:
    """What the edit form of a kind edits: its editable fields and many-to-manys (as snapshots hold them)."""
    meta = kind.model._meta
    return [f.name for f in meta.concrete_fields if f.editable and not f.primary_key] + [
        f.name for f in meta.many_to_many
    ]


def placement_problems(kind: ContentKind, sections: tuple[FormSection, ...]) -> list[str]:
    """Fields and child rows of a kind that its form sections leave out, repeat or do not have."""
    placed = [name for section in sections for name in section.fields]
    children = [name for section in sections for name in section.children]
    wanted, relations = form_field_names(kind), [child.relation for child in kind.children]
    problems = [f"“{name}” is in no section" for name in wanted if name not in placed]
    problems += [f"“{name}” is in more than one section" for name in set(placed) if placed.count(name) > 1]
    problems += [f"“{name}” is not a field the form edits" for name in placed if name not in wanted]
    problems += [f"the child rows “{name}” are in no section" for name in relations if name not in children]
    problems += [f"“{name}” are not child rows of this kind" for name in children if name not in relations]
    return problems

