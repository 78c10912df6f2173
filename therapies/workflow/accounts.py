"""Who holds which role is audited too (issue 11): nothing about the people who review bypasses the log.

A superuser could once create a second account, put it into "Medical reviewers" and approve his own
work through it, with only Django's editable admin log to show for it. Every change that can make
someone an editor or a reviewer is now an append-only audit event, whoever makes it and however:
creating a user; making a user staff, superuser or active (or not); adding or removing a user's group
or permission; changing a group's permissions. When someone gains the reviewer role, every reviewer
is emailed, so a sock-puppet reviewer is noticed by the people whose signature it imitates.

The events are written by signal receivers (connected in apps.py), so the admin's user screens, the
shell and management commands are all covered. The person acting is the signed-in user of the
current request (`RecordActorMiddleware` in admin/actor.py), or nobody ("system") for commands.
Deleting a group or a permission takes it from its holders without an m2m signal (a cascade): a
pre_delete receiver records each loss first (issue 23, N6). A bulk `QuerySet.update()` of users' flags is
done row by row through `save()`, so it is recorded like any other change; one with a database expression,
and `bulk_update` of the flags, are refused. Raw SQL is not seen: run the site as a database role that may
not write to the auth tables directly (README "Running as a non-owner role").
"""

import contextvars
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from ..editorial import notifications
from ..editorial.backup import RESTORING
from ..models import AuditAction
from .audit import record

FLAGS = ("is_staff", "is_superuser", "is_active")

# A callable giving the user acting now (set per request by admin/actor.py); None outside a request.
acting_user: contextvars.ContextVar[Callable[[], object] | None] = contextvars.ContextVar(
    "msinfo_acting_user", default=None
)


def _actor():
    get_user = acting_user.get()
    user = get_user() if get_user is not None else None
    return user if user is not None and user.is_authenticated else None


