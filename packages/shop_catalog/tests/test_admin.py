import io

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
