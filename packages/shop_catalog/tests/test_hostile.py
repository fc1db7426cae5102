"""Hostile input on every write endpoint: a 4xx with a code, never a 5xx, nothing changed.

The write endpoints of this package: ``POST supplier/offers/``, ``PUT/PATCH
supplier/offers/{id}/``, ``PUT/PATCH supplier/shops/{id}/`` and ``POST
supplier/shops/{id}/import/`` (a JSON or multipart request, and the price
list it carries). The package has no date input: the only dates (an offer's
``updated``, a job's ``created``/``finished``) are read-only.

Digits of other scripts where digits are expected are read as the number they
write (``"١٢٣"`` is 123, as Python, DRF and Django forms read it, and as the
import does): they are tested to store that number, and a string that mixes
in something else (``"1²"``) to be a 400.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_catalog.models import Category, ImportJob, Offer, OfferParameter, Parameter, Product, Shop
from shop_core.testing import nested_json

from . import factories

pytestmark = pytest.mark.django_db

SUPPLIER = "/api/v1/catalog/supplier"
LONG = "x" * 100_000
OVERFLOWS = [10**30, "1e400", "-1e400", "NaN", "Infinity", "-Infinity", -1]


@dataclass
class World:
    shop: Shop
    offer: Offer
    product: Product


@pytest.fixture
def world(api, supplier) -> World:
    offer = factories.offer(
        shop_obj=supplier, external_id="E1", price="10.00", quantity=3, parameters={"Цвет": "red"}
    )
    api.force_authenticate(supplier.owner)
    return World(shop=supplier, offer=offer, product=factories.product("Other"))


def catalogue_state() -> dict[str, list]:
    """Every row of the catalogue's tables (import jobs may record a failure)."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Category, Shop, Product, Offer, Parameter, OfferParameter)
    }


@dataclass
class Endpoint:
    name: str
    method: str
    url: Callable[[World], str]
    body: Callable[[World], dict]  # a valid body
    text_fields: tuple[str, ...] = ()
    number_fields: tuple[str, ...] = ()
    id_fields: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


def _offer_body(w: World) -> dict:
    return {
        "shop": w.shop.pk,
        "product": w.product.pk,
        "external_id": "N1",
        "model": "m",
        "price": "5.00",
        "price_rrc": "6.00",
        "quantity": 2,
        "is_active": True,
    }


OFFER_NUMBERS = ("price", "price_rrc", "quantity")
ENDPOINTS = [
    Endpoint(
        "offer-create",
        "post",
        lambda w: f"{SUPPLIER}/offers/",
        _offer_body,
        text_fields=("external_id", "model"),
        number_fields=OFFER_NUMBERS,
        id_fields=("shop", "product"),
    ),
    Endpoint(
        "offer-replace",
        "put",
        lambda w: f"{SUPPLIER}/offers/{w.offer.pk}/",
        _offer_body,
        text_fields=("external_id", "model"),
        number_fields=OFFER_NUMBERS,
        id_fields=("product",),  # shop is read-only once the offer exists
    ),
    Endpoint(
        "offer-change",
        "patch",
        lambda w: f"{SUPPLIER}/offers/{w.offer.pk}/",
        lambda w: {"price": "11.00"},
        text_fields=("external_id", "model"),
        number_fields=OFFER_NUMBERS,
        id_fields=("product",),
    ),
    Endpoint(
        "shop-replace",
        "put",
        lambda w: f"{SUPPLIER}/shops/{w.shop.pk}/",
        lambda w: {"accepts_orders": False},
        number_fields=("accepts_orders",),
    ),
    Endpoint(
        "shop-change",
        "patch",
        lambda w: f"{SUPPLIER}/shops/{w.shop.pk}/",
        lambda w: {"accepts_orders": False},
        number_fields=("accepts_orders",),
    ),
    Endpoint(
        "import",
        "post",
        lambda w: f"{SUPPLIER}/shops/{w.shop.pk}/import/",
        lambda w: {"url": "https://supplier.example/list.yaml", "format": "yaml"},
        text_fields=("url", "format", "missing"),
    ),
]
BY_NAME = {e.name: e for e in ENDPOINTS}


def send(api, endpoint: Endpoint, w: World, body) -> object:
    call = getattr(api, endpoint.method)
    if isinstance(body, str):
        return call(endpoint.url(w), body, content_type="application/json")
    return call(endpoint.url(w), body, format="json")


