"""The word diff of one text field, with a cost bounded for any input (issue 15).

difflib's SequenceMatcher over word and whitespace tokens grows about cubically on unrelated texts:
two 2,000-word texts took 206 s, so a rewritten page could never be reviewed. This module aligns in
two steps, and every step is paid for from a `Budget` of comparisons:

1. **Passages** (sentences and lines) are aligned first: unchanged passages are matched whole.
2. **Words** are compared only inside the passages that changed.

Each alignment trims the common start and end, then anchors on items that occur exactly once on each
side (patience diff: the longest increasing run of such anchors, O(n log n)), and compares what lies
between anchors item by item (a longest-common-subsequence table) only when that gap is small. A gap
too large for the table, or a budget spent, is simply shown as removed-and-added: the diff stays
correct, only coarser. A text where fewer than `REWRITTEN_BELOW` of the words were kept is reported
as *rewritten*: the review screen says so and shows the old text removed and the new added, whole,
because word marks scattered across an unrelated text only hide what the reviewer needs to read. A
text over `MAX_WORDS` words, or one met after the screen's budget is spent, is shown whole, as removed
and added, with a note saying why: a change is never shown as unchanged (issue 23, N4). In every text
shown whole, a cheap pass of its own (`_NUMBER`, linear) marks each number one side has more often than
the other, so "20 mg" → "200 mg" stands out however much else the page holds.

Every piece of user text goes through `escape()` before it is wrapped in a tag.
"""

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString

MAX_WORDS = 20_000  # a side longer than this is not compared word by word at all
TABLE_CELLS = 40_000  # largest item-by-item table for one gap (items × items)
PAGE_BUDGET = 3_000_000  # comparisons one screen may spend on all its text diffs together
REWRITTEN_BELOW = 0.3  # fewer than 30% of the words kept: shown as rewritten …
REWRITTEN_FROM_WORDS = 50  # … when the text is at least this long (a changed name is marked, not "rewritten")
PASSAGE_WORDS = 40  # a passage ends at a sentence end, a line break or after this many words

_TOKEN = re.compile(r"^\s+|\S+\s*")
# A number, from its first digit (not inside a word such as "w516"), bounded: linear on any run of digits.
_NUMBER = re.compile(r"(?<![\w.,])\d{1,15}(?:[.,]\d{1,15}){0,6}")
_SENTENCE_END = (".", "!", "?", ":", ";")


@dataclass
class Budget:
    """Comparisons left for one screen. Shared by all its diffs, so a change request with many large
    revisions costs no more than one: once it is spent, the remaining texts are shown in full."""

    left: int = field(default_factory=lambda: PAGE_BUDGET)
    spent: int = 0
    exhausted: bool = False

    def spend(self, amount: int) -> bool:
        if amount > self.left:
            self.exhausted = True
            return False
        self.left -= amount
        self.spent += amount
        return True


@dataclass
class TextDiff:
    old_html: SafeString
    new_html: SafeString
    note: str = ""  # why the text is shown in full rather than word by word, for the reviewer
    kept: float = 1.0  # share of the words unchanged
    comparisons: int = 0  # what it cost, from the budget


def tokens(text: str) -> list[str]:
    """Words, each with the whitespace that follows it (leading whitespace is a token of its own)."""
    return _TOKEN.findall(text)


def _key(token: str) -> str:
    return token.rstrip()


