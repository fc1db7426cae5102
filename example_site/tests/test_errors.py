"""On /api/ paths every error is JSON with a code, never an HTML page; other
paths keep Django's pages. DEBUG is off here, as in production."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json", response.content[:200]
    body = response.json()
    assert body["type"] == ("server_error" if status >= 500 else "client_error")
    [error] = body["errors"]
    assert error["code"] == code and error["attr"] is None
    assert isinstance(error["detail"], str) and error["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/catalog/products/1.5/",  # ids the URL patterns do not take
        "/api/v1/orders/cart/lines/abc/",
        "/api/",
        "/api",
    ],
)
def test_unknown_api_path_is_a_json_404(client, settings, path):
    settings.APPEND_SLASH = False  # "/api" itself, not its redirect
    assert_json_error(client.get(path), 404, "not_found")


def test_unknown_page_elsewhere_is_still_html(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_server_error_on_an_api_path_is_json(settings):
    settings.ROOT_URLCONF = "tests.urls_extra"
    client = Client(raise_request_exception=False)
    assert_json_error(client.get("/api/v1/boom/"), 500, "server_error")
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_bad_request_on_an_api_path_is_json(client):
    # A Host header the site does not serve: Django's SuspiciousOperation -> 400.
    response = client.get("/api/v1/catalog/products/", HTTP_HOST="evil.example.net")
    assert_json_error(response, 400, "bad_request")


@pytest.mark.parametrize("size", [3 * MB, 10 * MB])
def test_large_json_body_is_a_413_before_it_is_read(client, size):
    body = b'{"email": "' + b"a" * size + b'"}'
    response = client.post("/api/v1/accounts/login/", body, content_type="application/json")
    assert_json_error(response, 413, "too_large")


def test_large_form_body_is_a_413(client):
    response = client.post(
        "/api/v1/accounts/login/",
        "email=" + "a" * (3 * MB),
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(response, 413, "too_large")


def test_large_field_of_a_multipart_body_is_a_413_when_it_is_read(client):
    # Under the multipart cap, so only Django's lazy per-field limit catches it.
    response = client.post("/api/v1/accounts/login/", {"email": "a" * (3 * MB), "password": "x"})
    assert_json_error(response, 413, "too_large")


def test_multipart_body_over_the_upload_cap_is_a_413(client, settings):
    settings.SHOP_MAX_UPLOAD_BYTES = MB
    response = client.post("/api/v1/accounts/login/", {"email": "a" * (2 * MB)})
    assert_json_error(response, 413, "too_large")


def test_too_many_form_fields_is_a_json_400(client):
    body = "&".join(f"f{number}=1" for number in range(1500))
    response = client.post(
        "/api/v1/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert_json_error(response, 400, "too_many_fields")


def test_large_body_elsewhere_is_a_plain_413(client):
    response = client.post("/admin/login/", "a" * (3 * MB), content_type="text/plain")
    assert response.status_code == 413
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/accounts/user/", 401, "not_authenticated"),
        ("delete", "/api/v1/catalog/categories/", 405, "method_not_allowed"),
        ("get", "/api/v1/catalog/products/999999999/", 404, "not_found"),
    ],
)
def test_drf_errors_carry_a_code(client, method, path, status, code):
    assert_json_error(getattr(client, method)(path), status, code)


def test_throttled_answer_carries_a_code(client, settings):
    responses = [
        client.post("/api/v1/accounts/login/", {}, content_type="application/json")
        for _ in range(11)
    ]
    assert_json_error(responses[-1], 429, "throttled")


@pytest.mark.parametrize(
    ("path", "extra", "detail"),
    [
        ("/api/v1/nothing-here/", {}, "По этому адресу ничего не найдено."),
        ("/api/v1/boom/", {}, "Сервер не смог ответить; ошибка записана в журнал."),
        ("/api/v1/catalog/", {"HTTP_HOST": "evil.example.net"}, "Некорректный запрос."),
        (
            "/api/v1/accounts/login/",
            {"data": "a" * (3 * MB), "content_type": "text/plain"},
            "Тело запроса слишком велико.",
        ),
        ("/api/v1/db-down/", {}, "Сервис ненадолго недоступен; повторите запрос чуть позже."),
    ],
    ids=["404", "500", "400", "413", "503"],
)
def test_error_messages_are_translated(settings, path, extra, detail):
    settings.ROOT_URLCONF = "tests.urls_extra"
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ru")
    method = client.post if "data" in extra else client.get
    assert method(path, **extra).json()["errors"][0]["detail"] == detail


def test_recursion_in_a_parser_is_a_400_too_deep(settings, monkeypatch):
    # The last resort behind the site's safe parser: a view with a parser of its own.
    from rest_framework.parsers import JSONParser

    from tests.urls_extra import EchoView

    settings.ROOT_URLCONF = "tests.urls_extra"
    monkeypatch.setattr(EchoView, "parser_classes", [JSONParser], raising=False)
    response = Client().post("/api/v1/echo/", "[" * 5000 + "]" * 5000, "application/json")
    assert_json_error(response, 400, "too_deep")


def test_a_database_that_is_down_is_a_503_not_a_500(settings):
    settings.ROOT_URLCONF = "tests.urls_extra"
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/db-down/")
    assert_json_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "5"
    page = client.get("/db-down/")
    assert page.status_code == 503 and page["Retry-After"] == "5"


def test_redis_down_refuses_what_cannot_be_counted_with_a_503(settings):
    # Rate limits count in the cache; nothing listens on port 1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    client = Client(raise_request_exception=False)
    body = {"email": "someone@example.com", "password": "wrong-password"}
    response = client.post("/api/v1/accounts/login/", body, content_type="application/json")
    assert_json_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "5"
