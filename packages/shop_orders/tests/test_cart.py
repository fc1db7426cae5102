"""Cart: services and endpoints."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop_orders import services
from shop_orders.exceptions import CartError
from shop_orders.models import CartLine

from . import factories
from .conftest import errors_of

CART = "/api/v1/orders/cart/"
LINES = "/api/v1/orders/cart/lines/"

pytestmark = pytest.mark.django_db


def test_add_twice_adds_to_the_same_line(customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    assert line.quantity == 3
    assert CartLine.objects.filter(cart__user=customer).count() == 1


@pytest.mark.parametrize("quantity", [0, -1, True, "2"])
def test_non_positive_or_non_integer_quantity_is_refused(customer, offer, quantity):
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=offer.pk, quantity=quantity)
    assert exc.value.field == "quantity"
    assert not CartLine.objects.exists()


def test_more_than_stock_counts_what_is_already_in_the_cart(customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=4)  # stock 5
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    assert exc.value.code == "out_of_stock"
    assert CartLine.objects.get().quantity == 4


def test_shop_not_accepting_orders_is_refused(customer, offer):
    offer.shop.accepts_orders = False
    offer.shop.save()
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    assert exc.value.code == "shop_closed"


def test_inactive_and_unknown_offers_are_refused(customer, offer):
    offer.is_active = False
    offer.save()
    with pytest.raises(CartError):
        services.add_line(user=customer, offer_id=offer.pk)
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=999999)
    assert (exc.value.field, exc.value.code) == ("offer", "does_not_exist")


def test_api_cart_shows_current_prices_and_total(api, customer, offer):
    second = factories.offer(price="10.50", quantity=3)
    assert api.post(LINES, {"offer": offer.pk, "quantity": 2}, format="json").status_code == 201
    added = api.post(LINES, {"offer": second.pk, "quantity": 3}, format="json")
    assert added.status_code == 201
    assert [line["quantity"] for line in added.json()["lines"]] == [2, 3]
    offer.price = Decimal("300.00")  # the cart follows the catalogue until checkout
    offer.save()
    body = api.get(CART).json()
    assert body["count"] == 5
    assert Decimal(body["total"]) == Decimal("631.50")
    by_offer = {line["offer"]["id"]: line for line in body["lines"]}
    assert Decimal(by_offer[offer.pk]["offer"]["price"]) == Decimal("300.00")
    assert by_offer[offer.pk]["problem"] is None


def test_api_cart_flags_lines_that_cannot_be_ordered_now(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=3)
    offer.quantity = 1
    offer.save()
    line = api.get(CART).json()["lines"][0]
    assert line["problem"] == "out_of_stock"


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"offer": "x"}, ("offer", "incorrect_type")),
        ({"offer": 999999}, ("offer", "does_not_exist")),
        ({"offer": "١"}, ("offer", "non_ascii_digits")),
        ({"offer": 1, "quantity": 0}, ("quantity", "invalid_quantity")),
        ({"offer": 1, "quantity": 99}, ("quantity", "out_of_stock")),
        ({"offer": 1, "quantity": "٣"}, ("quantity", "non_ascii_digits")),
        ({}, ("offer", "required")),
    ],
)
def test_api_add_bad_input_gives_coded_field_errors(api, offer, payload, error):
    if payload.get("offer") == 1:
        payload = {**payload, "offer": offer.pk}
    response = api.post(LINES, payload, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [error]


def test_api_add_closed_shop_gives_400(api, offer):
    offer.shop.accepts_orders = False
    offer.shop.save()
    response = api.post(LINES, {"offer": offer.pk}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("offer", "shop_closed")]


def test_api_change_and_remove_line(api, customer, offer):
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    response = api.patch(f"{LINES}{line.pk}/", {"quantity": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4
    response = api.patch(f"{LINES}{line.pk}/", {"quantity": 6}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("quantity", "out_of_stock")]
    assert CartLine.objects.get().quantity == 4
    assert api.delete(f"{LINES}{line.pk}/").status_code == 204
    assert not CartLine.objects.exists()


def test_api_clear(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    services.add_line(user=customer, offer_id=factories.offer().pk)
    assert api.delete(CART).status_code == 204
    assert api.get(CART).json()["lines"] == []


def test_second_user_gets_404_on_cart_lines_of_the_first(other_api, customer, offer):
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    response = other_api.patch(f"{LINES}{line.pk}/", {"quantity": 2}, format="json")
    assert response.status_code == 404
    assert errors_of(response) == [(None, "not_found")]
    assert other_api.delete(f"{LINES}{line.pk}/").status_code == 404
    assert other_api.get(CART).json()["lines"] == []
    other_api.delete(CART)
    assert CartLine.objects.get().quantity == 1


def test_anonymous_is_refused(client, offer):
    assert client.get(CART).status_code == 403
    assert client.post(LINES, {"offer": offer.pk}).status_code == 403


def test_cart_get_runs_constant_queries(api, customer, django_assert_max_num_queries):
    for _ in range(10):
        services.add_line(user=customer, offer_id=factories.offer().pk)
    with django_assert_max_num_queries(3):
        assert len(api.get(CART).json()["lines"]) == 10


def test_changing_a_line_removed_meanwhile_is_404(api, customer, offer, monkeypatch):
    """A writer that does not lock the cart (the admin) deletes the line between
    the read and the write: a 404, and the change is not made."""
    from shop_orders.services import cart as cart_module

    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    real_check = cart_module._check_offer

    def delete_then_check(*args, **kwargs):
        CartLine.objects.filter(pk=line.pk).delete()
        return real_check(*args, **kwargs)

    monkeypatch.setattr(cart_module, "_check_offer", delete_then_check)
    response = api.patch(f"{LINES}{line.pk}/", {"quantity": 2}, format="json")
    assert response.status_code == 404
    assert not CartLine.objects.filter(quantity=2).exists()


# --- bounds: amounts and quantities -----------------------------------------

BIG = "6000000000.00"  # fits a price; two of them do not fit a total


def test_api_line_total_is_a_string_like_every_amount(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    body = api.get(CART).json()
    line = body["lines"][0]
    assert (line["total"], line["offer"]["price"], body["total"]) == ("500.00", "250.00", "500.00")


def test_api_adding_what_an_order_could_not_hold_is_400(api, customer):
    big = factories.offer(price=BIG, quantity=5)
    response = api.post(LINES, {"offer": big.pk, "quantity": 2}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("quantity", "amount_too_large")]
    assert not CartLine.objects.exists()
    assert api.post(LINES, {"offer": big.pk, "quantity": 1}, format="json").status_code == 201
    line = CartLine.objects.get()
    response = api.patch(f"{LINES}{line.pk}/", {"quantity": 2}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("quantity", "amount_too_large")]
    assert CartLine.objects.get().quantity == 1


def test_the_cart_total_counts_too(customer):
    """Each line fits, their sum would not: the order total could not be stored."""
    services.add_line(user=customer, offer_id=factories.offer(price=BIG).pk)
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=factories.offer(price=BIG).pk)
    assert exc.value.code == "amount_too_large"
    assert CartLine.objects.count() == 1


def test_a_price_raised_after_the_add_never_breaks_the_cart(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    offer.price = Decimal("9999999999.99")  # the supplier's new price
    offer.save()
    response = api.get(CART)
    assert response.status_code == 200
    line = response.json()["lines"][0]
    assert (line["total"], line["problem"]) == ("19999999999.98", "amount_too_large")
    assert response.json()["total"] == "19999999999.98"


@pytest.mark.parametrize("quantity", [10**30, 10_001])
def test_api_quantity_above_the_line_maximum_is_400(api, customer, quantity):
    plenty = factories.offer(price="1.00", quantity=2**31 - 1)
    response = api.post(LINES, {"offer": plenty.pk, "quantity": quantity}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("quantity", "quantity_too_large")]
    assert not CartLine.objects.exists()


def test_the_line_maximum_counts_what_is_in_the_cart_and_is_a_setting(customer, settings):
    settings.SHOP_ORDERS = {"MAX_LINE_QUANTITY": 3}
    offer = factories.offer(quantity=100)
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    with pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    assert exc.value.code == "quantity_too_large"
    assert CartLine.objects.get().quantity == 2
