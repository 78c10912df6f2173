"""Search result snippets: a short excerpt of a hit's text, cut only between words, "…" wherever it was cut.

PostgreSQL's ts_headline chooses the fragments and marks the matched words with private-use sentinels;
`headline_snippet` finds each fragment in the text it came from and carries it on to the spaces either
side, because ts_headline ends a fragment at a word of its parser, not of the reader: "29%" became "29"
and "relapsing-remitting" could become "relapsing". On other databases `simple_snippet` takes a window
around the first match and moves its ends back to spaces. Either way the text is HTML-escaped first and
only then are the marks added, so content is never markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START_SEL = "\ue000"  # ts_headline's StartSel: before a matched word
STOP_SEL = "\ue001"  # StopSel: after it
FRAGMENT_SEL = "\ue002"  # FragmentDelimiter: between two fragments
SENTINELS = START_SEL + STOP_SEL + FRAGMENT_SEL
MARKDOWN_NOISE = re.compile(r"\*\*|__|`|^#+\s*|^\s*[-*]\s+", re.MULTILINE)
ELLIPSIS = "…"
WIDTH = 220  # characters of a simple snippet, before moving its ends to spaces
LEAD = 60  # characters shown before the first match in a simple snippet


def source_text(row: models.Model, fields: Iterable[str]) -> str:
    """The text a snippet is cut from: the fields joined by newlines, as search.py hands them to ts_headline."""
    return "\n".join(str(getattr(row, name) or "") for name in fields)


def plain(text: str) -> str:
    """Text as a snippet shows it: Markdown markers dropped, whitespace squeezed."""
    return " ".join(MARKDOWN_NOISE.sub("", text).split())


def _word_start(text: str, at: int) -> int:
    """The start of the word `at` falls in (`at` itself when it starts a word)."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    """The end of the word that ends at or runs past `at`."""
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def _cut(shown: str, *, before: bool, after: bool) -> str:
    return (f"{ELLIPSIS} " if before else "") + shown + (f" {ELLIPSIS}" if after else "")


def _marked(text: str) -> str:
    """Escape the text, then turn balanced sentinel pairs into <mark>; a stray sentinel is dropped."""
    html = escape(text)
    html = re.sub(f"{START_SEL}([^{SENTINELS}]*){STOP_SEL}", r"<mark>\1</mark>", html)
    return html.replace(START_SEL, "").replace(STOP_SEL, "")


def headline_snippet(headline: str, source: str) -> SafeString:
    """ts_headline's fragments (split by FRAGMENT_SEL) as HTML, each widened to whole words of `source`."""
    pieces: list[tuple[str, bool, bool]] = []  # (html, cut before it, cut after it)
    cursor = 0
    for fragment in (headline or "").split(FRAGMENT_SEL):
        bare = fragment.replace(START_SEL, "").replace(STOP_SEL, "")
        if not bare.strip():
            continue
        at = source.find(bare, cursor)
        if at < 0:
            at = source.find(bare)
        if at < 0:  # not found as it came (it always should be): shown as it is, cut on both sides
            pieces.append((_marked(plain(fragment)), True, True))
            continue
        end = at + len(bare)
        start, stop = _word_start(source, at), _word_end(source, end)
        cursor = stop
        text = plain(source[start:at] + fragment + source[end:stop])
        pieces.append((_marked(text), bool(source[:start].strip()), bool(source[stop:].strip())))
    if not pieces:
        return mark_safe("")
    html = f" {ELLIPSIS} ".join(piece for piece, _, _ in pieces)
    return mark_safe(_cut(html, before=pieces[0][1], after=pieces[-1][2]))  # noqa: S308  escaped in _marked


def simple_snippet(text: str, words: list[str], width: int = WIDTH) -> SafeString:
    """About `width` characters around the first of `words` found, cut between words, matches marked."""
    text = plain(text)
    lowered = text.lower()
    positions = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = _word_start(text, max(0, min(positions) - LEAD)) if positions else 0
    end = len(text)
    if start + width < len(text):
        end = text.rfind(" ", start, start + width + 1)
        if end <= start:  # one word longer than the whole window: keep it whole
            end = _word_end(text, start + width)
    excerpt = text[start:end]
    # Mark matches in the raw text, escaping each piece, so a word can never match inside markup or an entity.
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(excerpt):
        pieces += [escape(excerpt[last : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        last = match.end()
    html = "".join(pieces) + escape(excerpt[last:])
    return mark_safe(_cut(html, before=start > 0, after=end < len(text)))  # noqa: S308  every piece escaped


def plain_snippet(text: str) -> SafeString:
    """A whole short text (an exact match's summary), escaped."""
    return escape(plain(text))
