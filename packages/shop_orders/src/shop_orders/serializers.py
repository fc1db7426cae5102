"""API serializers: input checks and output shapes. No business rules here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from shop_catalog.models import Offer
from shop_core.fields import AsciiDigitsField, AsciiDigitsMixin, IdField, validate_phone

from .models import CartLine, Order, OrderLine, OrderPart, Status, StatusChange
from .rows import order_dict
from .services import allowed_targets, can_cancel, resolve_address
from .services.cart import line_problem

LINE_PROBLEMS = ["inactive", "shop_closed", "out_of_stock", "amount_too_large"]


# --- cart -----------------------------------------------------------------


class CartOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product_id = serializers.IntegerField(read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    model = serializers.CharField(read_only=True)
    shop_id = serializers.IntegerField(read_only=True)
    shop_name = serializers.CharField(source="shop.name", read_only=True)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    in_stock = serializers.IntegerField(source="quantity", read_only=True)


class CartLineSerializer(serializers.ModelSerializer):
    """A cart line with the offer's current price and whether it can be ordered now."""

    offer = CartOfferSerializer(read_only=True)
    # No digit limit: a price raised after the add may push a total past what
    # an order holds; the cart still reads (``problem`` says so).
    total = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True)
    problem = serializers.SerializerMethodField()

    class Meta:
        model = CartLine
        fields = ["id", "offer", "quantity", "total", "problem"]

    @extend_schema_field(serializers.ChoiceField(choices=LINE_PROBLEMS, allow_null=True))
    def get_problem(self, line: CartLine) -> str | None:
        return line_problem(line)


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True, read_only=True)
    count = serializers.IntegerField(read_only=True, help_text=_("Items in the cart."))
    total = serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True)

    @staticmethod
    def summary(lines: list[CartLine]) -> dict[str, Any]:
        return {
            "lines": lines,
            "count": sum(line.quantity for line in lines),
            "total": sum((line.total for line in lines), Decimal("0.00")),
        }


class AddLineSerializer(AsciiDigitsMixin, serializers.Serializer):
    # With what the add checks: the offer is read once.
    offer = IdField(
        queryset=Offer.objects.select_related("shop", "product"), help_text=_("Offer id.")
    )
    quantity = serializers.IntegerField(default=1)


class ChangeLineSerializer(AsciiDigitsMixin, serializers.Serializer):
    quantity = serializers.IntegerField()


# --- checkout -------------------------------------------------------------


class DeliveryAddressSerializer(serializers.Serializer):
    """The delivery address and contact of an order: sent at checkout, then kept
    on the order as a snapshot (editing an address book later changes nothing).

    Digits of other scripts in the phone, building, apartment and postal code
    are stored as ASCII digits."""

    recipient = serializers.CharField(max_length=200)
    phone = AsciiDigitsField(max_length=32, validators=[validate_phone])
    city = serializers.CharField(max_length=100)
    street = serializers.CharField(max_length=200)
    building = AsciiDigitsField(max_length=20)
    apartment = AsciiDigitsField(max_length=20, required=False, allow_blank=True, default="")
    postal_code = AsciiDigitsField(max_length=20, required=False, allow_blank=True, default="")


