"""Writing a validated price list into a shop: the one import of the API, command and admin.

The rows come from ``shop_catalog.pricelist`` (``read_pricelist`` for bytes,
``validate_pricelist`` for a parsed dict); nothing is written unless every
row is valid. Then one transaction, holding the shop's row lock, matches
categories, products and parameters by name, creates what is missing, and
creates or updates the shop's offers in place with bulk queries (new rows as
plain tuples, no model instance each): the number of queries does not grow
with the rows. Offers missing from the file are set to zero stock or
deactivated, never deleted (order lines refer to them).

A file identical to the one the shop's last import wrote is not read again
while the shop's offers are as that import left them (the shop's
``pricelist_fingerprint``): the import reports it unchanged, in one query.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..bulk import bulk_update
from ..catalogue import catalogue_changed, refresh_planner_statistics
from ..conf import MISSING_POLICIES, app_settings
from ..exceptions import file_error
from ..models import (
    PATH_SEPARATOR,
    Category,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    Shop,
    refresh_min_prices,
    search_text,
)
from ..pricelist import PriceList, Row, check_format, check_size, read_pricelist, validate_pricelist
from ..pricelist.rows import MAX_SHOP_NAME
from ..signals import pricelist_imported
from ..values import scalar_text

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
IN_CHUNK = 2000  # values per "IN (...)" list, well under SQLite's variable limit
# the pg_advisory_xact_lock key of lock_catalogue(): sha256("shop_catalog.catalogue")[:8]
CATALOGUE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"shop_catalog.catalogue").digest()[:8], "big", signed=True
)
_OFFER_FIELDS = ["product", "model", "price", "price_rrc", "quantity", "is_active", "updated"]
_PRICED_FIELDS = ("product_id", "price", "is_active")  # what Product.min_price depends on

Progress = Callable[[str, int, int], None]


@dataclass
class ImportSummary:
    """What an import did. ``deactivated`` counts offers missing from the file
    that were set to zero stock or inactive (see ``IMPORT_MISSING``)."""

    shop_id: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    categories_created: int = 0
    products_created: int = 0
    parameters_created: int = 0
    missing: str = "zero_stock"
    # the same file as the shop's last import, not read again: every row unchanged
    file_unchanged: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_pricelist(
    *,
    data: dict[str, Any],
    shop: Shop | str | None = None,
    missing: str | None = None,
    create_shop: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one shop's price list given as the dict of ``pricelist.parse_pricelist``.

    - ``shop``: a Shop, a shop name, or None for the ``shop`` named in the
      file. A file naming another shop than ``shop`` is refused. A name not
      found is an error unless ``create_shop`` (management command, admin).
    - ``missing``: "zero_stock" or "deactivate" for the shop's offers not in
      the file; default ``SHOP_CATALOG["IMPORT_MISSING"]``. Offers are never
      deleted.
    - ``progress``: optional ``callable(stage, done, total)``.

    Every row is validated first; any problem raises ``PriceListError`` with
    all of them and nothing is changed. Importing the same data twice
    reports everything ``unchanged`` the second time. Sends
    ``pricelist_imported`` after the commit.
    """
    missing = _missing_policy(missing)
    return write_pricelist(
        validate_pricelist(data),
        shop=shop,
        missing=missing,
        create_shop=create_shop,
        progress=progress,
    )


