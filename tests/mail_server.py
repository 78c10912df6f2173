"""Fixture helpers: start tests/smtp_sink.py (a real SMTP server process) and read what it received."""

import email
import email.policy
import socket
import subprocess
import sys
from pathlib import Path

SINK = Path(__file__).with_name("smtp_sink.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailServer:
    """A running sink on 127.0.0.1:`port`, writing to `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.process = folder, free_port(), None

    def start(self, *, die_after: int | None = None) -> "MailServer":
        extra = ["--die-after", str(die_after)] if die_after is not None else []
        self.process = subprocess.Popen([sys.executable, str(SINK), str(self.folder), str(self.port), *extra],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()

    def wait_dead(self, timeout: float = 10) -> int:
        return self.process.wait(timeout=timeout)

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(self.folder.glob("*.eml"))]

    def use(self, settings) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
