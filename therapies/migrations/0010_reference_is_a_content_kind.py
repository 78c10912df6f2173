"""References become a content kind (issue 11): the publish state of every other kind, and the existing rows live.

Until now an editor added and changed sources directly in the admin; from here on they are drafted,
reviewed and published in change requests. Every reference that exists today is on the site's pages
already (or harmlessly unused), so each becomes live, published now. None of them was reviewed through
the workflow as a source, so none gets a "last reviewed" date; each falls due for its first review one
review interval from now, like a page published today.

A new audit action, "re_review": a change request in review or approved goes back to draft when a
source it cites is edited or published elsewhere (DESIGN.md rule 5, "or anything it cites").

The editorial groups lose "add reference" and "change reference" (every change goes through review) and
keep viewing them.
"""

import datetime

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

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


def refresh_groups(apps, schema_editor):
    """This migration adds a model: create its permissions now (Django would only after all migrations) and give
    the groups theirs, so editors and reviewers can view it at once."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("therapies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    ensure_groups(apps)


def next_review_due(now):
    """A reference's first review falls due one review interval from now: its own setting, else the default, never
    over the cap (as therapies/editorial/review_cycle.py computed it when this migration was written)."""
    overrides = getattr(settings, "REVIEW_INTERVAL_DAYS_BY_TYPE", {}) or {}
    days = max(1, min(int(overrides.get("reference", settings.REVIEW_INTERVAL_DAYS)), settings.MAX_REVIEW_INTERVAL_DAYS))
    return timezone.localdate(now) + datetime.timedelta(days=days)


def references_live(apps, schema_editor):
    Reference = apps.get_model("therapies", "Reference")
    now = timezone.now()
    Reference.objects.filter(live=False, first_published_at__isnull=True).update(
        live=True, first_published_at=now, last_published_at=now, next_review_due=next_review_due(now)
    )


def restore_direct_reference_editing(apps, schema_editor):
    """Backwards: the code before this migration let the editorial groups add and change sources directly."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(content_type__app_label="therapies",
                                        codename__in=["add_reference", "change_reference"])
    for group in Group.objects.filter(name__in=["Editors", "Medical reviewers"]):
        group.permissions.add(*granted)


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0009_schedule_state_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reference',
            name='first_published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='last_published_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='last_reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='last_reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reference',
            name='live',
            field=models.BooleanField(db_index=True, default=False, editable=False, help_text='Published and not withdrawn: visible to the public.'),
        ),
        migrations.AddField(
            model_name='reference',
            name='live_revision',
            field=models.ForeignKey(blank=True, editable=False, help_text='The revision the live row was published from (none for content loaded from the seed).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='therapies.revision'),
        ),
        migrations.AddField(
            model_name='reference',
            name='next_review_due',
            field=models.DateField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='unpublish_at',
            field=models.DateTimeField(blank=True, db_index=True, editable=False, help_text='When set, publish_scheduled unpublishes it at this time.', null=True),
        ),
        migrations.AddField(
            model_name='reference',
            name='unpublish_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='reference',
            name='unpublish_requested_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created change request'), ('edit', 'Edited draft'), ('submit', 'Submitted for review'), ('comment', 'Commented'), ('approve', 'Approved'), ('request_changes', 'Requested changes'), ('reject', 'Rejected'), ('withdraw', 'Withdrew'), ('publish', 'Published'), ('unpublish', 'Unpublished'), ('revert', 'Started a revert'), ('confirm_reviewed', 'Confirmed still accurate'), ('remove', 'Removed an object from a change request'), ('schedule', 'Scheduled publishing'), ('unschedule', 'Cancelled scheduled publishing'), ('schedule_failed', 'Scheduled publishing failed'), ('schedule_unpublish', 'Scheduled unpublishing'), ('unschedule_unpublish', 'Cancelled scheduled unpublishing'), ('re_review', 'Sent back for re-review: a source it cites changed')], db_index=True, max_length=20),
        ),
        migrations.RunPython(references_live, migrations.RunPython.noop),
        migrations.RunPython(refresh_groups, restore_direct_reference_editing),
    ]
