"""The catalogue version, and the cache of anonymous catalogue pages keyed by it.

Every write to the public catalogue starts a new version (a new random token
in ``CatalogueVersion``): saves and deletes of the catalogue's models through
the ORM (``receivers.py``), the price-list import, and any other code that
writes them in bulk and calls ``catalogue_changed()``. The token changes in
the writer's own transaction, and a reader reads the token before the data:
so a reader can file new data under an old token (harmless, the old token is
never read again) but never old data under the new one.

With ``SHOP_CATALOG["CACHE"]`` on, the product list and detail answer
anonymous requests from Django's cache ``CACHE_ALIAS`` under the current
token, and the list's COUNT is cached per filter the same way, so paging
through a result does not count it again. Any cache works, a per-process one
too: the token lives in the database, so every process sees a write at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import uuid4

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, router

from .conf import app_settings
from .models import CatalogueVersion

T = TypeVar("T")
VERSION_PK = 1
# The tables whose statistics SQLite's planner needs for the product list's filters.
PLANNER_TABLES = (
    "shop_catalog_category",
    "shop_catalog_product",
    "shop_catalog_offer",
    "shop_catalog_offerparameter",
    "shop_catalog_parameter",
    "shop_catalog_shop",
)
PG_ANALYZE_ROWS = 1000
# PostgreSQL: the catalogue's GIN indexes (search) that the caller owns, each
# merging its pending entries into the index.
PG_CLEAN_GIN_SQL = """
SELECT gin_clean_pending_list(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE am.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])
  AND pg_has_role(c.relowner, 'USAGE')
"""


def catalogue_changed() -> None:
    """Start a new catalogue version: every cached page and count is stale from now on.

    Called for every ORM save and delete of the catalogue's models and by the
    import; call it after writing catalogue tables with ``QuerySet.update()``
    or bulk methods (for example a stock decrement), in the same transaction.
    One query (an upsert), no read; none while caching is off, so writers do not
    queue on the one version row for nothing (turning the cache on starts a new
    version at the first write; until then the cache is not read).
    """
    if not app_settings.CACHE:
        return
    CatalogueVersion.objects.bulk_create(
        [CatalogueVersion(pk=VERSION_PK, token=uuid4().hex)],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["token"],
    )


def catalogue_version() -> str | None:
    """The current token, or None when caching is off or no write has set one yet."""
    if not app_settings.CACHE:
        return None
    # plain SQL: the one query of a cached page, where building it with the ORM cost more
    connection = connections[router.db_for_read(CatalogueVersion)]
    table = connection.ops.quote_name(CatalogueVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = %s", [VERSION_PK])
        row = cursor.fetchone()
    return row[0] if row else None


def cache_key(version: str | None, kind: str, *parts: str) -> str | None:
    """The key of ``parts`` under ``version`` (None: do not cache)."""
    if version is None:
        return None
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"shop_catalog:{kind}:{version}:{digest}"


def cached_value(key: str | None, build: Callable[[], T]) -> T:
    """The value cached under ``key``, else ``build()`` stored there (``key`` None: no cache)."""
    if key is None:
        return build()
    cache = caches[app_settings.CACHE_ALIAS]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, app_settings.CACHE_TIMEOUT)
    return value


def store(key: str | None, value: Any) -> None:
    """Keep ``value`` under ``key`` (``key`` None: nothing)."""
    if key is not None:
        caches[app_settings.CACHE_ALIAS].set(key, value, app_settings.CACHE_TIMEOUT)


def lookup(key: str | None) -> Any:
    """The value under ``key``, or None."""
    return None if key is None else caches[app_settings.CACHE_ALIAS].get(key)


def refresh_planner_statistics(
    *, full: bool = True, rows_added: int = 0, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Give the query planner statistics of the catalogue tables after they grew.

    SQLite has none until ``ANALYZE``: without them it walks every offer of a
    shop per product for ``?shop=`` (seconds at 10,000 products). ``full``:
    ``ANALYZE`` the catalogue tables (sampling at most 1,000 rows per index,
    so it stays fast at any size); otherwise ``PRAGMA optimize``, which
    analyzes only what needs it. PostgreSQL's autovacuum analyzes a grown
    table a while later; an import that added ``PG_ANALYZE_ROWS`` or more rows
    analyzes at once, so the next request is not planned on a table it thinks
    is empty (a parameter filter took 0.6 s instead of 4 ms at 100,000 products),
    and merges the search indexes' pending entries: a GIN index keeps new
    entries in a list that every search reads through until a vacuum merges
    them (searching one product right after a 10,000-goods import: 0.5 s
    instead of 50 ms).
    """
    connection = connections[using]
    tables = ", ".join(connection.ops.quote_name(table) for table in PLANNER_TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and rows_added >= PG_ANALYZE_ROWS:
            cursor.execute(f"ANALYZE {tables}")
            cursor.execute(PG_CLEAN_GIN_SQL, [list(PLANNER_TABLES)])
        elif connection.vendor == "sqlite" and not full:
            cursor.execute("PRAGMA optimize")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
            for table in PLANNER_TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
