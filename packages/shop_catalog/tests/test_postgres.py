import threading

import pytest
from django.db import connection

from shop_catalog.models import Offer, Product
from shop_catalog.pricelist import parse_pricelist
from shop_catalog.services import import_pricelist

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_concurrent_imports_of_one_shop_run_one_after_the_other():
    factories.shop("Связной")
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run():
        from django.db import connections

        try:
            data = parse_pricelist(factories.sample_bytes(), "yaml")
            barrier.wait(timeout=10)
            summary = import_pricelist(data=data)
            results.append((summary.created, summary.unchanged))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(results) == [(0, 7), (7, 0)]
    assert Offer.objects.count() == 7
    assert Product.objects.count() == 7


def test_bulk_update_sql_on_postgres():
    shop = factories.shop("Связной")
    data = parse_pricelist(factories.sample_bytes(), "yaml")
    import_pricelist(data=data, shop=shop)
    data["goods"][0]["price"] = "1.25"
    data["goods"][0]["parameters"]["Цвет"] = "синий"
    summary = import_pricelist(data=data, shop=shop)
    assert summary.updated == 1
    offer = Offer.objects.get(external_id="4216292")
    assert str(offer.price) == "1.25"
    assert offer.parameters.get(parameter__name="Цвет").value == "синий"
