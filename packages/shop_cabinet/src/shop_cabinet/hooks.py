"""The cabinet's hook implementations.

``resolve_address`` is what the cabinet offers ``shop_orders``: set
``SHOP_ORDERS["ADDRESS_RESOLVER"] = "shop_cabinet.hooks.resolve_address"`` and
checkout accepts an ``address_id`` from the address book.

``resolve_customer_kind`` is the default of ``SHOP_CABINET["CUSTOMER_KIND_RESOLVER"]``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop_core.fields import MAX_ID

from .models import Address


def resolve_address(user: Any, address_id: Any) -> dict[str, str]:
    """The snapshot of one of ``user``'s addresses, for an order to copy
    (``SHOP_ORDERS["ADDRESS_RESOLVER"]``).

    Returns the keys of shop_orders' ``ADDRESS_FIELDS`` (``recipient``,
    ``phone``, ``city``, ``street``, ``building``, ``apartment``,
    ``postal_code``). Raises ``django.core.exceptions.ValidationError`` (code
    ``not_found``) when the id is not an address of this user: another user's
    address is reported exactly like a missing one, so ids leak nothing.
    """
    address = Address.objects.filter(pk=_id_or_none(address_id), user_id=user.pk).first()
    if address is None:
        raise ValidationError(_("No such address in your address book."), code="not_found")
    return address.snapshot()


def _id_or_none(value: Any) -> int | None:
    """``value`` as an id (an int, or ASCII digits: ``int("١٢")`` would be 12), else None."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID:
        return value
    return None


class CustomerKind(NamedTuple):
    """A customer as the dashboard sees it: ``kind`` is "b2c" or "b2b";
    ``verified`` is True when the business customer's company was checked."""

    kind: str = "b2c"
    verified: bool = False

    @property
    def is_verified_business(self) -> bool:
        return self.kind == "b2b" and self.verified


def resolve_customer_kind(user: Any) -> Any:
    """Default ``CUSTOMER_KIND_RESOLVER``: None, everyone is a private customer.

    The cabinet imports no accounts package (DESIGN section 1): a site with
    shop_accounts sets the hook to its public selector,
    ``"shop_accounts.selectors.business_profile"`` (it returns an object with
    ``kind`` and ``verified``, or None), and the company rule stays there.
    """
    return None
