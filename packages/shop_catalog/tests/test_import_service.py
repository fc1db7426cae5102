import copy
import time
from decimal import Decimal

import pytest

from shop_catalog.models import Category, Offer, OfferParameter, Parameter, Product
from shop_catalog.pricelist import PriceListError
from shop_catalog.services import import_pricelist

pytestmark = pytest.mark.django_db


def test_import_sample_creates_everything(supplier, sample_data):
    summary = import_pricelist(data=sample_data)
    assert summary.shop_id == supplier.pk
    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (
        7,
        0,
        0,
        0,
    )
    assert Category.objects.count() == 4
    assert Product.objects.count() == 7
    offer = Offer.objects.get(shop=supplier, external_id="4216292")
    assert offer.price == Decimal("110000.00")
    assert offer.price_rrc == Decimal("116990.00")
    assert offer.quantity == 14
    assert offer.model == "apple/iphone/xs-max"
    assert offer.product.category.name == "Смартфоны"
    params = dict(offer.parameters.values_list("parameter__name", "value"))
    assert params["Диагональ (дюйм)"] == "6.5"
    assert params["Встроенная память (Гб)"] == "512"
    assert Parameter.objects.filter(name="Цвет").count() == 1


def test_reimport_is_idempotent(supplier, sample_data, django_assert_max_num_queries):
    import_pricelist(data=copy.deepcopy(sample_data))
    before = list(Offer.objects.order_by("pk").values())
    with django_assert_max_num_queries(12):
        summary = import_pricelist(data=copy.deepcopy(sample_data))
    assert (summary.created, summary.updated, summary.unchanged, summary.deactivated) == (
        0,
        0,
        7,
        0,
    )
    assert list(Offer.objects.order_by("pk").values()) == before
    assert Product.objects.count() == 7


def test_changed_prices_stock_and_parameters_update_in_place(supplier, sample_data):
    import_pricelist(data=copy.deepcopy(sample_data))
    ids = dict(Offer.objects.values_list("external_id", "pk"))
    data = copy.deepcopy(sample_data)
    data["goods"][0]["price"] = 99990.5
    data["goods"][1]["quantity"] = 0
    data["goods"][2]["parameters"]["Цвет"] = "графит"
    del data["goods"][3]["parameters"]["Цвет"]
    summary = import_pricelist(data=data)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 4, 3)
    assert dict(Offer.objects.values_list("external_id", "pk")) == ids  # same rows
    assert Offer.objects.get(external_id="4216292").price == Decimal("99990.50")
    assert Offer.objects.get(external_id="4216313").quantity == 0
    third = Offer.objects.get(external_id="4216226")
    assert third.parameters.get(parameter__name="Цвет").value == "графит"
    fourth = Offer.objects.get(external_id="4672670")
    assert not fourth.parameters.filter(parameter__name="Цвет").exists()


def test_missing_goods_zero_stock_never_deleted(supplier, sample_data):
    import_pricelist(data=copy.deepcopy(sample_data))
    data = copy.deepcopy(sample_data)
    data["goods"] = data["goods"][:5]
    summary = import_pricelist(data=data)
    # 7654321 already had quantity 0: only 1234567 changes
    assert summary.deactivated == 1
    assert Offer.objects.count() == 7
    gone = Offer.objects.get(external_id="1234567")
    assert gone.quantity == 0 and gone.is_active
    assert gone.parameters.count() == 2


def test_missing_goods_deactivate_by_setting(supplier, sample_data, settings):
    settings.SHOP_CATALOG = {"IMPORT_MISSING": "deactivate"}
    import_pricelist(data=copy.deepcopy(sample_data))
    data = copy.deepcopy(sample_data)
    data["goods"] = data["goods"][:5]
    summary = import_pricelist(data=data)
    assert summary.deactivated == 2
    assert summary.missing == "deactivate"
    assert set(Offer.objects.filter(is_active=False).values_list("external_id", flat=True)) == {
        "1234567",
        "7654321",
    }
    assert Offer.objects.get(external_id="1234567").quantity == 120
    # back in the file: active again
    summary = import_pricelist(data=copy.deepcopy(sample_data))
    assert summary.updated == 2
    assert not Offer.objects.filter(is_active=False).exists()


