"""API serializers. ``ProductSerializer`` is the default ``PRODUCT_SERIALIZER``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from shop_core.fields import IdField

from .conf import MISSING_POLICIES
from .exceptions import ExternalIdTaken, PriceListError
from .fetch import FetchError, check_url
from .models import Category, ImportJob, Offer, OfferParameter, Product, ProductImage, Shop
from .pricelist import FORMATS, check_format, detect_format
from .selectors import external_id_taken, product_relations, shops_of
from .values import QUANTITY_MAX, BadValue, parse_money, parse_quantity

_SKIP = object()
PREFETCHED = frozenset({"offers", "images"})


class UnicodeSlugField(serializers.CharField):
    """A read-only slug of ``SlugField(allow_unicode=True)`` (``"смартфоны"``).

    drf-spectacular documents a serializer ``SlugField`` with the pattern
    ``^[-\\w]+$`` taken from its validator; in the ECMA regex dialect of
    OpenAPI ``\\w`` is ASCII only, so every Cyrillic slug would break the
    schema. Slugs are never written through the API, so this field documents
    a plain string instead.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", _("Unicode letters, digits, hyphens and underscores."))
        super().__init__(**kwargs)


class CategorySerializer(serializers.ModelSerializer):
    slug = UnicodeSlugField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent", "depth", "position"]


class CategoryNodeSerializer(serializers.Serializer):
    """One node of ``categories/tree/`` with its children, recursively."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = UnicodeSlugField()

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        fields["children"] = CategoryNodeSerializer(many=True)
        return fields


class CategoryBriefSerializer(serializers.ModelSerializer):
    slug = UnicodeSlugField()

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


def _fast_decimal(field: serializers.DecimalField) -> Callable[[Any], Any]:
    """``field.to_representation`` for non-null values, without its per-call
    context copy and quantize when the value already has the field's places."""
    plain = (
        getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
        and field.decimal_places is not None
    )
    if not plain:
        return field.to_representation
    exponent = -field.decimal_places
    slow = field.to_representation

    def represent(value: Any) -> Any:
        if isinstance(value, Decimal) and value.as_tuple().exponent == exponent:
            return f"{value:f}"
        return slow(value)

    return represent


