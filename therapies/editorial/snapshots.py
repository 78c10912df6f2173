"""JSON snapshots of content objects: what a Revision stores.

    {"fields": {"name": "Ocrelizumab", "therapy": 3, "fda_approval_date": "2017-03-01", ...},
     "m2m": {"routes": [1, 3], "approved_indications": [1, 4], "references": [5, 7]},
     "children": {"therapy_risks": [{"risk": 4, "frequency": "common", "figure": "5%", "measure": "…", "notes": ""}]}}

Publish-state fields are never part of a snapshot: publishing sets them.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from ..models import ChildRows, is_content, kind_for
from ..models.limits import MarkdownField
from .rendering import markdown_problem
from .validation import describe_validation_error

_encoder = DjangoJSONEncoder()


def child_rows(model: type[models.Model]) -> tuple[ChildRows, ...]:
    """The child rows edited with a content object (its kind's `children`, models/kinds.py)."""
    return kind_for(model).children if is_content(model) else ()


def editable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a snapshot holds: not the primary key, and not the publish state (editable=False: publishing
    sets it), so no hand-kept list can fall behind the model."""
    return [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]


def m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return list(model._meta.many_to_many)


def normalise_text(value: str) -> str:
    """Browsers send textareas with CRLF line ends and forms strip the ends: store text the same way always,
    so an untouched field never shows up as a change in a diff."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _to_json(field: models.Field | None, value: Any) -> Any:
    if isinstance(value, str):
        return normalise_text(value)
    if value is None or isinstance(value, bool | int | float | list | dict):
        return value  # a JSON field's list (a trial outcome's arms) is kept as it is
    return _encoder.default(value)


def attname(spec: ChildRows, name: str) -> str:
    """Where a child row keeps a snapshot field: "risk_id" for the foreign key "risk", "label" for "label"."""
    return spec.model._meta.get_field(name).attname


def child_instance(spec: ChildRows, row: dict, parent: models.Model | None = None) -> models.Model:
    """An unsaved child row from a snapshot row (with its parent, when given)."""
    values = {attname(spec, k): v for k, v in row.items() if k in spec.fields}
    return spec.model(**values) if parent is None else spec.model(**{spec.parent: parent}, **values)


def snapshot_of(obj: models.Model) -> dict:
    """The current state of a saved row, as a snapshot."""
    model = type(obj)
    # Foreign keys are stored under the field name with the target's id ("therapy": 3).
    fields = {f.name: _to_json(f, getattr(obj, f.attname)) for f in editable_fields(model)}
    m2m = {f.name: sorted(getattr(obj, f.name).values_list("pk", flat=True)) for f in m2m_fields(model)}
    children = {}
    for spec in child_rows(model):
        rows = spec.model.objects.filter(**{spec.parent: obj}).order_by(spec.key)
        children[spec.relation] = [
            {name: _to_json(None, getattr(row, attname(spec, name))) for name in spec.fields} for row in rows
        ]
    return {"fields": fields, "m2m": m2m, "children": children}


def instance_from_snapshot(model: type[models.Model], snapshot: dict, base: models.Model | None = None):
    """An unsaved copy of `base` (or a new object) carrying the snapshot's field values."""
    obj = model() if base is None else model.objects.get(pk=base.pk)
    for field in editable_fields(model):
        if field.name not in snapshot["fields"]:
            continue
        value = snapshot["fields"][field.name]
        if value is not None and not field.is_relation:
            value = field.to_python(value)
        setattr(obj, field.attname, value)
    return obj


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def validate_snapshot(model: type[models.Model], snapshot: dict, base: models.Model | None) -> None:
    """Raise ValidationError if the snapshot would not make a valid row."""
    if _has_nul(snapshot):
        raise ValidationError("The text contains a NUL character, which cannot be saved; remove it and try again.")
    obj = instance_from_snapshot(model, snapshot, base)
    in_snapshot = editable_fields(model)
    obj.full_clean(exclude=[f.name for f in model._meta.concrete_fields if f not in in_snapshot])
    markdown_errors = markdown_problems(model, snapshot["fields"])
    if markdown_errors:
        raise ValidationError(markdown_errors)
    for spec in child_rows(model):
        rows = snapshot["children"].get(spec.relation, [])
        keys = [row[spec.key] for row in rows]
        if len(keys) != len(set(keys)):
            raise ValidationError(f"The same {spec.key} is listed twice.")
        for row in rows:
            _validate_row(spec, row, obj)


def _validate_row(spec: ChildRows, row: dict, parent: models.Model) -> None:
    """A child row's own rules (its model's clean(), e.g. a figure says what it counts, an outcome's arms are
    no larger than the trial), naming the row."""
    instance = child_instance(spec, row, parent)
    try:
        instance.clean()
    except ValidationError as error:
        key_field = spec.model._meta.get_field(spec.key)
        target = row.get(spec.key)
        if key_field.is_relation:
            target = key_field.related_model._base_manager.filter(pk=target).first() or target
        raise ValidationError(
            f"{key_field.verbose_name.capitalize()} “{target}”: {describe_validation_error(error)}"
        ) from None


def markdown_problems(model: type[models.Model], values: dict) -> dict[str, str]:
    """Per Markdown field, why its text could not be shown formatted (too deeply nested, too large a
    table: rendering.py); the length itself is checked by the field's own validator."""
    problems = {}
    for f in editable_fields(model):
        text = values.get(f.name)
        if isinstance(f, MarkdownField) and isinstance(text, str) and len(text) <= f.max_length:
            problem = markdown_problem(text)
            if problem:
                problems[f.name] = problem
    return problems


def apply_snapshot(obj: models.Model, snapshot: dict) -> models.Model:
    """Copy a snapshot onto a saved row: fields, many-to-many and child rows. Caller saves state."""
    model = type(obj)
    fresh = instance_from_snapshot(model, snapshot, obj)
    for field in editable_fields(model):
        setattr(obj, field.attname, getattr(fresh, field.attname))
    obj.save()
    for field in m2m_fields(model):
        getattr(obj, field.name).set(snapshot["m2m"].get(field.name, []))
    for spec in child_rows(model):
        spec.model.objects.filter(**{spec.parent: obj}).delete()
        rows = snapshot["children"].get(spec.relation, [])
        spec.model.objects.bulk_create([child_instance(spec, row, obj) for row in rows])
    return obj
