"""django-filter filter sets of the product list (and its CSV export).

Offer conditions (shop, price range, in stock, parameters) apply to the
*same* orderable offer (``selectors.orderable_offers``): "a product with an
offer of shop 2 under 500" is one ``IN`` subquery of offers, never a join
that multiplies rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .catalogue import cache_key, cached_value
from .models import OfferParameter, Parameter
from .selectors import category_subtree_ids, orderable_offers, search_products

# Listed products all have a min_price (selectors.products): one index, both ways.
ORDERING = {
    "price": ("min_price", "pk"),
    "-price": ("-min_price", "-pk"),
    "name": (Lower("name"), "pk"),
    "-name": (Lower("name").desc(), "pk"),
    "newest": ("-created", "-pk"),
    "oldest": ("created", "pk"),
}


class ParameterField(forms.Field):
    """Repeated ``name:value`` query values -> list of (name, value)."""

    widget = forms.MultipleHiddenInput
    # declared here, so the schema lists the code
    default_error_messages = {"parameter": _("Use name:value, e.g. parameter=Цвет:черный.")}

    def to_python(self, value: Any) -> list[tuple[str, str]]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        pairs = []
        for item in value:
            # as forms.CharField does: a database refuses NUL in text (PostgreSQL: a 500)
            ProhibitNullCharactersValidator()(item)
            name, sep, wanted = str(item).partition(":")
            if not sep or not name.strip() or not wanted.strip():
                raise forms.ValidationError(self.error_messages["parameter"], code="parameter")
            pairs.append((name.strip(), wanted.strip()))
        return pairs


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "name:value; repeat for several (all must match one offer).",
    }
)
class ParameterFilter(filters.Filter):
    field_class = ParameterField


def money_filter(help_text: Any) -> filters.NumberFilter:
    """A price bound that fits the price column: not negative, 12 digits, 2 decimal places."""
    return filters.NumberFilter(
        method="offer_price",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
    )


class ProductFilter(filters.FilterSet):
    category = filters.CharFilter(
        method="filter_category",
        help_text=_("Category id or slug; includes its descendants."),
    )
    # Bounded so an absurd id is a 400, not a database overflow.
    shop = filters.NumberFilter(
        method="offer_shop", min_value=1, max_value=2**63 - 1, help_text=_("Shop id.")
    )
    price_min = money_filter(_("Lowest price."))
    price_max = money_filter(_("Highest price."))
    in_stock = filters.BooleanFilter(method="offer_stock", help_text=_("Only products with stock."))
    parameter = ParameterFilter(
        method="offer_condition",
        help_text=_("name:value; repeat for several (all must match one offer)."),
    )
    search = filters.CharFilter(
        method="filter_search",
        help_text=_(
            "Words in the name or the model. On PostgreSQL: full-text search of the name "
            "(Russian and English word forms, typos in longer words) or part of the model."
        ),
    )
    ordering = filters.ChoiceFilter(
        method="filter_ordering",
        choices=[(key, key) for key in ORDERING],
        help_text=_("price, -price, name, -name, newest, oldest."),
    )

    def __init__(self, *args: Any, catalogue_version: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue_version = catalogue_version

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # "category_id IN (subtree ids)" lets the database walk the products'
        # category index for the few categories of the subtree instead of
        # joining every product to its category and matching the path.
        subtree = category_subtree_ids(value)
        if self.catalogue_version is not None:
            # The ids themselves, cached per catalogue version: PostgreSQL plans a
            # subquery as one category, and past the first pages read every
            # product of a large subtree (100 ms at 100,000 products, 4 with ids).
            key = cache_key(self.catalogue_version, "subtree", value)
            subtree = cached_value(key, lambda: list(subtree.values_list("pk", flat=True)))
        return queryset.filter(category_id__in=subtree)

    # The offer conditions are combined into one EXISTS in filter_queryset();
    # these no-op methods only carry the value types for the schema.
    def offer_condition(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset

    def offer_shop(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset

    def offer_price(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        return queryset

    def offer_stock(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset

    @extend_schema_field(OpenApiTypes.STR)
    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_products(queryset, value)

    def filter_ordering(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last in filter_queryset()

    def offer_subquery(self) -> QuerySet | None:
        """The available offers matching the offer conditions, or None if none given."""
        data = self.form.cleaned_data
        conditions: dict[str, Any] = {}
        if data.get("shop") is not None:
            conditions["shop_id"] = data["shop"]
        if data.get("price_min") is not None:
            conditions["price__gte"] = data["price_min"]
        if data.get("price_max") is not None:
            conditions["price__lte"] = data["price_max"]
        if data.get("in_stock"):
            conditions["quantity__gt"] = 0
        pairs = data.get("parameter") or []
        if not conditions and not pairs:
            return None
        offers = orderable_offers().filter(**conditions)
        parameter_ids = self.parameter_ids({pname for pname, _value in pairs})
        for pname, value in pairs:
            if pname not in parameter_ids:
                return offers.none()
            # uncorrelated: the matching values are read once through their
            # (parameter, value) index, not probed per offer
            matching = OfferParameter.objects.filter(parameter_id=parameter_ids[pname], value=value)
            offers = offers.filter(pk__in=matching.values("offer_id"))
        return offers

    def parameter_ids(self, names: set[str]) -> dict[str, int]:
        """The wanted parameters' ids by name (cached per catalogue version).

        Written into the query as numbers, so PostgreSQL estimates a (parameter,
        value) pair from its statistics of the pair (migration 0010). Through a
        join on the name it guessed a fifth of the matches, read every match
        before the first page, and took 300 ms for two parameters at 100,000
        products instead of 11.
        """
        if not names:
            return {}

        def read() -> dict[str, int]:
            return dict(Parameter.objects.filter(name__in=names).values_list("name", "pk"))

        key = cache_key(self.catalogue_version, "parameters", *sorted(names))
        return cached_value(key, read)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        offers = self.offer_subquery()
        data = self.form.cleaned_data
        others = data.get("shop") is not None or data.get("price_min") is not None
        if data.get("price_max") is not None and not (
            others or data.get("in_stock") or data.get("parameter")
        ):
            # "an orderable offer at most this price" is "the lowest price at most this"
            queryset = queryset.filter(min_price__lte=data["price_max"])
        elif offers is not None:
            # "IN (offers)" is worked out once, not per product: fast on both
            # databases whether few or many products match
            queryset = queryset.filter(pk__in=offers.values("product_id"))
        ordering = self.form.cleaned_data.get("ordering")
        if ordering:
            queryset = queryset.order_by(*ORDERING[ordering])
        return queryset
