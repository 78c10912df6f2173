"""The admin wing: ModelAdmins (content.py, read-only live content; change requests; the audit log),
the editorial screens inside the admin (review.py, preview.py, dashboard.py) and the readers'
correction suggestions (corrections.py). Django's admin autodiscovery imports this package."""

from . import alerts, content, corrections, public_record  # noqa: F401  (registers the ModelAdmins)
