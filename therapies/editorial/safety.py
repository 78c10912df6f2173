"""Which drafted changes are safety changes, so their significance is proposed as "safety".

A change request that adds a risk to a therapy, changes how often a risk occurs with a therapy
(its CIOMS frequency category) or changes a boxed-warning flag is a safety update for readers:
the change log and the page history flag it, and the feed lets clinicians follow just those.
workflow.py raises the significance automatically when such a draft is saved; the reviewer
confirms or changes it when approving.
"""

from django.db import models

from ..models import Frequency, Risk, Therapy


def _risk_rows(snapshot: dict | None) -> dict[int, dict]:
    if not snapshot:
        return {}
    return {row["risk"]: row for row in snapshot.get("children", {}).get("therapy_risks", [])}


def _risk_name(risk_id: int, names: dict[int, Risk]) -> str:
    risk = names.get(risk_id)
    return risk.name if risk is not None else f"risk #{risk_id}"


def _frequency_label(value: str) -> str:
    try:
        return Frequency(value).label
    except ValueError:
        return value or "none"


def safety_reasons(model: type[models.Model], base_snapshot: dict | None, snapshot: dict) -> list[str]:
    """Why the change from `base_snapshot` (None for a new object) to `snapshot` is a safety change.

    An empty list means it is not one. At most one query (risk names), only when a risk link changed.
    """
    if model is Risk:
        before = bool((base_snapshot or {}).get("fields", {}).get("boxed_warning", False))
        after = bool(snapshot.get("fields", {}).get("boxed_warning", False))
        name = snapshot.get("fields", {}).get("name", "this risk")
        if before != after:
            return [f"{name}: boxed warning {'added' if after else 'removed'}"]
        return []
    if model is not Therapy:
        return []
    therapy = snapshot.get("fields", {}).get("name", "this therapy")
    old, new = _risk_rows(base_snapshot), _risk_rows(snapshot)
    changes: list[tuple[int, str]] = []
    for risk_id, row in new.items():
        previous = old.get(risk_id)
        if previous is None:
            changes.append((risk_id, "added"))
            if row.get("boxed_warning"):
                changes.append((risk_id, "boxed warning added"))
            continue
        if previous.get("frequency") != row.get("frequency"):
            changes.append(
                (risk_id, f"frequency {_frequency_label(previous.get('frequency'))} → "
                          f"{_frequency_label(row.get('frequency'))}")
            )
        if bool(previous.get("boxed_warning")) != bool(row.get("boxed_warning")):
            changes.append((risk_id, f"boxed warning {'added' if row.get('boxed_warning') else 'removed'}"))
    for risk_id, row in old.items():
        if risk_id not in new and row.get("boxed_warning"):
            changes.append((risk_id, "removed, with its boxed warning"))
    if not changes:
        return []
    names = Risk.objects.in_bulk({risk_id for risk_id, _ in changes})
    return [f"{therapy}: {_risk_name(risk_id, names)} {what}" for risk_id, what in changes]
