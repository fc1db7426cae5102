"""Hostile bodies through the whole site, one endpoint of each package and
the site's own parsing: each is a 4xx (never a 5xx) and changes nothing.

The packages guard their own views; this is the end-to-end proof that the
site's settings (parsers, body limits, error handlers) hold for every view,
dj-rest-auth's included.
"""

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from shop_accounts.services import create_user
from shop_catalog.models import Shop
from shop_core.testing import nested_json

from .helpers import PASSWORD, error_codes

pytestmark = pytest.mark.django_db

# (who, method, path); "{shop}" is the demo supplier's shop.
WRITE_ENDPOINTS = [
    (None, "post", "/api/v1/accounts/login/"),
    (None, "post", "/api/v1/accounts/registration/"),
    ("customer@example.com", "patch", "/api/v1/accounts/user/"),
    ("customer@example.com", "post", "/api/v1/orders/cart/lines/"),
    ("customer@example.com", "post", "/api/v1/orders/checkout/"),
    ("customer@example.com", "post", "/api/v1/bookings/bookings/"),
    ("customer@example.com", "post", "/api/v1/cabinet/addresses/"),
    ("supplier@example.com", "post", "/api/v1/catalog/supplier/shops/{shop}/import/"),
]
IDS = [f"{method} {path}" for _who, method, path in WRITE_ENDPOINTS]


def database_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "admin")
    }


@pytest.fixture
def users(db):
    customer = create_user(email="customer@example.com", password=PASSWORD)
    supplier = create_user(email="supplier@example.com", password=PASSWORD, role="supplier")
    Shop.objects.create(name="Hostile shop", owner=supplier)
    return {user.email: user for user in (customer, supplier)}


@pytest.fixture
def send(users):
    """send(who, method, path, body, content_type) -> response, the database unchanged."""
    shop = Shop.objects.get(owner=users["supplier@example.com"])

    def send(who, method, path, body, content_type="application/json"):
        client = APIClient(raise_request_exception=False)
        if who is not None:
            client.force_authenticate(users[who])
        before = database_counts()
        response = getattr(client, method)(
            path.format(shop=shop.pk), body, content_type=content_type
        )
        assert response.status_code < 500, response.content[:300]
        assert database_counts() == before
        return response

    return send


@pytest.mark.parametrize(("who", "method", "path"), WRITE_ENDPOINTS, ids=IDS)
def test_nested_json_is_a_400_too_deep(send, who, method, path):
    response = send(who, method, path, nested_json(1000))
    assert response.status_code == 400, response.content[:300]
    assert set(error_codes(response)) == {"too_deep"}


# The site's parsing, through a dj-rest-auth view and a package's viewset.
PARSING_ENDPOINTS = [WRITE_ENDPOINTS[0], WRITE_ENDPOINTS[6]]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param('{"email": "a@example.com"', "application/json", id="truncated"),
        pytest.param(b'{"email": "\xff\xfe"}', "application/json", id="not-utf8"),
        pytest.param("[]", "application/json", id="list"),
        pytest.param('"just a string"', "application/json", id="string"),
        pytest.param("1e400", "application/json", id="huge-number"),
        pytest.param("NaN", "application/json", id="nan"),
        pytest.param("email=a@example.com", "multipart/form-data", id="no-boundary"),
        pytest.param("<email>a@example.com</email>", "application/xml", id="xml"),
    ],
)
@pytest.mark.parametrize(("who", "method", "path"), PARSING_ENDPOINTS, ids=IDS[0:7:6])
def test_malformed_bodies_are_4xx(send, who, method, path, body, content_type):
    response = send(who, method, path, body, content_type)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"


def test_nested_json_to_a_view_outside_the_packages(settings, db):
    # Guarded only by the site's DEFAULT_PARSER_CLASSES.
    settings.ROOT_URLCONF = "tests.urls_extra"
    client = APIClient(raise_request_exception=False)
    response = client.post("/api/v1/echo/", nested_json(1000), content_type="application/json")
    assert response.status_code == 400
    assert set(error_codes(response)) == {"too_deep"}
    ok = client.post("/api/v1/echo/", {"a": [[1]]}, format="json")
    assert ok.json() == {"keys": ["a"]}


def test_nul_in_search_is_dropped_not_an_undocumented_400(users):
    client = APIClient()
    client.force_authenticate(users["supplier@example.com"])
    response = client.get("/api/v1/catalog/supplier/shops/", {"search": "Hostile\x00 shop"})
    assert response.status_code == 200, response.content[:300]
    assert [shop["name"] for shop in response.json()["results"]] == ["Hostile shop"]
