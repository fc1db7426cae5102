"""Races on PostgreSQL with real threads: each read-then-write is held by the database.

Where two writers must both have read before either writes, a ``Rendezvous``
holds the first one at that point until the other arrives (or 2 s pass: a
writer that waits on a lock never arrives, which is the point of the fix).
"""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from shop_catalog.models import Category, ImportJob, Offer, Product, Shop
from shop_catalog.pricelist import parse_pricelist
from shop_catalog.serializers import SupplierOfferSerializer
from shop_catalog.services import import_pricelist
from shop_catalog.signals import pricelist_imported
from shop_core.testing import run_at_once

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


class Rendezvous:
    """``wait()`` returns when two threads are there, or after ``timeout`` seconds."""

    def __init__(self, timeout: float = 2.0) -> None:
        self.barrier = threading.Barrier(2, timeout=timeout)

    def wait(self) -> None:
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass

    def after(self, function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            self.wait()
            return result

        return wrapper

    def before(self, function, delay: float = 0):
        def wrapper(*args, **kwargs):
            self.wait()
            time.sleep(delay)  # let the other thread write first, if it can
            return function(*args, **kwargs)

        return wrapper


def sample(shop_name: str = "Связной") -> dict:
    data = parse_pricelist(factories.sample_bytes(), "yaml")
    data["shop"] = shop_name
    return data


def no_failures(results: list) -> list:
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    return results


def test_concurrent_imports_of_one_shop_run_one_after_the_other():
    factories.shop("Связной")
    results = no_failures(run_at_once([lambda: import_pricelist(data=sample())] * 2))
    assert sorted((s.created, s.unchanged) for s in results) == [(0, 7), (7, 0)]
    assert Offer.objects.count() == 7
    assert Product.objects.count() == 7


def test_concurrent_imports_creating_the_same_shop_make_one_shop():
    """Was an IntegrityError on the shop's name (a 500 or a failed command)."""
    results = no_failures(
        run_at_once([lambda: import_pricelist(data=sample(), create_shop=True)] * 2)
    )
    assert Shop.objects.filter(name="Связной").count() == 1
    assert sorted(s.created for s in results) == [0, 7]
    assert Offer.objects.count() == 7


def test_imports_of_two_shops_share_new_categories_and_products(monkeypatch):
    """Both read "no such category/product" before either creates it: was an
    IntegrityError on a slug or duplicate products. Creating catalogue rows
    now takes one lock (an advisory lock), so the second import reads again."""
    from shop_catalog.services import pricelist_import

    factories.shop("A")
    factories.shop("B")
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        pricelist_import, "_unique_slugs", rendezvous.before(pricelist_import._unique_slugs)
    )
    results = no_failures(
        run_at_once(
            [lambda: import_pricelist(data=sample("A")), lambda: import_pricelist(data=sample("B"))]
        )
    )
    assert [s.created for s in results] == [7, 7]
    assert Category.objects.count() == 4
    assert Product.objects.count() == 7  # one product per good, each with two offers
    assert all(p.offers.count() == 2 for p in Product.objects.all())


def test_supplier_creating_an_offer_while_an_import_creates_it(monkeypatch):
    """The API checked the external id was free and the import had read the
    shop's offers; then both insert it, the API first. Was a deadlock (a 500);
    without the shop's lock the import would fail. Now the API write waits for
    the import (the shop's row lock) and answers 400."""
    shop = factories.shop("Связной", owner=factories.user("owner"))
    product = factories.product()
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        SupplierOfferSerializer, "validate", rendezvous.after(SupplierOfferSerializer.validate)
    )
    monkeypatch.setattr(
        Offer.objects, "bulk_create", rendezvous.before(Offer.objects.bulk_create, delay=0.5)
    )
    body = {"shop": shop.pk, "product": product.pk, "external_id": "4216292", "price": "1.00"}

    def create_by_api():
        client = APIClient()
        client.force_authenticate(shop.owner)
        return client.post("/api/v1/catalog/supplier/offers/", body, format="json")

    summary, response = no_failures(
        run_at_once([lambda: import_pricelist(data=sample()), create_by_api])
    )
    assert summary.created == 7
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("external_id", "taken")]
    assert Offer.objects.filter(shop=shop, external_id="4216292").count() == 1


