"""The draft edit form laid out for an editor: sections in the public page's order, an error summary on top.

The sections come from the kind's `form_sections` (admin/kinds.py). The error summary follows the GOV.UK
design system's pattern: a box headed "There is a problem" before the form, listing every error — a
field's, a child row's, one about the whole form — each a link to the place it is about
(static/admin-review/edit-form.js moves focus to it; without JavaScript it is still first on the page).
"""

from dataclasses import dataclass, field

from django import forms
from django.db import models

from ..models.limits import MarkdownField
from .kind_parts import ADMIN

FORM_ERRORS_ID = "form-errors"  # where the form's own (non-field) errors are shown


@dataclass
class EditSection:
    heading: str
    html_id: str
    anchor: str  # the public page's section, for "see it on the page"; "" for the header
    fields: list[forms.BoundField] = field(default_factory=list)
    formsets: list[tuple[str, forms.BaseFormSet]] = field(default_factory=list)
    markdown: frozenset[str] = frozenset()  # names of its Markdown fields
    changed: bool = True  # holds a change from the live version (a new object's sections all do)

    @property
    def has_errors(self) -> bool:
        return any(bound.errors for bound in self.fields) or any(
            formset.total_error_count() for _, formset in self.formsets
        )

    @property
    def is_open(self) -> bool:
        """Folded unless it holds a change or an error (issue 24: the form was 10,000 px tall)."""
        return self.changed or self.has_errors


def changed_names(base: dict | None, snapshot: dict | None) -> set[str] | None:
    """The fields, link lists and child-row relations a draft changes from its base; None for a new object."""
    if not base or not snapshot:
        return None
    return {
        name
        for part in ("fields", "m2m", "children")
        for name in set(base.get(part, {})) | set(snapshot.get(part, {}))
        if base.get(part, {}).get(name) != snapshot.get(part, {}).get(name)
    }


@dataclass(frozen=True)
class ErrorLink:
    text: str
    href: str


def markdown_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, MarkdownField))


def edit_sections(form: forms.ModelForm, formsets: dict[str, forms.BaseFormSet],
                  changed: set[str] | None = None) -> list[EditSection]:
    """The form's fields and child formsets grouped as the kind's form_sections say, in that order; `changed`
    (changed_names) folds the sections without a change."""
    model = form._meta.model
    markdown = markdown_fields(model)
    sections = []
    for spec in ADMIN.of(model).form_sections:
        names = [name for name in spec.fields if name in form.fields]
        sections.append(EditSection(
            heading=spec.heading,
            html_id=spec.html_id,
            anchor=spec.anchor,
            fields=[form[name] for name in names],
            formsets=[(relation, formsets[relation]) for relation in spec.children if relation in formsets],
            markdown=markdown.intersection(names),
            changed=changed is None or bool(changed.intersection([*names, *spec.children])),
        ))
    return sections


def field_anchor(bound: forms.BoundField) -> str:
    """The id of the control a link to this field should reach (a checkbox list's first box)."""
    return bound.id_for_label or f"{bound.auto_id}_0"


def _field_links(fields: list[forms.BoundField], prefix: str = "") -> list[ErrorLink]:
    return [
        ErrorLink(f"{prefix}{bound.label}: {message}", f"#{field_anchor(bound)}")
        for bound in fields
        for message in bound.errors
    ]


def error_summary(form: forms.Form, sections: list[EditSection]) -> list[ErrorLink]:
    """Every error on the page, in the page's order, each linking to where it is shown."""
    links = [ErrorLink(str(message), f"#{FORM_ERRORS_ID}") for message in form.non_field_errors()]
    for section in sections:
        links += _field_links(section.fields)
        for relation, formset in section.formsets:
            links += [ErrorLink(f"{section.heading}: {message}", f"#{section.html_id}")
                      for message in formset.non_form_errors()]
            for number, row in enumerate(formset.forms, start=1):
                where = f"{section.heading}, row {number} — "
                links += [ErrorLink(f"{where}{message}", f"#{relation}-row-{number}")
                          for message in row.non_field_errors()]
                links += _field_links(list(row), where)
    return links


@dataclass(frozen=True)
class MarkdownHint:
    """One line of the Markdown cheat-sheet: what to type, and the HTML element the renderer makes of it."""

    what: str
    example: str
    element: str


# What editorial/rendering.py accepts (cmark-gfm with tables, then the nh3 allow-list); tests render each
# example and check it makes its element, so the sheet cannot promise what the renderer drops.
MARKDOWN_HINTS = (
    MarkdownHint("Paragraph", "Leave a blank line between paragraphs.", "p"),
    MarkdownHint("Bold", "**Do not stop** without advice.", "strong"),
    MarkdownHint("Italic", "*Usually* mild.", "em"),
    MarkdownHint("Heading (levels 3 and 4 only)", "### After the infusion", "h3"),
    MarkdownHint("Bulleted list", "- fever\n- headache", "ul"),
    MarkdownHint("Numbered list", "1. blood test\n2. infusion", "ol"),
    MarkdownHint("Link (https, http or mailto)", "[EU SmPC](https://www.ema.europa.eu/)", "a"),
    MarkdownHint("Quotation", "> Tell your doctor at once.", "blockquote"),
    MarkdownHint("Table", "| Dose | When |\n| --- | --- |\n| 300 mg | Day 1 |", "table"),
    MarkdownHint("Superscript and subscript", "10<sup>9</sup> cells/L, CD4<sub>+</sub>", "sup"),
    MarkdownHint("Line break inside a paragraph", "First line\\\nsecond line", "br"),
)
