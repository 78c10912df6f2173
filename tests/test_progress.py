"""Progress of long commands (therapies/management/progress.py): redrawn on a terminal, whole lines in a
log, nothing with --quiet."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from therapies.management.progress import Progress
from therapies.models import Therapy


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a reader's shell is."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(progress: Progress, clock: Clock, total: int, *, step_seconds: float) -> None:
    for done in range(1, total + 1):
        clock.now += step_seconds
        progress(done, total)
    progress.finish()


def test_on_a_terminal_one_line_is_redrawn_with_count_rate_and_time_left():
    clock, out = Clock(), Terminal()
    progress = Progress(out, "Indexing pages", clock=clock)
    clock.now += 2
    progress(100, 400)  # 100 in 2 s: 50/s, 300 to go: 6 s left
    assert out.getvalue() == "\rIndexing pages: 100 / 400 (25%) · 50/s · 6 s left"
    clock.now += 0.05
    progress(102, 400)  # within a tenth of a second: not redrawn
    assert out.getvalue().count("\r") == 1
    clock.now += 6
    progress(400, 400)
    progress.finish()
    text = out.getvalue()
    last = text.rsplit("\r", 1)[1]
    # The closing line blanks what the longer line before it left on the screen, and ends the line once.
    longest = len("Indexing pages: 400 / 400 (100%) · 50/s · 0 s left")
    assert last == "Indexing pages: 400 done in 8 s (50/s).".ljust(longest) + "\n"
    assert text.count("\n") == 1


def test_off_a_terminal_whole_lines_at_start_every_interval_and_at_the_end():
    clock, out = Clock(), io.StringIO()
    progress = Progress(out, "Exporting rows", interval=30, clock=clock)
    run(progress, clock, 100, step_seconds=1)  # 100 s: lines at the start, then after 30, 60 and 90 s
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0] == "Exporting rows: 100 to do."
    assert lines[1] == "Exporting rows: 31 / 100 (31%) · 1/s · 1 min 09 s left"
    assert len(lines) == 5
    assert lines[-1] == "Exporting rows: 100 done in 1 min 40 s (1/s)."


def test_off_a_terminal_quick_work_writes_only_its_first_and_last_lines():
    clock, out = Clock(), io.StringIO()
    run(Progress(out, "Importing rows", clock=clock), clock, 5000, step_seconds=0.001)
    assert out.getvalue().splitlines() == [
        "Importing rows: 5,000 to do.", "Importing rows: 5,000 done in 5 s (1,000/s)."]


def test_a_failed_command_leaves_the_terminal_on_a_new_line():
    clock, out = Clock(), Terminal()
    progress = Progress(out, "Importing rows", clock=clock)
    progress(1, 10)
    progress.close()
    assert out.getvalue().endswith("\n")
    progress.close()  # once only
    assert out.getvalue().count("\n") == 1


# --- The five commands -------------------------------------------------------------------------------------


def generate(stdout, **options) -> None:
    call_command("generate_content", stdout=stdout, therapies=2, trials=3, risks=2, force=True, **options)


@pytest.mark.django_db
def test_generate_content_redraws_its_progress_on_a_terminal():
    out = Terminal()
    generate(out)
    text = out.getvalue()
    assert "\rGenerating pages: 7 / 7 (100%)" in text
    assert "Generating pages: 7 done in" in text
    assert "Generated 2 therapies, 3 trials, 2 risks" in text


@pytest.mark.django_db
def test_generate_content_writes_whole_lines_when_not_on_a_terminal():
    out = io.StringIO()
    generate(out)
    text = out.getvalue()
    assert "\r" not in text
    assert "Generating pages: 7 to do.\n" in text
    assert "Generating pages: 7 done in" in text


@pytest.mark.django_db
def test_generate_content_quiet_prints_nothing_but_errors():
    out, err = Terminal(), io.StringIO()
    generate(out, quiet=True, stderr=err)
    assert out.getvalue() == "" and err.getvalue() == ""
    assert Therapy.objects.filter(slug__startswith="synthetic-").count() == 2
    with pytest.raises(CommandError, match="already exists"):  # errors still say what went wrong
        generate(out, quiet=True)


@pytest.mark.django_db
def test_export_and_import_show_progress_and_are_silent_when_quiet(tmp_path):
    path = tmp_path / "export.json"
    out = io.StringIO()
    call_command("export_content", str(path), stdout=out)
    assert "Exporting rows: " in out.getvalue() and " to do.\n" in out.getvalue()
    assert "Exporting rows: " in out.getvalue().splitlines()[-2]  # the closing line, then the summary
    quiet = Terminal()
    call_command("export_content", str(path), stdout=quiet, quiet=True)
    assert quiet.getvalue() == ""

    # Into a database with content: refused, with the reason, and no progress line left dangling.
    terminal = Terminal()
    with pytest.raises(CommandError, match="already has content"):
        call_command("import_content", str(path), stdout=terminal)
    assert terminal.getvalue() == ""


@pytest.mark.django_db
def test_send_review_reminders_counts_reviewers_and_is_silent_when_quiet(reviewer, reviewer2):
    Therapy.objects.filter(slug="fingolimod").update(next_review_due=timezone.localdate() - datetime.timedelta(days=3))
    out = Terminal()
    call_command("send_review_reminders", stdout=out)
    assert "\rSending reminders: 2 / 2 (100%)" in out.getvalue()
    assert f"Sent a reminder to {reviewer.email}." in out.getvalue()
    quiet = io.StringIO()
    call_command("send_review_reminders", stdout=quiet, quiet=True)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_rebuild_search_index_takes_quiet():
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out, quiet=True)
    assert out.getvalue() == ""
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue()  # says what it did (indexed, or that SQLite needs no index)
