"""Receivers connected in ``ShopCatalogConfig.ready()``.

shop_catalog listens to nothing of other apps; files of deleted or replaced
images are removed by django-cleanup (add it to INSTALLED_APPS). Its own
``import_job_queued`` hands a background import to the task after the commit.

Every ORM save and delete of a catalogue model starts a new catalogue
version (``catalogue.catalogue_changed``), so no cached page outlives it,
and forgets the price-list fingerprints it may contradict (an unchanged file
is skipped only while nothing else has written what it wrote). A save or
delete of an offer or a shop also stores the lowest price of the products
it concerns (``Product.min_price``).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from . import tasks
from .catalogue import catalogue_changed, refresh_planner_statistics
from .models import (
    Category,
    ImportJob,
    Offer,
    OfferParameter,
    Parameter,
    Product,
    ProductImage,
    Shop,
    refresh_min_prices,
)
from .signals import import_job_queued

CATALOGUE_MODELS = (Category, Shop, Product, ProductImage, Offer, Parameter, OfferParameter)


@receiver(import_job_queued, dispatch_uid="shop_catalog.enqueue_import_job")
def enqueue_import_job(sender: Any, job: ImportJob, **kwargs: Any) -> None:
    transaction.on_commit(lambda: tasks.enqueue_import_job(job))


def catalogue_written(sender: type, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture's own rows, no side effects
        return
    catalogue_changed()
    shops = Shop.objects.exclude(pricelist_fingerprint="")
    if sender is Shop:
        shops = shops.filter(pk=instance.pk)
    elif sender is Offer:
        shops = shops.filter(pk=instance.shop_id)
    elif sender is OfferParameter:
        shops = shops.filter(offers__pk=instance.offer_id)
    shops.update(pricelist_fingerprint="")
    if sender is Offer:
        _offer_price_written(instance)
    elif sender is Shop and kwargs.get("created") is False:
        stored = getattr(instance, "stored_accepts_orders", None)
        if stored != instance.accepts_orders:  # every product the shop offers
            Product.objects.offered_by([instance.pk]).refresh_min_price()
            instance.stored_accepts_orders = instance.accepts_orders


def _offer_price_written(offer: Offer) -> None:
    with transaction.atomic(savepoint=False):
        if connection.features.has_select_for_update:
            # the shop's row, as its accepts_orders switch takes it: an offer saved
            # while the shop closes is priced after the switch, never before it
            shop = Shop.objects.filter(pk=offer.shop_id).select_for_update(no_key=True)
            list(shop.values_list("pk"))
        stored = getattr(offer, "stored_product_id", None)
        refresh_min_prices({offer.product_id, stored} - {None})
    offer.stored_product_id = offer.product_id


for model in CATALOGUE_MODELS:
    uid = f"shop_catalog.catalogue_written.{model.__name__}"
    post_save.connect(catalogue_written, sender=model, dispatch_uid=uid)
    post_delete.connect(catalogue_written, sender=model, dispatch_uid=f"{uid}.delete")


@receiver(post_migrate, dispatch_uid="shop_catalog.planner_statistics")
def planner_statistics(sender: Any, app_config: Any, using: str, **kwargs: Any) -> None:
    if app_config.name == "shop_catalog":
        refresh_planner_statistics(full=False, using=using)
