"""Create the "Editors" and "Medical reviewers" groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# The groups and their permissions as they stood when this migration was written (then computed by
# therapies/workflow/roles.py from the kinds registry). Frozen here: a migration is history, and must mean the
# same whatever kinds are added later. Only the permissions that exist at this point are granted.
EDITORS = "Editors"
REVIEWERS = "Medical reviewers"
EDITOR_PERMISSIONS = [
    "edit_content", "view_changerequest", "view_revision", "view_reviewcomment", "view_auditevent",
    "view_therapy", "view_therapyrisk", "view_trial", "view_trialoutcome", "view_risk", "view_reference",
    "view_editorialtext", "view_mscourse", "view_correctionsuggestion", "change_correctionsuggestion",
]
REVIEWER_PERMISSIONS = [*EDITOR_PERMISSIONS, "review_content"]


def ensure_groups(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [(EDITORS, EDITOR_PERMISSIONS), (REVIEWERS, REVIEWER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames))


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    ensure_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Medical reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("therapies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
