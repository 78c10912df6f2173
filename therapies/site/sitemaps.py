"""/sitemap.xml (django.contrib.sitemaps): live content only, lastmod from the last publish.

One section per content kind with a public page (models/kinds.py), plus the fixed pages.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from ..models import ContentKind, page_kinds


class ContentSitemap(Sitemap):
    changefreq = "monthly"

    def __init__(self, kind: ContentKind) -> None:
        self.kind = kind
        self.priority = kind.sitemap_priority

    def items(self):
        return self.kind.model.objects.live().only("slug", "last_published_at").order_by("pk")

    def location(self, obj) -> str:
        return self.kind.public_url(obj)

    def lastmod(self, obj):
        return obj.last_published_at


class StaticPagesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    # "updates" is listed when that page exists; "choose" is the decision aid (/choose/, issue 25).
    names = ["home", *(kind.list_url_name for kind in page_kinds()), "choose", "about", "updates"]

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
    **{kind.plural: ContentSitemap(kind) for kind in page_kinds()},
    "pages": StaticPagesSitemap,
}
