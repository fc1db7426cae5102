"""API serializers of the cabinet: they validate and shape; the views hand the
validated data to ``services``, which write."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop_catalog.models import Product
from shop_catalog.serializers import UnicodeSlugField
from shop_core.fields import IdField
from shop_orders.models import Order, OrderLine
from shop_orders.serializers import OrderLineSerializer

from .models import Address, Favourite, PersonalDataExport


class AddressBookEntrySerializer(serializers.ModelSerializer):
    """An entry of the caller's address book. ``is_default=true`` on create or
    update makes it the default of its kind (the previous one loses the flag).
    It validates; the view hands the validated data to ``services.addresses``."""

    class Meta:
        model = Address
        fields = ["id", *Address.EDITABLE_FIELDS, "is_default", "created"]
        read_only_fields = ["id", "created"]
        extra_kwargs = {"is_default": {"required": False}}


class FavouriteProductSerializer(serializers.ModelSerializer):
    """The product of a favourite: enough to draw a card without another request."""

    slug = UnicodeSlugField()  # Cyrillic slugs: no ASCII-only pattern in the schema
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

    product_id = IdField(source="product", queryset=Product.objects.all(), write_only=True)
    product = FavouriteProductSerializer(read_only=True)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Favourite
        fields = ["product_id", "product", "min_price", "created"]
        read_only_fields = ["created"]


# --- orders --------------------------------------------------------------------
# The detail of an order is shop_orders' own ``OrderDetailSerializer`` (public
# API): one shape and one schema component for both packages. Only the history
# list has a shape of its own: a short row per order with its lines flattened.


class OrderSummarySerializer(serializers.ModelSerializer):
    """A row of the cabinet's order history: the order with all its lines
    (prefetched by ``orders_of``) and how many items it holds."""

    lines = serializers.SerializerMethodField()
    items_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "number", "status", "total", "created", "items_count", "lines"]
        read_only_fields = fields

    def _lines(self, order: Order) -> list[OrderLine]:
        return [line for part in order.parts.all() for line in part.lines.all()]

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, order: Order) -> list[dict[str, Any]]:
        return OrderLineSerializer(self._lines(order), many=True).data

    def get_items_count(self, order: Order) -> int:
        return sum(line.quantity for line in self._lines(order))


# --- dashboard -------------------------------------------------------------------


def money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class DashboardLastOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    total = money()
    created = serializers.DateTimeField()


class DashboardOrdersSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    last = DashboardLastOrderSerializer(allow_null=True)


class DashboardSpentSerializer(serializers.Serializer):
    this_month = money()
    overall = money()


class DashboardCustomerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["b2c", "b2b"])
    verified = serializers.BooleanField()


class DashboardMonthSpentSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM, in the site's time zone."))
    spent = money()


class DashboardFinanceSerializer(serializers.Serializer):
    spent_per_month = DashboardMonthSpentSerializer(many=True)
    open_amount = money()
    average_order_value = money()


class DashboardBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField()
    specialist = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    """``finance`` is null unless the customer is a verified B2B one;
    ``upcoming_bookings`` is null when the shop has no bookings app."""

    orders = DashboardOrdersSerializer()
    spent = DashboardSpentSerializer()
    favourites_count = serializers.IntegerField()
    addresses_count = serializers.IntegerField()
    customer = DashboardCustomerSerializer()
    finance = DashboardFinanceSerializer(allow_null=True)
    upcoming_bookings = DashboardBookingSerializer(many=True, allow_null=True)


class PersonalDataExportSerializer(serializers.ModelSerializer):
    """A background export; ``download`` is set once it is ready."""

    # A plain string: another enum named after a "status" field would collide
    # with the order statuses in the schema.
    status = serializers.CharField(read_only=True, help_text=_("pending, ready or failed"))
    download = serializers.SerializerMethodField()

    class Meta:
        model = PersonalDataExport
        fields = ["id", "status", "created", "finished", "download"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download(self, job: PersonalDataExport) -> str | None:
        if job.status != PersonalDataExport.Status.READY:
            return None
        url = reverse("shop_cabinet:export-download", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
