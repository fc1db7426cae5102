import io
import socket
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_catalog.fetch import FetchError, fetch_url
from shop_catalog.models import ImportJob, Offer, Shop
from shop_catalog.signals import shop_accepts_orders_changed

from . import factories
from .factories import sample_bytes

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog/supplier"


def upload(name="pricelist.yaml", content=None):
    return SimpleUploadedFile(name, sample_bytes() if content is None else content)


@pytest.fixture
def owner_api(api, supplier):
    api.force_authenticate(supplier.owner)
    return api


@pytest.fixture
def rival(db):
    """Another supplier with its own shop and offer."""
    user = factories.user("rival")
    shop = factories.shop("Rival", owner=user)
    offer = factories.offer(shop_obj=shop, external_id="R1")
    return {"user": user, "shop": shop, "offer": offer}


def errors_of(response) -> list[tuple[str, str]]:
    """(attr, code) of each problem of an error answer."""
    body = response.json()
    assert body["type"] == "validation_error", body
    return [(e["attr"], e["code"]) for e in body["errors"]]


def public_dns(monkeypatch, address="93.184.216.34"):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("shop_catalog.fetch.socket.getaddrinfo", fake)


def test_supplier_uploads_a_price_list(owner_api, supplier):
    response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["summary"]["created"] == 7
    assert Offer.objects.filter(shop=supplier).count() == 7
    again = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert again.json()["summary"]["updated"] == 0
    assert again.json()["summary"]["unchanged"] == 7


def test_upload_with_a_bad_row_is_400_and_changes_nothing(owner_api, supplier):
    content = sample_bytes().replace(b"price: 890\n", b"price: cheap\n")
    response = owner_api.post(
        f"{BASE}/shops/{supplier.pk}/import/", {"file": upload(content=content)}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("file", "invalid")]
    assert body["errors"][0]["detail"].startswith("goods row 6, price:")
    assert body["job"]["status"] == "failed"
    assert [(e["section"], e["row"], e["field"], e["code"]) for e in body["job"]["errors"]] == [
        ("goods", 6, "price", "invalid")
    ]
    assert ImportJob.objects.get(pk=body["job"]["id"]).status == "failed"
    assert not Offer.objects.exists()


def test_upload_needs_file_or_url_and_a_format(owner_api, supplier):
    url = f"{BASE}/shops/{supplier.pk}/import/"
    response = owner_api.post(url, {})
    assert response.status_code == 400
    assert errors_of(response) == [("non_field_errors", "file_or_url")]
    response = owner_api.post(url, {"file": upload("list.txt")})
    assert response.status_code == 400
    assert errors_of(response) == [("format", "unknown_format")]
    response = owner_api.post(url, {"file": upload("list.txt"), "format": "yaml"})
    assert response.status_code == 201
    assert not ImportJob.objects.filter(status="failed").exists()


def test_a_format_not_accepted_is_400_unknown_format(owner_api, supplier, settings):
    settings.SHOP_CATALOG = {"PRICE_LIST_FORMATS": ["csv"]}
    url = f"{BASE}/shops/{supplier.pk}/import/"
    for body in ({"file": upload()}, {"file": upload("list.csv"), "format": "yaml"}):
        response = owner_api.post(url, body)
        assert response.status_code == 400
        assert errors_of(response) == [("format", "unknown_format")]
    assert not ImportJob.objects.exists()


def test_upload_over_the_size_limit_is_400(owner_api, supplier, settings):
    settings.SHOP_CATALOG = {"IMPORT_MAX_BYTES": 100}
    response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 400
    assert errors_of(response) == [("file", "file_too_large")]


