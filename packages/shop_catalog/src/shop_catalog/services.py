"""Business logic that writes: the price-list import and the supplier switches.

``import_pricelist()`` is the one import used by the API, the management
command, the admin and the background task.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .bulk import bulk_update
from .conf import app_settings
from .models import (
    PATH_SEPARATOR,
    Category,
    ImportJob,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    Shop,
    search_text,
)
from .pricelist import PriceListError, check_content, file_error, parse_pricelist
from .signals import pricelist_imported, shop_accepts_orders_changed
from .validation import MAX_SHOP_NAME, Row, validate_pricelist
from .values import scalar_text

logger = logging.getLogger(__name__)

MISSING_POLICIES = ("zero_stock", "deactivate")
BATCH_SIZE = 1000
IN_CHUNK = 2000  # values per "IN (...)" list, well under SQLite's variable limit
# the pg_advisory_xact_lock key of lock_catalogue(): sha256("shop_catalog.catalogue")[:8]
CATALOGUE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"shop_catalog.catalogue").digest()[:8], "big", signed=True
)

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
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("errors")
        return data


# ------------------------------------------------------------------ writing


def _chunks(values: list, size: int = IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _unique_slugs(bases: list[str], model: type, salt: list[str]) -> list[str]:
    """Slugs for new rows: the plain base when free, else base + a stable hash."""
    taken: set[str] = set()
    for chunk in _chunks(sorted(set(bases))):
        taken.update(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    result = []
    for base, extra in zip(bases, salt, strict=True):
        slug = base
        if slug in taken:
            digest = hashlib.sha1(extra.encode()).hexdigest()
            slug = f"{base[:190]}-{digest[:8]}"
            n = 1
            while slug in taken:
                n += 1
                slug = f"{base[:190]}-{digest[:8]}-{n}"
        taken.add(slug)
        result.append(slug)
    # a hashed slug could collide with a row already in the table: check once
    hashed = [s for s, b in zip(result, bases, strict=True) if s != b]
    for chunk in _chunks(hashed):
        clash = set(model.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        if clash:
            result = [
                f"{s}-{hashlib.sha1(s.encode()).hexdigest()[:6]}" if s in clash else s
                for s in result
            ]
    return result


def _resolve_shop(shop: Shop | str | None, data: dict[str, Any], create_shop: bool) -> Shop:
    """The shop to import into; a missing one is created (``create_shop``) race-free."""
    file_shop = scalar_text(data.get("shop")) or None
    if isinstance(shop, Shop):
        instance = shop
    else:
        name = scalar_text(shop) or file_shop
        if not name:
            raise file_error(_("No shop given."), "no_shop", field="shop")
        if len(name) > MAX_SHOP_NAME:
            raise file_error(
                _("At most %(n)d characters.") % {"n": MAX_SHOP_NAME}, "max_length", field="shop"
            )
        if create_shop:
            # get_or_create: a concurrent import creating the same shop is no IntegrityError
            instance, _created = Shop.objects.get_or_create(name=name)
        else:
            instance = Shop.objects.filter(name=name).first()
        if instance is None:
            raise file_error(
                _("No shop named %(name)s.") % {"name": name}, "unknown_shop", field="shop"
            )
    if file_shop and file_shop != instance.name:
        raise file_error(
            _("The price list is for shop %(file)s, not %(shop)s.")
            % {"file": file_shop, "shop": instance.name},
            "shop_mismatch",
            field="shop",
        )
    return instance


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


def _find_categories(names: set[str]) -> dict[str, tuple[int, int]]:
    """Category name -> (depth, id) of the shallowest, then oldest, category of that name."""
    found: dict[str, tuple[int, int]] = {}
    for chunk in _chunks(sorted(names)):
        for pk, name, depth in Category.objects.filter(name__in=chunk).values_list(
            "pk", "name", "depth"
        ):
            found[name] = min(found.get(name, (depth, pk)), (depth, pk))
    return found


def _categories(names: set[str], summary: ImportSummary) -> dict[str, int]:
    """Category name -> id; a name not in the tree becomes a new root category."""
    found = _find_categories(names)
    if names - set(found):
        lock_catalogue()
        found.update(_find_categories(names - set(found)))  # created meanwhile?
    missing = sorted(names - set(found))
    if missing:
        bases = [slugify(n, allow_unicode=True)[:180] or "category" for n in missing]
        slugs = _unique_slugs(bases, Category, missing)
        created = Category.objects.bulk_create(
            [
                Category(name=n, slug=s, path="", depth=0)
                for n, s in zip(missing, slugs, strict=True)
            ]
        )
        if any(c.pk is None for c in created):
            created = list(Category.objects.filter(slug__in=slugs))
        for category in created:
            category.path = f"{category.pk}{PATH_SEPARATOR}"
        Category.objects.bulk_update(created, ["path"], batch_size=BATCH_SIZE)
        summary.categories_created = len(created)
        for category in created:
            found[category.name] = (0, category.pk)
    return {name: pk for name, (_depth, pk) in found.items()}


def _find_products(keys: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """(name, category id) -> id of the oldest such product."""
    found: dict[tuple[str, int], int] = {}
    cats = sorted({k[1] for k in keys})
    for chunk in _chunks(sorted({k[0] for k in keys})):
        qs = Product.objects.filter(name__in=chunk, category_id__in=cats).order_by("pk")
        for pk, name, category_id in qs.values_list("pk", "name", "category_id"):
            if (name, category_id) in keys:
                found.setdefault((name, category_id), pk)
    return found


def _products(rows: list[Row], category_ids: dict[str, int], summary: ImportSummary) -> dict:
    """(name, category_id) -> product id, creating the products not yet known."""
    keys = {(r.name, category_ids[r.category]) for r in rows}
    found = _find_products(keys)
    if keys - set(found):
        lock_catalogue()
        found.update(_find_products(keys - set(found)))  # created meanwhile?
    missing = sorted(keys - set(found))
    if missing:
        bases = [slugify(name, allow_unicode=True)[:200] or "product" for name, _c in missing]
        slugs = _unique_slugs(bases, Product, [f"{n}|{c}" for n, c in missing])
        products = [
            Product(name=name, category_id=cid, slug=slug, search_text=search_text(name)[:255])
            for (name, cid), slug in zip(missing, slugs, strict=True)
        ]
        created = Product.objects.bulk_create(products, batch_size=BATCH_SIZE)
        if any(p.pk is None for p in created):
            created = []
            for chunk in _chunks(slugs):
                created.extend(
                    Product.objects.filter(slug__in=chunk).only("pk", "name", "category")
                )
        for product in created:
            found[(product.name, product.category_id)] = product.pk
        summary.products_created = len(created)
    return found


def _parameters(rows: list[Row], summary: ImportSummary) -> dict[str, int]:
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


_OFFER_FIELDS = ["product", "model", "price", "price_rrc", "quantity", "is_active", "updated"]


def _sync_offers(
    shop: Shop, rows: list[Row], product_ids: dict, category_ids: dict[str, int], now: Any
) -> tuple[dict[str, Offer], list[Offer], list[Offer]]:
    """Create new offers; return (all offers by external id, created, changed).

    Changed offers are modified in memory only; they are written together
    with the offers whose parameters changed (``_sync_parameters``).
    """
    existing: dict[str, Offer] = {
        o.external_id: o
        for o in Offer.objects.filter(shop=shop).only(
            "pk",
            "external_id",
            "product_id",
            "model",
            "price",
            "price_rrc",
            "quantity",
            "is_active",
        )
    }
    created: list[Offer] = []
    changed: list[Offer] = []
    for r in rows:
        values = {
            "product_id": product_ids[(r.name, category_ids[r.category])],
            "model": r.model,
            "price": r.price,
            "price_rrc": r.price_rrc,
            "quantity": r.quantity,
            "is_active": True,
        }
        offer = existing.get(r.external_id)
        if offer is None:
            created.append(Offer(shop=shop, external_id=r.external_id, updated=now, **values))
        elif any(getattr(offer, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(offer, k, v)
            offer.updated = now
            changed.append(offer)
    if created:
        Offer.objects.bulk_create(created, batch_size=BATCH_SIZE)
        if any(o.pk is None for o in created):  # a database without RETURNING
            pks: dict[str, int] = {}
            for chunk in _chunks([o.external_id for o in created]):
                pks.update(
                    Offer.objects.filter(shop=shop, external_id__in=chunk).values_list(
                        "external_id", "pk"
                    )
                )
            for o in created:
                o.pk = pks[o.external_id]
        for o in created:
            existing[o.external_id] = o
    return existing, created, changed


def _sync_parameters(
    shop: Shop, rows: list[Row], offers: dict[str, Offer], parameter_ids: dict[str, int]
) -> set[int]:
    """Make the offers' parameters those of the file; return ids of offers changed.

    Offers not in the file keep their parameters.
    """
    wanted: dict[tuple[int, int], str] = {}
    for r in rows:
        offer_id = offers[r.external_id].pk
        for pname, value in r.parameters.items():
            wanted[(offer_id, parameter_ids[pname])] = value
    in_file = {offers[r.external_id].pk for r in rows}
    stored = OfferParameter.objects.filter(offer__shop=shop).values_list(
        "pk", "offer_id", "parameter_id", "value"
    )
    changed: set[int] = set()
    to_update: list[OfferParameter] = []
    to_delete: list[int] = []
    seen: set[tuple[int, int]] = set()
    for pk, offer_id, parameter_id, value in stored:
        if offer_id not in in_file:
            continue
        key = (offer_id, parameter_id)
        seen.add(key)
        if key not in wanted:
            to_delete.append(pk)
            changed.add(offer_id)
        elif wanted[key] != value:
            to_update.append(OfferParameter(pk=pk, value=wanted[key]))
            changed.add(offer_id)
    to_create = [
        OfferParameter(offer_id=offer_id, parameter_id=parameter_id, value=value)
        for (offer_id, parameter_id), value in wanted.items()
        if (offer_id, parameter_id) not in seen
    ]
    changed.update(p.offer_id for p in to_create)
    for chunk in _chunks(to_delete):
        OfferParameter.objects.filter(pk__in=chunk).delete()
    bulk_update(to_update, ["value"])
    OfferParameter.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    return changed


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


def import_pricelist(
    *,
    data: dict[str, Any],
    shop: Shop | str | None = None,
    missing: str | None = None,
    create_shop: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one shop's price list (the dict of ``pricelist.parse_pricelist``).

    - ``shop``: a Shop, a shop name, or None for the ``shop`` named in the
      file. A file naming another shop than ``shop`` is refused. A name not
      found is an error unless ``create_shop`` (management command, admin).
    - ``missing``: "zero_stock" or "deactivate" for the shop's offers not in
      the file; default ``SHOP_CATALOG["IMPORT_MISSING"]``. Offers are never
      deleted.
    - ``progress``: optional ``callable(stage, done, total)``.

    Every row is validated first; any error raises ``PriceListError`` with
    all row errors and nothing is changed. Then one transaction writes with
    bulk queries (a fixed number of queries, not one per row). Importing the
    same data twice reports everything ``unchanged`` the second time.
    Sends ``pricelist_imported`` after commit.
    """
    missing = missing or app_settings.IMPORT_MISSING
    if missing not in MISSING_POLICIES:
        raise ValueError(f"missing must be one of {MISSING_POLICIES}, not {missing!r}")
    report = progress or (lambda stage, done, total: None)
    rows, errors = validate_pricelist(data)
    if errors:
        raise PriceListError(errors)
    total = len(rows)
    report("validated", total, total)

    with transaction.atomic():
        shop_obj = _resolve_shop(shop, data, create_shop)
        # one writer of a shop's offers at a time (see shop_locked())
        shop_obj = Shop.objects.select_for_update(no_key=True).get(pk=shop_obj.pk)
        summary = ImportSummary(shop_id=shop_obj.pk, missing=missing)
        category_ids = _categories({r.category for r in rows}, summary)
        product_ids = _products(rows, category_ids, summary)
        parameter_ids = _parameters(rows, summary)
        report("catalogue", total, total)

        now = timezone.now()
        offers, created, changed = _sync_offers(shop_obj, rows, product_ids, category_ids, now)
        report("offers", total, total)
        # an offer whose only change is a parameter counts as updated too
        skip = {o.pk for o in created} | {o.pk for o in changed}
        by_pk = {o.pk: o for o in offers.values()}
        for offer_id in _sync_parameters(shop_obj, rows, offers, parameter_ids) - skip:
            by_pk[offer_id].updated = now
            changed.append(by_pk[offer_id])
        report("parameters", total, total)

        in_file = {r.external_id for r in rows}
        gone = [o for external_id, o in offers.items() if external_id not in in_file]
        marked, change = _missing_changes(gone, missing)
        _lock_offers([o.pk for o in changed] + marked)
        bulk_update(changed, _OFFER_FIELDS)
        for chunk in _chunks(marked):
            Offer.objects.filter(pk__in=chunk).update(updated=now, **change)
        summary.deactivated = len(marked)
        summary.created = len(created)
        summary.updated = len(changed)
        summary.unchanged = total - summary.created - summary.updated
        transaction.on_commit(lambda: _send_imported(shop_obj, summary))
    report("done", total, total)
    return summary