def test_bad_row_at_the_end_changes_nothing(supplier, sample_data):
    import_pricelist(data=copy.deepcopy(sample_data))
    before = list(Offer.objects.order_by("pk").values())
    params_before = OfferParameter.objects.count()
    data = copy.deepcopy(sample_data)
    data["goods"][0]["price"] = 1
    data["goods"].append(
        {"id": "999", "category": 224, "name": "X", "price": "abc", "quantity": -1, "_row": 8}
    )
    with pytest.raises(PriceListError) as exc:
        import_pricelist(data=data)
    errors = exc.value.errors
    assert {
        "section": "goods",
        "row": 8,
        "field": "price",
        "message": "Enter a number.",
        "code": "invalid",
    } in errors
    assert any(e["row"] == 8 and e["field"] == "quantity" for e in errors)
    assert list(Offer.objects.order_by("pk").values()) == before
    assert OfferParameter.objects.count() == params_before
    assert not Product.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    ("change", "field", "message", "code"),
    [
        ({"category": 999}, "category", "Unknown category id 999.", "unknown_category"),
        ({"id": None}, "id", "This field is required.", "required"),
        ({"id": 4216313}, "id", "Duplicate id 4216313 (first in row 2).", "duplicate"),
        ({"price": "1.001"}, "price", "At most 2 decimal places.", "max_decimal_places"),
        ({"price": -5}, "price", "Must not be negative.", "negative"),
        ({"price": "1e400"}, "price", "At most 9999999999.99.", "too_large"),
        ({"price": float("nan")}, "price", "Enter a number.", "invalid"),
        ({"price_rrc": "Infinity"}, "price_rrc", "Enter a number.", "invalid"),
        ({"quantity": 1.5}, "quantity", "Enter a whole number.", "not_integer"),
        ({"quantity": -1}, "quantity", "Must not be negative.", "negative"),
        ({"quantity": 2**31}, "quantity", "At most 2147483647.", "too_large"),
        ({"name": ""}, "name", "This field is required.", "required"),
        ({"name": "x" * 256}, "name", "At most 255 characters.", "max_length"),
        ({"name": {"a": 1}}, "name", "Must be a single value.", "not_scalar"),
        (
            {"parameters": ["a"]},
            "parameters",
            "Must be a mapping of names to values.",
            "not_a_mapping",
        ),  # noqa: E501
        ({"parameters": {"Цвет": [1]}}, "parameters.Цвет", "Must be a single value.", "not_scalar"),
        (
            {"parameters": {"Вес": float("inf")}},
            "parameters.Вес",
            "Enter a finite number.",
            "invalid",
        ),  # noqa: E501
    ],
)
def test_row_errors_name_row_field_and_code(supplier, sample_data, change, field, message, code):
    sample_data["goods"][2].update(change)
    with pytest.raises(PriceListError) as exc:
        import_pricelist(data=sample_data)
    assert exc.value.errors == [
        {"section": "goods", "row": 3, "field": field, "message": message, "code": code}
    ]
    assert not Offer.objects.exists()


def test_a_huge_quantity_exponent_is_refused_at_once(supplier, sample_data):
    """int(Decimal("1e999999")) alone takes minutes: the bound is checked first."""
    sample_data["goods"][0]["quantity"] = "1e999999"
    started = time.monotonic()
    with pytest.raises(PriceListError) as exc:
        import_pricelist(data=sample_data)
    assert time.monotonic() - started < 1
    assert exc.value.errors[0]["code"] == "too_large"


def test_shop_mismatch_and_unknown_shop(db, sample_data):
    with pytest.raises(PriceListError, match="No shop named"):
        import_pricelist(data=sample_data)
    from tests import factories

    other = factories.shop("Other")
    with pytest.raises(PriceListError, match="not Other"):
        import_pricelist(data=sample_data, shop=other)
    summary = import_pricelist(data=sample_data, create_shop=True)
    assert summary.created == 7


def test_same_product_name_from_two_shops_shares_the_product(supplier, sample_data):
    from tests import factories

    import_pricelist(data=copy.deepcopy(sample_data))
    other = factories.shop("DNS")
    data = copy.deepcopy(sample_data)
    data["shop"] = "DNS"
    data["goods"][0]["price"] = 100000
    summary = import_pricelist(data=data, shop=other)
    assert summary.created == 7 and summary.products_created == 0
    product = Product.objects.get(name__startswith="Смартфон Apple iPhone XS Max")
    assert sorted(product.offers.values_list("price", flat=True)) == [
        Decimal("100000.00"),
        Decimal("110000.00"),
    ]


def test_existing_category_is_reused_even_when_nested(supplier, sample_data):
    from tests import factories

    root = factories.category("Электроника")
    phones = factories.category("Смартфоны", parent=root)
    import_pricelist(data=sample_data)
    assert Product.objects.filter(category=phones).count() == 4
    assert Category.objects.filter(name="Смартфоны").count() == 1


def test_large_import_runs_a_fixed_number_of_queries(supplier, django_assert_max_num_queries):
    def data(n):
        return {
            "shop": "Связной",
            "categories": [{"id": i, "name": f"Cat {i}"} for i in range(5)],
            "goods": [
                {
                    "id": i,
                    "category": i % 5,
                    "name": f"Good {i}",
                    "price": 100 + i,
                    "quantity": i % 7,
                    "parameters": {f"P{j}": f"v{i % (j + 2)}" for j in range(5)},
                }
                for i in range(n)
            ],
        }

    with django_assert_max_num_queries(30):
        summary = import_pricelist(data=data(300))
    assert summary.created == 300
    assert OfferParameter.objects.count() == 1500
    changed = data(300)
    for good in changed["goods"]:
        good["price"] += 1
    with django_assert_max_num_queries(30):
        summary = import_pricelist(data=changed)
    assert summary.updated == 300


def test_generic_bulk_update_fallback(supplier, sample_data, monkeypatch):
    """Databases without UPDATE ... FROM use Django's bulk_update: same result."""
    monkeypatch.setattr("shop_catalog.bulk._supported", lambda: False)
    import_pricelist(data=copy.deepcopy(sample_data))
    data = copy.deepcopy(sample_data)
    data["goods"][0]["price"] = 1
    data["goods"][0]["parameters"]["Цвет"] = "белый"
    summary = import_pricelist(data=data)
    assert summary.updated == 1
    offer = Offer.objects.get(external_id="4216292")
    assert offer.price == Decimal("1.00")
    assert offer.parameters.get(parameter__name="Цвет").value == "белый"


def test_empty_price_list_is_refused(supplier, sample_data):
    import_pricelist(data=copy.deepcopy(sample_data))
    with pytest.raises(PriceListError, match="no goods"):
        import_pricelist(data={"shop": "Связной", "goods": []})
    assert not Offer.objects.filter(quantity=0).exclude(external_id="7654321").exists()
