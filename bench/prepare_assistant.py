"""manage.py shell script: change requests whose review pages run the reviewer assistant on hostile texts (issue 23).

Each case sets one seed risk's description (a 40,000-character Markdown text) to a text at the length limit
shaped to make a number pattern backtrack (security finding N1: 39,990 digits took 96 s), and submits it.
Prints ASSISTANT_JSON={"40,000 digits": <change request id>, ...} for bench/review_timing.py.
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model

from therapies.models import Risk, limits

sys.path.insert(0, str(Path("bench").resolve()))
from changes import submitted_change

HOSTILE = {
    "assistant: 40,000 digits": "1" * limits.MAIN_TEXT,
    "assistant: 20,000 × '1.'": "1." * (limits.MAIN_TEXT // 2),
    "assistant: 20,000 × '1,'": "1," * (limits.MAIN_TEXT // 2),
    "assistant: 13,000 × '1% '": "1% " * (limits.MAIN_TEXT // 3),
}

editor = get_user_model().objects.get(username="bench-editor")
risks = list(Risk.objects.order_by("pk")[: len(HOSTILE)])
assert len(risks) == len(HOSTILE), "the seed has fewer risks than hostile texts"
cases = {}
for (case, text), risk in zip(HOSTILE.items(), risks, strict=True):
    change = submitted_change(editor, risk, "description", text, title=f"Bench: {case}",
                              note="Bench: a hostile text for the assistant's bound.")
    cases[case] = change.pk
print("ASSISTANT_JSON=" + json.dumps(cases))