def import_pricelist_file(
    *,
    content: bytes,
    fmt: str,
    shop: Shop | str | None = None,
    missing: str | None = None,
    create_shop: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """``import_pricelist`` of ``content`` in the format ``fmt`` (``pricelist.read_pricelist``).

    The file the shop's last import wrote, while its offers are as that
    import left them, is not read again: the summary has ``file_unchanged``
    and every row ``unchanged``, and ``pricelist_imported`` is not sent.
    """
    missing = _missing_policy(missing)
    check_format(fmt)
    check_size(len(content))
    fingerprint = f"{hashlib.sha256(content).hexdigest()}:{fmt}:{missing}:"
    skipped = _unchanged_file(fingerprint, shop)
    if skipped is not None:
        return skipped
    return write_pricelist(
        read_pricelist(content, fmt),
        shop=shop,
        missing=missing,
        create_shop=create_shop,
        progress=progress,
        fingerprint=fingerprint,
    )


def _offers_state(shop_id: int) -> str:
    """What other writers change without a signal (an order's stock decrement)."""
    state = Offer.objects.filter(shop_id=shop_id).aggregate(
        n=Count("pk"), stock=Sum("quantity"), active=Count("pk", filter=Q(is_active=True))
    )
    return f"{state['n']}.{state['stock'] or 0}.{state['active']}"


def _unchanged_file(fingerprint: str, shop: Shop | str | None) -> ImportSummary | None:
    """The summary of skipping a file the shop's last import wrote, or None to import it."""
    shops = Shop.objects.filter(pricelist_fingerprint__startswith=fingerprint)
    if isinstance(shop, Shop):
        shops = shops.filter(pk=shop.pk)
    elif shop:
        shops = shops.filter(name=scalar_text(shop))
    for found in shops.only("pk", "pricelist_fingerprint"):
        rows, state = found.pricelist_fingerprint[len(fingerprint) :].split(":")
        if state == _offers_state(found.pk):
            missing = fingerprint.split(":")[2]
            return ImportSummary(
                shop_id=found.pk, unchanged=int(rows), missing=missing, file_unchanged=True
            )
    return None


def _missing_policy(missing: str | None) -> str:
    missing = missing or app_settings.IMPORT_MISSING
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, not {missing!r}")
    return missing


def write_pricelist(
    pricelist: PriceList,
    *,
    shop: Shop | str | None,
    missing: str,
    create_shop: bool = False,
    progress: Progress | None = None,
    fingerprint: str = "",
) -> ImportSummary:
    """Write a validated price list in one transaction (see ``import_pricelist``).

    ``fingerprint``: the file's (``import_pricelist_file``), kept on the shop
    with the state the import leaves, so the same file is skipped next time.
    """
    report = progress or (lambda stage, done, total: None)
    total = len(pricelist.rows)
    report("validated", total, total)
    with transaction.atomic():
        shop_obj = _locked_shop(_resolve_shop(shop, pricelist.shop, create_shop))
        summary = ImportSummary(shop_id=shop_obj.pk, missing=missing)
        product_ids = _catalogue(pricelist.rows, summary)
        parameter_ids = _parameters(pricelist.rows, summary)
        report("catalogue", total, total)
        _write_offers(shop_obj, pricelist.rows, product_ids, parameter_ids, summary, report)
        if total - summary.unchanged or summary.deactivated or summary.categories_created:
            catalogue_changed()
        if fingerprint:
            fingerprint += f"{total}:{_offers_state(shop_obj.pk)}"
        if fingerprint != shop_obj.pricelist_fingerprint:
            Shop.objects.filter(pk=shop_obj.pk).update(pricelist_fingerprint=fingerprint)
        if summary.created:  # new rows: the planner needs statistics to use them well
            added = summary.created
            transaction.on_commit(lambda: refresh_planner_statistics(rows_added=added))
        transaction.on_commit(lambda: _send_imported(shop_obj, summary))
    report("done", total, total)
    return summary


# ------------------------------------------------------------------ the shop


def _resolve_shop(shop: Shop | str | None, file_shop: str, create_shop: bool) -> Shop:
    """The shop to import into; refuses a file naming another shop."""
    instance = shop if isinstance(shop, Shop) else _shop_by_name(shop, file_shop, create_shop)
    if file_shop and file_shop != instance.name:
        raise file_error(
            _("The price list is for shop %(file)s, not %(shop)s.")
            % {"file": file_shop, "shop": instance.name},
            "shop_mismatch",
            field="shop",
        )
    return instance


def _shop_by_name(shop: str | None, file_shop: str, create_shop: bool) -> Shop:
    """The shop named ``shop`` (else the file's); a missing one is created race-free."""
    name = scalar_text(shop) or file_shop
    if not name:
        raise file_error(_("No shop given."), "no_shop", field="shop")
    if len(name) > MAX_SHOP_NAME:
        raise file_error(
            _("At most %(n)d characters.") % {"n": MAX_SHOP_NAME}, "max_length", field="shop"
        )
    if create_shop:
        # get_or_create: a concurrent import creating the same shop is no IntegrityError
        return Shop.objects.get_or_create(name=name)[0]
    instance = Shop.objects.filter(name=name).first()
    if instance is None:
        raise file_error(_("No shop named %(name)s.") % {"name": name}, "unknown_shop", "shop")
    return instance


def _locked_shop(shop: Shop) -> Shop:
    # one writer of a shop's offers at a time (see services.shops.shop_locked())
    return Shop.objects.select_for_update(no_key=True).get(pk=shop.pk)


# ------------------------------------------------------------------ categories, products


def _chunks(values: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _taken_slugs(model: type, slugs: list[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(sorted(set(slugs))):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    return taken


def _free_slug(base: str, salt: str, taken: set[str]) -> str:
    """``base`` when free, else ``base`` and a hash of ``salt`` (and a number if need be)."""
    if base not in taken:
        return base
    stem = f"{base[:190]}-{hashlib.sha1(salt.encode()).hexdigest()[:8]}"
    slug, n = stem, 1
    while slug in taken:
        n += 1
        slug = f"{stem}-{n}"
    return slug


def _unique_slugs(bases: list[str], model: type, salt: list[str]) -> list[str]:
    """Slugs for new rows: the plain base when free, else base + a stable hash."""
    taken = _taken_slugs(model, bases)
    result = []
    for base, extra in zip(bases, salt, strict=True):
        slug = _free_slug(base, extra, taken)
        taken.add(slug)
        result.append(slug)
    # a hashed slug could collide with a row already in the table: check once
    clash = _taken_slugs(model, [s for s, b in zip(result, bases, strict=True) if s != b])
    return [f"{s}-{hashlib.sha1(s.encode()).hexdigest()[:6]}" if s in clash else s for s in result]


def lock_catalogue() -> None:
    """Take the catalogue lock until the transaction ends (PostgreSQL; a no-op elsewhere).

    Imports of *different* shops may create the same new categories and
    products; their names are not unique in the database, so each import
    takes this transaction-level advisory lock before it reads again what is
    missing and creates it. Imports that create nothing never take it. SQLite
    runs one writing transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATALOGUE_LOCK_KEY])


def _find_or_lock(find: Callable[[set], dict], keys: set) -> dict:
    """``find(keys)``; when some are missing, take the catalogue lock and look again."""
    found = find(keys)
    if keys - set(found):
        lock_catalogue()
        found.update(find(keys - set(found)))  # created meanwhile?
    return found


def _catalogue(rows: list[Row], summary: ImportSummary) -> dict[tuple[str, str], int]:
    """(product name, category name) of each row -> product id, creating what is missing."""
    category_ids = _categories({r.category for r in rows}, summary)
    keys = {(r.name, category_ids[r.category]) for r in rows}
    product_ids = _products(keys, summary)
    return {(r.name, r.category): product_ids[(r.name, category_ids[r.category])] for r in rows}


def _find_categories(names: set[str]) -> dict[str, tuple[int, int]]:
    """Category name -> (depth, id) of the shallowest, then oldest, category of that name."""
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(sorted(names)):
        rows = Category.objects.filter(name__in=chunk).values_list("pk", "name", "depth")
        for pk, name, depth in rows:
            found[name] = min(found.get(name, (depth, pk)), (depth, pk))
    return found


def _categories(names: set[str], summary: ImportSummary) -> dict[str, int]:
    """Category name -> id; a name not in the tree becomes a new root category."""
    found = {name: pk for name, (_depth, pk) in _find_or_lock(_find_categories, names).items()}
    missing = sorted(names - set(found))
    if missing:
        found.update(_create_categories(missing))
        summary.categories_created = len(missing)
    return found


def _create_categories(names: list[str]) -> dict[str, int]:
    """New root categories named ``names``; their ids by name."""
    bases = [slugify(n, allow_unicode=True)[:180] or "category" for n in names]
    slugs = _unique_slugs(bases, Category, names)
    created = Category.objects.bulk_create(
        [Category(name=n, slug=s, path="", depth=0) for n, s in zip(names, slugs, strict=True)]
    )
    if any(c.pk is None for c in created):  # a database without RETURNING
        created = list(Category.objects.filter(slug__in=slugs))
    for category in created:
        category.path = f"{category.pk}{PATH_SEPARATOR}"
    Category.objects.bulk_update(created, ["path"], batch_size=BATCH_SIZE)
    return {category.name: category.pk for category in created}


def _find_products(keys: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """(name, category id) -> id of the oldest such product."""
    found: dict[tuple[str, int], int] = {}
    # by name alone: "name IN (...) AND category_id IN (...)" makes PostgreSQL
    # descend its (name, category) index once per pair of values (minutes at scale)
    for chunk in _chunks(sorted({k[0] for k in keys})):
        qs = Product.objects.filter(name__in=chunk).order_by("pk")
        for pk, name, category_id in qs.values_list("pk", "name", "category_id"):
            if (name, category_id) in keys:
                found.setdefault((name, category_id), pk)
    return found


def _products(keys: set[tuple[str, int]], summary: ImportSummary) -> dict[tuple[str, int], int]:
    """(name, category id) -> product id, creating the products not yet known."""
    found = _find_or_lock(_find_products, keys)
    missing = sorted(keys - set(found))
    if missing:
        created = _create_products(missing)
        found.update(created)
        summary.products_created = len(created)
    return found


def _create_products(keys: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """New products (name, category id) inserted as rows; their ids, found by slug."""
    bases = [slugify(name, allow_unicode=True)[:200] or "product" for name, _c in keys]
    slugs = _unique_slugs(bases, Product, [f"{n}|{c}" for n, c in keys])
    created = Product._meta.get_field("created").get_db_prep_save(timezone.now(), connection)
    _insert_rows(
        Product,
        ["name", "category", "slug", "search_text", "description", "is_active", "created"],
        [
            (name, cid, slug, search_text(name)[:255], "", True, created)
            for (name, cid), slug in zip(keys, slugs, strict=True)
        ],
    )
    found: dict[tuple[str, int], int] = {}
    for chunk in _chunks(slugs):
        for pk, name, cid in Product.objects.filter(slug__in=chunk).values_list(
            "pk", "name", "category_id"
        ):
            found[(name, cid)] = pk
    return found


def _parameters(rows: list[Row], summary: ImportSummary) -> dict[str, int]:
    """Parameter name -> id for every parameter of the rows, creating new ones."""
    names = sorted({name for r in rows for name in r.parameters})
    found: dict[str, int] = {}
    for chunk in _chunks(names):
        found.update(Parameter.objects.filter(name__in=chunk).values_list("name", "pk"))
    missing = [n for n in names if n not in found]
    if missing:
        # ignore_conflicts: another shop's import may create the same name meanwhile
        Parameter.objects.bulk_create([Parameter(name=n) for n in missing], ignore_conflicts=True)
        for chunk in _chunks(missing):
            found.update(Parameter.objects.filter(name__in=chunk).values_list("name", "pk"))
        summary.parameters_created = len(missing)
    return found


# ------------------------------------------------------------------ offers


def _write_offers(
    shop: Shop,
    rows: list[Row],
    product_ids: dict[tuple[str, str], int],
    parameter_ids: dict[str, int],
    summary: ImportSummary,
    report: Progress,
) -> None:
    """Create, update and mark missing the shop's offers; count them in ``summary``."""
    total, now = len(rows), timezone.now()
    stored, changed, repriced = _changed_offers(shop, rows, product_ids, now)
    created = _create_offers(
        shop, [r for r in rows if r.external_id not in stored], product_ids, now
    )
    ids = {**{key: o.pk for key, o in stored.items()}, **created}
    report("offers", total, total)
    # an offer whose only change is a parameter counts as updated too
    skip = set(created.values()) | {o.pk for o in changed}
    by_pk = {o.pk: o for o in stored.values()}
    for offer_id in _sync_parameters(shop, rows, ids, parameter_ids) - skip:
        by_pk[offer_id].updated = now
        changed.append(by_pk[offer_id])
    report("parameters", total, total)
    in_file = {r.external_id for r in rows}
    gone = [o for external_id, o in stored.items() if external_id not in in_file]
    marked, change = _missing_changes(gone, summary.missing)
    _lock_offers([o.pk for o in changed] + marked)
    bulk_update(changed, _OFFER_FIELDS)
    for chunk in _chunks(marked):
        # a plain UPDATE: the prices are refreshed below with the rest
        QuerySet.update(Offer.objects.filter(pk__in=chunk), updated=now, **change)
    priced = {product_ids[(r.name, r.category)] for r in rows if r.external_id not in stored}
    priced |= repriced
    if "is_active" in change:
        deactivated = set(marked)
        priced |= {o.product_id for o in gone if o.pk in deactivated}
    refresh_min_prices(priced)
    summary.deactivated, summary.created, summary.updated = len(marked), len(created), len(changed)
    summary.unchanged = total - summary.created - summary.updated


def _shop_offers(shop: Shop) -> dict[str, Offer]:
    fields = ["pk", "external_id", "product_id", "model", "price", "price_rrc", "quantity"]
    offers = Offer.objects.filter(shop=shop).only(*fields, "is_active")
    return {offer.external_id: offer for offer in offers}


def _changed_offers(
    shop: Shop, rows: list[Row], product_ids: dict[tuple[str, str], int], now: Any
) -> tuple[dict[str, Offer], list[Offer], set[int]]:
    """The shop's stored offers by external id, those the rows change, and the
    products whose lowest price these changes may move (before and after).

    Changed offers are modified in memory only; they are written together
    with the offers whose parameters changed (``_write_offers``).
    """
    stored = _shop_offers(shop)
    changed: list[Offer] = []
    repriced: set[int] = set()
    for r in rows:
        offer = stored.get(r.external_id)
        if offer is None:
            continue
        values = {
            "product_id": product_ids[(r.name, r.category)],
            "model": r.model,
            "price": r.price,
            "price_rrc": r.price_rrc,
            "quantity": r.quantity,
            "is_active": True,
        }
        if any(getattr(offer, k) != v for k, v in values.items()):
            if any(getattr(offer, k) != values[k] for k in _PRICED_FIELDS):
                repriced |= {offer.product_id, values["product_id"]}
            for k, v in values.items():
                setattr(offer, k, v)
            offer.updated = now
            changed.append(offer)
    return stored, changed, repriced


def _create_offers(
    shop: Shop, rows: list[Row], product_ids: dict[tuple[str, str], int], now: Any
) -> dict[str, int]:
    """New offers of ``rows`` inserted as rows; their ids by external id."""
    if not rows:
        return {}
    price = Offer._meta.get_field("price")

    def money(value: Any) -> Any:
        return None if value is None else price.get_db_prep_save(value, connection)

    updated = Offer._meta.get_field("updated").get_db_prep_save(now, connection)
    _insert_rows(
        Offer,
        ["product", "shop", "external_id", "model", "price", "price_rrc", "quantity"]
        + ["is_active", "updated"],
        [
            (product_ids[(r.name, r.category)], shop.pk, r.external_id, r.model)
            + (money(r.price), money(r.price_rrc), r.quantity, True, updated)
            for r in rows
        ],
    )
    ids: dict[str, int] = {}
    for chunk in _chunks([r.external_id for r in rows]):
        found = Offer.objects.filter(shop=shop, external_id__in=chunk)
        ids.update(found.values_list("external_id", "pk"))
    return ids


def _wanted_parameters(
    rows: list[Row], offer_ids: dict[str, int], parameter_ids: dict[str, int]
) -> dict[tuple[int, int], str]:
    """(offer id, parameter id) -> value, as the file says."""
    return {
        (offer_ids[r.external_id], parameter_ids[name]): value
        for r in rows
        for name, value in r.parameters.items()
    }


def _sync_parameters(
    shop: Shop, rows: list[Row], offer_ids: dict[str, int], parameter_ids: dict[str, int]
) -> set[int]:
    """Make the offers' parameters those of the file; return ids of offers changed.

    Offers not in the file keep their parameters.
    """
    wanted = _wanted_parameters(rows, offer_ids, parameter_ids)
    in_file = {offer_ids[r.external_id] for r in rows}
    values = OfferParameter.objects.filter(offer__shop=shop).values_list(
        "pk", "offer_id", "parameter_id", "value"
    )
    stored = [(pk, (offer, param), value) for pk, offer, param, value in values if offer in in_file]
    seen = {key for _pk, key, _value in stored}
    to_delete = [pk for pk, key, _value in stored if key not in wanted]
    to_update = [
        OfferParameter(pk=pk, value=wanted[key])
        for pk, key, value in stored
        if key in wanted and wanted[key] != value
    ]
    to_create = [
        (offer_id, parameter_id, value)
        for (offer_id, parameter_id), value in wanted.items()
        if (offer_id, parameter_id) not in seen
    ]
    _write_parameters(to_delete, to_update, to_create)
    changed = {key[0] for _pk, key, value in stored if wanted.get(key) != value}
    return changed | {offer_id for offer_id, _parameter, _value in to_create}


def _write_parameters(
    to_delete: list[int], to_update: list[OfferParameter], to_create: list[tuple[int, int, str]]
) -> None:
    for chunk in _chunks(to_delete):
        OfferParameter.objects.filter(pk__in=chunk).delete()
    bulk_update(to_update, ["value"])
    _insert_rows(OfferParameter, ["offer", "parameter", "value"], to_create)


def _insert_rows(model: type, fields: list[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (values of ``fields``) as plain tuples in one executemany.

    A file brings five or more parameter values per offer: building a model
    instance for each was most of an import's writing time.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
            rows,
        )


def _missing_changes(gone: list[Offer], missing: str) -> tuple[list[int], dict[str, Any]]:
    """Ids of the offers missing from the file that change, and the change: zero stock or
    inactive. Offers are never deleted."""
    if missing == "zero_stock":
        return [o.pk for o in gone if o.quantity > 0], {"quantity": 0}
    return [o.pk for o in gone if o.is_active], {"is_active": False}


def _lock_offers(ids: list[int]) -> None:
    """Lock the offers about to change, in id order (PostgreSQL: FOR NO KEY UPDATE).

    An order package's checkout updates the offers of a cart in id order too,
    so an import and a checkout touching the same offers wait for each other
    instead of deadlocking. "No key": order lines may still reference them.
    """
    for chunk in _chunks(sorted(ids)):
        list(
            Offer.objects.filter(pk__in=chunk)
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk")
        )


def _send_imported(shop: Shop, summary: ImportSummary) -> None:
    """``pricelist_imported`` to every receiver; one that fails is logged, never the
    import's error (it has been committed)."""
    for receiver, result in pricelist_imported.send_robust(sender=Shop, shop=shop, summary=summary):
        if isinstance(result, Exception):
            logger.error("pricelist_imported receiver %r failed", receiver, exc_info=result)
