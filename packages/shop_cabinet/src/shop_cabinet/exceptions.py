"""Typed errors the cabinet's services raise, each with a stable code.

They are ``shop_core.errors.ShopError`` subclasses: under the cabinet's views
(``ShopAPIMixin``) each becomes one error of the shop's single error body,
``{"type": "validation_error", "errors": [{"code", "detail", "attr"}]}``.
An address or favourite that a concurrent request deleted is Django's
``DoesNotExist``, which the same views answer with a 404 ``not_found``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shop_core.errors import ShopError


class CabinetError(ShopError):
    """Base of the cabinet's errors (400 unless a subclass says otherwise)."""


class DefaultRequired(CabinetError):
    """``is_default: false`` on the default address: make another one the default instead."""

    default_code = "default_required"
    default_detail = _("Make another address the default instead.")

    def __init__(self) -> None:
        super().__init__(field="is_default")


class ProductGone(CabinetError):
    """The product was deleted while it was being added to the favourites."""

    default_code = "does_not_exist"
    default_detail = _("No such product.")

    def __init__(self) -> None:
        super().__init__(field="product_id")
