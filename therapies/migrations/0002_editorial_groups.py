"""Create the "Editors" and "Medical reviewers" groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "edit_content",
    "view_changerequest",
    "view_revision",
    "view_reviewcomment",
    "view_auditevent",
    "view_therapy",
    "view_trial",
    "view_risk",
    "view_therapyrisk",
    "view_reference",
    "add_reference",
    "change_reference",
    "view_mscourse",
]
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + ["review_content"]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Editors", EDITOR_PERMISSIONS), ("Medical reviewers", REVIEWER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="therapies", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Medical reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("therapies", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
