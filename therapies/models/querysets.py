"""The one definition of "published" (Wagtail's live_q()/live() pattern).

Every public view, list, count, feed, sitemap and search goes through
`.live()`, so a draft or unpublished object can't leak through a query that
forgot a filter.
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
