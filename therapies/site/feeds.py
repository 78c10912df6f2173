"""/updates/feed/: the public change log as an Atom feed (django.contrib.syndication).

The same entries as /updates/ (changelog.py), and the same ?significance= filter, so a
clinician can follow only safety updates.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..models import ChangeRequest, Significance
from .changelog import published_changes, significance_from, with_live_pages

FEED_ENTRIES = 50


class PlainTextSummaryAtomFeed(Atom1Feed):
    """Atom with each entry's summary marked `type="text"`.

    A change note is plain text. Django's Atom feed marks every summary `type="html"`, so a feed reader
    would render any markup an editor typed into a note ("<b>", a link) as HTML.
    """

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


@dataclass(frozen=True)
class FeedQuery:
    significance: str | None
    updates_url: str  # absolute, for entry ids


class UpdatesFeed(Feed):
    feed_type = PlainTextSummaryAtomFeed
    author_name = "msinfo editorial team"

    def get_object(self, request: HttpRequest, *args, **kwargs) -> FeedQuery:
        _form, significance = significance_from(request)
        return FeedQuery(significance, request.build_absolute_uri(reverse("updates")))

    def title(self, query: FeedQuery) -> str:
        if query.significance:
            return f"msinfo: {Significance.heading_of(query.significance).lower()}s"
        return "msinfo: updates"

    def subtitle(self, query: FeedQuery) -> str:
        return ("Changes to msinfo's pages on MS immunotherapies, each published after review by a "
                "second, qualified medical reviewer.")

    def link(self, query: FeedQuery) -> str:
        url = reverse("updates")
        return f"{url}?significance={query.significance}" if query.significance else url

    def feed_url(self, query: FeedQuery) -> str:
        url = reverse("updates_feed")
        return f"{url}?significance={query.significance}" if query.significance else url

    def items(self, query: FeedQuery) -> list[ChangeRequest]:
        changes = with_live_pages(list(published_changes(query.significance)[:FEED_ENTRIES]))
        for change in changes:
            change.feed_id = f"{query.updates_url}#update-{change.pk}"
        return changes

    def item_title(self, item: ChangeRequest) -> str:
        pages = ", ".join(str(page) for page in item.live_pages)
        return f"{item.significance_heading}: {pages}"

    def item_description(self, item: ChangeRequest) -> str:
        return item.change_note

    def item_link(self, item: ChangeRequest) -> str:
        return item.live_pages[0].get_absolute_url()

    def item_guid(self, item: ChangeRequest) -> str:
        return item.feed_id

    def item_pubdate(self, item: ChangeRequest):
        return item.published_at

    def item_updateddate(self, item: ChangeRequest):
        return item.published_at

    def item_categories(self, item: ChangeRequest) -> list[str]:
        return [item.significance]
