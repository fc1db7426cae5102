"""The cache of anonymous catalogue pages: every kind of write is seen at once."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from shop_catalog.catalogue import catalogue_changed
from shop_catalog.models import (
    Category,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    ProductImage,
)
from shop_catalog.services import import_pricelist, import_pricelist_file, set_accepts_orders

from . import factories
from .factories import sample_bytes

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"
SUPPLIER = "/api/v1/catalog/supplier"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.SHOP_CATALOG = {"CACHE": True}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offer(supplier):
    return factories.offer(
        factories.product("Kettle", factories.category("Kitchen")),
        supplier,
        price="100.00",
        external_id="K1",
        parameters={"Colour": "red"},
    )


@pytest.fixture
def owner_api(api, supplier):
    api.force_authenticate(supplier.owner)
    return api


def pages(offer):
    """(list, detail) as an anonymous client gets them; a detail that is gone is None."""
    client = APIClient()
    listing = client.get(PRODUCTS).json()
    detail = client.get(f"{PRODUCTS}{offer.product_id}/")
    return listing, detail.json() if detail.status_code == 200 else None


def warm(offer):
    """Fill the cache (twice, so a second request has been served from it)."""
    first = pages(offer)
    assert pages(offer) == first
    return first


def unseen_write(offer):
    """A write that sends no signal: a page shows it only once something starts a new version."""
    Offer.objects.filter(pk=offer.pk).update(is_active=False)


EMPTY = ({"count": 0, "next": None, "previous": None, "results": []}, None)


def image_file():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue())


def test_a_cached_page_costs_one_query(api, offer, django_assert_num_queries):
    warm(offer)
    with django_assert_num_queries(1):  # the catalogue version
        assert api.get(PRODUCTS).json()["count"] == 1
    with django_assert_num_queries(1):
        assert api.get(f"{PRODUCTS}{offer.product_id}/").json()["name"] == "Kettle"


def test_a_bulk_write_is_seen_after_catalogue_changed(api, offer):
    """A QuerySet.update() sends no signal: the page stays until catalogue_changed()."""
    warm(offer)
    Offer.objects.filter(pk=offer.pk).update(price=Decimal("90.00"))
    assert api.get(PRODUCTS).json()["results"][0]["min_price"] == "100.00"  # cached
    catalogue_changed()
    listing, detail = pages(offer)
    assert listing["results"][0]["min_price"] == "90.00"
    assert detail["offers"][0]["price"] == "90.00"


def test_off_by_default(api, offer, settings):
    settings.SHOP_CATALOG = {}
    warm(offer)
    Offer.objects.filter(pk=offer.pk).update(price=Decimal("90.00"))
    assert api.get(PRODUCTS).json()["results"][0]["min_price"] == "90.00"


def test_signed_in_requests_are_not_cached(owner_api, offer):
    warm(offer)
    Offer.objects.filter(pk=offer.pk).update(price=Decimal("90.00"))
    assert owner_api.get(PRODUCTS).json()["results"][0]["min_price"] == "90.00"


def test_only_json_answers_are_cached(api, offer):
    """The browsable API's page carries a CSRF token: never shared."""
    warm(offer)
    Offer.objects.filter(pk=offer.pk).update(price=Decimal("90.00"))
    page = api.get(PRODUCTS, HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert "90.00" in page.content.decode()
    assert api.get(PRODUCTS).json()["results"][0]["min_price"] == "100.00"


def test_the_count_is_cached_per_filter_and_version(api, offer, supplier):
    second = factories.offer(factories.product("Mug"), supplier, price="5.00")
    assert api.get(PRODUCTS, {"page_size": 1}).json()["count"] == 2
    # page 2 of the same filter counts no more: a bulk write stays unseen there
    Offer.objects.filter(pk=second.pk).update(is_active=False)
    assert api.get(PRODUCTS, {"page_size": 1, "page": 2}).json()["count"] == 2
    catalogue_changed()
    assert api.get(PRODUCTS, {"page_size": 1}).json()["count"] == 1
    # another filter has its own count
    assert api.get(PRODUCTS, {"search": "mug"}).json()["count"] == 0


def test_a_signed_in_caller_reuses_the_count_but_gets_fresh_pages(owner_api, offer, supplier):
    second = factories.offer(factories.product("Mug"), supplier, price="5.00")
    assert owner_api.get(PRODUCTS, {"page_size": 1}).json()["count"] == 2
    Offer.objects.filter(pk=second.pk).update(is_active=False)
    page = owner_api.get(PRODUCTS, {"page_size": 1, "page": 2}).json()
    assert page["count"] == 2  # counted once per filter and version, as for anyone
    assert page["results"] == []  # the page itself is read again


def test_a_category_filter_reads_its_subtree_once_per_version(
    owner_api, offer, supplier, django_assert_num_queries
):
    kitchen = offer.product.category
    pans = factories.category("Pans", parent=kitchen)
    factories.offer(factories.product("Pan", pans), supplier, price="30.00")
    filtered = {"category": kitchen.slug, "page_size": 1}
    first = owner_api.get(PRODUCTS, filtered).json()
    assert first["count"] == 2
    # page 2: the version, the page (the category ids written in), and its
    # offers, their parameters and images; no COUNT, no subtree by its path
    with django_assert_num_queries(5) as captured:
        second = owner_api.get(PRODUCTS, {**filtered, "page": 2}).json()
    assert {first["results"][0]["name"], second["results"][0]["name"]} == {"Kettle", "Pan"}
    assert not any(" LIKE " in query["sql"] for query in captured.captured_queries)
    # a new subcategory starts a new version: its products are found at once
    cups = factories.category("Cups", parent=kitchen)
    factories.offer(factories.product("Cup", cups), supplier, price="5.00")
    assert owner_api.get(PRODUCTS, filtered).json()["count"] == 3


# --- ORM saves and deletes of every catalogue model ----------------------------------


def test_offer_saved(offer):
    warm(offer)
    offer.price = Decimal("80.00")
    offer.save()
    listing, detail = pages(offer)
    assert listing["results"][0]["min_price"] == "80.00"
    assert detail["offers"][0]["price"] == "80.00"


def test_offer_deleted(offer):
    warm(offer)
    offer.delete()
    listing, detail = pages(offer)
    assert listing["count"] == 0 and detail is None


def test_product_saved(offer):
    warm(offer)
    product = Product.objects.get(pk=offer.product_id)
    product.name = "Teapot"
    product.save()
    listing, detail = pages(offer)
    assert listing["results"][0]["name"] == detail["name"] == "Teapot"


def test_product_deleted(offer):
    spare = factories.product("Spare")  # no offers: it may be deleted (PROTECT)
    warm(offer)
    unseen_write(offer)
    spare.delete()
    assert pages(offer) == EMPTY


def test_category_saved_and_deleted(offer):
    warm(offer)
    category = Category.objects.get(pk=offer.product.category_id)
    category.name = "Kitchenware"
    category.save()
    listing, detail = pages(offer)
    assert listing["results"][0]["category"]["name"] == detail["category"]["name"] == "Kitchenware"
    spare = factories.category("Spare")
    unseen_write(offer)
    spare.delete()
    assert pages(offer) == EMPTY


def test_shop_saved(offer, supplier):
    warm(offer)
    supplier.name = "Renamed"
    supplier.save()
    _listing, detail = pages(offer)
    assert detail["offers"][0]["shop"]["name"] == "Renamed"


def test_shop_deleted(offer):
    """A shop without offers can go (PROTECT); its delete is a write like any other."""
    empty = factories.shop("Empty")
    warm(offer)
    unseen_write(offer)
    empty.delete()
    assert pages(offer) == EMPTY


def test_parameter_saved_and_deleted(offer):
    warm(offer)
    parameter = Parameter.objects.get(name="Colour")
    parameter.name = "Color"
    parameter.save()
    _listing, detail = pages(offer)
    assert detail["offers"][0]["parameters"] == [{"name": "Color", "value": "red"}]
    spare = Parameter.objects.create(name="Spare")
    unseen_write(offer)
    spare.delete()
    assert pages(offer) == EMPTY


def test_offer_parameter_saved_and_deleted(offer):
    warm(offer)
    value = OfferParameter.objects.get(offer=offer)
    value.value = "green"
    value.save()
    _listing, detail = pages(offer)
    assert detail["offers"][0]["parameters"] == [{"name": "Colour", "value": "green"}]
    value.delete()
    _listing, detail = pages(offer)
    assert detail["offers"][0]["parameters"] == []


def test_product_image_saved_and_deleted(offer):
    warm(offer)
    image = ProductImage.objects.create(product=offer.product, image=image_file(), alt="front")
    listing, detail = pages(offer)
    assert [i["alt"] for i in listing["results"][0]["images"]] == ["front"]
    assert [i["alt"] for i in detail["images"]] == ["front"]
    image.delete()
    listing, detail = pages(offer)
    assert listing["results"][0]["images"] == detail["images"] == []


# --- the API, the admin and the import --------------------------------------------------


def test_supplier_api_updates_an_offer(owner_api, offer):
    warm(offer)
    response = owner_api.patch(f"{SUPPLIER}/offers/{offer.pk}/", {"price": "70.00"}, format="json")
    assert response.status_code == 200, response.content
    assert pages(offer)[0]["results"][0]["min_price"] == "70.00"


def test_supplier_api_creates_an_offer(owner_api, offer, supplier):
    warm(offer)
    other = factories.product("Toaster")
    response = owner_api.post(
        f"{SUPPLIER}/offers/",
        {"shop": supplier.pk, "product": other.pk, "external_id": "T1", "price": "30.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert pages(offer)[0]["count"] == 2


def test_supplier_stops_taking_orders(owner_api, offer, supplier):
    warm(offer)
    response = owner_api.patch(
        f"{SUPPLIER}/shops/{supplier.pk}/", {"accepts_orders": False}, format="json"
    )
    assert response.status_code == 200, response.content
    assert pages(offer) == EMPTY


def test_set_accepts_orders_service(offer, supplier):
    warm(offer)
    set_accepts_orders(shop=supplier, accepts_orders=False)
    assert pages(offer)[0]["count"] == 0


def test_supplier_api_imports_a_price_list(owner_api, offer, supplier):
    warm(offer)
    upload = SimpleUploadedFile("pricelist.yaml", sample_bytes())
    response = owner_api.post(f"{SUPPLIER}/shops/{supplier.pk}/import/", {"file": upload})
    assert response.status_code == 201, response.content
    assert pages(offer)[0]["count"] == 1 + 7


def test_import_service_with_a_file_and_with_data(offer, supplier, sample_data):
    warm(offer)
    import_pricelist_file(content=sample_bytes(), fmt="yaml", shop=supplier)
    assert pages(offer)[0]["count"] == 1 + 7
    sample_data["goods"][0]["price"] = 1
    import_pricelist(data=sample_data, shop=supplier)
    assert "1.00" in {p["min_price"] for p in pages(offer)[0]["results"]}


def test_admin_changes_an_offer(offer, supplier, admin_client):
    warm(offer)
    data = {
        "product": offer.product_id,
        "shop": supplier.pk,
        "external_id": "K1",
        "model": "",
        "price": "60.00",
        "price_rrc": "",
        "quantity": "5",
        "is_active": "on",
        "parameters-TOTAL_FORMS": "0",
        "parameters-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:shop_catalog_offer_change", args=[offer.pk]), data)
    assert response.status_code == 302
    assert pages(offer)[0]["results"][0]["min_price"] == "60.00"


def test_admin_deactivates_offers(offer, admin_client):
    warm(offer)
    response = admin_client.post(
        reverse("admin:shop_catalog_offer_changelist"),
        {"action": "deactivate", "_selected_action": [offer.pk]},
    )
    assert response.status_code == 302
    assert pages(offer)[0]["count"] == 0


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client
