"""The Nu HTML checker (vnu.jar) finds no error on any public page (issue 22), run offline over the pages as
the test client renders them: every kind of public page, one of each content page, and the 404.

vnu.jar comes from the `vnu-jar` npm package, installed into tools/html-checker/ (package.json and its
lockfile; `npm ci` there, as .ci/run does) and run with Java (Debian's `default-jre-headless`). Without
them the test is skipped and says why, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .public_pages import public_page_urls

pytestmark = pytest.mark.django_db

VNU = Path(settings.BASE_DIR) / "tools" / "html-checker" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TIMEOUT = 240  # seconds, for one run of the checker over every page


def _checker() -> list[str]:
    java = shutil.which("java")
    missing = [] if java else ["Java (apt-get install default-jre-headless)"]
    if not VNU.exists():
        missing.append(f"{VNU.relative_to(settings.BASE_DIR)} (cd tools/html-checker && npm ci)")
    if missing:
        reason = "The Nu HTML checker is not installed: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-Xss8m", "-jar", str(VNU)]


def _file_name(url: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in url).strip("_")[:100] or "home"


def test_every_public_page_kind_is_valid_html(client, tmp_path):
    command = _checker()
    files = {}
    for url in public_page_urls(client):
        response = client.get(url)
        path = tmp_path / f"{_file_name(url)}-{len(files)}.html"
        path.write_bytes(response.content)
        files[path.name] = url
    assert len(files) >= 12, files
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--exit-zero-always", *map(str, tmp_path.iterdir())],
        capture_output=True, text=True, timeout=TIMEOUT, check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)
