"""Replacement hooks used by the tests that swap them."""

import smtplib
import threading
import time

from django.core.mail.backends import locmem

calls: list[tuple[str, int]] = []


def everyone_is_specialist(user) -> bool:
    return bool(user and user.is_authenticated)


def nobody_is_specialist(user) -> bool:
    return False


def recording_notifier(*, event: str, booking) -> None:
    calls.append((event, booking.pk))


_calls_lock = threading.Lock()


def slow_recording_notifier(*, event: str, booking) -> None:
    """A slow mail server (widens every race window), safe to call from threads."""
    time.sleep(0.05)
    with _calls_lock:
        calls.append((event, booking.pk))


# Recipients the FlakyEmailBackend refuses, as a failing mail server would.
failing_recipients: set[str] = set()


class FlakyEmailBackend(locmem.EmailBackend):
    """The test outbox, but a message to a ``failing_recipients`` address raises."""

    def send_messages(self, messages):
        for message in messages:
            refused = failing_recipients.intersection(message.recipients())
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    {r: (550, b"mailbox unavailable") for r in refused}
                )
        return super().send_messages(messages)
