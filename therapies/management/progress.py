"""How far a long management command has got: count, rate and time left.

On a terminal one line is redrawn in place ("Indexing: 4,200 / 21,500 (19%) · 850/s · 20 s left"),
at most ten times a second. Anywhere else — cron, a pipe, a log file — whole lines only: one when the
work starts, one every `interval` seconds while it runs, and one when it ends, so a log stays readable.
`--quiet` (ProgressCommand) prints nothing but errors.

The work itself is done by plain functions (search.update_index, backup.write_export, …) that take an
optional `progress(done, total)` callable and know nothing of terminals; a Progress is such a callable.
"""

import time
from collections.abc import Callable
from typing import TextIO

from django.core.management.base import BaseCommand

TTY_REDRAW_SECONDS = 0.1
LINE_INTERVAL_SECONDS = 30.0


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Call it with (done, total) as the work goes on; `finish()` once at the end."""

    def __init__(self, stream: TextIO, label: str, *, interval: float = LINE_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.label, self.interval, self.clock = stream, label, interval, clock
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.started = clock()
        self.shown_at: float | None = None  # when the last line was written
        self.done = self.total = 0
        self.width = 0  # of the line on the terminal, to blank what a shorter line leaves behind
        self.finished = False

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = self.clock()
        if self.tty:
            if self.shown_at is None or now - self.shown_at >= TTY_REDRAW_SECONDS or done >= total:
                self._redraw(self._status(now))
                self.shown_at = now
        elif self.shown_at is None:
            self._line(f"{self.label}: {total:,} to do.")
            self.shown_at = now
        elif now - self.shown_at >= self.interval and done < total:
            self._line(self._status(now))
            self.shown_at = now

    def close(self) -> None:
        """End a terminal's redrawn line that `finish` never closed (the command failed), so an error starts
        on a line of its own."""
        if self.tty and self.shown_at is not None and not self.finished:
            self._write("\n")
        self.finished = True

    def finish(self) -> None:
        """The closing line: how many, in how long, at what rate."""
        self.finished = True
        seconds = self.clock() - self.started
        rate = f" ({self.done / seconds:,.0f}/s)" if seconds > 0 and self.done else ""
        text = f"{self.label}: {self.done:,} done in {_duration(seconds)}{rate}."
        if self.tty:
            self._redraw(text)
            self._write("\n")
        else:
            self._line(text)

    def _status(self, now: float) -> str:
        seconds = now - self.started
        text = f"{self.label}: {self.done:,} / {self.total:,}"
        if self.total:
            text += f" ({self.done * 100 // self.total}%)"
        if seconds > 0 and self.done:
            rate = self.done / seconds
            text += f" · {rate:,.0f}/s · {_duration((self.total - self.done) / rate)} left"
        return text

    def _redraw(self, text: str) -> None:
        self._write("\r" + text.ljust(self.width))
        self.width = len(text)

    def _line(self, text: str) -> None:
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class _Discard:
    """Where --quiet sends everything but errors."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class ProgressCommand(BaseCommand):
    """A command that shows its progress (`self.progress(label)`) and takes --quiet."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors (for cron).")
        return parser

    def execute(self, *args, **options):
        if options.get("quiet"):
            options["stdout"] = _Discard()  # errors still reach stderr (CommandError, logging)
        self._progresses: list[Progress] = []
        try:
            return super().execute(*args, **options)
        finally:
            for progress in self._progresses:
                progress.close()

    def progress(self, label: str) -> Progress:
        # The raw stream: OutputWrapper would end every write with a newline, and the terminal's line is redrawn.
        progress = Progress(self.stdout._out, label)
        self._progresses.append(progress)
        return progress
