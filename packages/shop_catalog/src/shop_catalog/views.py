"""API views: parse (serializers, filter sets), call a selector or a service, serialize.

Every view is on ``CatalogAPIMixin`` (``shop_core.views.ShopAPIMixin``):
every error answer is ``{"type", "errors": [{"code", "detail", "attr"}]}``
(README, "Errors"). The codes a serializer or filter set cannot show the
schema are added with ``extend_validation_errors``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from shop_core.fields import ID_PATTERN
from shop_core.filters import FilterBackend
from shop_core.pagination import ShopPagination
from shop_core.views import ShopAPIMixin

from . import selectors, services
from .catalogue import cache_key, cached_value, catalogue_version, lookup, store
from .conf import app_settings
from .exceptions import PRICELIST_CODES, ExternalIdTaken, PriceListError
from .filters import ProductFilter
from .models import Category, ImportJob, Shop
from .permissions import IsSupplier
from .serializers import (
    CategoryNodeSerializer,
    CategorySerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    ShopSerializer,
    SupplierOfferSerializer,
    SupplierShopSerializer,
)
from .values import MONEY_CODES, QUANTITY_CODES

V = TypeVar("V", bound=type)


class CatalogPagination(ShopPagination):
    """``?page=`` and ``?page_size=`` sized by ``SHOP_CATALOG["PAGE_SIZE"]`` and
    ``["MAX_PAGE_SIZE"]``; a page that does not exist is a 400 ``invalid_page``."""

    app_settings = app_settings


class CountedPaginator(Paginator):
    """A paginator whose COUNT is cached under ``count_key`` (None: counted every time)."""

    def __init__(self, *args: Any, count_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return cached_value(self.count_key, lambda: Paginator.count.func(self))


class ProductPagination(CatalogPagination):
    """Counts a filtered product list once per catalogue version (``SHOP_CATALOG["CACHE"]``)."""

    count_key: str | None = None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        version = getattr(view, "catalogue_version", None)
        skip = {self.page_query_param, self.page_size_query_param}
        params = sorted((k, v) for k, v in request.query_params.lists() if k not in skip)
        self.count_key = cache_key(version, "count", repr(params))
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list: Any, per_page: int) -> Paginator:
        return CountedPaginator(object_list, per_page, count_key=self.count_key)


class CatalogAPIMixin(ShopAPIMixin):
    """Base of every API view of this package: ``ShopAPIMixin`` (safe parsing, the one error
    shape), page-number pagination, ids of ASCII digits that fit a bigint in URLs."""

    pagination_class = CatalogPagination
    lookup_value_regex = ID_PATTERN


# The codes a serializer or filter set cannot show the schema, by field.
PAGE_CODES = {"page": ["invalid_page"]}
OFFER_CODES = {
    "price": MONEY_CODES,
    "price_rrc": MONEY_CODES,
    "quantity": QUANTITY_CODES,
    "external_id": [ExternalIdTaken.default_code],
}
IMPORT_CODES = {
    "file": PRICELIST_CODES,
    "url": ["url_refused"],
    "format": ["unknown_format"],
    "non_field_errors": ["file_or_url"],
}


def document_codes(codes: dict[str, Iterable[str]], actions: list[str]) -> Callable[[V], V]:
    """A viewset decorator: ``codes`` (field -> codes) of ``actions`` go into the schema."""

    def decorate(viewset: V) -> V:
        for field, field_codes in codes.items():
            document = extend_validation_errors(list(field_codes), field, actions=actions)
            viewset = document(viewset)
        return viewset

    return decorate


@document_codes(PAGE_CODES, ["list"])
@extend_schema_view(
    list=extend_schema(summary="Categories, flat (tree order)"),
    retrieve=extend_schema(summary="One category"),
)
class CategoryViewSet(CatalogAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer

    @extend_schema(summary="The whole category tree", responses=CategoryNodeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def tree(self, request: Request) -> Response:
        return Response(CategoryNodeSerializer(selectors.category_tree(), many=True).data)


@document_codes(PAGE_CODES, ["list"])
class ShopViewSet(CatalogAPIMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Shop.objects.all()
    serializer_class = ShopSerializer


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = ["shop", "id", "category", "model", "name", "price", "price_rrc", "quantity"]


class ProductFilterBackend(FilterBackend):
    """Gives the product filter set the view's catalogue version (None: nothing cached)."""

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        return {**kwargs, "catalogue_version": getattr(view, "catalogue_version", None)}


