"""Every input of the storefront's pages has a label a screen reader announces."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from shop_catalog.selectors import products

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button"}


class Fields(HTMLParser):
    """The form fields of a page and the ids its labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(found["for"])
        elif tag in ("input", "select", "textarea"):
            if found.get("type") not in UNLABELLED_TYPES:
                self.fields.append(found)


SEEN: list[int] = []


def unlabelled(html: str) -> list[dict]:
    page = Fields()
    page.feed(html)
    SEEN.append(len(page.fields))
    return [
        field
        for field in page.fields
        if field.get("id") not in page.labelled and not field.get("aria-label")
    ]


def test_an_input_without_a_label_is_found():
    assert unlabelled('<label for="a">A</label><input id="a"><input id="b" type="text">') == [
        {"id": "b", "type": "text"}
    ]


def test_every_input_has_a_label(client, demo):
    client.force_login(demo["customer@example.com"])
    product = products().first()
    client.post("/cart/add/", {"offer": product.offers.first().pk, "quantity": 1})
    pages = [
        "/",
        "/catalogue/",
        f"/products/{product.pk}/",
        "/cart/",
        "/checkout/",
        "/cabinet/",
        "/cabinet/addresses/",
        "/cabinet/favourites/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert unlabelled(response.content.decode()) == [], url
    client.logout()
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        assert unlabelled(client.get(url).content.decode()) == [], url
    assert sum(SEEN) > 30  # the catalogue's filters, the checkout's address, the forms
