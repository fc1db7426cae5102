"""Thin API views: parse, call a service or selector, serialize."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop_core.views import SafeParsingMixin
from shop_orders.models import Order
from shop_orders.serializers import OrderDetailSerializer

from . import export, selectors, services
from .filters import OrderHistoryFilter
from .models import Address, Favourite, PersonalDataExport
from .pagination import CabinetPagination
from .permissions import IsCustomer
from .serializers import (
    MAX_ID,
    AddressBookEntrySerializer,
    DashboardSerializer,
    FavouriteSerializer,
    OrderSummarySerializer,
    PersonalDataExportSerializer,
    django_errors,
)

ID_PATTERN = r"[0-9]+"  # ASCII only: Python's \d also matches other scripts' digits
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def first_code(codes: Any) -> str:
    """The first code of DRF's ``get_codes()`` (a code, or lists and dicts of them)."""
    while not isinstance(codes, str):
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes


def add_codes(response: Response, exc: Exception) -> Response:
    """Give an error body of DRF's default shape a machine-readable ``code``.

    ``{"detail": ...}`` gets ``"code"`` (``not_found``, ``too_deep``, ...).
    Field errors ``{"phone": [...]}`` keep their shape and get ``"codes"``
    (the same keys, the codes of each) and ``"code"`` (the first problem's).
    A body that already has a ``code``, or that a host project's exception
    handler shaped differently, is left alone. (The catalog does the same.)
    """
    if isinstance(exc, Http404):
        codes: Any = "not_found"
    elif isinstance(exc, PermissionDenied):
        codes = "permission_denied"
    elif isinstance(exc, APIException):
        codes = exc.get_codes()
    else:
        return response
    data = response.data
    if not isinstance(data, dict) or "code" in data or not codes:
        return response
    if isinstance(codes, dict) and set(codes) == set(data):
        data["codes"] = codes
        data["code"] = first_code(codes)
    elif isinstance(codes, str) and set(data) == {"detail"}:
        data["code"] = codes
    return response


class CabinetAPIMixin(SafeParsingMixin):
    """Base of every cabinet API view.

    - JSON nested too deep is a 400 ``too_deep`` (``SafeParsingMixin``).
    - The body of a write request is parsed up front, so a malformed or
      over-deep body is a 400 even on endpoints that take no body
      (``set-default``, ``export``) and nothing is changed.
    - Every error body carries a ``code`` (``add_codes``).
    - An address or favourite a concurrent request deleted is a 404.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method in BODY_METHODS:
            request.data  # noqa: B018  (parses now: a bad body is a 400 before any write)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, (Address.DoesNotExist, Favourite.DoesNotExist)):
            exc = NotFound()
        return add_codes(super().handle_exception(exc), exc)


@extend_schema_view(
    list=extend_schema(summary="The caller's address book"),
    create=extend_schema(summary="Add an address (the first of its kind becomes the default)"),
    retrieve=extend_schema(summary="One address"),
    update=extend_schema(summary="Replace an address"),
    partial_update=extend_schema(summary="Change an address"),
    destroy=extend_schema(summary="Delete an address (a default passes to another one)"),
)
class AddressViewSet(CabinetAPIMixin, viewsets.ModelViewSet):
    serializer_class = AddressBookEntrySerializer
    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    queryset = Address.objects.none()  # for the schema; the real one is per user
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.addresses_of(self.request.user)

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
        try:
            favourite, created = services.add_favourite(
                user=request.user, product=serializer.validated_data["product"]
            )
        except DjangoValidationError as exc:
            raise django_errors(exc) from exc
        # Re-read through the selector for the product data and min_price.
        favourite = self.get_queryset().get(pk=favourite.pk)
        return Response(
            self.get_serializer(favourite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        product_id = int(kwargs[self.lookup_field])
        # An id no database column can hold is simply not a favourite (SQLite
        # would raise OverflowError on it: a 500).
        if product_id > MAX_ID or not services.remove_favourite(
            user=request.user, product_id=product_id
        ):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The caller's orders, newest first (filters: status, dates, total)"),
    retrieve=extend_schema(summary="One order with its parts, lines and status history"),
)
class OrderHistoryViewSet(CabinetAPIMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderHistoryFilter
    queryset = Order.objects.none()  # for the schema; the real one is per user
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> Any:
        return selectors.order_history(self.request.user)

    def get_serializer_class(self) -> Any:
        return OrderDetailSerializer if self.action == "retrieve" else OrderSummarySerializer

    def get_object(self) -> Order:
        try:
            return selectors.order_of(self.request.user, int(self.kwargs["pk"]))
        except (ValueError, Order.DoesNotExist):
            raise Http404 from None


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
        job = selectors.exports_of(request.user).filter(pk=pk).first()
        if job is None:
            raise Http404
        return job

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
