import io
import json

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.test import APIClient

from shop_core.parsers import MAX_JSON_DEPTH, DepthGuard, SafeJSONParser, guard_parsers, json_depth
from shop_core.testing import nested_json


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'["[[[[", "\\"[[["]', 1),  # brackets inside strings, escaped quotes
    ],
)
def test_json_depth(raw, depth):
    assert json_depth(raw) == depth


def test_json_depth_stops_past_the_limit():
    assert json_depth(nested_json(10_000).encode(), limit=5) == 6


def test_plain_json_parser_recurses_on_nested_input():
    """The defect the guard exists for: DRF's parser lets RecursionError through."""
    with pytest.raises(RecursionError):
        JSONParser().parse(io.BytesIO(nested_json(100_000).encode()))


def test_safe_parser_refuses_deep_documents_with_a_code():
    with pytest.raises(ParseError) as caught:
        SafeJSONParser().parse(io.BytesIO(nested_json(MAX_JSON_DEPTH + 1).encode()))
    assert caught.value.detail.code == "too_deep"


def test_safe_parser_accepts_documents_at_the_limit():
    data = SafeJSONParser().parse(io.BytesIO(nested_json(MAX_JSON_DEPTH).encode()))
    assert isinstance(data, list)


def test_guard_keeps_media_types_and_wraps_once():
    guarded = guard_parsers([JSONParser(), FormParser()])
    assert [p.media_type for p in guarded] == [
        "application/json",
        "application/x-www-form-urlencoded",
    ]
    assert all(isinstance(p, DepthGuard) for p in guarded)
    assert guard_parsers(guarded) == guarded


class RecursingParser(JSONParser):
    media_type = "application/vnd.custom"

    def parse(self, stream, media_type=None, parser_context=None):
        raise RecursionError


def test_guard_turns_recursion_of_any_parser_into_400():
    with pytest.raises(ParseError):
        DepthGuard(RecursingParser()).parse(io.BytesIO(b"x"))


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_view_answers_400_for_nested_json(depth):
    response = APIClient().post("/echo/", nested_json(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The JSON document is nested deeper than 32 levels."
    }  # DRF's own handler: the code is in the convention of ShopAPIMixin (test_errors)


def test_view_still_parses_ordinary_json():
    body = {"a": [1, {"b": "[[["}]}
    response = APIClient().post("/echo/", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": body}


def test_the_error_is_translated():
    from django.utils import translation

    with translation.override("ru"):
        response = APIClient().post("/echo/", nested_json(100), content_type="application/json")
    assert "JSON" in response.json()["detail"]
    assert "вложен" in response.json()["detail"]
