"""Hostile input on every write endpoint: a 4xx with a code, never a 5xx, nothing changed.

Write endpoints: ``POST addresses/``, ``PUT``/``PATCH``/``DELETE addresses/{id}/``,
``POST addresses/{id}/set-default/``, ``POST favourites/``,
``DELETE favourites/{product_id}/``, ``POST export/``. The query parameters of
the order history are in the last section.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from shop_cabinet import services
from shop_cabinet.models import Address, Favourite, PersonalDataExport
from shop_core.testing import nested_json

from . import factories
from .errors import attrs, codes, problems

pytestmark = pytest.mark.django_db

API = "/api/v1/cabinet/"
LONG = "a" * 100_000
ADDRESS = {
    "kind": "shipping",
    "recipient": "Anna",
    "phone": "+7 (812) 555-00-11",
    "city": "Saint Petersburg",
    "street": "Nevsky",
    "building": "28",
    "apartment": "5",
    "postal_code": "191186",
}
TEXT_FIELDS = ["kind", "recipient", "phone", "city", "street", "building", "apartment"]
TEXT_FIELDS += ["postal_code"]
# JSON numbers as a client may send them (raw, so 1e400 and NaN reach the parser as written).
HOSTILE_NUMBERS = ["1" + "0" * 30, "1e400", "NaN", "Infinity", "-Infinity", "-1", "1.5"]
HOSTILE_NUMBER_STRINGS = ['"1e400"', '"NaN"', '"Infinity"', '"-1"', '"9999999999.999"']
OTHER_DIGITS = ['"١٢"', '"१२"', '"１２"']  # Arabic-Indic, Devanagari, full-width


@pytest.fixture
def book(user: Any) -> dict[str, Any]:
    """The caller's data: two addresses (the first the default), a favourite."""
    product = factories.product()
    default = factories.address(user)
    other = factories.address(user, building="2")
    services.add_favourite(user=user, product=product)
    return {"default": default, "other": other, "product": product}


def state() -> list[Any]:
    """Everything the cabinet stores, to compare before and after a request."""
    return [
        list(Address.objects.order_by("pk").values()),
        list(Favourite.objects.order_by("pk").values()),
        list(PersonalDataExport.objects.order_by("pk").values("pk", "status")),
    ]


def write_endpoints(book: dict[str, Any]) -> dict[str, tuple[str, str]]:
    address = f"{API}addresses/{book['other'].pk}/"
    return {
        "create address": ("post", f"{API}addresses/"),
        "replace address": ("put", address),
        "change address": ("patch", address),
        "delete address": ("delete", address),
        "set default": ("post", f"{address}set-default/"),
        "add favourite": ("post", f"{API}favourites/"),
        "remove favourite": ("delete", f"{API}favourites/{book['product'].pk}/"),
        "request export": ("post", f"{API}export/"),
    }


def send(api: Any, method: str, url: str, raw: str) -> Any:
    return api.generic(method.upper(), url, raw, content_type="application/json")


def add_favourite(api: Any, raw_product_id: str) -> Any:
    return send(api, "post", f"{API}favourites/", '{"product_id": ' + raw_product_id + "}")


def assert_refused(response: Any, before: list[Any], code: str | None = None) -> None:
    """A 4xx in the one error body, every problem with a code; nothing written."""
    assert 400 <= response.status_code < 500, response.content
    found = codes(response)
    assert all(found), response.json()
    if code:
        assert code in found, response.json()
    assert state() == before


