"""/sitemap.xml (django.contrib.sitemaps): live content only, lastmod from the last publish."""

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from ..models import Risk, Therapy, Trial


class ContentSitemap(Sitemap):
    model = None
    changefreq = "monthly"

    def items(self):
        return self.model.objects.live().only("slug", "last_published_at").order_by("pk")

    def lastmod(self, obj):
        return obj.last_published_at


class TherapySitemap(ContentSitemap):
    model = Therapy
    priority = 0.9


class TrialSitemap(ContentSitemap):
    model = Trial
    priority = 0.6


class RiskSitemap(ContentSitemap):
    model = Risk
    priority = 0.7


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    # "updates" is listed when that page exists.
    names = ["home", "therapy_list", "trial_list", "risk_list", "about", "updates"]

    def items(self) -> list[str]:
        found = []
        for name in self.names:
            try:
                reverse(name)
            except NoReverseMatch:
                continue
            found.append(name)
        return found

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "therapies": TherapySitemap,
    "trials": TrialSitemap,
    "risks": RiskSitemap,
    "pages": StaticPagesSitemap,
}
