"""Test settings: the production settings with fast, isolated services (cookiecutter-django style).

The database still comes from DATABASE_URL, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Tests change rows directly and read the page again; the page cache is switched on only by the
# tests about it (tests/test_caching.py), which clear it first.
PAGE_CACHE = False
# Likewise the per-process fragments of content pages (therapies/site/fragments.py), on in tests/test_fragments.py.
PAGE_FRAGMENTS = False

# The audit log refuses TRUNCATE (migration 0013); Django empties the test database between transactional tests
# with TRUNCATE, so the test database's sessions, run as the table's owner, say that they may.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c msinfo.allow_audit_truncate=on"  # noqa: F405
