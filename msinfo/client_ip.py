"""The address a request came from, for rate limits and login lockouts.

Behind load balancers every request arrives from a proxy, so REMOTE_ADDR alone
would put all readers in one bucket. X-Forwarded-For can be forged by a client,
so it is read only when TRUSTED_PROXY_COUNT says how many proxies of ours append
to it, and then from the right: the address our outermost proxy saw.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """None when the request has no address at all (axes then records none, as without this callable)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR") or None
