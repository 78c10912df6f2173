"""/api/v1/: the API object, its error answers, and its URLs served like public pages.

Every URL of the API, the OpenAPI description and its viewer included, goes through the public
page cache (`public_page`): answers are stored until the next publish, carry ETag and
Last-Modified, and a current copy is answered 304. HEAD is answered as GET without a body.
Cross-origin reads are allowed by CORS settings (msinfo/settings.py, django-cors-headers).
"""

import functools
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, reverse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.openapi.docs import DocsBase
from ninja.operation import Operation

from ...models import KINDS
from ..caching import public_page
from ..kind_parts import SITE
from . import schemas
from .kind_operations import kind_router
from .views import router

NOTICE = (
    "msinfo is information, not medical advice: decisions about treatment belong with the reader's "
    "healthcare team. Every object here was written by a medical editor and published by a second, "
    "qualified medical reviewer; drafts are never served."
)

DESCRIPTION = f"""Read-only JSON of the content published on msinfo: therapies for multiple sclerosis,
their trials and risks, the sources they cite, and the public change log.

{NOTICE}

* Only live (published) content is served; a draft, withdrawn or unpublished object never appears.
* Lists are paginated with `page` and `page_size` and ordered by a unique key, so pages are stable.
* Every answer carries `ETag` and `Last-Modified`; send `If-None-Match` or `If-Modified-Since` to
  get `304 Not Modified` while nothing has been published since.
* Any origin may read (CORS); no authentication.
"""


class ReadOnlyAPI(NinjaAPI):
    """The API object; it only names its operations the way client generators want them."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """The view's own name ("list_therapies"), not its module path: what clients generate code from."""
        return operation.view_func.__name__


class SwaggerFromStaticFiles(DocsBase):
    """Swagger UI from django-ninja's bundled static files, started by our own static/js/api-docs.js:
    no CDN and no inline script (ninja's page carries its settings in an inline JSON block), so the
    site's Content-Security-Policy holds on this page too."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        context = {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)}
        return render(request, "therapies/api_docs.html", context)


api = ReadOnlyAPI(
    title="msinfo API",
    version="1",
    description=DESCRIPTION,
    urls_namespace=schemas.API_NAMESPACE,
    docs=SwaggerFromStaticFiles(),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)
# Each kind's list and one-object operations, from the site's registry (site/kinds.py); then the change log.
api.add_router("/", kind_router(KINDS))
api.add_router("/", router)


def collections() -> list[str]:
    """The lists of the kinds the API serves, in the registry's order (site/kinds.py)."""
    return [parts.api.collection for kind in KINDS if (parts := SITE.get(kind)) and parts.api]


@api.get("/", response=schemas.api_index_schema(collections()), url_name="index", summary="Where everything is",
         tags=["index"])
def index(request: HttpRequest) -> dict:
    """Links to every list, the OpenAPI description and its viewer."""
    names = (*collections(), "changes")
    links = {name: request.build_absolute_uri(reverse(f"{schemas.API_NAMESPACE}:{name}")) for name in names}
    return {
        **links,
        "openapi": request.build_absolute_uri(reverse(f"{schemas.API_NAMESPACE}:openapi-json")),
        "docs": request.build_absolute_uri(reverse(f"{schemas.API_NAMESPACE}:openapi-view")),
        "notice": NOTICE,
    }


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found.", "errors": []}, status=404)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """One line per bad parameter, naming it, instead of pydantic's nested error objects."""
    lines = [f"{error['loc'][-1] if error['loc'] else 'request'}: {error['msg']}" for error in exc.errors]
    detail = "The request has parameters that are not valid: " + "; ".join(lines)
    return api.create_response(request, {"detail": detail, "errors": lines}, status=422)


def head_as_get(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer HEAD with GET's status and headers (the server drops the body); ninja knows only GET."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            return view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"

    return wrapper


def _field_names(model) -> set[str]:
    """A ninja parameter model's query names, descending into nested ones (the pagination input)."""
    names: set[str] = set()
    for name, field in model.model_fields.items():
        nested = field.annotation
        if isinstance(nested, type) and hasattr(nested, "model_fields"):
            names |= _field_names(nested)
        else:
            names.add(field.alias or name)
    return names


def query_parameters(ninja_api: NinjaAPI) -> tuple[str, ...]:
    """Every query parameter any operation of the API reads. The page cache keys on these only and hands the
    view no others (caching.py, issue 15); one list for all operations keeps it simple, and an operation
    ignores the parameters it does not read."""
    names: set[str] = set()
    for _prefix, api_router in ninja_api._routers:
        for path_view in api_router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ == "query":
                        names |= _field_names(model)
    return tuple(sorted(names))


def served_as_public_pages(patterns: list) -> list:
    """The API's URL patterns, each view wrapped in the page cache (and HEAD answered as GET)."""
    served: list[URLPattern | URLResolver] = []
    params = query_parameters(api)
    for pattern in patterns:
        view = public_page(head_as_get(pattern.callback), params=params)
        served.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return served


app_name = schemas.API_NAMESPACE
urlpatterns = served_as_public_pages(api.urls[0])
