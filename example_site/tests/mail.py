"""An e-mail backend whose server is down, as SMTP is when it refuses connections."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingEmailBackend(BaseEmailBackend):
    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        if self.fail_silently:
            return 0
        raise ConnectionRefusedError(111, "Connection refused")
