"""The cabinet's pages: dashboard with the spending chart, orders with their
timeline, addresses and favourites; each user sees only their own."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from storefront.charts import BOTTOM, HEIGHT, TOP, spending_bars

from shop_cabinet.models import Address, Favourite
from shop_cabinet.selectors import dashboard
from shop_cabinet.services import add_favourite
from shop_catalog.models import Offer
from shop_catalog.selectors import products
from shop_orders.models import Order
from shop_orders.selectors import monthly_totals
from shop_orders.services import add_line, checkout, resolve_address

from .helpers import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(demo, client):
    client.force_login(demo["customer@example.com"])
    return demo["customer@example.com"]


def test_chart_bars_are_scaled_to_the_biggest_month():
    from datetime import date

    rows = [
        {"month": date(2026, 1, 1), "count": 1, "total": Decimal("100.00")},
        {"month": date(2026, 2, 1), "count": 0, "total": Decimal("0.00")},
        {"month": date(2026, 3, 1), "count": 2, "total": Decimal("400.00")},
    ]
    bars = spending_bars(rows)
    plot = HEIGHT - TOP - BOTTOM
    assert [bar.height for bar in bars] == [plot / 4, 0, plot]
    assert all(bar.y + bar.height == HEIGHT - BOTTOM for bar in bars)  # one baseline
    assert bars[0].x < bars[1].x < bars[2].x
    nothing = [{"month": date(2026, 1, 1), "count": 0, "total": Decimal(0)}]
    assert spending_bars(nothing)[0].height == 0  # no division by zero


def test_dashboard_draws_a_bar_per_month_of_the_customers_spending(client, customer):
    months = monthly_totals(customer, months=12)
    assert any(row["total"] for row in months)  # the demo customer has orders
    body = client.get("/cabinet/").content.decode()
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', body)]
    assert len(heights) == 12
    biggest = max(range(12), key=lambda i: months[i]["total"])
    assert heights[biggest] == max(heights) > 0
    for row, height in zip(months, heights, strict=True):
        assert (height == 0) == (row["total"] == 0)
    assert floatformat(months[biggest]["total"], "2g") in body  # the figures table


def test_cabinet_pages_run_a_constant_number_of_queries(client, customer):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pages = ("/cabinet/", "/cabinet/orders/", "/cabinet/favourites/", "/cabinet/addresses/")
    unliked = products().exclude(cabinet_favourites__user=customer)
    add_favourite(user=customer, product=unliked.first())
    before = {url: count(url) for url in pages}
    orders = Order.objects.filter(user=customer).count()
    address = Address.objects.filter(user=customer, kind="shipping").first()
    for n in range(2):  # two more orders of two lines, favourites and addresses
        for offer in Offer.objects.orderable().filter(quantity__gte=1)[:2]:
            add_line(user=customer, offer_id=offer.pk, quantity=1)
        checkout(user=customer, address=resolve_address(user=customer, address_id=address.pk))
        add_favourite(user=customer, product=unliked.first())
        client.post("/cabinet/addresses/", {**ADDRESS, "street": f"Street {n}"})
    assert Order.objects.filter(user=customer).count() == orders + 2 <= 10  # one page
    assert Favourite.objects.filter(user=customer).count() >= 3
    assert Address.objects.filter(user=customer, street__startswith="Street ").count() == 2
    assert {url: count(url) for url in before} == before
    # The header's role links are one query.
    assert before["/cabinet/"] <= 11 and before["/cabinet/orders/"] <= 8
    assert before["/cabinet/favourites/"] <= 8 and before["/cabinet/addresses/"] <= 8


def test_order_history_and_the_status_timeline(client, customer, demo):
    orders = list(Order.objects.filter(user=customer).order_by("-created", "-pk"))
    body = client.get("/cabinet/orders/").content.decode()
    assert [o.number for o in orders if o.number in body] == [o.number for o in orders][:10]
    order = next(o for o in orders if o.history.count() > 1)
    page = client.get(f"/cabinet/orders/{order.pk}/").content.decode()
    timeline = page[page.index('class="timeline"') :]
    shown = re.findall(r"<li><strong>([^<]+)</strong>", timeline)
    history = order.history.order_by("created", "pk")
    assert shown == [change.get_to_status_display() for change in history]
    other = Order.objects.filter(user=demo["b2b@example.com"]).first()
    assert client.get(f"/cabinet/orders/{other.pk}/").status_code == 404


def test_addresses_add_make_default_and_delete(client, customer, demo):
    response = client.post("/cabinet/addresses/", ADDRESS)
    assert response.status_code == 302
    first = Address.objects.get(user=customer, street=ADDRESS["street"])
    client.post("/cabinet/addresses/", {**ADDRESS, "street": "ул. Испытателей"})
    second = Address.objects.get(user=customer, street="ул. Испытателей")
    assert client.post(f"/cabinet/addresses/{second.pk}/default/").status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    bad = client.post("/cabinet/addresses/", {**ADDRESS, "postal_code": "12"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert client.post(f"/cabinet/addresses/{first.pk}/delete/").status_code == 302
    assert not Address.objects.filter(pk=first.pk).exists()
    # Another customer's address is not there for this one.
    client.force_login(demo["b2b@example.com"])
    assert client.post(f"/cabinet/addresses/{second.pk}/delete/").status_code == 404
    assert client.post(f"/cabinet/addresses/{second.pk}/default/").status_code == 404
    assert "ул. Испытателей" not in client.get("/cabinet/addresses/").content.decode()
    assert Address.objects.filter(pk=second.pk).exists()


def test_favourites_toggle_in_place_and_list(client, customer, demo):
    product = products().exclude(cabinet_favourites__user=customer).first()  # not one yet
    response = client.post(f"/products/{product.pk}/favourite/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert Favourite.objects.filter(user=customer, product=product).exists()
    assert product.name in client.get("/cabinet/favourites/").content.decode()
    client.force_login(demo["b2b@example.com"])
    assert product.name not in client.get("/cabinet/favourites/").content.decode()
    client.force_login(customer)
    response = client.post(f"/products/{product.pk}/favourite/", HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert not Favourite.objects.filter(user=customer, product=product).exists()
    assert client.post("/products/999999/favourite/").status_code == 404


def test_a_verified_business_customer_sees_the_company_block(client, demo):
    client.force_login(demo["b2b@example.com"])
    body = client.get("/cabinet/").content.decode()
    finance = dashboard(demo["b2b@example.com"])["finance"]
    assert "Company account" in body
    assert f"{floatformat(finance['average_order_value'], '2g')} ₽" in body
    client.force_login(demo["customer@example.com"])
    assert "Company account" not in client.get("/cabinet/").content.decode()


def test_the_dashboard_links_the_personal_data_download(client, customer):
    body = client.get("/cabinet/").content.decode()
    link = re.search(r'href="(/api/v1/cabinet/export/)" download', body).group(1)
    response = client.get(link)  # the cabinet's own view, with the page's session
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert customer.email in response.content.decode()
