"""API views: parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.fields import ID_PATTERN, NON_ASCII_DIGITS
from shop_core.filters import FilterBackend
from shop_core.idempotency import HEADER as IDEMPOTENCY_HEADER
from shop_core.idempotency import key_from
from shop_core.views import ShopAPIMixin

from . import rows, selectors, services
from .conf import app_settings
from .exceptions import NON_FIELD
from .filters import OrderFilter, SupplierOrderFilter
from .models import Order, OrderPart
from .pagination import OrdersPagination
from .serializers import (
    RESOLVED_ADDRESS_CODES,
    AddLineSerializer,
    CancelSerializer,
    CartSerializer,
    ChangeLineSerializer,
    CheckoutConflictSerializer,
    CheckoutSerializer,
    KeyReusedSerializer,
    MoveSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    SupplierOrderSerializer,
)

# The service codes of each field, for the schema (drf-standardized-errors finds
# the serializers' and filter forms' own codes by itself).
QUANTITY_CODES = [
    NON_ASCII_DIGITS,
    "invalid_quantity",
    "quantity_too_large",
    "out_of_stock",
    "amount_too_large",
]
# A line's offer that can no longer be ordered (the add also checks the id itself).
OFFER_STATE_CODES = ["inactive", "shop_closed"]
OFFER_CODES = [NON_ASCII_DIGITS, "does_not_exist", *OFFER_STATE_CODES]
LIST_CODES = {"created": ["out_of_range", NON_ASCII_DIGITS], "page": ["invalid_page"]}


def list_errors(viewset: type) -> type:
    """Document the codes of the list's filters and pagination that the schema cannot see."""
    for field, codes in LIST_CODES.items():
        viewset = extend_validation_errors(codes, field_name=field, actions=["list"])(viewset)
    return viewset


def _cart_body(request: Request) -> dict[str, Any]:
    lines = list(selectors.cart_lines(request.user))
    return CartSerializer(CartSerializer.summary(lines)).data


