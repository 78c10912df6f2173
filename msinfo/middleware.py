"""Site-wide middleware: the Permissions-Policy header and a friendly 503 when the database is down."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) should wait before trying again.
RETRY_AFTER_SECONDS = 30


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses (camera, location, ...)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without a request, so no context processor touches the database."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, answer 503 "try again shortly" instead of a 500.

    Nothing is retried here: Django closes the broken connection at the end of the request
    (CONN_HEALTH_CHECKS), so the next request connects afresh and the site recovers by itself.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("Database unavailable while serving %s: %s", request.path, exception)
            return database_unavailable_response()
        return None
