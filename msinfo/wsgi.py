"""WSGI entry point (gunicorn msinfo.wsgi). Refuses to start without a SECRET_KEY."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msinfo.settings")
application = get_wsgi_application()

from msinfo.checks import require_secret_key  # noqa: E402  (needs the settings configured above)

require_secret_key()
