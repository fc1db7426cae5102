"""Errors the API answers with a stable machine-readable ``code``.

The body follows the packages' convention: DRF-style field errors plus the
code (``{"email": ["..."], "code": "taken"}``) when the error is about one
field, ``{"detail": "...", "code": "..."}`` otherwise.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class AccountsError(APIException):
    """Base of the package's coded errors (HTTP 400 unless a subclass says otherwise)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = _("Invalid input.")
    field: str | None = None

    def __init__(self) -> None:
        message = self.default_detail
        body = (
            {self.field: [message], "code": self.default_code}
            if self.field
            else {"detail": message, "code": self.default_code}
        )
        super().__init__(body, self.default_code)


class EmailTaken(AccountsError):
    """Registration with an address that has an account (enumeration prevention off)."""

    default_code = "taken"
    default_detail = _("A user is already registered with this e-mail address.")
    field = "email"


class PasswordIncorrect(AccountsError):
    """A password change whose ``old_password`` is wrong."""

    default_code = "password_incorrect"
    default_detail = _("Your old password was entered incorrectly. Please enter it again.")
    field = "old_password"


class InvalidKey(AccountsError):
    """A verification key that is forged, unknown or already used (HTTP 404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "invalid_key"
    default_detail = _("This verification link is not valid.")


class ExpiredKey(AccountsError):
    """A genuine verification key past its lifetime (HTTP 410): ask for a new link."""

    status_code = status.HTTP_410_GONE
    default_code = "expired_key"
    default_detail = _("This verification link has expired; ask for a new one.")
