"""?parameter=name:value: names are read as ids first, and PostgreSQL knows the pairs."""

import pytest
from django.db import connection

from shop_catalog.models import Offer, OfferParameter, Parameter

from . import factories

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


def names(response):
    assert response.status_code == 200, response.content
    return sorted(p["name"] for p in response.json()["results"])


@pytest.fixture
def phones():
    shop = factories.shop("A")
    factories.offer(factories.product("Red phone"), shop, parameters={"Color": "red", "Size": "S"})
    factories.offer(factories.product("Blue phone"), shop, parameters={"Color": "blue"})


def test_an_unknown_parameter_name_matches_nothing(api, phones, django_assert_max_num_queries):
    # The names are looked up once; an unknown one answers without a product query.
    with django_assert_max_num_queries(1):
        response = api.get(PRODUCTS, {"parameter": ["Weight:1"]})
    assert response.json()["count"] == 0
    assert names(api.get(PRODUCTS, {"parameter": ["Color:red", "Weight:1"]})) == []
    assert names(api.get(PRODUCTS, {"parameter": ["Color:red", "Size:S"]})) == ["Red phone"]


def test_a_parameter_added_later_is_found_with_the_cache_on(api, phones, settings):
    settings.SHOP_CATALOG = {"CACHE": True}
    assert names(api.get(PRODUCTS, {"parameter": "Weight:1"})) == []  # cached: no such name
    shop = factories.shop("B")
    factories.offer(factories.product("Heavy phone"), shop, parameters={"Weight": "1"})
    # the write started a new catalogue version, so the names are read again
    assert names(api.get(PRODUCTS, {"parameter": "Weight:1"})) == ["Heavy phone"]


@pytest.mark.postgres
def test_postgresql_estimates_a_pair_from_its_statistics():
    """'red' is only ever a colour: estimated from the two columns apart, the pair
    looked five times rarer than it is, and the list read every match before
    its first page. Migration 0010's statistics know the pairs."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    shop = factories.shop("S")
    product = factories.product("P")
    offers = Offer.objects.bulk_create(
        Offer(product=product, shop=shop, external_id=str(n), price=1, quantity=1)
        for n in range(1000)
    )
    params = [Parameter.objects.create(name=name) for name in "ABCDE"]
    OfferParameter.objects.bulk_create(
        OfferParameter(offer=offer, parameter=param, value="red" if n % 2 else f"v{n % 10}")
        if param.name == "A"
        else OfferParameter(offer=offer, parameter=param, value=f"v{n % 10}")
        for n, offer in enumerate(offers)
        for param in params
    )
    table = OfferParameter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT offer_id FROM {table} "
            "WHERE parameter_id = %s AND value = 'red'",
            [params[0].pk],
        )
        estimated = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
    assert 400 <= estimated <= 600  # 500 match; apart, the columns said 100
