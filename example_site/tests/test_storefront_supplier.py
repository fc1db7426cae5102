"""The supplier's desk (shops, price-list imports, order parts) and the cabinet's
personal-data page: each supplier reaches only its own shops, jobs and parts."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop_accounts.services import create_user
from shop_cabinet.models import PersonalDataExport
from shop_catalog.models import ImportJob, Offer, Shop
from shop_catalog.selectors import progress_key
from shop_catalog.services import import_pricelist_file
from shop_core.testing import run_at_once
from shop_orders.models import OrderPart, StatusChange
from shop_orders.services import add_line, checkout

from .helpers import ADDRESS
from .test_storefront_a11y import unlabelled

pytestmark = pytest.mark.django_db


def price_list(shop: str, goods: list[tuple[str, str, int]]) -> bytes:
    """A YAML price list: goods as (id, price, quantity), one category."""
    rows = "".join(
        f"  - {{id: '{gid}', category: 1, model: m-{gid}, name: 'Товар {gid}', "
        f"price: {price}, quantity: {quantity}}}\n"
        for gid, price, quantity in goods
    )
    return f"shop: {shop}\ncategories:\n  - {{id: 1, name: Смартфоны}}\ngoods:\n{rows}".encode()


GOODS = [("a1", "1000", 10), ("a2", "2000", 20), ("a3", "3000", 30)]


def make_shop(name: str, email: str, goods=GOODS) -> tuple[Shop, object]:
    owner = create_user(email=email, password="pw-123456789", role="supplier")
    shop = Shop.objects.create(name=name, owner=owner)
    import_pricelist_file(content=price_list(name, goods), fmt="yaml", shop=shop)
    return shop, owner


def place_order(customer, shop: Shop) -> OrderPart:
    offer = Offer.objects.filter(shop=shop).order_by("pk").first()
    add_line(user=customer, offer_id=offer.pk, quantity=1)
    order = checkout(user=customer, address=ADDRESS).order
    return order.parts.get(shop=shop)


@pytest.fixture
def shops():
    mine, supplier = make_shop("Связной", "supplier@example.com")
    theirs, rival = make_shop("Другой магазин", "rival@example.com", [("b1", "500", 5)])
    customer = create_user(email="customer@example.com", password="pw-123456789")
    return {
        "mine": mine,
        "theirs": theirs,
        "supplier": supplier,
        "rival": rival,
        "customer": customer,
        "my_part": place_order(customer, mine),
        "their_part": place_order(customer, theirs),
    }


@pytest.fixture
def supplier(client, shops):
    client.force_login(shops["supplier"])
    return client


def upload(client: Client, shop: Shop, content: bytes, name: str = "list.yaml", **extra):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    data = {"shop": shop.pk, "file": file, "missing": "zero_stock", **extra}
    return client.post("/desk/supplier/imports/", data)


def test_only_suppliers_open_the_desk(client, shops):
    anonymous = client.get("/desk/supplier/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(shops["customer"])
    for url in (
        "/desk/supplier/",
        "/desk/supplier/orders/",
        f"/desk/supplier/orders/{shops['my_part'].pk}/",
    ):
        assert client.get(url).status_code == 403
    client.force_login(shops["supplier"])
    page = client.get("/desk/supplier/").content.decode()
    assert "Связной" in page and "Другой магазин" not in page
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page


def test_a_price_list_updates_the_shop_and_the_report_counts_rows(supplier, shops):
    changed = [("a1", "1100", 10), ("a2", "2000", 20), ("a3", "3000", 30), ("a4", "4000", 4)]
    response = upload(supplier, shops["mine"], price_list("Связной", changed))
    job = ImportJob.objects.get(shop=shops["mine"])
    assert (
        response.status_code == 302 and response["Location"] == f"/desk/supplier/imports/{job.pk}/"
    )
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.summary["created"], job.summary["updated"], job.summary["unchanged"]) == (1, 1, 2)
    assert Offer.objects.get(shop=shops["mine"], external_id="a1").price == 1100
    page = supplier.get(response["Location"]).content.decode()
    report = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert (report["New offers"], report["Updated"], report["Unchanged"]) == ("1", "1", "2")
    assert "hx-trigger" not in page  # finished: no polling
    desk = supplier.get("/desk/supplier/").content.decode()
    assert f"/desk/supplier/imports/{job.pk}/" in desk and "1 new, 1 updated, 2 unchanged" in desk


def test_goods_missing_from_the_file_are_taken_off_sale_when_asked(supplier, shops):
    response = upload(
        supplier, shops["mine"], price_list("Связной", GOODS[:2]), missing="deactivate"
    )
    assert not Offer.objects.get(shop=shops["mine"], external_id="a3").is_active
    page = supplier.get(response["Location"]).content.decode()
    report = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert report["Missing from the file: taken off sale"] == "1"
    unset = upload(supplier, shops["mine"], price_list("Связной", GOODS), missing="")
    assert unset.status_code == 400 and ImportJob.objects.count() == 1


def test_a_supplier_without_a_shop_sees_an_empty_desk(client, shops):
    client.force_login(
        create_user(email="new@example.com", password="pw-123456789", role="supplier")
    )
    page = client.get("/desk/supplier/").content.decode()
    assert "You manage no shop yet" in page and 'type="file"' not in page
    assert "No order parts here." in client.get("/desk/supplier/orders/").content.decode()


def test_every_input_of_the_desk_has_a_label(supplier, shops):
    upload(supplier, shops["mine"], b"goods: 1\n")  # a failed job: its page has the errors
    job = ImportJob.objects.get()
    pages = [
        "/desk/supplier/",
        f"/desk/supplier/imports/{job.pk}/",
        "/desk/supplier/orders/",
        f"/desk/supplier/orders/{shops['my_part'].pk}/",
        "/cabinet/data/",
    ]
    for url in pages:
        assert unlabelled(supplier.get(url).content.decode()) == [], url


def test_a_broken_price_list_shows_each_row_error_and_changes_nothing(supplier, shops):
    broken = price_list("Связной", [("a1", "1100", 10), ("a2", "-5", 20), ("a3", "3000", -1)])
    response = upload(supplier, shops["mine"], broken)
    job = ImportJob.objects.get(shop=shops["mine"])
    assert job.status == ImportJob.Status.FAILED
    page = supplier.get(response["Location"]).content.decode()
    table = page[page.index('class="row-errors"') :]
    rows = re.findall(
        r"<tr><td>Goods</td><td>(\d+)</td><td>(\w+)</td><td>[^<]+</td><td><code>(\w+)</code>", table
    )
    expected = [(str(e["row"]), e["field"], e["code"]) for e in job.errors]
    assert rows == expected and {(r[0], r[1]) for r in rows} == {("2", "price"), ("3", "quantity")}
    assert Offer.objects.get(shop=shops["mine"], external_id="a1").price == 1000  # nothing written


def test_a_file_of_another_format_or_another_shop_is_refused(supplier, shops):
    unknown = upload(supplier, shops["mine"], b"id;price\n", name="list.txt")
    assert unknown.status_code == 400
    assert "This format is not accepted." in unknown.content.decode()
    foreign = upload(supplier, shops["theirs"], price_list("Другой магазин", GOODS))
    assert foreign.status_code == 400  # not among the supplier's shops
    assert not ImportJob.objects.exists()


def test_a_large_price_list_runs_as_a_job_and_the_page_polls_until_done(
    supplier, shops, django_capture_on_commit_callbacks
):
    catalog = {**settings.SHOP_CATALOG, "IMPORT_SYNC_MAX_BYTES": 16}
    with override_settings(SHOP_CATALOG=catalog), django_capture_on_commit_callbacks(execute=True):
        response = upload(supplier, shops["mine"], price_list("Связной", [("a9", "900", 9)]))
    job = ImportJob.objects.get(shop=shops["mine"])
    assert job.status == ImportJob.Status.SUCCEEDED  # the task backend ran it (immediate here)
    assert job.summary["created"] == 1 and response.status_code == 302

    pending = ImportJob.objects.create(shop=shops["mine"], format="yaml")
    url = f"/desk/supplier/imports/{pending.pk}/"
    page = supplier.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    fragment = supplier.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section id="job"') and "<html" not in fragment
    # A worker's import, half-way: the catalog's stage, as a step of four.
    ImportJob.objects.filter(pk=pending.pk).update(status=ImportJob.Status.RUNNING)
    cache.set(progress_key(pending.pk), {"stage": "catalogue", "rows": 1648})
    running = supplier.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'max="4" value="2"' in running and "Step 2 of 4 done (1648 rows)" in running
    ImportJob.objects.filter(pk=pending.pk).update(
        status=ImportJob.Status.SUCCEEDED, summary={"created": 0, "updated": 3, "unchanged": 0}
    )
    done = supplier.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "<dd>3</dd>" in done


def test_another_supplier_sees_none_of_the_jobs(supplier, shops, client):
    upload(supplier, shops["mine"], price_list("Связной", GOODS))
    job = ImportJob.objects.get()
    client.force_login(shops["rival"])
    assert client.get(f"/desk/supplier/imports/{job.pk}/").status_code == 404
    assert f"/desk/supplier/imports/{job.pk}/" not in client.get("/desk/supplier/").content.decode()


def test_stop_and_accept_orders(supplier, shops):
    shop = shops["mine"]
    url = f"/desk/supplier/shops/{shop.pk}/accepts/"
    assert supplier.post(url, {"accepts_orders": "0"}).status_code == 302
    shop.refresh_from_db()
    assert not shop.accepts_orders
    assert "orders stopped" in supplier.get("/desk/supplier/").content.decode()
    assert supplier.post(url, {"accepts_orders": "maybe"}).status_code == 400
    assert supplier.post(url, {"accepts_orders": "1"}).status_code == 302
    shop.refresh_from_db()
    assert shop.accepts_orders
    foreign = f"/desk/supplier/shops/{shops['theirs'].pk}/accepts/"
    assert supplier.post(foreign, {"accepts_orders": "0"}).status_code == 404
    assert Shop.objects.get(pk=shops["theirs"].pk).accepts_orders


def test_order_parts_list_filters_by_state_and_shows_only_own_parts(supplier, shops):
    mine, theirs = shops["my_part"], shops["their_part"]
    page = supplier.get("/desk/supplier/orders/").content.decode()
    assert f"/desk/supplier/orders/{mine.pk}/" in page
    assert f"/desk/supplier/orders/{theirs.pk}/" not in page
    assert mine.order.number in page
    confirmed = supplier.get("/desk/supplier/orders/?status=confirmed").content.decode()
    assert f"/desk/supplier/orders/{mine.pk}/" not in confirmed
    new = supplier.get("/desk/supplier/orders/?status=new").content.decode()
    assert f"/desk/supplier/orders/{mine.pk}/" in new
    assert supplier.get("/desk/supplier/orders/?status=lost").status_code == 400


def test_list_pages_run_a_constant_number_of_queries(supplier, shops):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert supplier.get(url).status_code == 200
        return len(queries)

    urls = ("/desk/supplier/", "/desk/supplier/orders/", "/cabinet/data/")
    before = {url: count(url) for url in urls}
    for _ in range(3):
        place_order(shops["customer"], shops["mine"])
        upload(supplier, shops["mine"], price_list("Связной", GOODS))
        PersonalDataExport.objects.create(
            user=shops["supplier"], status="ready", data={}, finished=timezone.now()
        )
    assert OrderPart.objects.filter(shop=shops["mine"]).count() == 4
    assert ImportJob.objects.count() == 3
    assert {url: count(url) for url in urls} == before
    # session, user, the IS_SUPPLIER hook, the header's cart and roles, then the page's own
    bounds = {"/desk/supplier/": 9, "/desk/supplier/orders/": 8, "/cabinet/data/": 5}
    assert all(before[url] <= bound for url, bound in bounds.items()), before


def test_part_page_offers_only_the_allowed_moves(supplier, shops):
    part = shops["my_part"]
    page = supplier.get(f"/desk/supplier/orders/{part.pk}/").content.decode()
    offered = re.findall(r'<button type="submit" name="status" value="(\w+)"', page)
    assert offered == ["confirmed", "canceled"]  # the default state machine from "new"
    assert ADDRESS["recipient"] in page and ADDRESS["phone"] in page
    line = part.lines.get()
    assert line.product_name in page and line.external_id in page


def test_confirm_a_part_then_a_move_not_allowed_is_a_message(supplier, shops):
    part = shops["my_part"]
    url = f"/desk/supplier/orders/{part.pk}/move/"
    response = supplier.post(url, {"status": "confirmed", "comment": "Собираем"}, follow=True)
    part.refresh_from_db()
    assert part.status == "confirmed"
    page = response.content.decode()
    assert "The part is now confirmed." in page
    assert re.findall(r'name="status" value="(\w+)"', page) == ["assembled", "canceled"]
    assert StatusChange.objects.get(part=part, to_status="confirmed").comment == "Собираем"

    refused = supplier.post(url, {"status": "delivered"}, follow=True)
    part.refresh_from_db()
    assert part.status == "confirmed" and refused.status_code == 200
    assert "cannot become" in refused.content.decode()
    bad = supplier.post(url, {"status": "lost"}, follow=True)
    assert "Choose one of the offered states." in bad.content.decode()


def test_another_shops_part_is_not_found(supplier, shops):
    theirs = shops["their_part"]
    assert supplier.get(f"/desk/supplier/orders/{theirs.pk}/").status_code == 404
    assert (
        supplier.post(
            f"/desk/supplier/orders/{theirs.pk}/move/", {"status": "confirmed"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == "new"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_one_part_at_once_move_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    shop, owner = make_shop("Связной", "supplier@example.com")
    colleague = create_user(email="staff@example.com", password="pw-123456789", role="supplier")
    shop.staff.add(colleague)
    customer = create_user(email="customer@example.com", password="pw-123456789")
    part = place_order(customer, shop)

    def confirm(user):
        def run():
            client = Client()
            client.force_login(user)
            response = client.post(
                f"/desk/supplier/orders/{part.pk}/move/", {"status": "confirmed"}, follow=True
            )
            return response.status_code, response.content.decode()

        return run

    results = run_at_once([confirm(owner), confirm(colleague)])
    assert [status for status, _page in results] == [200, 200]
    said = sorted("The part is now confirmed." in page for _status, page in results)
    assert said == [False, True]  # the other is told, never a 500
    assert StatusChange.objects.filter(part=part, to_status="confirmed").count() == 1


def test_personal_data_is_prepared_and_downloaded_by_its_owner_only(
    client, shops, django_capture_on_commit_callbacks
):
    customer = shops["customer"]
    client.force_login(customer)
    page = client.get("/cabinet/data/").content.decode()
    assert "Prepare my data" in page and "No data files yet." in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/cabinet/data/").status_code == 302
    export = PersonalDataExport.objects.get(user=customer)
    assert export.status == PersonalDataExport.Status.READY  # the immediate task backend
    page = client.get("/cabinet/data/").content.decode()
    link = f"/cabinet/data/{export.pk}/download/"
    assert link in page and "hx-trigger" not in page
    download = client.get(link)
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "no-store"
    assert json.loads(download.content) == export.data
    assert "customer@example.com" in download.content.decode()

    client.force_login(shops["rival"])
    assert client.get(link).status_code == 404
    assert link not in client.get("/cabinet/data/").content.decode()


def test_a_pending_export_is_polled(client, shops):
    client.force_login(shops["customer"])
    PersonalDataExport.objects.create(user=shops["customer"])  # its task not run yet
    page = client.get("/cabinet/data/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'hx-select="#exports"' in page
    pending = PersonalDataExport.objects.get()
    assert client.get(f"/cabinet/data/{pending.pk}/download/").status_code == 404
