"""An unchanged price-list file is skipped, and only while the shop's offers are as it left them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from shop_catalog.catalogue import PG_ANALYZE_ROWS, refresh_planner_statistics
from shop_catalog.models import Offer
from shop_catalog.pricelist import PriceListError
from shop_catalog.services import import_pricelist, import_pricelist_file

from .factories import sample_bytes

pytestmark = pytest.mark.django_db


def import_file(shop, **kwargs):
    return import_pricelist_file(content=sample_bytes(), fmt="yaml", shop=shop, **kwargs)


def test_the_same_file_again_is_reported_unchanged_without_reading_it(
    supplier, django_assert_max_num_queries
):
    first = import_file(supplier)
    assert first.created == 7 and not first.file_unchanged
    before = list(Offer.objects.order_by("pk").values())
    with django_assert_max_num_queries(2):  # the shop by fingerprint, its offers' state
        again = import_file(supplier)
    assert again.file_unchanged
    assert (again.shop_id, again.unchanged, again.created, again.updated) == (supplier.pk, 7, 0, 0)
    assert list(Offer.objects.order_by("pk").values()) == before


def test_the_shop_named_in_the_file_is_found_by_the_fingerprint(supplier):
    import_file(None)
    assert import_file(None).file_unchanged
    assert import_file("Связной").file_unchanged
    assert not import_file(supplier, missing="deactivate").file_unchanged


def test_a_stock_change_by_an_update_is_undone_by_the_same_file(supplier):
    """An order's stock decrement is a QuerySet.update(): no signal, but seen by the state."""
    import_file(supplier)
    sold = Offer.objects.get(external_id="4216292")
    Offer.objects.filter(pk=sold.pk).update(quantity=F("quantity") - 2)
    summary = import_file(supplier)
    assert not summary.file_unchanged and summary.updated == 1
    sold.refresh_from_db()
    assert sold.quantity == 14


def test_an_offer_saved_elsewhere_is_undone_by_the_same_file(supplier):
    import_file(supplier)
    offer = Offer.objects.get(external_id="4216292")
    offer.price = Decimal("1.00")
    offer.save()
    summary = import_file(supplier)
    assert not summary.file_unchanged and summary.updated == 1
    offer.refresh_from_db()
    assert offer.price == Decimal("110000.00")


def test_a_parameter_changed_elsewhere_is_undone_by_the_same_file(supplier):
    import_file(supplier)
    value = Offer.objects.get(external_id="4216292").parameters.get(parameter__name="Цвет")
    value.value = "синий"
    value.save()
    summary = import_file(supplier)
    assert not summary.file_unchanged and summary.updated == 1
    value.refresh_from_db()
    assert value.value == "золотистый"


def test_an_import_of_data_forgets_the_fingerprint(supplier, sample_data):
    import_file(supplier)
    sample_data["goods"][0]["price"] = 5
    import_pricelist(data=sample_data, shop=supplier)
    summary = import_file(supplier)
    assert not summary.file_unchanged and summary.updated == 1


def test_another_shop_never_skips_a_file_it_did_not_import(supplier):
    import_file(supplier)
    with pytest.raises(PriceListError) as refused:
        import_pricelist_file(content=sample_bytes(), fmt="yaml", shop="Other", create_shop=True)
    assert [e["code"] for e in refused.value.errors] == ["shop_mismatch"]


def test_the_job_reports_an_unchanged_file(api, supplier):
    api.force_authenticate(supplier.owner)
    url = f"/api/v1/catalog/supplier/shops/{supplier.pk}/import/"
    for expected in (False, True):
        upload = SimpleUploadedFile("pricelist.yaml", sample_bytes())
        response = api.post(url, {"file": upload})
        assert response.status_code == 201, response.content
        assert response.json()["summary"]["file_unchanged"] is expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics")
def test_an_import_that_adds_rows_gives_sqlite_statistics(
    supplier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(supplier)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        tables = {row[0] for row in cursor.fetchall()}
    assert {"shop_catalog_product", "shop_catalog_offer", "shop_catalog_offerparameter"} <= tables


def test_planner_statistics_after_new_rows():
    """SQLite after any new rows; PostgreSQL (autovacuum is late) after many."""
    with CaptureQueriesContext(connection) as few:
        refresh_planner_statistics(rows_added=10)
    with CaptureQueriesContext(connection) as many:
        refresh_planner_statistics(rows_added=PG_ANALYZE_ROWS)
    analyzed = [q["sql"] for q in many.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed
    if connection.vendor == "postgresql":
        assert not few.captured_queries
        assert "shop_catalog_offerparameter" in analyzed[0]
