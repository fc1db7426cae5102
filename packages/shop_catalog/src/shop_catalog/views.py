"""API views: thin wrappers over selectors and services."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from shop_core.views import SafeParsingMixin

from .conf import app_settings
from .filters import ProductFilter
from .models import Category, ImportJob, Offer, OfferParameter, Parameter, Shop
from .permissions import IsSupplier
from .pricelist import detect_format
from .selectors import category_tree, orderable_offers, product_list, products, shops_of
from .serializers import (
    CategoryNodeSerializer,
    CategorySerializer,
    ImportFailedSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    ShopSerializer,
    SupplierOfferSerializer,
    SupplierShopSerializer,
)
from .services import external_id_taken, set_accepts_orders, shop_locked, submit_import


def _first_code(codes: Any) -> str:
    while not isinstance(codes, str):
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes


def add_codes(response: Response, exc: Exception) -> Response:
    """Give an error body of DRF's default shape a machine-readable ``code``.

    ``{"detail": ...}`` gets ``"code"`` (``not_found``, ``permission_denied``,
    ...). Field errors ``{"price": [...]}`` keep their shape and get
    ``"codes"`` (the same keys, a list of codes for each) and ``"code"`` (the
    code of the first problem). A body that already has a ``code``, or that a
    host project's exception handler shaped differently, is left alone.
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
    if not isinstance(data, dict) or "code" in data:
        return response
    if isinstance(codes, dict) and codes and set(codes) == set(data):
        data["codes"] = codes
        data["code"] = _first_code(codes)
    elif isinstance(codes, str) and set(data) == {"detail"}:
        data["code"] = codes
    return response


class CatalogViewMixin(SafeParsingMixin):
    """Base of every API view of this package.

    JSON nested too deeply is a 400 ``too_deep`` (``SafeParsingMixin``),
    and every error body carries a ``code`` (``add_codes``).
    """

    def handle_exception(self, exc: Exception) -> Response:
        return add_codes(super().handle_exception(exc), exc)


