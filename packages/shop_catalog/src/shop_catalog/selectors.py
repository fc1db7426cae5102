"""Read queries used by the views and by other packages (public API).

Other packages may rely on: ``offers_by_ids``, ``shops_of``,
``orderable_offers`` (``available_offers`` is the same), ``products``,
``product_list``, ``search_products``, ``category_subtree_ids``,
``category_tree``, ``parameter_choices``, ``external_id_taken``.

**Orderable** is one rule for the whole public catalogue (list, detail,
filters, CSV export) and for the order package's cart and checkout: an offer
can be ordered when it is active and its shop accepts orders
(``Offer.objects.orderable()``, ``offer.is_orderable``). A product is listed
when it is active and has at least one orderable offer, and it shows only its
orderable offers and the lowest price among them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.cache import caches
from django.db import connections
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from .conf import app_settings
from .models import (
    Category,
    ImportJob,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    ProductImage,
    Shop,
)


def offers_by_ids(ids: Iterable[int]) -> dict[int, Offer]:
    """Offers by primary key with ``shop`` and ``product`` selected (one query).

    Used by an order package to price a cart; inactive offers are included,
    the caller decides what to do with them (``offer.is_active``,
    ``offer.shop.accepts_orders``).
    """
    qs = Offer.objects.select_related("shop", "product", "product__category")
    return {offer.pk: offer for offer in qs.filter(pk__in=list(ids))}


def shops_of(user: Any) -> QuerySet[Shop]:
    """The shops ``user`` owns or works for (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return Shop.objects.none()
    # the auto-created through model names its columns after the models
    # (user_id for "User", account_id for "Account"): ask the field
    field = Shop.staff.field
    staffed = Shop.staff.through.objects.filter(
        **{field.m2m_field_name(): OuterRef("pk"), field.m2m_reverse_field_name(): user.pk}
    )
    return Shop.objects.filter(Q(owner_id=user.pk) | Q(Exists(staffed)))


def supplier_offers(user: Any) -> QuerySet[Offer]:
    """The offers of the shops ``user`` manages, with their parameters, oldest first."""
    parameters = OfferParameter.objects.select_related("parameter")
    return (
        Offer.objects.filter(shop__in=shops_of(user).values("pk"))
        .prefetch_related(Prefetch("parameters", queryset=parameters))
        .order_by("pk")
    )


def import_jobs_of(user: Any) -> QuerySet[ImportJob]:
    """The import jobs of the shops ``user`` manages, newest first."""
    return ImportJob.objects.filter(shop__in=shops_of(user).values("pk"))


def recent_imports(limit: int = 5) -> list[ImportJob]:
    """The newest import jobs of every shop, with their shop, for a staff page (one query)."""
    return list(ImportJob.objects.select_related("shop").order_by("-created", "-pk")[:limit])


#: The stages an import reports, in order (what ``import_progress`` returns).
IMPORT_STAGES = ("validated", "catalogue", "offers", "parameters")


def progress_key(job_pk: int) -> str:
    return f"shop_catalog:import-progress:{job_pk}"


def import_progress(job: ImportJob) -> dict[str, Any] | None:
    """How far a running job has come: ``{"stage", "step", "steps", "rows"}``, the
    last finished stage of ``IMPORT_STAGES`` (``validated``, ``catalogue``,
    ``offers``, ``parameters``) and its number; None before the first stage
    and once the job is no longer running. One cache read, no query."""
    if job.status != ImportJob.Status.RUNNING:
        return None
    found = caches[app_settings.CACHE_ALIAS].get(progress_key(job.pk))
    if not found:
        return None
    step = IMPORT_STAGES.index(found["stage"]) + 1
    return {**found, "step": step, "steps": len(IMPORT_STAGES)}


EXPORT_ROW_FIELDS = (
    "shop__name",
    "external_id",
    "product__category__name",
    "model",
    "product__name",
    "price",
    "price_rrc",
    "quantity",
)


def export_offers(
    offers: QuerySet[Offer] | None, products: QuerySet[Product]
) -> tuple[list[str], Iterator[tuple[tuple[Any, ...], dict[str, str]]]]:
    """The rows of the CSV export: parameter names, and per offer its values
    (``EXPORT_ROW_FIELDS``) with its parameters by name, as plain rows.

    ``offers``: the orderable offers that match the offer filters (None: all
    orderable offers); only those of ``products`` are kept, by product name.
    Read in chunks: the queries do not grow with the rows' size in memory.
    """
    offers = (orderable_offers() if offers is None else offers).filter(
        product__in=products.order_by().values("pk")
    )
    names = list(
        Parameter.objects.filter(values__offer__in=offers.values("pk"))
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    rows = offers.order_by(Lower("product__name"), "product_id", "pk").values_list(
        "pk", *EXPORT_ROW_FIELDS
    )
    return names, _with_parameters(rows)


def _with_parameters(rows: QuerySet) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(row)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_parameters(chunk)
            chunk = []
    yield from _chunk_parameters(chunk)


def _chunk_parameters(
    chunk: list[tuple[Any, ...]],
) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    values: dict[int, dict[str, str]] = {row[0]: {} for row in chunk}
    if values:
        found = OfferParameter.objects.filter(offer_id__in=list(values)).values_list(
            "offer_id", "parameter__name", "value"
        )
        for offer_id, name, value in found:
            values[offer_id][name] = value
    for row in chunk:
        yield row[1:], values[row[0]]


def external_id_taken(shop: Shop, external_id: str, offer: Offer | None = None) -> bool:
    """Whether another offer of ``shop`` than ``offer`` has ``external_id``."""
    clash = Offer.objects.filter(shop=shop, external_id=external_id)
    if offer is not None and offer.pk is not None:
        clash = clash.exclude(pk=offer.pk)
    return clash.exists()


def category_path_subquery(value: Any) -> Subquery:
    """The path of the category given by id or slug, for ``path__startswith``."""
    text = str(value)
    lookup = Q(slug=text)
    # isdecimal, not isdigit: int() refuses "²", a digit that is no decimal digit
    if text.isdecimal() and len(text) < 19:  # fits a 64-bit key
        lookup |= Q(pk=int(text))
    return Subquery(Category.objects.filter(lookup).values("path")[:1])


def category_subtree_ids(value: Any) -> QuerySet:
    """Ids of a category (id or slug) and all its descendants: one subquery."""
    return Category.objects.filter(path__startswith=category_path_subquery(value)).values("pk")


def orderable_offers() -> QuerySet[Offer]:
    """Offers a customer can order now: active, of a shop that accepts orders.

    ``Offer.objects.orderable()``; ``offer.is_orderable`` checks one offer.
    """
    return Offer.objects.orderable()


# The catalogue's word for the same rule: the offers a product page shows.
available_offers = orderable_offers


def _offers_with_relations() -> QuerySet[Offer]:
    """Available offers with their shop and parameters, for prefetching."""
    return (
        orderable_offers()
        .select_related("shop")
        .prefetch_related(
            Prefetch(
                "parameters",
                queryset=OfferParameter.objects.select_related("parameter").order_by(
                    "parameter__name"
                ),
            )
        )
    )


def products() -> QuerySet[Product]:
    """The products of the public catalogue: active, with at least one available offer.

    Category selected, no relations prefetched; ``min_price`` is the lowest
    price of their available offers (a stored field, None exactly when there
    is none). The default ``ProductSerializer`` loads offers and images for a
    whole page itself (``product_relations()``); other serializers get
    ``product_list()``.
    """
    return Product.objects.filter(is_active=True, min_price__isnull=False).select_related(
        "category"
    )


def product_list() -> QuerySet[Product]:
    """``products()`` with their available offers (shop, parameters) and
    images prefetched.

    A constant number of queries whatever the number of products.
    """
    return products().prefetch_related(
        Prefetch("offers", queryset=_offers_with_relations()),
        Prefetch("images", queryset=ProductImage.objects.all()),
    )


OFFER_ROW_FIELDS = (
    "id",
    "product_id",
    "model",
    "price",
    "price_rrc",
    "quantity",
    "shop_id",
    "shop__name",
    "shop__accepts_orders",
)


def product_relations(
    product_ids: list[int],
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[ProductImage]]]:
    """Orderable offers and images of some products as plain data (three queries).

    Returns ``(offers, images)`` keyed by product id. An offer is a dict with
    ``id``, ``model``, ``price``, ``price_rrc``, ``quantity``, ``shop`` (``id``,
    ``name``, ``accepts_orders``) and ``parameters`` (``[{"name", "value"}]``
    by name), offers cheapest first; images are ``ProductImage`` instances in
    their order. The same data ``product_list()`` prefetches, without
    building a model instance per offer, shop and parameter.
    """
    offers: dict[int, list[dict[str, Any]]] = {pk: [] for pk in product_ids}
    images: dict[int, list[ProductImage]] = {pk: [] for pk in product_ids}
    if not product_ids:
        return offers, images
    by_id = _offer_rows(product_ids)
    for product_id, offer in by_id.values():
        offers[product_id].append(offer)
    _add_parameters({pk: offer for pk, (_product, offer) in by_id.items()})
    for image in ProductImage.objects.filter(product_id__in=product_ids):
        images[image.product_id].append(image)
    return offers, images


def _offer_rows(product_ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
    """Offer id -> (product id, offer as a dict without parameters), cheapest first."""
    rows = (
        orderable_offers()
        .filter(product_id__in=product_ids)
        .order_by("price", "pk")
        .values_list(*OFFER_ROW_FIELDS)
    )
    return {
        pk: (
            product_id,
            {
                "id": pk,
                "shop": {"id": shop_id, "name": shop_name, "accepts_orders": accepts},
                "model": model,
                "price": price,
                "price_rrc": rrc,
                "quantity": quantity,
                "parameters": [],
            },
        )
        for pk, product_id, model, price, rrc, quantity, shop_id, shop_name, accepts in rows
    }


def _add_parameters(offers: dict[int, dict[str, Any]]) -> None:
    """Fill each offer dict's ``parameters`` (by name), in one query."""
    if not offers:
        return
    values = (
        OfferParameter.objects.filter(offer_id__in=list(offers))
        .order_by("parameter__name")
        .values_list("offer_id", "parameter__name", "value")
    )
    for offer_id, name, value in values:
        offers[offer_id]["parameters"].append({"name": name, "value": value})


EXPORT_CHUNK = 2000  # offers per query of their parameters (under SQLite's variable limit)
SEARCH_CONFIGS = ("russian", "english")


# A stored generated column on PostgreSQL (migration 0009, GIN-indexed): the
# name's words in Russian and in English. Not a model field: other databases
# have no such column.
SEARCH_DOCUMENT = "search_document"


def search_document() -> Any:
    """The stored search document of a product, for ``@@`` with a ``SearchQuery``.

    django.contrib.postgres is imported here, not at the top: on Django 6.1 it
    loads psycopg, which a project on another database need not have.
    """
    from django.contrib.postgres.search import SearchVectorField

    return RawSQL(SEARCH_DOCUMENT, [], output_field=SearchVectorField())


def search_products(queryset: QuerySet[Product], text: str) -> QuerySet[Product]:
    """The products of ``queryset`` whose name or an orderable offer's model matches ``text``.

    PostgreSQL: full-text search of the name in the Russian and English
    configurations ("телефоны" finds "Телефон", "phones" finds "phone";
    web-search syntax: words, "quoted phrase", -word, or), or, for a single
    word, a name with a word close to it (pg_trgm's word similarity at least its
    ``pg_trgm.word_similarity_threshold``, 0.6 by default: a letter missing,
    or a wrong one in a longer word), or a model containing ``text``; each
    has a GIN index (migrations 0004 and 0009, the name's words stored in
    ``SEARCH_DOCUMENT``). Other databases: the name or the model contains
    ``text`` (case-insensitive).
    """
    text = text.strip()
    if not text:
        return queryset
    models = orderable_offers().filter(model__icontains=text)
    if connections[queryset.db].vendor != "postgresql":
        by_model = models.values("product_id")  # read once, not per product
        return queryset.filter(Q(search_text__contains=text.casefold()) | Q(pk__in=by_model))
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(text, config=SEARCH_CONFIGS[0], search_type="websearch")
    query |= SearchQuery(text, config=SEARCH_CONFIGS[1], search_type="websearch")
    match = Q(document=query)
    if len(text.split()) == 1:  # a typo in one word; several words already narrow by words
        match |= Q(TrigramWordSimilar(F("name"), text))
    names = Product.objects.alias(document=search_document()).filter(match)
    # Two INs joined by OR: for a word most products have, PostgreSQL walks the
    # list's order and stops at a page, checking the stored document of each
    # row (one IN over the union of both made it gather and sort every match).
    return queryset.filter(Q(pk__in=names.values("pk")) | Q(pk__in=models.values("product_id")))


def parameter_choices(category: Any = None) -> dict[str, list[str]]:
    """Each parameter's values among the orderable offers of active products,
    by parameter name, both sorted (one query): the choices of a parameter filter.

    ``category``: an id or slug; only its subtree's products (None: all).
    """
    offers = orderable_offers().filter(product__is_active=True)
    if category is not None and str(category) != "":
        offers = offers.filter(product__category_id__in=category_subtree_ids(category))
    rows = (
        OfferParameter.objects.filter(offer__in=offers.values("pk"))
        .values_list("parameter__name", "value")
        .distinct()
        .order_by("parameter__name", "value")
    )
    choices: dict[str, list[str]] = {}
    for name, value in rows:
        choices.setdefault(name, []).append(value)
    return choices


def category_tree() -> list[dict[str, Any]]:
    """The whole tree as nested dicts (one query): id, name, slug, children."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for cat in Category.objects.order_by("depth", "position", "name").only(
        "pk", "name", "slug", "parent_id", "position", "depth"
    ):
        node = {"id": cat.pk, "name": cat.name, "slug": cat.slug, "children": []}
        nodes[cat.pk] = node
        parent = nodes.get(cat.parent_id) if cat.parent_id else None
        (parent["children"] if parent else roots).append(node)
    return roots
