"""django-import-export resources for the admin (CSV, XLSX, JSON).

Rows are matched on stable natural keys, never deleted:
products by ``slug``; offers by (``shop`` name, ``external_id``). The
supplier YAML goes through ``services.import_pricelist`` instead (admin
"Import price list" on a shop), which also handles parameters.
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import Category, Offer, Product, Shop


class ProductResource(resources.ModelResource):
    category = fields.Field(
        attribute="category", column_name="category", widget=ForeignKeyWidget(Category, "slug")
    )

    class Meta:
        model = Product
        fields = ("id", "name", "slug", "category", "description", "is_active")
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True

    def before_save_instance(self, instance: Product, row, **kwargs) -> None:
        instance.search_text = instance.name.casefold()[:255]


class OfferResource(resources.ModelResource):
    shop = fields.Field(attribute="shop", column_name="shop", widget=ForeignKeyWidget(Shop, "name"))
    product = fields.Field(
        attribute="product", column_name="product", widget=ForeignKeyWidget(Product, "slug")
    )

    class Meta:
        model = Offer
        fields = (
            "id",
            "shop",
            "external_id",
            "product",
            "model",
            "price",
            "price_rrc",
            "quantity",
            "is_active",
        )
        import_id_fields = ("shop", "external_id")
        skip_unchanged = True
        report_skipped = True
