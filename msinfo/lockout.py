"""The page shown when django-axes locks a sign-in (AXES_LOCKOUT_CALLABLE)."""

import datetime

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.contrib.admin import site as admin_site
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def duration_in_words(delta: datetime.timedelta | None) -> str:
    """“1 hour”, “30 minutes”, “1 hour and 30 minutes”; empty for no cool-off."""
    if not delta:
        return ""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " and ".join(parts)


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    context = {
        **admin_site.each_context(request),
        "title": "Sign-in temporarily locked",
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_words": duration_in_words(get_cool_off(request)),
    }
    return render(request, "axes/lockout.html", context, status=429)
