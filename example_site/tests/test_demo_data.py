"""``manage.py demo_data``: what a shop owner would show, loaded once and again."""

from __future__ import annotations

import io
import os
from collections import Counter
from datetime import UTC, timedelta

import pytest
from demo.seed import DEMO_USERS
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from shop_bookings.models import Booking, BookingStatus
from shop_catalog.models import ImportJob, Offer, Product, ProductImage, Shop
from shop_orders.models import Order, StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def load() -> None:
    call_command("demo_data", stdout=io.StringIO())


def everything() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "admin")
    }


def check_catalogue(media) -> None:
    shops = list(Shop.objects.select_related("owner"))
    assert len(shops) >= 3
    assert {shop.name: shop.owner.email for shop in shops}["Связной"] == "supplier@example.com"
    assert all(shop.owner.groups.filter(name="supplier").exists() for shop in shops)
    assert ImportJob.objects.filter(status="succeeded").count() == len(shops)
    assert 300 <= Product.objects.count() <= 600
    # the same product in several shops: product pages show several offers
    offers_per_product = Counter(Offer.objects.values_list("product_id", flat=True))
    assert sum(1 for n in offers_per_product.values() if n >= 2) >= 100
    # a picture for each product, a real JPEG under MEDIA_ROOT with its thumbnail
    assert ProductImage.objects.values("product").distinct().count() == Product.objects.count()
    image = ProductImage.objects.select_related("product").first()
    assert (media / image.image.name).is_file() and (media / image.thumbnail.name).is_file()
    with Image.open(media / image.image.name) as picture:
        assert (picture.format, picture.size) == ("JPEG", (400, 300))


def check_orders() -> None:
    orders = list(Order.objects.all())
    assert len(orders) >= 50
    assert len({order.user_id for order in orders}) >= 3
    months = {order.created.astimezone(UTC).strftime("%Y-%m") for order in orders}
    assert len(months) >= 10
    for order in orders:  # numbered by their own dates
        assert order.number == f"{order.created.astimezone(UTC):%y%m%d}-{order.pk:06d}"
    statuses = Counter(order.status for order in orders)
    assert statuses["delivered"] > statuses["canceled"] > 0
    assert statuses["new"] + statuses["confirmed"] + statuses["assembled"] + statuses["sent"] > 0
    # the history is dated with its order, not on the day of the load
    created = {order.pk: order.created for order in orders}
    now = timezone.now()
    for change in StatusChange.objects.all():
        assert created[change.order_id] <= change.created <= now
    assert Order.objects.filter(created__lt=now - timedelta(days=200)).exists()


def check_bookings() -> None:
    bookings = list(Booking.objects.select_related("specialist"))
    now = timezone.now()
    zones = {booking.specialist.time_zone for booking in bookings}
    assert zones == {"Europe/Moscow", "Europe/Berlin"}
    past = Counter(booking.status for booking in bookings if booking.start < now)
    ahead = Counter(booking.status for booking in bookings if booking.start >= now)
    assert past["completed"] > 0 and past["no_show"] > 0
    assert set(past) <= {BookingStatus.COMPLETED, BookingStatus.NO_SHOW}
    assert sum(ahead.values()) > 0
    assert set(ahead) <= {BookingStatus.CONFIRMED, BookingStatus.PENDING}
    assert len({booking.client_id for booking in bookings}) >= 3
    days = {booking.start.date() for booking in bookings}
    assert (max(days) - min(days)).days >= 20  # about a month


def test_demo_data_shows_shops_orders_and_bookings_and_a_second_run_changes_nothing(media):
    load()
    check_catalogue(media)
    check_orders()
    check_bookings()

    first = everything()
    numbers = dict(Order.objects.values_list("pk", "number"))
    stock = dict(Offer.objects.values_list("pk", "quantity"))
    files = sorted(os.listdir(media / "shop_catalog" / "products"))
    load()
    assert everything() == first
    assert dict(Order.objects.values_list("pk", "number")) == numbers
    assert dict(Offer.objects.values_list("pk", "quantity")) == stock
    assert sorted(os.listdir(media / "shop_catalog" / "products")) == files


def test_demo_logins_are_printed(media):
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    for spec in DEMO_USERS:
        assert spec["email"] in out.getvalue()
    assert {"technopark@example.com", "elena@example.com"} <= {s["email"] for s in DEMO_USERS}


def test_the_admin_lists_the_demo_data_for_staff(media, client, django_assert_max_num_queries):
    load()
    client.force_login(get_user_model().objects.get(email="admin@example.com"))
    with django_assert_max_num_queries(20):
        products = client.get(reverse("admin:shop_catalog_product_changelist"))
    assert products.status_code == 200
    assert " – " in products.content.decode()  # price ranges of products sold by several shops
    with django_assert_max_num_queries(20):
        orders = client.get(reverse("admin:shop_orders_order_changelist"), {"status": "delivered"})
    assert orders.status_code == 200
    shown = orders.context["cl"].result_list
    assert len(shown) > 0 and all(order.status == "delivered" for order in shown)
