"""Export every piece of content and editorial history to one JSON file, and restore it.

`manage.py export_content FILE` / `manage.py import_content FILE` (README "Backups").

The file holds all rows of the therapies app (content, change requests, revisions, comments,
locks, corrections, reminders, the email outbox and the audit log) with their primary keys, so
generic links (`object_id`) and `live_revision` stay valid. Users are referred to by username and
exported without passwords; an import creates missing users inactive, with no usable password.

An import goes into an empty database, in one transaction: every row is saved and then validated
with `full_clean()`, and a single bad row refuses the whole file with a report naming each bad row.
"""

import contextvars
import datetime
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from ..models import AuditAction, AuditEvent
from .validation import describe_validation_error

FORMAT = "msinfo-content-export"
FORMAT_VERSION = 1

# Computed from other fields and rebuilt by the search listener; not part of a backup.
DERIVED_FIELDS = {"search_vector"}

# True while a backup is being restored. The people it brings back were created and given their roles on the
# site it came from, and the restored audit log records that already: the role audit (workflow/accounts.py)
# does not log them a second time (nor could it: its rows would take the ids of the rows being restored).
Progress = Callable[[int, int], None]  # progress(done, total), e.g. management/progress.Progress

RESTORING: contextvars.ContextVar[bool] = contextvars.ContextVar("msinfo_restoring_backup", default=False)


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but keeping microseconds (it rounds times to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class ImportRefused(Exception):
    """The file was not imported; `problems` lists each reason (one per bad row where possible)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def exported_models() -> list[type[models.Model]]:
    """Every model of the therapies app, each after the models it points to."""
    app_models = list(apps.get_app_config("therapies").get_models())
    ordered = serializers.sort_dependencies([("therapies", app_models)], allow_cycles=True)
    return [model for model in ordered if model in app_models]


def _fields(model: type[models.Model]) -> list[str]:
    names = [f.name for f in model._meta.local_fields if not f.primary_key and f.name not in DERIVED_FIELDS]
    return names + [f.name for f in model._meta.local_many_to_many]


def _rows(model: type[models.Model]) -> list[dict]:
    queryset = model._default_manager.order_by("pk")
    return serializers.serialize(
        "python", queryset, fields=_fields(model), use_natural_foreign_keys=True, use_natural_primary_keys=False
    )


def _referenced_user_ids() -> set[int]:
    user_model = get_user_model()
    ids: set[int] = set()
    for model in exported_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.related_model is user_model) or field.auto_created:
                continue
            if field.many_to_many:
                ids.update(model._default_manager.filter(**{f"{field.name}__isnull": False})
                           .values_list(field.name, flat=True))
            elif field.concrete:
                ids.update(model._default_manager.exclude(**{f"{field.name}__isnull": True})
                           .values_list(field.attname, flat=True))
    return ids


def _users() -> list[dict]:
    users = get_user_model().objects.filter(pk__in=_referenced_user_ids()).order_by("username")
    return [
        {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_staff": user.is_staff,
            "is_active": user.is_active,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
        for user in users
    ]


def export_data(*, progress: Progress | None = None) -> dict:
    """Everything, as one dict. `progress(done, total)` is called after each table, counting rows."""
    with transaction.atomic():  # one consistent snapshot (REPEATABLE READ is not needed for one reader)
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(),
            "users": _users(),
            "models": {},
        }
        model_list = exported_models()
        total = sum(model._default_manager.count() for model in model_list) if progress else 0
        done = 0
        for model in model_list:
            data["models"][model._meta.label_lower] = rows = _rows(model)
            done += len(rows)
            if progress:
                progress(done, total)
        return data


EXPORT_MODE = 0o600  # the file holds personal data (README "Backups and restore"): its owner only


def write_export(path: Path, *, progress: Progress | None = None) -> dict[str, int]:
    data = export_data(progress=progress)
    tmp = path.with_name(path.name + ".partial")
    # Created owner-only, never readable by anyone else even for a moment (a umask-made file was 0644);
    # chmod too, in case a partial file was left behind by an earlier run with other permissions.
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, EXPORT_MODE)
    os.fchmod(descriptor, EXPORT_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, cls=FullPrecisionEncoder, ensure_ascii=False, indent=1))
    tmp.replace(path)  # never leave a half-written backup under the real name
    counts = {label: len(rows) for label, rows in data["models"].items()}
    counts["users"] = len(data["users"])
    return counts


# --- Import -------------------------------------------------------------------------------------------


def _is_empty() -> list[str]:
    return [
        f"{model._meta.verbose_name_plural} ({model._default_manager.count()})"
        for model in exported_models()
        if model._default_manager.exists()
    ]


def read_export(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportRefused([f"There is no file {path}."]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused([f"{path} is not a JSON export: {error}."]) from None
    except (RecursionError, MemoryError):  # 100,000 nested "[" (security finding N7)
        raise ImportRefused([f"{path} is nested too deeply or too large to read: it is not an export this site "
                             "made."]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused([f"{path} is not an msinfo content export (made by `manage.py export_content`)."])
    if data.get("version") != FORMAT_VERSION:
        raise ImportRefused([f"{path} is export format version {data.get('version')}; this site reads "
                             f"version {FORMAT_VERSION}."])
    if not isinstance(data.get("users"), list) or not isinstance(data.get("models"), dict):
        raise ImportRefused([f"{path} is incomplete: it has no “users” or “models” section."])
    return data


def _row_name(label: str, index: int, row) -> str:
    pk = row.get("pk") if isinstance(row, dict) else None
    fields = row.get("fields", {}) if isinstance(row, dict) else {}
    name = ""
    if isinstance(fields, dict):
        name = fields.get("slug") or fields.get("name") or fields.get("title") or fields.get("object_repr") or ""
    described = f"{label} row {index + 1} (id {pk})"
    return f"{described} “{name}”" if name else described


_USER_TYPES = {"username": str, "email": str, "first_name": str, "last_name": str, "is_staff": bool, "groups": list}


def _user_row_problem(row) -> str:
    """What is wrong with a users row's shape, in words; "" when nothing is."""
    if not isinstance(row, dict):
        return "not a user (expected an object with a username)."
    username = row.get("username")
    if not isinstance(username, str) or not username.strip():
        return "no username."
    wrong = [name for name, kind in _USER_TYPES.items() if row.get(name) is not None
             and not isinstance(row[name], kind)]
    if wrong:
        return f"“{username[:150]}”: wrong type of value for {', '.join(wrong)}."
    if not all(isinstance(group, str) for group in row.get("groups") or []):
        return f"“{username[:150]}”: groups must be group names."
    return ""


def _record_imported(user, groups: list) -> None:
    """The role audit is off while a backup is restored (its own log says who was given what on the site it came
    from): the import records, after the restored rows, that it created this user and gave these groups (N6)."""
    about = {"content_type": ContentType.objects.get_for_model(user), "object_id": user.pk,
             "object_repr": str(user)[:200]}
    details = {"user": user.get_username(), "imported": True}
    AuditEvent.objects.create(action=AuditAction.USER_CREATE, **about,
                              details={**details, "is_staff": user.is_staff, "is_active": user.is_active})
    for group in groups:
        AuditEvent.objects.create(action=AuditAction.ROLE_ADD, **about, details={**details, "group": group.name})


def _create_users(rows: list) -> tuple[list, list[str]]:
    """(the users created with the groups they were given, problems)."""
    user_model = get_user_model()
    created, problems = [], []
    for index, row in enumerate(rows):
        problem = _user_row_problem(row)
        if problem:
            problems.append(f"users row {index + 1}: {problem}")
            continue
        username = row["username"]
        if user_model.objects.filter(username=username).exists():
            continue
        user = user_model(
            username=username,
            email=str(row.get("email") or ""),
            first_name=str(row.get("first_name") or "")[:150],
            last_name=str(row.get("last_name") or "")[:150],
            is_staff=bool(row.get("is_staff")),
            is_active=False,  # restored people sign in only once an administrator activates them
        )
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            problems.append(f"users row {index + 1} “{username}”: {describe_validation_error(error)}")
            continue
        user.save()
        groups = list(Group.objects.filter(name__in=row.get("groups") or []).order_by("name"))
        user.groups.set(groups)
        created.append((user, groups))
    return created, problems


def _validation_problems(objects: list[tuple[str, models.Model]]) -> list[str]:
    problems = []
    for name, obj in objects:
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as error:
            problems.append(f"{name}: {describe_validation_error(error)}")
    return problems


def import_data(data: dict, *, progress: Progress | None = None) -> dict[str, int]:
    """Restore `data` (from read_export) into an empty database, all or nothing.

    `progress(done, total)` is called after each row."""
    occupied = _is_empty()
    if occupied:
        raise ImportRefused(
            ["The database already has content, so nothing was imported (an import only restores into an "
             "empty database, to never mix two sites' histories). It holds: " + ", ".join(occupied) + "."]
        )
    known = {model._meta.label_lower: model for model in exported_models()}
    unknown = sorted(set(data["models"]) - set(known))
    if unknown:
        raise ImportRefused([f"The file holds tables this site does not have: {', '.join(unknown)}."])
    restoring = RESTORING.set(True)
    try:
        return _restore(data, known, progress=progress)
    finally:
        RESTORING.reset(restoring)


def _restore(data: dict, known: dict[str, type[models.Model]], *, progress: Progress | None) -> dict[str, int]:
    """import_data's one transaction: users, then every row; any problem rolls all of it back."""
    problems: list[str] = []
    counts: dict[str, int] = {}
    tables = [data["models"].get(label, []) for label in known]
    total = sum(len(rows) for rows in tables if isinstance(rows, list))
    done = 0
    with transaction.atomic():
        if not isinstance(data["users"], list):
            raise ImportRefused(["users: expected a list of users."])
        new_users, user_problems = _create_users(data["users"])
        counts["users created"] = len(new_users)
        problems += user_problems
        saved: list[tuple[str, models.Model]] = []
        for label in known:
            rows = data["models"].get(label, [])
            if not isinstance(rows, list):
                problems.append(f"{label}: expected a list of rows.")
                continue
            for index, row in enumerate(rows):
                done += 1
                if progress:
                    progress(done, total)
                name = _row_name(label, index, row)
                if not isinstance(row, dict) or row.get("model") != label or not isinstance(row.get("fields"), dict):
                    problems.append(f"{name}: not a {label} row.")
                    continue
                try:
                    with transaction.atomic():  # a savepoint, so one bad row doesn't hide the others
                        for item in serializers.deserialize("python", [row]):
                            item.save()
                            saved.append((name, item.object))
                except (serializers.base.DeserializationError, ValidationError, IntegrityError,
                        DatabaseError, ValueError, TypeError, LookupError, OverflowError, RecursionError) as error:
                    problems.append(f"{name}: {_short(error)}")
            counts[label] = len(rows)
        if not problems:
            problems += _link_problems(saved)
            problems += _validation_problems(saved)
        if problems:
            raise ImportRefused(problems)
        _reset_sequences(list(known.values()))
        for user, groups in new_users:  # after the restored audit rows, whose ids the file fixes
            _record_imported(user, groups)
    return counts


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    if isinstance(error, ValidationError):
        text = describe_validation_error(error)
    return text[:300] or error.__class__.__name__


def _link_problems(saved: list[tuple[str, models.Model]]) -> list[str]:
    """Foreign keys are checked at commit on SQLite and PostgreSQL; name the rows before that."""
    problems = []
    for name, obj in saved:
        for field in obj._meta.concrete_fields:
            if not field.is_relation:
                continue
            value = getattr(obj, field.attname)
            if value is not None and not field.related_model._default_manager.filter(pk=value).exists():
                problems.append(f"{name}: {field.name} points to {field.related_model._meta.verbose_name} "
                                f"#{value}, which is not in the file.")
    return problems


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# --- Checksums (for the round-trip test and `export_content --check`) ------------------------------------


def table_checksums() -> dict[str, tuple[int, str]]:
    """Per model: (row count, SHA-256 of its exported rows). Equal before export and after import."""
    result = {}
    for model in exported_models():
        rows = _rows(model)
        digest = hashlib.sha256(
            json.dumps(rows, cls=FullPrecisionEncoder, sort_keys=True).encode()
        ).hexdigest()
        result[model._meta.label_lower] = (len(rows), digest)
    return result