ENDPOINTS = [
    "create address",
    "replace address",
    "change address",
    "delete address",
    "set default",
    "add favourite",
    "remove favourite",
    "request export",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_nested_json_is_400_too_deep(api: Any, book: dict[str, Any], endpoint: str) -> None:
    method, url = write_endpoints(book)[endpoint]
    before = state()
    response = send(api, method, url, nested_json(1000))
    assert response.status_code == 400
    assert_refused(response, before, "too_deep")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_malformed_json_is_400(api: Any, book: dict[str, Any], endpoint: str) -> None:
    method, url = write_endpoints(book)[endpoint]
    before = state()
    assert_refused(send(api, method, url, '{"kind": '), before, "parse_error")


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_huge_strings_in_address_fields(
    api: Any, book: dict[str, Any], method: str, field: str
) -> None:
    url = f"{API}addresses/" if method == "post" else f"{API}addresses/{book['other'].pk}/"
    before = state()
    response = send(api, method, url, json.dumps({**ADDRESS, field: LONG}))
    assert response.status_code == 400 and field in attrs(response)
    assert_refused(response, before)


@pytest.mark.parametrize("method", ["post", "put", "patch"])
@pytest.mark.parametrize("field", ["phone", "postal_code", "is_default", "kind"])
@pytest.mark.parametrize("number", HOSTILE_NUMBERS + HOSTILE_NUMBER_STRINGS)
def test_hostile_numbers_in_address_fields(
    api: Any, book: dict[str, Any], method: str, field: str, number: str
) -> None:
    url = f"{API}addresses/" if method == "post" else f"{API}addresses/{book['other'].pk}/"
    body = json.dumps({**ADDRESS, field: "__value__"}).replace('"__value__"', number)
    before = state()
    assert_refused(send(api, method, url, body), before)


@pytest.mark.parametrize(
    "value", [json.dumps(LONG), "0", *HOSTILE_NUMBERS, *HOSTILE_NUMBER_STRINGS]
)
def test_hostile_product_ids(api: Any, book: dict[str, Any], value: str) -> None:
    before = state()
    assert_refused(add_favourite(api, value), before)


@pytest.mark.parametrize("value", [*OTHER_DIGITS, "true", "[1]", '{"id": 1}', '" 1"', '"1 "'])
def test_product_ids_must_be_ascii_integers(api: Any, user: Any, value: str) -> None:
    """DRF alone would read "١٢" as 12 (Python's int() takes any script) and 1.5 as 1."""
    for _ in range(12):
        factories.product()  # ids 1 and 12 exist
    before = state()
    assert_refused(add_favourite(api, value), before)


@pytest.mark.parametrize("path", ["addresses/{}/", "favourites/{}/", "orders/{}/"])
@pytest.mark.parametrize("pk", ["9" * 19, "9" * 40, "١", "-1", "0"])
def test_path_ids_no_column_holds_are_404(
    api: Any, book: dict[str, Any], path: str, pk: str
) -> None:
    before = state()
    for method in ("get", "delete", "patch"):
        response = getattr(api, method)(API + path.format(pk), {}, format="json")
        assert response.status_code in (404, 405), (method, response.content)
    assert state() == before


class TestOrderHistoryQuery:
    URL = f"{API}orders/"

    @pytest.mark.parametrize(
        "day", ["9999-12-31", "9001-01-01", "0001-01-01", "1969-12-31", "0001-01-02"]
    )
    @pytest.mark.parametrize("param", ["created_after", "created_before"])
    def test_dates_out_of_range_are_400(self, api: Any, param: str, day: str) -> None:
        response = api.get(self.URL, {param: day})
        assert response.status_code == 400
        assert problems(response) == [("created", "out_of_range")]

    @pytest.mark.parametrize("day", ["1970-01-01", "9000-12-31"])
    def test_dates_at_the_bounds_pass(self, api: Any, day: str) -> None:
        assert api.get(self.URL, {"created_after": day}).status_code == 200

    @pytest.mark.parametrize("day", ["٢٠٢٥-٠١-٠١", "2025-13-01", "x", LONG[:1000]])
    def test_bad_dates_are_400(self, api: Any, day: str) -> None:
        response = api.get(self.URL, {"created_after": day})
        assert response.status_code == 400 and attrs(response) == {"created"}

    @pytest.mark.parametrize("page", ["0", "-1", "9" * 30, "1e400", "NaN", "abc"])
    def test_hostile_pages_are_400(self, api: Any, page: str) -> None:
        response = api.get(self.URL, {"page": page})
        assert response.status_code == 400
        assert problems(response) == [("page", "invalid_page")]

    @pytest.mark.parametrize("total", ["1" + "0" * 30, "1e400", "NaN", "Infinity", "-1"])
    def test_hostile_totals_are_400(self, api: Any, total: str) -> None:
        response = api.get(self.URL, {"total_min": total})
        assert response.status_code == 400 and attrs(response) == {"total_min"}


def test_new_messages_are_translated_to_russian(api: Any) -> None:
    from django.utils import translation

    with translation.override("ru"):
        page = api.get(f"{API}orders/", {"page": "0"})
        day = api.get(f"{API}orders/", {"created_after": "0001-01-01"})
        invalid_page = translation.gettext("Invalid page.")
    assert invalid_page != "Invalid page."
    assert page.json()["errors"][0]["detail"] == invalid_page  # shop_core's message
    assert day.json()["errors"][0]["detail"].startswith("Даты")
