"""Typed errors of shop_accounts, each with a stable machine-readable ``code``.

They are ``shop_core.errors.ShopError``s: under the package's views
(``shop_core.views.ShopAPIMixin``) an error about one input answers
``{"type": "validation_error", "errors": [{"code": "taken", "detail": "...",
"attr": "email"}]}``, any other ``{"type": "client_error", "errors": [{"code":
"expired_key", "detail": "...", "attr": null}]}`` with the error's status. The
README's "Errors" table lists every code the package answers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.settings import api_settings

from shop_core.errors import ShopError


class AccountsError(ShopError):
    """Base of the package's typed errors (HTTP 400 unless a subclass says otherwise).

    ``default_field`` names the input the error concerns (its ``attr``); None
    for an error about the request as a whole.
    """

    default_field: str | None = None

    def __init__(self, message: Any = None, *, field: str | None = None) -> None:
        super().__init__(message, code=self.default_code, field=field or self.default_field)


class NonFieldError(AccountsError):
    """An error about the credentials as a whole: ``attr`` is ``non_field_errors``."""

    def __init__(self, message: Any = None) -> None:
        super().__init__(message, field=api_settings.NON_FIELD_ERRORS_KEY)


class EmailTaken(AccountsError):
    """Registration with an address that has an account (enumeration prevention off)."""

    default_code = "taken"
    default_detail = _("A user is already registered with this e-mail address.")
    default_field = "email"


class PasswordIncorrect(AccountsError):
    """A password change whose ``old_password`` is wrong."""

    default_code = "password_incorrect"
    default_detail = _("Your old password was entered incorrectly. Please enter it again.")
    default_field = "old_password"


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


class CredentialsRequired(NonFieldError):
    """A login without the e-mail (or username) and the password."""

    default_code = "credentials_required"
    default_detail = _("Enter the e-mail address and the password.")


class InvalidCredentials(NonFieldError):
    """A login whose e-mail and password match no active account."""

    default_code = "invalid_credentials"
    default_detail = _("Unable to log in with provided credentials.")


class AccountInactive(NonFieldError):
    """A login into a deactivated account (with a backend that lets inactive users in)."""

    default_code = "inactive"
    default_detail = _("User account is disabled.")


class EmailNotVerified(NonFieldError):
    """A login before the address was verified (mandatory verification)."""

    default_code = "email_not_verified"
    default_detail = _("E-mail is not verified.")


class NotLoggedIn(NonFieldError):
    """A token logout without a token."""

    default_code = "not_logged_in"
    default_detail = _("You should be logged in to log out.")


class RefreshTokenMissing(AccountsError):
    """A JWT logout without the refresh token to blacklist (HTTP 401)."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "refresh_token_missing"
    default_detail = _("Send the refresh token to log out.")


class TokenRequired(NonFieldError):
    """A Google login with neither an ``access_token`` nor a ``code``."""

    default_code = "token_required"
    default_detail = _("Send an access_token or a code.")


class SocialEmailTaken(NonFieldError):
    """A provider login whose unverified address belongs to an account: not linked."""

    default_code = "taken"
    default_detail = _("A user is already registered with this e-mail address.")


class CodeFlowNotConfigured(NonFieldError):
    """A Google ``code`` while ``SHOP_ACCOUNTS["GOOGLE_CALLBACK_URL"]`` is not set."""

    default_code = "code_flow_not_configured"
    default_detail = _("Log in with an access_token: this site takes no authorization code.")


class ProviderRefused(NonFieldError):
    """Google refused the token or code, or its answer could not be used."""

    default_code = "provider_refused"
    default_detail = _("The provider refused this token.")


class ProviderUnavailable(AccountsError):
    """Google could not be reached (network, proxy, time-out): try again later (HTTP 503)."""

    status_code = 503
    default_code = "provider_unavailable"
    default_detail = _("The login provider cannot be reached; try again later.")


class ResetUidInvalid(AccountsError):
    """A password-reset confirmation whose ``uid`` names no user."""

    default_code = "invalid_uid"
    default_detail = _("Invalid value")
    default_field = "uid"


class ResetTokenInvalid(AccountsError):
    """A password-reset token that is forged, used or expired."""

    default_code = "invalid_token"
    default_detail = _("Invalid value")
    default_field = "token"


class NotBusinessCustomer(AccountsError):
    """Staff verifying the company of a private (B2C) customer."""

    default_code = "not_business"
    default_detail = _("Only a business customer's company can be verified.")
    default_field = "customer_kind"


class CompanyIncomplete(AccountsError):
    """Staff verifying a company whose name or tax number is missing."""

    default_code = "company_incomplete"
    default_detail = _("The company name and tax number must be filled in first.")
    default_field = "tax_number"


class CodeInvalid(AccountsError):
    """A second-factor code that is wrong, used before or from another time window."""

    default_code = "invalid_code"
    default_detail = _("This code is not valid.")
    default_field = "code"


class CodeRequired(AccountsError):
    """An action that needs the second-factor code of an account that has one."""

    default_code = "code_required"
    default_detail = _("Enter the code of your authenticator app.")
    default_field = "code"


class MFAAlreadyActive(AccountsError):
    """Setting up a second factor that is already on."""

    default_code = "mfa_active"
    default_detail = _("Two-factor authentication is already on.")
    default_field = api_settings.NON_FIELD_ERRORS_KEY


class MFANotActive(AccountsError):
    """Changing a second factor that is off."""

    default_code = "mfa_not_active"
    default_detail = _("Two-factor authentication is off.")
    default_field = api_settings.NON_FIELD_ERRORS_KEY


class TicketInvalid(AccountsError):
    """A login or setup ticket that is forged, spent, another user's, or whose
    password changed since."""

    default_code = "invalid_ticket"
    default_detail = _("This login step is not valid; log in again.")
    default_field = "ticket"


class TicketExpired(AccountsError):
    """A genuine ticket past its lifetime (HTTP 410): log in (or set up) again."""

    status_code = status.HTTP_410_GONE
    default_code = "expired_ticket"
    default_detail = _("This login step has expired; log in again.")


class TooManyAttempts(AccountsError):
    """Too many code attempts for the account (HTTP 429)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"
    default_detail = _("Too many attempts; try again later.")


class AccountInUse(AccountsError):
    """Leaving the shop while another package's records still need the account (a
    ``PROTECT`` foreign key, such as a specialist's bookings) (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "account_in_use"
    default_detail = _(
        "The account is still in use (for example by bookings) and cannot be deleted yet."
    )


class NoPasskey(AccountsError):
    """A passkey second step for an account that has no passkey."""

    default_code = "no_passkey"
    default_detail = _("This account has no passkey; use another second factor.")
    default_field = "ticket"
