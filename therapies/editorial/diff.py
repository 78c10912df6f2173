"""Reviewer-facing differences between two JSON snapshots of one content object.

A snapshot (see DESIGN.md, "Editorial model") looks like::

    {"fields": {"name": "Ocrelizumab", "drug_class": "anti-cd20", "fda_approval_date": "2017-03-28", ...},
     "m2m": {"routes": [1, 3], "approved_indications": [1, 4], "references": [5, 7]},
     "children": {"therapy_risks": [{"risk": 4, "frequency": "common", "figure": "5%", "measure": "…", "notes": ""}]}}

`diff_snapshots` turns two of them into an `ObjectDiff`: the changed fields, in model order, as
escaped HTML with word-level `<del>`/`<ins>` highlighting, and the added, removed and changed
child rows with every field each holds (what goes live is what the reviewer sees, issue 14). A
many-to-many of content (a page's sources) lists each added or removed item with its own fields:
a source's title, identifiers and address. What is shown comes from the registry
(models/kinds.py) and the snapshot format (snapshots.py), never from a list of fields per kind.
Every related object it names is fetched in one query per related model. Text is compared by
textdiff.py, whose cost is bounded for any input and shared across a screen (`Budget`).

Safety: every piece of user text goes through `escape()` before it is wrapped in a tag; only
strings built that way are marked safe.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from ..models import ChildRows, is_content
from ..models.limits import MarkdownField
from .snapshots import child_rows, editable_fields
from .textdiff import Budget, text_diff

EMPTY = "—"
SIGNS = {"added": "+", "removed": "−", "changed": "~"}

FieldKind = Literal["text", "value", "set"]
RowAction = Literal["added", "removed", "changed"]
Lookups = dict[type[models.Model], dict[int, str]]
Rows = dict[type[models.Model], dict[int, models.Model]]  # related content rows, to list their own fields


@dataclass
class FieldChange:
    """One changed field: escaped HTML of the old and new value with the differences marked."""

    name: str
    label: str
    old_html: SafeString
    new_html: SafeString
    kind: FieldKind
    note: str = ""  # a text shown in full, not marked word by word: why (rewritten, too long)
    # Markdown: the raw old and new text, so the review screen can show them as readers will see them.
    markdown: bool = False
    old_text: str = ""
    new_text: str = ""
    items: list["ItemDetail"] = field(default_factory=list)  # a set of content: each added or removed item
    anchor: str = ""  # the id of its row on the review screen (field_anchor), for links to it


@dataclass
class ItemDetail:
    """One item added to or removed from a many-to-many of content (a cited source), with its fields."""

    action: RowAction
    name: str
    object_id: int
    fields: list[tuple[str, str]]  # (label, plain display text): the templates escape it


@dataclass
class RowChange:
    """One child row (e.g. a therapy's risk link) added, removed or changed."""

    action: RowAction
    label: str
    details: list[str] = field(default_factory=list)
    brief: str = ""
    relation: str = ""  # the kind's child relation ("therapy_risks") and the row's key: its anchor on the page
    key: Any = None
    fields: list[FieldChange] = field(default_factory=list)  # every field of the row, changed ones marked
    anchor: str = ""  # the id of the row on the review screen (row_anchor)

    @property
    def summary(self) -> str:
        """One line, e.g. "+ Risk: Infusion-related reactions — common"."""
        text = f"{SIGNS[self.action]} {self.brief or self.label}"
        if self.action == "changed" and self.details:
            text += f" ({'; '.join(self.details)})"
        return text


@dataclass
class ObjectDiff:
    """Everything that differs between two snapshots of one object."""

    model: type[models.Model]
    is_new: bool
    fields: list[FieldChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return self.is_new or bool(self.fields or self.rows)


# --- Anchors: the ids a screen gives each diff row, so a link (a reviewer assistant's finding) can point at it ---


def field_anchor(prefix: Any, name: str) -> str:
    """The id of a changed field's row: "field-12-summary" (12: the revision on the review screen)."""
    return f"field-{prefix}-{name}"


def row_anchor(prefix: Any, relation: str, key: Any, name: str = "") -> str:
    """The id of a child row ("row-12-therapy_risks-4"), or of one of its fields ("row-12-therapy_risks-4-figure")."""
    return f"row-{prefix}-{relation}-{key}" + (f"-{name}" if name else "")


# --- Entry point -------------------------------------------------------------------------------


def diff_snapshots(
    model: type[models.Model], old: dict | None, new: dict, budget: Budget | None = None, *, anchor: Any = ""
) -> ObjectDiff:
    """Compare two snapshots of a `model` object; `old` is None for a new object.

    `budget` bounds the word comparisons; a screen showing several diffs passes one budget to them all.
    `anchor` prefixes the ids of the diff's rows (field_anchor, row_anchor): the review screen passes the
    revision's id, so that every row of the screen has an id of its own.
    """
    is_new = old is None
    budget = budget if budget is not None else Budget()
    old = old or {}
    lookups, related_rows = _fetch_lookups(model, [old, new])
    diff = ObjectDiff(model=model, is_new=is_new)
    for f in _snapshot_fields(model):
        section = "m2m" if f.many_to_many else "fields"
        if not any(f.name in s.get(section, {}) or f.attname in s.get(section, {}) for s in (old, new)):
            continue  # not part of snapshots (publish state)
        before = _value(old.get(section, {}), f)
        after = _value(new.get(section, {}), f)
        if f.many_to_many:
            before, after = sorted(before or []), sorted(after or [])
        if (is_new and _is_empty(after)) or (not is_new and before == after):
            continue
        change = _field_change(f, before, after, is_new, lookups, budget)
        if f.many_to_many and is_content(f.related_model):
            change.items = _item_details(f, before, after, lookups, related_rows)
        diff.fields.append(change)
    for spec in child_rows(model):  # the kind's child rows (models/kinds.py), matched on their key
        if spec.relation in new.get("children", {}) or spec.relation in old.get("children", {}):
            diff.rows += _row_changes(
                model,
                spec,
                old.get("children", {}).get(spec.relation, []),
                new.get("children", {}).get(spec.relation, []),
                lookups,
                budget,
            )
    for change in diff.fields:
        change.anchor = field_anchor(anchor, change.name)
    for row in diff.rows:
        row.anchor = row_anchor(anchor, row.relation, row.key)
        for change in row.fields:
            change.anchor = row_anchor(anchor, row.relation, row.key, change.name)
    return diff


# --- Fields ------------------------------------------------------------------------------------


def _snapshot_fields(model: type[models.Model]) -> list[models.Field]:
    """Editable concrete and many-to-many fields, in declaration order."""
    meta = model._meta
    return [
        f for f in sorted([*meta.concrete_fields, *meta.many_to_many]) if f.editable and not f.primary_key
    ]


def _value(values: dict, f: models.Field) -> Any:
    """The snapshot value of `f` (FKs may be stored under the name or the attname)."""
    return values.get(f.name, values.get(f.attname))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _kind(f: models.Field) -> FieldKind:
    if f.many_to_many:
        return "set"
    if isinstance(f, models.CharField | models.TextField) and not f.choices:
        return "text"
    return "value"


def _field_change(
    f: models.Field, before: Any, after: Any, is_new: bool, lookups: Lookups, budget: Budget
) -> FieldChange:
    kind = _kind(f)
    note = ""
    if kind == "text":
        if is_new:  # nothing to compare with: all of it is added
            old_html, new_html = SafeString(""), _wrap("ins", after or "")
        else:
            compared = text_diff(before or "", after or "", budget)
            old_html, new_html, note = compared.old_html, compared.new_html, compared.note
        if not is_new:
            old_html, new_html = old_html or SafeString(EMPTY), new_html or SafeString(EMPTY)
    elif kind == "set":
        old_html, new_html = _set_diff(f, before, after, lookups)
    else:
        old_html = _wrap("del", display(f, before, lookups))
        new_html = _wrap("ins", display(f, after, lookups))
    if is_new:
        old_html = SafeString("")
    change = FieldChange(f.name, capfirst(f.verbose_name), old_html, new_html, kind, note)
    if isinstance(f, MarkdownField):
        change.markdown, change.old_text, change.new_text = True, before or "", after or ""
    return change


def _item_details(
    f: models.ManyToManyField, before: list, after: list, lookups: Lookups, related_rows: Rows
) -> list[ItemDetail]:
    """Each item added to or removed from a set of content, with every non-empty field its snapshot holds."""
    rows = related_rows.get(f.related_model, {})
    fields = editable_fields(f.related_model)
    items = []
    for ident, name in _ordered(f.related_model, [*before, *after], lookups):
        if (ident in before) == (ident in after):
            continue
        row = rows.get(ident)
        shown = [] if row is None else [
            (capfirst(g.verbose_name), display(g, getattr(row, g.attname), lookups))
            for g in fields
            if not _is_empty(getattr(row, g.attname)) and not g.is_relation
        ]
        items.append(ItemDetail("added" if ident in after else "removed", name, ident, shown))
    return items


def display(f: models.Field, value: Any, lookups: Lookups) -> str:
    """Plain (unescaped) display text of one snapshot value of `f`."""
    if _is_empty(value):
        return EMPTY
    if f.many_to_many:
        return ", ".join(_names(f.related_model, value, lookups))
    if f.is_relation:
        return _name(f.related_model, value, lookups)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(f, models.JSONField) and isinstance(value, list):
        return "; ".join(_arm_text(item) for item in value)
    if isinstance(f, models.DateField) and isinstance(value, str):
        try:
            return format_date(datetime.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return str(value)


def _arm_text(item: Any) -> str:
    """One arm of a trial outcome as the reviewer reads it: "Ocrelizumab: 0.16 (410 people)"."""
    if not isinstance(item, dict):
        return str(item)
    people = f" ({item['n']} people)" if item.get("n") is not None else " (number of people not given)"
    value = "" if item.get("value") is None else f": {item['value']}"
    return f"{item.get('label', '')}{value}{people}"


def _set_diff(f: models.Field, before: list, after: list, lookups: Lookups) -> tuple[SafeString, SafeString]:
    """Old items with removed ones in `<del>`, new items with added ones in `<ins>`."""
    names = dict(_ordered(f.related_model, [*before, *after], lookups))
    ordered = list(names)
    old_items = [i for i in ordered if i in before]
    new_items = [i for i in ordered if i in after]

    def listing(items: list[int], others: list, tag: str) -> SafeString:
        if not items:
            return SafeString(EMPTY)
        parts = [escape(names[i]) if i in others else _wrap(tag, names[i]) for i in items]
        return SafeString(", ".join(parts))

    return listing(old_items, after, "del"), listing(new_items, before, "ins")


def _wrap(tag: str, text: str) -> SafeString:
    """Escape `text` and wrap it in `tag`, leaving leading and trailing whitespace outside."""
    if not text.strip():
        return SafeString(escape(text))
    core = text.strip()
    start = text.index(core)
    lead, trail = text[:start], text[start + len(core) :]
    return SafeString(f"{escape(lead)}<{tag}>{escape(core)}</{tag}>{escape(trail)}")


# --- Child rows --------------------------------------------------------------------------------


def _row_changes(
    parent: type[models.Model],
    spec: ChildRows,
    before: list[dict],
    after: list[dict],
    lookups: Lookups,
    budget: Budget,
) -> list[RowChange]:
    """Rows added, removed and changed, matched on the spec's key, sorted by the key's display name.

    Each carries every field of the row (`fields`): an added row's values as added, a removed row's
    as removed, a changed row's with its changes marked word by word and the rest shown as they are.
    """
    key_field = spec.model._meta.get_field(spec.key)
    fields = [f for f in _snapshot_fields(spec.model) if f is not key_field and f.related_model is not parent]
    # A row saved before one of its fields existed (a revision from before TherapyRisk.measure) reads as
    # that field's default, so a field added to the model is not reported as a change to every row.
    defaults = {f.name: f.get_default() for f in fields}
    old_rows = {r[spec.key]: r for r in before}
    new_rows = {r[spec.key]: r for r in after}
    choice = next((f for f in fields if f.choices), None)  # shown in the label
    changes: list[RowChange] = []
    for ident in {*old_rows, *new_rows}:
        old_row, new_row = old_rows.get(ident), new_rows.get(ident)
        if old_row is not None and new_row is not None:
            old_row, new_row = {**defaults, **old_row}, {**defaults, **new_row}
        if old_row == new_row:
            continue
        row = new_row or old_row
        label, brief = _row_label(key_field, choice, row, lookups)
        if old_row is None or new_row is None:
            action: RowAction = "added" if old_row is None else "removed"
            details = [
                f"{capfirst(f.verbose_name)}: {_quoted(display(f, row.get(f.name), lookups))}"
                for f in fields
                if f is not choice and not _is_empty(row.get(f.name))
            ]
        else:
            action = "changed"
            details = [
                f"{capfirst(f.verbose_name)}: "
                f"{_quoted(display(f, old_row.get(f.name), lookups))} → "
                f"{_quoted(display(f, new_row.get(f.name), lookups))}"
                for f in fields
                if old_row.get(f.name) != new_row.get(f.name)
            ]
        # What goes live: a field the snapshot lacks is created with its default (snapshots.apply_snapshot).
        shown = [
            _row_field(f, old_row and {**defaults, **old_row}, new_row and {**defaults, **new_row}, lookups, budget)
            for f in fields
        ]
        changes.append(RowChange(action, label, details, brief, spec.relation, ident, shown))
    return sorted(changes, key=lambda change: change.label.casefold())


def _row_field(
    f: models.Field, old_row: dict | None, new_row: dict | None, lookups: Lookups, budget: Budget
) -> FieldChange:
    """One field of a child row as the review screen lists it: every field, whether or not it changed."""
    label = capfirst(f.verbose_name)
    before = None if old_row is None else old_row.get(f.name)
    after = None if new_row is None else new_row.get(f.name)
    if old_row is None or new_row is None:  # the whole row is added or removed: so is each value
        value = display(f, after if old_row is None else before, lookups)
        marked = SafeString(escape(value)) if value == EMPTY else _wrap("ins" if old_row is None else "del", value)
        old_html, new_html = (SafeString(""), marked) if old_row is None else (marked, SafeString(""))
        return FieldChange(f.name, label, old_html, new_html, _kind(f))
    if before == after:
        same = SafeString(escape(display(f, after, lookups)))
        return FieldChange(f.name, label, same, same, _kind(f))
    return _field_change(f, before, after, False, lookups, budget)


def _row_label(
    key_field: models.Field, choice: models.Field | None, row: dict, lookups: Lookups
) -> tuple[str, str]:
    """Full and brief label: "Risk: X — Common (1 in 100 to 1 in 10)" and "Risk: X — common"."""
    head = f"{capfirst(key_field.verbose_name)}: {display(key_field, row.get(key_field.name), lookups)}"
    if choice is None:
        return head, head
    shown = display(choice, row.get(choice.name), lookups)
    short = shown.split(" (")[0].lower() if shown != EMPTY else shown
    return f"{head} — {shown}", f"{head} — {short}"


def _quoted(text: str) -> str:
    return text if text == EMPTY else f"“{text}”"


# --- Batched lookups -----------------------------------------------------------------------------


def _fetch_lookups(model: type[models.Model], snapshots: Iterable[dict]) -> tuple[Lookups, Rows]:
    """Display names of every related object the snapshots mention, and the rows of those that are content
    (a cited source, to list its fields): one query per related model."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for snapshot in snapshots:
        for f in _snapshot_fields(model):
            if f.many_to_many:
                wanted[f.related_model].update(_value(snapshot.get("m2m", {}), f) or [])
            elif f.is_relation and (ident := _value(snapshot.get("fields", {}), f)) is not None:
                wanted[f.related_model].add(ident)
        for spec in child_rows(model):
            rows = snapshot.get("children", {}).get(spec.relation, [])
            target = spec.model._meta.get_field(spec.key).related_model
            if rows and target is not None:  # a key that is a plain field ("label") needs no lookup
                wanted[target].update(r[spec.key] for r in rows if r.get(spec.key) is not None)
    lookups: Lookups = {}
    related_rows: Rows = {}
    for related, ids in wanted.items():
        if ids:
            # The base manager: drafts (not yet live) must be named too. Meta.ordering gives a stable order.
            # A source is named with where its link goes: the address is what a swapped source changes.
            rows = list(related._base_manager.filter(pk__in=ids))
            lookups[related] = {obj.pk: getattr(obj, "review_label", None) or str(obj) for obj in rows}
            if is_content(related):
                related_rows[related] = {obj.pk: obj for obj in rows}
    return lookups, related_rows


def _name(related: type[models.Model], ident: int, lookups: Lookups) -> str:
    return lookups.get(related, {}).get(ident, f"(deleted #{ident})")


def _ordered(related: type[models.Model], ids: list[int], lookups: Lookups) -> list[tuple[int, str]]:
    """(id, name) pairs in the related model's ordering; ids no longer found come last, by id."""
    known = lookups.get(related, {})
    unique = set(ids)
    found = [i for i in known if i in unique]
    missing = sorted(unique - set(found))
    return [(i, _name(related, i, lookups)) for i in [*found, *missing]]


def _names(related: type[models.Model], ids: list[int], lookups: Lookups) -> list[str]:
    return [name for _, name in _ordered(related, ids, lookups)]
