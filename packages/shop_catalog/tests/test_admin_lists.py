"""The admin's product list: price range and stock of active offers, filters, constant queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db
URL = "admin:shop_catalog_product_changelist"


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def rows(response) -> dict[str, object]:
    return {product.name: product for product in response.context["cl"].result_list}


def test_price_range_and_stock_count_active_offers_only(admin_client):
    phone = factories.product("Phone")
    one, two = factories.shop("One"), factories.shop("Two")
    factories.offer(phone, one, price="100.00", quantity=3)
    factories.offer(phone, two, price="2500.00", quantity=4)
    factories.offer(phone, factories.shop("Gone"), price="10.00", quantity=50, is_active=False)
    single = factories.product("Single")
    factories.offer(single, one, price="70.50", quantity=0)
    factories.product("Nothing on sale")

    response = admin_client.get(reverse(URL))

    found = rows(response)
    assert (found["Phone"].low_price, found["Phone"].high_price) == (
        Decimal("100.00"),
        Decimal("2500.00"),
    )
    assert found["Phone"].total_stock == 7
    assert found["Nothing on sale"].low_price is None
    page = response.content.decode()
    assert admin_range(response, found["Phone"]) == "100 – 2,500"
    assert "100 – 2,500" in page
    assert admin_range(response, found["Single"]) == "70.50"
    admin = response.context["cl"].model_admin
    assert admin.stock(found["Single"]) == 0
    assert admin.price_range(found["Nothing on sale"]) == "—"


def test_filter_by_shop_keeps_the_figures_of_every_active_offer(admin_client):
    """Filtering on one shop's offers joins offers: the figures must not be multiplied."""
    phone = factories.product("Phone")
    one, two = factories.shop("One"), factories.shop("Two")
    factories.offer(phone, one, price="100.00", quantity=3)
    factories.offer(phone, two, price="250.00", quantity=4)
    factories.offer(factories.product("Other"), two, price="5.00", quantity=1)

    response = admin_client.get(reverse(URL), {"shop": one.pk})

    found = rows(response)
    assert list(found) == ["Phone"]
    assert (found["Phone"].high_price, found["Phone"].total_stock) == (Decimal("250.00"), 7)


def test_filter_by_category(admin_client):
    phones = factories.category("Phones")
    factories.offer(factories.product("Phone", phones))
    factories.offer(factories.product("Kettle"))
    response = admin_client.get(reverse(URL), {"category__id__exact": phones.pk})
    assert list(rows(response)) == ["Phone"]


def test_sorting_by_price_and_stock(admin_client):
    cheap, dear = factories.product("Cheap"), factories.product("Dear")
    factories.offer(cheap, price="10.00", quantity=9)
    factories.offer(dear, price="900.00", quantity=1)
    by_price = admin_client.get(reverse(URL), {"o": "3"})  # the third column: price
    assert list(rows(by_price)) == ["Cheap", "Dear"]
    by_stock = admin_client.get(reverse(URL), {"o": "-4"})
    assert list(rows(by_stock)) == ["Cheap", "Dear"]


def queries_for_list(admin_client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(reverse(URL)).status_code == 200
    return len(captured)


def test_product_list_queries_do_not_grow_with_rows(admin_client):
    shop = factories.shop("One")
    factories.offer(factories.product(), shop)
    few = queries_for_list(admin_client)
    for _ in range(15):
        factories.offer(factories.product(), shop)
        factories.offer(factories.product(), factories.shop())
    assert queries_for_list(admin_client) == few


def admin_range(response, product) -> str:
    return response.context["cl"].model_admin.price_range(product)
