"""Cart, orders split into per-shop parts, snapshot lines and status history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop_catalog.models import Offer, Shop
from shop_core.delivery import Outbox


class Cart(models.Model):
    """The user's one open cart. Checkout empties it; it is never closed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="shop_cart",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return str(_("Cart of %(user)s") % {"user": self.user})


class CartLine(models.Model):
    """An offer in a cart. Prices are read live from the offer until checkout."""

    cart = models.ForeignKey(
        Cart, verbose_name=_("cart"), on_delete=models.CASCADE, related_name="lines"
    )
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    added = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "offer"], name="shop_orders_cartline_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shop_orders_cartline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} x {self.quantity}"

    @property
    def total(self) -> Decimal:
        """At the offer's current price; may exceed what an order could hold (see checkout)."""
        return self.offer.price * self.quantity


class Status(models.TextChoices):
    """Order and order-part states, in pipeline order (used to aggregate)."""

    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed")
    ASSEMBLED = "assembled", _("assembled")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    CANCELED = "canceled", _("canceled")


# Ordered, not yet delivered, not canceled (the shop has no payment state).
OPEN_STATUSES = (Status.NEW, Status.CONFIRMED, Status.ASSEMBLED, Status.SENT)

# The names of an order's delivery-address snapshot: what checkout accepts,
# what an ADDRESS_RESOLVER returns, what ``Order.address`` holds (public API).
ADDRESS_FIELDS = (
    "recipient",
    "phone",
    "city",
    "street",
    "building",
    "apartment",
    "postal_code",
)


class Order(models.Model):
    """What a customer bought in one checkout, with contact and address snapshot.

    ``status`` is derived from the parts (see ``OrderPart``): the least
    advanced status of the parts still alive, or ``canceled`` when every part
    is canceled. It is stored so lists can filter on it.
    """

    Status = Status

    number = models.CharField(
        _("number"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="shop_orders",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    email = models.EmailField(_("e-mail"), blank=True)
    recipient = models.CharField(_("recipient"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32)
    city = models.CharField(_("city"), max_length=100)
    street = models.CharField(_("street"), max_length=200)
    building = models.CharField(_("building"), max_length=20)
    apartment = models.CharField(_("apartment"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal(0))
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=255, blank=True, editable=False
    )
    # shop_core.idempotency.fingerprint of the checkout request (see README,
    # "Safe retries"); empty for orders placed before it was recorded.
    request_fingerprint = models.CharField(
        _("request fingerprint"), max_length=64, blank=True, editable=False
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="shop_orders_order_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    ADDRESS_FIELDS = ADDRESS_FIELDS

    @property
    def address(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.ADDRESS_FIELDS}


class OrderPart(models.Model):
    """The part of an order one shop fulfils: its own status and subtotal.

    A supplier sees and moves only the parts of its shops; the customer's
    order status is derived from its parts.
    """

    Status = Status

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="parts"
    )
    # None: the part of things sold outside the catalogue (``services.external``),
    # which no supplier sees.
    shop = models.ForeignKey(
        Shop,
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_parts",
    )
    shop_name = models.CharField(_("shop name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal(0))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order part")
        verbose_name_plural = _("order parts")
        ordering = ["order", "shop_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "shop"], name="shop_orders_orderpart_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order} / {self.shop_name}"


class OrderLine(models.Model):
    """A bought item as it was at checkout; the offer reference is protected.

    A line has either an ``offer`` (the catalogue) or a ``source`` and
    ``reference`` (an item sold elsewhere, ``services.external``: e.g. a
    booking). ``holds_item`` is cleared when the order is canceled: one
    source's reference is held by one live order at most.
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    part = models.ForeignKey(
        OrderPart, verbose_name=_("order part"), on_delete=models.CASCADE, related_name="lines"
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    holds_item = models.BooleanField(_("holds the item"), default=True, editable=False)
    product_name = models.CharField(_("product name"), max_length=255)
    model = models.CharField(_("model"), max_length=255, blank=True)
    shop_name = models.CharField(_("shop name"), max_length=200)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shop_orders_orderline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=(Q(offer__isnull=False) & Q(source="") & Q(reference=""))
                | (Q(offer__isnull=True) & ~Q(source="") & ~Q(reference="")),
                name="shop_orders_orderline_offer_or_external",
            ),
            models.UniqueConstraint(
                fields=["source", "reference"],
                condition=~Q(source="") & Q(holds_item=True),
                name="shop_orders_orderline_external_item_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} x {self.quantity}"

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class StatusChange(models.Model):
    """One move of an order part: from, to, who, when and why.

    The row written at checkout has an empty ``from_status``.
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="history"
    )
    part = models.ForeignKey(
        OrderPart, verbose_name=_("order part"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.part_id}: {self.from_status or '-'} -> {self.to_status}"


class Notification(Outbox):
    """One message to send after a commit: an outbox row kept until it was sent.

    Written in the transaction that placed the order or moved the part, so it
    is never lost; ``sent_at`` is set only after the notifier returned, and a
    sender first claims the row with a conditional UPDATE (see
    ``services.notifications``), so it is never sent twice by two workers.
    """

    class Event(models.TextChoices):
        ORDER_PLACED = "order_placed", _("order placed (customer)")
        SHOP_ORDER_PLACED = "shop_order_placed", _("order placed (supplier)")
        STATUS_CHANGED = "status_changed", _("status changed (customer)")

    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="notifications"
    )
    part = models.ForeignKey(
        OrderPart,
        verbose_name=_("order part"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    change = models.ForeignKey(
        StatusChange,
        verbose_name=_("status change"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["due"],
                condition=Q(sent_at__isnull=True),
                name="shop_orders_notification_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} #{self.order_id}"
