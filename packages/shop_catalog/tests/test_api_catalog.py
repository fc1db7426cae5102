import csv
import io
import json
from decimal import Decimal

import pytest
from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.serializers import ModelSerializer

from shop_catalog.models import Offer, ProductImage
from shop_catalog.selectors import product_list, products
from shop_catalog.serializers import ProductSerializer
from shop_catalog.services import import_pricelist

from . import factories

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture
def tree():
    """electronics > phones > smartphones, electronics > tv; garden (other root)."""
    electronics = factories.category("Electronics")
    phones = factories.category("Phones", parent=electronics)
    smart = factories.category("Smartphones", parent=phones)
    tv = factories.category("TV", parent=electronics)
    garden = factories.category("Garden")
    return {
        "electronics": electronics,
        "phones": phones,
        "smart": smart,
        "tv": tv,
        "garden": garden,
    }


@pytest.fixture
def catalogue(tree):
    a, b = factories.shop("A"), factories.shop("B")
    p1 = factories.product("iPhone", tree["smart"])
    p2 = factories.product("Nokia", tree["phones"])
    p3 = factories.product("OLED TV", tree["tv"])
    p4 = factories.product("Shovel", tree["garden"])
    factories.offer(
        p1, a, price="1000", quantity=0, model="apple/iphone", parameters={"Color": "red"}
    )
    factories.offer(p1, b, price="900", quantity=3, parameters={"Color": "black"})
    factories.offer(p2, a, price="50", quantity=10, model="nokia/3310", parameters={"Color": "red"})
    factories.offer(p3, b, price="3000", quantity=1)
    factories.offer(p4, a, price="20", quantity=0)
    inactive = factories.product("Hidden", tree["garden"], is_active=False)
    factories.offer(inactive, a, price="1")
    return {"shops": (a, b), "products": (p1, p2, p3, p4)}


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def test_category_descendants_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = set(tree["electronics"].get_descendants().values_list("pk", flat=True))
    assert ids == {tree[k].pk for k in ("electronics", "phones", "smart", "tv")}
    assert list(tree["smart"].get_ancestors()) == [tree["electronics"], tree["phones"]]
    assert tree["smart"].depth == 2


def test_moving_a_category_moves_its_subtree(tree):
    phones = tree["phones"]
    phones.parent = tree["garden"]
    phones.save()
    tree["smart"].refresh_from_db()
    assert tree["smart"].path == f"{tree['garden'].pk}/{phones.pk}/{tree['smart'].pk}/"
    assert tree["smart"].depth == 2
    assert tree["smart"] in tree["garden"].get_descendants()
    assert tree["smart"] not in tree["electronics"].get_descendants()


def test_category_cannot_move_under_its_descendant(tree):
    from django.core.exceptions import ValidationError

    electronics = tree["electronics"]
    electronics.parent = tree["smart"]
    with pytest.raises(ValidationError):
        electronics.clean()
    with pytest.raises(ValidationError):
        electronics.save()


