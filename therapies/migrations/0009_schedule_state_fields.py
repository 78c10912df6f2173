"""The schedule as state in fields, and scheduling as audit actions of their own (issue 10, part 3).

Schema: ChangeRequest.scheduled_by, schedule_failed_at and schedule_failure; on every content kind
unpublish_reason and unpublish_requested_by; five new audit actions.

Data, for today's rows (the workflow used to read all of this back out of AuditEvent.details):

- an approved change request with publish_at set gets scheduled_by from its latest schedule event
  (details.schedule == "scheduled"), or its approver when there is none (what the old code fell
  back to);
- an approved, unscheduled change request whose latest schedule or approval event is a failed
  scheduled publish (details.schedule == "failed") gets that failure's time and error;
- a page with unpublish_at set gets the reason and requester of its latest scheduled-unpublish
  event.

Decision on the old events: they are relabelled (APPROVE + schedule → SCHEDULE / UNSCHEDULE,
COMMENT + failed → SCHEDULE_FAILED, UNPUBLISH + scheduled / cancelled → SCHEDULE_UNPUBLISH /
UNSCHEDULE_UNPUBLISH). Left alone, the log would call a schedule "Approved" and a failed cron run
a comment, and a filter by action would miss every schedule made before today. Only the action
label changes: actor, time, object and details stay as written, and details.schedule still says
what each event was, so the relabel is exact in both directions. On PostgreSQL the append-only
trigger (0004) refuses every UPDATE, so this migration disables it around its own UPDATE
statements only; ALTER TABLE holds an ACCESS EXCLUSIVE lock on the audit table until the
migration commits, so no other session can write through the gap, and a failure rolls the
DISABLE back with everything else.

Reversible: backwards relabels the events to the old actions (the new code still writes the
details the old code read, so events written after this migration read correctly there too) and
drops the fields, whose content the old code derives from those events.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

AUDIT_TABLE = "therapies_auditevent"
AUDIT_TRIGGER = "therapies_auditevent_append_only"
CONTENT_MODELS = ("therapy", "trial", "risk")  # the content kinds as they were at this migration

# (old action, details.schedule, new action)
RELABELS = [
    ("approve", "scheduled", "schedule"),
    ("approve", "cancelled", "unschedule"),
    ("comment", "failed", "schedule_failed"),
    ("unpublish", "scheduled", "schedule_unpublish"),
    ("unpublish", "cancelled", "unschedule_unpublish"),
]


def _relabel(apps, schema_editor, pairs: list[tuple[str, str, str]]) -> None:
    """Change the action of matching audit events, with the append-only trigger off for just these statements."""
    AuditEvent = apps.get_model("therapies", "AuditEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER {AUDIT_TRIGGER}")
    for old, schedule, new in pairs:
        AuditEvent.objects.filter(action=old, details__schedule=schedule).update(action=new)
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER {AUDIT_TRIGGER}")


def relabel_events(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, RELABELS)


def restore_event_labels(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, [(new, schedule, old) for old, schedule, new in RELABELS])


def fill_schedule_state(apps, schema_editor) -> None:
    """Carry who scheduled, the last failure and the unpublish requests over from the (relabelled) log."""
    ChangeRequest = apps.get_model("therapies", "ChangeRequest")
    AuditEvent = apps.get_model("therapies", "AuditEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    newest_first = ("-created_at", "-pk")

    for change_request in ChangeRequest.objects.filter(state="approved", publish_at__isnull=False):
        event = (AuditEvent.objects.filter(change_request=change_request, action="schedule",
                                           details__schedule="scheduled").order_by(*newest_first).first())
        scheduled_by = event.actor_id if event and event.actor_id else change_request.approved_by_id
        ChangeRequest.objects.filter(pk=change_request.pk).update(scheduled_by=scheduled_by)

    for change_request in ChangeRequest.objects.filter(state="approved", publish_at__isnull=True):
        # The old review page showed a failure until the next schedule, cancellation or approval.
        latest = (AuditEvent.objects.filter(change_request=change_request,
                                            action__in=["schedule", "unschedule", "schedule_failed", "approve"])
                  .order_by(*newest_first).first())
        if latest is not None and latest.action == "schedule_failed":
            ChangeRequest.objects.filter(pk=change_request.pk).update(
                schedule_failed_at=latest.created_at, schedule_failure=(latest.details or {}).get("error", ""))

    for model_name in CONTENT_MODELS:
        model = apps.get_model("therapies", model_name)
        content_type = ContentType.objects.filter(app_label="therapies", model=model_name).first()
        if content_type is None:
            continue  # no content type yet, so no audit event can name one of its rows
        for pk in model.objects.filter(unpublish_at__isnull=False).values_list("pk", flat=True):
            event = (AuditEvent.objects.filter(content_type=content_type, object_id=pk, action="schedule_unpublish",
                                               details__schedule="scheduled").order_by(*newest_first).first())
            if event is not None:
                model.objects.filter(pk=pk).update(unpublish_reason=(event.details or {}).get("reason") or "",
                                                   unpublish_requested_by=event.actor_id)


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0008_publish_state_set_by_workflow_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='changerequest',
            name='schedule_failed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the last scheduled publish did not happen.', null=True),
        ),
        migrations.AddField(
            model_name='changerequest',
            name='schedule_failure',
            field=models.TextField(blank=True, editable=False, help_text='Why the last scheduled publish did not happen (until rescheduled).'),
        ),
        migrations.AddField(
            model_name='changerequest',
            name='scheduled_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='The reviewer who set publish_at: the scheduled publish happens in their name.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='risk',
            name='unpublish_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='risk',
            name='unpublish_requested_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='therapy',
            name='unpublish_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='therapy',
            name='unpublish_requested_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trial',
            name='unpublish_reason',
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name='trial',
            name='unpublish_requested_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('create', 'Created change request'), ('edit', 'Edited draft'), ('submit', 'Submitted for review'), ('comment', 'Commented'), ('approve', 'Approved'), ('request_changes', 'Requested changes'), ('reject', 'Rejected'), ('withdraw', 'Withdrew'), ('publish', 'Published'), ('unpublish', 'Unpublished'), ('revert', 'Started a revert'), ('confirm_reviewed', 'Confirmed still accurate'), ('remove', 'Removed an object from a change request'), ('schedule', 'Scheduled publishing'), ('unschedule', 'Cancelled scheduled publishing'), ('schedule_failed', 'Scheduled publishing failed'), ('schedule_unpublish', 'Scheduled unpublishing'), ('unschedule_unpublish', 'Cancelled scheduled unpublishing')], db_index=True, max_length=20),
        ),
        # Relabel first: fill_schedule_state reads the log by the new actions.
        migrations.RunPython(relabel_events, restore_event_labels),
        # Nothing to undo backwards: removing the fields removes what this wrote.
        migrations.RunPython(fill_schedule_state, migrations.RunPython.noop),
    ]
