import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop_core.idempotency import IdempotencyKeyReused, fingerprint, key_from


def test_fingerprint_ignores_key_order_and_tells_bodies_apart():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert len(fingerprint({})) == 64


def _request(**headers):
    return Request(APIRequestFactory().post("/", **headers))


def test_key_from_header():
    assert key_from(_request(HTTP_IDEMPOTENCY_KEY=" abc ")) == "abc"
    assert key_from(_request()) == ""


@pytest.mark.parametrize("key", ["x" * 256, "ключ", "a\tb"])
def test_bad_keys_are_400_with_a_code(key):
    with pytest.raises(ValidationError) as caught:
        key_from(_request(HTTP_IDEMPOTENCY_KEY=key))
    assert caught.value.detail["idempotency_key"][0].code == "invalid_idempotency_key"


def test_reused_key_is_422_with_a_code():
    exc = IdempotencyKeyReused()
    assert exc.status_code == 422
    assert exc.detail.code == "idempotency_key_reused"