def import_pricelist_file(
    *,
    content: bytes,
    fmt: str,
    shop: Shop | str | None = None,
    missing: str | None = None,
    create_shop: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Parse ``content`` (``fmt`` one of ``PRICE_LIST_FORMATS``) and import it."""
    if fmt not in app_settings.PRICE_LIST_FORMATS:
        raise file_error(
            _("The format %(format)s is not accepted.") % {"format": fmt},
            "unknown_format",
            field="format",
        )
    if len(content) > app_settings.IMPORT_MAX_BYTES:
        raise file_error(
            _("The price list is larger than the limit."), "file_too_large", field="file"
        )
    data = parse_pricelist(content, fmt)
    return import_pricelist(
        data=data, shop=shop, missing=missing, create_shop=create_shop, progress=progress
    )


def run_import_job(*, job: ImportJob, content: bytes | None = None) -> ImportJob:
    """Run a pending job and record its outcome (``summary`` or row ``errors``).

    The price list is ``content`` if given, else the job's URL (through the
    ``URL_FETCHER`` hook) or its stored file. The job is claimed with one
    conditional UPDATE (pending -> running), so a task delivered twice, or
    picked by two workers, imports once; the other call returns the job as it is.
    """
    from .fetch import FetchError
    from .pricelist import detect_format

    pending = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING)
    if not pending.update(status=ImportJob.Status.RUNNING):
        job.refresh_from_db()
        return job
    job.status = ImportJob.Status.RUNNING
    try:
        if content is None and job.source_url:
            content = app_settings.URL_FETCHER(
                job.source_url,
                max_bytes=app_settings.IMPORT_MAX_BYTES,
                timeout=app_settings.URL_TIMEOUT,
            )
        elif content is None:
            with job.file.open("rb") as fh:
                content = fh.read()
        fmt = job.format or detect_format(job.source_url or job.file.name) or "yaml"
        summary = import_pricelist_file(
            content=content, fmt=fmt, shop=job.shop, missing=job.missing or None
        )
    except PriceListError as exc:
        _finish(job, ImportJob.Status.FAILED, errors=exc.errors)
    except FetchError as exc:
        _finish(job, ImportJob.Status.FAILED, errors=file_error(exc, "fetch_failed", "url").errors)
    except Exception:
        # not left "running" for ever; the worker (or the request) reports the error
        message = _("The import failed unexpectedly; nothing was imported. Try again.")
        _finish(job, ImportJob.Status.FAILED, errors=file_error(message, "import_failed").errors)
        raise
    else:
        _finish(job, ImportJob.Status.SUCCEEDED, summary=summary.as_dict())
    return job


def _finish(
    job: ImportJob,
    status: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    job.status, job.errors, job.summary = status, errors or [], summary or {}
    job.finished = timezone.now()
    fields = ["status", "summary", "errors", "finished"]
    if status == ImportJob.Status.FAILED and job.file:
        job.file.delete(save=False)  # a refused upload leaves no file behind
        fields.append("file")
    job.save(update_fields=fields)


def _enqueue(job: ImportJob) -> None:
    """Queue the job's task; a task backend that is down fails the job, visibly."""
    from .tasks import import_pricelist_job

    try:
        import_pricelist_job.enqueue(job.pk)
    except Exception:
        logger.exception("could not queue price-list import job %s", job.pk)
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).exists():
            message = _("The import could not be queued; nothing was imported. Try again.")
            _finish(job, ImportJob.Status.FAILED, errors=file_error(message, "queue_failed").errors)