def _reviewer_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of these users are medical reviewers now (active, holding the review permission)."""
    return set(notifications.reviewers().filter(pk__in=list(user_ids)).values_list("pk", flat=True))


def _forget_cached_roles(users: Iterable[models.Model]) -> None:
    for user in users:
        user.__dict__.pop("_editorial_roles", None)  # permissions.roles() caches them on the instance


def _tell_reviewers(gained: Iterable[models.Model], how: str) -> None:
    """Email every reviewer (the new one included) that someone became a medical reviewer."""
    actor = _actor()
    for user in gained:
        notifications.deliver_on_commit(notifications.queue_message(
            to=[reviewer.email for reviewer in notifications.reviewers()],
            subject=f"New medical reviewer: {user.get_username()}",
            template="therapies/email/reviewer_added.txt",
            context={"user": user, "actor": actor, "how": how},
        ))


# --- Users: created, and their staff, superuser and active flags ----------------------------------------------------


def _flags_untouched(update_fields) -> bool:
    """A save of named fields that are none of the flags (a sign-in's last_login, a password) changes no role."""
    return update_fields is not None and not set(update_fields) & set(FLAGS)


def before_user_save(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or RESTORING.get() or instance.pk is None or _flags_untouched(update_fields):
        return
    instance._flags_before = (
        sender._default_manager.filter(pk=instance.pk).values(*FLAGS).first()
    )
    instance._was_reviewer = bool(_reviewer_ids([instance.pk]))


def after_user_save(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    if raw or RESTORING.get() or _flags_untouched(update_fields):
        return
    _forget_cached_roles([instance])
    actor = _actor()
    if created:
        record(actor, AuditAction.USER_CREATE, obj=instance,
               details={"user": instance.get_username(), **{flag: getattr(instance, flag) for flag in FLAGS}})
        return
    before = getattr(instance, "_flags_before", None) or {}
    changed = {flag: [before[flag], getattr(instance, flag)] for flag in FLAGS
               if flag in before and before[flag] != getattr(instance, flag)}
    if changed:
        record(actor, AuditAction.USER_FLAGS, obj=instance, details={"user": instance.get_username(), **changed})
    if not getattr(instance, "_was_reviewer", True) and _reviewer_ids([instance.pk]):
        _tell_reviewers([instance], "their account was made active")


# --- Groups and permissions of a user, and the permissions of a group -----------------------------------------------


def _pairs(instance, reverse: bool, pk_set: Iterable[int], model) -> list[tuple[models.Model, models.Model]]:
    """(user or group, group or permission) for each link changed, whichever side the change was made from."""
    others = list(model._default_manager.filter(pk__in=list(pk_set)))
    return [(other, instance) for other in others] if reverse else [(instance, other) for other in others]


def _affected_users(holder, reverse: bool, pk_set: Iterable[int] | None, model) -> list:
    """The users whose roles a change of user groups, user permissions or group permissions can alter."""
    user_model = get_user_model()
    if isinstance(holder, user_model):
        return [holder]
    if reverse and model is user_model:  # group.user_set / permission.user_set: the users are the pk_set
        return list(user_model._default_manager.filter(pk__in=list(pk_set or ())))
    if reverse and model is Group:  # permission.group_set: every member of those groups
        return list(user_model._default_manager.filter(groups__pk__in=list(pk_set or ())).distinct())
    if isinstance(holder, Group):
        return list(holder.user_set.all())
    return []


def _label(item: models.Model) -> str:
    if isinstance(item, Permission):
        return f"{item.content_type.app_label}.{item.codename}"
    return str(item)


def on_links_changed(sender, instance, action: str, reverse: bool, model, pk_set, **kwargs) -> None:
    """m2m_changed for User.groups, User.user_permissions and Group.permissions, from either side."""
    if RESTORING.get():
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        if action == "pre_clear":  # Django sends no pk_set on clear: remember what was there
            field = next(f for f in sender._meta.get_fields() if f.is_relation and f.related_model is model)
            pk_set = set(sender._default_manager.filter(**{_own_side(sender, instance): instance.pk})
                         .values_list(field.attname, flat=True))
            instance._cleared_pks = pk_set
        users = _affected_users(instance, reverse, pk_set, model)
        instance._role_users_before = {user.pk: user for user in users}
        instance._reviewers_before = _reviewer_ids(user.pk for user in users)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_cleared_pks", set())
    added = action == "post_add"
    for holder, item in _pairs(instance, reverse, pk_set or (), model):
        _record_link(holder, item, added)
    users = getattr(instance, "_role_users_before", {})
    _forget_cached_roles(users.values())
    gained = _reviewer_ids(users) - getattr(instance, "_reviewers_before", set())
    if gained:
        _tell_reviewers([users[pk] for pk in sorted(gained)], f"given {_how(instance, reverse, pk_set, model)}")


def _own_side(through, instance) -> str:
    """The through model's foreign key to `instance`'s model ("user_id", "group_id", "permission_id")."""
    field = next(f for f in through._meta.get_fields() if f.is_relation and isinstance(instance, f.related_model))
    return field.attname


def _how(instance, reverse: bool, pk_set, model) -> str:
    items = [item for _, item in _pairs(instance, reverse, pk_set or (), model)]
    return ", ".join(f"“{_label(item)}”" for item in items) or "a role"


def _record_link(holder, item, added: bool) -> None:
    if isinstance(holder, Group):
        record(_actor(), AuditAction.GROUP_PERMISSIONS, obj=holder, details={
            "group": holder.name, "added" if added else "removed": _label(item),
            "members": sorted(holder.user_set.values_list("username", flat=True)),
        })
        return
    what = "group" if isinstance(item, Group) else "permission"
    record(_actor(), AuditAction.ROLE_ADD if added else AuditAction.ROLE_REMOVE, obj=holder,
           details={"user": holder.get_username(), what: _label(item)})


# --- Deleting a group or a permission, and bulk updates of users ---------------------------------------------------


def before_group_delete(sender, instance: Group, **kwargs) -> None:
    """Each member loses the group: recorded before the cascade deletes the links (no m2m signal is sent)."""
    if RESTORING.get():
        return
    for user in instance.user_set.order_by("pk"):
        record(_actor(), AuditAction.ROLE_REMOVE, obj=user,
               details={"user": user.get_username(), "group": instance.name, "group deleted": True})


def before_permission_delete(sender, instance: Permission, **kwargs) -> None:
    """Each group and user holding the permission loses it: recorded before the cascade."""
    if RESTORING.get():
        return
    label = _label(instance)
    for group in instance.group_set.order_by("pk"):
        record(_actor(), AuditAction.GROUP_PERMISSIONS, obj=group, details={
            "group": group.name, "removed": label, "permission deleted": True,
            "members": sorted(group.user_set.values_list("username", flat=True)),
        })
    for user in instance.user_set.order_by("pk"):
        record(_actor(), AuditAction.ROLE_REMOVE, obj=user,
               details={"user": user.get_username(), "permission": label, "permission deleted": True})


class AuditedUserQuerySet(models.QuerySet):
    """Users' QuerySet: an update() of a role flag goes through each user's save(), so the role audit sees it."""

    def update(self, **kwargs):
        flags = set(kwargs) & set(FLAGS)
        if not flags:
            return super().update(**kwargs)
        if any(hasattr(value, "resolve_expression") for value in kwargs.values()):
            raise TypeError("A bulk update of users' staff, superuser or active flags must give plain values, so "
                            "each change can be recorded in the audit log.")
        count = 0
        with transaction.atomic():
            for user in self.select_for_update().order_by("pk"):
                for name, value in kwargs.items():
                    setattr(user, name, value)
                user.save(update_fields=list(kwargs))
                count += 1
        return count

    update.queryset_only = True


def connect() -> None:
    """Connect the receivers (apps.py)."""
    from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save

    user_model = get_user_model()
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid="audit-user-flags-before")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid="audit-user-flags-after")
    for through, uid in ((user_model.groups.through, "user-groups"),
                         (user_model.user_permissions.through, "user-permissions"),
                         (Group.permissions.through, "group-permissions")):
        m2m_changed.connect(on_links_changed, sender=through, dispatch_uid=f"audit-{uid}")
    pre_delete.connect(before_group_delete, sender=Group, dispatch_uid="audit-group-delete")
    pre_delete.connect(before_permission_delete, sender=Permission, dispatch_uid="audit-permission-delete")
    manager_class = type(user_model._default_manager)  # its related managers (group.user_set) subclass it
    if not issubclass(manager_class._queryset_class, AuditedUserQuerySet):
        manager_class._queryset_class = type("AuditedUserQuerySet", (AuditedUserQuerySet,
                                                                     manager_class._queryset_class), {})
