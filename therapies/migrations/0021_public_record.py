"""The public record is its own table (issue 21): one row per public event of a page, filled here from what
the change log and page histories showed before — published change requests (each page of each), public
unpublish events and "still accurate" confirmations from the audit log. Literals only: no application code.
"""

import django.db.models.deletion
import therapies.models.limits
from django.conf import settings
from django.db import migrations, models


PUBLISHED = "published"  # State.PUBLISHED
UNPUBLISH, CONFIRM_REVIEWED = "unpublish", "confirm_reviewed"  # AuditAction values
SIGNIFICANCES = ("minor", "major", "safety")


def fill_public_record(apps, schema_editor):
    ChangeRequest = apps.get_model("therapies", "ChangeRequest")
    Revision = apps.get_model("therapies", "Revision")
    AuditEvent = apps.get_model("therapies", "AuditEvent")
    PublicChange = apps.get_model("therapies", "PublicChange")
    rows = []
    change_requests = ChangeRequest.objects.filter(state=PUBLISHED, published_at__isnull=False).in_bulk()
    revisions = Revision.objects.filter(change_request__in=list(change_requests), published_at__isnull=False)
    for change_request_id, content_type_id, object_id, object_repr in revisions.order_by("pk").values_list(
        "change_request_id", "content_type_id", "object_id", "object_repr"
    ):
        change_request = change_requests[change_request_id]
        rows.append(PublicChange(
            kind="publish", content_type_id=content_type_id, object_id=object_id, object_repr=object_repr[:200],
            significance=change_request.significance, note=change_request.change_note,
            at=change_request.published_at, change_request_id=change_request_id,
        ))
    # Unpublishes were shown only when recorded with a public reason (details "public": true, issue 14).
    unpublishes = AuditEvent.objects.filter(action=UNPUBLISH, content_type__isnull=False, object_id__isnull=False)
    for event in unpublishes.order_by("pk"):
        if event.details.get("public") is not True:
            continue
        significance = event.details.get("significance", "")
        rows.append(PublicChange(
            kind="unpublish", content_type_id=event.content_type_id, object_id=event.object_id,
            object_repr=event.object_repr, significance=significance if significance in SIGNIFICANCES else "",
            note=str(event.details.get("reason", "")), at=event.created_at,
        ))
    confirmations = AuditEvent.objects.filter(
        action=CONFIRM_REVIEWED, content_type__isnull=False, object_id__isnull=False
    )
    for event in confirmations.order_by("pk"):
        rows.append(PublicChange(
            kind="confirm", content_type_id=event.content_type_id, object_id=event.object_id,
            object_repr=event.object_repr, at=event.created_at,
        ))
    rows.sort(key=lambda row: row.at)  # ids in the order things happened
    PublicChange.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('therapies', '0020_practical_facts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created change request'), ('edit', 'Edited draft'), ('submit', 'Submitted for review'), ('comment', 'Commented'), ('approve', 'Approved'), ('request_changes', 'Requested changes'), ('reject', 'Rejected'), ('withdraw', 'Withdrew'), ('publish', 'Published'), ('unpublish', 'Unpublished'), ('revert', 'Started a revert'), ('confirm_reviewed', 'Confirmed still accurate'), ('remove', 'Removed an object from a change request'), ('schedule', 'Scheduled publishing'), ('unschedule', 'Cancelled scheduled publishing'), ('schedule_failed', 'Scheduled publishing failed'), ('schedule_unpublish', 'Scheduled unpublishing'), ('unschedule_unpublish', 'Cancelled scheduled unpublishing'), ('re_review', 'Sent back for re-review: a source it cites changed'), ('correct_public', 'Corrected the public wording of a change'), ('user_create', 'Created a user'), ('user_flags', "Changed a user's staff, superuser or active status"), ('role_add', 'Gave a user a group or permission'), ('role_remove', 'Took a group or permission from a user'), ('group_permissions', "Changed a group's permissions")], db_index=True, max_length=20),
        ),
        migrations.CreateModel(
            name='PublicChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('publish', 'Published'), ('unpublish', 'Taken off the site'), ('confirm', 'Confirmed still accurate')], db_index=True, max_length=10)),
                ('object_id', models.PositiveBigIntegerField()),
                ('object_repr', models.CharField(help_text="The page's name when it happened (an unpublished page is named, not linked).", max_length=200)),
                ('significance', models.CharField(blank=True, choices=[('minor', 'Minor'), ('major', 'Major'), ('safety', 'Safety')], max_length=10)),
                ('note', therapies.models.limits.BoundedTextField(blank=True, help_text='Public: the change note of a publish, the reason for taking a page off the site.', max_length=2000)),
                ('at', models.DateTimeField(db_index=True)),
                ('corrected_at', models.DateTimeField(blank=True, help_text='When a reviewer last corrected the note.', null=True)),
                ('change_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='public_changes', to='therapies.changerequest')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                ('corrected_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['content_type', 'object_id'], name='public_change_object')],
            },
        ),
        migrations.RunPython(fill_public_record, migrations.RunPython.noop),
    ]
