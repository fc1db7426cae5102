"""PostgreSQL only: the GIN indexes of ``?search=`` (``selectors.search_products``).

Full-text search of the product name (Russian and English configurations:
the very expression ``selectors.NAME_DOCUMENT`` the search filters on, which
a test checks the planner uses), and
pg_trgm trigram indexes of the name (typos) and of the offer model (part of
a model). Other databases get nothing: they search by substring.

``django.contrib.postgres`` is imported only on PostgreSQL: it loads
psycopg (on Django 6.1 even its search module), which a project on another
database need not have.
"""

from django.db import migrations


# Django's icontains is UPPER(model::text) LIKE UPPER(...): the index holds that expression.
MODEL_INDEX = "shop_catalog_offer_model_trgm"


def indexes(apps):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    product = apps.get_model("shop_catalog", "Product")
    NAME_DOCUMENT = SearchVector("name", config="russian") + SearchVector("name", config="english")
    return [
        (product, GinIndex(NAME_DOCUMENT, name="shop_catalog_product_fts")),
        (product, GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="shop_catalog_product_trgm")),
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for model, index in indexes(apps):
            schema_editor.add_index(model, index)
        schema_editor.execute(
            f"CREATE INDEX {MODEL_INDEX} ON shop_catalog_offer "
            "USING gin ((UPPER(model::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {MODEL_INDEX}")
        for model, index in indexes(apps):
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [("shop_catalog", "0003_catalogue_version_list_indexes")]

    operations = [
        migrations.RunPython(create, drop),
    ]
