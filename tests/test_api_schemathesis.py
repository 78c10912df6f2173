"""The API tested from outside: the schemathesis CLI against a live test server, from the OpenAPI
description alone.

Every operation gets property-based inputs, valid and invalid, in all four of schemathesis's
phases (examples, coverage, fuzzing, and stateful sequences that follow the links between
operations), and every answer goes through all of its checks (no server error, status codes,
content types and bodies that match the description, invalid input refused) plus ours in
schemathesis_hooks.py: no answer shows hidden content, and every operation answers with data.

Why a pytest test rather than a separate step in .ci/run: the hidden content (a draft, an
approved but unpublished change, withdrawn changes, unpublished pages) is made here through the
real workflow, in the same database the server reads, so the check knows exactly what must not
appear; pytest-django starts the server on 127.0.0.1 and stops it; and the run happens wherever
`make test` runs, so CI runs it on SQLite and on PostgreSQL. The CLI runs as a child process
(no standard input, its own time limit, a fixed seed so a failure can be replayed) and its report
is printed when it fails.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .hidden_content import make_hidden_content

pytestmark = pytest.mark.django_db(transaction=True)

HOOKS = Path(__file__).resolve().parent / "schemathesis_hooks.py"
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261201")
EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
TIME_LIMIT = 600  # seconds; the run takes about a minute on a CI machine


def schemathesis(live_server, workdir: Path, *arguments: str, markers: list[str]) -> subprocess.CompletedProcess:
    """Run the CLI in `workdir`, where it keeps its cache of past failures: each run starts clean and the
    repository stays untouched."""
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        "MSINFO_HIDDEN_MARKERS": json.dumps(markers),
        "NO_PROXY": "127.0.0.1,localhost",  # the server is local whatever proxy the machine has
        "NO_COLOR": "1",
    }
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{live_server.url}/api/v1/openapi.json",
        "--checks", "all", "--seed", SEED, "--workers", "1", "--generation-database", "none",
        "--request-timeout", "30", "--no-color", *arguments,
    ]
    return subprocess.run(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=TIME_LIMIT, check=False)


def test_schemathesis_finds_no_server_error_no_schema_break_and_no_hidden_content(
    live_server, editor, reviewer, tmp_path
):
    hidden = make_hidden_content(editor, reviewer)
    run = schemathesis(live_server, tmp_path, "--max-examples", EXAMPLES, markers=hidden.markers)
    report = run.stdout + run.stderr
    print(report)  # shown with `pytest -s`, and by pytest when an assertion below fails
    assert run.returncode == 0, report
    assert "10 selected / 10 total" in report, report
    assert "No issues found" in report, report


def test_the_hidden_content_check_fails_an_answer_that_shows_a_marker(live_server, tmp_path):
    """The hooks are loaded and can fail: a live therapy's name, declared hidden, is reported."""
    run = schemathesis(live_server, tmp_path, "--max-examples", "1", "--phases", "examples",
                       "--include-operation-id", "get_therapy", markers=["Ocrelizumab"])
    report = run.stdout + run.stderr
    assert run.returncode != 0, report
    assert "no_hidden_content" in report and "The answer shows content that is not live: Ocrelizumab" in report
