"""What the public site needs of each content kind, and the registry it keeps them in (`SITE`).

The entries themselves are in site/kinds.py, one per kind; this module holds only their shape, so that the
code reading them (views, structured data, search results, the API index, the navigation) imports no view
or schema of a kind. The kinds system check (models/kinds.py) asks `site_problems` what an entry lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from ..models.kinds import ContentKind, WingParts

# A search hit of a kind without its own partial: its title and what it follows, never another kind's fields.
GENERIC_RESULT = "therapies/includes/results/_generic.html"


@dataclass(frozen=True)
class ApiParts:
    """How the API serves a kind: its list (`list_<collection>`, URL name `<collection>`) and one object
    (`get_<kind name>`, URL name `<kind name>`), which answers with `schema` (site/api/schemas.py)."""

    collection: str  # "therapies": /api/v1/therapies/, and the API index's key for it
    schema: type  # the schema of one object: TherapyOut


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


def site_problems(kind: ContentKind, parts: SiteParts) -> list[str]:
    """What a site entry lacks, in words."""
    problems: list[str] = []
    if kind.has_page:
        problems += _template_problem(parts.template, "page template") if parts.template else ["no page template"]
        if parts.about is None:
            problems.append("no structured data saying what its page is about")
        if parts.api is None:
            problems.append("its page is not served by the API")
    elif parts.template or parts.about:
        problems.append("a page template or structured data, but no page of its own (url_name)")
    if parts.result:
        problems += _template_problem(parts.result, "search-result partial")
        if kind.search is None:
            problems.append("a search-result partial, but it is not searched")
    return problems  # and site/kinds.py checks that the API's operations exist (`api_problems`)


SITE: WingParts[SiteParts] = WingParts("site", "therapies/site/kinds.py", site_problems)
