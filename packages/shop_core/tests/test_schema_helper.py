import pytest

from shop_core.testing import assert_matches_schema

DOCUMENT = {
    "paths": {
        "/x/": {
            "get": {
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/X"}}
                        }
                    }
                }
            }
        }
    },
    "components": {
        "schemas": {
            "X": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "pattern": r"^\d+$"},
                    "note": {"type": "string", "nullable": True},
                },
                "required": ["code"],
            }
        }
    },
}


def test_a_matching_body_passes():
    assert_matches_schema(DOCUMENT, "/x/", "GET", 200, {"code": "12", "note": None})


@pytest.mark.parametrize("body", [{"note": "x"}, {"code": "١٢"}, {"code": "1", "note": 5}])
def test_a_body_that_differs_fails(body):
    with pytest.raises(AssertionError):
        assert_matches_schema(DOCUMENT, "/x/", "GET", 200, body)
