from typing import Any

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_accounts


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        seed_accounts()
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        self.stdout.write("Site: http://127.0.0.1:8000/  (API docs: /api/docs/, admin: /admin/)")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['email']:<26} {', '.join(spec['roles'])}")
