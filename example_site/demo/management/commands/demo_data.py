from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seed import DEMO_PASSWORD, DEMO_USERS, load_demo

NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "Load the demo data (idempotent: running it twice changes nothing). It creates a "
        f"superuser with a published password, so it runs only in demo mode (DJANGO_DEBUG=1 "
        f"or SHOP_DEMO=1) or with {NOT_PRODUCTION_FLAG}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            NOT_PRODUCTION_FLAG,
            action="store_true",
            dest="not_production",
            help="Run outside demo mode (a throwaway database, never a real shop).",
        )

    def handle(self, *args: Any, not_production: bool = False, **options: Any) -> None:
        if not (getattr(settings, "DEMO_MODE", False) or not_production):
            raise CommandError(
                "Refusing to load demo data outside demo mode: it creates a superuser "
                f"({DEMO_USERS[0]['email']}) with the published password {DEMO_PASSWORD!r}. "
                f"Set DJANGO_DEBUG=1 or SHOP_DEMO=1, or pass {NOT_PRODUCTION_FLAG} if this "
                "database is a throwaway one."
            )
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write("Site: http://127.0.0.1:8000/  (API docs: /api/docs/, admin: /admin/)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']:<26} {', '.join(spec['roles'])}")
