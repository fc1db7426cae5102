"""One rule for the public catalogue: a product is listed when it has an available
offer (active, of a shop that accepts orders), and it shows only those offers."""

import csv
import io

import pytest

from . import factories

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def catalogue():
    open_shop = factories.shop("Open")
    closed = factories.shop("Closed", accepts_orders=False)
    category = factories.category("Phones")
    mixed = factories.product("Mixed", category)
    factories.offer(mixed, open_shop, price="100.00", quantity=1, external_id="M-open")
    factories.offer(mixed, open_shop, price="10.00", external_id="M-off", is_active=False)
    factories.offer(mixed, closed, price="5.00", quantity=9, external_id="M-closed")
    only_inactive = factories.product("Only inactive", category)
    factories.offer(only_inactive, open_shop, price="20.00", external_id="I", is_active=False)
    only_closed = factories.product("Only closed", category)
    factories.offer(only_closed, closed, price="30.00", external_id="C")
    return {
        "open": open_shop,
        "closed": closed,
        "mixed": mixed,
        "hidden": [only_inactive, only_closed],
    }


def listed(api, **query):
    response = api.get(PRODUCTS, query)
    assert response.status_code == 200, response.content
    return {item["name"]: item for item in response.json()["results"]}


def csv_rows(response) -> list[dict[str, str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(content)))


def test_products_without_an_available_offer_are_not_listed(api, catalogue):
    assert list(listed(api)) == ["Mixed"]
    assert api.get(PRODUCTS).json()["count"] == 1
    for product in catalogue["hidden"]:
        assert api.get(f"{PRODUCTS}{product.pk}/").status_code == 404


def test_a_listed_product_shows_only_its_available_offers(api, catalogue):
    item = listed(api)["Mixed"]
    assert item["min_price"] == "100.00"  # not the inactive 10.00 nor the closed shop's 5.00
    assert [(o["shop"]["name"], o["price"]) for o in item["offers"]] == [("Open", "100.00")]
    assert api.get(f"{PRODUCTS}{catalogue['mixed'].pk}/").json() == item


@pytest.mark.parametrize(
    "query",
    [
        {"search": "only"},
        {"price_max": "50"},  # only unavailable offers are that cheap
        {"in_stock": "true", "price_max": "6"},
        {"ordering": "price", "price_max": "40"},
    ],
)
def test_filters_see_only_available_offers(api, catalogue, query):
    assert listed(api, **query) == {}


def test_filter_by_the_closed_shop_finds_nothing(api, catalogue):
    assert listed(api, shop=catalogue["closed"].pk) == {}
    assert list(listed(api, shop=catalogue["open"].pk)) == ["Mixed"]


def test_csv_export_has_only_available_offers(api, catalogue):
    response = api.get(f"{PRODUCTS}export/")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(r["shop"], r["id"]) for r in rows] == [("Open", "M-open")]
    # the export's rows are the offers that match the offer filters, not all offers of a product
    factories.offer(catalogue["mixed"], factories.shop("Second"), price="300.00", external_id="S")
    response = api.get(f"{PRODUCTS}export/", {"price_min": "200"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["id"] for r in rows] == ["S"]


def test_a_shop_that_stops_taking_orders_takes_its_only_products_out(api, catalogue):
    from shop_catalog.services import set_accepts_orders

    set_accepts_orders(shop=catalogue["open"], accepts_orders=False)
    assert listed(api) == {}
    set_accepts_orders(shop=catalogue["closed"], accepts_orders=True)
    assert set(listed(api)) == {"Mixed", "Only closed"}
    assert listed(api)["Mixed"]["min_price"] == "5.00"


@pytest.mark.parametrize("page_size", [1, 10])
def test_query_count_stays_constant_with_hidden_products(
    api, catalogue, page_size, django_assert_max_num_queries
):
    shop = factories.shop()
    for i in range(12):
        product = factories.product(f"P{i:02}")
        factories.offer(product, shop, parameters={"A": str(i)})
        factories.offer(product, catalogue["closed"])
    with django_assert_max_num_queries(5):
        response = api.get(PRODUCTS, {"page_size": page_size})
    assert response.json()["count"] == 13


def test_one_orderable_rule_for_querysets_and_single_offers(catalogue):
    from shop_catalog.models import OFFER_INACTIVE, SHOP_CLOSED, Offer
    from shop_catalog.selectors import orderable_offers

    offers = {o.external_id: o for o in Offer.objects.select_related("shop")}
    assert {o.external_id for o in Offer.objects.orderable()} == {"M-open"}
    assert list(orderable_offers()) == list(Offer.objects.orderable())
    assert {key: o.orderable_problem for key, o in offers.items()} == {
        "M-open": None,
        "M-off": OFFER_INACTIVE,
        "M-closed": SHOP_CLOSED,
        "I": OFFER_INACTIVE,
        "C": SHOP_CLOSED,
    }
    assert [key for key, o in offers.items() if o.is_orderable] == ["M-open"]
