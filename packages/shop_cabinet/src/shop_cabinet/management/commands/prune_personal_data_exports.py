from typing import Any

from django.core.management.base import BaseCommand

from shop_cabinet.services import prune_exports, requeue_exports


class Command(BaseCommand):
    help = (
        "Delete personal-data exports finished more than SHOP_CABINET['EXPORT_RETENTION_HOURS'] "
        "ago and queue again the pending ones whose task may have been lost."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_exports()
        requeued = requeue_exports()
        self.stdout.write(
            f"Deleted {deleted} personal-data export(s); queued {requeued} pending one(s) again."
        )