def submit_import(
    *,
    shop: Shop,
    user: Any,
    fmt: str,
    missing: str = "",
    upload: Any = None,
    url: str = "",
) -> tuple[ImportJob, bool]:
    """Record an ``ImportJob`` for an upload or a URL; return (job, queued).

    An upload up to ``IMPORT_SYNC_MAX_BYTES`` is imported now (``queued`` is
    False, the job is finished). A larger upload is stored with the job and a
    URL is fetched later: both run as the ``import_pricelist_job`` task,
    enqueued when the transaction commits (``queued`` is True).
    """
    job = ImportJob(shop=shop, created_by=user, format=fmt, missing=missing, source_url=url)
    if upload is not None:
        # judged by content, not by name: an image called list.yaml is refused
        # now (a 400), not stored and failed later by the background job
        head = upload.read(64 * 1024)
        upload.seek(0)
        try:
            check_content(head, fmt)
        except PriceListError as exc:
            job.status, job.errors, job.finished = (
                ImportJob.Status.FAILED,
                exc.errors,
                timezone.now(),
            )
            job.save()
            return job, False
    if upload is not None and upload.size <= app_settings.IMPORT_SYNC_MAX_BYTES:
        job.save()
        return run_import_job(job=job, content=upload.read()), False
    if upload is not None:
        job.file.save(upload.name, upload, save=False)
    job.save()
    transaction.on_commit(lambda: _enqueue(job))
    return job, True