@document_codes(PAGE_CODES, ["list"])
class ProductViewSet(CatalogAPIMixin, viewsets.ReadOnlyModelViewSet):
    """Listed products with their orderable offers (``selectors.products``);
    filters, search, ordering."""

    filter_backends = [ProductFilterBackend]
    filterset_class = ProductFilter
    pagination_class = ProductPagination
    catalogue_version: str | None = None
    page_key: str | None = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Every caller sees the same list: its COUNT is cached for signed-in
        # callers too (ProductPagination), only the page is for anonymous ones.
        self.catalogue_version = catalogue_version()
        return self._cached_answer(super().list, request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._cached_answer(super().retrieve, request, *args, **kwargs)

    def _cached_answer(
        self, answer: Callable[..., Response], request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """An anonymous request's JSON answer from the cache of this catalogue version
        (``SHOP_CATALOG["CACHE"]``, ``catalogue.py``), as the bytes rendered the first time."""
        if request.user.is_authenticated or request.accepted_renderer.format != "json":
            return answer(request, *args, **kwargs)
        if self.action != "list":  # the list has read it
            self.catalogue_version = catalogue_version()
        # the absolute URL: the pages' next/previous links carry the host
        self.page_key = cache_key(
            self.catalogue_version,
            "page",
            request.build_absolute_uri(),
            request.accepted_media_type,
        )
        cached = lookup(self.page_key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        return answer(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.page_key is not None and isinstance(response, Response):
            if response.status_code == status.HTTP_200_OK:
                response.render()
                store(self.page_key, (response.content, response["Content-Type"]))
        return response

    def get_queryset(self) -> QuerySet:
        # The default serializer reads offers and images for the whole page
        # itself, as plain rows; others get them prefetched as instances.
        if getattr(self.get_serializer_class(), "loads_relations", False):
            return selectors.products()
        return selectors.product_list()

    def get_serializer_class(self) -> type:
        return app_settings.PRODUCT_SERIALIZER

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Without query parameters the filter set changes nothing (no filter,
        # default ordering): skip building it and its form on every request.
        if not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        summary="Products as CSV (streamed), one row per orderable offer",
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
        products = self.filter_queryset(self.get_queryset())  # a 400 with codes for bad filters
        filterset = ProductFilter(request.query_params, queryset=products)
        filterset.is_valid()
        names, offers = selectors.export_offers(filterset.offer_subquery(), products)
        response = StreamingHttpResponse(
            self._csv_lines(offers, names), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="products.csv"'
        return response

    @staticmethod
    def _csv_lines(
        offers: Iterator[tuple[tuple[Any, ...], dict[str, str]]], names: list[str]
    ) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS + names)  # BOM: Excel reads UTF-8
        for row, values in offers:
            *first, price_rrc, quantity = row
            yield writer.writerow(
                [*first, "" if price_rrc is None else price_rrc, quantity]
                + [values.get(name, "") for name in names]
            )


class SupplierMixin(CatalogAPIMixin):
    permission_classes = [IsAuthenticated, IsSupplier]


@document_codes(IMPORT_CODES, ["import_pricelist"])
@document_codes(PAGE_CODES, ["list"])
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
        return selectors.shops_of(self.request.user).order_by("name")

    def perform_update(self, serializer: SupplierShopSerializer) -> None:
        value = serializer.validated_data.get("accepts_orders")
        if value is not None:
            services.set_accepts_orders(
                shop=serializer.instance, accepts_orders=value, user=self.request.user
            )

    @extend_schema(
        summary="Import a price list (upload or URL)",
        description=_(
            "A small upload is imported in the request: 201 with the job, or 400 with "
            "one error per problem of the price list on the field file (its detail says "
            "the section, row and field) and the failed job under job, whose errors list "
            "them with section, row, field, message and code. A larger upload or a URL: "
            "202 with the job, which records its outcome the same way."
        ),
        # one serializer for every parser of the action (multipart, form, JSON)
        request=ImportRequestSerializer,
        responses={
            201: OpenApiResponse(ImportJobSerializer, description="Imported in the request."),
            202: OpenApiResponse(ImportJobSerializer, description="Queued as a background job."),
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
        job, queued = services.submit_import(
            shop=shop,
            user=request.user,
            fmt=form.validated_data["format"],
            missing=form.validated_data.get("missing", ""),
            upload=form.validated_data.get("file"),
            url=form.validated_data.get("url", ""),
        )
        if queued:
            job.refresh_from_db()  # an immediate task backend has run it already
            return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
        if job.status == ImportJob.Status.FAILED:
            raise PriceListError(job.errors, extra={"job": ImportJobSerializer(job).data})
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


@document_codes(PAGE_CODES, ["list"])
class ImportJobViewSet(SupplierMixin, viewsets.ReadOnlyModelViewSet):
    """Price-list imports of the supplier's shops: status, summary, row errors."""

    serializer_class = ImportJobSerializer

    def get_queryset(self) -> QuerySet:
        return selectors.import_jobs_of(self.request.user)


@document_codes(OFFER_CODES, ["create", "update", "partial_update"])
@document_codes(PAGE_CODES, ["list"])
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
        return selectors.supplier_offers(self.request.user)

    def perform_create(self, serializer: SupplierOfferSerializer) -> None:
        serializer.instance = services.create_offer(**serializer.validated_data)

    def perform_update(self, serializer: SupplierOfferSerializer) -> None:
        services.update_offer(offer=serializer.instance, **serializer.validated_data)
