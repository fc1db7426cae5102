"""The cabinet's hook implementations.

``resolve_address`` is what the cabinet offers ``shop_orders``: set
``SHOP_ORDERS["ADDRESS_RESOLVER"] = "shop_cabinet.hooks.resolve_address"`` and
checkout accepts an ``address_id`` from the address book.

``resolve_customer_kind`` is the default of ``SHOP_CABINET["CUSTOMER_KIND_RESOLVER"]``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from shop_orders.models import Order

from .models import Address


def resolve_address(user: Any, address_id: Any) -> dict[str, str]:
    """The snapshot of one of ``user``'s addresses, for an order to copy
    (``SHOP_ORDERS["ADDRESS_RESOLVER"]``).

    Returns the keys of shop_orders' address snapshot (``Order.ADDRESS_FIELDS``:
    ``recipient``, ``phone``, ``city``, ``street``, ``building``, ``apartment``,
    ``postal_code``). Raises
    ``django.core.exceptions.ValidationError`` (code ``"not_found"``) when the
    id is not an address of this user: another user's address is reported
    exactly like a missing one, so ids leak nothing.
    """
    try:
        address = Address.objects.get(pk=int(address_id), user_id=user.pk)
    except (TypeError, ValueError, Address.DoesNotExist):
        raise ValidationError(
            _("No such address in your address book."), code="not_found"
        ) from None
    return {name: getattr(address, name, "") for name in Order.ADDRESS_FIELDS}


class CustomerKind(NamedTuple):
    """What ``CUSTOMER_KIND_RESOLVER`` returns: ``kind`` is "b2c" or "b2b";
    ``verified`` is True when the business customer's company was checked."""

    kind: str = "b2c"
    verified: bool = False

    @property
    def is_verified_business(self) -> bool:
        return self.kind == "b2b" and self.verified


B2C = CustomerKind()


def resolve_customer_kind(user: Any) -> CustomerKind:
    """Default hook: read the ``shop_accounts`` profile (``user.shop_profile``'s
    ``customer_kind`` and ``company_verified``) when that app is installed;
    everyone is B2C otherwise, or when the user has no profile.

    The profile is read generically (no import of shop_accounts), so any app
    that names its app label ``shop_accounts`` and keeps those two fields works.
    """
    if not apps.is_installed("shop_accounts"):
        return B2C
    try:
        profile = user.shop_profile
    except (AttributeError, ObjectDoesNotExist):
        return B2C
    kind = str(getattr(profile, "customer_kind", "b2c") or "b2c").lower()
    return CustomerKind(kind=kind, verified=bool(getattr(profile, "company_verified", False)))
