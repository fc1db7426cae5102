import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shop_catalog.models import Offer, Product

from . import factories
from .factories import sample_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name",
    ["category", "shop", "product", "offer", "parameter", "importjob"],
)
def test_changelists_render(admin_client, name, supplier):
    factories.offer(shop_obj=supplier)
    url = reverse(f"admin:shop_catalog_{name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "x"}).status_code == 200


def test_shop_owner_and_staff_are_shown_by_their_str(admin_client, supplier):
    """Any user model: the admin shows ``str(user)``, never a username or a full name."""
    clerk = factories.user("clerk")
    supplier.staff.add(clerk)
    changelist = admin_client.get(reverse("admin:shop_catalog_shop_changelist"))
    assert str(supplier.owner) in changelist.content.decode()
    change = admin_client.get(reverse("admin:shop_catalog_shop_change", args=[supplier.pk]))
    assert change.status_code == 200
    assert str(clerk) in change.content.decode()


def test_offer_changelist_stock_filter(admin_client, supplier):
    factories.offer(shop_obj=supplier, quantity=0, external_id="EMPTY")
    factories.offer(shop_obj=supplier, quantity=4, external_id="FULL")
    response = admin_client.get(reverse("admin:shop_catalog_offer_changelist"), {"stock": "no"})
    assert [o.external_id for o in response.context["cl"].result_list] == ["EMPTY"]


def test_product_import_preview_shows_rows_and_changes_nothing(admin_client):
    category = factories.category()
    existing = factories.product("Old name", category)
    content = (
        "slug,name,category,description,is_active\n"
        f"{existing.slug},New name,{category.slug},,1\n"
        f"brand-new,Brand new,{category.slug},Fresh,1\n"
    ).encode()
    response = admin_client.post(
        reverse("admin:shop_catalog_product_import"),
        {
            "resource": "0",
            "format": "0",  # CSV
            "import_file": SimpleUploadedFile("products.csv", content),
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["update", "new"]
    assert "confirm_form" in response.context
    assert Product.objects.filter(slug="brand-new").count() == 0  # a preview (dry run)
    existing.refresh_from_db()
    assert existing.name == "Old name"


def test_product_import_preview_reports_row_errors(admin_client):
    content = b"slug,name,category,is_active\nx,X,no-such-category,1\n"
    response = admin_client.post(
        reverse("admin:shop_catalog_product_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("p.csv", content)},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_errors() or result.has_validation_errors()
    assert "does not exist" in response.content.decode()
    assert not Product.objects.filter(slug="x").exists()


def test_offer_export_xlsx_and_json(admin_client, supplier):
    factories.offer(shop_obj=supplier, external_id="E1", price="12.50")
    url = reverse("admin:shop_catalog_offer_export")
    fields = ["id", "shop", "external_id", "product", "model", "price", "price_rrc"]
    fields = {f"offerresource_{name}": "on" for name in fields + ["quantity", "is_active"]}
    response = admin_client.post(url, {"format": "2", "resource": "0", **fields})
    assert response.status_code == 200
    assert b'"external_id": "E1"' in response.content
    response = admin_client.post(url, {"format": "1", "resource": "0", **fields})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert "external_id" in header and "shop" in header


def test_offers_cannot_be_deleted_in_admin(admin_client, supplier):
    offer = factories.offer(shop_obj=supplier)
    response = admin_client.get(reverse("admin:shop_catalog_offer_delete", args=[offer.pk]))
    assert response.status_code == 403


def test_admin_yaml_import_uses_the_service(admin_client, supplier):
    change = admin_client.get(reverse("admin:shop_catalog_shop_change", args=[supplier.pk]))
    url = reverse("admin:shop_catalog_shop_import_pricelist", args=[supplier.pk])
    assert url.encode() in change.content
    response = admin_client.post(
        url, {"file": SimpleUploadedFile("list.yaml", sample_bytes())}, follow=True
    )
    assert response.status_code == 200
    assert "7 created" in response.content.decode()
    assert Offer.objects.filter(shop=supplier).count() == 7


def test_admin_yaml_import_shows_row_errors(admin_client, supplier):
    content = sample_bytes().replace(b"quantity: 14", b"quantity: many")
    response = admin_client.post(
        reverse("admin:shop_catalog_shop_import_pricelist", args=[supplier.pk]),
        {"file": SimpleUploadedFile("list.yaml", content)},
    )
    assert response.status_code == 200
    assert "goods row 1, quantity: Enter a whole number." in response.content.decode()
    assert not Offer.objects.exists()


# --- import-export of offers: validated before the database, numbered like the price list ---


def import_offers(admin_client, content: bytes, name: str = "offers.csv"):
    fmt = {".csv": "0", ".xlsx": "1", ".json": "2"}[name[name.rindex(".") :]]
    response = admin_client.post(
        reverse("admin:shop_catalog_offer_import"),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    return response


def row_problems(response) -> list[tuple[int, str, list[str]]]:
    """(row number, field, messages) of every refused row, as the page shows them."""
    result = response.context["result"]
    problems = [
        (row.number, field, [str(m) for m in messages])
        for row in result.invalid_rows
        for field, messages in row.field_specific_errors.items()
    ]
    problems += [
        (number, "", [str(e.error)]) for number, errors in result.row_errors() for e in errors
    ]
    return problems


@pytest.fixture
def offer_rows(supplier):
    factories.product("Phone", slug="phone")
    return "shop,external_id,product,price,quantity\n"


@pytest.mark.parametrize(
    ("price", "quantity", "field", "message"),
    [
        ("10", "-1", "quantity", "Must not be negative."),
        ("10", "1.5", "quantity", "Enter a whole number."),
        ("10", "1e400", "quantity", "At most 2147483647."),
        ("10", "NaN", "quantity", "Enter a whole number."),
        ("-1", "1", "price", "Must not be negative."),
        ("1e400", "1", "price", "At most 9999999999.99."),
        (str(10**30), "1", "price", "At most 9999999999.99."),
        ("NaN", "1", "price", "Enter a number."),
        ("Infinity", "1", "price", "Enter a number."),
        ("abc", "1", "price", "Enter a number."),
        ("1.005", "1", "price", "At most 2 decimal places."),
    ],
)
def test_offer_import_refuses_bad_numbers_with_a_clear_message(
    admin_client, supplier, offer_rows, price, quantity, field, message
):
    content = f"{offer_rows}Связной,E1,phone,10,1\nСвязной,E2,phone,{price},{quantity}\n"
    response = import_offers(admin_client, content.encode())
    assert row_problems(response) == [(3, field, [message])]  # sheet row 3: header, E1, E2
    assert "CHECK constraint" not in response.content.decode()
    assert message in response.content.decode()
    assert not Offer.objects.exists()


def test_offer_import_message_is_translated(admin_client, supplier, offer_rows):
    from django.utils import translation

    with translation.override("ru"):
        response = admin_client.post(
            reverse("admin:shop_catalog_offer_import"),
            {
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile(
                    "o.csv", f"{offer_rows}Связной,E1,phone,10,-1\n".encode()
                ),
            },
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    assert row_problems(response) == [(2, "quantity", ["Не может быть отрицательным."])]


def test_offer_import_numbers_rows_like_the_price_list_import(admin_client, supplier, offer_rows):
    """A bad value in the first data row: row 2 of a sheet (CSV, XLSX), item 1 of a JSON list."""
    from openpyxl import Workbook

    from shop_catalog.pricelist import PriceListError
    from shop_catalog.services import import_pricelist_file

    csv_response = import_offers(admin_client, f"{offer_rows}Связной,E1,phone,10,-1\n".encode())
    wb = Workbook()
    wb.active.append(["shop", "external_id", "product", "price", "quantity"])
    wb.active.append(["Связной", "E1", "phone", 10, -1])
    buffer = io.BytesIO()
    wb.save(buffer)
    xlsx_response = import_offers(admin_client, buffer.getvalue(), "offers.xlsx")
    body = [{"shop": "Связной", "external_id": "E1", "product": "phone", "price": "10"}]
    body[0]["quantity"] = -1
    json_response = import_offers(admin_client, json.dumps(body).encode(), "offers.json")
    assert [row_problems(r)[0][0] for r in (csv_response, xlsx_response, json_response)] == [
        2,
        2,
        1,
    ]
    # the price-list import of the same sheet and of a JSON list says the same rows
    sheet = b"id,category,name,price,quantity\nE1,C,Phone,10,-1\n"
    with pytest.raises(PriceListError) as exc:
        import_pricelist_file(content=sheet, fmt="csv", shop=supplier)
    assert exc.value.errors[0]["row"] == 2
    goods = {"goods": [{"id": "E1", "category": "C", "name": "P", "price": 10, "quantity": -1}]}
    with pytest.raises(PriceListError) as exc:
        import_pricelist_file(content=json.dumps(goods).encode(), fmt="json", shop=supplier)
    assert exc.value.errors[0]["row"] == 1


def test_offer_import_with_a_bad_row_writes_no_row(supplier):
    """All or nothing, even when the resource is used outside the admin's preview."""
    import tablib

    from shop_catalog.resources import OfferResource

    product = factories.product("Phone", slug="phone")
    kept = factories.offer(product, supplier, external_id="E0", price="5.00", quantity=2)
    dataset = tablib.Dataset(headers=["shop", "external_id", "product", "price", "quantity"])
    dataset.append(["Связной", "E0", "phone", "7.00", "3"])  # a valid change
    dataset.append(["Связной", "E1", "phone", "10", "1.5"])  # refused
    result = OfferResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    kept.refresh_from_db()
    assert (kept.price, kept.quantity) == (Decimal("5.00"), 2)
    assert list(Offer.objects.values_list("external_id", flat=True)) == ["E0"]


def test_offer_import_of_good_rows_still_works(admin_client, supplier, offer_rows):
    response = import_offers(admin_client, f"{offer_rows}Связной,E1,phone,10.5,3\n".encode())
    assert row_problems(response) == []
    assert "confirm_form" in response.context


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "1e400"),
        ("price", "NaN"),
        ("price", "-1"),
        ("quantity", "-1"),
        ("quantity", "1.5"),
        ("quantity", str(2**31)),
        ("model", "x" * 100_000),
        ("external_id", "x" * 100_000),
    ],
)
def test_offer_change_form_refuses_hostile_values(admin_client, supplier, field, value):
    offer = factories.offer(shop_obj=supplier, external_id="E1", price="10.00", quantity=3)
    before = Offer.objects.filter(pk=offer.pk).values().get()
    data = {
        "product": offer.product_id,
        "shop": supplier.pk,
        "external_id": "E1",
        "model": "",
        "price": "10.00",
        "price_rrc": "",
        "quantity": "3",
        "is_active": "on",
        "parameters-TOTAL_FORMS": "0",
        "parameters-INITIAL_FORMS": "0",
        field: value,
    }
    response = admin_client.post(reverse("admin:shop_catalog_offer_change", args=[offer.pk]), data)
    assert response.status_code == 200  # the form again, with errors
    assert field in response.context["adminform"].form.errors
    assert Offer.objects.filter(pk=offer.pk).values().get() == before
