"""Production settings, security headers, admin sign-in throttling, passwords and sessions."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "k3N9x-pQ7vL2mZ8rT4wY6uB1cE5hJ0aS9dF3gK7lP2oI8nM4bV6cX1zA5sD9fG3h",
    "ALLOWED_HOSTS": "msinfo.example.org",
    "SITE_URL": "https://msinfo.example.org",
    "DATABASE_URL": "sqlite:////tmp/msinfo-check-deploy.sqlite3",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    # A clean production environment (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process).
    dropped = {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL", "SITE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "msinfo.settings", **env},
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_site_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {**{k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}, "SECRET_KEY": ""}
    deploy_check = _manage("check", "--deploy", env=env)
    assert deploy_check.returncode != 0
    assert "SECRET_KEY is not set" in deploy_check.stderr
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    for entry_point in ("msinfo.wsgi", "msinfo.asgi"):
        server = subprocess.run(
            [sys.executable, "-c", f"import {entry_point}"],
            cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
        )
        assert server.returncode != 0, entry_point
        assert "SECRET_KEY is not set" in server.stderr, entry_point


def test_commands_that_need_no_key_still_run_without_one():
    env = {**{k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}, "SECRET_KEY": ""}
    result = _manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("path", ["/", "/therapies/ocrelizumab/", "/admin/login/", "/no-such-page/", "/healthz"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no other origin
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_public_and_admin_templates_have_no_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for needle in ("<script>", "<script type=", "<style", " style=\"", " onclick=", " onload=",
                       "javascript:"):
            if needle in text:
                offenders.append(f"{template.relative_to(ROOT)}: {needle}")
    assert offenders == []


# --- Admin sign-in ------------------------------------------------------------------------------


def _try_login(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password,
                                                "next": "/admin/"}, REMOTE_ADDR="203.0.113.7")


def test_five_failed_sign_ins_lock_that_username_from_that_address_with_a_clear_message(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _try_login(client, "editor", "wrong-password")
        assert response.status_code == 200 and "Please enter the correct username" in response.content.decode()
    locked = _try_login(client, "editor", "wrong-password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in temporarily locked" in html
    assert "5 failed attempts" in html and "“editor”" in html and "1 hour" in html
    assert "administrator" in html
    # Even the right password is refused while locked.
    assert _try_login(client, "editor", "pw-for-tests").status_code == 429
    # Another address, or another username from this address, is not locked.
    other = client.post(reverse("admin:login"), {"username": "editor", "password": "pw-for-tests"},
                        REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302


def test_an_administrator_lifts_a_lockout_and_the_editor_can_sign_in_again(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try_login(client, "editor", "wrong-password")
    assert _try_login(client, "editor", "pw-for-tests").status_code == 429
    assert AccessAttempt.objects.filter(username="editor").exists()
    call_command("axes_reset_username", "editor", stdout=open(os.devnull, "w"))
    response = _try_login(client, "editor", "pw-for-tests")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_lockouts_are_listed_in_the_admin_for_administrators(client, editor, superuser):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try_login(client, "editor", "wrong-password")
    client.force_login(superuser)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "editor" in listing.content.decode()


def test_client_login_still_works_with_the_axes_backend(client, editor):
    """django-axes needs the request to authenticate; tests that sign in with a password pass one."""
    from django.http import HttpRequest

    assert client.login(username="editor", password="pw-for-tests", request=HttpRequest())


# --- Passwords and sessions ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["short-pw1", "password1234", "123456789012345", "editor@example.org"])
def test_weak_passwords_are_refused(password, editor):
    with pytest.raises(ValidationError):
        validate_password(password, user=editor)


def test_a_long_unusual_password_is_accepted(editor):
    validate_password("tram-lantern-oboe-47", user=editor)


def test_sessions_end_with_the_browser_and_after_a_working_day():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
