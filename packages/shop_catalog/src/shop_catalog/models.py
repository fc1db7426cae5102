"""Catalogue models: category tree, shops, products, offers, parameters, images."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Concat, Lower, Substr
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from shop_core.uploads import make_thumbnail

from .conf import app_settings
from .validators import validate_image
from .values import QUANTITY_MAX

PATH_SEPARATOR = "/"


def search_text(name: str) -> str:
    """The lower-cased text searched by ``?search=`` (SQLite's LIKE folds ASCII only)."""
    return name.casefold()


class Category(models.Model):
    """A node of the category tree: an adjacency list plus a materialized path.

    ``path`` holds the primary keys from the root down to this node, each
    followed by "/" (``"3/17/42/"``), so a category's descendants are one
    indexed ``path LIKE '3/17/%'`` query and ``parent`` keeps the tree easy
    to edit. The path is maintained by ``save()``; moving a node rewrites its
    subtree's paths with one UPDATE.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    path = models.CharField(_("path"), max_length=500, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)[:200] or "category"
        with transaction.atomic():
            locked = self._lock_with_parent()
            parent = locked.get(self.parent_id) if self.parent_id else None
            if self.parent_id and parent is None:
                raise Category.DoesNotExist(f"No parent category {self.parent_id}.")
            if self.pk is None:
                self._create(parent, *args, **kwargs)
            else:
                self._move(parent, locked.get(self.pk), *args, **kwargs)

    def _lock_with_parent(self) -> dict[int, Category]:
        """Lock this node and its parent (in id order, so two moves cannot deadlock): a
        concurrent move of either is committed before the paths are computed from them,
        and waits for this save otherwise."""
        ids = sorted(pk for pk in (self.pk, self.parent_id) if pk is not None)
        rows = Category.objects.filter(pk__in=ids).order_by("pk").select_for_update(no_key=True)
        return {category.pk: category for category in rows.only("path", "depth")}

    def _create(self, parent: Category | None, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.path = self._computed_path(parent)
        self.depth = parent.depth + 1 if parent else 0
        Category.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def _move(self, parent: Category | None, stored: Category | None, *args, **kwargs) -> None:
        """Save under ``parent``; a new place rewrites the subtree's paths with one UPDATE."""
        old_path, old_depth = (stored.path, stored.depth) if stored else (self.path, self.depth)
        if parent is not None and old_path and parent.path.startswith(old_path):
            raise ValidationError(
                {"parent": _("A category cannot be moved under itself or its descendant.")}
            )
        self.path = self._computed_path(parent)
        self.depth = parent.depth + 1 if parent else 0
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            Category.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (self.depth - old_depth),
            )

    def clean(self) -> None:
        if self.parent_id and self.pk:
            parent = Category.objects.only("path").get(pk=self.parent_id)
            if self.pk == self.parent_id or (self.path and parent.path.startswith(self.path)):
                raise ValidationError(
                    {"parent": _("A category cannot be moved under itself or its descendant.")}
                )

    def _computed_path(self, parent: Category | None) -> str:
        prefix = parent.path if parent else ""
        return f"{prefix}{self.pk}{PATH_SEPARATOR}"

    def get_descendants(self, *, include_self: bool = True) -> models.QuerySet[Category]:
        """This category's subtree in one query (itself included by default)."""
        qs = Category.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def get_ancestors(self) -> models.QuerySet[Category]:
        """The categories above this one, root first."""
        ids = [int(part) for part in self.path.split(PATH_SEPARATOR) if part][:-1]
        return Category.objects.filter(pk__in=ids).order_by("depth")


class ShopQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        """``QuerySet.update()`` that keeps ``Product.min_price`` when ``accepts_orders``
        is written."""
        if "accepts_orders" not in kwargs:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            shop_ids = list(self.order_by().values_list("pk", flat=True))
            count = super().update(**kwargs)
            # after the UPDATE, which holds the shops' rows (see refresh_min_price)
            Product.objects.using(self.db).offered_by(shop_ids).refresh_min_price()
        return count


