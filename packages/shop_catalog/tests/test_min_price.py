"""Product.min_price: the lowest orderable price, exact after every kind of write."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Min

from shop_catalog.models import Offer, Product, ProductQuerySet, Shop
from shop_catalog.services import import_pricelist, set_accepts_orders, update_offer
from shop_core.testing import run_at_once

from . import factories

pytestmark = pytest.mark.django_db


def true_min(product: Product) -> Decimal | None:
    """The rule itself, computed from the offers."""
    return Offer.objects.orderable().filter(product=product).aggregate(p=Min("price"))["p"]


def stored(product: Product) -> Decimal | None:
    return Product.objects.values_list("min_price", flat=True).get(pk=product.pk)


def assert_exact(*products: Product) -> None:
    for product in products:
        assert stored(product) == true_min(product)


def test_orm_create_save_and_delete_of_offers():
    product = factories.product()
    assert stored(product) is None
    cheap = factories.offer(product, price="300")
    dear = factories.offer(product, price="500")
    assert stored(product) == Decimal("300")
    cheap.price = Decimal("700")
    cheap.save()
    assert stored(product) == Decimal("500")
    dear.is_active = False
    dear.save()
    assert stored(product) == Decimal("700")
    cheap.delete()
    assert stored(product) is None
    assert_exact(product)


def test_an_offer_moved_to_another_product_refreshes_both():
    first, second = factories.product(), factories.product()
    offer = factories.offer(first, price="100")
    factories.offer(first, price="250")
    loaded = Offer.objects.select_related("shop").get(pk=offer.pk)
    update_offer(offer=loaded, product=second)
    assert (stored(first), stored(second)) == (Decimal("250"), Decimal("100"))
    assert_exact(first, second)


def test_queryset_updates_of_price_and_activity(django_assert_num_queries):
    product = factories.product()
    offers = [factories.offer(product, price=p) for p in ("100", "200", "300")]
    Offer.objects.filter(pk=offers[0].pk).update(is_active=False)  # the admin's action
    assert stored(product) == Decimal("200")
    Offer.objects.filter(pk__in=[o.pk for o in offers[1:]]).update(price=Decimal("50"))
    assert stored(product) == Decimal("50")
    Offer.objects.filter(product=product).update(is_active=False)
    assert stored(product) is None
    with django_assert_num_queries(1):  # stock alone moves no price: a plain UPDATE
        Offer.objects.filter(product=product).update(quantity=7)


def test_shop_switch_through_the_service_and_the_orm():
    closing, other = factories.shop(), factories.shop()
    product = factories.product()
    factories.offer(product, closing, price="100")
    factories.offer(product, other, price="400")
    only_closing = factories.product()
    factories.offer(only_closing, closing, price="10")
    set_accepts_orders(shop=closing, accepts_orders=False)
    assert (stored(product), stored(only_closing)) == (Decimal("400"), None)
    shop = Shop.objects.get(pk=closing.pk)
    shop.accepts_orders = True
    shop.save()  # the admin's form
    assert (stored(product), stored(only_closing)) == (Decimal("100"), Decimal("10"))
    assert_exact(product, only_closing)


def test_a_queryset_update_of_shops():
    shop = factories.shop()
    product = factories.product()
    factories.offer(product, shop, price="70")
    Shop.objects.filter(pk=shop.pk).update(accepts_orders=False)
    assert stored(product) is None
    Shop.objects.filter(pk=shop.pk).update(accepts_orders=True)
    assert stored(product) == Decimal("70")


def test_a_shop_saved_without_a_switch_reprices_nothing(django_assert_num_queries):
    shop = factories.shop()
    factories.offer(shop_obj=shop)
    loaded = Shop.objects.get(pk=shop.pk)
    loaded.name = "Renamed"
    with django_assert_num_queries(2):  # the UPDATE, the fingerprint
        loaded.save()


def _pricelist(goods: list[tuple[int, str, int]], shop: str = "Связной") -> dict:
    return {
        "shop": shop,
        "categories": [{"id": 1, "name": "Phones"}],
        "goods": [
            {"id": gid, "category": 1, "name": name, "price": price, "quantity": 3}
            for gid, name, price in goods
        ],
    }


def test_the_import_cold_changed_and_missing(supplier):
    other = factories.shop()
    import_pricelist(data=_pricelist([(1, "A", 500), (2, "B", 700), (3, "C", 900)]))
    a, b, c = (Product.objects.get(name=n) for n in "ABC")
    assert [stored(p) for p in (a, b, c)] == [Decimal(500), Decimal(700), Decimal(900)]
    factories.offer(a, other, price="450")
    # B's price falls, A's rises above the other shop's, C is missing: deactivated
    import_pricelist(data=_pricelist([(1, "A", 800), (2, "B", 100)]), missing="deactivate")
    assert [stored(p) for p in (a, b, c)] == [Decimal(450), Decimal(100), None]
    import_pricelist(data=_pricelist([(1, "A", 300), (2, "B", 100), (3, "C", 50)]))
    assert [stored(p) for p in (a, b, c)] == [Decimal(300), Decimal(100), Decimal(50)]
    import_pricelist(data=_pricelist([(1, "A", 300)]), missing="zero_stock")  # stock only
    assert_exact(a, b, c)
    assert stored(c) == Decimal(50)


def test_the_migration_fills_every_product():
    product, closed_only, none = factories.product(), factories.product(), factories.product()
    factories.offer(product, price="120")
    factories.offer(product, price="80", is_active=False)
    factories.offer(closed_only, factories.shop(accepts_orders=False), price="5")
    Product.objects.update(min_price=Decimal("1"))
    migration = importlib.import_module("shop_catalog.migrations.0006_product_min_price")
    migration.fill_min_price(apps, connection.schema_editor())
    assert [stored(p) for p in (product, closed_only, none)] == [Decimal("120"), None, None]


def test_list_orders_and_filters_by_the_stored_price(api):
    prices = {"Cheap": "100", "Middle": "200", "Dear": "300"}
    for name, price in prices.items():
        product = factories.product(name)
        factories.offer(product, price=price)
        factories.offer(product, price=str(int(price) * 10))
    factories.product("No offer")

    def names(query: str) -> list[str]:
        return [p["name"] for p in api.get(f"/api/v1/catalog/products/?{query}").data["results"]]

    assert names("ordering=price") == ["Cheap", "Middle", "Dear"]
    assert names("ordering=-price") == ["Dear", "Middle", "Cheap"]
    # "an offer at most 250": the cheapest offer decides, not the dear one
    assert sorted(names("price_max=250")) == ["Cheap", "Middle"]
    assert names("price_max=0") == []
    assert names("price_max=2500&price_min=1500") == ["Middle"]  # one offer in range


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_product_store_the_true_lowest(monkeypatch):
    """Both writers change their offer, then both refresh: the second waits for
    the first's lock and reads its committed price (without the lock it stored
    the minimum of its own snapshot: 100, an offer price that no longer exists)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    product = factories.product()
    first = factories.offer(product, price="100")
    second = factories.offer(product, price="200")
    from .test_concurrency import Rendezvous

    together = Rendezvous()
    monkeypatch.setattr(
        ProductQuerySet, "refresh_min_price", together.before(ProductQuerySet.refresh_min_price)
    )

    def reprice(offer: Offer, price: str):
        def write():
            with transaction.atomic():
                Offer.objects.filter(pk=offer.pk).update(price=Decimal(price))

        return write

    assert run_at_once([reprice(first, "300"), reprice(second, "400")]) == [None, None]
    assert stored(product) == Decimal("300") == true_min(product)
