"""What the admin wing needs of each content kind, and the registry it keeps them in (`ADMIN`).

The entries themselves are in admin/kinds.py, one per kind; this module holds only their shape, so that the
code reading them (the edit form, the preview, the admin's read-only page) imports no form or view of a kind.
The kinds system check (models/kinds.py) asks `admin_problems` what an entry lacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django import forms

from ..models.kinds import ContentKind, WingParts
from .form_sections import FormSection, placement_problems


@dataclass(frozen=True)
class AdminParts:
    """A kind's edit form, the formsets that edit its child rows, and the preview of a draft of its page."""

    # The edit form's sections, in the public page's order (admin/form_sections.py).
    form_sections: tuple[FormSection, ...]
    # The formset editing each kind of child row, by relation ("therapy_risks"): one per ChildRows.
    formsets: Mapping[str, type[forms.BaseFormSet]] = field(default_factory=dict)
    # A kind with a page: (draft, *, live_row, revision) -> its page template's context, for the draft preview
    # (admin/preview.py). The preview renders the page's own template, from the site's entry for the kind.
    preview: Callable[..., dict] | None = None


def admin_problems(kind: ContentKind, parts: AdminParts) -> list[str]:
    """What an admin entry lacks, in words."""
    problems = [f"its edit form: {problem}" for problem in placement_problems(kind, parts.form_sections)]
    problems += [
        f"no formset edits its child rows “{child.relation}”"
        for child in kind.children
        if child.relation not in parts.formsets
    ]
    problems += [f"a formset for “{name}”, which are not child rows of this kind"
                 for name in parts.formsets if name not in {child.relation for child in kind.children}]
    if kind.has_page and parts.preview is None:
        problems.append("it has a page, but no preview builder for a draft of it")
    if not kind.has_page and parts.preview is not None:
        problems.append("a preview builder, but it has no page of its own to preview")
    return problems


ADMIN: WingParts[AdminParts] = WingParts("admin", "therapies/admin/kinds.py", admin_problems)
