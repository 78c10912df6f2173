"""manage.py shell script: an approved change request editing N synthetic objects, ready to publish.

Env: BENCH_OBJECTS (default 10), BENCH_SUMMARY (new summary text), BENCH_SLUG_FROM (first synthetic trial
number). Prints the change request's id.
"""

import os

from django.contrib.auth import get_user_model

from therapies import workflow
from therapies.models import Trial

User = get_user_model()
editor = User.objects.get(username="bench-editor")
reviewer = User.objects.get(username="bench-reviewer")
count = int(os.environ.get("BENCH_OBJECTS", "10"))
start = int(os.environ.get("BENCH_SLUG_FROM", "1"))
summary = os.environ.get(
    "BENCH_SUMMARY", "Edited by the bench. Synthetic content for load testing — not medical information."
)
change = workflow.start_change_request(user=editor, title=f"Bench: edit {count} synthetic trials")
for trial in Trial.objects.filter(slug__in=[f"synthetic-trial-{n:05d}" for n in range(start, start + count)]):
    revision = workflow.add_object(change_request=change, user=editor, obj=trial)
    snapshot = revision.snapshot
    snapshot["fields"]["summary"] = summary[:300]
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
workflow.submit(change_request=change, user=editor, change_note="Bench edit of synthetic trials.")
workflow.approve(change_request=change, user=reviewer)
print(f"CHANGE_REQUEST={change.pk}")
