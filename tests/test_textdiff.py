"""The word diff's cost is bounded for any input (therapies/editorial/textdiff.py, issue 15).

Work is counted, never timed: every comparison the diff makes is paid from a Budget, so the
properties below check what it spent and that the output is still a faithful diff of the two texts.
"""

import html
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from therapies.editorial import textdiff
from therapies.editorial.textdiff import Budget, align, text_diff

TAGS = re.compile(r"</?(?:del|ins)>|<mark class=\"number-changed\">|</mark>")


def _plain(marked: str) -> str:
    return html.unescape(TAGS.sub("", marked))


def _prose(words: int, seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311  reproducible test text, not a secret
    vocabulary = [f"w{n}" for n in range(3000)] + ["the", "of", "and", "a", "in", "to"] * 200
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 20))) + ".")
    return "\n\n".join(" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))


def _edited(text: str, share: float, seed: int) -> str:
    rng = random.Random(seed)  # noqa: S311  reproducible test text, not a secret
    words = text.split(" ")
    for _ in range(int(len(words) * share)):
        words[rng.randrange(len(words))] = f"edited{rng.randrange(10**6)}"
    return " ".join(words)


# Texts built to be hard: few distinct words (so nothing is unique to anchor on), long repeats,
# punctuation and line breaks that make many tiny passages.
hard_text = st.lists(
    st.sampled_from(["a", "b", "a.", "b\n", "the", "of", "x", "\n\n", "[", "*"]), max_size=600
).map(" ".join)
any_text = st.one_of(hard_text, st.text(max_size=400))


@settings(max_examples=150, deadline=None)
@given(old=any_text, new=any_text)
def test_the_diff_shows_both_texts_exactly_and_marks_only_what_changed(old, new):
    result = text_diff(old, new)
    assert _plain(result.old_html) == old
    assert _plain(result.new_html) == new
    if old == new:
        assert "<del>" not in result.old_html and "<ins>" not in result.new_html


@settings(max_examples=150, deadline=None)
@given(old=hard_text, new=hard_text, allowance=st.integers(min_value=0, max_value=5000))
def test_the_diff_never_spends_more_than_its_budget_and_stays_faithful(old, new, allowance):
    budget = Budget(left=allowance)
    result = text_diff(old, new, budget)
    assert budget.spent <= allowance
    assert _plain(result.old_html) == old and _plain(result.new_html) == new


@settings(max_examples=100, deadline=None)
@given(a=st.lists(st.sampled_from("abcde"), max_size=300), b=st.lists(st.sampled_from("abcde"), max_size=300))
def test_alignment_is_a_common_subsequence_and_its_work_is_what_it_paid(a, b):
    steps = {"table": 0, "anchors": 0}
    table, anchors = textdiff._table_matches, textdiff._unique_anchors

    def counted_table(x, y):
        steps["table"] += len(x) * len(y)
        return table(x, y)

    def counted_anchors(x, alo, ahi, y, blo, bhi):
        steps["anchors"] += (ahi - alo) + (bhi - blo)
        return anchors(x, alo, ahi, y, blo, bhi)

    textdiff._table_matches, textdiff._unique_anchors = counted_table, counted_anchors
    try:
        budget = Budget(left=2000)
        pairs = align(a, b, budget)
    finally:
        textdiff._table_matches, textdiff._unique_anchors = table, anchors
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in zip(pairs, pairs[1:], strict=False))
    assert steps["table"] + steps["anchors"] <= budget.spent <= 2000


def test_two_unrelated_5000_word_texts_cost_at_most_the_page_budget_and_are_shown_as_rewritten():
    old, new = _prose(5000, 1), _prose(5000, 2)
    result = text_diff(old, new)
    assert result.comparisons <= textdiff.PAGE_BUDGET
    assert result.note.startswith("Rewritten")
    assert result.old_html.count("<del>") == 1 and result.new_html.count("<ins>") == 1  # replaced whole
    assert _plain(result.old_html) == old and _plain(result.new_html) == new