def assert_refused(response, field_name: str | None = None) -> dict:
    """A 4xx in the one error shape, every problem with a code (and ``field_name`` as an attr)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert body["type"] in ("validation_error", "client_error") and body["errors"], body
    assert all(isinstance(e["code"], str) and e["code"] for e in body["errors"]), body
    if field_name is not None:
        assert field_name in {e["attr"] for e in body["errors"]}, body
    return body


def codes_by_attr(body: dict) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in body["errors"]:
        result.setdefault(error["attr"], []).append(error["code"])
    return result


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_nested_json_is_400_too_deep(api, world, endpoint):
    before = catalogue_state()
    response = send(api, endpoint, world, nested_json(1000))
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["too_deep"]
    assert catalogue_state() == before


@pytest.mark.parametrize(
    ("endpoint", "field_name"),
    [(e, f) for e in ENDPOINTS for f in e.text_fields],
    ids=lambda v: v.name if isinstance(v, Endpoint) else v,
)
def test_a_100_000_character_string_is_refused(api, world, endpoint, field_name):
    before = catalogue_state()
    response = send(api, endpoint, world, {**endpoint.body(world), field_name: LONG})
    assert_refused(response, field_name)
    assert catalogue_state() == before
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "field_name", "value"),
    [(e, f, v) for e in ENDPOINTS for f in e.number_fields for v in OVERFLOWS]
    + [(BY_NAME[n], "quantity", v) for n in ("offer-create", "offer-change") for v in (1.5, "1.5")]
    + [(BY_NAME[n], "price", "0.001") for n in ("offer-create", "offer-change")],
    ids=lambda v: v.name if isinstance(v, Endpoint) else str(v)[:12],
)
def test_overflowing_numbers_are_refused(api, world, endpoint, field_name, value):
    before = catalogue_state()
    response = send(api, endpoint, world, {**endpoint.body(world), field_name: value})
    assert_refused(response, field_name)
    assert catalogue_state() == before


@pytest.mark.parametrize(
    ("endpoint", "field_name", "value"),
    [
        (e, f, v)
        for e in ENDPOINTS
        for f in e.id_fields
        for v in (10**30, 1.5, -1, "NaN", "1e400", "1²", True, "")
    ],
    ids=lambda v: v.name if isinstance(v, Endpoint) else str(v)[:12],
)
def test_bad_ids_are_refused(api, world, endpoint, field_name, value):
    """1.5 was read as 1: an offer of product 1."""
    before = catalogue_state()
    response = send(api, endpoint, world, {**endpoint.body(world), field_name: value})
    assert_refused(response, field_name)
    assert catalogue_state() == before


@pytest.mark.parametrize("value", ["١٢٣", "१२३", "１２３"])
def test_other_scripts_digits_are_read_as_their_number(api, world, value):
    response = send(api, BY_NAME["offer-change"], world, {"price": value, "quantity": value})
    assert response.status_code == 200, response.content
    world.offer.refresh_from_db()
    assert (world.offer.price, world.offer.quantity) == (Decimal("123.00"), 123)


@pytest.mark.parametrize("field_name", ["price", "quantity", "product"])
def test_digits_mixed_with_other_characters_are_refused(api, world, field_name):
    before = catalogue_state()
    response = send(api, BY_NAME["offer-change"], world, {field_name: "1²"})
    assert_refused(response, field_name)
    assert catalogue_state() == before


@pytest.mark.parametrize("value", ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_extreme_dates_in_the_read_only_updated_are_ignored(api, world, value):
    response = send(api, BY_NAME["offer-change"], world, {"updated": value})
    assert response.status_code == 200
    world.offer.refresh_from_db()
    assert 2000 < world.offer.updated.year < 3000


def test_a_taken_external_id_is_400_taken(api, world):
    factories.offer(shop_obj=world.shop, external_id="E2")
    before = catalogue_state()
    for endpoint, body in [
        (BY_NAME["offer-create"], {**_offer_body(world), "external_id": "E2"}),
        (BY_NAME["offer-change"], {"external_id": "E2"}),
    ]:
        body = assert_refused(send(api, endpoint, world, body), "external_id")
        assert codes_by_attr(body) == {"external_id": ["taken"]}
    assert catalogue_state() == before


# --- the price list an import carries -----------------------------------------


GOOD = {
    "id": "P1",
    "category": "Phones",
    "model": "m",
    "name": "Phone",
    "price": "10.00",
    "price_rrc": "12.00",
    "quantity": 3,
}


def price_list(fmt: str, change: dict, shop: str = "Связной") -> tuple[str, bytes]:
    good = {**GOOD, **change}
    columns = list(GOOD) + ["Цвет"]
    values = [good[c] for c in GOOD] + [good.get("Цвет", "red")]
    if fmt in ("yaml", "json"):
        document = {
            "shop": good.get("shop", shop),
            "categories": [{"id": 1, "name": good["category"]}],
            "goods": [
                {**{k: good[k] for k in GOOD}, "category": 1, "parameters": {"Цвет": values[-1]}}
            ],
        }
        if fmt == "json":
            return "list.json", json.dumps(document).encode()
        return "list.yaml", yaml.safe_dump(document, allow_unicode=True).encode()
    if fmt == "csv":
        lines = [",".join(columns), ",".join(str(v) for v in values)]
        return "list.csv", ("\n".join(lines) + "\n").encode()
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(columns)
    workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "list.xlsx", buffer.getvalue()


HOSTILE_ROWS = (
    [({"id": LONG}, "id", "max_length"), ({"name": LONG}, "name", "max_length")]
    + [({"model": LONG}, "model", "max_length"), ({"category": LONG}, "category", "max_length")]
    + [({"Цвет": LONG}, "parameters.Цвет", "max_length")]
    + [({"price": v}, "price", None) for v in OVERFLOWS]
    + [({"price_rrc": v}, "price_rrc", None) for v in OVERFLOWS]
    + [({"quantity": v}, "quantity", None) for v in [*OVERFLOWS, 1.5, "1e999999", 2**31]]
)


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
@pytest.mark.parametrize(("change", "field_name", "code"), HOSTILE_ROWS, ids=str)
def test_hostile_values_in_a_price_list_are_row_errors(api, world, fmt, change, field_name, code):
    before = catalogue_state()
    name, content = price_list(fmt, change)
    response = api.post(
        f"{SUPPLIER}/shops/{world.shop.pk}/import/", {"file": SimpleUploadedFile(name, content)}
    )
    body = assert_refused(response, "file")
    assert set(codes_by_attr(body)) == {"file"}  # every problem of the price list
    row = 1 if fmt in ("yaml", "json") else 2  # item 1 of the list; row 2 of the sheet
    section = "categories" if field_name == "category" and fmt in ("yaml", "json") else "goods"
    wanted_field = "name" if section == "categories" else field_name
    problems = body["job"]["errors"]  # the failed job, with each problem's place
    assert (section, row, wanted_field) in [(e["section"], e["row"], e["field"]) for e in problems]
    assert [e["code"] for e in problems] == [e["code"] for e in body["errors"]]
    if code:
        assert code in {e["code"] for e in body["errors"]}
    assert catalogue_state() == before
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_a_100_000_character_shop_name_in_a_price_list_is_refused(api, world, fmt):
    before = catalogue_state()
    if fmt == "csv":
        name, content = "list.csv", f"shop,id,category,name,price\n{LONG},P1,C,N,10\n".encode()
    else:
        name, content = price_list(fmt, {"shop": LONG})
    response = api.post(
        f"{SUPPLIER}/shops/{world.shop.pk}/import/", {"file": SimpleUploadedFile(name, content)}
    )
    body = assert_refused(response, "file")
    assert {e["code"] for e in body["errors"]} & {"max_length", "shop_mismatch"}
    assert len(response.content) < 10_000  # the long name is not echoed back
    assert catalogue_state() == before


# --- query parameters of the public list ---------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"price_min": 10**30},
        {"price_min": "1e400"},
        {"price_max": "NaN"},
        {"price_max": "Infinity"},
        {"price_min": -1},
        {"price_min": "0.001"},
        {"shop": "²"},
        {"shop": 10**30},
        {"page": 10**30},
        # NUL: PostgreSQL refuses it in text (was a 500 through the parameter's name)
        {"parameter": "Цв\x00ет:red"},
        {"parameter": "Цвет:re\x00d"},
    ],
    ids=str,
)
def test_hostile_list_parameters_are_400_with_a_code(api, world, query):
    urls = ["/api/v1/catalog/products/", "/api/v1/catalog/products/export/"]
    for url in urls[:1] if "page" in query else urls:  # the export has no pages
        response = api.get(url, query)
        assert_refused(response, next(iter(query)))


@pytest.mark.parametrize("value", ["²", "١", "1²", LONG[:1000]])
def test_a_category_that_is_no_id_is_no_500(api, world, value):
    """ "²" is a digit Python's int() refuses: was a ValueError (500)."""
    for url in ("/api/v1/catalog/products/", "/api/v1/catalog/products/export/"):
        assert api.get(url, {"category": value}).status_code == 200
