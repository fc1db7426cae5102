from typing import Any

from django.core.management.base import BaseCommand

from shop_cabinet.services import prune_exports


class Command(BaseCommand):
    help = "Delete personal-data exports older than SHOP_CABINET['EXPORT_RETENTION_HOURS']."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_exports()
        self.stdout.write(f"Deleted {deleted} personal-data export(s).")
