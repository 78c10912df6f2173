"""The editorial groups and their permissions (used by a data migration and after test flushes)."""

from ..models import KINDS

EDITORS = "Editors"
REVIEWERS = "Medical reviewers"
# Sees and deletes the addresses of people who get email alerts, nothing else (issue 26: personal data, minimum
# access; every look is audited, workflow/alert_access.py).
SUPPORT = "Support"

# Every content kind, and its child rows, can be viewed by the editorial team (models/kinds.py). Nobody may add or
# change them directly: every change goes through a change request (sources too, since issue 11).
CONTENT_VIEW_PERMISSIONS = [
    f"view_{model._meta.model_name}"
    for kind in KINDS
    for model in (kind.model, *(child.model for child in kind.children))
]

EDITOR_PERMISSIONS = [
    "edit_content",
    "view_changerequest",
    "view_revision",
    "view_reviewcomment",
    "view_auditevent",
    *CONTENT_VIEW_PERMISSIONS,
    "view_mscourse",
    "view_correctionsuggestion",
    "change_correctionsuggestion",
]
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + ["review_content"]
SUPPORT_PERMISSIONS = ["see_alert_addresses", "view_alertsubscriber", "delete_alertsubscriber"]
GROUPS = {EDITORS: EDITOR_PERMISSIONS, REVIEWERS: REVIEWER_PERMISSIONS, SUPPORT: SUPPORT_PERMISSIONS}


def ensure_groups(apps=None) -> None:
    """Create or update the groups. `apps` is the migration state registry, or None for the live one."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames))


def refresh_groups(apps, schema_editor) -> None:
    """For a migration that adds a model (a new content kind): create its permissions now (Django would only
    after all migrations) and give the groups theirs, so editors and reviewers can view it at once."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    ensure_groups(apps)
