"""``manage.py create_user EMAIL [--role R ...] [--password P] [--staff]``."""

from __future__ import annotations

import sys
from getpass import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop_accounts.conf import app_settings
from shop_accounts.services import assign_role, create_user


class Command(BaseCommand):
    help = gettext_lazy("Create a user with a verified e-mail address and roles.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--role", action="append", default=[], help=gettext_lazy("Repeat for several roles.")
        )
        parser.add_argument(
            "--password", help=gettext_lazy("Asked for when omitted and input is a terminal.")
        )
        parser.add_argument("--staff", action="store_true", help=gettext_lazy("Admin access."))

    def handle(
        self,
        *args: Any,
        email: str,
        role: list[str],
        password: str | None,
        staff: bool,
        **options: Any,
    ) -> None:
        for name in role:
            if name not in app_settings.ROLES:
                raise CommandError(
                    _("Unknown role %(role)s; known roles: %(roles)s.")
                    % {"role": name, "roles": ", ".join(app_settings.ROLES)}
                )
        if password is None:
            if not sys.stdin.isatty():
                raise CommandError(_("Give --password when input is not a terminal."))
            password = getpass(_("Password: "))
        user_model = get_user_model()
        try:
            validate_password(password, user_model(**{user_model.get_email_field_name(): email}))
            with transaction.atomic():
                user = create_user(email=email, password=password, is_staff=staff)
                for name in role:
                    assign_role(user, name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("Created %(email)s.") % {"email": email}))
