"""Create the "Editors" and "Medical reviewers" groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from therapies.workflow.roles import ensure_groups

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