class Shop(models.Model):
    """A supplier. Its owner and staff are its "supplier" users."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(_("website"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_shops",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        blank=True,
        related_name="staffed_shops",
    )
    accepts_orders = models.BooleanField(_("accepts orders"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # What the last file import wrote: the file's hash, the missing-goods policy
    # and the state of the offers it left; "" once anything else changed them.
    pricelist_fingerprint = models.CharField(max_length=200, blank=True, editable=False)

    objects = ShopQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> Shop:
        shop = super().from_db(db, field_names, values)
        # a save that switches accepts_orders refreshes its products' min_price (receivers.py)
        shop.stored_accepts_orders = shop.__dict__.get("accepts_orders")
        return shop


class ProductQuerySet(models.QuerySet):
    def offered_by(self, shop_ids: Iterable[int]) -> ProductQuerySet:
        """The products the shops ``shop_ids`` have offers of."""
        offers = Offer.objects.using(self.db).filter(shop_id__in=shop_ids)
        return self.filter(pk__in=offers.values("product_id"))

    def refresh_min_price(self) -> int:
        """Store these products' lowest orderable price (``min_price``): one UPDATE.

        Called in the transaction of every write that can change it (``Offer``
        saves, deletes and updates, a shop's ``accepts_orders``, the import).
        On PostgreSQL the products are locked first, in id order, and the
        prices read by the next statement: a concurrent writer of another
        offer of the same product waits, then reads this one's committed
        offers, so the last writer always stores the true lowest price.
        """
        with transaction.atomic(using=self.db, savepoint=False):
            if connections[self.db].features.has_select_for_update:
                list(self.order_by("pk").select_for_update(no_key=True).values_list("pk"))
            lowest = (
                Offer.objects.orderable()
                .filter(product=OuterRef("pk"))
                .order_by()
                .values("product")
                .annotate(lowest=Min("price"))
                .values("lowest")
            )
            return self.order_by().update(min_price=Subquery(lowest))


class Product(models.Model):
    """A product of the catalogue; shops sell it through their offers."""

    name = models.CharField(_("name"), max_length=255)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    description = models.TextField(_("description"), blank=True)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, allow_unicode=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    search_text = models.CharField(max_length=255, editable=False, default="")
    # The lowest price of its orderable offers, None without one: what the list
    # shows, orders by and filters on, kept by every write of offers and shops
    # (``ProductQuerySet.refresh_min_price``).
    min_price = models.DecimalField(
        _("lowest price"), max_digits=12, decimal_places=2, null=True, editable=False
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "category"]),
            # the list's default and ?ordering=name orders: a page reads 20 rows
            # of the index instead of sorting every product
            models.Index(fields=["name", "id"], name="shop_catalog_product_name_id"),
            models.Index(Lower("name"), "id", name="shop_catalog_product_lname_id"),
            # ?ordering=price and -price: 20 rows of the index, no sort
            models.Index(fields=["min_price", "id"], name="shop_catalog_product_price_id"),
            # ?ordering=newest and oldest: an import gives thousands of products
            # one instant, which the index of ``created`` alone left to a sort
            models.Index(fields=["created", "id"], name="shop_catalog_prod_created_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_text(self.name)[:255]
        if not self.slug:
            base = slugify(self.name, allow_unicode=True)[:200] or "product"
            slug, n = base, 1
            while Product.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                n += 1
                slug = f"{base}-{n}"
            self.slug = slug
        super().save(*args, **kwargs)


def _image_upload_to(instance: ProductImage, filename: str) -> str:
    return f"shop_catalog/products/{filename}"


def _thumbnail_upload_to(instance: ProductImage, filename: str) -> str:
    return f"shop_catalog/thumbnails/{filename}"


class ProductImage(models.Model):
    """A product picture; the thumbnail is made on save (Pillow)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to=_image_upload_to, validators=[validate_image])
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=_thumbnail_upload_to, blank=True, editable=False
    )
    alt = models.CharField(_("alternative text"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt or os.path.basename(self.image.name or "")

    def save(self, *args, **kwargs) -> None:
        old_name = None
        if self.pk:
            old_name = (
                ProductImage.objects.filter(pk=self.pk).values_list("image", flat=True).first()
            )
        if self.image and (not self.thumbnail or old_name != self.image.name):
            self.image.open("rb")
            self.thumbnail = make_thumbnail(self.image, tuple(app_settings.THUMBNAIL_SIZE))
        super().save(*args, **kwargs)


# Why an offer cannot be ordered now (``Offer.orderable_problem``); an order package
# reports these codes to its clients.
OFFER_INACTIVE = "inactive"
SHOP_CLOSED = "shop_closed"
# The offer fields a product's min_price depends on.
PRICE_FIELDS = frozenset({"price", "is_active", "product", "product_id", "shop", "shop_id"})
MIN_PRICE_CHUNK = 2000  # product ids per refresh, well under SQLite's variable limit


def refresh_min_prices(product_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """``refresh_min_price`` of the products ``product_ids``, in chunks."""
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), MIN_PRICE_CHUNK):
        chunk = ids[start : start + MIN_PRICE_CHUNK]
        Product.objects.using(using).filter(pk__in=chunk).refresh_min_price()


class OfferQuerySet(models.QuerySet):
    def orderable(self) -> OfferQuerySet:
        """Offers a customer can order now: the offer is active and its shop accepts orders.

        The one rule of "can this offer be ordered", for lists and queries;
        ``Offer.is_orderable`` is the same rule for one loaded offer. Stock is
        not part of it: how many may be ordered is the order package's check.
        """
        return self.filter(is_active=True, shop__accepts_orders=True)

    def update(self, **kwargs: Any) -> int:
        """``QuerySet.update()`` that keeps the products' ``min_price`` when it can change."""
        if PRICE_FIELDS.isdisjoint(kwargs):  # a stock change, say
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            before = list(self.order_by().values_list("pk", "product_id"))
            count = super().update(**kwargs)
            product_ids = {product_id for _pk, product_id in before}
            if not {"product", "product_id"}.isdisjoint(kwargs):  # and where they went
                pks = [pk for pk, _product_id in before]
                for start in range(0, len(pks), MIN_PRICE_CHUNK):
                    moved = Offer.objects.using(self.db).filter(
                        pk__in=pks[start : start + MIN_PRICE_CHUNK]
                    )
                    product_ids.update(moved.values_list("product_id", flat=True))
            refresh_min_prices(product_ids, using=self.db)
        return count


class Offer(models.Model):
    """One product sold by one shop: price, stock and the supplier's own id.

    Orders reference offers, so offers are never deleted by this package: a
    price-list import updates them in place and sets missing ones to zero
    stock or inactive. ``quantity`` is a plain integer column so an order
    package can decrement it with one conditional UPDATE.
    """

    # No index of their own: (product, is_active, price) and the unique
    # (shop, external_id) start with them; one index less to write per offer.
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="offers",
        db_index=False,
    )
    shop = models.ForeignKey(
        Shop,
        verbose_name=_("shop"),
        on_delete=models.PROTECT,
        related_name="offers",
        db_index=False,
    )
    external_id = models.CharField(_("external id"), max_length=100)
    model = models.CharField(_("model"), max_length=255, blank=True)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    price_rrc = models.DecimalField(
        _("recommended retail price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # the same upper bound on every database (SQLite's column would take 2**63 - 1)
    quantity = models.PositiveIntegerField(
        _("quantity in stock"), default=0, validators=[MaxValueValidator(QUANTITY_MAX)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["price", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "external_id"], name="shop_catalog_offer_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["product", "is_active", "price"])]

    def __str__(self) -> str:
        return f"{self.product} @ {self.shop}"

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> Offer:
        offer = super().from_db(db, field_names, values)
        # a save that moves the offer to another product refreshes both (receivers.py)
        offer.stored_product_id = offer.__dict__.get("product_id")
        return offer

    @property
    def orderable_problem(self) -> str | None:
        """Why this offer cannot be ordered now (``OFFER_INACTIVE``, ``SHOP_CLOSED``), or None.

        The rule of ``Offer.objects.orderable()`` for one offer; reads
        ``self.shop`` (select it to save a query).
        """
        if not self.is_active:
            return OFFER_INACTIVE
        if not self.shop.accepts_orders:
            return SHOP_CLOSED
        return None

    @property
    def is_orderable(self) -> bool:
        """Whether a customer can order this offer now (``Offer.objects.orderable()``'s rule)."""
        return self.orderable_problem is None


class Parameter(models.Model):
    """A named parameter ("Диагональ (дюйм)") shared by all offers."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OfferParameter(models.Model):
    """The value of one parameter for one offer, kept as text."""

    # No index of their own: the unique (offer, parameter) and (parameter, value)
    # start with them; an import writes five or more of these rows per offer.
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        on_delete=models.CASCADE,
        related_name="parameters",
        db_index=False,
    )
    parameter = models.ForeignKey(
        Parameter,
        verbose_name=_("parameter"),
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
    )
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("offer parameter")
        verbose_name_plural = _("offer parameters")
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "parameter"], name="shop_catalog_offerparameter_unique"
            ),
        ]
        indexes = [models.Index(fields=["parameter", "value"])]

    def __str__(self) -> str:
        return f"{self.parameter}: {self.value}"


class ImportJob(models.Model):
    """One price-list import (upload, URL or command) and its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    shop = models.ForeignKey(
        Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    file = models.FileField(_("file"), upload_to="shop_catalog/imports/", blank=True)
    format = models.CharField(_("format"), max_length=8, blank=True)
    missing = models.CharField(_("missing goods"), max_length=16, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # When a worker claimed it: a "running" job older than IMPORT_LEASE_MINUTES
    # lost its worker and may be claimed again.
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.shop} #{self.pk} ({self.status})"


class CatalogueVersion(models.Model):
    """One row: a token that changes with every write to the public catalogue.

    Kept in the database, not the cache, so that every process sees a write at
    once, whatever cache the project has; the token changes in the writer's
    own transaction (``catalogue.catalogue_changed``), so it becomes visible
    together with the data. Cached catalogue pages and counts are keyed by it.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return self.token
