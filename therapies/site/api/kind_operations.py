"""The API's list and one-object operations of every kind the site serves, built from its entry in the site's
registry (site/kinds.py, `ApiParts`): a new kind gets `/api/v1/<collection>/` and `/api/v1/<collection>/{slug}/`
with no operation written by hand.

Each operation is named as clients generate code from it (`list_therapies`, `get_therapy`), tagged with its
collection, paginated like every list, and answers 404 and 422 with `Problem`. What differs between kinds is
what the entry's functions say: the list's query parameters are `listed`'s keyword parameters, and the
descriptions are `listed`'s and `one`'s docstrings.
"""

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from ...models.kinds import ContentKind
from ..kind_parts import SITE, ApiParts
from .pagination import NumberedPages
from .views import INVALID, NOT_FOUND, slug_in_path

REQUEST = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest)


def _operation(name: str, call: Callable[..., Any], doc: str | None, parameters: list[inspect.Parameter]) -> Callable:
    """A view named `name` calling `call(request, **parameters)`; ninja reads its parameters from its signature."""

    def view(request: HttpRequest, **values: Any) -> Any:
        return call(request, **values)

    view.__name__ = view.__qualname__ = name
    view.__doc__ = doc
    view.__signature__ = inspect.Signature([REQUEST, *parameters])
    return view


def _list_view(api: ApiParts) -> Callable:
    filters = list(inspect.signature(api.listed).parameters.values())
    view = _operation(f"list_{api.collection}", lambda request, **values: api.listed(**values), api.listed.__doc__,
                      filters)
    return paginate(NumberedPages)(view)


def _one_view(kind: ContentKind, api: ApiParts) -> Callable:
    key = inspect.Parameter(api.key, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str,
                            default=slug_in_path(api.example, api.key))
    return _operation(f"get_{kind.name}", lambda request, **values: api.one(request, values[api.key]),
                      api.one.__doc__, [key])


def kind_router(kinds: Iterable[ContentKind]) -> Router:
    """A router with the list and one-object operations of every kind in `kinds` the site's `api` names."""
    router = Router()
    for kind in kinds:
        parts = SITE.get(kind)
        api = parts.api if parts else None
        if api is None:
            continue
        list_summary, one_summary = api.summaries
        router.get(f"/{api.collection}/", response={200: list[api.item_schema or api.schema], **INVALID},
                   url_name=api.collection, summary=list_summary, tags=[api.collection])(_list_view(api))
        router.get(f"/{api.collection}/{{{api.key}}}/", response={200: api.schema, **NOT_FOUND},
                   url_name=kind.name, summary=one_summary, tags=[api.collection])(_one_view(kind, api))
    return router