def _passages(toks: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges of sentences and lines, at most PASSAGE_WORDS words each."""
    spans, start = [], 0
    for index, token in enumerate(toks):
        word = token.rstrip()
        if "\n" in token[len(word):] or word.endswith(_SENTENCE_END) or index + 1 - start >= PASSAGE_WORDS:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(toks):
        spans.append((start, len(toks)))
    return spans


# --- Alignment ------------------------------------------------------------------------------------


def align(a: list[str], b: list[str], budget: Budget) -> list[tuple[int, int]]:
    """Index pairs (i, j) with a[i] == b[j], increasing in both: a common subsequence, long where the
    budget allows. Work done is at most the budget spent plus O((n + m) log(n + m))."""
    matches: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:  # common start
            matches.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:  # common end
            matches.append((ahi - 1, bhi - 1))
            ahi, bhi = ahi - 1, bhi - 1
        n, m = ahi - alo, bhi - blo
        if not n or not m:
            continue
        if n * m <= TABLE_CELLS and budget.spend(n * m):
            matches += [(alo + i, blo + j) for i, j in _table_matches(a[alo:ahi], b[blo:bhi])]
            continue
        if not budget.spend(n + m):
            continue  # out of budget: this gap is shown as removed and added
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        # Between consecutive anchors (and before the first and after the last), align again.
        previous_i, previous_j = alo, blo
        for i, j in anchors:
            matches.append((i, j))
            stack.append((previous_i, i, previous_j, j))
            previous_i, previous_j = i + 1, j + 1
        if anchors:
            stack.append((previous_i, ahi, previous_j, bhi))
    matches.sort()
    return matches


def _unique_anchors(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """Items occurring once in a[alo:ahi] and once in b[blo:bhi], paired, and of those the longest run
    increasing on both sides (patience sorting)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    # Longest increasing subsequence of the b positions, in O(k log k).
    tails: list[int] = []  # b position ending the best run of each length
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect.bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[length] = j
            tail_index[length] = index
        previous[index] = tail_index[length - 1] if length else -1
    run = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(pairs[index])
        index = previous[index]
    return run[::-1]


def _table_matches(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """A longest common subsequence by the classic table: len(a) × len(b) steps (the caller pays)."""
    n, m = len(a), len(b)
    rows = [[0] * (m + 1)]
    for i in range(n):
        above, row, item = rows[-1], [0] * (m + 1), a[i]
        for j in range(m):
            if item == b[j]:
                row[j + 1] = above[j] + 1
            else:
                left, up = row[j], above[j + 1]
                row[j + 1] = left if left > up else up
        rows.append(row)
    pairs = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif rows[i - 1][j] >= rows[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


# --- From alignment to marked-up HTML --------------------------------------------------------------


def _word_matches(old: list[str], new: list[str], budget: Budget) -> list[tuple[int, int]]:
    """Matched word positions: passages aligned whole first, words compared inside changed ones."""
    old_spans, new_spans = _passages(old), _passages(new)
    old_units = ["\x00".join(_key(t) for t in old[s:e]) for s, e in old_spans]
    new_units = ["\x00".join(_key(t) for t in new[s:e]) for s, e in new_spans]
    matched_units = align(old_units, new_units, budget)
    old_keys, new_keys = [_key(t) for t in old], [_key(t) for t in new]
    words: list[tuple[int, int]] = []
    previous_i = previous_j = 0  # passages up to here are accounted for
    for ui, uj in [*matched_units, (len(old_spans), len(new_spans))]:
        # The changed passages between two matched ones: compare their words.
        a_start = old_spans[previous_i][0] if previous_i < len(old_spans) else len(old)
        a_end = old_spans[ui][0] if ui < len(old_spans) else len(old)
        b_start = new_spans[previous_j][0] if previous_j < len(new_spans) else len(new)
        b_end = new_spans[uj][0] if uj < len(new_spans) else len(new)
        if a_start < a_end and b_start < b_end:
            inner = align(old_keys[a_start:a_end], new_keys[b_start:b_end], budget)
            words += [(a_start + i, b_start + j) for i, j in inner]
        if ui < len(old_spans):
            start, end = old_spans[ui]
            new_start = new_spans[uj][0]
            words += [(start + k, new_start + k) for k in range(end - start)]
        previous_i, previous_j = ui + 1, uj + 1
    return words


def _wrap(tag: str, text: str) -> str:
    """Escape `text` and wrap it in `tag`, leaving leading and trailing whitespace outside."""
    core = text.strip()
    if not core:
        return escape(text)
    start = text.index(core)
    lead, trail = text[:start], text[start + len(core):]
    return f"{escape(lead)}<{tag}>{escape(core)}</{tag}>{escape(trail)}"


def _marked(old: list[str], new: list[str], matches: list[tuple[int, int]]) -> tuple[str, str]:
    old_parts: list[str] = []
    new_parts: list[str] = []
    i = j = 0
    for mi, mj in [*matches, (len(old), len(new))]:
        if i < mi:
            old_parts.append(_wrap("del", "".join(old[i:mi])))
        if j < mj:
            new_parts.append(_wrap("ins", "".join(new[j:mj])))
        if mi < len(old):
            old_parts.append(escape(old[mi]))
            new_parts.append(escape(new[mj]))
        i, j = mi + 1, mj + 1
    return "".join(old_parts), "".join(new_parts)


def text_diff(old: str, new: str, budget: Budget | None = None) -> TextDiff:
    """Escaped old and new text, removed words in `<del>`, added words in `<ins>`; or both in full with
    a note when the text was rewritten or is too large to compare (see the module docstring)."""
    budget = budget if budget is not None else Budget()
    before = budget.spent
    old_tokens, new_tokens = tokens(old), tokens(new)
    longest = max(len(old_tokens), len(new_tokens))
    if longest > MAX_WORDS:
        return _in_full(old, new, f"Too long to compare word by word (over {MAX_WORDS:,} words): both "
                                  "versions are shown whole, as removed and added, with the numbers that differ "
                                  "marked.")
    if not budget.spend(len(old_tokens) + len(new_tokens)):
        return _in_full(old, new, "Not compared word by word: this page has already compared as much text as "
                                  "it can. Both versions are shown whole, as removed and added, with the "
                                  "numbers that differ marked; open “Compare with the live page” for this "
                                  "draft to see its words marked.")
    matches = _word_matches(old_tokens, new_tokens, budget)
    kept = len(matches) / longest if longest else 1.0
    if old_tokens and new_tokens and longest >= REWRITTEN_FROM_WORDS and kept < REWRITTEN_BELOW:
        # All of the old text removed, all of the new added: scattered marks on the few words that happen to
        # match ("the", "of") would only hide what the reviewer has to read anyway.
        result = TextDiff(*_whole(old, new),
                          note=f"Rewritten: only {kept:.0%} of the words are unchanged, so the whole text is "
                               "shown as replaced rather than marked word by word.")
    else:
        old_html, new_html = _marked(old_tokens, new_tokens, matches)
        result = TextDiff(SafeString(old_html), SafeString(new_html))  # every piece escaped by _marked
    result.kept = kept
    result.comparisons = budget.spent - before
    return result


def _numbers_marked(text: str, changed: Counter) -> str:
    """`text` escaped, each number `changed` still counts for wrapped in <mark> (one occurrence per count)."""
    parts, end = [], 0
    for match in _NUMBER.finditer(text):
        if changed[match.group()] > 0:
            changed[match.group()] -= 1
            parts += [escape(text[end:match.start()]), f'<mark class="number-changed">{match.group()}</mark>']
            end = match.end()
    parts.append(escape(text[end:]))
    return "".join(parts)


def _whole(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The old text whole in <del>, the new whole in <ins>, and in each the numbers the other lacks marked."""
    old_numbers, new_numbers = Counter(_NUMBER.findall(old)), Counter(_NUMBER.findall(new))
    sides = []
    for tag, text, changed in (("del", old, old_numbers - new_numbers), ("ins", new, new_numbers - old_numbers)):
        sides.append(SafeString(f"<{tag}>{_numbers_marked(text, changed)}</{tag}>" if text else ""))
    return sides[0], sides[1]


def _in_full(old: str, new: str, note: str) -> TextDiff:
    return TextDiff(*_whole(old, new), note=note)
