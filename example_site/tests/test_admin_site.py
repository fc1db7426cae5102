"""The site's admin: branded, a landing page with the day's orders and the latest
imports beside the app list, list pages in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from shop_catalog.models import Category, Offer, Product, Shop
from shop_catalog.services import submit_import
from shop_orders.models import Order
from shop_orders.services import add_line, checkout

from .helpers import ADDRESS

pytestmark = pytest.mark.django_db

PRICE_LIST = """shop: {shop}
categories:
  - id: 1
    name: Чайники
goods:
  - id: {n}
    category: 1
    name: Чайник {n}
    price: 1990
    quantity: 7
"""


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="boss@example.com", password="pw")
    client.force_login(user)
    return user


def place(user: Any, offer: Offer, quantity: int = 1) -> Order:
    add_line(user=user, offer_id=offer.pk, quantity=quantity)
    return checkout(user=user, address=ADDRESS).order


@pytest.fixture
def offer(django_user_model) -> Offer:
    product = Product.objects.create(name="Чайник", category=Category.objects.create(name="Дом"))
    shop = Shop.objects.create(name="Уют")
    return Offer.objects.create(
        product=product, shop=shop, external_id="1", price="500.00", quantity=100
    )


def upload(user: Any, n: int) -> None:
    """A price list of another shop (a file leaves the goods it lacks without stock)."""
    shop, _created = Shop.objects.get_or_create(name="Чайная лавка")
    content = PRICE_LIST.format(shop=shop.name, n=n).encode()
    submit_import(shop=shop, user=user, fmt="yaml", upload=SimpleUploadedFile("p.yaml", content))


def test_the_admin_is_branded_in_english_and_russian(client, staff):
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Shop administration" in page and "Today in the shop" in page
    with translation.override("ru"):
        assert str(admin.site.site_header) == "Администрирование магазина"
        assert str(admin.site.index_title) == "Сегодня в магазине"


def test_the_landing_page_shows_todays_orders_and_the_latest_imports(
    client, staff, offer, django_user_model
):
    buyer = django_user_model.objects.create_user(email="buyer@example.com", password="pw")
    today = [place(buyer, offer, 2), place(buyer, offer, 1)]
    old = place(buyer, offer, 5)
    Order.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=2))
    upload(staff, 1)

    response = client.get(reverse("admin:index"))

    assert response.context["orders_today"]["count"] == 2
    page = response.content.decode()
    for order in today:
        assert reverse("admin:shop_orders_order_change", args=[order.pk]) in page
        assert order.number in page
    assert old.number not in page
    assert "1500.00" in page  # 3 x 500.00
    [job] = response.context["recent_imports"]
    assert reverse("admin:shop_catalog_importjob_change", args=[job.pk]) in page
    assert "Чайная лавка" in page and "1 new, 0 updated" in page
    # the stock app list is still there
    assert reverse("admin:shop_catalog_product_changelist") in page
    assert reverse("admin:shop_orders_order_changelist") in page


def test_the_landing_page_needs_staff(client, django_user_model):
    user = django_user_model.objects.create_user(email="someone@example.com", password="pw")
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name",
    ["admin:index", "admin:shop_orders_order_changelist", "admin:shop_catalog_product_changelist"],
)
def test_admin_pages_run_a_constant_number_of_queries(
    client, staff, offer, django_user_model, name
):
    buyer = django_user_model.objects.create_user(email="buyer@example.com", password="pw")
    place(buyer, offer)
    upload(staff, 1)
    few = queries(client, reverse(name))
    for n in range(2, 8):
        place(buyer, offer, n)
        more = Offer.objects.create(
            product=Product.objects.create(name=f"Товар {n}", category=offer.product.category),
            shop=offer.shop,
            external_id=f"x{n}",
            price="10.00",
            quantity=n,
        )
        place(buyer, more)
        upload(staff, n)
    assert queries(client, reverse(name)) == few