@contextmanager
def shop_locked(shop: Shop) -> Iterator[None]:
    """A transaction holding ``shop``'s row lock: writes to a shop's offers run one at a time.

    Every writer of offers in this package takes it (the import, the supplier
    API), so an import never interleaves with an edit of the same shop's offers.
    """
    with transaction.atomic():
        list(Shop.objects.select_for_update(no_key=True).filter(pk=shop.pk).values_list("pk"))
        yield


def external_id_taken(shop: Shop, external_id: str, offer: Offer | None = None) -> bool:
    """Whether another offer of ``shop`` than ``offer`` has ``external_id``."""
    clash = Offer.objects.filter(shop=shop, external_id=external_id)
    if offer is not None and offer.pk is not None:
        clash = clash.exclude(pk=offer.pk)
    return clash.exists()


def set_accepts_orders(*, shop: Shop, accepts_orders: bool, user: Any = None) -> Shop:
    """Stop or resume taking orders; sends ``shop_accepts_orders_changed`` on a change."""
    with transaction.atomic():
        changed = (
            Shop.objects.filter(pk=shop.pk)
            .exclude(accepts_orders=accepts_orders)
            .update(accepts_orders=accepts_orders)
        )
        shop.accepts_orders = accepts_orders
        if changed:
            transaction.on_commit(
                lambda: shop_accepts_orders_changed.send(
                    sender=Shop, shop=shop, user=user, accepts_orders=accepts_orders
                )
            )
    return shop
