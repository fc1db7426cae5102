"""Thin API views: parse, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .models import Address
from .pagination import CabinetPagination
from .permissions import IsCustomer
from .serializers import AddressSerializer, FavouriteSerializer


@extend_schema_view(
    list=extend_schema(summary="The caller's address book"),
    create=extend_schema(summary="Add an address (the first of its kind becomes the default)"),
    retrieve=extend_schema(summary="One address"),
    update=extend_schema(summary="Replace an address"),
    partial_update=extend_schema(summary="Change an address"),
    destroy=extend_schema(summary="Delete an address (a default passes to another one)"),
)
class AddressViewSet(viewsets.ModelViewSet):
    serializer_class = AddressSerializer
    permission_classes = [IsCustomer]
    pagination_class = CabinetPagination
    queryset = Address.objects.none()  # for the schema; the real one is per user

    def get_queryset(self) -> Any:
        return selectors.addresses_of(self.request.user)

    def perform_destroy(self, instance: Address) -> None:
        services.delete_address(address=instance)

    @extend_schema(
        summary="Make this address the default of its kind",
        request=None,
        responses=AddressSerializer,
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
    lookup_value_regex = r"\d+"

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
        product_id = kwargs[self.lookup_field]
        if not services.remove_favourite(user=request.user, product_id=int(product_id)):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
