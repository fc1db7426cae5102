"""The cabinet's own data: the address book and favourites."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop_core.bounds import ascii_digits
from shop_core.fields import validate_phone
from shop_orders.models import ADDRESS_FIELDS

from .validators import validate_postal_code


class Address(models.Model):
    """One address of a user's address book.

    At most one default address per user and kind (a partial unique
    constraint); ``services`` keep exactly one default while any address of
    the kind exists. Orders keep their own snapshot (``hooks.resolve_address``),
    so editing or deleting an address never changes a past order.
    """

    class Kind(models.TextChoices):
        SHIPPING = "shipping", _("shipping address")
        LEGAL = "legal", _("legal address")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cabinet_addresses",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SHIPPING)
    recipient = models.CharField(_("recipient"), max_length=150)
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street"), max_length=200)
    building = models.CharField(_("building"), max_length=20)
    apartment = models.CharField(_("apartment / office"), max_length=20, blank=True)
    postal_code = models.CharField(
        _("postal code"), max_length=20, validators=[validate_postal_code]
    )
    is_default = models.BooleanField(_("default"), default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["kind", "-is_default", "-created", "-pk"]
        indexes = [models.Index(fields=["user", "kind"], name="shop_cabinet_address_user_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(is_default=True),
                name="shop_cabinet_address_one_default_per_kind",
            ),
        ]

    # What a customer fills in: the kind, then shop_orders' address snapshot
    # fields (its public ``ADDRESS_FIELDS``: one list for both packages).
    EDITABLE_FIELDS = ("kind", *ADDRESS_FIELDS)
    # Fields typed as digits: stored with ASCII digits whatever script they came in.
    DIGIT_FIELDS = ("phone", "postal_code")

    def __str__(self) -> str:
        return self.one_line()

    def clean_fields(self, exclude: Any = None) -> None:
        """Normalise other scripts' digits to ASCII, then validate (``full_clean``)."""
        for name in self.DIGIT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, ascii_digits(value))
        super().clean_fields(exclude=exclude)

    def one_line(self) -> str:
        """The address as one line, postal code first (the Russian order)."""
        parts = [self.postal_code, self.city, self.street, self.building]
        if self.apartment:
            parts.append(self.apartment)
        return ", ".join(p for p in parts if p)

    def snapshot(self) -> dict[str, str]:
        """The fields an order copies (``ADDRESS_FIELDS``, see ``hooks.resolve_address``)."""
        return {name: getattr(self, name, "") for name in ADDRESS_FIELDS}


class Favourite(models.Model):
    """A product the user keeps in their favourites (once per product)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cabinet_favourites",
        verbose_name=_("user"),
    )
    product = models.ForeignKey(
        "shop_catalog.Product",
        on_delete=models.CASCADE,
        related_name="cabinet_favourites",
        verbose_name=_("product"),
    )
    created = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], name="shop_cabinet_favourite_unique_product"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.product_id}"


class PersonalDataExport(models.Model):
    """A personal-data archive prepared in the background (``tasks.prepare_export``).

    At most one pending export per user. The archive is kept in ``data`` until
    ``SHOP_CABINET["EXPORT_RETENTION_HOURS"]`` have passed since it ``finished``;
    ``manage.py prune_personal_data_exports`` deletes older rows.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cabinet_exports",
        verbose_name=_("user"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    data = models.JSONField(_("archive"), null=True, blank=True, editable=False)
    created = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data export")
        verbose_name_plural = _("personal-data exports")
        ordering = ["-created"]
        constraints = [
            # Re-requesting while one is pending returns it (services.request_export).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="shop_cabinet_export_one_pending_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d %H:%M} ({self.status})"
