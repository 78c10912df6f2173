"""Who is a medical editor and who a medical reviewer: the one definition (issue 21, item 7).

A role is a permission of ChangeRequest (its Meta.permissions), held through a group or directly, by an active
user. Deliberately not `user.has_perm()`: that is always true for superusers, and a site administrator must not
be able to bypass review (DESIGN.md rule 1). workflow.permissions asks it of one user (`is_reviewer`), the
emails ask it of everyone at once (`users_with`); both read it from here.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

EDIT = "edit_content"  # a medical editor: drafts changes
REVIEW = "review_content"  # a medical reviewer: drafts, reviews, approves and publishes
ROLES = (EDIT, REVIEW)


def role_permissions(*codenames: str) -> QuerySet:
    """The permissions that make the given roles."""
    return Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames)


def roles_of(user) -> set[str]:
    """The roles `user` holds (one query); none for an anonymous or inactive user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(role_permissions(*ROLES).filter(Q(group__user=user) | Q(user=user)).values_list("codename", flat=True))


def users_with(role: str) -> QuerySet:
    """Every active user holding `role` (users_with(REVIEW): the medical reviewers)."""
    permissions = role_permissions(role)
    return get_user_model().objects.filter(
        Q(groups__permissions__in=permissions) | Q(user_permissions__in=permissions), is_active=True,
    ).distinct()
