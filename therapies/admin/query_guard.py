"""Admin list and page parameters a database cannot take are a 400 with a message, never a 500 (issue 23, N5).

Django's admin passes a list filter's value straight into a query (`?state=…`, `?therapy__exact=…`,
`?created_at__year=…`). PostgreSQL refuses a NUL byte in a text parameter (DataError), and SQLite an
integer beyond 64 bits (OverflowError): both were 500s, on 42 URLs of the admin. No filter, page number or
id of ours needs either, so any GET parameter of the admin holding one is refused before a view runs.
"""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse

_TOO_LONG_NUMBER = re.compile(r"\d{19,}")  # beyond any 64-bit id, year or count


def unusable_parameter(request: HttpRequest) -> str:
    """The name of the first GET parameter (or its value) no database query could take, or ""."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value or _TOO_LONG_NUMBER.search(value) for value in values):
            return name.replace("\x00", "") or "(no name)"
    return ""


class AdminQueryGuardMiddleware:
    """Answers an admin GET whose parameters hold a NUL byte or a number longer than 18 digits with a 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.prefix = self.prefix or reverse("admin:index")
        if request.path.startswith(self.prefix) and (name := unusable_parameter(request)):
            reason = (f"The value of “{name[:60]}” in the address holds a character or a number no list can be "
                      "filtered by. Remove it, or choose the filter again from the list.")
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason}, request=request))
        return self.get_response(request)
