"""API serializers of the cabinet. Writes go through ``services``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from shop_catalog.models import Product

from . import services
from .models import Address, Favourite


def django_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model ``ValidationError`` as DRF's 400 with field errors."""
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})


class AddressSerializer(serializers.ModelSerializer):
    """An address of the caller's address book. ``is_default=true`` on create or
    update makes it the default of its kind (the previous one loses the flag)."""

    class Meta:
        model = Address
        fields = [
            "id",
            "kind",
            "recipient",
            "phone",
            "city",
            "street",
            "building",
            "apartment",
            "postal_code",
            "is_default",
            "created",
        ]
        read_only_fields = ["id", "created"]
        extra_kwargs = {"is_default": {"required": False}}

    def create(self, validated_data: dict[str, Any]) -> Address:
        try:
            return services.create_address(user=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise django_errors(exc) from exc

    def update(self, instance: Address, validated_data: dict[str, Any]) -> Address:
        if validated_data.get("is_default") is False and instance.is_default:
            raise serializers.ValidationError(
                {"is_default": [_("Make another address the default instead.")]}
            )
        try:
            return services.update_address(address=instance, **validated_data)
        except DjangoValidationError as exc:
            raise django_errors(exc) from exc


class FavouriteProductSerializer(serializers.ModelSerializer):
    """The product of a favourite: enough to draw a card without another request."""

    category = serializers.CharField(source="category.name", read_only=True)
    image = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "slug", "category", "is_active", "image"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_image(self, product: Product) -> str | None:
        images = list(product.images.all())  # prefetched by selectors.favourites_of
        if not images:
            return None
        picture = images[0].thumbnail or images[0].image
        request = self.context.get("request")
        return request.build_absolute_uri(picture.url) if request else picture.url


class FavouriteSerializer(serializers.ModelSerializer):
    """A favourite; create with ``{"product_id": <id>}``."""

    product_id = serializers.PrimaryKeyRelatedField(
        source="product", queryset=Product.objects.all(), write_only=True
    )
    product = FavouriteProductSerializer(read_only=True)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Favourite
        fields = ["product_id", "product", "min_price", "created"]
        read_only_fields = ["created"]
