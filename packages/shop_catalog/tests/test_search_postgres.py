"""?search= on PostgreSQL: word forms in Russian and English, a typo, the GIN index."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from shop_catalog.catalogue import PG_ANALYZE_ROWS, refresh_planner_statistics
from shop_catalog.models import Offer, Product, Shop
from shop_catalog.selectors import search_document

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PRODUCTS = "/api/v1/catalog/products/"


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def catalogue():
    shop = factories.shop("Search shop")
    names = [
        "Смартфон Apple iPhone XS",
        "Телевизоры LG OLED",
        "Red phones case",
        "Television stand",
        "Садовая лопата",
    ]
    for n, name in enumerate(names):
        factories.offer(factories.product(name), shop, model=f"model/{n}")


def found(api, text):
    response = api.get(PRODUCTS, {"search": text})
    assert response.status_code == 200, response.content
    return sorted(p["name"] for p in response.json()["results"])


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("смартфоны", ["Смартфон Apple iPhone XS"]),  # plural finds the singular
        ("телевизор", ["Телевизоры LG OLED"]),  # and the other way
        ("phone cases", ["Red phones case"]),  # English stems
        ("stands", ["Television stand"]),
        ("смартфон iphone", ["Смартфон Apple iPhone XS"]),  # both words, both languages
    ],
)
def test_word_forms_in_russian_and_english(api, catalogue, text, names):
    assert found(api, text) == names


def test_a_typo(api, catalogue):
    """A letter missing, or a wrong one in a longer word (pg_trgm word similarity >= 0.6)."""
    assert found(api, "смартфн") == ["Смартфон Apple iPhone XS"]
    assert found(api, "телевизеры") == ["Телевизоры LG OLED"]
    assert found(api, "televison") == ["Television stand"]


def test_part_of_a_model_and_nothing(api, catalogue):
    assert found(api, "model/4") == ["Садовая лопата"]
    assert found(api, "холодильник") == []


def test_a_renamed_product_is_found_by_its_new_name(api, catalogue):
    """The stored document follows every write of the name (migration 0009)."""
    spade = Product.objects.get(name="Садовая лопата")
    spade.name = "Garden spade"
    spade.save()
    assert found(api, "spades") == ["Garden spade"]
    Product.objects.filter(pk=spade.pk).update(name="Садовые грабли")  # no save()
    assert found(api, "spades") == [] and found(api, "грабли") == ["Садовые грабли"]


def test_a_narrow_search_among_many_products(api, catalogue):
    """Matches by name and by model together, each product once."""
    shop = Shop.objects.get(name="Search shop")
    for n in range(60):
        factories.offer(factories.product(f"Cable {n:03}"), shop, model=f"cab-{n:03}")
    factories.offer(factories.product("Adapter"), shop, model="cable-042-adapter")
    assert found(api, "042") == ["Adapter", "Cable 042"]
    assert api.get(PRODUCTS, {"search": "cable"}).json()["count"] == 61


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # small tables: let an index show
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_searches_use_their_gin_indexes(catalogue):
    """The migrations index the very column and expressions the search filters on."""
    category, shop = factories.category("Bulk"), Shop.objects.get(name="Search shop")
    products = Product.objects.bulk_create(
        Product(name=f"Item {n}", slug=f"item-{n}", category=category) for n in range(3000)
    )
    Offer.objects.bulk_create(
        Offer(product=p, shop=shop, external_id=f"I{p.pk}", model=f"item/{p.pk}", price=1)
        for p in products
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shop_catalog_product, shop_catalog_offer")
    names = (
        Product.objects.alias(document=search_document())
        .filter(document=SearchQuery("смартфоны", config="russian"))
        .order_by()
        .values("pk")
    )
    assert "shop_catalog_product_doc" in explain(names)
    models = Offer.objects.filter(model__icontains="model/4").order_by().values("pk")
    assert "shop_catalog_offer_model_trgm" in explain(models)


def test_new_rows_leave_no_pending_search_entries_after_the_statistics():
    """A GIN index keeps new entries in a pending list that every search reads
    through; after an import of many rows they are merged at once."""
    category = factories.category()
    Product.objects.bulk_create(
        Product(name=f"Товар номер {n} phone case", slug=f"p-{n}", category=category)
        for n in range(300)
    )
    refresh_planner_statistics(rows_added=PG_ANALYZE_ROWS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('shop_catalog_product_doc'::regclass)")
        assert cursor.fetchone()[0] == 0  # nothing was left to merge
