"""manage.py shell script: time publishing 10-object change requests through workflow.publish.

Prepares BENCH_ROUNDS approved change requests of 10 synthetic trials each and times each publish
(the transaction, the audit event, and the on-commit listeners: page-cache version, search index,
email outbox). Prints one JSON line with the median and the worst.
"""

import json
import os
import statistics
import time

from django.contrib.auth import get_user_model

from therapies import workflow
from therapies.models import Trial

User = get_user_model()
editor = User.objects.get(username="bench-editor")
reviewer = User.objects.get(username="bench-reviewer")
rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
times = []
for round_number in range(rounds):
    first = 15000 + round_number * 10
    change = workflow.start_change_request(user=editor, title=f"Bench publish round {round_number + 1}")
    for trial in Trial.objects.filter(slug__in=[f"synthetic-trial-{n:05d}" for n in range(first, first + 10)]):
        revision = workflow.add_object(change_request=change, user=editor, obj=trial)
        snapshot = revision.snapshot
        result = snapshot["fields"]["headline_result"]
        snapshot["fields"]["headline_result"] = f"Bench round {round_number + 1}: {result}"
        workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    workflow.submit(change_request=change, user=editor, change_note="Bench publish timing.")
    workflow.approve(change_request=change, user=reviewer)
    assert change.revisions.count() == 10
    started = time.perf_counter()
    workflow.publish(change_request=change, user=reviewer)
    times.append((time.perf_counter() - started) * 1000)
print("PUBLISH_JSON=" + json.dumps({"median_ms": round(statistics.median(times), 1),
                                    "max_ms": round(max(times), 1), "n": rounds, "objects": 10}))
