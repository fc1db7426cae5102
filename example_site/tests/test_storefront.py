"""The browsable shop: home, catalogue filters, product, cart, checkout."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Min
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext

from shop_cabinet.models import Address
from shop_cabinet.services import create_address
from shop_catalog.models import Offer, OfferParameter, Product, Shop
from shop_catalog.selectors import category_subtree_ids, products
from shop_orders.models import Order
from shop_orders.selectors import cart_lines

from .helpers import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(demo, client):
    user = demo["customer@example.com"]
    client.force_login(user)
    return user


def money(value: Decimal) -> str:
    """A price as the pages show it (thousands grouped)."""
    return floatformat(value, "2g")


def listed(response) -> list[int]:
    """The product ids the catalogue page shows, in order."""
    return [int(pk) for pk in re.findall(r'href="/products/(\d+)/"', response.content.decode())]


def test_home_shows_the_category_tree_and_new_products(client, demo):
    body = client.get("/").content.decode()
    for product in products()[:3]:
        assert product.category.name in body
    assert "Смартфоны" in body and 'href="/catalogue/?category=' in body


def test_catalogue_filters_by_category_with_its_subtree(client, demo):
    phone = Product.objects.filter(category__name="Смартфоны").first()
    response = client.get("/catalogue/", {"category": phone.category_id})
    shown = listed(response)
    expected = set(
        products()
        .filter(category_id__in=category_subtree_ids(phone.category_id))
        .values_list("pk", flat=True)
    )
    assert response.status_code == 200
    assert shown and set(shown) <= expected  # a page of the subtree's products
    assert len(expected) < products().count()  # the others are left out


def test_catalogue_price_range_sorting_and_search(client, demo):
    prices = dict(products().values_list("pk", "min_price"))
    cut = sorted(prices.values())[len(prices) // 2]
    shown = listed(client.get("/catalogue/", {"price_max": str(cut), "ordering": "price"}))
    assert shown and all(prices[pk] <= cut for pk in shown)
    assert [prices[pk] for pk in shown] == sorted(prices[pk] for pk in shown)
    cheapest_first = listed(client.get("/catalogue/", {"ordering": "-price"}))
    assert prices[cheapest_first[0]] == max(prices.values())
    product = products().first()
    word = product.name.split()[0]
    found = listed(client.get("/catalogue/", {"search": word}))
    assert product.pk in found
    others = products().exclude(name__icontains=word).exclude(offers__model__icontains=word)
    assert not set(found) & set(others.values_list("pk", flat=True))


def test_catalogue_parameter_filter_and_its_choices(client, demo):
    pair = OfferParameter.objects.select_related("parameter", "offer").first()
    wanted = f"{pair.parameter.name}:{pair.value}"
    page = client.get("/catalogue/").content.decode()
    assert f'value="{wanted}"' in page  # offered as a choice
    shown = listed(client.get("/catalogue/", {"parameter": [wanted, ""]}))  # "" is "Any"
    matching = set(
        OfferParameter.objects.filter(parameter=pair.parameter, value=pair.value).values_list(
            "offer__product_id", flat=True
        )
    )
    assert shown and set(shown) <= matching and pair.offer.product_id in shown


def test_catalogue_pagination(client, demo, monkeypatch):
    monkeypatch.setattr("storefront.views.shop.PAGE_SIZE", 2)
    first = listed(client.get("/catalogue/", {"ordering": "name"}))
    second = listed(client.get("/catalogue/", {"ordering": "name", "page": 2}))
    assert len(first) == 2 and second and not set(first) & set(second)
    body = client.get("/catalogue/", {"ordering": "name"}).content.decode()
    assert "ordering=name&amp;page=2" in body


@pytest.mark.parametrize(
    "query", [{"price_min": "abc"}, {"parameter": "no-colon"}, {"ordering": "random"}]
)
def test_bad_filters_are_a_400_page_with_the_problem(client, demo, query):
    response = client.get("/catalogue/", query)
    assert response.status_code == 400
    assert "Please correct the filters" in response.content.decode()


def test_catalogue_htmx_answers_only_the_results(client, demo):
    response = client.get("/catalogue/", {"ordering": "price"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and listed(response)


def count_queries(client, url: str, query: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query or {}).status_code == 200
    return len(queries)


def test_catalogue_runs_a_constant_number_of_queries(client, demo):
    query = {"in_stock": "true", "ordering": "price"}
    before = count_queries(client, "/catalogue/", query)
    shown = len(listed(client.get("/catalogue/", query)))
    offer = Offer.objects.orderable().select_related("product", "shop").first()
    for number in range(4):  # more products, offers and parameters on the page
        product = Product.objects.create(
            name=f"Extra {number}", category=offer.product.category, slug=f"extra-{number}"
        )
        extra = Offer.objects.create(
            product=product, shop=offer.shop, external_id=f"x{number}", price=10, quantity=5
        )
        OfferParameter.objects.create(offer=extra, parameter_id=pair_parameter(), value="x")
    # The cheapest products come first: the four extras fill the page's top.
    assert set(listed(client.get("/catalogue/", query))[:4]) == set(
        Product.objects.filter(name__startswith="Extra ").values_list("pk", flat=True)
    )
    assert shown > 4
    assert count_queries(client, "/catalogue/", query) == before <= 10


def pair_parameter() -> int:
    return OfferParameter.objects.values_list("parameter_id", flat=True).first()


def test_product_page_runs_a_constant_number_of_queries(client, demo):
    product = products().first()
    url = f"/products/{product.pk}/"
    before = count_queries(client, url)
    parameter = pair_parameter()
    for number in range(3):  # three more shops' offers, each with a parameter
        shop = Shop.objects.create(name=f"Extra shop {number}")
        extra = Offer.objects.create(
            product=product, shop=shop, external_id=f"p{number}", price=50 + number, quantity=5
        )
        OfferParameter.objects.create(offer=extra, parameter_id=parameter, value="x")
    body = client.get(url).content.decode()
    assert all(f"Extra shop {number}" in body for number in range(3))
    assert count_queries(client, url) == before <= 8


def test_product_page_lists_every_offer_with_shop_price_and_stock(client, demo):
    product = products().first()
    body = client.get(f"/products/{product.pk}/").content.decode()
    for offer in Offer.objects.orderable().filter(product=product).select_related("shop"):
        assert offer.shop.name in body and f"{money(offer.price)} ₽" in body
        assert f'max="{offer.quantity}"' in body
    assert client.get("/products/999999/").status_code == 404


def orderable_offer(quantity: int = 2) -> Offer:
    return Offer.objects.orderable().filter(quantity__gte=quantity).first()


def test_a_visitor_is_asked_to_log_in_before_adding_to_the_cart(client, demo):
    offer = orderable_offer()
    response = client.post(
        "/cart/add/", {"offer": offer.pk, "quantity": 1, "next": f"/products/{offer.product_id}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=%2Fproducts%2F{offer.product_id}%2F"
    off_site = client.post(
        "/cart/add/", {"offer": offer.pk, "quantity": 1, "next": "//evil.example/"}
    )
    assert "evil" not in off_site["Location"]
    # Asked in place (htmx), the answer sends the whole page there: htmx would
    # follow a 302 itself and show the login page inside the button's status line.
    in_place = client.post(
        "/cart/add/",
        {"offer": offer.pk, "quantity": 1, "next": f"/products/{offer.product_id}/"},
        HTTP_HX_REQUEST="true",
    )
    assert in_place.status_code == 200
    assert in_place["HX-Redirect"] == response["Location"]


def test_add_to_cart_in_place_with_htmx(client, customer):
    offer = orderable_offer()
    response = client.post("/cart/add/", {"offer": offer.pk, "quantity": 2}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="cart-badge"' in body and 'hx-swap-oob="true"' in body and ">2</span>" in body
    assert [(line.offer_id, line.quantity) for line in cart_lines(customer)] == [(offer.pk, 2)]


@pytest.mark.parametrize("quantity", ["0", "x", "too_much"])
def test_add_to_cart_refuses_bad_quantities(client, customer, quantity):
    offer = orderable_offer()
    if quantity == "too_much":
        quantity = str(offer.quantity + 1)
    response = client.post(
        "/cart/add/", {"offer": offer.pk, "quantity": quantity}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not cart_lines(customer).exists()


def test_cart_change_and_remove_in_place(client, customer, demo):
    offer = orderable_offer(3)
    client.post("/cart/add/", {"offer": offer.pk, "quantity": 1})
    line = cart_lines(customer).get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": 3}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f"{money(offer.price * 3)} ₽" in response.content.decode()
    assert cart_lines(customer).get().quantity == 3
    Offer.objects.filter(pk=offer.pk).update(quantity=2)  # sold meanwhile
    assert "not enough in stock" in client.get("/cart/").content.decode()
    # Someone else cannot touch this line.
    client.force_login(demo["b2b@example.com"])
    assert client.post(f"/cart/lines/{line.pk}/", {"quantity": 1}).status_code == 404
    assert client.post(f"/cart/lines/{line.pk}/remove/").status_code == 404
    client.force_login(customer)
    response = client.post(f"/cart/lines/{line.pk}/remove/", HTTP_HX_REQUEST="true")
    assert "Your cart is empty" in response.content.decode()
    assert not cart_lines(customer).exists()


def checkout_form(client) -> dict:
    page = client.get("/checkout/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    return {"key": key, "comment": ""}


def test_checkout_with_a_saved_address_once_however_often_it_is_sent(client, customer):
    address = create_address(user=customer, **{**ADDRESS, "recipient": "Пётр Иванов"})
    offer = orderable_offer()
    stock = offer.quantity
    client.post("/cart/add/", {"offer": offer.pk, "quantity": 2})
    before = Order.objects.filter(user=customer).count()
    data = {**checkout_form(client), "saved_address": address.pk}
    first = client.post("/checkout/", data)
    assert first.status_code == 302, first.content.decode()
    order = Order.objects.filter(user=customer).latest("pk")
    assert first["Location"] == f"/orders/{order.pk}/placed/"
    assert order.recipient == "Пётр Иванов" and order.total == offer.price * 2
    assert Offer.objects.get(pk=offer.pk).quantity == stock - 2
    # The same form sent again (a double click) places nothing new ...
    assert client.post("/checkout/", data)["Location"] == first["Location"]
    # ... nor after the cart changed: the page says so and offers a new form.
    client.post("/cart/add/", {"offer": offer.pk, "quantity": 1})
    again = client.post("/checkout/", data)
    assert again.status_code == 422 and "sent already" in again.content.decode()
    assert data["key"] not in again.content.decode()
    assert Order.objects.filter(user=customer).count() == before + 1
    page = client.get(first["Location"]).content.decode()
    assert order.number in page and offer.product.name in page


def test_checkout_with_a_new_address_saves_it_to_the_address_book(client, customer):
    client.post("/cart/add/", {"offer": orderable_offer().pk, "quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert 'name="saved_address" value=""' in page  # "a new address" can be chosen
    assert 'name="new-recipient"' in page and "required" not in page.split('name="new-')[1]
    new = {f"new-{name}": value for name, value in ADDRESS.items()}
    data = {**checkout_form(client), **new, "save_address": "on"}
    assert client.post("/checkout/", data).status_code == 302
    assert Address.objects.filter(user=customer, street=ADDRESS["street"]).count() == 1
    assert Order.objects.filter(user=customer).latest("pk").city == ADDRESS["city"]


def test_checkout_refuses_a_bad_address_and_an_empty_cart(client, customer):
    client.post("/cart/add/", {"offer": orderable_offer().pk, "quantity": 1})
    orders = Order.objects.filter(user=customer).count()
    bad = {**checkout_form(client), "new-recipient": "Ольга", "new-phone": "not a phone"}
    response = client.post("/checkout/", bad)
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    assert Order.objects.filter(user=customer).count() == orders
    assert not Address.objects.filter(user=customer, recipient="Ольга").exists()
    client.post(f"/cart/lines/{cart_lines(customer).get().pk}/remove/")
    address = create_address(user=customer, **ADDRESS)
    key = "6f1c8a52-0d4e-4f7e-9a53-3f2b8f0f5a11"  # the page shows no form for an empty cart
    empty = client.post("/checkout/", {"key": key, "saved_address": address.pk})
    assert empty.status_code == 409


def test_someone_elses_address_and_order_are_not_found(client, customer, demo):
    other = demo["b2b@example.com"]
    foreign = create_address(user=other, **ADDRESS)
    client.post("/cart/add/", {"offer": orderable_offer().pk, "quantity": 1})
    response = client.post("/checkout/", {**checkout_form(client), "saved_address": foreign.pk})
    assert response.status_code == 400
    assert Order.objects.filter(user=customer, recipient=ADDRESS["recipient"]).count() == 0
    their_order = Order.objects.filter(user=other).first()
    assert client.get(f"/orders/{their_order.pk}/placed/").status_code == 404


def test_pages_ask_a_visitor_to_log_in(client, demo):
    for url in ("/cart/", "/checkout/", "/cabinet/", "/cabinet/orders/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_min_price_on_the_card_is_the_lowest_orderable_offer(client, demo):
    product = products().first()
    lowest = Offer.objects.orderable().filter(product=product).aggregate(p=Min("price"))["p"]
    body = client.get("/catalogue/").content.decode()
    assert f"from {money(lowest)} ₽" in body
    assert isinstance(lowest, Decimal)
