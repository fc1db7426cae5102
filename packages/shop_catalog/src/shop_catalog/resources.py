"""django-import-export resources for the admin (CSV, XLSX, JSON).

Rows are matched on stable natural keys, never deleted:
products by ``slug``; offers by (``shop`` name, ``external_id``). The
supplier YAML goes through ``services.import_pricelist`` instead (admin
"Import price list" on a shop), which also handles parameters.

Like the price-list import, these imports

- validate every row before the database sees it: prices and quantities by
  the rules of ``shop_catalog.values`` (same messages), then the model's own
  ``full_clean()`` (lengths, required fields, uniqueness);
- number rows the same way: the sheet row for CSV/XLSX (the header is row
  1, the first data row row 2), the position in the list for JSON;
- change nothing when any row is refused (one transaction, rolled back).
"""

from __future__ import annotations

import os
from functools import partial
from typing import Any

from import_export import fields, resources, widgets
from import_export.results import Result
from import_export.widgets import ForeignKeyWidget

from .models import Category, Offer, Product, Shop
from .values import parse_money, parse_quantity

# Formats read as a list of records rather than a sheet with a header row.
DOCUMENT_EXTENSIONS = (".json", ".yaml", ".yml")


class MoneyWidget(widgets.DecimalWidget):
    """A price by ``values.parse_money``; a refusal is a row error with its message."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return None if self.is_empty(value) else parse_money(value)


class QuantityWidget(widgets.IntegerWidget):
    """A stock quantity by ``values.parse_quantity`` (1.5 is refused, not cut to 1)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return None if self.is_empty(value) else parse_quantity(value)


class SheetRowResult(Result):
    """``Result`` numbering rows by the sheet (``offset`` 1) or by the list (``offset`` 0)."""

    def __init__(self, offset: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offset = offset

    def append_error_row(self, number: int, row: Any, errors: Any) -> None:
        super().append_error_row(number + self.offset, row, errors)

    def append_invalid_row(self, number: int, row: Any, validation_error: Any) -> None:
        super().append_invalid_row(number + self.offset, row, validation_error)


def row_offset(file_name: str | None) -> int:
    """0 for a JSON/YAML list of records, 1 for a sheet whose row 1 is the header."""
    extension = os.path.splitext(file_name or "")[1].lower()
    return 0 if extension in DOCUMENT_EXTENSIONS else 1


class CatalogResource(resources.ModelResource):
    """Base of the catalogue's resources: validated rows, sheet numbering, all or nothing."""

    _row_offset = 1

    def import_data(self, dataset: Any, *args: Any, **kwargs: Any) -> Result:
        self._row_offset = row_offset(kwargs.get("file_name"))
        # A refused row rolls back the rows before it too: a failed import changes nothing.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return super().import_data(dataset, *args, **kwargs)

    def get_result_class(self) -> Any:
        return partial(SheetRowResult, self._row_offset)

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> Any:
        if "row_number" in kwargs:  # the number an unexpected error is reported with
            kwargs["row_number"] += self._row_offset
        return super().import_row(row, instance_loader, **kwargs)


class ProductResource(CatalogResource):
    category = fields.Field(
        attribute="category", column_name="category", widget=ForeignKeyWidget(Category, "slug")
    )

    class Meta:
        model = Product
        fields = ("id", "name", "slug", "category", "description", "is_active")
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_save_instance(self, instance: Product, row: Any, **kwargs: Any) -> None:
        instance.search_text = instance.name.casefold()[:255]


class OfferResource(CatalogResource):
    shop = fields.Field(attribute="shop", column_name="shop", widget=ForeignKeyWidget(Shop, "name"))
    product = fields.Field(
        attribute="product", column_name="product", widget=ForeignKeyWidget(Product, "slug")
    )
    price = fields.Field(attribute="price", column_name="price", widget=MoneyWidget())
    price_rrc = fields.Field(attribute="price_rrc", column_name="price_rrc", widget=MoneyWidget())
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=QuantityWidget())

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
        clean_model_instances = True