def test_two_suppliers_creating_the_same_offer_at_once():
    """Both passed the "external id is free" check; the second insert was a 500."""
    shop = factories.shop("S", owner=factories.user("owner"))
    clerk = factories.user("clerk")
    shop.staff.add(clerk)
    product = factories.product()
    body = {"shop": shop.pk, "product": product.pk, "external_id": "X1", "price": "1.00"}
    rendezvous = Rendezvous()
    validate = SupplierOfferSerializer.validate

    def create_as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client.post("/api/v1/catalog/supplier/offers/", body, format="json")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SupplierOfferSerializer, "validate", rendezvous.after(validate))
        responses = no_failures(
            run_at_once([lambda: create_as(shop.owner), lambda: create_as(clerk)])
        )
    assert sorted(r.status_code for r in responses) == [201, 400]
    refused = next(r for r in responses if r.status_code == 400)
    assert [(e["attr"], e["code"]) for e in refused.json()["errors"]] == [("external_id", "taken")]
    assert Offer.objects.filter(external_id="X1").count() == 1


def test_an_import_job_runs_once_however_many_workers_pick_it(monkeypatch):
    """Both workers read the job as pending; it was imported twice."""
    from django.core.files.base import ContentFile

    from shop_catalog.services import import_jobs
    from shop_catalog.tasks import import_pricelist_job

    shop = factories.shop("Связной")
    job = ImportJob(shop=shop, format="yaml")
    job.file.save("list.yaml", ContentFile(factories.sample_bytes()))
    imported = []

    def count(sender, **kwargs):
        imported.append(kwargs["summary"])

    pricelist_imported.connect(count)
    rendezvous = Rendezvous()
    monkeypatch.setattr(
        import_jobs, "run_import_job", rendezvous.before(import_jobs.run_import_job)
    )
    run = getattr(import_pricelist_job, "func", None) or import_pricelist_job.call
    try:
        statuses = no_failures(run_at_once([lambda: run(job.pk)] * 2))
    finally:
        pricelist_imported.disconnect(count)
    assert len(imported) == 1
    assert "succeeded" in statuses
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_a_stale_running_job_is_claimed_by_one_of_two_workers():
    """The lease's claim: both workers find the job's claim expired; one takes it."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from shop_catalog.services import import_jobs

    job = ImportJob(shop=factories.shop("Связной"), format="yaml")
    job.file.save("list.yaml", ContentFile(factories.sample_bytes()))
    stale = timezone.now() - timedelta(minutes=31)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started=stale)

    rendezvous = Rendezvous()

    def claim() -> bool:
        read = ImportJob.objects.get(pk=job.pk)
        rendezvous.wait()  # both have read the expired claim before either writes
        return import_jobs._claim(read)

    assert sorted(no_failures(run_at_once([claim] * 2))) == [False, True]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert job.started > stale


def test_a_child_added_while_its_parent_moves_gets_the_new_path():
    """The child read the parent's old path while the move was not committed."""
    old_root = factories.category("Old root")
    new_root = factories.category("New root")
    parent = factories.category("Parent", parent=old_root)
    moved = threading.Event()

    def move_parent():
        with transaction.atomic():
            node = Category.objects.get(pk=parent.pk)
            node.parent = new_root
            node.save()
            moved.set()
            time.sleep(1)  # the child is created meanwhile

    def add_child():
        moved.wait(5)
        return Category.objects.create(name="Child", slug="child", parent_id=parent.pk)

    _, child = no_failures(run_at_once([move_parent, add_child]))
    child.refresh_from_db()
    assert child.path == f"{new_root.pk}/{parent.pk}/{child.pk}/"
    assert child in new_root.get_descendants()


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
