"""Favourites: unique per product, constant queries, ownership."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from shop_cabinet import services
from shop_cabinet.exceptions import ProductGone
from shop_cabinet.models import Favourite
from shop_cabinet.signals import favourites_changed
from shop_catalog.models import Product, Shop

from . import factories
from .errors import problems

URL = "/api/v1/cabinet/favourites/"
pytestmark = pytest.mark.django_db


def test_add_is_unique_per_product(user: Any) -> None:
    product = factories.product()
    first, created = services.add_favourite(user=user, product=product)
    again, created_again = services.add_favourite(user=user, product=product)
    assert created and not created_again and first.pk == again.pk
    assert Favourite.objects.filter(user=user).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Favourite.objects.create(user=user, product=product)


def test_signal_is_sent_on_real_changes_only(
    user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    product = factories.product()
    seen: list[Any] = []

    def listener(sender: Any, user: Any, product: Any, **kwargs: Any) -> None:
        seen.append(product)

    favourites_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.add_favourite(user=user, product=product)
            services.add_favourite(user=user, product=product)
            assert services.remove_favourite(user=user, product_id=product.pk)
            assert not services.remove_favourite(user=user, product_id=product.pk)
    finally:
        favourites_changed.disconnect(listener)
    assert seen == [product, None]


def test_api_add_list_remove(api: Any) -> None:
    product = factories.product("Kettle")
    factories.offer(product, price="990.00")
    factories.offer(product, price="890.00")
    factories.offer(product, price="10.00", is_active=False)
    closed = factories.shop()
    factories.offer(product, closed, price="20.00")
    Shop.objects.filter(pk=closed.pk).update(accepts_orders=False)  # refreshes min_price
    response = api.post(URL, {"product_id": product.pk}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["product"]["name"] == "Kettle"
    assert response.data["min_price"] == "890.00"
    assert api.post(URL, {"product_id": product.pk}, format="json").status_code == 200

    listed = api.get(URL).data
    assert listed["count"] == 1 and listed["results"][0]["product"]["id"] == product.pk

    assert api.delete(f"{URL}{product.pk}/").status_code == 204
    assert api.get(URL).data["count"] == 0
    assert api.delete(f"{URL}{product.pk}/").status_code == 404


def test_api_bad_product_is_a_400(api: Any) -> None:
    response = api.post(URL, {"product_id": 999999}, format="json")
    assert response.status_code == 400
    assert problems(response) == [("product_id", "does_not_exist")]
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400 and problems(response) == [("product_id", "required")]


def test_second_user_gets_404_and_sees_nothing(user: Any, other_api: Any) -> None:
    product = factories.product()
    services.add_favourite(user=user, product=product)
    assert other_api.delete(f"{URL}{product.pk}/").status_code == 404
    assert other_api.get(URL).data["count"] == 0
    assert Favourite.objects.filter(user=user, product=product).exists()


def test_list_runs_a_constant_number_of_queries(
    api: Any, user: Any, django_assert_max_num_queries: Any
) -> None:
    shop = factories.shop()
    for _ in range(25):
        product = factories.product()
        factories.offer(product, shop)
        factories.offer(product)
        services.add_favourite(user=user, product=product)
    # count + favourites (product, category, min price) + images
    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": 100})
    assert len(response.data["results"]) == 25
    assert all(item["min_price"] == "100.00" for item in response.data["results"])


@pytest.mark.parametrize("product_id", ["9" * 19, "9" * 30])
def test_ids_beyond_any_column_are_404(api: Any, product_id: str) -> None:
    assert api.delete(f"{URL}{product_id}/").status_code == 404
    response = api.post(URL, {"product_id": product_id}, format="json")
    assert response.status_code == 400
    assert problems(response) == [("product_id", "does_not_exist")]


def test_absurd_pages_are_400(api: Any) -> None:
    for page in ("0", "-1", "abc", "9" * 30):
        response = api.get(URL, {"page": page})
        assert response.status_code == 400, page
        assert problems(response) == [("page", "invalid_page")], page


@pytest.mark.django_db(transaction=True)
def test_a_product_deleted_while_it_is_added_is_a_validation_error(user: Any) -> None:
    """The API found the product; it was deleted before the favourite was committed."""
    product = factories.product()
    Product.objects.filter(pk=product.pk).delete()
    with pytest.raises(ProductGone) as info:
        services.add_favourite(user=user, product=product)
    assert (info.value.field, info.value.code) == ("product_id", "does_not_exist")
    assert not Favourite.objects.exists()


def test_a_product_deleted_while_it_is_added_is_a_400(api: Any, monkeypatch: Any) -> None:
    product = factories.product()

    def gone(**kwargs: Any) -> None:
        raise ProductGone()

    monkeypatch.setattr(services, "add_favourite", gone)
    response = api.post(URL, {"product_id": product.pk}, format="json")
    assert response.status_code == 400
    assert problems(response) == [("product_id", "does_not_exist")]


def test_is_favourite_is_per_user(user: Any, other_user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from shop_cabinet.selectors import is_favourite

    product = factories.product()
    services.add_favourite(user=user, product=product)
    assert is_favourite(user, product.pk) is True
    assert is_favourite(other_user, product.pk) is False
    assert is_favourite(user, factories.product().pk) is False
    assert is_favourite(AnonymousUser(), product.pk) is False
