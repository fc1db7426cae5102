"""API serializers. ``ProductSerializer`` is the default ``PRODUCT_SERIALIZER``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .conf import app_settings
from .fetch import FetchError, check_url
from .models import Category, ImportJob, Offer, OfferParameter, Product, ProductImage, Shop
from .pricelist import FORMATS
from .selectors import shops_of
from .services import MISSING_POLICIES


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "depth", "position"]


class CategoryNodeSerializer(serializers.Serializer):
    """One node of ``categories/tree/`` with its children, recursively."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True)
        return fields


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class ShopSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shop
        fields = ["id", "name", "url", "accepts_orders"]


class ShopBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shop
        fields = ["id", "name", "accepts_orders"]


class OfferParameterSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="parameter.name", read_only=True)

    class Meta:
        model = OfferParameter
        fields = ["name", "value"]


class OfferSerializer(serializers.ModelSerializer):
    shop = ShopBriefSerializer(read_only=True)
    parameters = OfferParameterSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "shop", "model", "price", "price_rrc", "quantity", "parameters"]


class ProductImageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductImage
        fields = ["id", "image", "thumbnail", "alt"]


class ProductSerializer(serializers.ModelSerializer):
    """A product with its category, active offers (shop, parameters), images."""

    category = CategoryBriefSerializer(read_only=True)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    offers = OfferSerializer(many=True, read_only=True)
    images = ProductImageSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "slug",
            "category",
            "description",
            "min_price",
            "offers",
            "images",
            "created",
        ]


class SupplierShopSerializer(serializers.ModelSerializer):
    """A supplier's own shop: only ``accepts_orders`` can be changed here."""

    class Meta:
        model = Shop
        fields = ["id", "name", "url", "accepts_orders"]
        read_only_fields = ["id", "name", "url"]


class SupplierOfferSerializer(serializers.ModelSerializer):
    """An offer of one of the supplier's shops."""

    parameters = OfferParameterSerializer(many=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "shop",
            "product",
            "external_id",
            "model",
            "price",
            "price_rrc",
            "quantity",
            "is_active",
            "parameters",
            "updated",
        ]
        read_only_fields = ["id", "updated"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["shop"].queryset = shops_of(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["shop"].read_only = True  # an offer never moves to another shop
        return fields


class ImportRequestSerializer(serializers.Serializer):
    """Upload a price list (``file``) or name one to download (``url``)."""

    file = serializers.FileField(required=False)
    url = serializers.URLField(required=False, max_length=2000)
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text=_("Default: from the file name.")
    )
    missing = serializers.ChoiceField(
        choices=MISSING_POLICIES,
        required=False,
        help_text=_("Offers missing from the file: zero stock or deactivate."),
    )

    def validate_file(self, value: Any) -> Any:
        if value.size > app_settings.IMPORT_MAX_BYTES:
            raise serializers.ValidationError(_("The price list is larger than the limit."))
        return value

    def validate_url(self, value: str) -> str:
        try:
            check_url(value)
        except FetchError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate_format(self, value: str) -> str:
        if value not in app_settings.PRICE_LIST_FORMATS:
            raise serializers.ValidationError(_("This format is not accepted."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("url")):
            raise serializers.ValidationError(_("Send either a file or a url."))
        return attrs


class ImportErrorItemSerializer(serializers.Serializer):
    section = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = ImportErrorItemSerializer(many=True, read_only=True)
    summary = serializers.DictField(read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "shop",
            "status",
            "source_url",
            "format",
            "missing",
            "summary",
            "errors",
            "created",
            "finished",
        ]
        read_only_fields = fields


class ImportFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    job = serializers.IntegerField()
    errors = ImportErrorItemSerializer(many=True)