def test_large_upload_runs_as_a_job_readable_by_the_shop_only(
    owner_api, supplier, rival, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_CATALOG = {"IMPORT_SYNC_MAX_BYTES": 10}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 202
    job_id = response.json()["id"]
    job = owner_api.get(f"{BASE}/imports/{job_id}/")
    assert job.status_code == 200
    assert job.json()["status"] == "succeeded"
    assert job.json()["summary"]["created"] == 7
    assert [j["id"] for j in owner_api.get(f"{BASE}/imports/").json()["results"]] == [job_id]
    owner_api.force_authenticate(rival["user"])
    assert owner_api.get(f"{BASE}/imports/{job_id}/").status_code == 404
    assert owner_api.get(f"{BASE}/imports/").json()["results"] == []


def test_staff_member_can_import_and_read_jobs(api, supplier):
    clerk = factories.user("clerk")
    supplier.staff.add(clerk)
    api.force_authenticate(clerk)
    response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 201
    assert api.get(f"{BASE}/imports/{response.json()['id']}/").status_code == 200


def test_non_supplier_cannot_import(api, supplier):
    api.force_authenticate(factories.user("customer"))
    response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 403
    api.force_authenticate(None)
    response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code in (401, 403)
    assert not Offer.objects.exists()


def test_supplier_cannot_import_into_another_shop(api, supplier, rival):
    api.force_authenticate(rival["user"])
    response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 404
    assert not Offer.objects.filter(shop=supplier).exists()


def test_group_member_without_a_shop_is_a_supplier_with_nothing_to_manage(api, supplier):
    user = factories.user("newcomer")
    user.groups.add(Group.objects.create(name="supplier"))
    api.force_authenticate(user)
    assert api.get(f"{BASE}/shops/").json()["results"] == []
    response = api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 404


def test_is_supplier_hook_can_be_swapped(api, supplier, settings):
    settings.SHOP_CATALOG = {"IS_SUPPLIER": "tests.hooks.nobody_is_supplier"}
    api.force_authenticate(supplier.owner)
    assert api.get(f"{BASE}/shops/").status_code == 403


@pytest.mark.parametrize(
    ("url", "address", "message"),
    [
        ("http://intranet.example/list.yaml", "10.0.0.5", "private or local"),
        ("http://localhost/list.yaml", "127.0.0.1", "private or local"),
        ("https://meta.example/list.yaml", "169.254.169.254", "private or local"),
        ("http://v6.example/list.yaml", "::1", "private or local"),
        ("http://mapped.example/list.yaml", "::ffff:192.168.0.1", "private or local"),
        ("ftp://files.example/list.yaml", "93.184.216.34", "Only http and https"),
    ],
)
def test_url_import_refuses_private_addresses(
    owner_api, supplier, monkeypatch, url, address, message
):
    public_dns(monkeypatch, address)
    response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"url": url}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("url", "url_refused")]
    assert message in response.json()["errors"][0]["detail"]
    assert not ImportJob.objects.exists()


def test_url_import_runs_as_a_job_with_the_fetcher_hook(
    owner_api, supplier, monkeypatch, settings, django_capture_on_commit_callbacks
):
    public_dns(monkeypatch)
    settings.SHOP_CATALOG = {"URL_FETCHER": "tests.hooks.fake_fetcher"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}/shops/{supplier.pk}/import/",
            {"url": "https://supplier.example/pricelist.yaml", "missing": "deactivate"},
            format="json",
        )
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded", job.errors
    assert job.summary["missing"] == "deactivate"
    from . import hooks

    assert hooks.FETCHED == [("https://supplier.example/pricelist.yaml", 20 * 1024 * 1024)]


def test_url_job_records_a_fetch_failure(
    owner_api, supplier, monkeypatch, settings, django_capture_on_commit_callbacks
):
    public_dns(monkeypatch)
    settings.SHOP_CATALOG = {"URL_FETCHER": "tests.hooks.failing_fetcher"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}/shops/{supplier.pk}/import/",
            {"url": "https://supplier.example/pricelist.yaml"},
            format="json",
        )
    job = owner_api.get(f"{BASE}/imports/{response.json()['id']}/").json()
    assert job["status"] == "failed"
    assert [(e["field"], e["code"]) for e in job["errors"]] == [("url", "fetch_failed")]


