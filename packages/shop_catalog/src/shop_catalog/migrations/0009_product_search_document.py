"""PostgreSQL only: the name's search document as a stored generated column.

``?search=`` matched the expression of migration 0004 (``to_tsvector`` of the
name in Russian and in English); a search that matches most products then
computed it again for each of them. Stored, PostgreSQL computes it once per
write of the name, and its GIN index replaces the expression's. Adding the
column rewrites the products table once. Other databases get nothing: they
search by substring.
"""

from django.db import migrations

TABLE = "shop_catalog_product"
COLUMN = "search_document"  # selectors.SEARCH_DOCUMENT
INDEX = "shop_catalog_product_doc"
OLD_INDEX = "shop_catalog_product_fts"  # migration 0004
DOCUMENT = (
    "to_tsvector('russian'::regconfig, COALESCE(name, '')) || "
    "to_tsvector('english'::regconfig, COALESCE(name, ''))"
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({COLUMN})")
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {OLD_INDEX} ON {TABLE} USING gin (({DOCUMENT}))")
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN {COLUMN}")  # and its index


class Migration(migrations.Migration):
    dependencies = [("shop_catalog", "0008_product_created_id_index")]

    operations = [migrations.RunPython(add_column, drop_column)]
