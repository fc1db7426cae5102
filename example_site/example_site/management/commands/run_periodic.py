"""``manage.py run_periodic``: the site's periodic work, one process instead of cron lines.

Every ``--every`` seconds it runs each package's housekeeping command in
turn (``JOBS``): the outboxes (accounts' e-mails, order notifications,
booking notices and reminders: what failed or what a lost task never sent),
personal-data exports (pruned when expired, queued again when their task
was lost), price-list imports whose worker was killed (queued again once
their lease is over), expired JWT refresh tokens of the blacklist, and old task results
of the database worker. A failing command (the database restarting) is
logged and the loop goes on; the next round catches up. ``--once`` runs one
round and exits non-zero when a command failed: the form for cron.

Idempotency keys need no pruning: they are stored on the orders and
bookings they created.
"""

from __future__ import annotations

import logging
import time
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)

JOBS: list[tuple[str, ...]] = [
    ("send_pending_emails",),
    ("send_order_notifications",),
    ("send_booking_reminders",),
    ("prune_personal_data_exports",),
    ("requeue_stale_imports",),
    ("flushexpiredtokens",),
]
# The database worker's finished results, once they are two weeks old.
DB_WORKER_JOBS: list[tuple[str, ...]] = [("prune_db_task_results", "--min-age-days", "14")]


def jobs() -> list[tuple[str, ...]]:
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        return JOBS + DB_WORKER_JOBS
    return list(JOBS)


def run_round() -> list[str]:
    """Run every job once; returns the names of those that failed."""
    failed = []
    for job in jobs():
        close_old_connections()  # a connection broken by a database restart is dropped
        try:
            call_command(*job, stdout=StringIO())
        except Exception:  # any failure: log it, go on with the next job
            logger.exception("periodic job %s failed", job[0])
            failed.append(job[0])
    return failed


class Command(BaseCommand):
    help = "Run the packages' periodic commands every --every seconds (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=60.0, help="seconds between rounds")
        parser.add_argument("--once", action="store_true", help="one round, then exit")

    def handle(self, *args: Any, every: float, once: bool, **options: Any) -> None:
        if every <= 0:
            raise CommandError("--every must be positive.")
        while True:
            started = time.monotonic()
            failed = run_round()
            if once:
                if failed:
                    raise CommandError(f"failed: {', '.join(failed)}")
                return
            time.sleep(max(0.0, every - (time.monotonic() - started)))
