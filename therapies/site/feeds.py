"""/updates/feed/: the public change log as an Atom feed (django.contrib.syndication).

The same entries as /updates/ (changelog.py): published changes and pages taken off the site, with the same
?significance= filter, so a clinician can follow only safety updates.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..models import Significance
from .changelog import UNPUBLISH, entries_of, log_entries, significance_from

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

    def items(self, query: FeedQuery) -> list:
        entries = entries_of(log_entries(query.significance)[:FEED_ENTRIES])
        for entry in entries:
            # The same anchors as /updates/; an unpublished page has no page of its own to link to.
            anchor = f"unpublished-{entry.pk}" if entry.kind == UNPUBLISH else f"update-{entry.pk}"
            entry.feed_id = f"{query.updates_url}#{anchor}"
        return entries

    def item_title(self, item) -> str:
        if item.kind == UNPUBLISH:
            return f"{item.significance_heading}: {item.page_name} taken off the site"
        pages = ", ".join(str(page) for page in item.live_pages)
        return f"{item.significance_heading}: {pages}"

    def item_description(self, item) -> str:
        if item.corrected_at:
            return f"{item.note} (corrected {date(item.corrected_at, 'j F Y')})"
        return item.note

    def item_link(self, item) -> str:
        return item.feed_id if item.kind == UNPUBLISH else item.live_pages[0].get_absolute_url()

    def item_guid(self, item) -> str:
        return item.feed_id

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.corrected_at or item.at

    def item_categories(self, item) -> list[str]:
        return [item.significance] if item.significance else []