class ProductListSerializer(serializers.ListSerializer):
    """Loads the offers and images of the whole page at once, then serializes."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.child.load_relations(items)
        return [self.child.to_representation(item) for item in items]


class ProductSerializer(serializers.ModelSerializer):
    """A product with its category, active offers (shop, parameters), images.

    Fast path: offers, shops and parameters are read as plain rows for the
    whole page (``selectors.product_relations()``, three queries) and turned
    into the documented shapes directly instead of through one nested
    serializer per offer and parameter; the output is the same as the
    declared fields give (they still describe the schema). Products that come
    with ``offers``/``images`` prefetched (``selectors.product_list()``) use
    those instead. Fields a subclass adds or replaces go through DRF as usual.

    ``loads_relations = True`` tells the view to pass ``selectors.products()``
    (nothing prefetched); set it to False in a subclass that reads other
    relations from the instances, to get ``product_list()`` again.
    """

    loads_relations = True

    slug = UnicodeSlugField()
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
        list_serializer_class = ProductListSerializer

    def load_relations(self, products: list[Product]) -> None:
        """Read the offers and images of ``products`` that lack a prefetched one."""
        wanted = [
            p.pk
            for p in products
            if not PREFETCHED <= getattr(p, "_prefetched_objects_cache", {}).keys()
        ]
        self._offer_rows, self._image_rows = product_relations(wanted)

    def _loaded(self, product: Product) -> tuple[list[dict[str, Any]], list[ProductImage]]:
        """The loaded offer rows and images of ``product``; a single product
        (the detail, or a serializer used without its list) loads its own."""
        if product.pk not in getattr(self, "_offer_rows", {}):
            self.load_relations([product])
        return self._offer_rows[product.pk], self._image_rows[product.pk]

    # --- the fast path --------------------------------------------------------

    def _plan(self) -> list[tuple[str, Callable[[Product], Any]]]:
        plan = getattr(self, "_cached_plan", None)
        if plan is not None:
            return plan
        plain = {"id": serializers.IntegerField, "name": serializers.CharField}
        plain |= {"slug": UnicodeSlugField, "description": serializers.CharField}
        plan = []
        for field in self._readable_fields:
            name = field.field_name
            kind = type(field)
            if field.source != name:
                plan.append((name, self._generic(field)))
            elif plain.get(name) is kind:
                plan.append((name, attrgetter(name)))
            elif name == "category" and kind is CategoryBriefSerializer:
                plan.append((name, self._category))
            elif name == "min_price" and kind is serializers.DecimalField:
                plan.append((name, self._nullable(attrgetter(name), _fast_decimal(field))))
            elif name == "created" and kind is serializers.DateTimeField:
                plan.append((name, self._nullable(attrgetter(name), field.to_representation)))
            elif name == "offers" and self._is_default_list(field, OfferSerializer):
                self._offer_repr = self._offer_representer()
                plan.append((name, self._offers))
            elif name == "images":
                plan.append((name, self._images(field)))
            else:
                plan.append((name, self._generic(field)))
        self._cached_plan = plan
        return plan

    @staticmethod
    def _is_default_list(field: serializers.Field, child: type) -> bool:
        return type(field) is serializers.ListSerializer and type(field.child) is child

    @staticmethod
    def _generic(field: serializers.Field) -> Callable[[Product], Any]:
        def represent(product: Product) -> Any:
            try:
                attribute = field.get_attribute(product)
            except SkipField:
                return _SKIP
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            return None if check is None else field.to_representation(attribute)

        return represent

    @staticmethod
    def _nullable(get: Callable, represent: Callable) -> Callable[[Product], Any]:
        def run(product: Product) -> Any:
            value = get(product)
            return None if value is None else represent(value)

        return run

    @staticmethod
    def _category(product: Product) -> dict[str, Any]:
        category = product.category
        return {"id": category.pk, "name": category.name, "slug": category.slug}

    @staticmethod
    def _offer_representer() -> Callable[[dict], dict]:
        """Turns an offer row into OfferSerializer's shape.

        The prices are formatted as OfferSerializer's model-built decimal
        fields do, without building that serializer's fields per request.
        """
        price, rrc = (
            _fast_decimal(
                serializers.DecimalField(
                    max_digits=field.max_digits, decimal_places=field.decimal_places
                )
            )
            for field in (Offer._meta.get_field("price"), Offer._meta.get_field("price_rrc"))
        )

        def represent(row: dict[str, Any]) -> dict[str, Any]:
            value = row["price_rrc"]
            return {
                "id": row["id"],
                "shop": row["shop"],
                "model": row["model"],
                "price": price(row["price"]),
                "price_rrc": None if value is None else rrc(value),
                "quantity": row["quantity"],
                "parameters": row["parameters"],
            }

        return represent

    def _offer_rows_of(self, product: Product) -> list[dict[str, Any]]:
        cache = getattr(product, "_prefetched_objects_cache", {})
        if "offers" in cache:
            return [
                {
                    "id": offer.pk,
                    "shop": {
                        "id": offer.shop.pk,
                        "name": offer.shop.name,
                        "accepts_orders": offer.shop.accepts_orders,
                    },
                    "model": offer.model,
                    "price": offer.price,
                    "price_rrc": offer.price_rrc,
                    "quantity": offer.quantity,
                    "parameters": [
                        {"name": p.parameter.name, "value": p.value} for p in offer.parameters.all()
                    ],
                }
                for offer in cache["offers"]
            ]
        return self._loaded(product)[0]

    def _offers(self, product: Product) -> list[dict[str, Any]]:
        return [self._offer_repr(row) for row in self._offer_rows_of(product)]

    def _images(self, field: serializers.Field) -> Callable[[Product], Any]:
        def represent(product: Product) -> Any:
            cache = getattr(product, "_prefetched_objects_cache", {})
            if "images" in cache:
                images = list(cache["images"])
            else:
                images = self._loaded(product)[1]
            return field.to_representation(images) if images else []

        return represent

    def to_representation(self, instance: Product) -> dict[str, Any]:
        data = {}
        for name, represent in self._plan():
            value = represent(instance)
            if value is not _SKIP:
                data[name] = value
        return data


class SupplierShopSerializer(serializers.ModelSerializer):
    """A supplier's own shop: only ``accepts_orders`` can be changed here."""

    class Meta:
        model = Shop
        fields = ["id", "name", "url", "accepts_orders"]
        read_only_fields = ["id", "name", "url"]


