"""Frequency against figure: a CIOMS category its own figure contradicts, and a figure without a measure.

The CIOMS III bands (EU product information; models/content.py `Frequency`): very common ≥ 10%,
common 1 to < 10%, uncommon 0.1 to < 1%, rare 0.01 to < 0.1%, very rare < 0.01%. A figure's first
percentage ("12%", "34–40%", "<1%") or first "N in M" is read as the proportion it states; a figure
whose range overlaps no part of its category's band contradicts it ("12%" marked uncommon) unless the
row names what the label's category counts instead. All these rules are the models' own
(models/risk_figures.py `figure_errors`), read here so that a revision saved before they existed is
flagged too. Which child rows have a frequency is read from
the registry: rows whose fields include a field with the Frequency choices and a "figure".
"""

from collections.abc import Iterator

from ...models import Frequency
from ...models.risk_figures import FIGURE_FIELDS, figure_errors
from .proposal import Finding, Proposal


def _frequency_field(spec) -> str | None:
    names = [n for n in spec.fields if spec.model._meta.get_field(n).choices == Frequency.choices]
    return names[0] if names and "figure" in spec.fields else None


def _row_findings(row: dict, frequency: str) -> Iterator[tuple[str, str]]:
    """(field, what is wrong) for one row with a frequency: the models' own rules (models/risk_figures.py)."""
    values = {name: row.get(name) or "" for name in FIGURE_FIELDS}
    yield from figure_errors(**{**values, "frequency": row.get(frequency) or ""}).items()


def check(proposal: Proposal) -> Iterator[Finding]:
    for spec, row, _previous in proposal.changed_rows():
        frequency = _frequency_field(spec)
        if frequency is None:
            continue
        where = f"{proposal.name}, {proposal.row_name(spec, row[spec.key])}"
        for field, message in _row_findings(row, frequency):
            yield Finding("frequency", f"{where}: {message}", proposal.revision_id, field, spec.relation, row[spec.key])
