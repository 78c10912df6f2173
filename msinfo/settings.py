"""Settings for msinfo, read from the environment.

Production is the default: DEBUG is off and SECRET_KEY must be set. `make run`
turns development mode on explicitly with DEBUG=1. See README "Configuration".
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    # Development only: a fixed, clearly insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105  DEBUG only
# Without a key in production, commands that need none (migrate, makemigrations, load_seed) still run,
# Django refuses any use of the empty key, and the site itself refuses to start: msinfo/wsgi.py and
# asgi.py call msinfo.checks.require_secret_key(), and `check --deploy` reports it.

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "corsheaders",
    "ninja",  # the API viewer's template and static files (Swagger UI), served by the site itself
    "therapies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: it answers the API's preflight requests.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Role changes are audited in the name of the signed-in user (therapies/workflow/accounts.py).
    "therapies.admin.actor.RecordActorMiddleware",
    # A NUL byte or a 19-digit number in an admin list's filters is a 400, not a database error (issue 23).
    "therapies.admin.query_guard.AdminQueryGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "msinfo.middleware.PermissionsPolicyMiddleware",
    "msinfo.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "msinfo.urls"
WSGI_APPLICATION = "msinfo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # The cached loader in every environment: templates are parsed once per process.
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis shared by every app server when CACHE_URL is set (redis://host:6379/0), else this
# process's memory. The public page cache (therapies/caching.py, docs/PERFORMANCE.md) lives in it.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}}
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
# Publishing invalidates at once through the shared cache. Without Redis each process has its own
# cache and sees a publish made in another process only when its copy expires, so keep that short.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600" if CACHE_URL else "60"))
# Front caches (Varnish with deploy/varnish/msinfo.vcl) purged on publish: comma-separated base URLs,
# e.g. http://127.0.0.1:6081/. Empty: nothing to purge (docs/PERFORMANCE.md "The front cache").
FRONTEND_CACHE_URLS = env_list("FRONTEND_CACHE_URLS")
# The secret each purge carries in its X-Purge-Token header; the VCL checks it besides the address (issue 23,
# deploy/varnish/purge_token.example.vcl). Required when FRONTEND_CACHE_URLS is set (msinfo.E003).
FRONTEND_PURGE_TOKEN = os.environ.get("FRONTEND_PURGE_TOKEN", "").strip()
# Rendered parts of content pages kept per process under what they show (therapies/site/fragments.py).
PAGE_FRAGMENTS = env_bool("PAGE_FRAGMENTS", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development, SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "msinfo <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The site's own address, scheme and host without a trailing slash: every link in an email starts with it (a mail
# program cannot open a path alone). The default is the address `make run` serves; `check --deploy` warns while a
# production site still uses it (msinfo/checks.py).
# `make run` serves on $PORT (8000 unless set) and passes SITE_URL; a bare runserver follows PORT too.
SITE_URL_DEFAULT = f"http://127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or SITE_URL_DEFAULT
if not SITE_URL.startswith(("http://", "https://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's address with its scheme and no path, e.g. https://msinfo.example.org, "
        f"not {SITE_URL!r}."
    )

# Security: safe defaults in production, relaxed only when DEBUG is on.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# /healthz is probed over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("SECURE_PROXY_SSL_HEADER"):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only set SECURE_PROXY_SSL_HEADER=1 when the proxy strips any X-Forwarded-Proto a client sends,
# otherwise a client could claim HTTPS (docs/RELIABILITY.md "Production settings").
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# How many proxies of ours append to X-Forwarded-For (0: trust only REMOTE_ADDR). Used for the
# correction form's rate limit and the admin sign-in lockout (msinfo/client_ip.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp 4): our own static files only; no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# CORS: any site may read the public API from a browser (GET only, no credentials); nothing else is shared.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ("ETag",)
CORS_PREFLIGHT_MAX_AGE = 86400
# Browser features the site never uses (msinfo.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Sessions: an editorial sign-in lasts a working day at most and ends when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): 5 failures from one address for one username lock that pair
# out for an hour. An administrator lifts it in the admin ("Access attempts") or with
# `manage.py axes_reset_username <name>` / `axes_reset` (README "Locked out of the admin").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The lockout page (templates/axes/lockout.html) says what happened, for how long and who can lift it.
AXES_LOCKOUT_CALLABLE = "msinfo.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "msinfo.client_ip.client_ip"
# After signing in, and when a `next=` address is refused as unsafe: the editorial dashboard (Django's own
# fallback, /accounts/profile/, does not exist here).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
# The address is REMOTE_ADDR (never a client-supplied header); behind a proxy, have the proxy
# pass the client address to gunicorn (--forwarded-allow-ips) rather than trusting X-Forwarded-For here.

# How long content may go between reviews, in days (DESIGN.md). REVIEW_INTERVAL_DAYS_THERAPY / _TRIAL / _RISK
# override it for one content type. Never more than MAX_REVIEW_INTERVAL_DAYS: the PIF TICK asks for a review
# at least every 3 years. The cap is defined here only; therapies/editorial/review_cycle.py applies it again
# at use, so a value set in code (an override in a test, another settings module) is capped too.
MAX_REVIEW_INTERVAL_DAYS = 3 * 365


def _review_interval_days(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        days = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number of days, not {raw!r}.") from None
    if days < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 day.")
    return min(days, MAX_REVIEW_INTERVAL_DAYS)


REVIEW_INTERVAL_DAYS = _review_interval_days("REVIEW_INTERVAL_DAYS", 365)
# One per content kind, keyed by its name: REVIEW_INTERVAL_DAYS_THERAPY sets "therapy" (therapies/models/kinds.py
# lists the kinds; a variable naming no kind is reported by `manage.py check`, therapies.W001).
REVIEW_INTERVAL_DAYS_BY_TYPE = {
    name.removeprefix("REVIEW_INTERVAL_DAYS_").lower(): _review_interval_days(name, REVIEW_INTERVAL_DAYS)
    for name in sorted(os.environ)
    if name.startswith("REVIEW_INTERVAL_DAYS_") and os.environ[name].strip()
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
