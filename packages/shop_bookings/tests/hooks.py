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


class RecordingNotifier:
    """Records ``(event, booking id)``; a status change records its new status."""

    def record(self, event: str, booking) -> None:
        calls.append((event, booking.pk))

    def booking_created(self, booking) -> None:
        self.record("created", booking)

    def booking_status_changed(self, booking, change) -> None:
        self.record(change.to_status, booking)

    def booking_rescheduled(self, booking, change) -> None:
        self.record("rescheduled", booking)

    def booking_reminder(self, booking) -> None:
        self.record("reminder", booking)


_calls_lock = threading.Lock()


class SlowRecordingNotifier(RecordingNotifier):
    """A slow mail server (widens every race window), safe to call from threads."""

    def record(self, event: str, booking) -> None:
        time.sleep(0.05)
        with _calls_lock:
            calls.append((event, booking.pk))


def old_style_notifier(*, event: str, booking) -> None:
    """A 0.1 development-build notifier (a function): refused by the system check."""


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