class CheckoutSerializer(serializers.Serializer):
    """Either ``address`` inline or ``address_id`` of a saved address."""

    address = DeliveryAddressSerializer(required=False)
    address_id = serializers.CharField(
        required=False, max_length=100, help_text=_("Id of a saved address (needs a resolver).")
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_address, has_id = "address" in attrs, "address_id" in attrs
        if not has_address and not has_id:
            raise serializers.ValidationError(
                {"address": [ErrorDetail(_("Send address or address_id."), code="required")]}
            )
        if has_address and has_id:
            raise serializers.ValidationError(
                {
                    "address": [
                        ErrorDetail(
                            _("Send either address or address_id, not both."),
                            code="ambiguous_address",
                        )
                    ]
                }
            )
        if has_id:
            # A CheckoutError (no resolver, no such address) goes up to the view,
            # which answers it on ``address_id`` like any service error.
            user = self.context["request"].user
            attrs["address"] = self._resolved(
                resolve_address(user=user, address_id=attrs.pop("address_id"))
            )
        return attrs

    @staticmethod
    def _resolved(data: dict[str, str]) -> dict[str, Any]:
        """A saved address, validated like an inline one; its problems are told on
        ``address_id`` (``"city: This field may not be blank."``, with the field's code)."""
        resolved = DeliveryAddressSerializer(data=data)
        if not resolved.is_valid():
            raise serializers.ValidationError(
                {
                    "address_id": [
                        ErrorDetail(f"{name}: {error}", code=error.code)
                        for name, errors in resolved.errors.items()
                        for error in errors
                    ]
                }
            )
        return resolved.validated_data


# The codes a saved address that does not validate can carry on ``address_id``.
RESOLVED_ADDRESS_CODES = ["required", "null", "blank", "max_length", "invalid", "invalid_phone"]


# --- orders ---------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    """A bought item as it was at checkout (snapshot): an ``offer`` of the catalogue,
    or (``offer`` null) an item sold elsewhere named by ``source`` and ``reference``."""

    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "offer",
            "source",
            "reference",
            "product_name",
            "model",
            "shop_name",
            "unit_price",
            "quantity",
            "total",
        ]
        read_only_fields = fields


class OrderPartSerializer(serializers.ModelSerializer):
    """The part of an order one shop fulfils, with its own status and lines."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = OrderPart
        fields = ["id", "shop", "shop_name", "status", "status_display", "total", "lines"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    """One recorded move of a part (the checkout row has an empty ``from_status``)."""

    # Plain strings in the schema: one enum under three names upsets drf-spectacular.
    from_status = serializers.CharField(
        read_only=True, help_text=_("Previous status; empty for the checkout entry.")
    )
    to_status = serializers.CharField(read_only=True, help_text=_("New status."))
    by_customer = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["id", "part", "from_status", "to_status", "comment", "created", "by_customer"]
        read_only_fields = fields

    def get_by_customer(self, change: StatusChange) -> bool:
        return change.by_id is not None and change.by_id == change.order.user_id


class OrderSerializer(serializers.ModelSerializer):
    """An order with its address snapshot and per-shop parts with lines.

    Needs the prefetches of ``selectors.orders_of`` to stay at a constant
    number of queries."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    address = DeliveryAddressSerializer(read_only=True)
    parts = OrderPartSerializer(many=True, read_only=True)
    can_cancel = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "created",
            "updated",
            "total",
            "email",
            "address",
            "comment",
            "parts",
            "can_cancel",
        ]
        read_only_fields = fields

    def get_can_cancel(self, order: Order) -> bool:
        return can_cancel(order)

    def to_representation(self, instance: Order) -> dict[str, Any]:
        # The same dict without the field machinery (``rows``; a test compares
        # them); a subclass may add or change fields, so it gets DRF's own.
        if type(self) is not OrderSerializer:
            return super().to_representation(instance)
        return order_dict(instance)


class OrderDetailSerializer(OrderSerializer):
    """``OrderSerializer`` plus the status ``history`` (prefetched by
    ``selectors.order_detail`` / ``with_history``)."""

    history = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "history"]
        read_only_fields = fields

    def to_representation(self, instance: Order) -> dict[str, Any]:
        if type(self) is not OrderDetailSerializer:
            return super().to_representation(instance)
        return {**order_dict(instance), "history": self.get_history(instance)}

    @extend_schema_field(StatusChangeSerializer(many=True))
    def get_history(self, order: Order) -> list[dict[str, Any]]:
        changes = list(order.history.all())
        for change in changes:
            change.order = order  # spare a query per row in by_customer
        return StatusChangeSerializer(changes, many=True).data


class CancelSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- supplier -------------------------------------------------------------


class SupplierOrderInfoSerializer(serializers.ModelSerializer):
    address = DeliveryAddressSerializer(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "created", "status", "email", "address", "comment"]
        read_only_fields = fields


class SupplierOrderSerializer(serializers.ModelSerializer):
    """One shop's part of an order: only this shop's lines."""

    order = SupplierOrderInfoSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = OrderPart
        fields = [
            "id",
            "order",
            "shop",
            "shop_name",
            "status",
            "status_display",
            "next_statuses",
            "total",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_statuses(self, part: OrderPart) -> list[str]:
        return allowed_targets(part.status)


class MoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


# --- error answers (schema only) ----------------------------------------------
# Shaped like drf-standardized-errors' own error components; a component name
# ending in "ErrorComponent" keeps its code enum inline (see its enum hook).


class UnavailableLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    offer = serializers.IntegerField()
    product_name = serializers.CharField()
    shop_name = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()
    problem = serializers.ChoiceField(choices=LINE_PROBLEMS)


CHECKOUT_CONFLICT_CODES = [
    "empty_cart",
    "cart_changed",
    "unavailable",
    "out_of_stock",
    "amount_too_large",
]


class CheckoutConflictErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=CHECKOUT_CONFLICT_CODES)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "CheckoutConflictErrorComponent"


class CheckoutConflictSerializer(serializers.Serializer):
    """A 409 of the checkout: the cart cannot be ordered as it is; ``lines`` are to blame
    (empty for ``empty_cart`` and ``cart_changed``)."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = CheckoutConflictErrorSerializer(many=True)
    lines = UnavailableLineSerializer(many=True)

    class Meta:
        ref_name = "CheckoutConflictResponse"


class KeyReusedErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["idempotency_key_reused"])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "CheckoutKeyReusedErrorComponent"


class KeyReusedSerializer(serializers.Serializer):
    """A 422 of the checkout: the ``Idempotency-Key`` was used for another request."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = KeyReusedErrorSerializer(many=True)

    class Meta:
        ref_name = "CheckoutKeyReusedResponse"
