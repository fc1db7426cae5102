from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from demo.seed import (
    DEMO_PASSWORD,
    DEMO_USERS,
    seed_accounts,
    seed_bookings,
    seed_cabinet,
    seed_catalog,
    seed_orders,
)


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        users = seed_accounts()
        if apps.is_installed("shop_catalog"):
            seed_catalog(users)
        if apps.is_installed("shop_orders"):
            seed_orders(users)
        if apps.is_installed("shop_cabinet"):
            seed_cabinet(users)
        if apps.is_installed("shop_bookings"):
            seed_bookings(users)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write("Site: http://127.0.0.1:8000/  (API docs: /api/docs/, admin: /admin/)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']:<26} {', '.join(spec['roles'])}")