def test_categories_tree_and_flat(api, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = api.get("/api/v1/catalog/categories/tree/")
    assert response.status_code == 200
    roots = {node["name"]: node for node in response.json()}
    assert set(roots) == {"Electronics", "Garden"}
    phones = next(c for c in roots["Electronics"]["children"] if c["name"] == "Phones")
    assert [c["name"] for c in phones["children"]] == ["Smartphones"]
    flat = api.get("/api/v1/catalog/categories/").json()
    assert flat["count"] == 5
    # tree order: a parent comes before its children
    order = [c["name"] for c in flat["results"]]
    assert order.index("Electronics") < order.index("Phones") < order.index("Smartphones")


def test_filter_by_category_includes_descendants(api, catalogue, tree):
    assert names(api.get(PRODUCTS, {"category": tree["electronics"].pk, "ordering": "name"})) == [
        "iPhone",
        "Nokia",
        "OLED TV",
    ]
    assert names(api.get(PRODUCTS, {"category": tree["phones"].slug, "ordering": "name"})) == [
        "iPhone",
        "Nokia",
    ]
    assert names(api.get(PRODUCTS, {"category": "no-such"})) == []


def test_offer_filters_apply_to_the_same_offer(api, catalogue):
    a, b = catalogue["shops"]
    assert names(api.get(PRODUCTS, {"price_min": 800, "price_max": 1500})) == ["iPhone"]
    assert names(api.get(PRODUCTS, {"in_stock": "true", "ordering": "name"})) == [
        "iPhone",
        "Nokia",
        "OLED TV",
    ]
    # iPhone's offer of shop A has no stock: A + in stock is Nokia only
    assert names(api.get(PRODUCTS, {"shop": a.pk, "in_stock": "true"})) == ["Nokia"]
    assert names(api.get(PRODUCTS, {"parameter": "Color:red", "ordering": "name"})) == [
        "iPhone",
        "Nokia",
    ]
    # red is shop A's iPhone offer, the stocked one is B's (black): no single offer matches
    assert names(api.get(PRODUCTS, {"parameter": "Color:red", "in_stock": "1", "shop": a.pk})) == [
        "Nokia"
    ]
    assert names(api.get(PRODUCTS, {"parameter": ["Color:red", "Color:black"]})) == []


def test_bad_filter_values_are_400(api, catalogue):
    response = api.get(PRODUCTS, {"price_min": "cheap", "parameter": "nocolon"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert sorted((e["attr"], e["code"]) for e in body["errors"]) == [
        ("parameter", "parameter"),
        ("price_min", "invalid"),
    ]
    response = api.get(PRODUCTS, {"ordering": "random"})
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("ordering", "invalid_choice")
    ]


def test_search_and_ordering(api, catalogue):
    assert names(api.get(PRODUCTS, {"search": "iphone"})) == ["iPhone"]
    assert names(api.get(PRODUCTS, {"search": "3310"})) == ["Nokia"]  # the model
    assert names(api.get(PRODUCTS, {"ordering": "price"})) == [
        "Shovel",
        "Nokia",
        "iPhone",
        "OLED TV",
    ]
    assert names(api.get(PRODUCTS, {"ordering": "-price"}))[0] == "OLED TV"
    assert names(api.get(PRODUCTS, {"ordering": "newest"}))[0] == "Shovel"
    assert "Hidden" not in names(api.get(PRODUCTS))


def test_search_is_case_insensitive_for_cyrillic(api, supplier, sample_data):
    import_pricelist(data=sample_data)
    assert names(api.get(PRODUCTS, {"search": "смартфон apple iphone xs"})) == [
        "Смартфон Apple iPhone XS Max 512GB (золотистый)"
    ]


def test_product_detail_has_offers_and_parameters(api, catalogue):
    p1 = catalogue["products"][0]
    response = api.get(f"{PRODUCTS}{p1.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["min_price"] == "900.00"
    assert [o["shop"]["name"] for o in body["offers"]] == ["B", "A"]  # cheapest first
    assert body["offers"][0]["parameters"] == [{"name": "Color", "value": "black"}]
    assert body["category"]["name"] == "Smartphones"
    inactive = factories.product("Gone", is_active=False)
    assert api.get(f"{PRODUCTS}{inactive.pk}/").status_code == 404


@pytest.mark.parametrize("page_size", [1, 5, 20])
def test_product_list_query_count_is_constant(api, page_size, django_assert_max_num_queries):
    shops = [factories.shop() for _ in range(3)]
    cat = factories.category()
    for i in range(25):
        product = factories.product(f"P{i:02}", cat)
        for shop in shops[: 1 + i % 3]:
            factories.offer(product, shop, price=10 + i, parameters={"A": "1", "B": str(i)})
    with django_assert_max_num_queries(5):
        response = api.get(PRODUCTS, {"page_size": page_size, "category": cat.pk, "in_stock": 1})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    assert response.json()["count"] == 25


def test_page_size_is_capped(api, settings):
    settings.SHOP_CATALOG = {"MAX_PAGE_SIZE": 3}
    cat = factories.category()
    for _ in range(5):
        factories.offer(factories.product(category_obj=cat))
    assert len(api.get(PRODUCTS, {"page_size": 100}).json()["results"]) == 3


@pytest.mark.parametrize(
    "url", ["/api/v1/catalog/products/", "/api/v1/catalog/categories/", "/api/v1/catalog/shops/"]
)
@pytest.mark.parametrize("page", ["0", "abc", "99"])
def test_a_page_that_does_not_exist_is_400_invalid_page(api, catalogue, url, page):
    response = api.get(url, {"page": page})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [("page", "invalid_page")]


@pytest.mark.parametrize("key", ["١", "1.5", "-1", "1" + "0" * 30])
def test_ids_in_urls_are_ascii_digits_that_fit(api, catalogue, key):
    """``/products/١/`` was read as product 1 (``int("١") == 1``)."""
    product = catalogue["products"][0]
    assert api.get(f"{PRODUCTS}{product.pk}/").status_code == 200
    for url in (f"{PRODUCTS}{key}/", f"/api/v1/catalog/categories/{key}/"):
        assert api.get(url).status_code == 404


def test_a_missing_object_is_404_not_found(api, catalogue):
    response = api.get(f"{PRODUCTS}999999/")
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "client_error"
    assert [(e["attr"], e["code"]) for e in body["errors"]] == [(None, "not_found")]


def test_shops_are_public(api, catalogue):
    response = api.get("/api/v1/catalog/shops/")
    assert [s["name"] for s in response.json()["results"]] == ["A", "B"]


def test_csv_export_streams_rows_in_the_flat_format(api, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api.get(f"{PRODUCTS}export/", {"ordering": "name"})
        assert isinstance(response, StreamingHttpResponse)
        content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["name"] for r in rows] == ["iPhone", "iPhone", "Nokia", "OLED TV", "Shovel"]
    iphone_b = next(r for r in rows if r["name"] == "iPhone" and r["shop"] == "B")
    assert iphone_b["price"] == "900.00" and iphone_b["Color"] == "black"
    assert iphone_b["category"] == "Smartphones"
    # filters apply, and the file imports back through the flat parser
    only_b = api.get(f"{PRODUCTS}export/", {"shop": catalogue["shops"][1].pk})
    content_b = b"".join(only_b.streaming_content)
    from shop_catalog.pricelist import parse_pricelist

    parsed = parse_pricelist(content_b, "csv")
    assert parsed["shop"] == "B"
    assert sorted(Decimal(g["price"]) for g in parsed["goods"]) == [Decimal(900), Decimal(3000)]


def test_export_is_in_the_schema_and_url_names(api):
    assert reverse("shop_catalog:product-export") == f"{PRODUCTS}export/"
    assert reverse("shop_catalog:supplier-shop-import-pricelist", args=[1]).endswith(
        "/supplier/shops/1/import/"
    )


# --- the serializer's fast path gives what DRF's nested serializers give ------


class _ReferenceProductSerializer(ProductSerializer):
    """The same fields serialized the generic DRF way, from prefetched instances."""

    loads_relations = False

    def to_representation(self, instance):
        return ModelSerializer.to_representation(self, instance)


class _ExtraFieldSerializer(ProductSerializer):
    category_path = serializers.CharField(source="category.path", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "category_path"]

    def get_name(self, product) -> str:
        return product.name.upper()


@pytest.fixture
def rich_catalogue(catalogue):
    from .test_images import image_file

    p1, p2, p3, _ = catalogue["products"]
    Offer.objects.filter(product=p1).update(price_rrc=Decimal("1100.50"))
    ProductImage.objects.create(product=p1, image=image_file("a.png"), alt="front", position=2)
    ProductImage.objects.create(product=p1, image=image_file("b.png"), position=1)
    factories.product("No offers", p3.category)  # min_price null, no offers
    Offer.objects.filter(product=p2).update(is_active=False)  # only inactive offers
    return catalogue


def test_fast_path_matches_the_nested_serializers(api, rich_catalogue, settings):
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get(PRODUCTS))
    expected = _ReferenceProductSerializer(
        product_list().order_by(Lower("name"), "pk"), many=True, context={"request": request}
    ).data
    got = ProductSerializer(
        products().order_by(Lower("name"), "pk"), many=True, context={"request": request}
    ).data
    assert json.dumps(got) == json.dumps(expected)
    assert any(item["images"] for item in got)
    # neither a product without offers nor one whose only offer is inactive is listed
    assert {"No offers", "Nokia"}.isdisjoint(item["name"] for item in got)
    # Instances with their relations prefetched (product_list()) give the same.
    assert (
        ProductSerializer(
            product_list().order_by(Lower("name"), "pk"), many=True, context={"request": request}
        ).data
        == got
    )
    # And through the API (absolute image URLs), list and detail alike.
    listed = api.get(PRODUCTS, {"ordering": "name"}).json()["results"]
    assert json.dumps(listed) == json.dumps(
        [dict(item) for item in expected if item["name"] != "Hidden"]
    )
    detail = api.get(f"{PRODUCTS}{listed[0]['id']}/").json()
    assert detail == listed[0]


def test_list_and_detail_query_counts(api, rich_catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert api.get(PRODUCTS).status_code == 200
    p1 = rich_catalogue["products"][0]
    with django_assert_max_num_queries(4):
        assert api.get(f"{PRODUCTS}{p1.pk}/").status_code == 200


def test_subclass_fields_go_through_drf(api, rich_catalogue, settings):
    settings.SHOP_CATALOG = {"PRODUCT_SERIALIZER": "tests.test_api_catalog._ExtraFieldSerializer"}
    item = api.get(PRODUCTS, {"ordering": "name"}).json()["results"][0]
    assert item["name"] == "IPHONE"
    assert item["category_path"].endswith("/")
    assert [o["shop"]["name"] for o in item["offers"]] == ["B", "A"]
    assert item["offers"][0]["price_rrc"] == "1100.50"
    assert [i["alt"] for i in item["images"]] == ["", "front"]  # by position
