"""What the public site needs of each content kind, and the registry it keeps them in (`SITE`).

The entries themselves are in site/kinds.py, one per kind; this module holds only their shape, so that the
code reading them (views, structured data, search results, the API index, the navigation) imports no view
or schema of a kind. The kinds system check (models/kinds.py) asks `site_problems` what an entry lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import URLPattern, path

from ..models.kinds import ContentKind, WingParts

# A search hit of a kind without its own partial: its title and what it follows, never another kind's fields.
GENERIC_RESULT = "therapies/includes/results/_generic.html"


@dataclass(frozen=True)
class ApiParts:
    """How the API serves a kind: its list (`list_<collection>`, URL name `<collection>`) and one object
    (`get_<kind name>`, URL name `<kind name>`), which answers with `schema` (site/api/schemas.py). Both
    operations are built from this entry (site/api/kind_operations.py); their docstrings are the functions'."""

    collection: str  # "therapies": /api/v1/therapies/, and the API index's key for it
    schema: type  # the schema of one object: TherapyOut
    # (**filters) -> the live rows the list shows, in a stable order; its keyword parameters (with their
    # annotations and `Query(...)` defaults) are the list's query parameters, its docstring the list's description.
    listed: Callable[..., Any]
    # (request, key) -> the one live object, or Http404 in words; its docstring is the operation's description.
    one: Callable[..., Any]
    summaries: tuple[str, str]  # the two operations' summaries: ("Live therapies", "One live therapy")
    example: str  # a key of seed content: what the API viewer's "Try it out" and schemathesis start from
    item_schema: type | None = None  # the schema of a list's item, if not `schema`: TherapySummary
    key: str = "slug"  # the path parameter naming one object


@dataclass(frozen=True)
class PageRoutes:
    """A kind's public URLs: its list at `path`, a page at `path<slug>/` (named by the kind's `list_url_name`
    and `url_name`), and any other route of the kind, tried before the page's (site/urls.py)."""

    path: str  # "therapies/"
    page: Callable[..., HttpResponse]  # (request, slug)
    listing: Callable[..., HttpResponse] | None = None  # (request); required when the kind has a `list_url_name`
    more: tuple[URLPattern, ...] = ()  # /trials/NCT01247324/, the redirect to the trial's page

    def patterns(self, kind: ContentKind) -> list[URLPattern]:
        listing = [path(self.path, self.listing, name=kind.list_url_name)] if self.listing else []
        return [*listing, *self.more, path(f"{self.path}<slug:slug>/", self.page, name=kind.url_name)]


@dataclass(frozen=True)
class SiteParts:
    """A kind's public page template, structured data, search-result partial and API."""

    # The public page's template (the draft preview renders it too); empty for a kind with no page of its own.
    template: str = ""
    # schema.org: what a page of this kind is about, (obj, url, request, page) -> more graph nodes
    # (site/structured_data.py). Required of a kind with a page.
    about: Callable[..., list[dict]] | None = None
    # How a search hit of this kind is shown: a partial given `hit`; empty gives GENERIC_RESULT.
    result: str = ""
    routes: PageRoutes | None = None  # its page's and list's URLs; required of a kind with a page
    api: ApiParts | None = None  # None: the API does not serve it

    @property
    def result_partial(self) -> str:
        return self.result or GENERIC_RESULT


def _template_problem(name: str, what: str) -> list[str]:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [f"its {what} “{name}” does not exist"]
    return []


def route_problems(kind: ContentKind, routes: PageRoutes | None) -> list[str]:
    """What a page kind's routes lack: a page at least, and a list exactly when the kind names one."""
    if routes is None:
        return ["no routes: the views of its page and list (PageRoutes)"]
    if kind.list_url_name and routes.listing is None:
        return [f"no list view for its list “{kind.list_url_name}”"]
    if routes.listing and not kind.list_url_name:
        return ["a list view, but no list_url_name to name it"]
    return []


def kind_routes(kinds: tuple[ContentKind, ...]) -> list[URLPattern]:
    """The public URLs of every kind with a page, in `kinds`' order (site/urls.py)."""
    return [pattern for kind in kinds if kind.has_page for pattern in SITE.of(kind).routes.patterns(kind)]


def site_problems(kind: ContentKind, parts: SiteParts) -> list[str]:
    """What a site entry lacks, in words."""
    problems: list[str] = []
    if kind.has_page:
        problems += _template_problem(parts.template, "page template") if parts.template else ["no page template"]
        if parts.about is None:
            problems.append("no structured data saying what its page is about")
        if parts.api is None:
            problems.append("its page is not served by the API")
        problems += route_problems(kind, parts.routes)
    elif parts.template or parts.about or parts.routes:
        problems.append("a page template, structured data or routes, but no page of its own (url_name)")
    if parts.result:
        problems += _template_problem(parts.result, "search-result partial")
        if kind.search is None:
            problems.append("a search-result partial, but it is not searched")
    return problems


SITE: WingParts[SiteParts] = WingParts("site", "therapies/site/kinds.py", site_problems)
