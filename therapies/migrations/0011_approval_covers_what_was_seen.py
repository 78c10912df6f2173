"""An approval covers what the reviewer saw (DESIGN.md rule 9), and a scheduled publish can record a full review (rule 6).

ChangeRequest.approved_digest: the digest of the change request when it was approved
(workflow/seen.py); publishing refuses one that no longer matches. Change requests approved
before this migration have none, and are published as before.

ChangeRequest.scheduled_full_review: the reviewer who scheduled it ticked that every page was
reviewed in full, so the scheduled publish moves "Last reviewed" (cleared with the schedule).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('therapies', '0010_reference_is_a_content_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='changerequest',
            name='approved_digest',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='changerequest',
            name='scheduled_full_review',
            field=models.BooleanField(default=False, editable=False, help_text='The reviewer who scheduled it reviewed every page in full: the scheduled publish records a full review (rule 6).'),
        ),
    ]