class _Handler(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path in ("/redirect", "/redirect-inside"):
            target = "/pricelist.yaml" if self.path == "/redirect" else "http://inside.example/"
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Handler.body = sample_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_default_fetcher_refuses_loopback_by_default(local_server):
    with pytest.raises(FetchError, match="private or local"):
        fetch_url(f"{local_server}/pricelist.yaml", max_bytes=10**6, timeout=5)


def test_default_fetcher_reads_and_follows_redirects_when_allowed(local_server, settings):
    settings.SHOP_CATALOG = {"URL_ALLOW_PRIVATE": True}
    assert fetch_url(f"{local_server}/redirect", max_bytes=10**6, timeout=5) == sample_bytes()
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch_url(f"{local_server}/pricelist.yaml", max_bytes=100, timeout=5)


def test_accepts_orders_seen_and_switched_by_the_supplier(
    owner_api, supplier, rival, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, shop, user, accepts_orders, **kwargs):
        received.append((shop.pk, user.pk, accepts_orders))

    shop_accepts_orders_changed.connect(receiver)
    try:
        url = f"{BASE}/shops/{supplier.pk}/"
        assert owner_api.get(url).json()["accepts_orders"] is True
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_api.patch(
                url, {"accepts_orders": False, "name": "Hacked"}, format="json"
            )
        assert response.status_code == 200
        assert response.json()["accepts_orders"] is False
    finally:
        shop_accepts_orders_changed.disconnect(receiver)
    supplier.refresh_from_db()
    assert supplier.accepts_orders is False and supplier.name == "Связной"
    assert received == [(supplier.pk, supplier.owner.pk, False)]
    assert (
        owner_api.patch(
            f"{BASE}/shops/{rival['shop'].pk}/", {"accepts_orders": False}, format="json"
        ).status_code
        == 404
    )
    assert Shop.objects.get(pk=rival["shop"].pk).accepts_orders is True


def test_supplier_manages_only_its_own_offers(owner_api, supplier, rival):
    own = factories.offer(shop_obj=supplier, external_id="S1", price="10")
    listed = owner_api.get(f"{BASE}/offers/").json()["results"]
    assert [o["id"] for o in listed] == [own.pk]
    response = owner_api.patch(
        f"{BASE}/offers/{own.pk}/", {"price": "12.50", "quantity": 3}, format="json"
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.price == Decimal("12.50") and own.quantity == 3
    other = rival["offer"]
    assert owner_api.get(f"{BASE}/offers/{other.pk}/").status_code == 404
    response = owner_api.patch(f"{BASE}/offers/{other.pk}/", {"price": "1"}, format="json")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.price == Decimal("100.00")
    # no delete: offers are referenced by orders
    assert owner_api.delete(f"{BASE}/offers/{own.pk}/").status_code == 405


def test_supplier_creates_offers_only_in_its_shops(owner_api, supplier, rival):
    product = factories.product()
    data = {"product": product.pk, "external_id": "N1", "price": "5.00", "quantity": 2}
    response = owner_api.post(f"{BASE}/offers/", {**data, "shop": rival["shop"].pk}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("shop", "does_not_exist")]
    response = owner_api.post(f"{BASE}/offers/", {**data, "shop": supplier.pk}, format="json")
    assert response.status_code == 201
    duplicate = owner_api.post(f"{BASE}/offers/", {**data, "shop": supplier.pk}, format="json")
    assert duplicate.status_code == 400
    assert errors_of(duplicate) == [("external_id", "taken")]
    bad = owner_api.post(
        f"{BASE}/offers/",
        {**data, "external_id": "N2", "shop": supplier.pk, "quantity": -1},
        format="json",
    )
    assert bad.status_code == 400
    assert errors_of(bad) == [("quantity", "negative")]
    # the shop of an offer cannot be changed
    offer_id = response.json()["id"]
    owner_api.patch(f"{BASE}/offers/{offer_id}/", {"shop": rival["shop"].pk}, format="json")
    assert Offer.objects.get(pk=offer_id).shop_id == supplier.pk


@pytest.mark.parametrize("page_size", [1, 10])
def test_supplier_offer_list_query_count(
    owner_api, supplier, page_size, django_assert_max_num_queries
):
    for i in range(12):
        factories.offer(shop_obj=supplier, parameters={"A": str(i)})
    with django_assert_max_num_queries(6):
        response = owner_api.get(f"{BASE}/offers/", {"page_size": page_size})
    assert len(response.json()["results"]) == page_size


def test_supplier_uploads_xlsx_and_csv(owner_api, supplier):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "category", "name", "price", "quantity", "Цвет"])
    wb.active.append([1, "Телефоны", "Телефон", 100, 2, "черный"])
    buffer = io.BytesIO()
    wb.save(buffer)
    url = f"{BASE}/shops/{supplier.pk}/import/"
    response = owner_api.post(url, {"file": upload("list.xlsx", buffer.getvalue())})
    assert response.status_code == 201, response.content
    csv_content = "id;category;name;price;quantity;Цвет\n1;Телефоны;Телефон;90;2;черный\n"
    response = owner_api.post(url, {"file": upload("list.csv", csv_content.encode())})
    assert response.json()["summary"]["updated"] == 1
    assert Offer.objects.get(shop=supplier, external_id="1").price == Decimal("90.00")


