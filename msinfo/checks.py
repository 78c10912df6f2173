"""The site refuses to start without a SECRET_KEY (DEBUG off), with a message saying what to do; `check --deploy`
also warns when emails would link to the development address (SITE_URL unset)."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured

MISSING = "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or DEBUG=1 for local development)."


def secret_key_is_set() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


def require_secret_key() -> None:
    """Called by the WSGI and ASGI entry points: no server starts without a key."""
    if not secret_key_is_set():
        raise ImproperlyConfigured(MISSING)


@register(deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    return [] if secret_key_is_set() else [Error(MISSING, id="msinfo.E001")]


@register()
def check_frontend_cache_urls(app_configs=None, **kwargs) -> list[Error]:
    """A front cache is purged over HTTP: any other address is a typo that would leave its pages stale."""
    return [
        Error(f"FRONTEND_CACHE_URLS holds “{url}”, which is not an http:// or https:// address.",
              hint="Give each front cache's base URL, e.g. http://127.0.0.1:6081/ (comma-separated).",
              id="msinfo.E002")
        for url in getattr(settings, "FRONTEND_CACHE_URLS", [])
        if not url.startswith(("http://", "https://"))
    ]


@register(deploy=True)
def check_frontend_purge_token(app_configs=None, **kwargs) -> list[Error]:
    """The VCL refuses a purge without the secret token (issue 23): without it, every publish would leave its
    pages stale in the front cache."""
    if not getattr(settings, "FRONTEND_CACHE_URLS", []) or getattr(settings, "FRONTEND_PURGE_TOKEN", ""):
        return []
    return [Error("FRONTEND_CACHE_URLS is set but FRONTEND_PURGE_TOKEN is not: the front cache refuses purges "
                  "without it, so published changes would stay hidden behind old copies.",
                  hint="Set FRONTEND_PURGE_TOKEN to the secret in the Varnish purge_token.vcl "
                       "(deploy/varnish/purge_token.example.vcl).", id="msinfo.E003")]


SITE_URL_UNSET = (
    "SITE_URL is not set, so editorial emails link to {default}. Set SITE_URL to the site's public address, "
    "e.g. https://msinfo.example.org."
)


@register(deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[CheckWarning]:
    if settings.SITE_URL != settings.SITE_URL_DEFAULT:
        return []
    return [CheckWarning(SITE_URL_UNSET.format(default=settings.SITE_URL_DEFAULT), id="msinfo.W001")]
