"""``manage.py requeue_stale_imports``: take up imports whose worker was killed (periodic)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ...services import requeue_stale_imports


class Command(BaseCommand):
    help = (
        "Queue again the price-list imports left running or pending longer than "
        "SHOP_CATALOG['IMPORT_LEASE_MINUTES']."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = requeue_stale_imports()
        listed = f": {', '.join(map(str, ids))}" if ids else ""
        self.stdout.write(f"queued again {len(ids)} import job(s){listed}")
