"""The schema settings document ShopAPIMixin's errors without a warning."""

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_error_answers_are_documented_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache, GENERATOR_STATS._error_cache
    responses = schema["paths"]["/errors/"]["post"]["responses"]
    assert {"400", "500"} <= set(responses)
    codes = schema["components"]["schemas"]
    assert any("out_of_range" in str(component) for component in codes.values())


def test_parse_errors_are_documented_with_too_deep():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert components["ParseErrorCodeEnum"]["enum"] == ["parse_error", "too_deep"]
    four_hundred = schema["paths"]["/errors/"]["post"]["responses"]["400"]
    ref = four_hundred["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "ParseErrorResponse" in str(components[ref])
