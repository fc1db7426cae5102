"""``manage.py seed_roles [--validate | --stats]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from shop_accounts.selectors import role_stats
from shop_accounts.services import seed_roles, validate_roles


class Command(BaseCommand):
    help = gettext_lazy("Create a group per role in SHOP_ACCOUNTS['ROLES'] with its permissions.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--validate",
            action="store_true",
            help=gettext_lazy("Only report missing groups and permissions; exit 1 if any."),
        )
        parser.add_argument(
            "--stats", action="store_true", help=gettext_lazy("Print the users per role.")
        )

    def handle(self, *args: Any, validate: bool, stats: bool, **options: Any) -> None:
        if validate:
            problems = validate_roles()
            for problem in problems:
                self.stdout.write(self.style.WARNING(problem))
            if problems:
                count = len(problems)
                message = ngettext("%(count)d problem found.", "%(count)d problems found.", count)
                raise CommandError(message % {"count": count})
            self.stdout.write(self.style.SUCCESS(_("All roles are in place.")))
        elif stats:
            for role, count in role_stats().items():
                self.stdout.write(f"{role}\t{count}")
        else:
            missing = seed_roles()
            for dotted in missing:
                self.stdout.write(
                    self.style.WARNING(
                        _("Skipped missing permission %(permission)s.") % {"permission": dotted}
                    )
                )
            self.stdout.write(self.style.SUCCESS(_("Roles are seeded.")))
