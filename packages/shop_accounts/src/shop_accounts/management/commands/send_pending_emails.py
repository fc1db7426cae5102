"""``manage.py send_pending_emails [--include-failed]``: retry queued e-mails.

Run it from a scheduler (cron, every few minutes): e-mails whose first send
failed (mail server down) go out once the server is back.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy, ngettext

from shop_accounts.services.emails import send_pending


class Command(BaseCommand):
    help = gettext_lazy("Send the queued e-mails that were not sent yet.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--include-failed",
            action="store_true",
            help=gettext_lazy("Also retry e-mails that failed EMAIL_MAX_ATTEMPTS times."),
        )

    def handle(self, *args: Any, include_failed: bool, **options: Any) -> None:
        sent = send_pending(include_failed=include_failed)
        message = ngettext("%(count)d e-mail sent.", "%(count)d e-mails sent.", sent)
        self.stdout.write(message % {"count": sent})
