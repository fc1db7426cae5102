"""The error convention of ShopAPIMixin: one body shape, a code per problem."""

import pytest
from rest_framework.test import APIClient

from shop_core.testing import nested_json


def post(query="", data=None, **kwargs):
    return APIClient().post(f"/errors/{query}", data or {}, format="json", **kwargs)


def test_serializer_errors_carry_code_and_attr():
    response = post(data={"start": "9999-12-31T00:00:00Z"})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "out_of_range",
                "detail": "Dates must lie between 1970-01-01 and 9000-12-31.",
                "attr": "start",
            }
        ],
    }


def test_service_error_about_a_field_is_a_validation_error():
    response = post("?raise=field")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "min_notice", "detail": "Too soon.", "attr": "start"}
    ]


def test_service_error_keeps_its_status_and_extra_keys():
    response = post("?raise=plain")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"] == [{"code": "out_of_stock", "detail": "Sold out.", "attr": None}]
    assert body["lines"] == [{"offer": 1, "available": 0}]


def test_django_validation_error_is_a_400_with_fields():
    response = post("?raise=django")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": "bad", "detail": "Bad name.", "attr": "name"}]


@pytest.mark.django_db
def test_missing_object_is_a_404():
    response = post("?raise=missing")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_unexpected_error_is_a_json_500_without_details():
    client = APIClient(raise_request_exception=False)
    response = client.post("/errors/?raise=bug", {}, format="json")
    assert response.status_code == 500
    assert response.json()["type"] == "server_error"
    assert "a bug" not in response.content.decode()


def test_nested_json_is_a_parse_error():
    response = APIClient().post("/errors/", nested_json(), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "too_deep",
                "detail": "The JSON document is nested deeper than 32 levels.",
                "attr": None,
            }
        ],
    }
