"""Thin API views: parse, call a service or selector, serialize.

Every view is a ``CabinetAPIMixin`` (``shop_core``'s ``ShopAPIMixin``): one
error body for every answer, ``{"type", "errors": [{"code", "detail", "attr"}]}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from shop_core.bounds import OUT_OF_RANGE
from shop_core.fields import ID_PATTERN, NON_ASCII_DIGITS
from shop_core.filters import FilterBackend
from shop_core.views import ShopAPIMixin
from shop_orders.filters import OrderFilter
from shop_orders.models import Order
from shop_orders.serializers import OrderDetailSerializer

from . import export, selectors, services
from .models import Address, PersonalDataExport
from .pagination import CabinetPagination
from .permissions import IsCustomer
from .serializers import (
    AddressBookEntrySerializer,
    DashboardSerializer,
    FavouriteSerializer,
    OrderSummarySerializer,
    PersonalDataExportSerializer,
)

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITES = ["create", "update", "partial_update"]


class CabinetAPIMixin(ShopAPIMixin):
    """Base of every cabinet API view: ``ShopAPIMixin`` (safe parsing, the one
    error body; a ``DoesNotExist`` from a concurrent delete is a 404), and the
    body of a write request parsed up front, so a malformed or over-deep body
    is a 400 even on endpoints that take none (``set-default``, ``export``)
    and nothing is changed."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method in BODY_METHODS:
            request.data  # noqa: B018  (parses now: a bad body is a 400 before any write)


def invalid_page(view: type) -> type:
    """Document the 400 ``invalid_page`` of a paginated list."""
    return extend_validation_errors(["invalid_page"], field_name="page", actions=["list"])(view)


@extend_schema_view(
    list=extend_schema(summary="The caller's address book"),
    create=extend_schema(summary="Add an address (the first of its kind becomes the default)"),
    retrieve=extend_schema(summary="One address"),
    update=extend_schema(summary="Replace an address"),
    partial_update=extend_schema(summary="Change an address"),
    destroy=extend_schema(summary="Delete an address (a default passes to another one)"),
)
@extend_validation_errors(["invalid_phone"], field_name="phone", actions=WRITES)
@extend_validation_errors(["invalid_postal_code"], field_name="postal_code", actions=WRITES)
@extend_validation_errors(
    ["default_required"], field_name="is_default", actions=["update", "partial_update"]
)
@invalid_page
class AddressViewSet(CabinetAPIMixin, viewsets.ModelViewSet):
    serializer_class = AddressBookEntrySerializer
    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    queryset = Address.objects.none()  # for the schema; the real one is per user
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.addresses_of(self.request.user)

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.create_address(user=self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.update_address(address=serializer.instance, **data)

    def perform_destroy(self, instance: Address) -> None:
        services.delete_address(address=instance)

    @extend_schema(
        summary="Make this address the default of its kind",
        request=None,
        responses=AddressBookEntrySerializer,
    )
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request: Request, pk: Any = None) -> Response:
        address = services.set_default_address(address=self.get_object())
        return Response(self.get_serializer(address).data)


@extend_schema_view(
    list=extend_schema(summary="The caller's favourite products, newest first"),
    create=extend_schema(
        summary="Add a product to favourites (adding it again is harmless)",
        responses={201: FavouriteSerializer, 200: FavouriteSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a product from favourites",
        responses={204: OpenApiResponse(description="Removed")},
    ),
)
@invalid_page
class FavouriteViewSet(
    CabinetAPIMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Favourites are addressed by product id: ``DELETE favourites/<product_id>/``."""

    serializer_class = FavouriteSerializer
    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    lookup_field = "product_id"
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.favourites_of(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        favourite, created = services.add_favourite(
            user=request.user, product=serializer.validated_data["product"]
        )
        # Re-read through the selector for the product data and min_price.
        favourite = self.get_queryset().get(pk=favourite.pk)
        return Response(
            self.get_serializer(favourite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product_id = int(kwargs[self.lookup_field])  # ID_PATTERN: ASCII digits that fit a bigint
        if not services.remove_favourite(user=request.user, product_id=product_id):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The caller's orders, newest first (filters: status, dates, total)"),
    retrieve=extend_schema(summary="One order with its parts, lines and status history"),
)
@extend_validation_errors([OUT_OF_RANGE, NON_ASCII_DIGITS], field_name="created", actions=["list"])
@invalid_page
class OrderHistoryViewSet(CabinetAPIMixin, viewsets.ReadOnlyModelViewSet):
    """shop_orders' own selectors, filter set and order serializers: no second
    implementation of the order history."""

    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    filter_backends = [FilterBackend]
    filterset_class = OrderFilter
    queryset = Order.objects.none()  # for the schema; the real one is per user
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.order_history(self.request.user)

    def get_serializer_class(self) -> Any:
        return OrderDetailSerializer if self.action == "retrieve" else OrderSummarySerializer

    def get_object(self) -> Order:
        return selectors.order_of(self.request.user, int(self.kwargs["pk"]))


class DashboardView(CabinetAPIMixin, APIView):
    permission_classes = [IsCustomer]

    @extend_schema(summary="The cabinet's front page", responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        return Response(DashboardSerializer(selectors.cached_dashboard(request.user)).data)


def archive_response(archive: dict[str, Any], *, user: Any) -> HttpResponse:
    """The archive as a JSON attachment that no cache keeps."""
    response = HttpResponse(
        json.dumps(archive, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export.export_filename(user)}"'
    response["Cache-Control"] = "no-store"
    return response


ARCHIVE_RESPONSE = {
    (200, "application/json"): OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description="The archive: format, version, generated_at, user_id, sections.",
    )
}


class PersonalDataExportView(CabinetAPIMixin, APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        summary="Download everything the shop keeps about the caller (JSON attachment)",
        operation_id="cabinet_export_download_now",
        responses=ARCHIVE_RESPONSE,
    )
    def get(self, request: Request) -> HttpResponse:
        return archive_response(export.build_export(request.user), user=request.user)

    @extend_schema(
        summary="Prepare the archive in the background; poll the returned export",
        request=None,
        responses={202: PersonalDataExportSerializer},
    )
    def post(self, request: Request) -> Response:
        job = services.request_export(user=request.user)
        job.refresh_from_db()  # an immediate task backend may have finished it already
        data = PersonalDataExportSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class PersonalDataExportJobView(CabinetAPIMixin, APIView):
    permission_classes = [IsCustomer]

    def get_job(self, request: Request, pk: Any) -> PersonalDataExport:
        return selectors.exports_of(request.user).get(pk=pk)

    @extend_schema(
        summary="State of a background export",
        operation_id="cabinet_export_status",
        responses=PersonalDataExportSerializer,
    )
    def get(self, request: Request, pk: Any) -> Response:
        job = self.get_job(request, pk)
        return Response(PersonalDataExportSerializer(job, context={"request": request}).data)


class PersonalDataExportDownloadView(PersonalDataExportJobView):
    @extend_schema(
        summary="Download a prepared export (404 until it is ready)",
        operation_id="cabinet_export_download",
        responses=ARCHIVE_RESPONSE,
    )
    def get(self, request: Request, pk: Any) -> HttpResponse:
        job = self.get_job(request, pk)
        if job.status != PersonalDataExport.Status.READY:
            raise Http404
        return archive_response(job.data, user=request.user)
