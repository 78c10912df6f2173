"""An email backend whose server is down (for tests of the outbox)."""

from django.core.mail.backends.base import BaseEmailBackend


class DownBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("mail server is down")

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server is down")
