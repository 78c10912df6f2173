"""Email backends whose server fails (for tests of the outbox)."""

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("mail server is down")

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server is down")


class RefusingBackend(BaseEmailBackend):
    """The server answers but refuses every message (a bad address, a full mailbox)."""

    def send_messages(self, email_messages):
        raise OSError("550 mailbox unavailable")
