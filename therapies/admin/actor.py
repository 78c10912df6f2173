"""Who is acting, for the role audit (workflow/accounts.py): the signed-in user of the current request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ..workflow import accounts


class RecordActorMiddleware:
    """Makes the request's user the actor of any role change the request makes (adding a user to
    "Medical reviewers" in the admin, for example). Lazy: the session is read only if a role changes.
    Goes after django.contrib.auth's AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = accounts.acting_user.set(lambda: getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            accounts.acting_user.reset(token)