class MoneyField(serializers.DecimalField):
    """An amount of ``DecimalField(12, 2)`` read by ``values.parse_money``.

    The same rules, messages and codes as the price-list import (``negative``,
    ``too_large``, ``max_decimal_places``, ``invalid``).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return parse_money(data)
        except BadValue as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None


class QuantityField(serializers.IntegerField):
    """A stock quantity read by ``values.parse_quantity`` (0 to 2147483647; 1.5 is refused)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, max_value=QUANTITY_MAX, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return parse_quantity(data)
        except BadValue as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from None


class SupplierOfferSerializer(serializers.ModelSerializer):
    """An offer of one of the supplier's shops (validated here, written by ``services.offers``)."""

    shop = IdField(queryset=Shop.objects.all())
    product = IdField(queryset=Product.objects.all())
    price = MoneyField()
    price_rrc = MoneyField(required=False, allow_null=True)
    quantity = QuantityField(required=False)
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
        # (shop, external_id) is checked in validate() with the code "taken",
        # on create and update alike, instead of DRF's non-field "unique".
        validators: list = []

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["shop"].queryset = shops_of(request.user)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["shop"].read_only = True  # an offer never moves to another shop
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance if isinstance(self.instance, Offer) else None
        shop = attrs.get("shop", instance.shop if instance else None)
        external_id = attrs.get("external_id", instance.external_id if instance else None)
        if shop is not None and external_id is not None:
            if external_id_taken(shop, external_id, instance):
                raise serializers.ValidationError(
                    {"external_id": [ExternalIdTaken.default_detail]},
                    code=ExternalIdTaken.default_code,
                )
        return attrs


class ImportRequestSerializer(serializers.Serializer):
    """Upload a price list (``file``) or name one to download (``url``).

    ``format`` defaults to the one the file's name (or content type) or the
    URL names; the validated data always has one of ``PRICE_LIST_FORMATS``.
    The file itself is checked by the import (its size, content and rows).
    """

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

    def validate_url(self, value: str) -> str:
        try:
            check_url(value)
        except FetchError as exc:
            raise serializers.ValidationError(str(exc), code="url_refused") from None
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        upload, url = attrs.get("file"), attrs.get("url")
        if bool(upload) == bool(url):
            raise serializers.ValidationError(_("Send either a file or a url."), code="file_or_url")
        fmt = attrs.get("format") or detect_format(
            getattr(upload, "name", "") or url, getattr(upload, "content_type", "")
        )
        try:
            attrs["format"] = check_format(fmt)
        except PriceListError:
            if fmt is None:
                message = _("Cannot tell the format; give format.")
            else:
                message = _("This format is not accepted.")
            raise serializers.ValidationError(
                {"format": [message]}, code="unknown_format"
            ) from None
        return attrs


class ImportErrorItemSerializer(serializers.Serializer):
    """One problem of a price list: where (section, row, field), what (message, code)."""

    section = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()
    code = serializers.CharField(
        required=False, help_text=_("Machine-readable, e.g. negative or too_large.")
    )


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
)
class BlankableURLField(serializers.URLField):
    """A URL or ``""`` (``URLField(blank=True)``): ``format: uri`` alone refuses ``""``."""


class ImportJobSerializer(serializers.ModelSerializer):
    source_url = BlankableURLField(
        read_only=True,
        help_text=_("Where the price list was downloaded from; empty for an upload."),
    )
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
