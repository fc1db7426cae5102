"""The rules for parameter values, prices and quantities (``shop_catalog.values``)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from shop_catalog.models import OfferParameter
from shop_catalog.services import import_pricelist_file

pytestmark = pytest.mark.django_db


def stored_value(name="P"):
    values = OfferParameter.objects.filter(parameter__name=name).values_list("value", flat=True)
    return values.first()


def yaml_list(value: str) -> bytes:
    return (
        "shop: Связной\ncategories: [{id: 1, name: Phones}]\n"
        "goods:\n  - {id: 1, category: 1, name: A, price: 10, quantity: 1, "
        f"parameters: {{P: {value}}}}}\n"
    ).encode()


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("true", "true"),
        ("false", "false"),
        ("True", "true"),  # YAML 1.1: a bool however it is capitalised
        ("'True'", "True"),  # a string stays as written
        ("512", "512"),
        ("6.0", "6"),
        ("6.50", "6.5"),
        ("1.0e-7", "0.0000001"),
        ("-0.0", "0"),
        ("2024-01-31", "2024-01-31"),
        ("'6.50'", "6.50"),
        ("null", None),
        ("~", None),
        ("''", None),
    ],
)
def test_yaml_scalars_are_stored_by_the_rule(supplier, written, stored):
    import_pricelist_file(content=yaml_list(written), fmt="yaml")
    assert stored_value() == stored


@pytest.mark.parametrize(
    ("value", "stored"),
    [(True, "true"), (False, "false"), (512, "512"), (6.0, "6"), (6.5, "6.5"), (None, None)],
)
def test_json_scalars_are_stored_by_the_rule(supplier, value, stored):
    good = {"id": 1, "category": 1, "name": "A", "price": 10, "parameters": {"P": value}}
    content = {"shop": "Связной", "categories": [{"id": 1, "name": "C"}], "goods": [good]}
    import_pricelist_file(content=json.dumps(content).encode(), fmt="json")
    assert stored_value() == stored


def test_xlsx_cells_are_stored_by_the_rule(supplier):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "category", "name", "price", "Bool", "Whole", "Day", "Text"])
    wb.active.append([1, "C", "A", 10, True, 6.0, dt.datetime(2024, 1, 31), "TRUE"])
    buffer = io.BytesIO()
    wb.save(buffer)
    import_pricelist_file(content=buffer.getvalue(), fmt="xlsx", shop=supplier)
    assert [stored_value(n) for n in ("Bool", "Whole", "Day", "Text")] == [
        "true",
        "6",
        "2024-01-31",
        "TRUE",
    ]


def test_csv_cells_are_text_kept_as_written(supplier):
    content = b"id,category,name,price,Bool,Whole\n1,C,A,10,TRUE,6.0\n"
    import_pricelist_file(content=content, fmt="csv", shop=supplier)
    assert [stored_value(n) for n in ("Bool", "Whole")] == ["TRUE", "6.0"]


def test_scalar_text_refuses_what_is_no_scalar():
    from shop_catalog.values import BadValue, scalar_text

    for value in ({"a": 1}, [1], float("nan"), float("inf")):
        with pytest.raises(BadValue):
            scalar_text(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12,50", Decimal("12.50")), (0.1, Decimal("0.10")), ("١٢٣", Decimal("123.00")), ("-0", 0)],
)
def test_money_is_read_as_written(value, expected):
    from shop_catalog.values import parse_money

    assert parse_money(value) == expected
    assert str(parse_money("-0")) == "0.00"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1e400", "too_large"),
        (10**30, "too_large"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        (True, "invalid"),
        (-1, "negative"),
        ("0.001", "max_decimal_places"),
        ("1²", "invalid"),
    ],
)
def test_money_refusals_have_codes(value, code):
    from shop_catalog.values import BadValue, parse_money

    with pytest.raises(BadValue) as exc:
        parse_money(value)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1.5, "not_integer"),
        ("1e400", "too_large"),
        ("1e999999", "too_large"),
        (2**31, "too_large"),
        ("NaN", "not_integer"),
        (-1, "negative"),
        (True, "not_integer"),
    ],
)
def test_quantity_refusals_have_codes(value, code):
    from shop_catalog.values import BadValue, parse_quantity

    with pytest.raises(BadValue) as exc:
        parse_quantity(value)
    assert exc.value.code == code
    assert parse_quantity("٣") == 3 and parse_quantity(2**31 - 1) == 2**31 - 1
