"""Which drafted changes are safety changes, so their significance is proposed as "safety".

A change request that adds a risk to a therapy, changes how often a risk occurs with a therapy
(its CIOMS frequency category) or changes a boxed-warning flag is a safety update for readers:
the change log and the page history flag it, and the feed lets clinicians follow just those.
The workflow raises the significance automatically when such a draft is saved; the reviewer
confirms or changes it when approving.

What counts is declared per content kind (models/kinds.py): `safety_fields` of the kind itself
(a risk's boxed warning), and of its child rows, where a row added is a safety change too (a
therapy's risk rows: frequency and boxed warning).
"""

from django.db import models

from ..models import ChildRows, is_content, kind_for


def _label(f: models.Field, value) -> str:
    if f.choices:
        try:
            return str(dict(f.flatchoices)[value])
        except KeyError:
            return value or "none"
    return str(value)


def _field_changes(model: type[models.Model], names: tuple[str, ...], before: dict | None, after: dict) -> list[str]:
    """"boxed warning added", "frequency Rare (…) → Common (…)": each safety field that differs."""
    changes = []
    for name in names:
        f = model._meta.get_field(name)
        old, new = (before or {}).get(name), after.get(name)
        if isinstance(f, models.BooleanField):
            if bool(old) != bool(new):
                changes.append(f"{f.verbose_name} {'added' if new else 'removed'}")
        elif old != new:
            changes.append(f"{f.verbose_name} {_label(f, old)} → {_label(f, new)}")
    return changes


def _row_changes(spec: ChildRows, base_snapshot: dict | None, snapshot: dict) -> list[tuple[int, str]]:
    """(key id, what changed) for each child row added, changed in a safety field, or removed with a flag set."""
    old = {row[spec.key]: row for row in (base_snapshot or {}).get("children", {}).get(spec.relation, [])}
    new = {row[spec.key]: row for row in snapshot.get("children", {}).get(spec.relation, [])}
    flags = [name for name in spec.safety_fields if isinstance(spec.model._meta.get_field(name), models.BooleanField)]
    changes: list[tuple[int, str]] = []
    for key, row in new.items():
        previous = old.get(key)
        if previous is None:
            changes.append((key, "added"))
            changes += [(key, what) for what in _field_changes(spec.model, tuple(flags), None, row)]
        else:
            changes += [(key, what) for what in _field_changes(spec.model, spec.safety_fields, previous, row)]
    for key, row in old.items():
        if key not in new:
            changes += [
                (key, f"removed, with its {spec.model._meta.get_field(name).verbose_name}")
                for name in flags
                if row.get(name)
            ]
    return changes


def safety_reasons(model: type[models.Model], base_snapshot: dict | None, snapshot: dict) -> list[str]:
    """Why the change from `base_snapshot` (None for a new object) to `snapshot` is a safety change.

    An empty list means it is not one. At most one query per kind of child row (the names of the
    rows' keys, such as risk names), only when such a row changed.
    """
    if not is_content(model):
        return []
    kind = kind_for(model)
    name = snapshot.get("fields", {}).get(kind.title_field) or f"this {kind.verbose_name}"
    before, after = (base_snapshot or {}).get("fields", {}), snapshot.get("fields", {})
    reasons = [f"{name}: {what}" for what in _field_changes(model, kind.safety_fields, before, after)]
    for spec in kind.children:
        if not spec.safety_fields:
            continue
        changes = _row_changes(spec, base_snapshot, snapshot)
        if not changes:
            continue
        key_model = spec.model._meta.get_field(spec.key).related_model
        names = key_model.objects.in_bulk({key for key, _ in changes})
        for key, what in changes:
            row_name = str(names[key]) if key in names else f"{key_model._meta.verbose_name} #{key}"
            reasons.append(f"{name}: {row_name} {what}")
    return reasons
