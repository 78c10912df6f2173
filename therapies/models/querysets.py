"""The one definition of "published" (Wagtail's live_q()/live() pattern).

Every public view, list, count, feed, sitemap and search goes through `.live()`
or `live_q()`, so a draft or unpublished object can't leak through a query that
forgot a filter; code holding one object asks `obj.is_live`. Only the workflow's
publishing code writes the field (tests/test_one_definition.py keeps it that way).
"""

from django.db import models


def live_q(prefix: str = "") -> models.Q:
    """Q object matching live rows; `prefix` reaches them across a relation ("risk__")."""
    return models.Q(**{f"{prefix}live": True})


class LiveQuerySet(models.QuerySet):
    def live(self) -> "LiveQuerySet":
        return self.filter(live_q())

    def not_live(self) -> "LiveQuerySet":
        return self.exclude(live_q())


class TherapyRiskQuerySet(models.QuerySet):
    def live(self) -> "TherapyRiskQuerySet":
        """Links the public may see: both ends are live."""
        return self.filter(live_q("therapy__") & live_q("risk__"))


class Publishable:
    """The same rule as live_q(), for one object already in memory (a trial's therapy, a risk's links).

    Templates and views test `obj.is_live`, never the field, so "published" keeps one definition.
    """

    @property
    def is_live(self) -> bool:
        return bool(self.live)
