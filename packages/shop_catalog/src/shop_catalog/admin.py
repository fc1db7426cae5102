"""Admin: list pages with filters and search, import-export on products and
offers, and the supplier price-list upload on a shop (same service as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from .catalogue import catalogue_changed
from .conf import MISSING_POLICIES, app_settings
from .exceptions import PriceListError, format_problem
from .models import (
    Category,
    ImportJob,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    ProductImage,
    Shop,
)
from .pricelist import FORMATS, detect_format
from .resources import OfferResource, ProductResource
from .services import ImportSummary, import_pricelist_file

ADMIN_FORMATS = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "slug", "parent", "position", "depth"]
    list_filter = ["depth"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["parent"]
    ordering = ["path"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        return f"{'— ' * obj.depth}{obj.name}"


class PriceListUploadForm(forms.Form):
    file = forms.FileField(label=_("Price list"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("from the file name"))] + [(f, f.upper()) for f in FORMATS],
        required=False,
    )
    missing = forms.ChoiceField(
        label=_("Goods missing from the file"),
        choices=[("", _("default setting"))] + [(m, m) for m in MISSING_POLICIES],
        required=False,
    )


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "owner", "accepts_orders", "created"]
    list_filter = ["accepts_orders"]
    list_editable = ["accepts_orders"]
    search_fields = ["name", "url"]
    raw_id_fields = ["owner"]
    filter_horizontal = ["staff"]
    list_select_related = ["owner"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self) -> list:
        urls = [
            path(
                "<int:pk>/import-pricelist/",
                self.admin_site.admin_view(self.import_pricelist_view),
                name="shop_catalog_shop_import_pricelist",
            )
        ]
        return urls + super().get_urls()

    def import_pricelist_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Upload a supplier price list for this shop through ``import_pricelist_file``."""
        shop = get_object_or_404(Shop, pk=pk)
        if not self.has_change_permission(request, shop):
            raise PermissionDenied
        form = PriceListUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                summary = self._import(shop, form)
            except PriceListError as exc:
                errors = [format_problem(e) for e in exc.errors]
            else:
                if summary is not None:
                    return self._imported(request, shop, summary)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": shop,
            "title": _("Import price list into %(shop)s") % {"shop": shop.name},
            "form": form,
            "import_errors": errors,
        }
        return TemplateResponse(request, "admin/shop_catalog/shop/import_pricelist.html", context)

    @staticmethod
    def _import(shop: Shop, form: PriceListUploadForm) -> ImportSummary | None:
        """Import the form's upload; None (and a form error) when its format is unknown."""
        upload = form.cleaned_data["file"]
        fmt = form.cleaned_data["format"] or detect_format(upload.name, upload.content_type)
        if not fmt:
            form.add_error("format", _("Cannot tell the format; choose one."))
            return None
        return import_pricelist_file(
            # one byte over the limit is enough for the import to refuse it
            content=upload.read(app_settings.IMPORT_MAX_BYTES + 1),
            fmt=fmt,
            shop=shop,
            missing=form.cleaned_data["missing"] or None,
        )

    def _imported(self, request: HttpRequest, shop: Shop, summary: ImportSummary) -> HttpResponse:
        message = _(
            "Imported: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged, %(deactivated)s deactivated."
        )
        self.message_user(request, message % summary.as_dict(), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:shop_catalog_shop_change", args=[shop.pk]))


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    readonly_fields = ["thumbnail"]


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["shop", "external_id", "model", "price", "price_rrc", "quantity", "is_active"]
    raw_id_fields = ["shop"]
    show_change_link = True

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShopOfOfferFilter(admin.SimpleListFilter):
    title = _("shop")
    parameter_name = "shop"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return list(Shop.objects.values_list("pk", "name"))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(offers__shop_id=self.value()).distinct()
        return queryset


def _active_offers(field: str) -> Subquery:
    """One figure of a product's active offers (a subquery: no join to multiply rows
    when a filter on offers joins them too)."""
    offers = Offer.objects.filter(product=OuterRef("pk"), is_active=True).order_by()
    figures = {"low": Min("price"), "high": Max("price"), "stock": Sum("quantity")}
    return Subquery(offers.values("product").annotate(value=figures[field]).values("value"))


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    """Products with their price range and stock over active offers, in the list's one query."""

    resource_classes = [ProductResource]
    formats = ADMIN_FORMATS
    list_display = ["name", "category", "price_range", "stock", "is_active", "created"]
    list_filter = ["is_active", ("category", admin.RelatedOnlyFieldListFilter), ShopOfOfferFilter]
    search_fields = ["name", "slug", "offers__model", "offers__external_id"]
    list_select_related = ["category"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["category"]
    inlines = [ProductImageInline, OfferInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                low_price=_active_offers("low"),
                high_price=_active_offers("high"),
                total_stock=_active_offers("stock"),
            )
        )

    @admin.display(description=_("price"), ordering="low_price")
    def price_range(self, product: Product) -> str:
        low, high = product.low_price, product.high_price
        if low is None:
            return "—"
        # kopecks only where there are any; thousands grouped as the language groups them
        low, high = floatformat(low, "-2g"), floatformat(high, "-2g")
        return low if low == high else f"{low} – {high}"

    @admin.display(description=_("in stock"), ordering="total_stock")
    def stock(self, product: Product) -> int:
        return product.total_stock or 0


class OfferParameterInline(admin.TabularInline):
    model = OfferParameter
    extra = 0
    raw_id_fields = ["parameter"]


class InStockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list:
        return [("yes", _("in stock")), ("no", _("out of stock"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(quantity__gt=0)
        if self.value() == "no":
            return queryset.filter(quantity=0)
        return queryset


@admin.register(Offer)
class OfferAdmin(ImportExportModelAdmin):
    """Offers are never deleted (orders refer to them): deactivate instead."""

    resource_classes = [OfferResource]
    formats = ADMIN_FORMATS
    list_display = ["product", "shop", "external_id", "model", "price", "quantity", "is_active"]
    list_filter = ["shop", "is_active", InStockFilter, "product__category"]
    search_fields = ["external_id", "model", "product__name"]
    list_select_related = ["product", "shop"]
    raw_id_fields = ["product"]
    inlines = [OfferParameterInline]
    actions = ["deactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Deactivate the selected offers"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            count = queryset.update(is_active=False)
            catalogue_changed()  # an UPDATE sends no signal
        self.message_user(request, _("%(count)s offers deactivated.") % {"count": count})


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "shop", "status", "format", "created", "finished"]
    list_filter = ["status", "shop"]
    list_select_related = ["shop"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
