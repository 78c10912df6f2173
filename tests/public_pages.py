"""Every public page, from the URL conf and the sitemap rather than typed by hand, so a new page is covered.

`public_page_urls()` walks therapies/site/urls.py (and the API's URLs under it): a route without
arguments is one page (its answer decides whether it is an HTML page); a route with arguments is
reached through the sitemap (one live page of each content kind) or, for the correction form, through
each kind with a page. A few pages also get the query a reader would add (EXAMPLE_QUERIES), and a
missing page gives the 404. Whoever adds a route with arguments that none of these reach is told so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from therapies.models import page_kinds

# The query a reader adds to a page, by route name; the bare page is listed too.
EXAMPLE_QUERIES = {
    "compare": ["?t=ocrelizumab&t=natalizumab", "?t=ocrelizumab&t=natalizumab&t=fingolimod&t=alemtuzumab"],
    "search": ["?q=Tysabri", "?q=liver"],
    "therapy_list": ["?course=PPMS"],
    "choose": ["?course=RRMS&region=eu&pregnancy=yes&visits=few&priority=relapses&all=1"],
}
MISSING = "/no-such-page/"
# Routes with arguments, and how each is reached: "sitemap" (one live page per kind), or a builder.
REACHED_BY_SITEMAP = {kind.url_name for kind in page_kinds()}
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def site_routes(resolver=None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(route, pattern) of every public URL, the API's included."""
    resolver = resolver or get_resolver("therapies.site.urls")
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from site_routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _sitemap_paths(client: Client) -> list[str]:
    root = ET.fromstring(client.get(reverse("sitemap")).content)
    return [url.find("s:loc", NS).text.replace("http://testserver", "") for url in root.findall("s:url", NS)]


def _one_per_kind(paths: list[str]) -> list[str]:
    """The first sitemap entry of each content kind, and every fixed page."""
    chosen, seen = [], set()
    for path in paths:
        section = path.strip("/").split("/")[0] if path.count("/") > 2 else path
        if section not in seen:
            seen.add(section)
            chosen.append(path)
    return chosen


def _correction_forms() -> list[str]:
    urls = []
    for kind in page_kinds():
        row = kind.model.objects.live().order_by("pk").first()
        if row is not None:
            urls.append(reverse("suggest_correction", args=[kind.name, row.slug]))
    return urls


def _alert_links() -> dict[str, list[str]]:
    """The signed pages of email alerts (issue 26), as a reader reaches them from an email."""
    from therapies.editorial import alert_links

    choice = alert_links.Choice(email="reader@example.org", therapy_id=None, level="safety", frequency="immediate")
    token = alert_links.manage_token(0, "reader@example.org")
    return {
        "alerts_confirm": [reverse("alerts_confirm", args=[alert_links.confirm_token(choice)])],
        "alerts_manage": [reverse("alerts_manage", args=[token])],
        "alerts_unsubscribe": [reverse("alerts_unsubscribe", args=[token])],
    }


def _with_arguments() -> dict[str, list[str]]:
    forms = _correction_forms()
    return {"suggest_correction": forms, "correction_thanks": [f"{url}thanks/" for url in forms], **_alert_links()}


# Routes with arguments that are no page of their own: /trials/NCT…/ redirects to the trial's page.
NOT_PAGES = {"trial_by_nct_id"}
JSON_API = "api/"  # the API answers JSON; its one page (the docs) takes no arguments


def public_page_urls(client: Client | None = None, *, every_content_page: bool = False) -> list[str]:
    """Every public HTML page a reader can reach (one of each kind of content page, or all of them), then the 404."""
    client = client or Client()
    built = _with_arguments()
    urls: list[str] = []
    unreached = []
    for route, pattern in site_routes():
        if pattern.pattern.regex.groups:
            if pattern.name in built:
                urls += built[pattern.name]
            elif pattern.name not in REACHED_BY_SITEMAP | NOT_PAGES and not route.startswith(JSON_API):
                unreached.append(route)
            continue
        url = "/" + route
        urls.append(url)
        urls += [url + query for query in EXAMPLE_QUERIES.get(pattern.name, [])]
    assert not unreached, f"Routes with arguments that tests/public_pages.py does not reach: {unreached}"
    listed = _sitemap_paths(client)
    urls += [path for path in (listed if every_content_page else _one_per_kind(listed)) if path not in urls]
    pages = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(url)
    return [*pages, MISSING]
