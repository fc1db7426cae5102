"""``manage.py send_order_notifications``: send the order notifications that are due.

Run it from a scheduler (cron, a systemd timer) every few minutes: it sends
what failed before (a mail server that was down) once its back-off passed,
and what a task backend that was down never ran.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shop_orders.services.notifications import deliver_due


class Command(BaseCommand):
    help = "Send the order notifications that are due (new, or failed and due again)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = deliver_due()
        self.stdout.write(f"{sent} notification(s) sent.")