class CartView(ShopAPIMixin, APIView):
    """The user's cart: lines at current prices and the total."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The cart", responses=CartSerializer)
    def get(self, request: Request) -> Response:
        return Response(_cart_body(request))

    @extend_schema(summary="Empty the cart", responses={204: None})
    def delete(self, request: Request) -> Response:
        services.clear_cart(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(OFFER_CODES, field_name="offer", methods=["post"])
@extend_validation_errors(QUANTITY_CODES, field_name="quantity", methods=["post"])
class CartLinesView(ShopAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Add an offer to the cart",
        description="Adds to the offer's line if it is already in the cart. Answers the cart.",
        request=AddLineSerializer,
        responses={201: CartSerializer},
    )
    def post(self, request: Request) -> Response:
        data = AddLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = services.add_offer(
            user=request.user,
            offer=data.validated_data["offer"],
            quantity=data.validated_data["quantity"],
        )
        return Response(
            CartSerializer(CartSerializer.summary(lines)).data, status=status.HTTP_201_CREATED
        )


@extend_validation_errors(OFFER_STATE_CODES, field_name="offer", methods=["patch"])
@extend_validation_errors(QUANTITY_CODES, field_name="quantity", methods=["patch"])
class CartLineView(ShopAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Change a cart line's quantity",
        description="Answers the cart.",
        request=ChangeLineSerializer,
        responses={200: CartSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = ChangeLineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.change_line(user=request.user, line_id=pk, **data.validated_data)
        return Response(_cart_body(request))

    @extend_schema(summary="Remove a cart line", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.remove_line(user=request.user, line_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_validation_errors(
    ["required", "null", "ambiguous_address", "incomplete_address"], field_name="address"
)
@extend_validation_errors(["invalid_phone"], field_name="address.phone")
@extend_validation_errors(
    ["not_supported", "does_not_exist", *RESOLVED_ADDRESS_CODES], field_name="address_id"
)
@extend_validation_errors(["invalid_idempotency_key"], field_name="idempotency_key")
class CheckoutView(ShopAPIMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Place an order from the cart",
        description=(
            "Send the same `Idempotency-Key` header when retrying: the same request "
            "returns the first order (200) and creates no second one; the key with "
            "another request is a 422 (`idempotency_key_reused`). 409: the cart is "
            "empty (`empty_cart`, also what a second checkout of one cart finds), "
            "changed meanwhile (`cart_changed`), or has lines that cannot be ordered "
            "(`unavailable`, `out_of_stock`, `amount_too_large`, with `lines`)."
        ),
        request=CheckoutSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="A client-chosen unique key per checkout attempt.",
            )
        ],
        responses={
            201: OrderDetailSerializer,
            200: OpenApiResponse(OrderDetailSerializer, description="Idempotent replay."),
            409: OpenApiResponse(
                CheckoutConflictSerializer, description="The cart cannot be ordered as it is."
            ),
            422: OpenApiResponse(
                KeyReusedSerializer, description="Idempotency-Key reused with another request."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        key = key_from(request, app_settings.IDEMPOTENCY_KEY_MAX_LENGTH)
        data = CheckoutSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        result = services.checkout(user=request.user, idempotency_key=key, **data.validated_data)
        # A new order carries what checkout wrote (parts, lines, history): no re-read.
        order = result.order
        if not result.created:
            order = selectors.order_detail(user=request.user, pk=order.pk)
        return Response(
            OrderDetailSerializer(order).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


@extend_schema_view(
    list=extend_schema(summary="The user's orders"),
    retrieve=extend_schema(summary="One of the user's orders", responses=OrderDetailSerializer),
)
@list_errors
@extend_validation_errors(
    ["already_canceled", "not_cancelable"], field_name=NON_FIELD, actions=["cancel"]
)
class OrderViewSet(ShopAPIMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer
    pagination_class = OrdersPagination
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = OrderFilter
    ordering_fields = ["created", "total"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Order]:
        orders = selectors.orders_of(self.request.user)
        if self.action != "list":
            orders = selectors.with_history(orders)
        return orders

    def get_serializer_class(self) -> type:
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """``OrderSerializer``'s dicts built from plain rows (``rows``): the hot read."""
        orders = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(orders.values_list(*rows.ORDER_COLUMNS))
        return self.get_paginated_response(rows.order_dicts(page))

    @extend_schema(
        summary="Cancel the order",
        request=CancelSerializer,
        responses={200: OrderDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        order = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cancel_order(order=order, by=request.user, **data.validated_data)
        order = selectors.order_detail(user=request.user, pk=order.pk)
        return Response(OrderDetailSerializer(order).data)


@extend_schema_view(
    list=extend_schema(summary="Order parts of my shops"),
    retrieve=extend_schema(summary="One order part of my shops"),
)
@list_errors
@extend_validation_errors(["invalid_transition"], field_name="status", actions=["move"])
@extend_validation_errors(["conflict"], field_name=NON_FIELD, actions=["move"])
class SupplierOrderViewSet(ShopAPIMixin, viewsets.ReadOnlyModelViewSet):
    """What a supplier sees: its shops' parts of orders, with only their lines."""

    permission_classes = [IsAuthenticated]
    serializer_class = SupplierOrderSerializer
    pagination_class = OrdersPagination
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_class = SupplierOrderFilter
    ordering_fields = ["order__created", "total"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[OrderPart]:
        return selectors.supplier_parts(self.request.user)

    @extend_schema(
        summary="Move the order part to another status",
        request=MoveSerializer,
        responses={200: SupplierOrderSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def move(self, request: Request, pk: Any = None) -> Response:
        part = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.move_part(
            part=part,
            to_status=data.validated_data["status"],
            by=request.user,
            comment=data.validated_data["comment"],
        )
        return Response(SupplierOrderSerializer(self.get_queryset().get(pk=part.pk)).data)
