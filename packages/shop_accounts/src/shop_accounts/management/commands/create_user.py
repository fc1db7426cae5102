from getpass import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shop_accounts.conf import app_settings
from shop_accounts.services import create_user


class Command(BaseCommand):
    help = _("Create a user with a verified e-mail address and a role.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", action="append", default=[], help=_("Repeat for several roles."))
        parser.add_argument("--password", help=_("Asked for when omitted and input is a terminal."))
        parser.add_argument("--staff", action="store_true")

    def handle(self, *args: Any, email: str, role: list[str], password: str | None, staff: bool, **options: Any) -> None:
        for name in role:
            if name not in app_settings.ROLES:
                raise CommandError(
                    _("Unknown role %(role)s; known roles: %(roles)s.")
                    % {"role": name, "roles": ", ".join(app_settings.ROLES)}
                )
        if password is None:
            password = getpass(_("Password: "))
        try:
            validate_password(password)
            user = create_user(
                email=email, password=password, role=role[0] if role else None, is_staff=staff
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        from shop_accounts.services import assign_role

        for name in role[1:]:
            assign_role(user, name)
        self.stdout.write(self.style.SUCCESS(_("Created %(email)s.") % {"email": email}))