def test_a_10_percent_edit_of_a_5000_word_text_is_marked_word_by_word_within_the_budget():
    old = _prose(5000, 3)
    new = _edited(old, 0.10, 4)
    result = text_diff(old, new)
    assert result.note == ""
    assert result.comparisons <= textdiff.PAGE_BUDGET
    assert result.kept > 0.85
    assert result.new_html.count("<ins>edited") >= 0.8 * new.count("edited")
    assert _plain(result.new_html) == new


def test_a_text_over_the_word_limit_is_shown_in_full_without_comparing():
    old = "word " * (textdiff.MAX_WORDS + 1)
    budget = Budget()
    result = text_diff(old, old + "more", budget)
    assert result.note.startswith("Too long to compare")
    assert budget.spent == 0


def test_a_short_changed_text_is_marked_not_called_rewritten():
    result = text_diff("Ocrevus", "Kesimpta")
    assert (result.old_html, result.new_html, result.note) == ("<del>Ocrevus</del>", "<ins>Kesimpta</ins>", "")


def test_once_a_screen_has_spent_its_budget_later_texts_are_shown_in_full_with_a_note():
    budget = Budget(left=10)
    first = text_diff("one two three", "one two four", budget)
    second = text_diff("alpha beta gamma delta", "alpha beta gamma epsilon", budget)
    assert "<del>three</del>" in first.old_html
    assert second.note.startswith("Not compared word by word")
    # Still marked changed: both values whole, as removed and added (issue 23, N4).
    assert second.old_html == "<del>alpha beta gamma delta</del>"
    assert second.new_html == "<ins>alpha beta gamma epsilon</ins>"


def test_once_the_budget_is_spent_a_changed_number_is_still_marked_by_its_own_pass():
    """Security finding N4: decoy rewrites spent the budget, then "20 mg" → "200 mg" was shown without a mark."""
    budget = Budget(left=0)
    sentence = "Take 20 mg once a day; 1 in 100 people get a rash. "
    old = sentence * 500 + "Keep at 2–8 °C."
    new = sentence.replace("20", "200") + sentence * 499 + "Keep at 2–8 °C."
    result = text_diff(old, new, budget)
    assert result.note.startswith("Not compared word by word")
    assert result.new_html.startswith("<ins>") and result.old_html.startswith("<del>")
    assert result.new_html.count('<mark class="number-changed">') == 1
    assert 'Take <mark class="number-changed">200</mark> mg' in result.new_html
    assert result.old_html.count('<mark class="number-changed">20</mark>') == 1  # one 20 fewer in the new text
    assert _plain(result.new_html) == new


def test_a_text_too_long_to_compare_has_its_changed_numbers_marked_and_stays_escaped():
    old = "word " * (textdiff.MAX_WORDS + 1) + "<b>5 mg</b>"
    result = text_diff(old, old.replace("5 mg", "50 mg"))
    assert result.note.startswith("Too long to compare")
    assert '&lt;b&gt;<mark class="number-changed">50</mark> mg&lt;/b&gt;' in result.new_html
    assert "<b>" not in result.new_html


@pytest.mark.django_db
def test_the_review_page_shares_one_budget_so_many_large_revisions_are_shown_in_full(
    client, editor, reviewer, monkeypatch
):
    from django.urls import reverse

    from therapies import workflow
    from therapies.models import Risk, Therapy

    from .workflow_helpers import draft_change

    therapy = Therapy.objects.get(slug="ocrelizumab")
    change_request, _ = draft_change(editor, therapy, body=_edited(therapy.body, 0.2, 5))
    workflow.add_object(change_request=change_request, user=editor, obj=Risk.objects.get(slug="pml"))
    revision = change_request.revisions.get(object_id=Risk.objects.get(slug="pml").pk)
    snapshot = revision.snapshot
    snapshot["fields"]["description"] = _edited(snapshot["fields"]["description"], 0.2, 6)
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    monkeypatch.setattr(textdiff, "PAGE_BUDGET", 2000)  # the first revision's body spends it
    client.force_login(reviewer)
    page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert page.status_code == 200
    assert "Not compared word by word" in page.content.decode()
