"""PostgreSQL only: statistics of (parameter, value) pairs.

A value names its parameter ("red" is a colour), so PostgreSQL's estimate of
``parameter = 5 AND value = 'red'`` from the two columns' separate statistics
was a fifth of the offers that match. ``?parameter=`` then read every match
before its first page instead of walking products in their order. The
statistics object keeps the pairs' most common values; ``ANALYZE`` (the
import's, or autovacuum's) fills it. Other databases get nothing.
"""

from django.db import migrations

NAME = "shop_catalog_offerparameter_pair"
TABLE = "shop_catalog_offerparameter"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {NAME} (mcv, dependencies) "
            f"ON parameter_id, value FROM {TABLE}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("shop_catalog", "0009_product_search_document")]

    operations = [migrations.RunPython(create, drop)]