def test_default_fetcher_checks_every_redirect(local_server, monkeypatch):
    port = int(local_server.rsplit(":", 1)[1])
    addresses = {"supplier.example": "127.0.0.1", "inside.example": "10.1.2.3"}

    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addresses.get(host, host), port))]

    monkeypatch.setattr("shop_catalog.fetch.socket.getaddrinfo", fake)
    # pretend the local test server is on the internet; 10.1.2.3 stays private
    monkeypatch.setattr("shop_catalog.fetch._is_public", lambda address: address == "127.0.0.1")
    url = f"http://supplier.example:{port}"
    assert fetch_url(f"{url}/redirect", max_bytes=10**6, timeout=5) == sample_bytes()
    with pytest.raises(FetchError, match="inside.example resolves to a private"):
        fetch_url(f"{url}/redirect-inside", max_bytes=10**6, timeout=5)


def test_retried_task_does_not_import_twice(supplier):
    from shop_catalog.tasks import import_pricelist_job

    job = ImportJob.objects.create(shop=supplier, status=ImportJob.Status.SUCCEEDED)
    func = getattr(import_pricelist_job, "func", None) or import_pricelist_job.call
    assert func(job.pk) == "succeeded"
    assert not Offer.objects.exists()


# --- side effects after the commit -------------------------------------------


def test_a_failing_receiver_of_pricelist_imported_does_not_fail_the_import(
    owner_api, supplier, caplog, django_capture_on_commit_callbacks
):
    """Say a receiver e-mails the shop and the mail server is down: the import is committed."""
    import smtplib

    from shop_catalog.signals import pricelist_imported

    received = []

    def mail_the_shop(sender, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    def record(sender, **kwargs):
        received.append(kwargs["summary"].created)

    pricelist_imported.connect(mail_the_shop)
    pricelist_imported.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    finally:
        pricelist_imported.disconnect(mail_the_shop)
        pricelist_imported.disconnect(record)
    assert response.status_code == 201, response.content
    assert Offer.objects.filter(shop=supplier).count() == 7
    assert received == [7]  # the other receivers still run
    assert "mail server down" in caplog.text


def test_a_task_backend_that_is_down_fails_the_job_visibly(
    owner_api, supplier, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from shop_catalog import tasks

    def down(*args, **kwargs):
        raise ConnectionError("the task broker is down")

    monkeypatch.setattr(type(tasks.import_pricelist_job), "enqueue", down)
    settings.SHOP_CATALOG = {"IMPORT_SYNC_MAX_BYTES": 10}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(f"{BASE}/shops/{supplier.pk}/import/", {"file": upload()})
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.FAILED
    assert [e["code"] for e in job.errors] == ["queue_failed"]
    assert not job.file  # no stored file left behind
    assert not Offer.objects.exists()


def test_an_unexpected_error_in_a_job_fails_it_instead_of_leaving_it_running(
    owner_api, supplier, monkeypatch, settings, django_capture_on_commit_callbacks
):
    public_dns(monkeypatch)
    settings.SHOP_CATALOG = {"URL_FETCHER": "tests.hooks.broken_fetcher"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}/shops/{supplier.pk}/import/",
            {"url": "https://supplier.example/pricelist.yaml"},
            format="json",
        )
    assert response.status_code == 202
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.FAILED
    assert [e["code"] for e in job.errors] == ["import_failed"]
