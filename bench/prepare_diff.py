"""manage.py shell script: change requests whose review pages carry 5,000-word text diffs (issue 15).

For each case, a seed therapy's body is first published as a 5,000-word text (reviewed like any change),
then a second change request rewrites it and is submitted: its review page diffs the two.
  unrelated   the new body shares nothing but common words with the old (two unrelated texts)
  edited 10%  one word in ten of the old body replaced, inserted or removed, scattered through it
Prints DIFF_JSON={"unrelated": <change request id>, "edited 10%": <id>} for bench/review_timing.py.
"""

import json
import random
import sys
from pathlib import Path

from django.contrib.auth import get_user_model

from therapies import workflow
from therapies.models import Therapy, limits

sys.path.insert(0, str(Path("bench").resolve()))
from changes import submitted_change

User = get_user_model()
editor = User.objects.get(username="bench-editor")
reviewer = User.objects.get(username="bench-reviewer")
rng = random.Random(15)  # noqa: S311  repeatable bench text, not a secret
vocabulary = sorted({word.strip(".,;:()*[]`'\"").lower() for therapy in Therapy.objects.all()
                     for word in f"{therapy.body} {therapy.mechanism} {therapy.monitoring}".split()} - {""})
vocabulary = [word for word in vocabulary if word.isalpha() and len(word) <= 9]


def text(words: int) -> str:
    """Plain prose in paragraphs of 3–6 sentences of 8–25 words."""
    paragraphs, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            length = min(rng.randint(8, 25), words - count) or 1
            sentence = [rng.choice(vocabulary) for _ in range(length)]
            sentences.append(" ".join(sentence).capitalize() + ".")
            count += length
            if count >= words:
                break
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def edited(body: str, share: float) -> str:
    words = body.split(" ")
    for _ in range(int(len(words) * share)):
        where, what = rng.randrange(len(words)), rng.random()
        if what < 0.4:
            words[where] = rng.choice(vocabulary)
        elif what < 0.7:
            words.insert(where, rng.choice(vocabulary))
        else:
            del words[where]
    return " ".join(words)


def change_body(slug: str, body: str, *, publish: bool) -> int:
    assert len(body) <= limits.MAIN_TEXT, f"{len(body)} characters is over the body limit"
    therapy = Therapy.objects.get(slug=slug)
    change = submitted_change(editor, therapy, "body", body, title=f"Bench: {len(body.split())}-word body of {therapy}",
                              note="Bench: a long body for the diff benchmark.")
    if publish:
        workflow.approve(change_request=change, user=reviewer)
        workflow.publish(change_request=change, user=reviewer)
    return change.pk


cases = {}
old = text(5000)
change_body("cladribine", old, publish=True)
cases["unrelated"] = change_body("cladribine", text(5000), publish=False)
old = text(5000)
change_body("fingolimod", old, publish=True)
cases["edited 10%"] = change_body("fingolimod", edited(old, 0.10), publish=False)
print("DIFF_JSON=" + json.dumps(cases))
