"""The default notifier: plain-text e-mails through Django's mail backend.

The notifier contract (the same in shop_bookings): ``SHOP_ORDERS["NOTIFIER"]``
is a dotted path to a class, instantiated with no arguments for each message
inside the background task, with one method per event receiving the object.
Raising means "not sent, retry later": the outbox row keeps the error and
is tried again after a back-off. It must offer:

``order_placed(order: Order) -> None``
    Tell the customer their order was placed (``order.parts`` and each
    part's ``lines`` are prefetched).
``shop_order_placed(part: OrderPart) -> None``
    Tell the supplier about its part of a new order (``part.shop`` with its
    owner and staff, and ``part.lines`` are prefetched).
``status_changed(change: StatusChange) -> None``
    Tell the customer that one part of their order moved (``change.order``,
    ``change.part`` and ``change.by`` are selected).

Subclass ``EmailNotifier`` to change texts or recipients, or write any
class with these three methods to send SMS or push messages instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from shop_catalog.models import Shop

from .models import Order, OrderPart, StatusChange
from .selectors import email_of


def _lines_text(lines: Iterable) -> str:
    return "\n".join(
        f"- {line.product_name} ({line.shop_name}) x {line.quantity}: {line.total}"
        for line in lines
    )


class EmailNotifier:
    """E-mails to the customer (new order, each status change) and supplier (new order)."""

    from_email: str | None = None  # None: settings.DEFAULT_FROM_EMAIL

    def send(self, *, subject: str, body: str, to: list[str]) -> None:
        """Send one message; does nothing without recipients."""
        to = sorted({address for address in to if address})
        if to:
            send_mail(subject, body, self.from_email or settings.DEFAULT_FROM_EMAIL, to)

    def shop_recipients(self, shop: Shop) -> list[str]:
        """E-mails of the shop's owner and staff (whatever the user model names its e-mail)."""
        users = [shop.owner, *shop.staff.all()] if shop.owner_id else list(shop.staff.all())
        return [email_of(user) for user in users if user is not None and email_of(user)]

    def order_placed(self, order: Order) -> None:
        lines = [line for part in order.parts.all() for line in part.lines.all()]
        body = _(
            "Thank you for your order %(number)s.\n\n%(lines)s\n\nTotal: %(total)s\n"
            "Delivery to: %(address)s"
        ) % {
            "number": order.number,
            "lines": _lines_text(lines),
            "total": order.total,
            "address": ", ".join(v for v in order.address.values() if v),
        }
        self.send(
            subject=_("Order %(number)s placed") % {"number": order.number},
            body=body,
            to=[order.email],
        )

    def shop_order_placed(self, part: OrderPart) -> None:
        order = part.order
        body = _(
            "New order %(number)s for %(shop)s.\n\n%(lines)s\n\nTotal: %(total)s\n"
            "Deliver to: %(address)s"
        ) % {
            "number": order.number,
            "shop": part.shop_name,
            "lines": _lines_text(part.lines.all()),
            "total": part.total,
            "address": ", ".join(v for v in order.address.values() if v),
        }
        self.send(
            subject=_("New order %(number)s") % {"number": order.number},
            body=body,
            to=self.shop_recipients(part.shop),
        )

    def status_changed(self, change: StatusChange) -> None:
        order = change.order
        body = _("Your order %(number)s (%(shop)s) is now %(status)s.") % {
            "number": order.number,
            "shop": change.part.shop_name,
            "status": change.get_to_status_display(),
        }
        if change.comment:
            body += "\n\n" + change.comment
        self.send(
            subject=_("Order %(number)s: %(status)s")
            % {"number": order.number, "status": change.get_to_status_display()},
            body=body,
            to=[order.email],
        )
