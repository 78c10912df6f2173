"""`PORT=8011 make run` prints and emails links with 8011 (issue 24): the Makefile passes SITE_URL on, the
settings' default follows PORT, and the demo accounts' login link reads SITE_URL."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_passes_a_site_url_with_its_port():
    dry_run = subprocess.run(["make", "-n", "run", "PORT=8011"], cwd=ROOT, capture_output=True, text=True,
                             check=True, env={**os.environ, "MAKEFLAGS": ""}).stdout
    commands = [line for line in dry_run.splitlines() if "manage.py" in line]
    assert len(commands) == 4 and all("SITE_URL=http://127.0.0.1:8011" in line for line in commands)
    assert "runserver 127.0.0.1:8011" in commands[-1]


def test_the_settings_default_site_url_follows_port():
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='msinfo.settings'; django.setup(); " \
           "from django.conf import settings; print(settings.SITE_URL)"
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    shown = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**env, "PORT": "8011", "DEBUG": "1"}).stdout
    assert shown.strip() == "http://127.0.0.1:8011"


@pytest.mark.django_db
def test_the_printed_login_link_uses_site_url(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8011"
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "Log in at http://127.0.0.1:8011/admin/" in out.getvalue() and ":8000" not in out.getvalue()
