from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from shop_core.delivery import Outbox
from shop_core.uploads import make_thumbnail

from .conf import app_settings
from .validators import validate_avatar, validate_inn

# The profile fields the company rule reads; editing one withdraws a verification.
COMPANY_FIELDS = ("customer_kind", "company_name", "tax_number")


def company_errors(*, customer_kind: str, company_name: str, tax_number: str) -> dict[str, str]:
    """The company rule, the one place it is written: a business customer needs a
    company name and a tax number (INN). Field name -> message, empty when it holds."""
    if customer_kind != Profile.CustomerKind.B2B:
        return {}
    required = {
        "company_name": (company_name, _("A business customer needs a company name.")),
        "tax_number": (tax_number, _("A business customer needs a tax number (INN).")),
    }
    return {name: message for name, (value, message) in required.items() if not value}


class Profile(models.Model):
    """What the shop keeps about a user beyond the user model itself.

    Created for every new user by a ``post_save`` receiver.
    """

    class CustomerKind(models.TextChoices):
        B2C = "b2c", _("Private customer (B2C)")
        B2B = "b2b", _("Business customer (B2B)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shop_profile",
        verbose_name=_("user"),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    bio = models.TextField(_("about"), blank=True)
    avatar = models.ImageField(
        _("avatar"), upload_to="shop_accounts/avatars/", blank=True, validators=[validate_avatar]
    )
    avatar_thumbnail = models.ImageField(
        _("avatar thumbnail"), upload_to="shop_accounts/avatars/thumbs/", blank=True, editable=False
    )
    customer_kind = models.CharField(
        _("customer kind"), max_length=3, choices=CustomerKind.choices, default=CustomerKind.B2C
    )
    company_name = models.CharField(_("company name"), max_length=255, blank=True)
    tax_number = models.CharField(
        _("tax number (INN)"), max_length=12, blank=True, validators=[validate_inn]
    )
    company_verified = models.BooleanField(_("company verified"), default=False)
    company_verified_at = models.DateTimeField(_("company verified at"), null=True, blank=True)
    company_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company verified by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        permissions = [("verify_company", _("Can verify a business customer's company"))]

    def __str__(self) -> str:
        return self.full_name or str(self.user)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.avatar and str(self.avatar) != str(getattr(self, "_loaded_avatar", "") or ""):
            self._make_thumbnail()
        elif not self.avatar and self.avatar_thumbnail:
            self.avatar_thumbnail = None
        super().save(*args, **kwargs)
        self._loaded_avatar = str(self.avatar) if self.avatar else ""

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, *args: Any, **kwargs: Any) -> Profile:
        # *args/**kwargs: Django 6.1 adds fetch_mode.
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._loaded_avatar = instance.__dict__.get("avatar")
        return instance

    def clean(self) -> None:
        errors = company_errors(
            customer_kind=self.customer_kind,
            company_name=self.company_name,
            tax_number=self.tax_number,
        )
        if errors:
            raise ValidationError(
                {
                    name: ValidationError(message, code="required")
                    for name, message in errors.items()
                }
            )

    @property
    def is_business(self) -> bool:
        return self.customer_kind == self.CustomerKind.B2B

    @property
    def is_verified_business(self) -> bool:
        """A business customer whose company staff verified."""
        return self.is_business and self.company_verified

    def _make_thumbnail(self) -> None:
        thumbnail = make_thumbnail(self.avatar, tuple(app_settings.AVATAR_THUMBNAIL_SIZE))
        # save=False: the surrounding save() writes the row once.
        self.avatar_thumbnail.save(thumbnail.name, thumbnail, save=False)


class DeletedUser(models.Model):
    """Audit trail of deleted users: kept after the user row is gone.

    Ids are stored as text so any primary-key type fits and nothing
    cascades when the deleter is deleted too.
    """

    user_pk = models.CharField(_("user id"), max_length=64, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    date_joined = models.DateTimeField(_("date joined"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), auto_now_add=True)
    deleted_by_pk = models.CharField(_("deleted by (id)"), max_length=64, blank=True)
    deleted_by_email = models.EmailField(_("deleted by (e-mail)"), blank=True)

    class Meta:
        verbose_name = _("deleted user")
        verbose_name_plural = _("deleted users")
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.email or self.user_pk} ({self.deleted_at:%Y-%m-%d})"


class OutgoingEmail(Outbox):
    """An e-mail written in the transaction that asked for it, sent after it commits.

    ``services.emails`` queues it and the ``deliver_email`` task sends it through
    ``shop_core.delivery`` (``sent_at``, ``due``, ``attempts``, ``last_error``): a
    sender claims it by pushing ``due`` (a lease), it is marked sent only once
    the mail server took it, and a failed send is retried after a back-off by
    ``send_pending_emails``. Its body (one-time links) is erased once sent.
    """

    to = models.JSONField(_("to"))
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("text"), blank=True)
    html_body = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not tried before: a lease held by a sender, or the back-off after a failure.

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "due"], name="shop_acc_email_due")]

    def __str__(self) -> str:
        return f"{self.subject} -> {', '.join(self.to)}"


class LoginRecord(models.Model):
    """A sign-in the user can see and end (``sessions/``): one per DRF token (the
    token is one per user, so every device of a token user shares it) or per JWT
    login (its refresh token, followed through rotations; the access tokens carry
    the record's id in the ``sid`` claim). ``key`` names the credential: a SHA-256
    of the token key, or the current refresh token's ``jti``."""

    class Kind(models.TextChoices):
        TOKEN = "token", _("token")
        JWT = "jwt", _("JWT")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_login_records"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    key = models.CharField(_("credential"), max_length=64)
    user_agent = models.CharField(_("device"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-last_used_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="shop_acc_login_record_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_agent or '?'} ({self.created_at:%Y-%m-%d})"