class CatalogPagination(PageNumberPagination):
    """Page-number pagination; ``?page_size=`` capped at ``MAX_PAGE_SIZE``."""

    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        self.page_size = app_settings.PAGE_SIZE
        self.max_page_size = app_settings.MAX_PAGE_SIZE
        return super().get_page_size(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        # A page that does not exist is bad input (400), not a missing object.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            message = str(exc.detail)
            raise ValidationError({self.page_query_param: [message]}, code="invalid_page") from exc


@extend_schema_view(
    list=extend_schema(summary="Categories, flat (tree order)"),
    retrieve=extend_schema(summary="One category"),
)
class CategoryViewSet(CatalogViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    pagination_class = CatalogPagination

    @extend_schema(summary="The whole category tree", responses=CategoryNodeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def tree(self, request: Request) -> Response:
        return Response(CategoryNodeSerializer(category_tree(), many=True).data)


class ShopViewSet(CatalogViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Shop.objects.all()
    serializer_class = ShopSerializer
    pagination_class = CatalogPagination


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = ["shop", "id", "category", "model", "name", "price", "price_rrc", "quantity"]


class ProductViewSet(CatalogViewMixin, viewsets.ReadOnlyModelViewSet):
    """Listed products with their available offers (``selectors.products``);
    filters, search, ordering."""

    pagination_class = CatalogPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self) -> QuerySet:
        # The default serializer reads offers and images for the whole page
        # itself, as plain rows; others get them prefetched as instances.
        if getattr(self.get_serializer_class(), "loads_relations", False):
            return products()
        return product_list()

    def get_serializer_class(self) -> Any:
        return app_settings.PRODUCT_SERIALIZER

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Without query parameters the filter set changes nothing (no filter,
        # default ordering): skip building it and its form on every request.
        if not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Products as CSV (streamed), one row per available offer",
        description=_(
            "The same filters as the list; the rows are the available offers that match "
            "the offer filters (shop, price, stock, parameters). Columns: shop, id, "
            "category, model, name, price, price_rrc, quantity, then one column per "
            "parameter: the flat price-list format, so a file can be imported back."
        ),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(detail=False, pagination_class=None)
    def export(self, request: Request) -> StreamingHttpResponse:
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        # the offers that made each product match, not every offer of it
        offers = filterset.offer_subquery()
        offers = orderable_offers() if offers is None else offers
        offers = offers.filter(product__in=filterset.qs.order_by().values("pk"))
        names = list(
            Parameter.objects.filter(values__offer__in=offers.values("pk"))
            .order_by("name")
            .values_list("name", flat=True)
            .distinct()
        )
        rows = (
            offers.select_related("shop", "product__category")
            .prefetch_related(
                Prefetch("parameters", queryset=OfferParameter.objects.select_related("parameter"))
            )
            .order_by(Lower("product__name"), "product_id", "pk")
        )
        response = StreamingHttpResponse(
            self._csv_lines(rows, names), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="products.csv"'
        return response

    @staticmethod
    def _csv_lines(rows: QuerySet, names: list[str]) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS + names)  # BOM: Excel reads UTF-8
        for offer in rows.iterator(chunk_size=2000):
            values = {p.parameter.name: p.value for p in offer.parameters.all()}
            yield writer.writerow(
                [
                    offer.shop.name,
                    offer.external_id,
                    offer.product.category.name,
                    offer.model,
                    offer.product.name,
                    offer.price,
                    "" if offer.price_rrc is None else offer.price_rrc,
                    offer.quantity,
                ]
                + [values.get(name, "") for name in names]
            )


class SupplierMixin(CatalogViewMixin):
    permission_classes = [IsAuthenticated, IsSupplier]
    pagination_class = CatalogPagination


@extend_schema_view(
    list=extend_schema(summary="The supplier's own shops"),
    partial_update=extend_schema(summary="Stop or resume taking orders"),
)
class SupplierShopViewSet(
    SupplierMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SupplierShopSerializer

    def get_queryset(self) -> QuerySet:
        return shops_of(self.request.user).order_by("name")

    def perform_update(self, serializer: SupplierShopSerializer) -> None:
        value = serializer.validated_data.get("accepts_orders")
        if value is not None:
            set_accepts_orders(
                shop=serializer.instance, accepts_orders=value, user=self.request.user
            )

    @extend_schema(
        summary="Import a price list (upload or URL)",
        request={
            "multipart/form-data": ImportRequestSerializer,
            "application/json": ImportRequestSerializer,
        },
        responses={
            201: OpenApiResponse(ImportJobSerializer, description="Imported in the request."),
            202: OpenApiResponse(ImportJobSerializer, description="Queued as a background job."),
            400: OpenApiResponse(ImportFailedSerializer, description="Row errors; nothing done."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_pricelist(self, request: Request, pk: str | None = None) -> Response:
        shop = self.get_object()
        form = ImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data.get("file")
        fmt = data.get("format") or detect_format(
            getattr(upload, "name", "") or data.get("url", ""),
            getattr(upload, "content_type", ""),
        )
        if fmt is None or fmt not in app_settings.PRICE_LIST_FORMATS:
            raise ValidationError(
                {"format": [_("Cannot tell the format; give format.")]}, code="unknown_format"
            )
        job, queued = submit_import(
            shop=shop,
            user=request.user,
            fmt=fmt,
            missing=data.get("missing", ""),
            upload=upload,
            url=data.get("url", ""),
        )
        if queued:
            job.refresh_from_db()  # an immediate task backend has run it already
            return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        if job.status == ImportJob.Status.FAILED:
            return Response(
                {
                    "detail": _("The price list has errors; nothing was imported."),
                    "code": "invalid_pricelist",
                    "job": job.pk,
                    "errors": job.errors,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobViewSet(SupplierMixin, viewsets.ReadOnlyModelViewSet):
    """Price-list imports of the supplier's shops: status, summary, row errors."""

    serializer_class = ImportJobSerializer

    def get_queryset(self) -> QuerySet:
        return ImportJob.objects.filter(shop__in=shops_of(self.request.user).values("pk"))


class SupplierOfferViewSet(
    SupplierMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The offers of the supplier's shops. No delete: orders refer to offers;
    set ``is_active`` to false instead."""

    serializer_class = SupplierOfferSerializer

    def get_queryset(self) -> QuerySet:
        return (
            Offer.objects.filter(shop__in=shops_of(self.request.user).values("pk"))
            .prefetch_related(
                Prefetch("parameters", queryset=OfferParameter.objects.select_related("parameter"))
            )
            .order_by("pk")
        )

    def perform_create(self, serializer: SupplierOfferSerializer) -> None:
        self._save(serializer, serializer.validated_data["shop"])

    def perform_update(self, serializer: SupplierOfferSerializer) -> None:
        self._save(serializer, serializer.instance.shop)

    @staticmethod
    def _save(serializer: SupplierOfferSerializer, shop: Shop) -> None:
        """Save under the shop's row lock, as an import writes, so the two never interleave.

        Two writers that both checked an external id was free: the second one's
        insert breaks the unique constraint, which is the same 400 as the check.
        """
        try:
            with shop_locked(shop):
                serializer.save()
        except IntegrityError:
            instance = serializer.instance
            external_id = serializer.validated_data.get(
                "external_id", instance and instance.external_id
            )
            if not external_id_taken(shop, external_id, instance):
                raise
            raise ValidationError(
                {"external_id": [SupplierOfferSerializer.TAKEN_MESSAGE]}, code="taken"
            ) from None
