"""ASGI entry point. Refuses to start without a SECRET_KEY."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msinfo.settings")
application = get_asgi_application()

from msinfo.checks import require_secret_key  # noqa: E402  (needs the settings configured above)

require_secret_key()
