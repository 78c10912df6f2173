"""Markdown to safe HTML, in bounded time for any text (issue 15).

Editors write Markdown; readers must never receive script, event handlers or `javascript:` links
from it, whoever wrote it. cmark-gfm (GitHub's C implementation of CommonMark, with its tables)
renders first, then nh3 (the Ammonia sanitizer) keeps only an allow-list of tags and attributes.

Why cmark-gfm rather than Python-Markdown: Python-Markdown's inline parser scans to the end of the
text for every unmatched `[`, so 12,000 of them took 15.6 s to render — on the preview, and on every
cache miss of a public page had such a text been approved. cmark-gfm is built and tested to run in
linear time on such input, and renders every seed text exactly as Python-Markdown did.

Two things stay expensive whatever the parser, so they are measured before the costly step and
such a text is shown as plain paragraphs instead (and refused when an editor saves it, through
`markdown_problem`, with the reason):

* **Deep nesting.** The sanitizer's HTML parser is quadratic in how deeply block elements nest (the
  ones HTML calls "special": quotes, lists, divs, tables, sections…): 40,000 nested quotes (`>>>>…`,
  40,000 characters) took 11 s to clean, 16,000 nested sections 0.95 s. Inline elements cost little
  however deep (16,000 nested <em>, <span> or <a>: 20–40 ms). Nothing readable nests blocks deeper
  than `MAX_NESTING`.
* **Tables.** GitHub tables pad every row to the header's width, so an 8,000-character table with
  1,000 columns became 5 MB of HTML. A text may hold at most `MAX_TABLE_CELLS` cells.

Everything else costs time in proportion to the text, which the field limits bound (models/limits.py).
"""

import re
from functools import lru_cache

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

MAX_NESTING = 24  # block elements inside block elements: lists in lists in quotes, with their paragraphs
MAX_TABLE_CELLS = 2_000  # all tables of one text together

# Raw HTML is passed to nh3, which keeps only the allow-list (editors may write <sup>2</sup>).
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
# The start of a block ("special") element's tag: "<ul" or "</ul". How it ends does not matter: the
# sanitizer's parser treats "<div/>" as an open <div> too. (cmark writes a text's own "<" as "&lt;", so
# every "<" here starts a tag.) Void elements (br, hr, img…) are left out: they never hold anything.
_BLOCK_NAMES = (
    "address applet article aside blockquote body button caption center code colgroup dd details dialog dir div "
    "dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup html iframe li "
    "listing main marquee menu nav noembed noframes noscript object ol p plaintext pre script search section "
    "select style summary table tbody td template textarea tfoot th thead title tr ul xmp"
).split()
_BLOCK_TAG = re.compile(rf"<(/?)(?:{'|'.join(_BLOCK_NAMES)})(?![a-z0-9-])")  # run on lower-cased HTML
# The container markers that open a line: quotes ">", list bullets "-", "+", "*" and numbers "1." or "1)".
_LINE_CONTAINERS = re.compile(r"^(?:[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))+", re.M)
_MARKER = re.compile(r">|[-+*]|\d{1,9}[.)]")
# A table's delimiter row, e.g. "| --- | :-: |": only pipes, dashes, colons and spaces.
_DELIMITER_ROW = re.compile(r"[ \t]*[|:-][|: \t-]*")


def render_markdown(text: str) -> SafeString:
    return mark_safe(_sanitised_html(text or ""))  # noqa: S308  nh3 allow-list sanitised just below


@lru_cache(maxsize=4096)
def _sanitised_html(text: str) -> str:
    """A pure function of the text, so each process keeps the most used results (pages re-render
    the same bodies on every request the page cache doesn't answer)."""
    html = _html_or_none(text)
    if html is None:
        html = _plain_paragraphs(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def markdown_problem(text: str) -> str | None:
    """Why this text would not be shown as formatted Markdown, in the editor's words; None when it will be."""
    cells = table_cells(text)
    if cells > MAX_TABLE_CELLS:
        return (f"Its tables would have {cells:,} cells; the limit is {MAX_TABLE_CELLS:,}. "
                "Split the table or shorten it.")
    depth = line_nesting(text)
    if depth <= MAX_NESTING:
        depth = nesting_depth(_cmark(text))
    if depth > MAX_NESTING:
        return (f"It nests lists, quotes or HTML {depth} levels deep; the limit is {MAX_NESTING}. "
                "Flatten the structure.")
    return None


def _html_or_none(text: str) -> str | None:
    """cmark's HTML for the text, or None when it would be too costly to sanitise (see the module docstring)."""
    if table_cells(text) > MAX_TABLE_CELLS or line_nesting(text) > MAX_NESTING:
        return None  # known before rendering: ">>>>…" would cost cmark a megabyte of HTML first
    html = _cmark(text)
    if nesting_depth(html) > MAX_NESTING:
        return None
    return html


def _cmark(text: str) -> str:
    return cmarkgfm.markdown_to_html_with_extensions(text, options=_CMARK_OPTIONS, extensions=["table"])


def _plain_paragraphs(text: str) -> str:
    """The text itself, escaped, one paragraph per blank-line-separated block."""
    blocks = (block.strip() for block in re.split(r"\n[ \t]*\n", text))
    return "".join(f"<p>{escape(block)}</p>" for block in blocks if block)


def nesting_depth(html: str) -> int:
    """How deeply block elements nest in `html`, counting every unclosed one as open: an upper bound. Linear.

    Usually the blocks opened at all are counted in C (str.count) and are too few to matter; only then
    is the HTML scanned tag by tag."""
    lowered = html.lower()
    opened = sum(lowered.count(f"<{name}") for name in _BLOCK_NAMES)  # over-counts "<p" in "<pre": fine
    if opened <= MAX_NESTING:
        return opened
    depth = deepest = 0
    for closing in _BLOCK_TAG.findall(lowered):
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def line_nesting(text: str) -> int:
    """The most quote and list markers opening one line ("> - > 1. x" is 4): a lower bound of the nesting
    cmark would build, found without rendering. Linear."""
    deepest = 0
    for prefix in _LINE_CONTAINERS.findall(text):
        deepest = max(deepest, len(_MARKER.findall(prefix)))
    return deepest


def table_cells(text: str) -> int:
    """An upper bound of the cells GitHub tables in `text` would render: for each delimiter row, its
    columns times the rows around it (the header and every following non-blank line). Linear."""
    lines = text.splitlines()
    cells = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if "|" in line and "-" in line and _DELIMITER_ROW.fullmatch(line):
            columns = len(re.findall(r"-+", line))
            end = index + 1
            while end < len(lines) and lines[end].strip():
                end += 1
            cells += columns * (end - index)  # the header row and the body rows
            index = end
        else:
            index += 1
    return cells
